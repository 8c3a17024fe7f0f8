/* SPDX-License-Identifier: MIT */
/*
 * swap.c - the LRU lists and the owner's calls on them (mm/swap.c and
 * include/linux/mm_inline.h, Linux 6.12, classic LRU): pf_lru_cache_add
 * (folio_add_lru), pf_mark_page_accessed (folio_mark_accessed),
 * pf_set_page_dirty, pf_lru_del, and lru_note_cost.  Reclaim itself is
 * vmscan.c's.
 *
 * Pages on an lruvec are linked through page->lru under lruvec->lru_lock
 * and carry PG_lru.  Reclaim isolates a page by taking a speculative
 * reference and clearing PG_lru under that lock (isolate_lru_folios), so
 * a page is on a list or isolated, never both, and never handed to two
 * isolators.  page->mapping holds the owner's struct pf_address_space
 * (with PAGE_MAPPING_ANON for anonymous pages) from pf_lru_cache_add until
 * whoever takes the page away clears it with an atomic exchange: that
 * one (pf_lru_del, or reclaim after the owner let go) also takes the
 * page out of the node's file/anon/dirty counters, so they are changed
 * exactly once.
 *
 * Deliberate differences from 6.12: no per-CPU folio batches (each call
 * takes lru_lock at once; the kernel batches 15 folios per CPU); order-0
 * pages only; the owner removes a page from the LRU with pf_lru_del
 * before freeing it (the kernel's last folio_put does that removal).
 */
#include <string.h>
#include "vmscan.h"
#include "migrate.h"
#include "memcontrol.h"

/* ---- lruvec (mm_inline.h) --------------------------------------------------------------------- */

struct lruvec *mem_cgroup_lruvec(struct mem_cgroup *memcg, struct pglist_data *pgdat)
{
	/* the root memcg's lruvec is the node's own (no memcg at all: the same) */
	if (memcg && !mem_cgroup_is_root(memcg))
		return memcg_lruvec(memcg, pgdat->node_id);
	return &pgdat->__lruvec;
}

/* folio_lruvec (6.12): the lruvec of the page's memcg (memcg_data, memcontrol.c) on its node */
struct lruvec *page_lruvec(struct pf_page *page)
{
	struct pf_machine *m = page_machine(page);
	return mem_cgroup_lruvec(folio_memcg(page), m->node_data[pf_page_to_nid(page)]);
}

/* lruvec_init (mm/mmzone.c, 6.12) */
void lruvec_init(struct lruvec *lruvec, struct pglist_data *pgdat, struct mem_cgroup *memcg)
{
	memset(lruvec, 0, sizeof *lruvec);
	for (int lru = 0; lru < NR_LRU_LISTS; lru++)
		INIT_LIST_HEAD(&lruvec->lists[lru]);
	pf_spin_lock_init(&lruvec->lru_lock);
	atomic_init(&lruvec->nonresident_age, 0);
	lruvec->pgdat = pgdat;
	lruvec->memcg = memcg;
}

/*
 * update_lru_size (mm_inline.h, 6.12): the list's count in the lruvec
 * (mem_cgroup_update_lru_size's lru_zone_size), the node's NR_LRU_BASE + lru
 * and the zone's NR_ZONE_LRU_BASE + lru.  Context: lru_lock held.
 */
void update_lru_size(struct lruvec *lruvec, enum lru_list lru, int zid, long nr)
{
	pg_data_t *pgdat = lruvec->pgdat;
	__atomic_store_n(&lruvec->nr_pages[lru][zid], lruvec->nr_pages[lru][zid] + (unsigned long)nr,
			 __ATOMIC_RELAXED);
	mod_node_page_state(pgdat, (enum node_stat_item)(NR_INACTIVE_ANON + lru), nr);
	mod_zone_lru_state(&pgdat->node_zones[zid], (enum zone_stat_item)(NR_ZONE_INACTIVE_ANON + lru), nr);
	if (lruvec->memcg)	/* the memcg's inactive_anon ... unevictable in memory.stat */
		mod_memcg_lruvec_state(lruvec->memcg, pgdat->node_id, (enum node_stat_item)(NR_INACTIVE_ANON + lru), nr);
}

/* lruvec_add_folio (6.12): at the head (the hot end); Context: lru_lock held */
void lruvec_add_page(struct lruvec *lruvec, struct pf_page *page)
{
	enum lru_list lru = page_lru_list(page);
	update_lru_size(lruvec, lru, (int)pf_page_zonenum(page), 1);
	list_add(&page->lru, &lruvec->lists[lru]);
}

/* lruvec_add_folio_tail (6.12): at the cold end, where reclaim looks first */
void lruvec_add_page_tail(struct lruvec *lruvec, struct pf_page *page)
{
	enum lru_list lru = page_lru_list(page);
	update_lru_size(lruvec, lru, (int)pf_page_zonenum(page), 1);
	list_add_tail(&page->lru, &lruvec->lists[lru]);
}

/* lruvec_del_folio (6.12); Context: lru_lock held */
void lruvec_del_page(struct lruvec *lruvec, struct pf_page *page)
{
	enum lru_list lru = page_lru_list(page);
	list_del(&page->lru);
	update_lru_size(lruvec, lru, (int)pf_page_zonenum(page), -1);
}

/* ---- the owner's state of a page ------------------------------------------------------------- */

/*
 * page_unaccount - the page leaves the owner's cache: the counters
 * pf_lru_cache_add and pf_set_page_dirty raised come down.  Called only
 * by whoever exchanged page->mapping for NULL.
 */
static void page_unaccount(struct pf_page *page, bool anon)
{
	pg_data_t *pgdat = page_machine(page)->node_data[pf_page_to_nid(page)];
	mod_node_page_state(pgdat, anon ? NR_ANON_MAPPED : NR_FILE_PAGES, -1);
	if (!anon && TestClearPageDirty(page)) {
		mod_node_page_state(pgdat, NR_FILE_DIRTY, -1);
		mod_zone_lru_state(&pgdat->node_zones[pf_page_zonenum(page)], NR_ZONE_WRITE_PENDING, -1);
	}
	mem_cgroup_uncharge_lru(page, anon);	/* its memcg charge goes too */
}

/* __folio_clear_lru_flags (mm_inline.h, 6.12) and the rest of the LRU's state on a page leaving it */
static void page_clear_lru_flags(struct pf_page *page)
{
	ClearPageActive(page);
	ClearPageReferenced(page);
	ClearPageWorkingset(page);
	ClearPageUnevictable(page);
	ClearPageReclaim(page);
	ClearPageSwapBacked(page);
	ClearPageDirty(page);
	ClearPageLRU(page);
}

void lru_page_gone(struct pf_page *page, int owner_refs)
{
	page_clear_lru_flags(page);
	put_page_refs(page, PAGE_REF_SPECULATIVE + owner_refs);
}

/*
 * lru_page_checked - the machine of @page if it may join or leave the LRU:
 * a live machine's allocated order-0 page (not a tail, not compound) that
 * its owner holds.  Otherwise a report and NULL.
 */
static struct pf_machine *lru_page_checked(struct pf_page *page, const char *caller)
{
	struct pf_machine *m = pf_page_checked(page, caller);
	if (!m)
		return NULL;
	unsigned long pfn = (unsigned long)(page - m->mem_map);
	const char *why = NULL;
	if (PageTail(page) || PageHead(page))
		why = "a compound page on the LRU (pageframe's LRU holds order-0 pages)";
	else if (__atomic_load_n(&m->alloc_order[pfn], __ATOMIC_RELAXED) != 1)
		why = "a page the page allocator did not hand out as an order-0 block";
	else if (page_owner_refs(page) <= 0)
		why = "a page nobody holds a reference to";
	if (why) {
		char msg[160];
		snprintf(msg, sizeof msg, "%s: %s", caller, why);
		bad_page(page, msg);
		return NULL;
	}
	return m;
}

int pf_lru_cache_add(struct pf_page *page, struct pf_address_space *mapping, int type)
{
	struct pf_machine *m = lru_page_checked(page, "pf_lru_cache_add");
	if (!m)
		return -EINVAL;
	if (!mapping || !mapping->a_ops || ((unsigned long)mapping & PAGE_MAPPING_FLAGS) ||
	    (type != PF_LRU_ANON && type != PF_LRU_FILE)) {
		pf_printk(m, '4', "pageframe: pf_lru_cache_add: pfn %#lx: %s; page left as it was", page_to_pfn(page),
			  !mapping ? "no address space" : !mapping->a_ops ? "an address space without operations"
			  : ((unsigned long)mapping & PAGE_MAPPING_FLAGS) ? "a misaligned address space"
			  : "a type that is neither PF_LRU_ANON nor PF_LRU_FILE");
		atomic_fetch_add(&m->nr_bad_pages, 1);
		return -EINVAL;
	}
	if (__atomic_load_n(&page->mapping, __ATOMIC_RELAXED) || PageLRU(page)) {
		pf_printk(m, '4', "pageframe: pf_lru_cache_add: pfn %#lx is %s; page left as it was", page_to_pfn(page),
			  PageLRU(page) ? "already on an LRU list" : "in use with a mapping (movable, or an LRU page being reclaimed)");
		return -EBUSY;
	}
	/* reclaim takes speculative references from now on (as pf_set_page_movable) */
	if (!__atomic_load_n(&m->speculative_refs, __ATOMIC_RELAXED))
		__atomic_store_n(&m->speculative_refs, true, __ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&m->lru_used, __ATOMIC_RELAXED))
		__atomic_store_n(&m->lru_used, true, __ATOMIC_RELAXED);

	bool anon = type == PF_LRU_ANON;
	pg_data_t *pgdat = m->node_data[pf_page_to_nid(page)];
	/* charged to the calling thread's memcg, whose lruvec it joins (memcontrol.c) */
	int rc = mem_cgroup_charge_lru(m, page, anon);
	if (rc) {
		/*
		 * Not charged: the page stays the caller's, to free.  The marks
		 * pf_workingset_refault may have set go (the kernel charges
		 * before it looks at the shadow), or the free would find
		 * PG_active set.
		 */
		ClearPageActive(page);
		ClearPageWorkingset(page);
		return rc;
	}
	struct lruvec *lruvec = page_lruvec(page);

	if (anon)
		SetPageSwapBacked(page);
	else
		ClearPageSwapBacked(page);
	mod_node_page_state(pgdat, anon ? NR_ANON_MAPPED : NR_FILE_PAGES, 1);
	if (!anon && PageDirty(page)) {
		mod_node_page_state(pgdat, NR_FILE_DIRTY, 1);
		mod_zone_lru_state(&pgdat->node_zones[pf_page_zonenum(page)], NR_ZONE_WRITE_PENDING, 1);
	} else if (anon) {
		ClearPageDirty(page);
	}
	/* lru_add (6.12): PG_active stays as workingset_refault left it */
	pf_spin_lock(&lruvec->lru_lock);
	__atomic_store_n(&page->mapping, (void *)((unsigned long)mapping | (anon ? PAGE_MAPPING_ANON : 0)),
			 __ATOMIC_RELEASE);
	SetPageLRU(page);
	lruvec_add_page(lruvec, page);
	pf_spin_unlock(&lruvec->lru_lock);
	return 0;
}

int pf_lru_del(struct pf_page *page)
{
	struct pf_machine *m = lru_page_checked(page, "pf_lru_del");
	if (!m)
		return -EINVAL;
	struct lruvec *lruvec = page_lruvec(page);
	unsigned long mapping;

	pf_spin_lock(&lruvec->lru_lock);
	mapping = (unsigned long)__atomic_load_n(&page->mapping, __ATOMIC_RELAXED);
	if (!mapping || (mapping & PAGE_MAPPING_FLAGS) == PAGE_MAPPING_MOVABLE) {
		pf_spin_unlock(&lruvec->lru_lock);
		bad_page(page, "pf_lru_del: a page that is not on the LRU");
		return -EINVAL;
	}
	if (TestClearPageLRU(page)) {
		lruvec_del_page(lruvec, page);
		__atomic_store_n(&page->mapping, NULL, __ATOMIC_RELAXED);
		pf_spin_unlock(&lruvec->lru_lock);
		page_unaccount(page, mapping & PAGE_MAPPING_ANON);
		page_clear_lru_flags(page);
		return 0;
	}
	/*
	 * Reclaim has it isolated: take the mapping away under lru_lock (where
	 * reclaim puts pages back), so reclaim drops the page when it is done
	 * instead of putting it back.  Its flags are reclaim's to clear then.
	 */
	mapping = (unsigned long)__atomic_exchange_n(&page->mapping, NULL, __ATOMIC_ACQ_REL);
	pf_spin_unlock(&lruvec->lru_lock);
	if (mapping)
		page_unaccount(page, mapping & PAGE_MAPPING_ANON);
	return 0;
}

/* an owner's LRU page: on the LRU or isolated by reclaim, with a mapping of ours */
static bool page_is_lru_owned(const struct pf_page *page)
{
	unsigned long mapping = (unsigned long)__atomic_load_n(&page->mapping, __ATOMIC_RELAXED);
	return mapping && (mapping & PAGE_MAPPING_FLAGS) != PAGE_MAPPING_MOVABLE;
}

/*
 * lru_activate (mm/swap.c, 6.12): move an inactive page on the LRU to the
 * active list.  Deliberate difference: done at once under lru_lock (the
 * kernel queues it on the per-CPU activate batch).
 */
static void folio_activate(struct pf_page *page)
{
	struct pf_machine *m = page_machine(page);
	struct lruvec *lruvec = page_lruvec(page);

	pf_spin_lock(&lruvec->lru_lock);
	if (PageLRU(page) && !PageActive(page) && !PageUnevictable(page)) {
		lruvec_del_page(lruvec, page);
		SetPageActive(page);
		lruvec_add_page(lruvec, page);
		__count_vm_events(m, PGACTIVATE, 1);
	}
	pf_spin_unlock(&lruvec->lru_lock);
}

/*
 * folio_mark_accessed (mm/swap.c, 6.12): inactive,unreferenced ->
 * inactive,referenced -> active,unreferenced; active,unreferenced ->
 * active,referenced.  A page that reclaim holds isolated gets only its
 * flags changed (the kernel's __lru_cache_activate_folio finds it in no
 * batch either).
 */
void pf_mark_page_accessed(struct pf_page *page)
{
	if (!pf_page_checked(page, "pf_mark_page_accessed") || !page_is_lru_owned(page))
		return;
	if (!PageReferenced(page)) {
		SetPageReferenced(page);
	} else if (PageUnevictable(page)) {
		/* unevictable pages are not aged */
	} else if (!PageActive(page)) {
		folio_activate(page);
		ClearPageReferenced(page);
		workingset_activation(page);
	}
	if (PageIdle(page))
		ClearPageIdle(page);
}

/* folio_mark_dirty / folio_account_dirtied (mm/page-writeback.c, 6.12) for an owner's file page */
bool pf_set_page_dirty(struct pf_page *page)
{
	struct pf_machine *m = pf_page_checked(page, "pf_set_page_dirty");
	if (!m || !page_is_lru_owned(page) || PageSwapBacked(page))
		return false;
	if (TestSetPageDirty(page))
		return false;
	pg_data_t *pgdat = m->node_data[pf_page_to_nid(page)];
	mod_node_page_state(pgdat, NR_FILE_DIRTY, 1);
	mod_node_page_state(pgdat, NR_DIRTIED, 1);
	mod_zone_lru_state(&pgdat->node_zones[pf_page_zonenum(page)], NR_ZONE_WRITE_PENDING, 1);
	return true;
}

/* folio_clear_dirty_for_io with the write done (folio_account_cleaned), for an owner's file page */
bool pf_clear_page_dirty(struct pf_page *page)
{
	struct pf_machine *m = pf_page_checked(page, "pf_clear_page_dirty");
	if (!m || !page_is_lru_owned(page) || PageSwapBacked(page))
		return false;
	if (!TestClearPageDirty(page))
		return false;
	pg_data_t *pgdat = m->node_data[pf_page_to_nid(page)];
	mod_node_page_state(pgdat, NR_FILE_DIRTY, -1);
	mod_node_page_state(pgdat, NR_WRITTEN, 1);
	mod_zone_lru_state(&pgdat->node_zones[pf_page_zonenum(page)], NR_ZONE_WRITE_PENDING, -1);
	return true;
}

/*
 * lru_note_cost (mm/swap.c, 6.12): a reclaim cost of @nr_io pages written
 * (each worth SWAP_CLUSTER_MAX rotations) and @nr_rotated pages scanned in
 * vain, on the file or anon side; both costs halve once they exceed a
 * quarter of the LRU, so recent events weigh more.
 */
void lru_note_cost(struct lruvec *lruvec, bool file, unsigned int nr_io, unsigned int nr_rotated)
{
	unsigned long cost = (unsigned long)nr_io * SWAP_CLUSTER_MAX + nr_rotated;
	unsigned long lrusize;

	pf_spin_lock(&lruvec->lru_lock);
	if (file)
		lruvec->file_cost += cost;
	else
		lruvec->anon_cost += cost;
	lrusize = lruvec_page_state(lruvec, NR_INACTIVE_ANON) + lruvec_page_state(lruvec, NR_ACTIVE_ANON) +
		  lruvec_page_state(lruvec, NR_INACTIVE_FILE) + lruvec_page_state(lruvec, NR_ACTIVE_FILE);
	if (lruvec->file_cost + lruvec->anon_cost > lrusize / 4) {
		lruvec->file_cost /= 2;
		lruvec->anon_cost /= 2;
	}
	pf_spin_unlock(&lruvec->lru_lock);
}

/* lru_note_cost_refault (mm/swap.c, 6.12): a refaulting working-set page costs one I/O */
void lru_note_cost_refault(struct pf_page *page)
{
	lru_note_cost(page_lruvec(page), page_is_file_lru(page), 1, 0);
}
