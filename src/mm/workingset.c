/* SPDX-License-Identifier: MIT */
/*
 * workingset.c - refault detection (mm/workingset.c, Linux 6.12, the
 * classic-LRU half).
 *
 * Each lruvec keeps a clock, nonresident_age, that advances by one for
 * every eviction and every activation.  An evicted page leaves a shadow
 * holding the clock's value then; when its data comes back, the clock has
 * moved on by the refault distance: how many pages were evicted or
 * activated meanwhile, which is the least extra memory that would have
 * kept the page resident.  If that distance fits into the memory the
 * working set could use (the active lists, and the inactive list of the
 * other type), the page comes back active (workingset_activate_*), and if
 * it was part of the working set before (PG_workingset) the refault is a
 * restore (workingset_restore_*) and costs reclaim one I/O.
 *
 * The shadow's layout is the kernel's xarray value entry for a 64-bit
 * build: eviction clock, memcg id (16 bits), node (NODES_SHIFT 10 bits),
 * the workingset bit, and the value-entry tag bit, so it is never 0.
 * Differences: shadows live wherever the owner keeps them (the kernel
 * stores them in the page cache's xarray, and shrinks those nodes under
 * memory pressure: workingset_nodes stays 0 here); anonymous shadows
 * live in the swap area's slots (swapfile.c).
 */
#include "vmscan.h"

#define WORKINGSET_SHIFT	1
#define MEM_CGROUP_ID_SHIFT	16
#define NODES_SHIFT_SHADOW	10
#define BITS_PER_XA_VALUE	(64 - 1)
#define EVICTION_SHIFT		((64 - BITS_PER_XA_VALUE) + WORKINGSET_SHIFT + NODES_SHIFT_SHADOW + MEM_CGROUP_ID_SHIFT)
#define EVICTION_MASK		(~0UL >> EVICTION_SHIFT)
/* bucket_order is 0 below 2^36 pages of RAM (workingset_init), which every machine here is */

/* pack_shadow (6.12); xa_mk_value shifts left by one and sets bit 0 */
static unsigned long pack_shadow(int memcgid, int nid, unsigned long eviction, bool workingset)
{
	eviction &= EVICTION_MASK;
	eviction = (eviction << MEM_CGROUP_ID_SHIFT) | (unsigned long)memcgid;
	eviction = (eviction << NODES_SHIFT_SHADOW) | (unsigned long)nid;
	eviction = (eviction << WORKINGSET_SHIFT) | (workingset ? 1UL : 0UL);
	return (eviction << 1) | 1;
}

static void unpack_shadow(unsigned long shadow, int *memcgidp, int *nidp, unsigned long *evictionp,
			  bool *workingsetp)
{
	unsigned long entry = shadow >> 1;
	*workingsetp = entry & ((1UL << WORKINGSET_SHIFT) - 1);
	entry >>= WORKINGSET_SHIFT;
	*nidp = (int)(entry & ((1UL << NODES_SHIFT_SHADOW) - 1));
	entry >>= NODES_SHIFT_SHADOW;
	*memcgidp = (int)(entry & ((1UL << MEM_CGROUP_ID_SHIFT) - 1));
	entry >>= MEM_CGROUP_ID_SHIFT;
	*evictionp = entry;
}

/* workingset_age_nonresident (6.12): the lruvec's clock moves on (one lruvec, no memcg parents yet) */
void workingset_age_nonresident(struct lruvec *lruvec, unsigned long nr_pages)
{
	atomic_fetch_add_explicit(&lruvec->nonresident_age, (long)nr_pages, memory_order_relaxed);
}

/* workingset_eviction (6.12): the shadow of a page about to be evicted; the clock advances */
unsigned long workingset_eviction(struct pf_page *page)
{
	struct lruvec *lruvec = page_lruvec(page);
	unsigned long eviction = (unsigned long)atomic_load_explicit(&lruvec->nonresident_age, memory_order_relaxed);
	workingset_age_nonresident(lruvec, 1);
	return pack_shadow(0, lruvec->pgdat->node_id, eviction, PageWorkingset(page));
}

unsigned long workingset_eviction_peek(struct pf_page *page)
{
	struct lruvec *lruvec = page_lruvec(page);
	unsigned long eviction = (unsigned long)atomic_load_explicit(&lruvec->nonresident_age, memory_order_relaxed);
	return pack_shadow(0, lruvec->pgdat->node_id, eviction, PageWorkingset(page));
}

/*
 * workingset_test_recent (6.12): was the page evicted recently enough to
 * be part of the working set?  Distances are compared within
 * EVICTION_MASK so a wrapped clock still works.
 */
static bool workingset_test_recent(struct pf_machine *m, unsigned long shadow, bool file, bool *workingset)
{
	int memcgid, nid;
	unsigned long eviction, refault, refault_distance, workingset_size;

	unpack_shadow(shadow, &memcgid, &nid, &eviction, workingset);
	if (nid < 0 || nid >= m->nr_node_ids || !m->node_data[nid])
		return false;
	struct lruvec *eviction_lruvec = mem_cgroup_lruvec(NULL, m->node_data[nid]);
	refault = (unsigned long)atomic_load_explicit(&eviction_lruvec->nonresident_age, memory_order_relaxed);
	refault_distance = (refault - eviction) & EVICTION_MASK;

	workingset_size = lruvec_page_state(eviction_lruvec, NR_ACTIVE_FILE);
	if (!file)
		workingset_size += lruvec_page_state(eviction_lruvec, NR_INACTIVE_FILE);
	if (get_nr_swap_pages(m) > 0) {
		workingset_size += lruvec_page_state(eviction_lruvec, NR_ACTIVE_ANON);
		if (file)
			workingset_size += lruvec_page_state(eviction_lruvec, NR_INACTIVE_ANON);
	}
	return refault_distance <= workingset_size;
}

/*
 * workingset_refault (6.12): @page, not yet on the LRU, brings back data
 * evicted with @shadow.  Counted as a refault; activated when recent.
 */
void workingset_refault(struct pf_page *page, unsigned long shadow)
{
	struct pf_machine *m = page_machine(page);
	bool file = page_is_file_lru(page);
	bool workingset;
	struct lruvec *lruvec = page_lruvec(page);

	mod_node_page_state(lruvec->pgdat, file ? WORKINGSET_REFAULT_FILE : WORKINGSET_REFAULT_ANON, 1);
	if (!workingset_test_recent(m, shadow, file, &workingset))
		return;
	SetPageActive(page);
	workingset_age_nonresident(lruvec, 1);
	mod_node_page_state(lruvec->pgdat, file ? WORKINGSET_ACTIVATE_FILE : WORKINGSET_ACTIVATE_ANON, 1);
	if (workingset) {
		SetPageWorkingset(page);
		lru_note_cost_refault(page);
		mod_node_page_state(lruvec->pgdat, file ? WORKINGSET_RESTORE_FILE : WORKINGSET_RESTORE_ANON, 1);
	}
}

/* workingset_activation (6.12): an activation by use also moves the clock */
void workingset_activation(struct pf_page *page)
{
	workingset_age_nonresident(page_lruvec(page), 1);
}

void pf_workingset_refault(struct pf_page *page, int type, unsigned long shadow)
{
	if (!shadow || !(shadow & 1) || (type != PF_LRU_ANON && type != PF_LRU_FILE))
		return;
	if (!pf_page_checked(page, "pf_workingset_refault") || PageLRU(page))
		return;
	if (type == PF_LRU_ANON)
		SetPageSwapBacked(page);
	else
		ClearPageSwapBacked(page);
	workingset_refault(page, shadow);
}
