/* SPDX-License-Identifier: MIT */
/*
 * meminfo.c - /proc/meminfo (fs/proc/meminfo.c, 6.12) and the two sums
 * behind it, si_meminfo and si_mem_available (mm/show_mem.c, 6.12).
 *
 * The lines are those of a Debian 6.12 amd64 kernel (no HIGHMEM; ZSWAP,
 * MEMORY_FAILURE, TRANSPARENT_HUGEPAGE, UNACCEPTED_MEMORY and HUGETLBFS
 * on) plus the two CMA lines, which pageframe machines can have.  What
 * user space has no counterpart of prints 0 (buffers, vmalloc, per-CPU
 * chunks, committed address space, hugetlb pools, zswap); the x86
 * DirectMap lines are left out (a machine description has no kernel page
 * tables).  docs/VIEWS.md lists each line and where it comes from.
 */
#include "internal.h"

#include <stdio.h>

/* x86-64's VMALLOC_TOTAL with 4-level paging: 32 TiB less one byte's page, in kB */
#define VMALLOC_TOTAL_KB 34359738367UL
/* vm.overcommit_ratio's default (mm/util.c) */
#define OVERCOMMIT_RATIO 50

/* totalram_pages: the managed pages of every zone */
static unsigned long totalram_pages(struct pf_machine *m)
{
	unsigned long n = 0;
	for (int nid = 0; nid < m->nr_node_ids; nid++)
		for (int z = 0; z < MAX_NR_ZONES; z++)
			n += zone_managed_pages(&m->node_data[nid]->node_zones[z]);
	return n;
}

/*
 * si_mem_available (mm/show_mem.c, 6.12): free pages above the reserves,
 * plus the page cache and reclaimable kernel memory that could go - each
 * less the part that has to stay (half of it, or the machine's low
 * watermarks, whichever is smaller).  Free pages are read with every
 * CPU's differential added (the kernel reads the folded counter): /proc/meminfo
 * is its only caller here, and it must not fold (docs/VIEWS.md).
 */
long si_mem_available(struct pf_machine *m)
{
	unsigned long wmark_low = 0;

	for (int nid = 0; nid < m->nr_node_ids; nid++)
		for (int z = 0; z < MAX_NR_ZONES; z++)
			wmark_low += low_wmark_pages(&m->node_data[nid]->node_zones[z]);

	long available = (long)global_zone_page_state_snapshot(m, NR_FREE_PAGES) - (long)m->totalreserve_pages;

	unsigned long pagecache = global_node_page_state(m, NR_ACTIVE_FILE) + global_node_page_state(m, NR_INACTIVE_FILE);
	pagecache -= min_t(unsigned long, pagecache / 2, wmark_low);
	available += (long)pagecache;

	/* the slab counters count bytes (global_node_page_state_pages) */
	unsigned long reclaimable = global_node_page_state(m, NR_SLAB_RECLAIMABLE_B) / PAGE_SIZE +
				    global_node_page_state(m, NR_KERNEL_MISC_RECLAIMABLE);
	reclaimable -= min_t(unsigned long, reclaimable / 2, wmark_low);
	available += (long)reclaimable;

	return available < 0 ? 0 : available;
}

static void show_val_kb(FILE *out, const char *label, unsigned long pages)
{
	fprintf(out, "%s%8lu kB\n", label, pages << (PAGE_SHIFT - 10));
}

/*
 * meminfo_proc_show (fs/proc/meminfo.c, 6.12): the machine's /proc/meminfo.
 * Swap lines come from the machine's swap area when it has one.  Zone
 * counters are read with the per-CPU differentials added, without folding
 * them (the other views do the same: vmstat.c).
 */
int meminfo_proc_show(struct pf_machine *m, FILE *out)
{
	unsigned long totalram = totalram_pages(m);
	unsigned long freeram = global_zone_page_state_snapshot(m, NR_FREE_PAGES);
	unsigned long swapcache = global_node_page_state(m, NR_SWAPCACHE);
	/* no swap area on the machine yet: the reclaim work (swapfile.c) brings them */
	unsigned long totalswap = 0, freeswap = 0;
	long cached = (long)global_node_page_state(m, NR_FILE_PAGES) - (long)swapcache;	/* no buffers */
	if (cached < 0)
		cached = 0;
	unsigned long lru[5] = {
		global_node_page_state(m, NR_INACTIVE_ANON), global_node_page_state(m, NR_ACTIVE_ANON),
		global_node_page_state(m, NR_INACTIVE_FILE), global_node_page_state(m, NR_ACTIVE_FILE),
		global_node_page_state(m, NR_UNEVICTABLE),
	};
	unsigned long sreclaimable = global_node_page_state(m, NR_SLAB_RECLAIMABLE_B) / PAGE_SIZE;
	unsigned long sunreclaim = global_node_page_state(m, NR_SLAB_UNRECLAIMABLE_B) / PAGE_SIZE;

	show_val_kb(out, "MemTotal:       ", totalram);
	show_val_kb(out, "MemFree:        ", freeram);
	show_val_kb(out, "MemAvailable:   ", (unsigned long)si_mem_available(m));
	show_val_kb(out, "Buffers:        ", 0);
	show_val_kb(out, "Cached:         ", (unsigned long)cached);
	show_val_kb(out, "SwapCached:     ", swapcache);
	show_val_kb(out, "Active:         ", lru[1] + lru[3]);
	show_val_kb(out, "Inactive:       ", lru[0] + lru[2]);
	show_val_kb(out, "Active(anon):   ", lru[1]);
	show_val_kb(out, "Inactive(anon): ", lru[0]);
	show_val_kb(out, "Active(file):   ", lru[3]);
	show_val_kb(out, "Inactive(file): ", lru[2]);
	show_val_kb(out, "Unevictable:    ", lru[4]);
	show_val_kb(out, "Mlocked:        ", global_zone_page_state_snapshot(m, NR_MLOCK));
	show_val_kb(out, "SwapTotal:      ", totalswap);
	show_val_kb(out, "SwapFree:       ", freeswap);
	show_val_kb(out, "Zswap:          ", 0);
	fprintf(out, "Zswapped:       %8lu kB\n", 0UL);
	show_val_kb(out, "Dirty:          ", global_node_page_state(m, NR_FILE_DIRTY));
	show_val_kb(out, "Writeback:      ", global_node_page_state(m, NR_WRITEBACK));
	show_val_kb(out, "AnonPages:      ", global_node_page_state(m, NR_ANON_MAPPED));
	show_val_kb(out, "Mapped:         ", global_node_page_state(m, NR_FILE_MAPPED));
	show_val_kb(out, "Shmem:          ", global_node_page_state(m, NR_SHMEM));
	show_val_kb(out, "KReclaimable:   ", sreclaimable + global_node_page_state(m, NR_KERNEL_MISC_RECLAIMABLE));
	show_val_kb(out, "Slab:           ", sreclaimable + sunreclaim);
	show_val_kb(out, "SReclaimable:   ", sreclaimable);
	show_val_kb(out, "SUnreclaim:     ", sunreclaim);
	fprintf(out, "KernelStack:    %8lu kB\n", global_node_page_state(m, NR_KERNEL_STACK_KB));
	show_val_kb(out, "PageTables:     ", global_node_page_state(m, NR_PAGETABLE));
	show_val_kb(out, "SecPageTables:  ", global_node_page_state(m, NR_SECONDARY_PAGETABLE));
	show_val_kb(out, "NFS_Unstable:   ", 0);
	show_val_kb(out, "Bounce:         ", global_zone_page_state_snapshot(m, NR_BOUNCE));
	show_val_kb(out, "WritebackTmp:   ", global_node_page_state(m, NR_WRITEBACK_TEMP));
	/* vm_commit_limit with overcommit_ratio 50 and no hugetlb pool */
	show_val_kb(out, "CommitLimit:    ", totalram * OVERCOMMIT_RATIO / 100 + totalswap);
	show_val_kb(out, "Committed_AS:   ", 0);
	fprintf(out, "VmallocTotal:   %8lu kB\n", VMALLOC_TOTAL_KB);
	show_val_kb(out, "VmallocUsed:    ", 0);
	show_val_kb(out, "VmallocChunk:   ", 0);
	show_val_kb(out, "Percpu:         ", 0);
	fprintf(out, "HardwareCorrupted: %5lu kB\n", 0UL);
	show_val_kb(out, "AnonHugePages:  ", global_node_page_state(m, NR_ANON_THPS));
	show_val_kb(out, "ShmemHugePages: ", global_node_page_state(m, NR_SHMEM_THPS));
	show_val_kb(out, "ShmemPmdMapped: ", global_node_page_state(m, NR_SHMEM_PMDMAPPED));
	show_val_kb(out, "FileHugePages:  ", global_node_page_state(m, NR_FILE_THPS));
	show_val_kb(out, "FilePmdMapped:  ", global_node_page_state(m, NR_FILE_PMDMAPPED));
	show_val_kb(out, "CmaTotal:       ", m->totalcma_pages);
	show_val_kb(out, "CmaFree:        ", global_zone_page_state_snapshot(m, NR_FREE_CMA_PAGES));
	show_val_kb(out, "Unaccepted:     ", global_zone_page_state_snapshot(m, NR_UNACCEPTED));
	/* hugetlb_report_meminfo: the default 2 MiB hstate, with no pool */
	fprintf(out, "HugePages_Total:   %5lu\nHugePages_Free:    %5lu\nHugePages_Rsvd:    %5lu\n"
		     "HugePages_Surp:    %5lu\nHugepagesize:   %8lu kB\n",
		0UL, 0UL, 0UL, 0UL, 2048UL /* x86-64 HPAGE_SIZE */);
	fprintf(out, "Hugetlb:        %8lu kB\n", 0UL);
	return ferror(out) ? -EIO : 0;
}
