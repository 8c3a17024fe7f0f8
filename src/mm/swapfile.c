/* SPDX-License-Identifier: MIT */
/*
 * swapfile.c - the machine's swap area (mm/swapfile.c, mm/page_io.c and
 * mm/swap_state.c of Linux 6.12, reduced to one area): slots that
 * anonymous pages' contents go to when reclaim evicts them, and come back
 * from when their owner asks (pf_swap_readpage).
 *
 * The description's "swap SIZE" declares the area: SIZE / 4096 slots, the
 * first of which is the header (never handed out, as the kernel's swap
 * header page), so total_swap_pages is one less.  A machine with memory
 * behind its pages (any backing but none) keeps the slots' contents in
 * memory of its own (pf_os_reserve); backing none keeps only the slot map.
 *
 * A swap entry is the kernel's swp_entry_t value for swap type 0: the
 * slot's offset.  swap_map[offset] is its use count (0 free, 1 in use,
 * SWAP_MAP_BAD for the header) with SWAP_HAS_CACHE while reclaim still
 * holds the page whose contents go there, under si->lock.  Reclaim takes
 * a slot (count 1 and SWAP_HAS_CACHE), tells the owner (try_to_unmap),
 * writes the contents and clears SWAP_HAS_CACHE; an owner that reads or
 * frees the entry meanwhile waits for that write, as the kernel's swap-in
 * would find the page in the swap cache.
 *
 * Deliberate differences: one area, no priorities, no clusters (slots are
 * taken by a next-fit scan from the last one handed out, as
 * scan_swap_map_slots does without SSD clusters), no swap cache (a page
 * written to swap is freed at once, and a read-back page is not kept in
 * a cache: its slot is freed as the kernel frees an exclusive anonymous
 * page's slot on swap-in), synchronous I/O.
 */
#include <stdlib.h>
#include <string.h>
#include "vmscan.h"

#define SWAP_MAP_BAD	0x3f	/* include/linux/swap.h: the header and bad blocks */
#define SWAP_HAS_CACHE	0x40	/* include/linux/swap.h: the page is still in memory (being written) */

struct swap_info_struct {
	pf_spinlock_t lock;		/* guards swap_map, shadows, cluster_next, inuse_pages */
	unsigned long max;		/* slots, the header included */
	unsigned char *swap_map;	/* use count per slot */
	unsigned long *shadows;		/* workingset shadow of the data in each slot */
	char *data;			/* hosted: max * PAGE_SIZE bytes, else NULL */
	size_t data_bytes;
	unsigned long cluster_next;	/* where the next-fit scan starts */
	unsigned long inuse_pages;
};

/* "swap SIZE" in a machine description: the size, in bytes, rounded down to pages */
int swap_parse(struct pf_machine *m, const char *arg, char *err, size_t errlen)
{
	unsigned long long bytes;
	const char *end;
	if (m->swap_bytes) {
		snprintf(err, errlen, "swap: a second swap area (pageframe has one)");
		return -EINVAL;
	}
	if (pf_parse_size(arg, &bytes, &end) || *end) {
		snprintf(err, errlen, "swap: expected a size such as 64M, got '%s'", arg);
		return -EINVAL;
	}
	/* mkswap's minimum: the header and at least 9 more pages (swapon refuses less) */
	if (bytes < 10 * PAGE_SIZE || bytes > (1ULL << 40)) {
		snprintf(err, errlen, "swap: %s is %s (from 40K to 1T)", arg, bytes < 10 * PAGE_SIZE ? "too small" : "too large");
		return -EINVAL;
	}
	m->swap_bytes = bytes;
	return 0;
}

/* swapon: the area comes up with the machine */
int swapfile_init(struct pf_machine *m, char *err, size_t errlen)
{
	atomic_init(&m->nr_swap_pages, 0);
	m->total_swap_pages = 0;
	if (!m->swap_bytes)
		return 0;
	struct swap_info_struct *si = calloc(1, sizeof *si);
	if (!si)
		goto nomem;
	pf_spin_lock_init(&si->lock);
	si->max = (unsigned long)(m->swap_bytes >> PAGE_SHIFT);
	si->swap_map = calloc(si->max, 1);
	si->shadows = calloc(si->max, sizeof *si->shadows);
	if (!si->swap_map || !si->shadows)
		goto nomem_si;
	if (m->base) {	/* memory behind the pages (hosted or another backing): keep their contents */
		si->data_bytes = si->max * PAGE_SIZE;
		si->data = pf_os_reserve(si->data_bytes);
		if (!si->data)
			goto nomem_si;
	}
	si->swap_map[0] = SWAP_MAP_BAD;
	si->cluster_next = 1;
	m->swap_info = si;
	m->total_swap_pages = (long)si->max - 1;
	atomic_store(&m->nr_swap_pages, m->total_swap_pages);
	return 0;
nomem_si:
	free(si->swap_map);
	free(si->shadows);
	free(si);
nomem:
	snprintf(err, errlen, "swap: no memory for a %llu-byte swap area", m->swap_bytes);
	return -ENOMEM;
}

void swapfile_release(struct pf_machine *m)
{
	struct swap_info_struct *si = m->swap_info;
	if (!si)
		return;
	if (si->data)
		pf_os_release(si->data, si->data_bytes);
	free(si->swap_map);
	free(si->shadows);
	free(si);
	m->swap_info = NULL;
}

/*
 * get_swap_page (folio_alloc_swap / scan_swap_map_slots, 6.12, one slot):
 * the next free slot from where the last search ended.  Return: the
 * entry, 0 when the area is full or there is none.
 */
unsigned long get_swap_page(struct pf_machine *m)
{
	struct swap_info_struct *si = m->swap_info;
	unsigned long entry = 0;
	if (!si || get_nr_swap_pages(m) <= 0)
		return 0;
	pf_spin_lock(&si->lock);
	for (unsigned long n = 0; n < si->max; n++) {
		unsigned long off = si->cluster_next + n;
		if (off >= si->max)
			off -= si->max - 1;	/* wrap to slot 1: slot 0 is the header */
		if (!si->swap_map[off]) {
			si->swap_map[off] = SWAP_HAS_CACHE | 1;
			si->shadows[off] = 0;
			si->inuse_pages++;
			si->cluster_next = off + 1 < si->max ? off + 1 : 1;
			entry = off;
			atomic_fetch_sub(&m->nr_swap_pages, 1);
			break;
		}
	}
	pf_spin_unlock(&si->lock);
	return entry;
}

/* swap_entry_free: slot @off goes back; Context: si->lock held */
static void swap_entry_free(struct pf_machine *m, struct swap_info_struct *si, unsigned long off)
{
	si->swap_map[off] = 0;
	si->shadows[off] = 0;
	si->inuse_pages--;
	atomic_fetch_add(&m->nr_swap_pages, 1);
}

void put_swap_page(struct pf_machine *m, unsigned long entry)
{
	struct swap_info_struct *si = m->swap_info;
	if (!si || !entry || entry >= si->max)
		return;
	pf_spin_lock(&si->lock);
	if (si->swap_map[entry] == (SWAP_HAS_CACHE | 1))
		swap_entry_free(m, si, entry);
	pf_spin_unlock(&si->lock);
}

/*
 * swap_writepage (mm/page_io.c, 6.12), synchronous: the page's contents
 * into the slot, the shadow beside them; pswpout counted, and pgpgout in
 * KiB as the kernel counts it (4 per page).
 */
void swap_writepage(struct pf_page *page, unsigned long entry, unsigned long shadow)
{
	struct pf_machine *m = page_machine(page);
	struct swap_info_struct *si = m->swap_info;
	if (si->data && m->base)
		memcpy(si->data + entry * PAGE_SIZE, m->base + page_to_pfn(page) * PAGE_SIZE, PAGE_SIZE);
	pf_spin_lock(&si->lock);
	si->shadows[entry] = shadow;
	si->swap_map[entry] &= (unsigned char)~SWAP_HAS_CACHE;	/* written: readers may go on */
	pf_spin_unlock(&si->lock);
	__count_vm_events(m, PSWPOUT, 1);
	__count_vm_events(m, PGPGOUT, PAGE_SIZE / 1024);
}

/* a valid, in-use entry of @m's area, or a report */
static bool swap_entry_ok(struct pf_machine *m, unsigned long entry, const char *caller)
{
	struct swap_info_struct *si = m->swap_info;
	const char *why = NULL;
	if (!si)
		why = "the machine has no swap area";
	else if (!entry || entry >= si->max)
		why = "an entry outside the swap area";
	else {
		pf_spin_lock(&si->lock);
		if ((si->swap_map[entry] & ~SWAP_HAS_CACHE) != 1)
			why = "an entry that is not in use (freed already, or never handed out)";
		pf_spin_unlock(&si->lock);
	}
	if (why) {
		/* the kernel's swap_info_get reports "Bad swap offset entry" / "Unused swap offset entry" */
		pf_printk(m, '3', "%s: %s %08lx (%s)", caller,
			  !si || !entry || entry >= si->max ? "Bad swap offset entry" : "Unused swap offset entry", entry,
			  why);
		atomic_fetch_add(&m->nr_bad_pages, 1);
		return false;
	}
	return true;
}

/*
 * swap_lock_written - take si->lock with @entry's contents written (no
 * SWAP_HAS_CACHE).  Return: true with the lock held and the entry in use;
 * false (lock dropped) when it is not in use any more.
 */
static bool swap_lock_written(struct swap_info_struct *si, unsigned long entry)
{
	for (unsigned spins = 0;; spins++) {
		pf_spin_lock(&si->lock);
		if ((si->swap_map[entry] & ~SWAP_HAS_CACHE) != 1) {
			pf_spin_unlock(&si->lock);
			return false;
		}
		if (!(si->swap_map[entry] & SWAP_HAS_CACHE))
			return true;
		pf_spin_unlock(&si->lock);
		pf_os_cpu_relax_or_yield(spins);
	}
}

struct pf_page *pf_swap_readpage(struct pf_machine *m, unsigned long entry, pf_gfp_t gfp,
				 struct pf_address_space *mapping, unsigned long index)
{
	if (!m || !swap_entry_ok(m, entry, "pf_swap_readpage"))
		return NULL;
	struct swap_info_struct *si = m->swap_info;
	struct pf_page *page = pf_alloc_pages(m, gfp & ~PF___GFP_COMP, 0);
	if (!page)
		return NULL;
	if (!swap_lock_written(si, entry)) {
		/* freed by another thread meanwhile */
		pf_free_pages(page, 0);
		swap_entry_ok(m, entry, "pf_swap_readpage");
		return NULL;
	}
	unsigned long shadow = si->shadows[entry];
	if (si->data && m->base)
		memcpy(m->base + page_to_pfn(page) * PAGE_SIZE, si->data + entry * PAGE_SIZE, PAGE_SIZE);
	if (mapping) {
		/*
		 * swapin: workingset_refault, then folio_add_lru, as the kernel's
		 * swap-in of an anonymous page.  The slot stays in use until the
		 * page is on the LRU: when the memcg cannot take the charge (the
		 * kernel's mem_cgroup_swapin_charge_folio failing the fault) the
		 * page goes and the data stays in swap for the owner to retry.
		 */
		pf_spin_unlock(&si->lock);
		page->index = index;
		SetPageSwapBacked(page);
		if (shadow)
			workingset_refault(page, shadow);
		if (pf_lru_cache_add(page, mapping, PF_LRU_ANON)) {
			ClearPageActive(page);
			ClearPageWorkingset(page);
			ClearPageSwapBacked(page);
			pf_free_pages(page, 0);
			return NULL;
		}
		/* freed by the owner meanwhile: nothing left to free */
		if (!swap_lock_written(si, entry))
			goto counted;
	}
	swap_entry_free(m, si, entry);
	pf_spin_unlock(&si->lock);
counted:
	__count_vm_events(m, PSWPIN, 1);
	__count_vm_events(m, PGPGIN, PAGE_SIZE / 1024);
	__count_vm_events(m, PGMAJFAULT, 1);
	return page;
}

int pf_swap_free(struct pf_machine *m, unsigned long entry)
{
	if (!m || !swap_entry_ok(m, entry, "pf_swap_free"))
		return -EINVAL;
	struct swap_info_struct *si = m->swap_info;
	if (!swap_lock_written(si, entry))
		return -EINVAL;
	swap_entry_free(m, si, entry);
	pf_spin_unlock(&si->lock);
	return 0;
}

void pf_swap_info(struct pf_machine *m, unsigned long *total, unsigned long *freep)
{
	long f = m ? get_nr_swap_pages(m) : 0;
	if (total)
		*total = m ? (unsigned long)m->total_swap_pages : 0;
	if (freep)
		*freep = f > 0 ? (unsigned long)f : 0;
}
