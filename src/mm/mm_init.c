/* SPDX-License-Identifier: MIT */
/*
 * mm_init.c - boot: from the memblock tables that machine_desc.c filled to nodes,
 * zones, an initialised memmap and free lists holding every managed page
 * (mm/mm_init.c and the x86 zone_sizes_init of Linux 6.12).
 *
 * The steps, in the kernel's order:
 *   zone_sizes_init / free_area_init   zone limits, ZONE_MOVABLE placement,
 *                                      spanned / present pages per zone
 *   memmap_init                        every struct page of the node spans
 *   memmap_init_reserved_pages         PG_reserved on memblock.reserved
 *   build_all_zonelists                fallback order
 *   memblock_free_all                  free RAM to the buddy lists
 *   init_per_zone_wmark_min            min_free_kbytes, watermarks,
 *                                      lowmem_reserve, pcp batch/high
 *   khugepaged (thp always|madvise)    recommended min_free_kbytes
 *
 * Deliberate differences: deferred struct page init goes further than the
 * kernel's (deferred_init.c: free top-order blocks wait until used, and
 * are counted free at once); memblock reservations come only from 'reserve'
 * lines (no kernel image, memmap or firmware is carved out by itself).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define PAGES_PER_SECTION_SHIFT	15	/* SECTION_SIZE_BITS 27 on x86-64 */
#define PAGES_PER_SECTION	(1UL << PAGES_PER_SECTION_SHIFT)

static const char *const zone_names[MAX_NR_ZONES] = {
	"DMA", "DMA32", "Normal", "Movable", "Device",
};

/* ---- zone limits ---------------------------------------------------------- */

static unsigned long early_calculate_totalpages(struct pf_machine *m)
{
	unsigned long total = 0;
	for (int i = 0; i < m->nr_memory; i++)
		total += m->memory[i].end_pfn - m->memory[i].start_pfn;
	return total;
}

static void get_pfn_range_for_nid(struct pf_machine *m, int nid, unsigned long *start, unsigned long *end)
{
	*start = ~0UL;
	*end = 0;
	for (int i = 0; i < m->nr_memory; i++) {
		if (m->memory[i].nid != nid)
			continue;
		if (m->memory[i].start_pfn < *start)
			*start = m->memory[i].start_pfn;
		if (m->memory[i].end_pfn > *end)
			*end = m->memory[i].end_pfn;
	}
	if (*start == ~0UL)
		*start = 0;
}

/* find_usable_zone_for_movable: the highest non-movable zone with an arch range. */
static void find_usable_zone_for_movable(struct pf_machine *m)
{
	int zone_index;
	for (zone_index = MAX_NR_ZONES - 1; zone_index >= 0; zone_index--) {
		if (zone_index == ZONE_MOVABLE)
			continue;
		if (m->arch_zone_highest_possible_pfn[zone_index] > m->arch_zone_lowest_possible_pfn[zone_index])
			break;
	}
	m->movable_zone = zone_index < 0 ? ZONE_DMA : zone_index;
}

/*
 * find_zone_movable_pfns_for_nodes (mm_init.c, 6.12): where ZONE_MOVABLE
 * begins on each node for kernelcore= / movablecore=, spreading kernel
 * memory evenly over the nodes.  movable_node and kernelcore=mirror are
 * not modelled.
 */
static void find_zone_movable_pfns_for_nodes(struct pf_machine *m)
{
	unsigned long totalpages = early_calculate_totalpages(m);
	int usable_nodes = m->nr_node_ids;
	unsigned long required_kernelcore = m->required_kernelcore;
	unsigned long required_movablecore = m->required_movablecore;
	unsigned long usable_startpfn, kernelcore_node, kernelcore_remaining;

	find_usable_zone_for_movable(m);

	if (m->required_kernelcore_percent > 0)
		required_kernelcore = (totalpages * 100 * (unsigned long)m->required_kernelcore_percent) / 10000UL;
	if (m->required_movablecore_percent > 0)
		required_movablecore = (totalpages * 100 * (unsigned long)m->required_movablecore_percent) / 10000UL;

	/*
	 * movablecore= is turned into the kernelcore it leaves over (total
	 * minus movable, movable rounded up to MAX_ORDER_NR_PAGES), so both
	 * options share one spreading pass below.  With both, the larger
	 * kernelcore is kept.
	 */
	if (required_movablecore) {
		required_movablecore = (required_movablecore + MAX_ORDER_NR_PAGES - 1) / MAX_ORDER_NR_PAGES *
				       MAX_ORDER_NR_PAGES;
		if (required_movablecore > totalpages)
			required_movablecore = totalpages;
		unsigned long corepages = totalpages - required_movablecore;
		if (corepages > required_kernelcore)
			required_kernelcore = corepages;
	}

	/* No kernelcore, or more than there is: no ZONE_MOVABLE. */
	if (!required_kernelcore || required_kernelcore >= totalpages)
		return;

	usable_startpfn = m->arch_zone_lowest_possible_pfn[m->movable_zone];

restart:
	/* Each node that still has room gets an equal share of the kernelcore. */
	kernelcore_node = required_kernelcore / (unsigned long)usable_nodes;
	for (int nid = 0; nid < m->nr_node_ids; nid++) {
		if (required_kernelcore < kernelcore_node)
			kernelcore_node = required_kernelcore / (unsigned long)usable_nodes;
		kernelcore_remaining = kernelcore_node;

		for (int i = 0; i < m->nr_memory; i++) {
			if (m->memory[i].nid != nid)
				continue;
			unsigned long start_pfn = m->memory[i].start_pfn, end_pfn = m->memory[i].end_pfn;
			unsigned long size_pages;

			if (start_pfn < m->zone_movable_pfn[nid])
				start_pfn = m->zone_movable_pfn[nid];
			if (start_pfn >= end_pfn)
				continue;

			/* Pages below the movable zone's lowest pfn can only be kernelcore. */
			if (start_pfn < usable_startpfn) {
				unsigned long kernel_pages = (end_pfn < usable_startpfn ? end_pfn : usable_startpfn) -
							     start_pfn;
				kernelcore_remaining -= kernel_pages < kernelcore_remaining ? kernel_pages
											   : kernelcore_remaining;
				required_kernelcore -= kernel_pages < required_kernelcore ? kernel_pages
											  : required_kernelcore;
				/* The whole range lies below it: nothing left here for ZONE_MOVABLE. */
				if (end_pfn <= usable_startpfn) {
					m->zone_movable_pfn[nid] = end_pfn;
					continue;
				}
				start_pfn = usable_startpfn;
			}

			size_pages = end_pfn - start_pfn;
			if (size_pages > kernelcore_remaining)
				size_pages = kernelcore_remaining;
			m->zone_movable_pfn[nid] = start_pfn + size_pages;

			required_kernelcore -= size_pages < required_kernelcore ? size_pages : required_kernelcore;
			kernelcore_remaining -= size_pages;
			if (!kernelcore_remaining)
				break;
		}
	}

	/*
	 * Some nodes were too small for their share: spread what is left
	 * over one node fewer and walk the nodes again.
	 */
	usable_nodes--;
	if (usable_nodes && required_kernelcore > (unsigned long)usable_nodes)
		goto restart;

	/* Round each node's ZONE_MOVABLE start up to MAX_ORDER_NR_PAGES; none if past its end. */
	for (int nid = 0; nid < m->nr_node_ids; nid++) {
		unsigned long start_pfn, end_pfn;
		m->zone_movable_pfn[nid] = (m->zone_movable_pfn[nid] + MAX_ORDER_NR_PAGES - 1) /
					   MAX_ORDER_NR_PAGES * MAX_ORDER_NR_PAGES;
		get_pfn_range_for_nid(m, nid, &start_pfn, &end_pfn);
		if (m->zone_movable_pfn[nid] >= end_pfn)
			m->zone_movable_pfn[nid] = 0;
	}
}

static void adjust_zone_range_for_zone_movable(struct pf_machine *m, int nid, int zone_type,
					       unsigned long node_end_pfn, unsigned long *zone_start_pfn,
					       unsigned long *zone_end_pfn)
{
	unsigned long zmp = m->zone_movable_pfn[nid];
	if (!zmp)
		return;
	if (zone_type == ZONE_MOVABLE) {
		*zone_start_pfn = zmp;
		*zone_end_pfn = node_end_pfn < m->arch_zone_highest_possible_pfn[m->movable_zone]
					? node_end_pfn : m->arch_zone_highest_possible_pfn[m->movable_zone];
	} else if (*zone_start_pfn < zmp && *zone_end_pfn > zmp) {
		*zone_end_pfn = zmp;
	} else if (*zone_start_pfn >= zmp) {
		*zone_start_pfn = *zone_end_pfn;
	}
}

static unsigned long clamp_ul(unsigned long v, unsigned long lo, unsigned long hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* zone_spanned_pages_in_node (mm_init.c, 6.12). */
static unsigned long zone_spanned_pages_in_node(struct pf_machine *m, int nid, int zone_type,
						unsigned long node_start_pfn, unsigned long node_end_pfn,
						unsigned long *zone_start_pfn, unsigned long *zone_end_pfn)
{
	unsigned long zone_low = m->arch_zone_lowest_possible_pfn[zone_type];
	unsigned long zone_high = m->arch_zone_highest_possible_pfn[zone_type];

	if (!node_start_pfn && !node_end_pfn)
		return 0;
	*zone_start_pfn = clamp_ul(node_start_pfn, zone_low, zone_high);
	*zone_end_pfn = clamp_ul(node_end_pfn, zone_low, zone_high);
	adjust_zone_range_for_zone_movable(m, nid, zone_type, node_end_pfn, zone_start_pfn, zone_end_pfn);

	/* The zone's pfn range misses this node entirely: nothing spanned. */
	if (*zone_end_pfn < node_start_pfn || *zone_start_pfn > node_end_pfn)
		return 0;
	if (*zone_end_pfn > node_end_pfn)
		*zone_end_pfn = node_end_pfn;
	if (*zone_start_pfn < node_start_pfn)
		*zone_start_pfn = node_start_pfn;
	return *zone_end_pfn - *zone_start_pfn;
}

/* __absent_pages_in_range: pages of [start, end) not covered by the node's memory. */
static unsigned long absent_pages_in_range(struct pf_machine *m, int nid, unsigned long range_start,
					   unsigned long range_end)
{
	unsigned long nr_absent = range_end - range_start;
	for (int i = 0; i < m->nr_memory; i++) {
		if (m->memory[i].nid != nid)
			continue;
		unsigned long s = clamp_ul(m->memory[i].start_pfn, range_start, range_end);
		unsigned long e = clamp_ul(m->memory[i].end_pfn, range_start, range_end);
		nr_absent -= e - s;
	}
	return nr_absent;
}

/* Reserved (memblock.reserved) pages of [start, end) that are also memory. */
static unsigned long reserved_pages_in_range(struct pf_machine *m, unsigned long start, unsigned long end)
{
	unsigned long n = 0;
	for (int i = 0; i < m->nr_memory; i++) {
		unsigned long ms = clamp_ul(m->memory[i].start_pfn, start, end);
		unsigned long me = clamp_ul(m->memory[i].end_pfn, start, end);
		for (int j = 0; j < m->nr_reserved && ms < me; j++) {
			unsigned long rs = clamp_ul(m->reserved[j].start_pfn, ms, me);
			unsigned long re = clamp_ul(m->reserved[j].end_pfn, ms, me);
			n += re - rs;
		}
	}
	return n;
}

/* ---- memmap ------------------------------------------------------------------ */

static void set_page_links(struct pf_page *page, int zone, int nid, int machine_id)
{
	page->flags &= ~((PF_NODES_MASK << PF_NODES_PGSHIFT) | (PF_ZONES_MASK << PF_ZONES_PGSHIFT) |
			 (PF_MACHINE_MASK << PF_MACHINE_PGSHIFT));
	page->flags |= ((unsigned long)nid & PF_NODES_MASK) << PF_NODES_PGSHIFT;
	page->flags |= ((unsigned long)zone & PF_ZONES_MASK) << PF_ZONES_PGSHIFT;
	page->flags |= ((unsigned long)machine_id & PF_MACHINE_MASK) << PF_MACHINE_PGSHIFT;
}

/* __init_single_page (mm_init.c, 6.12): refcount 1, no mapcount, links, empty lru. */
void __init_single_page(struct pf_machine *m, struct pf_page *page, int zone, int nid)
{
	memset(page, 0, sizeof *page);
	set_page_links(page, zone, nid, m->id);
	set_page_count(page, 1);
	page->_mapcount = -1;
	/* page_cpupid_reset_last: all ones in the last_cpupid field */
	page->flags |= PF_LAST_CPUPID_MASK << PF_LAST_CPUPID_PGSHIFT;
	INIT_LIST_HEAD(&page->lru);
}

static bool section_present(struct pf_machine *m, unsigned long pfn)
{
	unsigned long sec = pfn >> PAGES_PER_SECTION_SHIFT;
	for (int i = 0; i < m->nr_memory; i++) {
		if ((m->memory[i].start_pfn >> PAGES_PER_SECTION_SHIFT) <= sec &&
		    ((m->memory[i].end_pfn - 1) >> PAGES_PER_SECTION_SHIFT) >= sec)
			return true;
	}
	return false;
}

/* pfn_valid (SPARSEMEM): the pfn's section has a memmap. */
bool pfn_valid(struct pf_machine *m, unsigned long pfn)
{
	return pfn < m->memmap_pfns && section_present(m, pfn);
}

/* init_unavailable_range: holes get a struct page that is reserved and never freed. */
static void init_unavailable_range(struct pf_machine *m, unsigned long spfn, unsigned long epfn, int zone, int nid)
{
	for (unsigned long pfn = spfn; pfn < epfn; pfn++) {
		/* sections with no memory have no memmap (SPARSEMEM) */
		if ((pfn & (PAGES_PER_SECTION - 1)) == 0 || pfn == spfn) {
			if (!section_present(m, pfn)) {
				pfn |= PAGES_PER_SECTION - 1;
				continue;
			}
		}
		struct pf_page *page = pfn_to_page(m, pfn);
		__init_single_page(m, page, zone, nid);
		__SetPageReserved(page);
	}
}

static void memmap_init_range(struct pf_machine *m, unsigned long start_pfn, unsigned long end_pfn, int zone, int nid)
{
	for (unsigned long pfn = start_pfn; pfn < end_pfn; pfn++) {
		/* a deferred block (deferred_init.c): its pageblocks typed, its struct pages left unwritten */
		if (!(pfn & (MAX_ORDER_NR_PAGES - 1)) && deferred_pfn(m, pfn)) {
			unsigned long run_end = deferred_run_end(m, pfn, end_pfn);
			set_pfnblock_migratetype_range(m, pfn, run_end, MIGRATE_MOVABLE);
			pfn = run_end - 1;
			continue;
		}
		struct pf_page *page = pfn_to_page(m, pfn);
		__init_single_page(m, page, zone, nid);
		/* Mark pageblocks MIGRATE_MOVABLE so boot allocations do not scatter. */
		if ((pfn & (pageblock_nr_pages - 1)) == 0)
			set_pageblock_migratetype(page, MIGRATE_MOVABLE);
	}
}

/*
 * The pgdatinit threads (deferred_init_memmap with padata_do_multithreaded,
 * mm_init.c, 6.12): a memmap that must be written at boot (deferred init
 * off, or memory deferred init cannot leave unwritten) is split into
 * chunks of PGDATINIT_CHUNK pfns, aligned so no two chunks share a usemap
 * word, which up to PGDATINIT_THREADS threads take in turn.  Below
 * PGDATINIT_MIN pfns one thread does it all.
 */
#define PGDATINIT_CHUNK		(1UL << 16)	/* 256 MiB of memory, 4 MiB of struct pages */
#define PGDATINIT_MIN		(1UL << 18)	/* 1 GiB */
#define PGDATINIT_THREADS	8

struct memmap_chunk {
	unsigned long start, end;
	int zone, nid;
};

struct pgdatinit_work {
	struct pf_machine *m;
	struct memmap_chunk *chunks;
	unsigned long nr;
	unsigned long next;	/* __atomic: the next chunk to take */
};

static void pgdatinit(void *arg)
{
	struct pgdatinit_work *w = arg;
	for (;;) {
		unsigned long i = __atomic_fetch_add(&w->next, 1, __ATOMIC_RELAXED);
		if (i >= w->nr)
			return;
		memmap_init_range(w->m, w->chunks[i].start, w->chunks[i].end, w->chunks[i].zone, w->chunks[i].nid);
	}
}

/* memmap_init_range for [s, e), or its chunks queued on @w when @w has room */
static void memmap_init_queue(struct pf_machine *m, struct pgdatinit_work *w, unsigned long cap, unsigned long s,
			      unsigned long e, int zone, int nid)
{
	while (s < e) {
		unsigned long ce = ((s / PGDATINIT_CHUNK) + 1) * PGDATINIT_CHUNK;
		if (ce > e)
			ce = e;
		if (w->nr < cap)
			w->chunks[w->nr++] = (struct memmap_chunk){ s, ce, zone, nid };
		else
			memmap_init_range(m, s, ce, zone, nid);
		s = ce;
	}
}

/* memmap_init (mm_init.c, 6.12): each memory range per zone; holes go to the zone after them. */
static void memmap_init(struct pf_machine *m)
{
	unsigned long hole_pfn = 0, end_pfn = 0, to_write = 0, total = 0, cap = 0;
	int zone_id = 0, nid = 0;
	struct pgdatinit_work w = { .m = m };

	/* what boot must write: the memory less the deferred blocks */
	for (int i = 0; i < m->nr_memory; i++) {
		total += m->memory[i].end_pfn - m->memory[i].start_pfn;
		to_write += m->memory[i].end_pfn - m->memory[i].start_pfn -
			    (deferred_count(m, m->memory[i].start_pfn, m->memory[i].end_pfn) << MAX_PAGE_ORDER);
	}
	if (to_write >= PGDATINIT_MIN && pf_os_ncpus() > 1) {
		/* each range-and-zone piece adds at most one partial chunk */
		cap = total / PGDATINIT_CHUNK + 2 * (unsigned long)m->nr_memory * MAX_NR_ZONES + 1;
		w.chunks = malloc(cap * sizeof *w.chunks);
		if (!w.chunks)
			cap = 0;	/* one thread, then */
	}

	for (int i = 0; i < m->nr_memory; i++) {
		nid = m->memory[i].nid;
		pg_data_t *node = NODE_DATA(m, nid);
		unsigned long rstart = m->memory[i].start_pfn;
		end_pfn = m->memory[i].end_pfn;
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			struct zone *zone = node->node_zones + j;
			if (!populated_zone(zone))
				continue;
			unsigned long s = clamp_ul(rstart, zone->zone_start_pfn, zone_end_pfn(zone));
			unsigned long e = clamp_ul(end_pfn, zone->zone_start_pfn, zone_end_pfn(zone));
			zone_id = j;
			if (s >= e)
				continue;
			memmap_init_queue(m, &w, cap, s, e, j, nid);
			if (hole_pfn < s)
				init_unavailable_range(m, hole_pfn, s, j, nid);
			hole_pfn = e;
		}
	}
	/* Initialize the memory map for the hole in [memory_end, section_end]. */
	end_pfn = (end_pfn + PAGES_PER_SECTION - 1) & ~(PAGES_PER_SECTION - 1);
	if (end_pfn > m->memmap_pfns)
		end_pfn = m->memmap_pfns;
	if (hole_pfn < end_pfn)
		init_unavailable_range(m, hole_pfn, end_pfn, zone_id, nid);

	if (w.nr) {
		struct pf_os_worker *workers[PGDATINIT_THREADS - 1];
		int n = pf_os_ncpus() < PGDATINIT_THREADS ? pf_os_ncpus() : PGDATINIT_THREADS;
		if ((unsigned long)n > w.nr)
			n = (int)w.nr;
		for (int t = 0; t < n - 1; t++) {
			char name[16];
			snprintf(name, sizeof name, "pgdatinit%d", t);
			workers[t] = pf_os_worker_start(pgdatinit, &w, name);	/* NULL: the others do its share */
		}
		pgdatinit(&w);
		for (int t = 0; t < n - 1; t++)
			pf_os_worker_stop(workers[t]);
	}
	free(w.chunks);
}

/* memmap_init_reserved_pages: memblock.reserved pages keep PG_reserved. */
static void memmap_init_reserved_pages(struct pf_machine *m)
{
	for (int j = 0; j < m->nr_reserved; j++) {
		for (int i = 0; i < m->nr_memory; i++) {
			unsigned long s = clamp_ul(m->reserved[j].start_pfn, m->memory[i].start_pfn, m->memory[i].end_pfn);
			unsigned long e = clamp_ul(m->reserved[j].end_pfn, m->memory[i].start_pfn, m->memory[i].end_pfn);
			for (unsigned long pfn = s; pfn < e; pfn++)
				__SetPageReserved(pfn_to_page(m, pfn));
		}
	}
}

/* ---- zones -------------------------------------------------------------------- */

static void zone_init_free_lists(struct zone *zone)
{
	for (int order = 0; order < NR_PAGE_ORDERS; order++) {
		for (int t = 0; t < MIGRATE_TYPES; t++)
			INIT_LIST_HEAD(&zone->free_area[order].free_list[t]);
		zone->free_area[order].nr_free = 0;
	}
}

static int init_zone(struct pf_machine *m, pg_data_t *pgdat, int j, unsigned long start, unsigned long spanned,
		     unsigned long present, char *err, size_t errlen)
{
	struct zone *zone = &pgdat->node_zones[j];
	zone->name = zone_names[j];
	zone->zone_idx = j;
	zone->node = pgdat->node_id;
	zone->zone_pgdat = pgdat;
	zone->zone_start_pfn = start;
	zone->spanned_pages = spanned;
	zone->present_pages = present;
	atomic_init(&zone->managed_pages, 0);
	pf_spin_lock_init(&zone->lock);
	zone_init_free_lists(zone);
	for (int i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++)
		atomic_init(&zone->vm_stat[i], 0);
	for (int i = 0; i < NR_VM_NUMA_EVENT_ITEMS; i++)
		atomic_init(&zone->vm_numa_event[i], 0);
	/* cache-line aligned arrays: no two CPUs' pagesets share a line */
	zone->per_cpu_pageset = aligned_alloc(PF_CACHELINE, (size_t)m->nr_cpus * sizeof *zone->per_cpu_pageset);
	zone->per_cpu_zonestats = aligned_alloc(PF_CACHELINE, (size_t)m->nr_cpus * sizeof *zone->per_cpu_zonestats);
	if (zone->per_cpu_pageset)
		memset(zone->per_cpu_pageset, 0, (size_t)m->nr_cpus * sizeof *zone->per_cpu_pageset);
	if (zone->per_cpu_zonestats)
		memset(zone->per_cpu_zonestats, 0, (size_t)m->nr_cpus * sizeof *zone->per_cpu_zonestats);
	if (!zone->per_cpu_pageset || !zone->per_cpu_zonestats) {
		snprintf(err, errlen, "out of memory for per-CPU page sets");
		return -ENOMEM;
	}
	zone_pcp_init(zone);
	zone->initialized = 1;
	return 0;
}

/* free_area_init_node / calculate_node_totalpages for one node. */
static int free_area_init_node(struct pf_machine *m, int nid, char *err, size_t errlen)
{
	pg_data_t *pgdat = NODE_DATA(m, nid);
	unsigned long start_pfn, end_pfn, totalpages = 0, realtotalpages = 0;

	get_pfn_range_for_nid(m, nid, &start_pfn, &end_pfn);
	pgdat->node_id = nid;
	pgdat->node_start_pfn = start_pfn;
	pgdat->machine = m;
	for (int i = 0; i < NR_VM_NODE_STAT_ITEMS; i++)
		atomic_init(&pgdat->vm_stat[i], 0);

	for (int j = 0; j < MAX_NR_ZONES; j++) {
		unsigned long zs = 0, ze = 0, spanned = 0, absent = 0;
		if (j != ZONE_DEVICE) {
			spanned = zone_spanned_pages_in_node(m, nid, j, start_pfn, end_pfn, &zs, &ze);
			if (zs == ze)
				spanned = 0;
			absent = spanned ? absent_pages_in_range(m, nid, zs, ze) : 0;
		}
		/* An empty zone starts where it would start: 0 as the kernel leaves it. */
		if (!spanned)
			zs = 0;
		if (init_zone(m, pgdat, j, zs, spanned, spanned - absent, err, errlen))
			return -ENOMEM;
		totalpages += spanned;
		realtotalpages += spanned - absent;
		if (spanned - absent)
			pgdat->nr_zones = j + 1;
	}
	pgdat->node_spanned_pages = totalpages;
	pgdat->node_present_pages = realtotalpages;
	pgdat->node_mem_map = pfn_to_page(m, start_pfn);
	return 0;
}

/*
 * for_each_free_mem_range + __free_pages_memory: each range of memory less
 * reserved, ascending, in the largest aligned blocks.  @mark (deferred
 * init, before memmap_init): only mark the top-order blocks deferred;
 * else free each block, or count it when it is deferred.
 */
static void free_low_memory_core_early(struct pf_machine *m, bool mark)
{
	for (int i = 0; i < m->nr_memory; i++) {
		unsigned long rs = m->memory[i].start_pfn, re = m->memory[i].end_pfn;
		/* for_each_free_mem_range: memory minus reserved, ascending */
		unsigned long cur = rs;
		int j = 0;
		while (cur < re) {
			while (j < m->nr_reserved && m->reserved[j].end_pfn <= cur)
				j++;
			unsigned long start = cur, end = re;
			if (j < m->nr_reserved && m->reserved[j].start_pfn <= cur) {
				cur = m->reserved[j].end_pfn < re ? m->reserved[j].end_pfn : re;
				continue;
			}
			if (j < m->nr_reserved && m->reserved[j].start_pfn < re)
				end = m->reserved[j].start_pfn;
			if (mark) {
				deferred_mark_range(m, start, end);
				cur = end;
				continue;
			}
			/* __free_pages_memory */
			while (start < end) {
				int order = start ? __builtin_ctzl(start) : MAX_PAGE_ORDER;
				if (order > MAX_PAGE_ORDER)
					order = MAX_PAGE_ORDER;
				while (start + (1UL << order) > end)
					order--;
				if (order == MAX_PAGE_ORDER && deferred_pfn(m, start)) {
					/* the rest of the range's top-order blocks, all deferred: counted at once */
					unsigned long e = end & ~(MAX_ORDER_NR_PAGES - 1);
					deferred_boot_free(m, start, e);
					/*
					 * their memory gets what the boot free does to it now, not when the
					 * struct pages are written: poison, sanitizer, unmap (a stray write
					 * before first use is then caught as on an eager machine)
					 */
					for (unsigned long b = start; m->base && b < e; b += MAX_ORDER_NR_PAGES)
						debug_pages_boot_free(m, pfn_to_page(m, b), MAX_PAGE_ORDER);
					start = e;
					continue;
				}
				__free_pages_core(pfn_to_page(m, start), (unsigned)order);
				start += 1UL << order;
			}
			cur = end;
		}
	}
}

/* memblock_free_all (6.12): free RAM to the buddy lists; deferred blocks are only counted */
void memblock_free_all(struct pf_machine *m)
{
	free_low_memory_core_early(m, false);
	/* each zone's first deferred block goes on its list at once (deferred_init.c) */
	for (int nid = 0; nid < m->nr_node_ids; nid++)
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			struct zone *zone = &NODE_DATA(m, nid)->node_zones[j];
			pf_spin_lock(&zone->lock);
			deferred_refill(zone, NULL);
			pf_spin_unlock(&zone->lock);
		}
}

/*
 * nr_free_buffer_pages (page_alloc.c): managed minus high watermark of
 * every zone up to ZONE_NORMAL in the local node's fallback list (which
 * holds every node's zones).
 */
unsigned long nr_free_buffer_pages(struct pf_machine *m)
{
	unsigned long sum = 0;
	struct zonelist *zonelist = node_zonelist(m, 0, PF_GFP_KERNEL);
	struct zoneref *z;
	struct zone *zone;
	for_each_zone_zonelist_nodemask(zone, z, zonelist, ZONE_NORMAL, NULL) {
		unsigned long size = zone_managed_pages(zone);
		unsigned long high = high_wmark_pages(zone);
		if (size > high)
			sum += size - high;
	}
	return sum;
}

/*
 * pf_free_area_init - boot the machine described in m: zones, memmap,
 * backing memory, free lists and watermarks.
 */
int pf_free_area_init(struct pf_machine *m, char *err, size_t errlen)
{
	unsigned long max_pfn = 0, min_pfn = ~0UL;
	for (int i = 0; i < m->nr_memory; i++) {
		if (m->memory[i].end_pfn > max_pfn)
			max_pfn = m->memory[i].end_pfn;
		if (m->memory[i].start_pfn < min_pfn)
			min_pfn = m->memory[i].start_pfn;
	}
	m->max_pfn = max_pfn;
	m->min_pfn = min_pfn;

	/* setup_arch: CMA areas are placed and memblock-reserved before the zones are laid out (cma.c) */
	if (dma_contiguous_reserve(m, err, errlen))
		return -EINVAL;

	/* zone_sizes_init (x86-64): DMA < 16 MiB, DMA32 < 4 GiB, Normal up to max_pfn. */
	unsigned long max_zone_pfns[MAX_NR_ZONES] = { 0 };
	max_zone_pfns[ZONE_DMA] = MAX_DMA_PFN < max_pfn ? MAX_DMA_PFN : max_pfn;
	max_zone_pfns[ZONE_DMA32] = MAX_DMA32_PFN < max_pfn ? MAX_DMA32_PFN : max_pfn;
	max_zone_pfns[ZONE_NORMAL] = max_pfn;
	unsigned long start_pfn = min_pfn;
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		if (i == ZONE_MOVABLE || i == ZONE_DEVICE)
			continue;
		unsigned long end_pfn = max_zone_pfns[i] > start_pfn ? max_zone_pfns[i] : start_pfn;
		m->arch_zone_lowest_possible_pfn[i] = start_pfn;
		m->arch_zone_highest_possible_pfn[i] = end_pfn;
		start_pfn = end_pfn;
	}
	find_zone_movable_pfns_for_nodes(m);

	/* The virtual memmap, and the hosted window, cover [0, memmap_pfns). */
	m->memmap_pfns = (max_pfn + PAGES_PER_SECTION - 1) & ~(PAGES_PER_SECTION - 1);
	m->memmap_bytes = m->memmap_pfns * sizeof(struct pf_page);

	/* deferred struct page init: the top-order free blocks whose struct pages wait (deferred_init.c) */
	if (deferred_init_reserve(m, err, errlen))
		return -ENOMEM;
	if (!m->deferred_init_off)
		free_low_memory_core_early(m, true);

	/*
	 * Every present 128 MiB section has 2 MiB of struct pages, reserved
	 * address space; boot writes those of all pages but the deferred
	 * blocks.  Refuse descriptions whose written memmap would not fit: more
	 * than the limit in PAGEFRAME_MEMMAP_LIMIT (bytes) if set, else half of
	 * this host's RAM.  (The kernel is limited by the RAM it runs on the
	 * same way.)  What is deferred is written as it is used.
	 */
	{
		unsigned long long limit = pf_os_memmap_limit();
		unsigned long long need = 0;
		unsigned long last = ~0UL;
		for (int i = 0; i < m->nr_memory; i++) {
			for (unsigned long sec = m->memory[i].start_pfn >> PAGES_PER_SECTION_SHIFT;
			     sec <= (m->memory[i].end_pfn - 1) >> PAGES_PER_SECTION_SHIFT; sec++) {
				if (sec == last)
					continue;
				last = sec;
				need += PAGES_PER_SECTION * sizeof(struct pf_page);
			}
			need -= (unsigned long long)deferred_count(m, m->memory[i].start_pfn, m->memory[i].end_pfn) *
				MAX_ORDER_NR_PAGES * sizeof(struct pf_page);
			if (need > limit) {
				int n = m->memory[i].line > 0 ? snprintf(err, errlen, "line %d: ", m->memory[i].line) : 0;
				if (n < 0 || (size_t)n >= errlen)
					n = 0;
				snprintf(err + n, errlen - (size_t)n,
					 "the memory up to [mem %#llx-%#llx] needs more than %llu MiB of struct "
					 "pages written at boot (the limit: half of this host's RAM, or "
					 "PAGEFRAME_MEMMAP_LIMIT)",
					 (unsigned long long)m->memory[i].start_pfn << PAGE_SHIFT,
					 ((unsigned long long)m->memory[i].end_pfn << PAGE_SHIFT) - 1, limit >> 20);
				return -E2BIG;
			}
		}
	}

	m->mem_map = pf_os_reserve(m->memmap_bytes);
	if (!m->mem_map) {
		snprintf(err, errlen, "cannot reserve %zu MiB of address space for the memmap of %lu pages",
			 m->memmap_bytes >> 20, m->memmap_pfns);
		return -ENOMEM;
	}
	if (m->backing == PF_BACKING_HOSTED) {
		m->base_bytes = m->memmap_pfns * PAGE_SIZE;
		if (pf_os_mem_map(&m->mem, PF_OS_MEM_ANON, NULL, m->base_bytes, err, errlen)) {
			snprintf(err, errlen,
				 "cannot reserve %zu MiB of address space for hosted memory (try 'backing none')",
				 m->base_bytes >> 20);
			return -ENOMEM;
		}
		m->base = m->mem.base;
	} else if (m->backing != PF_BACKING_NONE) {
		int rc = backing_map(m, err, errlen);	/* page_reporting.c, backings */
		if (rc)
			return rc;
	}
	m->alloc_order = pf_os_reserve(m->memmap_pfns);
	if (!m->alloc_order) {
		snprintf(err, errlen, "cannot reserve the allocation record");
		return -ENOMEM;
	}
	size_t pb_words = ((m->memmap_pfns >> pageblock_order) * NR_PAGEBLOCK_BITS + 63) / 64 + 1;
	m->pageblock_flags = calloc(pb_words, sizeof(unsigned long));
	if (!m->pageblock_flags) {
		snprintf(err, errlen, "out of memory for pageblock flags");
		return -ENOMEM;
	}

	for (int nid = 0; nid < m->nr_node_ids; nid++) {
		m->node_data[nid] = aligned_alloc(PF_CACHELINE, sizeof(pg_data_t));	/* zones are cache-line aligned */
		if (m->node_data[nid])
			memset(m->node_data[nid], 0, sizeof(pg_data_t));
		if (!m->node_data[nid]) {
			snprintf(err, errlen, "out of memory for node %d", nid);
			return -ENOMEM;
		}
		if (free_area_init_node(m, nid, err, errlen))
			return -ENOMEM;
	}
	memmap_init(m);
	memmap_init_reserved_pages(m);
	build_all_zonelists(m);
	for (int nid = 0; nid < m->nr_node_ids; nid++)
		for (int j = 0; j < MAX_NR_ZONES; j++)
			setup_zone_pageset(&NODE_DATA(m, nid)->node_zones[j]);
	/* the page debugging switches, before the boot frees poison and unmap (page_poison.c) */
	if (mem_debugging_and_hardening_init(m, err, errlen))
		return -EINVAL;
	memblock_free_all(m);
	/* core_initcall cma_init_reserved_areas: the CMA pageblocks join the buddy lists */
	if (cma_init_reserved_areas(m, err, errlen))
		return -EINVAL;

	/* Sanity: managed must equal present minus reserved (CMA areas given back), as the kernel's accounting has it. */
	for (int nid = 0; nid < m->nr_node_ids; nid++)
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			struct zone *zone = &NODE_DATA(m, nid)->node_zones[j];
			unsigned long want = zone->present_pages -
					     reserved_pages_in_range(m, zone->zone_start_pfn, zone_end_pfn(zone)) +
					     zone->cma_pages;
			VM_BUG_ON(zone_managed_pages(zone) != want);
		}

	init_per_zone_wmark_min(m);
	if (m->thp != PF_THP_NEVER)
		set_recommended_min_free_kbytes(m);
	return 0;
}
