/* SPDX-License-Identifier: MIT */
/*
 * vmscan.c - page reclaim and kswapd (mm/vmscan.c, Linux 6.12, the classic
 * active/inactive LRU; MGLRU is not built).
 *
 * Reclaim walks from a zonelist (direct reclaim: try_to_free_pages) or
 * one node (kswapd: balance_pgdat; node_reclaim) down to each node's
 * lruvec.  get_scan_count decides how much of each of the four evictable
 * lists to look at: the list's size >> sc->priority, split between anon
 * and file by vm.swappiness and the recent cost of reclaiming each
 * (lru_note_cost).  shrink_lruvec takes those pages SWAP_CLUSTER_MAX at a
 * time: from an active list, shrink_active_list moves them to the
 * inactive list; from an inactive list, shrink_inactive_list isolates
 * them (isolate_lru_folios) and shrink_folio_list asks their owners to
 * let go (release_folio, writepage, try_to_unmap with a swap entry).
 * Whatever cannot go is put back (move_folios_to_lru), active when it
 * deserved it.  Priority starts at DEF_PRIORITY (12: 1/4096 of each list)
 * and drops, doubling the scan, until enough is reclaimed.
 *
 * kswapd is one worker per node, woken by wakeup_kswapd when an
 * allocation finds a zone below its low watermark (or a boosted one); it
 * reclaims until a zone up to the requested index meets its high
 * watermark for the requested order (pgdat_balanced), then lets kcompactd
 * run and sleeps.  It runs in threads (pf_kswapd_start, or "workers
 * threads" in the description) or one pass per pf_kswapd_run call.
 *
 * Deliberate differences from 6.12 (docs/FIDELITY.md):
 *   - no page tables: folio_referenced finds no mappings, so only the
 *     owner's pf_mark_page_accessed (PG_referenced, PG_active) ages pages;
 *   - no flusher threads: a dirty file page is written by whichever
 *     reclaimer meets it (kernel: kswapd only, and only after the flusher
 *     had its chance), synchronously; nothing is ever under writeback;
 *   - no reclaim throttling (reclaim_throttle, throttle_direct_reclaim,
 *     too_many_isolated's wait): nothing here sleeps;
 *   - slab pages the shrinkers free are not added to sc->nr_reclaimed
 *     (the kernel's reclaim_state): shrinkers count objects, not pages;
 *   - the root memcg's lruvec is the node's own (pages of no memcg).
 */
#include <string.h>
#include "vmscan.h"
#include "migrate.h"
#include "memcontrol.h"

#define DEACTIVATE_ANON	1
#define DEACTIVATE_FILE	2
/* GFP_RECLAIM_MASK (mm/internal.h, 6.12): the bits reclaim honours */
#define GFP_RECLAIM_MASK (PF___GFP_RECLAIM | PF___GFP_HIGH | PF___GFP_IO | PF___GFP_FS | PF___GFP_NOWARN |	\
			  PF___GFP_RETRY_MAYFAIL | PF___GFP_NOFAIL | PF___GFP_NORETRY | PF___GFP_MEMALLOC |	\
			  PF___GFP_NOMEMALLOC | PF___GFP_NOLOCKDEP)

enum folio_references {
	FOLIOREF_RECLAIM,
	FOLIOREF_RECLAIM_CLEAN,
	FOLIOREF_KEEP,
	FOLIOREF_ACTIVATE,
};

/* pageout's answers */
typedef enum { PAGE_KEEP, PAGE_ACTIVATE, PAGE_SUCCESS, PAGE_CLEAN } pageout_t;

static bool cgroup_reclaim(const struct scan_control *sc)
{
	return sc->target_mem_cgroup != NULL;
}

/* root_reclaim / writeback_throttling_sane: no memcg v1, so always sane */

static int sc_swappiness(const struct scan_control *sc)
{
	return sc->swappiness ? *sc->swappiness : sc->m->vm_swappiness;
}

/* reclaimer_offset (6.12): 0 for kswapd's counters, 1 for direct reclaim's */
static int reclaimer_offset(void)
{
	return current_is_kswapd() ? 0 : 1;
}

/* can_reclaim_anon_pages (6.12): anonymous pages can go only where there is swap (no demotion) */
static bool can_reclaim_anon_pages(struct pf_machine *m)
{
	return get_nr_swap_pages(m) > 0;
}

/* can_age_anon_pages (6.12) */
static bool can_age_anon_pages(struct pf_machine *m)
{
	return m->total_swap_pages > 0;
}

/*
 * zone_reclaimable_pages (6.12): the file LRU pages of @zone, the anon
 * ones too while swap has room; the free pages when there are none.
 */
unsigned long zone_reclaimable_pages(struct zone *zone)
{
	unsigned long nr;

	nr = (unsigned long)zone_page_state_snapshot(zone, NR_ZONE_INACTIVE_FILE) +
	     (unsigned long)zone_page_state_snapshot(zone, NR_ZONE_ACTIVE_FILE);
	if (can_reclaim_anon_pages(zone_machine(zone)))
		nr += (unsigned long)zone_page_state_snapshot(zone, NR_ZONE_INACTIVE_ANON) +
		      (unsigned long)zone_page_state_snapshot(zone, NR_ZONE_ACTIVE_ANON);
	if (nr == 0)
		nr = (unsigned long)zone_page_state_snapshot(zone, NR_FREE_PAGES);
	return nr;
}

/* lruvec_lru_size (6.12): pages on @lru in zones up to @zone_idx */
static unsigned long lruvec_lru_size(struct lruvec *lruvec, enum lru_list lru, int zone_idx)
{
	unsigned long size = 0;
	for (int zid = 0; zid <= zone_idx; zid++) {
		if (!managed_zone(&lruvec->pgdat->node_zones[zid]))
			continue;
		size += __atomic_load_n(&lruvec->nr_pages[lru][zid], __ATOMIC_RELAXED);
	}
	return size;
}

/* zone_watermark_ok_safe (mm/page_alloc.c, 6.12): the watermark test on the exact free count */
static bool zone_watermark_ok_safe(struct zone *z, unsigned int order, unsigned long mark, int highest_zoneidx)
{
	long free_pages = zone_page_state_snapshot(z, NR_FREE_PAGES);
	return __zone_watermark_ok(z, order, mark, highest_zoneidx, 0, free_pages);
}

/* ---- isolation and putback ------------------------------------------------------------------ */

static inline struct pf_page *lru_to_page(struct list_head *head)
{
	return list_entry(head->prev, struct pf_page, lru);
}

/*
 * isolate_lru_folios (6.12): take up to @nr_to_scan pages from the cold end
 * of @lru onto @dst.  A page is taken with a speculative reference and
 * PG_lru cleared; pages of zones above sc->reclaim_idx are passed over
 * (pgskip_*).  Return: pages taken; *@nr_scanned: pages looked at.
 * Context: lru_lock held.
 */
static unsigned long isolate_lru_folios(unsigned long nr_to_scan, struct lruvec *lruvec, struct list_head *dst,
					unsigned long *nr_scanned, struct scan_control *sc, enum lru_list lru)
{
	struct list_head *src = &lruvec->lists[lru];
	struct pf_machine *m = sc->m;
	unsigned long nr_taken = 0;
	unsigned long nr_zone_taken[MAX_NR_ZONES] = { 0 };
	unsigned long nr_skipped[MAX_NR_ZONES] = { 0 };
	unsigned long skipped = 0;
	unsigned long scan = 0, total_scan = 0;
	LIST_HEAD(folios_skipped);

	while (scan < nr_to_scan && !list_empty(src)) {
		struct list_head *move_to = src;
		struct pf_page *page = lru_to_page(src);
		int zid = (int)pf_page_zonenum(page);

		total_scan++;
		if (zid > sc->reclaim_idx) {
			nr_skipped[zid]++;
			move_to = &folios_skipped;
			goto move;
		}
		scan++;
		if (!PageLRU(page))
			goto move;
		/* a page its owner is freeing (no owner reference left) is not taken */
		if (!get_page_unless_zero(page))
			goto move;
		if (!TestClearPageLRU(page)) {
			put_page_refs(page, PAGE_REF_SPECULATIVE);
			goto move;
		}
		nr_taken++;
		nr_zone_taken[zid]++;
		move_to = dst;
move:
		mlist_move(&page->lru, move_to);
	}
	if (!list_empty(&folios_skipped)) {
		mlist_splice(&folios_skipped, src);
		for (int zid = 0; zid < MAX_NR_ZONES; zid++) {
			if (!nr_skipped[zid])
				continue;
			__count_vm_events(m, (enum vm_event_item)(PGSCAN_SKIP_DMA + zid), (long)nr_skipped[zid]);
			skipped += nr_skipped[zid];
		}
	}
	*nr_scanned = total_scan;
	if (trace_enabled(m, TRACE_MM_VMSCAN_LRU_ISOLATE))
		__trace_mm_vmscan_lru_isolate(m, sc->reclaim_idx, sc->order, nr_to_scan, total_scan, skipped, nr_taken,
					      lru);
	for (int zid = 0; zid < MAX_NR_ZONES; zid++)
		if (nr_zone_taken[zid])
			update_lru_size(lruvec, lru, zid, -(long)nr_zone_taken[zid]);
	return nr_taken;
}

/*
 * page_owner_gone - the owner took @page away (pf_lru_del) while it was
 * isolated, or freed it without pf_lru_del (bad input, reported): it must
 * not go back on a list.
 */
static bool page_owner_gone(struct pf_page *page)
{
	if (!__atomic_load_n(&page->mapping, __ATOMIC_ACQUIRE))
		return true;
	if (page_owner_refs(page) > 0)
		return false;
	/* freed without pf_lru_del: the library finishes the removal */
	void *mapping = __atomic_exchange_n(&page->mapping, NULL, __ATOMIC_ACQ_REL);
	if (mapping) {
		struct pf_machine *m = page_machine(page);
		pg_data_t *pgdat = m->node_data[pf_page_to_nid(page)];
		bool anon = (unsigned long)mapping & PAGE_MAPPING_ANON;
		pf_printk(m, '4', "pageframe: pfn %#lx was freed by its owner while on the LRU, without pf_lru_del; "
			  "reclaim had it isolated and frees it now", page_to_pfn(page));
		mod_node_page_state(pgdat, anon ? NR_ANON_MAPPED : NR_FILE_PAGES, -1);
		if (!anon && TestClearPageDirty(page)) {
			mod_node_page_state(pgdat, NR_FILE_DIRTY, -1);
			mod_zone_lru_state(&pgdat->node_zones[pf_page_zonenum(page)], NR_ZONE_WRITE_PENDING, -1);
		}
	}
	return true;
}

/*
 * move_folios_to_lru (6.12): put isolated pages back on their lists and drop
 * the isolation reference.  Pages whose owner took them away meanwhile
 * are dropped instead, after lru_lock is released.  Return: pages put back.
 * Context: lru_lock held; released and retaken around the drops.
 */
static unsigned int move_folios_to_lru(struct lruvec *lruvec, struct list_head *list)
{
	unsigned int nr_moved = 0;
	LIST_HEAD(gone);

	while (!list_empty(list)) {
		struct pf_page *page = lru_to_page(list);
		VM_BUG_ON_PAGE(PageLRU(page), page);
		list_del(&page->lru);
		if (page_owner_gone(page)) {
			list_add(&page->lru, &gone);
			continue;
		}
		SetPageLRU(page);
		lruvec_add_page(lruvec, page);
		nr_moved++;
		if (PageActive(page))
			workingset_age_nonresident(lruvec, 1);
		/* the owner still holds its reference: this never frees */
		put_page_refs(page, PAGE_REF_SPECULATIVE);
	}
	if (!list_empty(&gone)) {
		pf_spin_unlock(&lruvec->lru_lock);
		while (!list_empty(&gone)) {
			struct pf_page *page = lru_to_page(&gone);
			list_del(&page->lru);
			lru_page_gone(page, 0);
		}
		pf_spin_lock(&lruvec->lru_lock);
	}
	return nr_moved;
}

/* ---- shrink_folio_list --------------------------------------------------------------------- */

/*
 * folio_check_references (6.12) without page tables: folio_referenced
 * finds no mapping, so the answer rests on PG_referenced alone: a
 * referenced file page is reclaimed only if clean, everything else is
 * reclaimed.  (Pages used twice were activated by pf_mark_page_accessed.)
 */
static enum folio_references folio_check_references(struct pf_page *page)
{
	bool referenced_folio = TestClearPageReferenced(page);
	if (referenced_folio && page_is_file_lru(page))
		return FOLIOREF_RECLAIM_CLEAN;
	return FOLIOREF_RECLAIM;
}

/*
 * pageout (6.12): write a dirty file page back through the owner's
 * writepage, synchronously.  Return: PAGE_SUCCESS (written and clean),
 * PAGE_KEEP (the write failed: counted, reported, the page stays dirty),
 * PAGE_ACTIVATE (the owner has no writepage).
 */
static pageout_t pageout(struct pf_page *page, struct pf_address_space *mapping)
{
	struct pf_machine *m = page_machine(page);
	pg_data_t *pgdat = m->node_data[pf_page_to_nid(page)];
	int rc;

	if (!mapping->a_ops->writepage)
		return PAGE_ACTIVATE;
	SetPageReclaim(page);
	mod_node_page_state(pgdat, NR_WRITEBACK, 1);
	rc = mapping->a_ops->writepage(mapping, page);
	mod_node_page_state(pgdat, NR_WRITEBACK, -1);
	ClearPageReclaim(page);
	if (rc < 0 || rc > 0) {
		long n = atomic_fetch_add_explicit(&m->nr_writepage_errors, 1, memory_order_relaxed) + 1;
		/* the first ten failures, then one at each power of two */
		if (n <= 10 || !(n & (n - 1)))
			pf_printk(m, '4', "pageframe: reclaim: writepage of pfn %#lx failed (%d); the page stays dirty "
				  "on the LRU (%ld failed writes)", page_to_pfn(page), rc, n);
		return PAGE_KEEP;
	}
	/* the write is done: the page is clean (folio_end_writeback's accounting) */
	if (TestClearPageDirty(page)) {
		mod_node_page_state(pgdat, NR_FILE_DIRTY, -1);
		mod_node_page_state(pgdat, NR_WRITTEN, 1);
		mod_zone_lru_state(&pgdat->node_zones[pf_page_zonenum(page)], NR_ZONE_WRITE_PENDING, -1);
	}
	mod_node_page_state(pgdat, NR_VMSCAN_WRITE, 1);
	return PAGE_SUCCESS;
}

/*
 * reclaim_done - the owner let go of @page (its callback said yes):
 * @page leaves the owner's cache and is freed with the owner's reference
 * and reclaim's.  Context: page locked; unlocks it.
 */
static void reclaim_done(struct pf_page *page, bool anon)
{
	struct pf_machine *m = page_machine(page);
	void *mapping = __atomic_exchange_n(&page->mapping, NULL, __ATOMIC_ACQ_REL);
	int owner_refs = 1;
	if (mapping) {
		pg_data_t *pgdat = m->node_data[pf_page_to_nid(page)];
		mod_node_page_state(pgdat, anon ? NR_ANON_MAPPED : NR_FILE_PAGES, -1);
		if (!anon && TestClearPageDirty(page)) {
			mod_node_page_state(pgdat, NR_FILE_DIRTY, -1);
			mod_zone_lru_state(&pgdat->node_zones[pf_page_zonenum(page)], NR_ZONE_WRITE_PENDING, -1);
		}
		mem_cgroup_uncharge_lru(page, anon);	/* uncharged before the free (memcontrol.c) */
	} else {
		/* the owner removed it with pf_lru_del as well: its reference stays its own */
		owner_refs = 0;
	}
	unlock_page(page);
	lru_page_gone(page, owner_refs);
}

/*
 * shrink_folio_list (6.12): try to reclaim each isolated page on
 * @folio_list; what stays is left on the list (active if it earned it).
 * Return: pages freed.
 */
static unsigned int shrink_folio_list(struct list_head *folio_list, struct pglist_data *pgdat,
				      struct scan_control *sc, struct reclaim_stat *stat, bool ignore_references)
{
	struct pf_machine *m = sc->m;
	LIST_HEAD(ret_folios);
	unsigned int nr_reclaimed = 0;
	unsigned int pgactivate;

	(void)pgdat;
	memset(stat, 0, sizeof *stat);
	while (!list_empty(folio_list)) {
		struct pf_page *page = lru_to_page(folio_list);
		enum folio_references references = FOLIOREF_RECLAIM;
		unsigned long mapping_val;
		struct pf_address_space *mapping;
		bool anon, dirty;

		list_del(&page->lru);
		if (!trylock_page(page))
			goto keep;
		VM_BUG_ON_PAGE(PageActive(page), page);
		sc->nr_scanned++;
		mapping_val = (unsigned long)__atomic_load_n(&page->mapping, __ATOMIC_ACQUIRE);
		if (!mapping_val)
			goto keep_locked;	/* the owner took it away: move_folios_to_lru drops it */
		mapping = (struct pf_address_space *)(mapping_val & ~PAGE_MAPPING_FLAGS);
		anon = mapping_val & PAGE_MAPPING_ANON;
		if (PageUnevictable(page))
			goto activate_locked;

		/* folio_check_dirty_writeback: nothing is ever under writeback here */
		dirty = !anon && PageDirty(page);
		if (dirty) {
			stat->nr_dirty++;
			stat->nr_unqueued_dirty++;
		}
		if (!ignore_references)
			references = folio_check_references(page);
		switch (references) {
		case FOLIOREF_ACTIVATE:
			goto activate_locked;
		case FOLIOREF_KEEP:
			stat->nr_ref_keep++;
			goto keep_locked;
		case FOLIOREF_RECLAIM:
		case FOLIOREF_RECLAIM_CLEAN:
			break;
		}
		/* more holders than the owner's one reference: __remove_mapping's freeze would fail */
		if (page_owner_refs(page) != 1)
			goto keep_locked;

		if (anon) {
			/* add_to_swap, try_to_unmap, pageout (swap_writepage), __remove_mapping: in one go */
			unsigned long entry;
			if (!(sc->gfp_mask & PF___GFP_IO))
				goto keep_locked;
			if (!sc->may_unmap)
				goto keep_locked;
			entry = get_swap_page(m);
			if (!entry)
				goto activate_locked;
			if (!mapping->a_ops->try_to_unmap || !mapping->a_ops->try_to_unmap(mapping, page, entry)) {
				stat->nr_unmap_fail++;
				put_swap_page(m, entry);
				goto activate_locked;
			}
			swap_writepage(page, entry, workingset_eviction(page));
			stat->nr_pageout++;
			mod_node_page_state(page_lruvec(page)->pgdat, NR_VMSCAN_WRITE, 1);
			reclaim_done(page, true);
			nr_reclaimed++;
			continue;
		}

		if (PageDirty(page)) {
			if (references == FOLIOREF_RECLAIM_CLEAN)
				goto keep_locked;
			if (!(sc->gfp_mask & PF___GFP_FS))	/* may_enter_fs */
				goto keep_locked;
			if (!sc->may_writepage)
				goto keep_locked;
			switch (pageout(page, mapping)) {
			case PAGE_KEEP:
				goto keep_locked;
			case PAGE_ACTIVATE:
				goto activate_locked;
			case PAGE_SUCCESS:
				stat->nr_pageout++;
				if (PageDirty(page))
					goto keep_locked;	/* written again meanwhile */
				break;
			case PAGE_CLEAN:
				break;
			}
		}
		/* __remove_mapping: the clean page leaves the owner's cache, leaving a shadow */
		if (!mapping->a_ops->release_folio)
			goto keep_locked;
		{
			struct lruvec *lruvec = page_lruvec(page);
			unsigned long shadow = workingset_eviction_peek(page);
			if (!mapping->a_ops->release_folio(mapping, page, shadow))
				goto activate_locked;	/* filemap_release_folio said no */
			workingset_age_nonresident(lruvec, 1);
		}
		reclaim_done(page, false);
		nr_reclaimed++;
		continue;

activate_locked:
		if (!PageMlocked(page)) {
			SetPageActive(page);
			stat->nr_activate[anon ? 0 : 1]++;
		}
keep_locked:
		unlock_page(page);
keep:
		list_add(&page->lru, &ret_folios);
		VM_BUG_ON_PAGE(PageLRU(page) || PageUnevictable(page), page);
	}
	pgactivate = stat->nr_activate[0] + stat->nr_activate[1];
	mlist_splice(&ret_folios, folio_list);
	__count_vm_events(m, PGACTIVATE, pgactivate);
	return nr_reclaimed;
}

/* ---- shrinking the lists --------------------------------------------------------------------- */

/*
 * shrink_inactive_list (6.12): isolate up to @nr_to_scan pages of @lru,
 * reclaim what can go, put back the rest.  Return: pages reclaimed.
 */
static unsigned long shrink_inactive_list(unsigned long nr_to_scan, struct lruvec *lruvec, struct scan_control *sc,
					  enum lru_list lru)
{
	LIST_HEAD(folio_list);
	struct pf_machine *m = sc->m;
	unsigned long nr_scanned, nr_taken;
	unsigned int nr_reclaimed;
	struct reclaim_stat stat;
	bool file = lru >= LRU_INACTIVE_FILE;
	pg_data_t *pgdat = lruvec_pgdat(lruvec);

	pf_spin_lock(&lruvec->lru_lock);
	nr_taken = isolate_lru_folios(nr_to_scan, lruvec, &folio_list, &nr_scanned, sc, lru);
	mod_node_page_state(pgdat, (enum node_stat_item)(NR_ISOLATED_ANON + file), (long)nr_taken);
	if (!cgroup_reclaim(sc))
		__count_vm_events(m, (enum vm_event_item)(PGSCAN_KSWAPD + reclaimer_offset()), (long)nr_scanned);
	count_memcg_events(lruvec->memcg, (enum vm_event_item)(PGSCAN_KSWAPD + reclaimer_offset()), nr_scanned);
	__count_vm_events(m, (enum vm_event_item)(PGSCAN_ANON + file), (long)nr_scanned);
	pf_spin_unlock(&lruvec->lru_lock);

	if (nr_taken == 0)
		return 0;

	nr_reclaimed = shrink_folio_list(&folio_list, pgdat, sc, &stat, false);

	pf_spin_lock(&lruvec->lru_lock);
	move_folios_to_lru(lruvec, &folio_list);
	mod_node_page_state(pgdat, (enum node_stat_item)(NR_ISOLATED_ANON + file), -(long)nr_taken);
	if (!cgroup_reclaim(sc))
		__count_vm_events(m, (enum vm_event_item)(PGSTEAL_KSWAPD + reclaimer_offset()), nr_reclaimed);
	count_memcg_events(lruvec->memcg, (enum vm_event_item)(PGSTEAL_KSWAPD + reclaimer_offset()), nr_reclaimed);
	__count_vm_events(m, (enum vm_event_item)(PGSTEAL_ANON + file), nr_reclaimed);
	pf_spin_unlock(&lruvec->lru_lock);

	lru_note_cost(lruvec, file, stat.nr_pageout, (unsigned int)(nr_scanned - nr_reclaimed));

	sc->nr.dirty += stat.nr_dirty;
	sc->nr.congested += stat.nr_congested;
	sc->nr.unqueued_dirty += stat.nr_unqueued_dirty;
	sc->nr.writeback += stat.nr_writeback;
	sc->nr.immediate += stat.nr_immediate;
	sc->nr.taken += (unsigned int)nr_taken;
	if (file)
		sc->nr.file_taken += (unsigned int)nr_taken;

	if (trace_enabled(m, TRACE_MM_VMSCAN_LRU_SHRINK_INACTIVE))
		__trace_mm_vmscan_lru_shrink_inactive(m, pgdat->node_id, nr_scanned, nr_reclaimed, stat.nr_dirty,
						      stat.nr_writeback, stat.nr_congested, stat.nr_immediate,
						      stat.nr_activate[0], stat.nr_activate[1], stat.nr_ref_keep,
						      stat.nr_unmap_fail, sc->priority, file);
	return nr_reclaimed;
}

/*
 * shrink_active_list (6.12): move up to @nr_to_scan pages of active @lru
 * to the inactive list.  Without page tables no page is found referenced
 * through a mapping, so every page scanned is deactivated (and marked
 * PG_workingset, which a later refault turns into a restore).
 */
static void shrink_active_list(unsigned long nr_to_scan, struct lruvec *lruvec, struct scan_control *sc,
			       enum lru_list lru)
{
	struct pf_machine *m = sc->m;
	unsigned long nr_taken, nr_scanned;
	unsigned int nr_rotated = 0, nr_activate, nr_deactivate;
	LIST_HEAD(l_hold);
	LIST_HEAD(l_active);
	LIST_HEAD(l_inactive);
	bool file = lru >= LRU_INACTIVE_FILE;
	pg_data_t *pgdat = lruvec_pgdat(lruvec);

	pf_spin_lock(&lruvec->lru_lock);
	nr_taken = isolate_lru_folios(nr_to_scan, lruvec, &l_hold, &nr_scanned, sc, lru);
	mod_node_page_state(pgdat, (enum node_stat_item)(NR_ISOLATED_ANON + file), (long)nr_taken);
	if (!cgroup_reclaim(sc))
		__count_vm_events(m, PGREFILL, (long)nr_scanned);
	count_memcg_events(lruvec->memcg, PGREFILL, nr_scanned);
	pf_spin_unlock(&lruvec->lru_lock);

	while (!list_empty(&l_hold)) {
		struct pf_page *page = lru_to_page(&l_hold);
		list_del(&page->lru);
		if (PageUnevictable(page)) {
			list_add(&page->lru, &l_active);
			continue;
		}
		/* folio_referenced: no mappings, never referenced through one */
		ClearPageActive(page);
		SetPageWorkingset(page);
		list_add(&page->lru, &l_inactive);
	}

	pf_spin_lock(&lruvec->lru_lock);
	nr_activate = move_folios_to_lru(lruvec, &l_active);
	nr_deactivate = move_folios_to_lru(lruvec, &l_inactive);
	__count_vm_events(m, PGDEACTIVATE, nr_deactivate);
	count_memcg_events(lruvec->memcg, PGDEACTIVATE, nr_deactivate);
	mod_node_page_state(pgdat, (enum node_stat_item)(NR_ISOLATED_ANON + file), -(long)nr_taken);
	pf_spin_unlock(&lruvec->lru_lock);

	if (nr_rotated)
		lru_note_cost(lruvec, file, 0, nr_rotated);
	if (trace_enabled(m, TRACE_MM_VMSCAN_LRU_SHRINK_ACTIVE))
		__trace_mm_vmscan_lru_shrink_active(m, pgdat->node_id, nr_taken, nr_activate, nr_deactivate,
						    nr_rotated, sc->priority, file);
}

/* shrink_list (6.12): active lists only age (when allowed), inactive lists reclaim */
static unsigned long shrink_list(enum lru_list lru, unsigned long nr_to_scan, struct lruvec *lruvec,
				 struct scan_control *sc)
{
	if (lru == LRU_ACTIVE_ANON || lru == LRU_ACTIVE_FILE) {
		if (sc->may_deactivate & (1 << (lru >= LRU_INACTIVE_FILE)))
			shrink_active_list(nr_to_scan, lruvec, sc, lru);
		else
			sc->skipped_deactivate = 1;
		return 0;
	}
	return shrink_inactive_list(nr_to_scan, lruvec, sc, lru);
}

/* int_sqrt (lib/math/int_sqrt.c): floor of the square root */
static unsigned long int_sqrt(unsigned long x)
{
	unsigned long b, m, y = 0;
	if (x <= 1)
		return x;
	m = 1UL << ((63 - __builtin_clzl(x)) & ~1UL);
	while (m != 0) {
		b = y + m;
		y >>= 1;
		if (x >= b) {
			x -= b;
			y += m;
		}
		m >>= 2;
	}
	return y;
}

/*
 * inactive_is_low (6.12): the inactive list is too small against the
 * active one: inactive * ratio < active, with ratio sqrt(10 * GiB of
 * the two lists) (1 below 1 GiB).
 */
bool inactive_is_low(struct lruvec *lruvec, enum lru_list inactive_lru)
{
	enum lru_list active_lru = (enum lru_list)(inactive_lru + LRU_ACTIVE);
	unsigned long inactive = lruvec_page_state(lruvec, (enum node_stat_item)(NR_INACTIVE_ANON + inactive_lru));
	unsigned long active = lruvec_page_state(lruvec, (enum node_stat_item)(NR_INACTIVE_ANON + active_lru));
	unsigned long gb = (inactive + active) >> (30 - PAGE_SHIFT);
	unsigned long inactive_ratio = gb ? int_sqrt(10 * gb) : 1;

	return inactive * inactive_ratio < active;
}

enum scan_balance {
	SCAN_EQUAL,
	SCAN_FRACT,
	SCAN_ANON,
	SCAN_FILE,
};

static void snapshot_refaults(struct mem_cgroup *target_memcg, pg_data_t *pgdat);

/* prepare_scan_control (6.12): the costs, may_deactivate, cache_trim_mode and file_is_tiny for a node */
static void prepare_scan_control(pg_data_t *pgdat, struct scan_control *sc)
{
	unsigned long file;
	struct lruvec *target_lruvec = mem_cgroup_lruvec(sc->target_mem_cgroup, pgdat);

	pf_spin_lock(&target_lruvec->lru_lock);
	sc->anon_cost = target_lruvec->anon_cost;
	sc->file_cost = target_lruvec->file_cost;
	pf_spin_unlock(&target_lruvec->lru_lock);

	if (!sc->force_deactivate) {
		unsigned long refaults = node_page_state(pgdat, WORKINGSET_ACTIVATE_ANON);
		if (refaults != __atomic_load_n(&target_lruvec->refaults[WORKINGSET_ANON], __ATOMIC_RELAXED) ||
		    inactive_is_low(target_lruvec, LRU_INACTIVE_ANON))
			sc->may_deactivate |= DEACTIVATE_ANON;
		else
			sc->may_deactivate &= ~DEACTIVATE_ANON & 3;
		refaults = node_page_state(pgdat, WORKINGSET_ACTIVATE_FILE);
		if (refaults != __atomic_load_n(&target_lruvec->refaults[WORKINGSET_FILE], __ATOMIC_RELAXED) ||
		    inactive_is_low(target_lruvec, LRU_INACTIVE_FILE))
			sc->may_deactivate |= DEACTIVATE_FILE;
		else
			sc->may_deactivate &= ~DEACTIVATE_FILE & 3;
	} else {
		sc->may_deactivate = DEACTIVATE_ANON | DEACTIVATE_FILE;
	}

	file = lruvec_page_state(target_lruvec, NR_INACTIVE_FILE);
	if ((file >> sc->priority) && !(sc->may_deactivate & DEACTIVATE_FILE) && !sc->no_cache_trim_mode)
		sc->cache_trim_mode = 1;
	else
		sc->cache_trim_mode = 0;

	if (!cgroup_reclaim(sc)) {
		unsigned long total_high_wmark = 0, free = 0, anon;
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &pgdat->node_zones[z];
			if (!managed_zone(zone))
				continue;
			free += (unsigned long)zone_page_state(zone, NR_FREE_PAGES);
			total_high_wmark += high_wmark_pages(zone);
		}
		file = node_page_state(pgdat, NR_ACTIVE_FILE) + node_page_state(pgdat, NR_INACTIVE_FILE);
		anon = node_page_state(pgdat, NR_INACTIVE_ANON);
		sc->file_is_tiny = file + free <= total_high_wmark && !(sc->may_deactivate & DEACTIVATE_ANON) &&
				   (anon >> sc->priority);
	}
}

/*
 * get_scan_count (6.12): how many pages of each evictable list to scan
 * (nr[lru]): the list's size >> priority, all of one type (SCAN_FILE
 * without swap or in cache-trim mode, SCAN_ANON when file is tiny),
 * both in full at priority 0 (SCAN_EQUAL), otherwise split in
 * proportion to
 *   ap = swappiness * (total + 1) / (anon_cost' + 1)
 *   fp = (200 - swappiness) * (total + 1) / (file_cost' + 1)
 * where anon_cost' = (anon_cost + file_cost) + anon_cost, file_cost' alike,
 * total = anon_cost' + file_cost'.
 *
 * A memcg with effective protection (mem_cgroup_protection: emin, elow;
 * none when it is the reclaim's own target) is scanned in proportion to
 * how much of its usage lies above the protection that applies: elow
 * while this is not the low-reclaim retry and elow exceeds emin (which
 * also records memcg_low_skipped, so the retry comes), emin otherwise:
 *   scan = size - size * protection / (max(usage, protection) + 1)
 * and at least SWAP_CLUSTER_MAX, before the priority shift.  A destroyed
 * memcg whose shifted target is 0 still gets min(size, SWAP_CLUSTER_MAX),
 * and its SCAN_FRACT shares are rounded up, so its last pages go.
 */
void get_scan_count(struct lruvec *lruvec, struct scan_control *sc, unsigned long *nr)
{
	struct pf_machine *m = sc->m;
	unsigned long anon_cost, file_cost, total_cost;
	int swappiness = sc_swappiness(sc);
	uint64_t fraction[ANON_AND_FILE] = { 0, 0 };
	uint64_t denominator = 0;
	enum scan_balance scan_balance;
	unsigned long ap, fp;
	int lru;
	struct mem_cgroup *memcg = lruvec->memcg;	/* lruvec_memcg: NULL for the root's (the node's) */
	bool online = !memcg || mem_cgroup_online(memcg);

	if (!sc->may_swap || !can_reclaim_anon_pages(m)) {
		scan_balance = SCAN_FILE;
		goto out;
	}
	if (cgroup_reclaim(sc) && !swappiness) {
		scan_balance = SCAN_FILE;
		goto out;
	}
	if (!sc->priority && swappiness) {
		scan_balance = SCAN_EQUAL;
		goto out;
	}
	if (sc->file_is_tiny) {
		scan_balance = SCAN_ANON;
		goto out;
	}
	if (sc->cache_trim_mode) {
		scan_balance = SCAN_FILE;
		goto out;
	}
	scan_balance = SCAN_FRACT;
	total_cost = sc->anon_cost + sc->file_cost;
	anon_cost = total_cost + sc->anon_cost;
	file_cost = total_cost + sc->file_cost;
	total_cost = anon_cost + file_cost;

	ap = (unsigned long)swappiness * (total_cost + 1);
	ap /= anon_cost + 1;
	fp = (unsigned long)(MAX_SWAPPINESS - swappiness) * (total_cost + 1);
	fp /= file_cost + 1;
	fraction[0] = ap;
	fraction[1] = fp;
	denominator = ap + fp;
out:
	for_each_evictable_lru(lru) {
		bool file = lru >= LRU_INACTIVE_FILE;
		unsigned long lruvec_size = lruvec_lru_size(lruvec, (enum lru_list)lru, sc->reclaim_idx);
		unsigned long min = 0, low = 0, scan;

		if (memcg)
			mem_cgroup_protection(sc->target_mem_cgroup, memcg, &min, &low);
		if (min || low) {
			unsigned long cgroup_size = mem_cgroup_size(memcg);
			unsigned long protection;

			if (!sc->memcg_low_reclaim && low > min) {
				protection = low;
				sc->memcg_low_skipped = 1;	/* the low-reclaim retry may take more */
			} else {
				protection = min;
			}
			/* usage may have fallen below the protection since the walk checked it */
			cgroup_size = max_t(unsigned long, cgroup_size, protection);
			scan = lruvec_size - lruvec_size * protection / (cgroup_size + 1);
			scan = max_t(unsigned long, scan, SWAP_CLUSTER_MAX);	/* keep reclaim moving */
		} else {
			scan = lruvec_size;
		}
		scan >>= sc->priority;
		if (!scan && !online)
			scan = min_t(unsigned long, lruvec_size, SWAP_CLUSTER_MAX);	/* empty a destroyed memcg */
		switch (scan_balance) {
		case SCAN_EQUAL:
			break;
		case SCAN_FRACT:
			if (online)
				scan = (unsigned long)((uint64_t)scan * fraction[file] / denominator);
			else
				scan = (unsigned long)(((uint64_t)scan * fraction[file] + denominator - 1) / denominator);
			break;
		case SCAN_FILE:
		case SCAN_ANON:
			if ((scan_balance == SCAN_FILE) != file)
				scan = 0;
			break;
		}
		nr[lru] = scan;
	}
}

/*
 * shrink_lruvec (6.12): scan the lists SWAP_CLUSTER_MAX at a time in the
 * proportions get_scan_count set.  Once enough is reclaimed (outside
 * the first direct pass, which goes on proportionally), the smaller side
 * stops and the larger one is cut to the same share of its target.
 */
static void shrink_lruvec(struct lruvec *lruvec, struct scan_control *sc)
{
	unsigned long nr[NR_LRU_LISTS] = { 0 };
	unsigned long targets[NR_LRU_LISTS];
	unsigned long nr_to_scan;
	int lru;
	unsigned long nr_reclaimed = 0;
	unsigned long nr_to_reclaim = sc->nr_to_reclaim;
	bool proportional_reclaim;

	get_scan_count(lruvec, sc, nr);
	memcpy(targets, nr, sizeof nr);
	proportional_reclaim = !cgroup_reclaim(sc) && !current_is_kswapd() && sc->priority == DEF_PRIORITY;

	while (nr[LRU_INACTIVE_ANON] || nr[LRU_ACTIVE_FILE] || nr[LRU_INACTIVE_FILE]) {
		unsigned long nr_anon, nr_file, percentage, nr_scanned;

		for_each_evictable_lru(lru) {
			if (nr[lru]) {
				nr_to_scan = min_t(unsigned long, nr[lru], SWAP_CLUSTER_MAX);
				nr[lru] -= nr_to_scan;
				nr_reclaimed += shrink_list((enum lru_list)lru, nr_to_scan, lruvec, sc);
			}
		}
		if (nr_reclaimed < nr_to_reclaim || proportional_reclaim)
			continue;

		nr_file = nr[LRU_INACTIVE_FILE] + nr[LRU_ACTIVE_FILE];
		nr_anon = nr[LRU_INACTIVE_ANON] + nr[LRU_ACTIVE_ANON];
		if (!nr_file || !nr_anon)
			break;
		if (nr_file > nr_anon) {
			unsigned long scan_target = targets[LRU_INACTIVE_ANON] + targets[LRU_ACTIVE_ANON] + 1;
			lru = LRU_BASE;
			percentage = nr_anon * 100 / scan_target;
		} else {
			unsigned long scan_target = targets[LRU_INACTIVE_FILE] + targets[LRU_ACTIVE_FILE] + 1;
			lru = LRU_FILE;
			percentage = nr_file * 100 / scan_target;
		}
		nr[lru] = 0;
		nr[lru + LRU_ACTIVE] = 0;
		lru = (lru == LRU_FILE) ? LRU_BASE : LRU_FILE;
		nr_scanned = targets[lru] - nr[lru];
		nr[lru] = targets[lru] * (100 - percentage) / 100;
		nr[lru] -= min_t(unsigned long, nr[lru], nr_scanned);
		lru += LRU_ACTIVE;
		nr_scanned = targets[lru] - nr[lru];
		nr[lru] = targets[lru] * (100 - percentage) / 100;
		nr[lru] -= min_t(unsigned long, nr[lru], nr_scanned);
	}
	sc->nr_reclaimed += nr_reclaimed;

	if (can_age_anon_pages(sc->m) && inactive_is_low(lruvec, LRU_INACTIVE_ANON))
		shrink_active_list(SWAP_CLUSTER_MAX, lruvec, sc, LRU_ACTIVE_ANON);
}

/* in_reclaim_compaction (6.12): reclaim on behalf of compaction for costly orders or under pressure */
static bool in_reclaim_compaction(struct scan_control *sc)
{
	bool compaction_allowed = sc->gfp_mask & PF___GFP_IO;	/* gfp_compaction_allowed */
	return compaction_allowed && sc->order &&
	       (sc->order > PAGE_ALLOC_COSTLY_ORDER || sc->priority < DEF_PRIORITY - 2);
}

/* should_continue_reclaim (6.12): go on until compaction could succeed */
static bool should_continue_reclaim(struct pglist_data *pgdat, unsigned long nr_reclaimed, struct scan_control *sc)
{
	unsigned long pages_for_compaction, inactive_lru_pages;

	if (!in_reclaim_compaction(sc))
		return false;
	if (!nr_reclaimed)
		return false;
	for (int z = 0; z <= sc->reclaim_idx; z++) {
		struct zone *zone = &pgdat->node_zones[z];
		if (!managed_zone(zone))
			continue;
		if (zone_watermark_ok(zone, (unsigned)sc->order, min_wmark_pages(zone), sc->reclaim_idx, 0))
			return false;
		if (compaction_suitable(zone, sc->order, sc->reclaim_idx))
			return false;
	}
	pages_for_compaction = compact_gap((unsigned)sc->order);
	inactive_lru_pages = node_page_state(pgdat, NR_INACTIVE_FILE);
	if (can_reclaim_anon_pages(sc->m))
		inactive_lru_pages += node_page_state(pgdat, NR_INACTIVE_ANON);
	return inactive_lru_pages > pages_for_compaction;
}

/*
 * shrink_node_memcgs (6.12): every memcg of the reclaim's subtree (the
 * whole tree for a global reclaim; the root's lruvec is the node's own)
 * with its effective protection worked out top-down: one under its
 * memory.min is skipped, one under its memory.low too unless this is the
 * retry that reclaims low-protected memory (counted as a low event);
 * the others have their lruvec shrunk, then the slab (the root's call
 * runs every shrinker, a memcg's only the memcg-aware ones marked for
 * it).  Without any memcg, the node's lruvec alone.
 */
static void shrink_node_memcgs(pg_data_t *pgdat, struct scan_control *sc)
{
	struct mem_cgroup *target_memcg = sc->target_mem_cgroup;
	struct mem_cgroup *root = target_memcg ? target_memcg : sc->m->root_mem_cgroup;
	struct mem_cgroup *memcg;

	if (!root) {
		shrink_lruvec(mem_cgroup_lruvec(NULL, pgdat), sc);
		shrink_slab(sc->m, sc->gfp_mask, pgdat->node_id, NULL, sc->priority);
		return;
	}
	memcg = mem_cgroup_iter(root, NULL, false, pgdat->node_id);
	do {
		mem_cgroup_calculate_protection(target_memcg, memcg);
		if (mem_cgroup_below_min(target_memcg, memcg)) {
			continue;	/* hard protection: not touched */
		} else if (mem_cgroup_below_low(target_memcg, memcg)) {
			if (!sc->memcg_low_reclaim) {
				sc->memcg_low_skipped = 1;
				continue;
			}
			memcg_memory_event(memcg, MEMCG_LOW);
		}
		shrink_lruvec(mem_cgroup_lruvec(memcg, pgdat), sc);
		shrink_slab(sc->m, sc->gfp_mask, pgdat->node_id, mem_cgroup_is_root(memcg) ? NULL : memcg, sc->priority);
	} while ((memcg = mem_cgroup_iter(root, memcg, false, pgdat->node_id)));
}

/* shrink_node (6.12) */
static void shrink_node(pg_data_t *pgdat, struct scan_control *sc)
{
	unsigned long nr_reclaimed, nr_node_reclaimed;
	bool reclaimable = false;

again:
	memset(&sc->nr, 0, sizeof sc->nr);
	nr_reclaimed = sc->nr_reclaimed;
	prepare_scan_control(pgdat, sc);
	shrink_node_memcgs(pgdat, sc);
	nr_node_reclaimed = sc->nr_reclaimed - nr_reclaimed;
	if (nr_node_reclaimed)
		reclaimable = true;
	if (current_is_kswapd()) {
		if (sc->nr.writeback && sc->nr.writeback == sc->nr.taken)
			__atomic_fetch_or(&pgdat->flags, 1UL << PGDAT_WRITEBACK, __ATOMIC_RELAXED);
		if (sc->nr.unqueued_dirty == sc->nr.file_taken)
			__atomic_fetch_or(&pgdat->flags, 1UL << PGDAT_DIRTY, __ATOMIC_RELAXED);
	}
	if (should_continue_reclaim(pgdat, nr_node_reclaimed, sc))
		goto again;
	if (reclaimable)
		__atomic_store_n(&pgdat->kswapd_failures, 0, __ATOMIC_RELAXED);
	else if (sc->cache_trim_mode)
		sc->cache_trim_mode_failed = 1;
}

/* compaction_ready (6.12): a costly request's zone has enough free memory for compaction to go first */
static bool compaction_ready(struct zone *zone, struct scan_control *sc)
{
	unsigned long watermark;

	if (!(sc->gfp_mask & PF___GFP_IO))
		return false;
	if (zone_watermark_ok(zone, (unsigned)sc->order, min_wmark_pages(zone), sc->reclaim_idx, 0))
		return true;
	if (!compaction_suitable(zone, sc->order, sc->reclaim_idx))
		return false;
	watermark = high_wmark_pages(zone) + compact_gap((unsigned)sc->order);
	return zone_watermark_ok_safe(zone, 0, watermark, sc->reclaim_idx);
}

/* shrink_zones (6.12): each node of the zonelist once */
static void shrink_zones(struct zonelist *zonelist, struct scan_control *sc)
{
	struct zoneref *z;
	struct zone *zone;
	pg_data_t *last_pgdat = NULL;

	for_each_zone_zonelist_nodemask(zone, z, zonelist, (enum zone_type)sc->reclaim_idx, sc->nodemask) {
		if (!cgroup_reclaim(sc)) {
			/* cpuset_zone_allowed comes with cpusets */
			if (sc->order > PAGE_ALLOC_COSTLY_ORDER && compaction_ready(zone, sc)) {
				sc->compaction_ready = 1;
				continue;
			}
			if (zone->zone_pgdat == last_pgdat)
				continue;
		}
		if (zone->zone_pgdat == last_pgdat)
			continue;
		last_pgdat = zone->zone_pgdat;
		shrink_node(zone->zone_pgdat, sc);
	}
}

/* snapshot_refaults (6.12): the activation counts a reclaim cycle ends with */
static void snapshot_refaults(struct mem_cgroup *target_memcg, pg_data_t *pgdat)
{
	struct lruvec *target_lruvec = mem_cgroup_lruvec(target_memcg, pgdat);
	/* several reclaimers may end a cycle at once: relaxed atomics */
	__atomic_store_n(&target_lruvec->refaults[WORKINGSET_ANON], node_page_state(pgdat, WORKINGSET_ACTIVATE_ANON),
			 __ATOMIC_RELAXED);
	__atomic_store_n(&target_lruvec->refaults[WORKINGSET_FILE], node_page_state(pgdat, WORKINGSET_ACTIVATE_FILE),
			 __ATOMIC_RELAXED);
}

/*
 * do_try_to_free_pages (6.12): shrink the zonelist from sc->priority down
 * to 0 until nr_to_reclaim pages went; with nothing at all reclaimed, run
 * again with a full memcg walk, then with forced deactivation, then
 * without memory.low protection.  Return: pages reclaimed (1 if
 * compaction is ready instead).
 */
static unsigned long do_try_to_free_pages(struct zonelist *zonelist, struct scan_control *sc)
{
	struct pf_machine *m = sc->m;
	int initial_priority = sc->priority;
	pg_data_t *last_pgdat;
	struct zoneref *z;
	struct zone *zone;

retry:
	if (!cgroup_reclaim(sc))
		__count_vm_events(m, (enum vm_event_item)(ALLOCSTALL_DMA + sc->reclaim_idx), 1);
	do {
		sc->nr_scanned = 0;
		shrink_zones(zonelist, sc);
		if (sc->nr_reclaimed >= sc->nr_to_reclaim)
			break;
		if (sc->compaction_ready)
			break;
		if (sc->priority < DEF_PRIORITY - 2)
			sc->may_writepage = 1;
	} while (--sc->priority >= 0);

	last_pgdat = NULL;
	for_each_zone_zonelist_nodemask(zone, z, zonelist, (enum zone_type)sc->reclaim_idx, sc->nodemask) {
		if (zone->zone_pgdat == last_pgdat)
			continue;
		last_pgdat = zone->zone_pgdat;
		snapshot_refaults(sc->target_mem_cgroup, zone->zone_pgdat);
		if (cgroup_reclaim(sc)) {
			struct lruvec *lruvec = mem_cgroup_lruvec(sc->target_mem_cgroup, zone->zone_pgdat);
			__atomic_fetch_and(&lruvec->flags, ~(1UL << LRUVEC_CGROUP_CONGESTED), __ATOMIC_RELAXED);
		}
	}
	if (sc->nr_reclaimed)
		return sc->nr_reclaimed;
	if (sc->compaction_ready)
		return 1;
	if (!sc->memcg_full_walk) {
		sc->priority = (signed char)initial_priority;
		sc->memcg_full_walk = 1;
		goto retry;
	}
	if (sc->skipped_deactivate) {
		sc->priority = (signed char)initial_priority;
		sc->force_deactivate = 1;
		sc->skipped_deactivate = 0;
		goto retry;
	}
	if (sc->memcg_low_skipped) {
		sc->priority = (signed char)initial_priority;
		sc->force_deactivate = 0;
		sc->memcg_low_reclaim = 1;
		sc->memcg_low_skipped = 0;
		goto retry;
	}
	return 0;
}

/*
 * try_to_free_pages (6.12): direct reclaim for an allocation of @order
 * with @gfp_mask over @zonelist.  Deliberate difference: no
 * throttle_direct_reclaim (nothing here waits for kswapd).
 */
unsigned long try_to_free_pages(struct pf_machine *m, struct zonelist *zonelist, int order, pf_gfp_t gfp_mask,
				nodemask_t *nodemask)
{
	unsigned long nr_reclaimed;
	struct scan_control sc = {
		.nr_to_reclaim = SWAP_CLUSTER_MAX,
		.gfp_mask = gfp_mask,
		.reclaim_idx = (signed char)gfp_zone(gfp_mask),
		.order = (signed char)order,
		.nodemask = nodemask,
		.priority = DEF_PRIORITY,
		.may_writepage = 1,	/* !laptop_mode */
		.may_unmap = 1,
		.may_swap = 1,
		.m = m,
	};

	if (trace_enabled(m, TRACE_MM_VMSCAN_DIRECT_RECLAIM_BEGIN))
		__trace_mm_vmscan_direct_reclaim_begin(m, order, gfp_mask);
	nr_reclaimed = do_try_to_free_pages(zonelist, &sc);
	if (trace_enabled(m, TRACE_MM_VMSCAN_DIRECT_RECLAIM_END))
		__trace_mm_vmscan_direct_reclaim_end(m, nr_reclaimed);
	return nr_reclaimed;
}

/*
 * try_to_free_mem_cgroup_pages (6.12): reclaim for a memory cgroup over
 * every node, in the PF_MEMALLOC scope (memalloc_noreclaim_save).  Until memcgs have their own lruvecs this reclaims from the
 * node lruvecs it is given (mem_cgroup_lruvec).
 */
unsigned long try_to_free_mem_cgroup_pages(struct pf_machine *m, struct mem_cgroup *memcg, unsigned long nr_pages,
					   pf_gfp_t gfp_mask, unsigned int reclaim_options, int *swappiness)
{
	unsigned long nr_reclaimed;
	int nid = numa_mem_id(m);
	struct scan_control sc = {
		.nr_to_reclaim = max_t(unsigned long, nr_pages, SWAP_CLUSTER_MAX),
		.gfp_mask = (gfp_mask & GFP_RECLAIM_MASK) | (PF_GFP_HIGHUSER_MOVABLE & ~GFP_RECLAIM_MASK),
		.reclaim_idx = MAX_NR_ZONES - 1,
		.target_mem_cgroup = memcg,
		.priority = DEF_PRIORITY,
		.may_writepage = 1,
		.may_unmap = 1,
		.may_swap = !!(reclaim_options & MEMCG_RECLAIM_MAY_SWAP),
		.proactive = !!(reclaim_options & MEMCG_RECLAIM_PROACTIVE),
		.m = m,
		.swappiness = swappiness,
	};
	struct zonelist *zonelist = node_zonelist(m, nid, sc.gfp_mask);

	/* the reclaimer's scope, as direct reclaim's: callbacks' allocations take the reserves, never reclaim */
	unsigned int noreclaim_flag = memalloc_noreclaim_save();
	nr_reclaimed = do_try_to_free_pages(zonelist, &sc);
	memalloc_noreclaim_restore(noreclaim_flag);
	return nr_reclaimed;
}

unsigned long pf_try_to_free_pages(struct pf_machine *m, pf_gfp_t gfp, unsigned int order, int nid)
{
	if (!m || nid < NUMA_NO_NODE || nid >= m->nr_node_ids || order > MAX_PAGE_ORDER)
		return 0;
	if (nid == NUMA_NO_NODE)
		nid = numa_mem_id(m);
	struct pf_task *tsk = current_task();
	unsigned int saved = tsk->flags & PF_MEMALLOC;
	tsk->flags |= PF_MEMALLOC;	/* __perform_reclaim's noreclaim scope */
	unsigned long n = try_to_free_pages(m, node_zonelist(m, nid, gfp), (int)order, gfp, NULL);
	tsk->flags = (tsk->flags & ~PF_MEMALLOC) | saved;
	return n;
}

/* ---- kswapd ----------------------------------------------------------------------------------- */

/* pgdat_watermark_boosted (6.12) */
static bool pgdat_watermark_boosted(pg_data_t *pgdat, int highest_zoneidx)
{
	for (int i = highest_zoneidx; i >= 0; i--) {
		struct zone *zone = pgdat->node_zones + i;
		if (!managed_zone(zone))
			continue;
		if (__atomic_load_n(&zone->watermark_boost, __ATOMIC_RELAXED))
			return true;
	}
	return false;
}

/*
 * pgdat_balanced (6.12): some zone up to @highest_zoneidx meets its high
 * watermark (boost included) for @order; a node without managed zones
 * counts as balanced.
 */
bool pgdat_balanced(pg_data_t *pgdat, int order, int highest_zoneidx)
{
	unsigned long mark = (unsigned long)-1;
	for (int i = 0; i <= highest_zoneidx; i++) {
		struct zone *zone = pgdat->node_zones + i;
		if (!managed_zone(zone))
			continue;
		mark = high_wmark_pages(zone);
		if (zone_watermark_ok_safe(zone, (unsigned)order, mark, highest_zoneidx))
			return true;
	}
	return mark == (unsigned long)-1;
}

/* clear_pgdat_congested (6.12) */
static void clear_pgdat_congested(pg_data_t *pgdat)
{
	struct lruvec *lruvec = mem_cgroup_lruvec(NULL, pgdat);
	__atomic_fetch_and(&lruvec->flags, ~((1UL << LRUVEC_NODE_CONGESTED) | (1UL << LRUVEC_CGROUP_CONGESTED)),
			   __ATOMIC_RELAXED);
	__atomic_fetch_and(&pgdat->flags, ~((1UL << PGDAT_DIRTY) | (1UL << PGDAT_WRITEBACK)), __ATOMIC_RELAXED);
}

/* prepare_kswapd_sleep (6.12): kswapd may sleep when the node is balanced or hopeless */
static bool prepare_kswapd_sleep(pg_data_t *pgdat, int order, int highest_zoneidx)
{
	if (__atomic_load_n(&pgdat->kswapd_failures, __ATOMIC_RELAXED) >= MAX_RECLAIM_RETRIES)
		return true;
	if (pgdat_balanced(pgdat, order, highest_zoneidx)) {
		clear_pgdat_congested(pgdat);
		return true;
	}
	return false;
}

/*
 * kswapd_shrink_node (6.12): one shrink_node aiming at the high watermarks
 * of the eligible zones.  Return: true when it scanned or reclaimed a
 * full target's worth (no need to raise the priority).
 */
static bool kswapd_shrink_node(pg_data_t *pgdat, struct scan_control *sc)
{
	unsigned long nr_reclaimed = sc->nr_reclaimed;

	sc->nr_to_reclaim = 0;
	for (int z = 0; z <= sc->reclaim_idx; z++) {
		struct zone *zone = pgdat->node_zones + z;
		if (!managed_zone(zone))
			continue;
		sc->nr_to_reclaim += max_t(unsigned long, high_wmark_pages(zone), SWAP_CLUSTER_MAX);
	}
	shrink_node(pgdat, sc);
	/* enough for compaction: balance for order 0 from here on */
	if (sc->order && sc->nr_reclaimed >= compact_gap((unsigned)sc->order))
		sc->order = 0;
	return max_t(unsigned long, sc->nr_scanned, sc->nr_reclaimed - nr_reclaimed) >= sc->nr_to_reclaim;
}

/* update_reclaim_active (6.12): ZONE_RECLAIM_ACTIVE on the zones kswapd works for */
static void update_reclaim_active(pg_data_t *pgdat, int highest_zoneidx, bool active)
{
	for (int i = 0; i <= highest_zoneidx; i++) {
		struct zone *zone = pgdat->node_zones + i;
		if (!managed_zone(zone))
			continue;
		if (active)
			__atomic_fetch_or(&zone->flags, 1UL << ZONE_RECLAIM_ACTIVE, __ATOMIC_RELAXED);
		else
			__atomic_fetch_and(&zone->flags, ~(1UL << ZONE_RECLAIM_ACTIVE), __ATOMIC_RELAXED);
	}
}

/* kswapd_age_node (6.12, classic LRU): keep the anon inactive list from running low */
static void kswapd_age_node(pg_data_t *pgdat, struct scan_control *sc)
{
	struct lruvec *lruvec;
	if (!can_age_anon_pages(sc->m))
		return;
	lruvec = mem_cgroup_lruvec(NULL, pgdat);
	if (!inactive_is_low(lruvec, LRU_INACTIVE_ANON))
		return;
	shrink_active_list(SWAP_CLUSTER_MAX, lruvec, sc, LRU_ACTIVE_ANON);
}

/*
 * balance_pgdat (6.12): reclaim on node @pgdat until a zone up to
 * @highest_zoneidx meets its high watermark for @order.  With boosted
 * watermarks, first reclaim only the boost (nr_boost_reclaim) at no more
 * than priority DEF_PRIORITY - 2, without writeback or swap; the boosts
 * it began with come off at the end and kcompactd is woken for a
 * pageblock.  A run that reclaims nothing counts a kswapd failure.
 * Return: the order balanced for (0 once enough was freed for compaction).
 */
static int balance_pgdat(pg_data_t *pgdat, int order, int highest_zoneidx)
{
	struct pf_machine *m = pgdat->machine;
	unsigned long nr_boost_reclaim = 0;
	unsigned long zone_boosts[MAX_NR_ZONES] = { 0 };
	bool boosted;
	struct zone *zone;
	struct scan_control sc = {
		.gfp_mask = PF_GFP_KERNEL,
		.order = (signed char)order,
		.may_unmap = 1,
		.m = m,
	};

	__count_vm_events(m, PAGEOUTRUN, 1);
	for (int i = 0; i <= highest_zoneidx; i++) {
		zone = pgdat->node_zones + i;
		if (!managed_zone(zone))
			continue;
		zone_boosts[i] = __atomic_load_n(&zone->watermark_boost, __ATOMIC_RELAXED);
		nr_boost_reclaim += zone_boosts[i];
	}
	boosted = nr_boost_reclaim;

restart:
	update_reclaim_active(pgdat, highest_zoneidx, true);
	sc.priority = DEF_PRIORITY;
	do {
		unsigned long nr_reclaimed = sc.nr_reclaimed;
		bool raise_priority = true;
		bool balanced;

		sc.reclaim_idx = (signed char)highest_zoneidx;
		balanced = pgdat_balanced(pgdat, sc.order, highest_zoneidx);
		if (!balanced && nr_boost_reclaim) {
			nr_boost_reclaim = 0;
			goto restart;
		}
		if (!nr_boost_reclaim && balanced)
			goto out;
		if (nr_boost_reclaim && sc.priority == DEF_PRIORITY - 2)
			raise_priority = false;
		sc.may_writepage = !nr_boost_reclaim;	/* !laptop_mode && ... */
		sc.may_swap = !nr_boost_reclaim;

		kswapd_age_node(pgdat, &sc);
		if (sc.priority < DEF_PRIORITY - 2)
			sc.may_writepage = 1;
		sc.nr_scanned = 0;
		if (kswapd_shrink_node(pgdat, &sc))
			raise_priority = false;

		struct pf_os_worker *w = __atomic_load_n(&pgdat->kswapd, __ATOMIC_ACQUIRE);
		if (w && pf_os_worker_should_stop(w))	/* kthread_freezable_should_stop */
			break;
		nr_reclaimed = sc.nr_reclaimed - nr_reclaimed;
		nr_boost_reclaim -= min_t(unsigned long, nr_boost_reclaim, nr_reclaimed);
		if (nr_boost_reclaim && !nr_reclaimed)
			break;
		if (raise_priority || !nr_reclaimed)
			sc.priority--;
	} while (sc.priority >= 1);

	if (!sc.nr_reclaimed && sc.priority < 1 && !sc.no_cache_trim_mode && sc.cache_trim_mode_failed) {
		sc.no_cache_trim_mode = 1;
		goto restart;
	}
	if (!sc.nr_reclaimed)
		__atomic_fetch_add(&pgdat->kswapd_failures, 1, __ATOMIC_RELAXED);
out:
	update_reclaim_active(pgdat, highest_zoneidx, false);
	if (boosted) {
		for (int i = 0; i <= highest_zoneidx; i++) {
			if (!zone_boosts[i])
				continue;
			zone = pgdat->node_zones + i;
			pf_spin_lock(&zone->lock);
			unsigned long b = __atomic_load_n(&zone->watermark_boost, __ATOMIC_RELAXED);
			__atomic_store_n(&zone->watermark_boost, b - min_t(unsigned long, b, zone_boosts[i]),
					 __ATOMIC_RELAXED);
			pf_spin_unlock(&zone->lock);
		}
		/* the boost came from fragmentation: let kcompactd fix it */
		wakeup_kcompactd(pgdat, pageblock_order, highest_zoneidx);
	}
	snapshot_refaults(NULL, pgdat);
	return sc.order;
}

/* kswapd_highest_zoneidx (6.12): the requested index, or @prev when none was requested */
static enum zone_type kswapd_highest_zoneidx(pg_data_t *pgdat, enum zone_type prev_highest_zoneidx)
{
	enum zone_type curr_idx = pgdat->kswapd_highest_zoneidx;
	return curr_idx == MAX_NR_ZONES ? prev_highest_zoneidx : curr_idx;
}

/*
 * kswapd_try_to_sleep (6.12): when the node is balanced, reset the
 * compaction skip hints, wake kcompactd, nap (100 ms; a stepped pass
 * takes the nap as over) and, still balanced and not woken, sleep.
 * Return: true when kswapd went to sleep.
 */
static bool kswapd_try_to_sleep(pg_data_t *pgdat, int alloc_order, int reclaim_order,
				enum zone_type highest_zoneidx)
{
	struct pf_machine *m = pgdat->machine;
	bool remaining = false;

	pf_spin_lock(&pgdat->kswapd_lock);
	pgdat->kswapd_asleep = true;	/* prepare_to_wait: wakeups from here on are seen */
	pf_spin_unlock(&pgdat->kswapd_lock);

	if (prepare_kswapd_sleep(pgdat, reclaim_order, (int)highest_zoneidx)) {
		reset_isolation_suitable(pgdat);
		wakeup_kcompactd(pgdat, alloc_order, (int)highest_zoneidx);
		struct pf_os_worker *w = __atomic_load_n(&pgdat->kswapd, __ATOMIC_ACQUIRE);
		if (w) {
			remaining = pf_os_worker_wait(w, 100);	/* schedule_timeout(HZ/10) */
			if (remaining) {
				pf_spin_lock(&pgdat->kswapd_lock);
				pgdat->kswapd_woken = true;
				pf_spin_unlock(&pgdat->kswapd_lock);
			}
		}
		pf_spin_lock(&pgdat->kswapd_lock);
		remaining = pgdat->kswapd_woken;
		if (remaining) {
			pgdat->kswapd_highest_zoneidx = kswapd_highest_zoneidx(pgdat, highest_zoneidx);
			if (pgdat->kswapd_order < reclaim_order)
				pgdat->kswapd_order = reclaim_order;
		}
		pf_spin_unlock(&pgdat->kswapd_lock);
	}
	if (!remaining && prepare_kswapd_sleep(pgdat, reclaim_order, (int)highest_zoneidx)) {
		if (trace_enabled(m, TRACE_MM_VMSCAN_KSWAPD_SLEEP))
			__trace_mm_vmscan_kswapd_sleep(m, pgdat->node_id);
		return true;
	}
	__count_vm_events(m, remaining ? KSWAPD_LOW_WMARK_HIT_QUICKLY : KSWAPD_HIGH_WMARK_HIT_QUICKLY, 1);
	/* not balanced (or woken again): kswapd stays awake and runs another pass */
	pf_spin_lock(&pgdat->kswapd_lock);
	pgdat->kswapd_asleep = false;
	pgdat->kswapd_woken = true;
	pf_spin_unlock(&pgdat->kswapd_lock);
	return false;
}

/*
 * kswapd_pass - one turn of 6.12's kswapd() loop after a wakeup: take the
 * request, balance_pgdat, then kswapd_try_to_sleep.  Context: the caller
 * is PF_KSWAPD | PF_MEMALLOC.  Return: PF_KSWAPD_BALANCED or _AWAKE.
 */
static int kswapd_pass(pg_data_t *pgdat)
{
	struct pf_machine *m = pgdat->machine;
	int alloc_order, reclaim_order;
	enum zone_type highest_zoneidx;

	pf_spin_lock(&pgdat->kswapd_lock);
	alloc_order = pgdat->kswapd_order;
	highest_zoneidx = kswapd_highest_zoneidx(pgdat, (enum zone_type)(MAX_NR_ZONES - 1));
	pgdat->kswapd_order = 0;
	pgdat->kswapd_highest_zoneidx = MAX_NR_ZONES;
	pgdat->kswapd_woken = false;
	pgdat->kswapd_asleep = false;
	pf_spin_unlock(&pgdat->kswapd_lock);
	if ((int)highest_zoneidx >= pgdat->nr_zones && pgdat->nr_zones > 0)
		highest_zoneidx = (enum zone_type)(pgdat->nr_zones - 1);

	if (trace_enabled(m, TRACE_MM_VMSCAN_KSWAPD_WAKE))
		__trace_mm_vmscan_kswapd_wake(m, pgdat->node_id, (int)highest_zoneidx, alloc_order);
	reclaim_order = balance_pgdat(pgdat, alloc_order, (int)highest_zoneidx);
	if (reclaim_order >= alloc_order) {
		/* the loop's top: a wakeup during the run may have asked for more */
		pf_spin_lock(&pgdat->kswapd_lock);
		alloc_order = reclaim_order = pgdat->kswapd_order;
		highest_zoneidx = kswapd_highest_zoneidx(pgdat, highest_zoneidx);
		pf_spin_unlock(&pgdat->kswapd_lock);
	}
	return kswapd_try_to_sleep(pgdat, alloc_order, reclaim_order, highest_zoneidx) ? PF_KSWAPD_BALANCED
											: PF_KSWAPD_AWAKE;
}

/*
 * wakeup_kswapd (6.12): record the request in the node's kswapd_order and
 * kswapd_highest_zoneidx and wake kswapd if it sleeps, unless the node is
 * hopeless or already balanced and unboosted (then only kcompactd, for
 * requests that will not reclaim directly).
 */
void wakeup_kswapd(struct zone *zone, pf_gfp_t gfp_flags, int order, enum zone_type highest_zoneidx)
{
	pg_data_t *pgdat;
	struct pf_machine *m;
	struct pf_os_worker *w;

	if (!managed_zone(zone))
		return;
	pgdat = zone->zone_pgdat;
	m = pgdat->machine;
	pf_spin_lock(&pgdat->kswapd_lock);
	if (pgdat->kswapd_highest_zoneidx == MAX_NR_ZONES || pgdat->kswapd_highest_zoneidx < highest_zoneidx)
		pgdat->kswapd_highest_zoneidx = highest_zoneidx;
	if (pgdat->kswapd_order < order)
		pgdat->kswapd_order = order;
	bool asleep = pgdat->kswapd_asleep;
	pf_spin_unlock(&pgdat->kswapd_lock);
	if (!asleep)	/* !waitqueue_active: kswapd is running and will see the request */
		return;

	if (__atomic_load_n(&pgdat->kswapd_failures, __ATOMIC_RELAXED) >= MAX_RECLAIM_RETRIES ||
	    (pgdat_balanced(pgdat, order, (int)highest_zoneidx) &&
	     !pgdat_watermark_boosted(pgdat, (int)highest_zoneidx))) {
		if (!(gfp_flags & PF___GFP_DIRECT_RECLAIM))
			wakeup_kcompactd(pgdat, order, (int)highest_zoneidx);
		return;
	}
	if (trace_enabled(m, TRACE_MM_VMSCAN_WAKEUP_KSWAPD))
		__trace_mm_vmscan_wakeup_kswapd(m, pgdat->node_id, (int)highest_zoneidx, order, gfp_flags);
	pf_spin_lock(&pgdat->kswapd_lock);
	pgdat->kswapd_woken = true;
	pgdat->kswapd_asleep = false;
	w = pgdat->kswapd;
	pf_spin_unlock(&pgdat->kswapd_lock);
	if (w)
		pf_os_worker_wake(w);
}

int pf_kswapd_run(struct pf_machine *m, int nid)
{
	if (!m || nid < 0 || nid >= m->nr_node_ids || !m->node_data[nid])
		return -EINVAL;
	pg_data_t *pgdat = m->node_data[nid];
	if (__atomic_load_n(&pgdat->kswapd, __ATOMIC_ACQUIRE))
		return -EBUSY;
	pf_spin_lock(&pgdat->kswapd_lock);
	bool woken = pgdat->kswapd_woken;
	pf_spin_unlock(&pgdat->kswapd_lock);
	if (!woken)
		return PF_KSWAPD_IDLE;
	struct pf_task *tsk = current_task();
	unsigned int saved = tsk->flags & (PF_MEMALLOC | PF_KSWAPD);
	tsk->flags |= PF_MEMALLOC | PF_KSWAPD;
	int ret = kswapd_pass(pgdat);
	tsk->flags = (tsk->flags & ~(PF_MEMALLOC | PF_KSWAPD)) | saved;
	return ret;
}

/* kswapd (6.12): the thread's loop */
static void kswapd_thread(void *arg)
{
	pg_data_t *pgdat = arg;
	struct pf_os_worker *w;

	/* pf_kswapd_start holds the lock until the handle is published */
	pf_spin_lock(&pgdat->kswapd_lock);
	w = pgdat->kswapd;
	pf_spin_unlock(&pgdat->kswapd_lock);
	current_task()->flags |= PF_MEMALLOC | PF_KSWAPD;
	while (!pf_os_worker_should_stop(w)) {
		pf_spin_lock(&pgdat->kswapd_lock);
		bool woken = pgdat->kswapd_woken;
		pf_spin_unlock(&pgdat->kswapd_lock);
		if (!woken) {
			pf_os_worker_wait(w, -1);
			continue;
		}
		kswapd_pass(pgdat);
	}
	current_task()->flags &= ~(PF_MEMALLOC | PF_KSWAPD);
}

int pf_kswapd_start(struct pf_machine *m)
{
	if (!m)
		return -EINVAL;
	for (int nid = 0; nid < m->nr_node_ids; nid++) {
		pg_data_t *pgdat = m->node_data[nid];
		if (!pgdat || __atomic_load_n(&pgdat->kswapd, __ATOMIC_ACQUIRE))
			continue;
		char name[16];
		snprintf(name, sizeof name, "kswapd%d", nid);
		if (!node_worker_start(&pgdat->kswapd, &pgdat->kswapd_lock, kswapd_thread, pgdat, name)) {
			pf_kswapd_stop(m);
			return -EAGAIN;
		}
	}
	return 0;
}

void pf_kswapd_stop(struct pf_machine *m)
{
	if (!m)
		return;
	for (int nid = 0; nid < m->nr_node_ids; nid++) {
		pg_data_t *pgdat = m->node_data[nid];
		if (pgdat)
			node_worker_stop(&pgdat->kswapd, &pgdat->kswapd_lock);
	}
}

/* ---- node_reclaim (6.12) ------------------------------------------------------------------------ */

/* node_unmapped_file_pages (6.12): without page tables every file LRU page is unmapped */
static unsigned long node_pagecache_reclaimable(pg_data_t *pgdat, int mode)
{
	unsigned long nr_pagecache_reclaimable = node_page_state(pgdat, NR_FILE_PAGES);
	unsigned long delta = 0;
	if (!(mode & RECLAIM_WRITE))
		delta += node_page_state(pgdat, NR_FILE_DIRTY);
	if (delta > nr_pagecache_reclaimable)
		delta = nr_pagecache_reclaimable;
	return nr_pagecache_reclaimable - delta;
}

/* __node_reclaim (6.12): reclaim about 2^order pages from this node, not writing or unmapping unless allowed */
static unsigned long __node_reclaim(pg_data_t *pgdat, pf_gfp_t gfp_mask, unsigned int order)
{
	struct pf_machine *m = pgdat->machine;
	const unsigned long nr_pages = 1UL << order;
	struct pf_task *tsk = current_task();
	unsigned int saved = tsk->flags & PF_MEMALLOC;
	struct scan_control sc = {
		.nr_to_reclaim = max_t(unsigned long, nr_pages, SWAP_CLUSTER_MAX),
		.gfp_mask = gfp_mask,
		.order = (signed char)order,
		.priority = 4,		/* NODE_RECLAIM_PRIORITY */
		.may_writepage = !!(m->node_reclaim_mode & RECLAIM_WRITE),
		.may_unmap = !!(m->node_reclaim_mode & RECLAIM_UNMAP),
		.may_swap = 1,
		.reclaim_idx = (signed char)gfp_zone(gfp_mask),
		.m = m,
	};

	tsk->flags |= PF_MEMALLOC;
	if (node_pagecache_reclaimable(pgdat, m->node_reclaim_mode) > pgdat->min_unmapped_pages) {
		do {
			shrink_node(pgdat, &sc);
		} while (sc.nr_reclaimed < nr_pages && --sc.priority >= 0);
	}
	tsk->flags = (tsk->flags & ~PF_MEMALLOC) | saved;
	return sc.nr_reclaimed;
}

/*
 * node_reclaim (6.12): get_page_from_freelist's attempt to free memory on
 * the zone's own node before going elsewhere (vm.zone_reclaim_mode).
 */
int node_reclaim(pg_data_t *pgdat, pf_gfp_t gfp_mask, unsigned int order)
{
	struct pf_machine *m = pgdat->machine;
	unsigned long ret;

	if (node_pagecache_reclaimable(pgdat, m->node_reclaim_mode) <= pgdat->min_unmapped_pages &&
	    node_page_state(pgdat, NR_SLAB_RECLAIMABLE_B) <= pgdat->min_slab_pages)
		return NODE_RECLAIM_FULL;
	if (!(gfp_mask & PF___GFP_DIRECT_RECLAIM) || (current_task()->flags & PF_MEMALLOC))
		return NODE_RECLAIM_NOSCAN;
	/* only the local node (node_state(pgdat->node_id, N_CPU) && pgdat->node_id != numa_node_id()) */
	if (pgdat->node_id != numa_mem_id(m))
		return NODE_RECLAIM_NOSCAN;
	if (__atomic_fetch_or(&pgdat->flags, 1UL << PGDAT_RECLAIM_LOCKED, __ATOMIC_ACQUIRE) &
	    (1UL << PGDAT_RECLAIM_LOCKED))
		return NODE_RECLAIM_NOSCAN;
	ret = __node_reclaim(pgdat, gfp_mask, order);
	__atomic_fetch_and(&pgdat->flags, ~(1UL << PGDAT_RECLAIM_LOCKED), __ATOMIC_RELEASE);
	__count_vm_events(m, ret ? PGSCAN_ZONE_RECLAIM_SUCCESS : PGSCAN_ZONE_RECLAIM_FAILED, 1);
	return ret >= (1UL << order) ? NODE_RECLAIM_SUCCESS : NODE_RECLAIM_SOME;
}

/* ---- drop_caches bit 1 (fs/drop_caches.c, 6.12) ---------------------------------------------------- */

/*
 * drop_pagecache - invalidate_mapping_pages over every clean, unlocked,
 * unreferenced-by-others file page: each is isolated and offered to its
 * owner's release_folio.  Dirty pages stay (the kernel's drop_caches
 * leaves them too).  Return: pages freed.
 */
unsigned long drop_pagecache(struct pf_machine *m)
{
	unsigned long freed = 0;
	struct scan_control sc = {
		.gfp_mask = PF_GFP_KERNEL,
		.reclaim_idx = MAX_NR_ZONES - 1,
		.m = m,
	};
	for (int nid = 0; nid < m->nr_node_ids; nid++) {
		struct lruvec *lruvec = mem_cgroup_lruvec(NULL, m->node_data[nid]);
		for (int lru = LRU_INACTIVE_FILE; lru <= LRU_ACTIVE_FILE; lru++) {
			unsigned long size = lruvec_lru_size(lruvec, (enum lru_list)lru, MAX_NR_ZONES - 1);
			while (size) {
				LIST_HEAD(list);
				unsigned long nr_scanned, nr_taken, batch = min_t(unsigned long, size, SWAP_CLUSTER_MAX);
				size -= batch;
				pf_spin_lock(&lruvec->lru_lock);
				nr_taken = isolate_lru_folios(batch, lruvec, &list, &nr_scanned, &sc, (enum lru_list)lru);
				mod_node_page_state(lruvec->pgdat, NR_ISOLATED_FILE, (long)nr_taken);
				pf_spin_unlock(&lruvec->lru_lock);
				LIST_HEAD(keep);
				while (!list_empty(&list)) {
					struct pf_page *page = lru_to_page(&list);
					list_del(&page->lru);
					unsigned long mv = (unsigned long)__atomic_load_n(&page->mapping, __ATOMIC_ACQUIRE);
					struct pf_address_space *mapping = (struct pf_address_space *)(mv & ~PAGE_MAPPING_FLAGS);
					if (mv && trylock_page(page)) {
						if (!PageDirty(page) && page_owner_refs(page) == 1 &&
						    mapping->a_ops->release_folio &&
						    mapping->a_ops->release_folio(mapping, page, workingset_eviction_peek(page))) {
							workingset_age_nonresident(lruvec, 1);
							reclaim_done(page, false);
							freed++;
							continue;
						}
						unlock_page(page);
					}
					list_add(&page->lru, &keep);
				}
				pf_spin_lock(&lruvec->lru_lock);
				move_folios_to_lru(lruvec, &keep);
				mod_node_page_state(lruvec->pgdat, NR_ISOLATED_FILE, -(long)nr_taken);
				pf_spin_unlock(&lruvec->lru_lock);
			}
		}
	}
	__count_vm_events(m, DROP_PAGECACHE, 1);
	return freed;
}

/* ---- sysctls and set-up ------------------------------------------------------------------------------ */

/* vm.swappiness: 0..200 (proc_dointvec_minmax with SYSCTL_TWO_HUNDRED) */
int swappiness_sysctl_handler(struct pf_machine *m, const struct pf_ctl_table *table, const char *buffer)
{
	return proc_dointvec_minmax(m, table, buffer);
}

/* the defaults of 6.12: swappiness 60, node_reclaim_mode 0; kswapd asleep, no request */
void vmscan_init(struct pf_machine *m)
{
	m->vm_swappiness = 60;
	m->node_reclaim_mode = 0;
	for (int nid = 0; nid < m->nr_node_ids; nid++) {
		pg_data_t *pgdat = m->node_data[nid];
		if (!pgdat)
			continue;
		lruvec_init(&pgdat->__lruvec, pgdat, NULL);
		pf_spin_lock_init(&pgdat->kswapd_lock);
		pgdat->kswapd_order = 0;
		pgdat->kswapd_highest_zoneidx = MAX_NR_ZONES;
		pgdat->kswapd_woken = false;
		pgdat->kswapd_asleep = true;
		pgdat->kswapd_failures = 0;
		pgdat->flags = 0;
		pgdat->kswapd = NULL;
		/* min_unmapped_ratio 1 % and min_slab_ratio 5 % of the node's managed pages (setup_min_*_ratio) */
		unsigned long managed = 0;
		for (int z = 0; z < MAX_NR_ZONES; z++)
			managed += zone_managed_pages(&pgdat->node_zones[z]);
		pgdat->min_unmapped_pages = managed * 1 / 100;
		pgdat->min_slab_pages = managed * 5 / 100;
	}
}

/* after boot: the swap area, and kswapd's threads when the description asked for them */
int vmscan_late_init(struct pf_machine *m, char *err, size_t errlen)
{
	int rc = swapfile_init(m, err, errlen);
	if (rc)
		return rc;
	if (m->kswapd_threads && pf_kswapd_start(m)) {
		snprintf(err, errlen, "workers threads: could not start kswapd threads");
		return -EAGAIN;
	}
	return 0;
}
