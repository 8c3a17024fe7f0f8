/* SPDX-License-Identifier: MIT */
/*
 * migrate.c - movable pages with owners, and their migration (mm/migrate.c
 * and the movable-page half of mm/compaction.c, Linux 6.12).
 *
 * A movable page (block) belongs to an owner who registered its
 * pf_movable_operations with pf_set_page_movable.  Compaction and the
 * contiguous allocator take such pages off their owners for a while
 * (isolate_movable_page), then move them (migrate_pages) or give them back
 * (putback_movable_pages).  Only non-LRU movable pages exist here: there
 * are no page tables, no LRU lists, no anon_vma, no page cache, so the
 * unmap half of the kernel's migration is only the locking of both pages.
 *
 * Locking, as the kernel's: a migrating thread holds a reference to each
 * page it isolated, and the page lock (PG_locked) of both pages while one
 * moves; the owner's callbacks run with those and no zone or per-CPU lock.
 *
 * References.  An isolated page holds one reference of the isolator on top
 * of the owner's.  Speculative references (get_page_unless_zero) count in
 * units of PAGE_REF_SPECULATIVE (internal.h), so page_owner_refs() is
 * exactly the owner's references plus the isolation one at any moment.
 */
#include <string.h>
#include "migrate.h"

/*
 * migrate_pages' internal return values (include/linux/migrate.h, 6.12):
 * MIGRATEPAGE_SUCCESS is 0, MIGRATEPAGE_UNMAP means "both pages locked,
 * ready to move".
 */
#define MIGRATEPAGE_SUCCESS	0
#define MIGRATEPAGE_UNMAP	1

#define HPAGE_PMD_ORDER		PF_PAGEBLOCK_ORDER
#define HPAGE_PMD_NR		(1 << HPAGE_PMD_ORDER)
/* mm/migrate.c (6.12) */
#define NR_MAX_BATCHED_MIGRATION	HPAGE_PMD_NR
#define NR_MAX_MIGRATE_PAGES_RETRY	10
#define NR_MAX_MIGRATE_ASYNC_RETRY	3
#define NR_MAX_MIGRATE_SYNC_RETRY	(NR_MAX_MIGRATE_PAGES_RETRY - NR_MAX_MIGRATE_ASYNC_RETRY)

/*
 * pageframe's own: owner references lent to dst while the owner's
 * migrate_page runs, beyond the n0 it held on src (see
 * migrate_movable_ops_page); well below PAGE_REF_SPECULATIVE, so they
 * stay in the owner's part of the count.
 */
#define DST_OWNER_BIAS		(PAGE_REF_SPECULATIVE / 4)

/*
 * __PageMovable (include/linux/page-flags.h, 6.12), out of line and
 * uninstrumented (__data_race): a volatile plain read, which
 * ThreadSanitizer leaves alone (it would still track an atomic one).
 */
__data_race bool __PageMovable(const struct pf_page *page)
{
	return ((unsigned long)*(void *const volatile *)&page->mapping & PAGE_MAPPING_FLAGS) == PAGE_MAPPING_MOVABLE;
}

/* PageMovable (mm/compaction.c, 6.12): movable and the owner's operations still there. */
static bool PageMovable(struct pf_page *page)
{
	/* PG_locked of this very page: it is a block's head (no compound_head read, which lru shares) */
	VM_BUG_ON_PAGE(!(__atomic_load_n(&page->flags, __ATOMIC_RELAXED) & (1UL << PG_locked)), page);
	return __PageMovable(page) && page_movable_ops(page) != NULL;
}

/* ---- the owner's side: pf_set_page_movable, pf_clear_page_movable ----------------------- */

/*
 * movable_page_checked - the machine of @page if it may change its movable
 * state: a struct pf_page of a live machine, the head of an allocated
 * block.  Otherwise a report (pf_page_checked's for a bad pointer,
 * bad_page's for a page in the wrong state) and NULL.
 */
static struct pf_machine *movable_page_checked(struct pf_page *page, const char *caller)
{
	struct pf_machine *m = pf_page_checked(page, caller);
	if (!m)
		return NULL;
	unsigned long pfn = (unsigned long)(page - m->mem_map);
	const char *why = NULL;
	if (PageTail(page))
		why = "a tail page of a compound page made movable or not";
	else if (!__atomic_load_n(&m->alloc_order[pfn], __ATOMIC_RELAXED) || page_owner_refs(page) <= 0)
		why = "a page the page allocator did not hand out (or a free one) made movable or not";
	if (why) {
		char msg[128];
		snprintf(msg, sizeof msg, "%s: %s", caller, why);
		bad_page(page, msg);
		return NULL;
	}
	return m;
}

/*
 * pf_set_page_movable - __SetPageMovable (mm/compaction.c, 6.12): the
 * owner's operations in page->mapping with PAGE_MAPPING_MOVABLE set.
 *
 * Deliberate differences: the kernel's caller holds the page lock (a
 * VM_BUG_ON otherwise); here the library takes it, so that an isolation
 * or migration of the page never sees it half set.  Wrong pages and
 * operations are reported and nothing changes (kernel: VM_BUG_ON).
 * Setting operations again replaces them; so does setting them after
 * pf_clear_page_movable.
 */
void pf_set_page_movable(struct pf_page *page, const struct pf_movable_operations *ops)
{
	struct pf_machine *m = movable_page_checked(page, "pf_set_page_movable");
	if (!m)
		return;
	if (!ops || ((unsigned long)ops & PAGE_MAPPING_FLAGS) || !ops->isolate_page || !ops->migrate_page ||
	    !ops->putback_page) {
		pf_printk(m, '4', "pageframe: pf_set_page_movable: pfn %#lx: operations %p are %s; page left as it was",
			  page_to_pfn(page), (const void *)ops,
			  !ops ? "NULL" : ((unsigned long)ops & PAGE_MAPPING_FLAGS) ? "misaligned" : "incomplete");
		atomic_fetch_add(&m->nr_bad_pages, 1);
		return;
	}
	void *mapping = __atomic_load_n(&page->mapping, __ATOMIC_RELAXED);
	if (mapping && !__PageMovable(page)) {
		bad_page(page, "pf_set_page_movable: the page has a mapping of another kind");
		return;
	}
	/*
	 * From now on other threads may hold references to pages of this
	 * machine that they do not own.  Sequentially consistent, and before
	 * the page is movable: every free that could race with a
	 * get_page_unless_zero on a movable page comes after this store.
	 */
	if (!__atomic_load_n(&m->speculative_refs, __ATOMIC_RELAXED))
		__atomic_store_n(&m->speculative_refs, true, __ATOMIC_SEQ_CST);
	lock_page(page);
	/* release: what the owner wrote before is seen by the isolator's acquire of mapping */
	__atomic_store_n(&page->mapping, (void *)((unsigned long)ops | PAGE_MAPPING_MOVABLE), __ATOMIC_RELEASE);
	unlock_page(page);
}

/*
 * pf_clear_page_movable - __ClearPageMovable (mm/compaction.c, 6.12):
 * page->mapping keeps only PAGE_MAPPING_MOVABLE, so __PageMovable still
 * holds (the page is still of the movable kind) but PageMovable does not:
 * it is never isolated again, and a migration already under way gives it
 * back untouched.  The free path clears the bit.
 *
 * Deliberate difference: the library takes the page lock (the kernel's
 * caller holds it), so this waits for a migration of the page that is
 * inside the owner's migrate_page to finish; the owner must not call it
 * while holding a lock its callbacks take.  A page that is not movable is
 * reported and left alone.
 */
void pf_clear_page_movable(struct pf_page *page)
{
	struct pf_machine *m = movable_page_checked(page, "pf_clear_page_movable");
	if (!m)
		return;
	lock_page(page);
	bool movable = PageMovable(page);
	if (movable)
		__atomic_store_n(&page->mapping, (void *)PAGE_MAPPING_MOVABLE, __ATOMIC_RELEASE);
	unlock_page(page);
	if (!movable) {
		pf_printk(m, '4', "pageframe: pf_clear_page_movable: pfn %#lx is not movable; page left as it was",
			  page_to_pfn(page));
		atomic_fetch_add(&m->nr_bad_pages, 1);
	}
}

/* ---- isolation and putback ------------------------------------------------------------ */

/*
 * machine_of_unowned - the machine whose memmap holds @page, found by
 * address only: the page's flags may be rewritten by the allocator
 * meanwhile (a page being freed), so they are not read before a
 * reference is held.
 */
static struct pf_machine *machine_of_unowned(const struct pf_page *page)
{
	for (int i = 0; i < PF_MAX_MACHINES; i++) {
		struct pf_machine *m = atomic_load_explicit(&pf_machine_table[i], memory_order_acquire);
		if (m && m->mem_map && pf_page_in_memmap(m, page))
			return m;
		if (i + 1 >= atomic_load_explicit(&pf_machine_slots_used, memory_order_relaxed))
			break;
	}
	return NULL;
}

/*
 * isolate_movable_page (mm/migrate.c, 6.12) - take a movable page off its
 * owner for migration.  Return: true with the page isolated (PG_isolated)
 * and one reference held, which putback_movable_pages or migrate_pages
 * drops.
 *
 * Deliberate differences: no slab test (no slab pages here); the
 * speculative reference is PAGE_REF_SPECULATIVE (internal.h) and stays one
 * while the page is isolated, so page_owner_refs() counts exactly the
 * owner's references and a double free by the owner is still refused; a machine on which no page
 * was ever made movable is refused at once.  As in 6.12, non-LRU movable
 * pages are not counted in NR_ISOLATED_ANON/FILE (compaction and
 * migrate_folio_done count only LRU folios there).
 */
bool isolate_movable_page(struct pf_page *page, isolate_mode_t mode)
{
	struct pf_machine *m = machine_of_unowned(page);
	const struct pf_movable_operations *mops;

	if (!m || !__atomic_load_n(&m->speculative_refs, __ATOMIC_ACQUIRE))
		return false;
	/*
	 * folio_get_nontail_page: a page being freed, free or a tail has no
	 * owner's reference and is left alone.  Winning a race with the
	 * owner's free only delays the free to our put below.
	 */
	if (!get_page_unless_zero(page))
		return false;
	/* acquire: pairs with pf_set_page_movable's release */
	if (unlikely(((unsigned long)__atomic_load_n(&page->mapping, __ATOMIC_ACQUIRE) & PAGE_MAPPING_FLAGS) !=
		     PAGE_MAPPING_MOVABLE))
		goto out_putfolio;
	/* the lock keeps a page under migration from being isolated twice, and the owner's set/clear out */
	if (unlikely(!trylock_page(page)))
		goto out_putfolio;
	if (!PageMovable(page) || PageIsolated(page))
		goto out_no_isolated;
	mops = page_movable_ops(page);
	if (!mops->isolate_page(page, (int)mode))
		goto out_no_isolated;
	/* the owner must not use PG_isolated itself (the kernel's WARN_ON_ONCE) */
	if (PageIsolated(page))
		pf_printk(m, '4', "pageframe: isolate_movable_page: pfn %#lx: the owner set PG_isolated",
			  page_to_pfn(page));
	SetPageIsolated(page);
	unlock_page(page);	/* the speculative reference is the isolation's */
	return true;

out_no_isolated:
	unlock_page(page);
out_putfolio:
	put_page_refs(page, PAGE_REF_SPECULATIVE);
	return false;
}

/* putback_movable_folio (mm/migrate.c, 6.12) */
static void putback_movable_folio(struct pf_page *page)
{
	const struct pf_movable_operations *mops = page_movable_ops(page);

	mops->putback_page(page);
	ClearPageIsolated(page);
}

/*
 * putback_movable_pages (mm/migrate.c, 6.12) - give isolated pages back to
 * their owners: the owner's putback_page (unless it gave up the page's
 * movability meanwhile), PG_isolated cleared, the isolation reference
 * dropped, which frees a page its owner freed meanwhile.
 * Deliberate difference: no hugetlb and LRU folios exist, so every page on
 * the list must be a non-LRU movable one.
 */
void putback_movable_pages(struct list_head *l)
{
	struct pf_page *page, *page2;

	list_for_each_entry_safe(page, page2, l, lru) {
		list_del(&page->lru);
		VM_BUG_ON_PAGE(!__PageMovable(page), page);
		VM_BUG_ON_PAGE(!PageIsolated(page), page);
		lock_page(page);
		/* an owner that freed the page or gave up its movability is not called */
		if (PageMovable(page) && page_owner_refs(page) > 0)
			putback_movable_folio(page);
		else
			ClearPageIsolated(page);
		unlock_page(page);
		put_page_refs(page, PAGE_REF_SPECULATIVE);
	}
}

/* ---- migration ------------------------------------------------------------------------------ */

/* migrate_pages_stats (mm/migrate.c, 6.12) */
struct migrate_pages_stats {
	int nr_succeeded;	/* pages */
	int nr_failed_pages;	/* pages */
	int nr_thp_succeeded;
	int nr_thp_failed;
	int nr_thp_split;
	int nr_split;
};

/* The order of an isolated block: its compound order, else its allocation record's. */
static unsigned int block_order(struct pf_page *page)
{
	if (PageHead(page))
		return compound_order(page);
	struct pf_machine *m = page_machine(page);
	unsigned rec = __atomic_load_n(&m->alloc_order[page - m->mem_map], __ATOMIC_RELAXED);
	return rec ? rec - 1 : 0;
}

/* folio_test_large && folio_test_pmd_mappable: a compound block of the PMD order */
static bool block_is_thp(struct pf_page *page)
{
	return PageHead(page) && compound_order(page) >= HPAGE_PMD_ORDER;	/* folio_test_pmd_mappable: >= */
}

/*
 * migrate_folio_done (mm/migrate.c, 6.12): drop the isolation reference,
 * which frees a page that moved (or that its owner freed).  Non-LRU
 * movable pages were never counted in NR_ISOLATED_*, so nothing is
 * uncounted (the kernel's test is __folio_test_movable).
 */
static void migrate_folio_done(struct pf_page *src, enum migrate_reason reason)
{
	(void)reason;	/* MR_MEMORY_FAILURE keeps the page for page_handle_poison: no memory failure here */
	put_page_refs(src, PAGE_REF_SPECULATIVE);
}

/* migrate_folio_undo_src (mm/migrate.c, 6.12) */
static void migrate_folio_undo_src(struct pf_page *src, bool locked, struct list_head *ret)
{
	if (locked)
		unlock_page(src);
	if (ret)
		list_move_tail(&src->lru, ret);
}

/* migrate_folio_undo_dst (mm/migrate.c, 6.12): the unused destination goes back. */
static void migrate_folio_undo_dst(struct pf_page *dst, bool locked, free_page_t put_new_page,
				   unsigned long private)
{
	if (locked)
		unlock_page(dst);
	if (put_new_page)
		put_new_page(dst, private);
	else
		put_page_refs(dst, 1);
}

/*
 * migrate_folio_unmap (mm/migrate.c, 6.12) - first half of a move: a page
 * its owner freed meanwhile is done; else a destination is allocated and
 * both pages locked.  Return: MIGRATEPAGE_SUCCESS (freed under us),
 * MIGRATEPAGE_UNMAP (*dstp set, both locked), -ENOMEM, -EAGAIN (src stays
 * on @from) or another -errno (src moved to @ret).
 *
 * Deliberate differences: nothing to unmap (no page tables); the direct
 * compactor's PF_MEMALLOC rule does not apply (a thread here never holds
 * other page locks while it allocates); a destination of the wrong order
 * or kind is reported and handled as a failed allocation.
 */
static int migrate_folio_unmap(new_page_t get_new_page, free_page_t put_new_page, unsigned long private,
			       struct pf_page *src, struct pf_page **dstp, enum migrate_mode mode,
			       enum migrate_reason reason, struct list_head *ret)
{
	struct pf_page *dst;
	int rc = -EAGAIN;
	bool locked = false;
	bool dst_locked = false;

	/* no owner's reference left: the owner freed it meanwhile, we are done (the kernel's ref_count == 1) */
	if (page_owner_refs(src) == 0) {
		list_del(&src->lru);
		migrate_folio_done(src, reason);	/* free_pages_prepare clears PG_isolated and the mapping */
		return MIGRATEPAGE_SUCCESS;
	}

	dst = get_new_page(src, private);
	if (!dst)
		return -ENOMEM;
	unsigned int order = block_order(src);
	struct pf_machine *m = page_machine(src);
	unsigned long dpfn = (unsigned long)(dst - m->mem_map);
	if (unlikely(!pf_page_in_memmap(m, dst) ||
		     __atomic_load_n(&m->alloc_order[dpfn], __ATOMIC_RELAXED) != order + 1 ||
		     !!PageHead(dst) != !!PageHead(src) || page_owner_refs(dst) != 1 || __PageMovable(dst))) {
		pf_printk(m, '4', "pageframe: migrate_pages: the destination for pfn %#lx (order %u%s) is not a "
			  "fresh block of that order and kind", page_to_pfn(src), order,
			  PageHead(src) ? ", compound" : "");
		if (pf_page_in_memmap(m, dst))
			migrate_folio_undo_dst(dst, false, put_new_page, private);
		return -ENOMEM;
	}
	*dstp = dst;

	if (!trylock_page(src)) {
		if (mode == MIGRATE_ASYNC)
			goto out;
		/* light mode waits for transient locks only, not for I/O (an uptodate page) */
		if (mode == MIGRATE_SYNC_LIGHT && !PageUptodate(src))
			goto out;
		lock_page(src);
	}
	locked = true;

	/* a destination somebody else briefly locked (a speculative isolator): just try again */
	if (unlikely(!trylock_page(dst)))
		goto out;
	dst_locked = true;
	return MIGRATEPAGE_UNMAP;

out:
	/* a page that stays locked out will be retried from @from */
	if (rc == -EAGAIN)
		ret = NULL;
	migrate_folio_undo_src(src, locked, ret);
	migrate_folio_undo_dst(dst, dst_locked, put_new_page, private);
	return rc;
}

/*
 * migrate_movable_ops_page (mm/migrate.c, 6.12): the owner moves the page.
 *
 * THE REFERENCE RULE.  The owner's references to src move to dst, so that
 * dst carries exactly what the owner held on src.  The owner may use dst
 * (and free it) from the moment its migrate_page publishes it, before
 * this function sees the return value, so dst is made the owner's first:
 * with both pages locked, n0 = page_owner_refs(src) (the owner's: the
 * isolation's reference and other speculative ones are not counted) is
 * added to dst with DST_OWNER_BIAS more (so that dst never reaches zero
 * in our hands, nor looks freed, whatever the owner drops from it before
 * the correction below), which keeps the allocation's reference as ours,
 * and dst becomes movable with src's operations (the kernel's owners call
 * __SetPageMovable(dst) in migrate_page).  On 0, n1, the owner's count on
 * src now, is what moves: dst is corrected by n1 - n0 (an owner that
 * took or dropped a reference to src after n0 was read) and loses the
 * bias, our allocation reference to dst turns speculative before dst is
 * unlocked (another migration may isolate dst at once and must count
 * only the owner's), and src gives up n1, keeping only the isolation's
 * reference; src keeps only PAGE_MAPPING_MOVABLE, as after the kernel's
 * __ClearPageMovable.  On failure dst gives n0 and the bias back and is
 * not movable.  The owner may change its references
 * to src only under the lock its migrate_page takes, and not at all once it returned 0.
 * page->private is the owner's and is never touched.
 *
 * Deliberate differences: on a hosted machine the library copies the
 * whole block src -> dst first (the kernel's owners copy in migrate_page;
 * with backing none there is no memory and the owner copies); the
 * references and dst's movability are the library's work (the kernel's
 * owners take and drop them themselves).
 */
static int migrate_movable_ops_page(struct pf_page *dst, struct pf_page *src, enum migrate_mode mode,
				    int *dst_ref)
{
	int rc = MIGRATEPAGE_SUCCESS;

	*dst_ref = 1;	/* the allocation's reference, which migrate_folio_move drops */

	VM_BUG_ON_PAGE(!PageIsolated(src), src);
	/*
	 * An owner that gave up the page's movability (pf_clear_page_movable)
	 * or freed it since migrate_folio_unmap looked: nothing to do, and the
	 * owner is not called for a page it no longer has.
	 */
	if (PageMovable(src) && page_owner_refs(src) > 0) {
		const struct pf_movable_operations *mops = page_movable_ops(src);
		struct pf_machine *m = page_machine(src);
		int n0 = page_owner_refs(src);

		if (m->base)
			memcpy(m->base + page_to_pfn(dst) * PAGE_SIZE, m->base + page_to_pfn(src) * PAGE_SIZE,
			       PAGE_SIZE << block_order(src));
		/*
		 * n0 and a bias: the owner may take a reference to src after
		 * n0 was read (under its lock, before migrate_page takes it)
		 * and then drop all n1 > n0 of them on dst before we correct
		 * by n1 - n0; the bias keeps dst from reaching zero (freed
		 * while we hold it locked) or looking freed to the owner's
		 * frees.  dst stays locked until the correction, so no
		 * isolator counts it meanwhile.
		 */
		__atomic_add_fetch(&dst->_refcount, n0 + DST_OWNER_BIAS, __ATOMIC_RELAXED);
		__atomic_store_n(&dst->mapping, (void *)((unsigned long)mops | PAGE_MAPPING_MOVABLE), __ATOMIC_RELEASE);

		rc = mops->migrate_page(dst, src, (int)mode);

		if (rc == MIGRATEPAGE_SUCCESS) {
			int n1 = page_owner_refs(src);
			/*
			 * dst is movable and soon unlocked: our allocation
			 * reference becomes a speculative one, so that another
			 * isolator of dst counts only the owner's n1.
			 */
			__atomic_add_fetch(&dst->_refcount, n1 - n0 - DST_OWNER_BIAS + PAGE_REF_SPECULATIVE - 1,
					   __ATOMIC_RELAXED);
			*dst_ref = PAGE_REF_SPECULATIVE;
			if (n1 > 0)
				__atomic_sub_fetch(&src->_refcount, n1, __ATOMIC_RELEASE);
			__atomic_store_n(&src->mapping, (void *)PAGE_MAPPING_MOVABLE, __ATOMIC_RELEASE);
		} else {
			__atomic_store_n(&dst->mapping, NULL, __ATOMIC_RELEASE);
			__atomic_sub_fetch(&dst->_refcount, n0 + DST_OWNER_BIAS, __ATOMIC_RELAXED);
		}
	}
	if (rc == MIGRATEPAGE_SUCCESS)
		ClearPageIsolated(src);
	return rc;
}

/*
 * migrate_folio_move (mm/migrate.c, 6.12) - second half: the owner moves
 * the page (migrate_movable_ops_page: references and movability go to
 * dst); on success dst is unlocked and our allocation reference to it
 * dropped (which frees it if the owner kept none), and src is unlocked
 * and freed by migrate_folio_done.
 */
static int migrate_folio_move(free_page_t put_new_page, unsigned long private, struct pf_page *src,
			      struct pf_page *dst, enum migrate_mode mode, enum migrate_reason reason,
			      struct list_head *ret)
{
	int rc;
	struct list_head *prev;

	prev = dst->lru.prev;
	list_del(&dst->lru);

	int dst_ref;
	rc = migrate_movable_ops_page(dst, src, mode, &dst_ref);
	if (rc)
		goto out;

	/*
	 * page_owner: a block that moved (dst_ref is then speculative) takes
	 * src's record (folio_copy_owner, which 6.12 runs in
	 * folio_migrate_flags) and the reason (set_page_owner_migrate_reason).
	 */
	if (dst_ref == PAGE_REF_SPECULATIVE)
		folio_copy_owner(page_machine(src), dst, src, block_order(src));
	unlock_page(dst);
	set_page_owner_migrate_reason(page_machine(src), dst, reason);
	/* the allocation's reference to dst: the owner holds its own now */
	put_page_refs(dst, dst_ref);

	list_del(&src->lru);
	unlock_page(src);
	migrate_folio_done(src, reason);
	return rc;
out:
	/* a page that was not moved stays locked for the next pass on -EAGAIN */
	if (rc == -EAGAIN) {
		list_add(&dst->lru, prev);
		return rc;
	}
	migrate_folio_undo_src(src, true, ret);
	migrate_folio_undo_dst(dst, true, put_new_page, private);
	return rc;
}

/*
 * migrate_pages_batch (mm/migrate.c, 6.12) - lock as many pages as possible
 * with their destinations (up to @nr_pass passes), then move them (up to
 * @nr_pass passes).  Return: the number of pages not moved, or -ENOMEM.
 *
 * Deliberate differences: no THP split (non-LRU movable pages cannot be
 * split; the kernel's try_split_folio fails on them too), no deferred
 * split list, no TLB flush.
 */
static int migrate_pages_batch(struct list_head *from, new_page_t get_new_page, free_page_t put_new_page,
			       unsigned long private, enum migrate_mode mode, int reason,
			       struct list_head *ret_folios, struct migrate_pages_stats *stats, int nr_pass)
{
	int retry = 1;
	int thp_retry = 1;
	int nr_failed = 0;
	int nr_retry_pages = 0;
	int pass = 0;
	bool is_thp = false;
	struct pf_page *folio, *folio2, *dst = NULL, *dst2;
	int rc, rc_saved = 0, nr_pages;
	LIST_HEAD(unmap_folios);
	LIST_HEAD(dst_folios);

	VM_BUG_ON(mode != MIGRATE_ASYNC && !list_empty(from) && !mlist_is_singular(from));

	for (pass = 0; pass < nr_pass && retry; pass++) {
		retry = 0;
		thp_retry = 0;
		nr_retry_pages = 0;

		list_for_each_entry_safe(folio, folio2, from, lru) {
			is_thp = block_is_thp(folio);
			nr_pages = 1 << block_order(folio);

			rc = migrate_folio_unmap(get_new_page, put_new_page, private, folio, &dst, mode,
						 (enum migrate_reason)reason, ret_folios);
			/*
			 * Success: freed.  Unmap: src to unmap_folios, dst to dst_folios.
			 * -EAGAIN, -ENOMEM: stays on @from.  Other: moved to ret_folios.
			 */
			switch (rc) {
			case -ENOMEM:
				/* memory is low: move what is locked already, then stop */
				nr_failed++;
				stats->nr_thp_failed += is_thp;
				stats->nr_failed_pages += nr_pages + nr_retry_pages;
				stats->nr_thp_failed += thp_retry;
				rc_saved = rc;
				if (list_empty(&unmap_folios))
					goto out;
				goto move;
			case -EAGAIN:
				retry++;
				thp_retry += is_thp;
				nr_retry_pages += nr_pages;
				break;
			case MIGRATEPAGE_SUCCESS:
				stats->nr_succeeded += nr_pages;
				stats->nr_thp_succeeded += is_thp;
				break;
			case MIGRATEPAGE_UNMAP:
				list_move_tail(&folio->lru, &unmap_folios);
				list_add_tail(&dst->lru, &dst_folios);
				break;
			default:
				/* permanent failure: not retried */
				nr_failed++;
				stats->nr_thp_failed += is_thp;
				stats->nr_failed_pages += nr_pages;
				break;
			}
		}
	}
	nr_failed += retry;
	stats->nr_thp_failed += thp_retry;
	stats->nr_failed_pages += nr_retry_pages;
move:
	retry = 1;
	for (pass = 0; pass < nr_pass && retry; pass++) {
		retry = 0;
		thp_retry = 0;
		nr_retry_pages = 0;

		dst = list_first_entry(&dst_folios, struct pf_page, lru);
		dst2 = list_next_entry(dst, lru);
		list_for_each_entry_safe(folio, folio2, &unmap_folios, lru) {
			is_thp = block_is_thp(folio);
			nr_pages = 1 << block_order(folio);

			rc = migrate_folio_move(put_new_page, private, folio, dst, mode, (enum migrate_reason)reason,
						ret_folios);
			/* Success: freed.  -EAGAIN: stays on unmap_folios.  Other: moved to ret_folios. */
			switch (rc) {
			case -EAGAIN:
				retry++;
				thp_retry += is_thp;
				nr_retry_pages += nr_pages;
				break;
			case MIGRATEPAGE_SUCCESS:
				stats->nr_succeeded += nr_pages;
				stats->nr_thp_succeeded += is_thp;
				break;
			default:
				nr_failed++;
				stats->nr_thp_failed += is_thp;
				stats->nr_failed_pages += nr_pages;
				break;
			}
			dst = dst2;
			dst2 = list_next_entry(dst, lru);
		}
	}
	nr_failed += retry;
	stats->nr_thp_failed += thp_retry;
	stats->nr_failed_pages += nr_retry_pages;

	rc = rc_saved ? rc_saved : nr_failed;
out:
	/* what is still locked goes back unlocked: src to ret_folios, dst to its allocator */
	dst = list_first_entry(&dst_folios, struct pf_page, lru);
	dst2 = list_next_entry(dst, lru);
	list_for_each_entry_safe(folio, folio2, &unmap_folios, lru) {
		migrate_folio_undo_src(folio, true, ret_folios);
		list_del(&dst->lru);
		migrate_folio_undo_dst(dst, true, put_new_page, private);
		dst = dst2;
		dst2 = list_next_entry(dst, lru);
	}
	return rc;
}

/*
 * migrate_pages_sync (mm/migrate.c, 6.12): a batch in MIGRATE_ASYNC first
 * (NR_MAX_MIGRATE_ASYNC_RETRY passes), then what failed one page at a time
 * in @mode (NR_MAX_MIGRATE_SYNC_RETRY passes each).
 */
static int migrate_pages_sync(struct list_head *from, new_page_t get_new_page, free_page_t put_new_page,
			      unsigned long private, enum migrate_mode mode, int reason,
			      struct list_head *ret_folios, struct migrate_pages_stats *stats)
{
	int rc, nr_failed = 0;
	LIST_HEAD(folios);
	struct migrate_pages_stats astats;

	memset(&astats, 0, sizeof(astats));
	rc = migrate_pages_batch(from, get_new_page, put_new_page, private, MIGRATE_ASYNC, reason, &folios,
				 &astats, NR_MAX_MIGRATE_ASYNC_RETRY);
	stats->nr_succeeded += astats.nr_succeeded;
	stats->nr_thp_succeeded += astats.nr_thp_succeeded;
	stats->nr_thp_split += astats.nr_thp_split;
	stats->nr_split += astats.nr_split;
	if (rc < 0) {
		stats->nr_failed_pages += astats.nr_failed_pages;
		stats->nr_thp_failed += astats.nr_thp_failed;
		mlist_splice_tail(&folios, ret_folios);
		return rc;
	}
	stats->nr_thp_failed += astats.nr_thp_split;
	nr_failed += astats.nr_split;
	/* everything that failed is retried one by one, so its failure is not counted yet */
	mlist_splice_tail_init(&folios, from);
	while (!list_empty(from)) {
		mlist_move(from->next, &folios);
		rc = migrate_pages_batch(&folios, get_new_page, put_new_page, private, mode, reason, ret_folios,
					 stats, NR_MAX_MIGRATE_SYNC_RETRY);
		mlist_splice_tail_init(&folios, ret_folios);
		if (rc < 0)
			return rc;
		nr_failed += rc;
	}
	return nr_failed;
}

/*
 * migrate_pages (mm/migrate.c, 6.12) - move the isolated pages on @from
 * (linked by lru) to destinations from @get_new_page.  Pages that were not
 * moved are left on @from, still isolated: the caller puts them back with
 * putback_movable_pages when the return is not 0.  Counts pgmigrate_success
 * and pgmigrate_fail (pages) and thp_migration_* (compound order-9 blocks).
 *
 * Return: the number of blocks not moved, or -ENOMEM; *@ret_succeeded
 * (if not NULL) the pages moved.
 *
 * Deliberate differences: @m names the machine whose events count (the
 * kernel's are global); no hugetlb pages, no split; a block is a compound
 * page or a plain block of its allocation's order and moves whole.
 */
int migrate_pages(struct pf_machine *m, struct list_head *from, new_page_t get_new_page, free_page_t put_new_page,
		  unsigned long private, enum migrate_mode mode, int reason, unsigned int *ret_succeeded)
{
	int rc, rc_gather = 0;
	int nr_pages;
	struct pf_page *folio, *folio2 = NULL;
	LIST_HEAD(folios);
	LIST_HEAD(ret_folios);
	struct migrate_pages_stats stats;

	memset(&stats, 0, sizeof(stats));
again:
	nr_pages = 0;
	list_for_each_entry_safe(folio, folio2, from, lru) {
		nr_pages += 1 << block_order(folio);
		if (nr_pages >= NR_MAX_BATCHED_MIGRATION)
			break;
	}
	if (nr_pages >= NR_MAX_BATCHED_MIGRATION)
		mlist_cut_before(&folios, from, &folio2->lru);
	else
		mlist_splice_init(from, &folios);
	if (mode == MIGRATE_ASYNC)
		rc = migrate_pages_batch(&folios, get_new_page, put_new_page, private, mode, reason, &ret_folios,
					 &stats, NR_MAX_MIGRATE_PAGES_RETRY);
	else
		rc = migrate_pages_sync(&folios, get_new_page, put_new_page, private, mode, reason, &ret_folios,
					&stats);
	mlist_splice_tail_init(&folios, &ret_folios);
	if (rc < 0) {
		rc_gather = rc;
		goto out;
	}
	rc_gather += rc;
	if (!list_empty(from))
		goto again;
out:
	/* the pages not moved go back on @from for the caller's putback */
	mlist_splice(&ret_folios, from);
	if (list_empty(from))
		rc_gather = 0;

	__count_vm_events(m, PGMIGRATE_SUCCESS, stats.nr_succeeded);
	__count_vm_events(m, PGMIGRATE_FAIL, stats.nr_failed_pages);
	__count_vm_events(m, THP_MIGRATION_SUCCESS, stats.nr_thp_succeeded);
	__count_vm_events(m, THP_MIGRATION_FAIL, stats.nr_thp_failed);
	__count_vm_events(m, THP_MIGRATION_SPLIT, stats.nr_thp_split);
	if (trace_enabled(m, TRACE_MM_MIGRATE_PAGES))
		__trace_mm_migrate_pages(m, (unsigned long)stats.nr_succeeded, (unsigned long)stats.nr_failed_pages,
					 (unsigned long)stats.nr_thp_succeeded, (unsigned long)stats.nr_thp_failed,
					 (unsigned long)stats.nr_thp_split, (unsigned long)stats.nr_split, mode, reason);
	if (ret_succeeded)
		*ret_succeeded = (unsigned int)stats.nr_succeeded;
	return rc_gather;
}

/*
 * alloc_migration_target (mm/migrate.c, 6.12) - a destination for @src:
 * @private is a struct migration_target_control; its node, or src's for
 * NUMA_NO_NODE; a compound source gets a compound block of its order with
 * GFP_TRANSHUGE less direct reclaim, as the kernel's large folios; a
 * source in ZONE_MOVABLE adds __GFP_HIGHMEM (which, with __GFP_MOVABLE,
 * reaches ZONE_MOVABLE).
 *
 * Deliberate differences: no hugetlb; a plain (non-compound) block of
 * order > 0 gets a plain block of the same order with the control's gfp.
 */
struct pf_page *alloc_migration_target(struct pf_page *src, unsigned long private)
{
	struct migration_target_control *mtc = (struct migration_target_control *)private;
	struct pf_machine *m = page_machine(src);
	pf_gfp_t gfp_mask = mtc->gfp_mask;
	unsigned int order = block_order(src);
	int nid = mtc->nid;

	if (nid == NUMA_NO_NODE)
		nid = pf_page_to_nid(src);
	if (PageHead(src)) {
		gfp_mask &= ~PF___GFP_RECLAIM;
		gfp_mask |= PF_GFP_TRANSHUGE;
	}
	int zidx = (int)pf_page_zonenum(src);
	if (zidx == ZONE_MOVABLE)
		gfp_mask |= PF___GFP_HIGHMEM;
	return __alloc_pages(m, gfp_mask, order, nid, mtc->nmask);
}
