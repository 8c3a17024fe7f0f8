/* SPDX-License-Identifier: MIT */
/*
 * pageframe/reclaim.h - pages an owner puts on the machine's LRU lists,
 * reclaim, swap and kswapd (Linux 6.12's mm/swap.c, mm/vmscan.c,
 * mm/workingset.c, mm/swapfile.c; the classic active/inactive LRU, not
 * MGLRU).  Included by <pageframe/pageframe.h>.
 *
 * An owner (a cache, a heap of "anonymous" memory) allocates pages as
 * usual and hands them to the LRU with pf_lru_cache_add, naming a
 * struct pf_address_space: its operations and its own pointer.  When
 * memory runs short, reclaim (direct, from the allocation slow path or
 * pf_try_to_free_pages, or kswapd) takes pages from the cold end of the
 * lists and asks their owner to let go of them:
 *   - a clean file page: release_folio; the owner forgets the page and
 *     keeps the shadow value if it wants refaults detected;
 *   - a dirty file page: writepage first (the owner writes it wherever
 *     its data lives), then as a clean one;
 *   - an anonymous page: the library takes a slot of the machine's swap
 *     area ("swap SIZE" in the description), calls try_to_unmap so that
 *     the owner replaces its pointer by the swap entry, copies the page's
 *     contents (hosted machines) to the slot and frees the page.  The
 *     owner gets it back with pf_swap_readpage.
 * After a callback said yes, the page belongs to the library, which frees
 * it; the owner never touches it again.
 *
 * Glossary
 *   LRU       least recently used: per node, inactive and active lists of
 *             anonymous and of file pages; new pages start inactive,
 *             pages used twice move to the active list.
 *   shadow    what an evicted file page leaves behind (the workingset
 *             clock at eviction); given back with pf_workingset_refault
 *             it tells whether the page came back soon enough to count
 *             as part of the working set.
 *   swap entry  where an anonymous page's contents went (nonzero).
 *
 * Contract for owners:
 *   - An owner holds one reference to each of its LRU pages (the page it
 *     allocated); it may take more with get_page-style calls, and a page
 *     with extra references is not reclaimed.
 *   - Before freeing a page that is on the LRU, call pf_lru_del.  It
 *     always succeeds: if reclaim holds the page at that moment, the
 *     library frees it when reclaim is done with it.
 *   - Callbacks run in the reclaiming thread (an allocating thread, a
 *     kswapd thread, or the caller of pf_kswapd_run / pf_try_to_free_pages)
 *     with the page locked and no allocator lock held.  They must not
 *     allocate from or free to the same machine, and must not wait for a
 *     lock the owner holds while it calls pf_lru_* on the same page: take
 *     it with a trylock and answer "no" (false, -EAGAIN) when busy.  A
 *     callback may be called for a page the owner has just removed with
 *     pf_lru_del; it answers "no" then.
 *   - Pages on the LRU are order-0 pages; they are not movable by
 *     compaction (6.12 migrates LRU folios; pageframe does not yet).
 */
#ifndef PAGEFRAME_RECLAIM_H
#define PAGEFRAME_RECLAIM_H

#include <stdbool.h>
#include <pageframe/pageframe.h>

#ifdef __cplusplus
extern "C" {
#endif

struct pf_address_space;

/* Which LRU a page goes on (the kernel tells by PG_swapbacked). */
#define PF_LRU_ANON	0	/* swap-backed: reclaimed by swapping out */
#define PF_LRU_FILE	1	/* file-backed: reclaimed by releasing (after writeback when dirty) */

/**
 * struct pf_address_space_operations - what reclaim asks an owner
 * (the kernel's address_space_operations and the rmap unmap step).
 * @release_folio: a clean file page is being reclaimed: return true when
 *                 the owner has let go of it (the library frees it), false
 *                 to keep it.  @shadow: pass it to pf_workingset_refault
 *                 if the owner loads the same data again.
 * @writepage:     a dirty file page: write its contents back; return 0
 *                 (the page is clean now) or -errno (it stays dirty and
 *                 is kept; the failure is counted and reported).
 * @try_to_unmap:  an anonymous page's contents are going to swap entry
 *                 @entry: return true when the owner now holds @entry
 *                 instead of the page (the library writes the contents
 *                 and frees the page), false to keep it.
 * Each may be NULL: the pages it would serve are then kept.
 */
struct pf_address_space_operations {
	bool (*release_folio)(struct pf_address_space *mapping, struct pf_page *page, unsigned long shadow);
	int (*writepage)(struct pf_address_space *mapping, struct pf_page *page);
	bool (*try_to_unmap)(struct pf_address_space *mapping, struct pf_page *page, unsigned long entry);
};

/**
 * struct pf_address_space - an owner of LRU pages (the kernel's struct
 * address_space): its operations and its own pointer.  Lives as long as
 * any of its pages is on the LRU.  page->mapping points to it while the
 * page is on the LRU; page->index and page->private stay the owner's.
 */
struct pf_address_space {
	const struct pf_address_space_operations *a_ops;
	void *host;
};

/**
 * pf_lru_cache_add - put @page on its node's LRU (folio_add_lru, 6.12):
 * the inactive list of @type (PF_LRU_ANON / PF_LRU_FILE), or the active
 * one when pf_workingset_refault found it part of the working set.
 * @page is an order-0 page the caller allocated and holds.
 * Return: 0; -EINVAL for a bad page, type or mapping (reported); -EBUSY
 * if it is already on an LRU list, movable, or otherwise in use.
 * While the calling thread is attached to a memcg (pf_memcg_attach) the
 * page is charged to it and goes on that memcg's lists; -ENOMEM when the
 * memcg is at memory.max and nothing could be reclaimed (the page is
 * then the caller's to free, with what pf_workingset_refault marked on it
 * cleared).
 */
PF_API int pf_lru_cache_add(struct pf_page *page, struct pf_address_space *mapping, int type);

/**
 * pf_lru_del - take @page off the LRU before the owner frees it
 * (the kernel's page cache deletion, then the LRU removal of the last
 * folio_put).  Clears PG_active, PG_referenced, PG_workingset, PG_dirty
 * and page->mapping.  Return: 0; -EINVAL for a page that is not an
 * owner's LRU page (reported).
 */
PF_API int pf_lru_del(struct pf_page *page);

/**
 * pf_mark_page_accessed - the owner used @page (folio_mark_accessed,
 * 6.12): an inactive page seen referenced once more moves to the active
 * list; otherwise it is marked referenced.
 */
PF_API void pf_mark_page_accessed(struct pf_page *page);

/**
 * pf_set_page_dirty - the owner wrote to a file @page (folio_mark_dirty):
 * reclaim writes it back through writepage before releasing it.
 * Return: true if it was clean before.  Anonymous pages are always
 * written to swap; marking them dirty changes nothing.
 */
PF_API bool pf_set_page_dirty(struct pf_page *page);

/**
 * pf_clear_page_dirty - the owner wrote a dirty file @page back itself
 * (folio_clear_dirty_for_io with the write done).  Return: true if it
 * was dirty.
 */
PF_API bool pf_clear_page_dirty(struct pf_page *page);

/**
 * pf_workingset_refault - @page, about to be added with pf_lru_cache_add
 * as @type, holds data evicted before with @shadow (workingset_refault,
 * 6.12): counted as a refault, and activated when its refault distance
 * fits within the working set.  A zero @shadow is ignored.
 */
PF_API void pf_workingset_refault(struct pf_page *page, int type, unsigned long shadow);

/**
 * pf_swap_readpage - read swap entry @entry back into a new page
 * (swap_read_folio, with the swap cache dropped at once): allocated with
 * @gfp on machine @m, contents copied back (hosted machines), the slot
 * freed.  With @mapping the page is also put on the LRU as an anonymous
 * page of @mapping with page->index = @index (set first, so callbacks can
 * find it), after refault detection (workingset_refault may make it
 * active at once); with NULL it is a plain page of the caller's and
 * @index is ignored.  Return: the page, or NULL (bad entry: reported; no
 * memory, or with @mapping the calling thread's memcg could not take the
 * charge: the entry is then still in use, its data kept).
 */
PF_API struct pf_page *pf_swap_readpage(struct pf_machine *m, unsigned long entry, pf_gfp_t gfp,
					struct pf_address_space *mapping, unsigned long index);

/**
 * pf_swap_free - the owner drops swapped-out data it no longer needs
 * (swap_free).  Return: 0, or -EINVAL for an entry that is not in use
 * (reported).
 */
PF_API int pf_swap_free(struct pf_machine *m, unsigned long entry);

/**
 * pf_swap_info - the swap area's size and free slots in pages (the
 * kernel's total_swap_pages and get_nr_swap_pages); 0 and 0 without one.
 */
PF_API void pf_swap_info(struct pf_machine *m, unsigned long *total, unsigned long *free);

/**
 * pf_try_to_free_pages - direct reclaim as the allocation slow path runs
 * it (try_to_free_pages, 6.12) for a request of @order with @gfp from
 * node @nid's zonelist: at most SWAP_CLUSTER_MAX (32) pages at priority
 * 12 down to 0 until enough are freed.  The calling thread is marked
 * PF_MEMALLOC meanwhile.  Return: pages reclaimed.
 */
PF_API unsigned long pf_try_to_free_pages(struct pf_machine *m, pf_gfp_t gfp, unsigned int order, int nid);

/* pf_kswapd_run's answers */
#define PF_KSWAPD_IDLE		0	/* not woken: kswapd sleeps on */
#define PF_KSWAPD_BALANCED	1	/* ran balance_pgdat and went back to sleep */
#define PF_KSWAPD_AWAKE		2	/* ran balance_pgdat; the node is still not balanced, kswapd stays awake */

/**
 * pf_kswapd_run - one pass of node @nid's kswapd in the calling thread
 * (kswapd(), 6.12): if a wakeup_kswapd is pending, balance_pgdat for the
 * order and zone it asked for, then kswapd_try_to_sleep (which lets
 * kcompactd run, as the kernel's).  The thread is PF_KSWAPD | PF_MEMALLOC
 * meanwhile.  Deterministic: the same state and calls give the same result.
 * Return: PF_KSWAPD_*, -EINVAL (bad machine or node), -EBUSY while
 * pf_kswapd_start's threads run.
 */
PF_API int pf_kswapd_run(struct pf_machine *m, int nid);

/**
 * pf_kswapd_start - run kswapd as one thread per node, as the kernel does
 * (the description's "workers threads" starts them at boot).  Owners'
 * callbacks are then called from those threads.  Return: 0, -EAGAIN.
 */
PF_API int pf_kswapd_start(struct pf_machine *m);

/** pf_kswapd_stop - stop and join kswapd's threads; pf_machine_destroy does it too. */
PF_API void pf_kswapd_stop(struct pf_machine *m);

#ifdef __cplusplus
}
#endif
#endif /* PAGEFRAME_RECLAIM_H */
