/* SPDX-License-Identifier: MIT */
/*
 * migrate.h - page migration between migrate.c and its users (compaction.c,
 * page_isolation.c, the contiguous allocator in page_alloc.c, cma.c), as
 * include/linux/migrate.h and migrate_mode.h of Linux 6.12 declare it.
 *
 * Movable pages belong to owners: pf_set_page_movable() stores the owner's
 * pf_movable_operations in page->mapping with PAGE_MAPPING_MOVABLE set, as
 * the kernel's __SetPageMovable does; PG_isolated (PG_reclaim's bit) marks a
 * page taken off for migration.  Pages isolated for migration are linked
 * through page->lru and each holds one reference taken by the isolator.
 */
#ifndef PF_MM_MIGRATE_H
#define PF_MM_MIGRATE_H

#include "internal.h"

/*
 * List helpers of include/linux/list.h that list.h does not have, kept
 * here under their own names (mlist_*) so that they never clash with
 * list.h growing the kernel's.
 */
#ifndef LIST_HEAD
#define LIST_HEAD(name) struct list_head name = { &(name), &(name) }
#endif
#ifndef list_next_entry
#define list_next_entry(pos, member) list_entry((pos)->member.next, __typeof__(*(pos)), member)
#endif
#ifndef list_for_each_entry_safe
#define list_for_each_entry_safe(pos, n, head, member)				\
	for (pos = list_first_entry(head, __typeof__(*pos), member), n = list_next_entry(pos, member); \
	     &pos->member != (head); pos = n, n = list_next_entry(n, member))
#endif

static inline bool mlist_is_singular(const struct list_head *head)
{
	return !list_empty(head) && (head->next == head->prev);
}

static inline void mlist_move(struct list_head *list, struct list_head *head)
{
	__list_del(list->prev, list->next);
	list_add(list, head);
}

static inline void mlist_splice_between(const struct list_head *list, struct list_head *prev,
					struct list_head *next)
{
	struct list_head *first = list->next, *last = list->prev;
	first->prev = prev;
	WRITE_ONCE_PTR(prev->next, first);	/* ->next of a page is compound_head's word: relaxed atomics */
	WRITE_ONCE_PTR(last->next, next);
	next->prev = last;
}

/* list_splice: @list's entries at the front of @head (@list left as it was) */
static inline void mlist_splice(const struct list_head *list, struct list_head *head)
{
	if (!list_empty(list))
		mlist_splice_between(list, head, head->next);
}

static inline void mlist_splice_tail(struct list_head *list, struct list_head *head)
{
	if (!list_empty(list))
		mlist_splice_between(list, head->prev, head);
}

static inline void mlist_splice_init(struct list_head *list, struct list_head *head)
{
	if (!list_empty(list)) {
		mlist_splice_between(list, head, head->next);
		INIT_LIST_HEAD(list);
	}
}

static inline void mlist_splice_tail_init(struct list_head *list, struct list_head *head)
{
	if (!list_empty(list)) {
		mlist_splice_between(list, head->prev, head);
		INIT_LIST_HEAD(list);
	}
}

/* list_cut_before: move @head's entries before @entry to @list (which is overwritten) */
static inline void mlist_cut_before(struct list_head *list, struct list_head *head, struct list_head *entry)
{
	if (head->next == entry) {
		INIT_LIST_HEAD(list);
		return;
	}
	WRITE_ONCE_PTR(list->next, head->next);
	list->next->prev = list;
	list->prev = entry->prev;
	WRITE_ONCE_PTR(list->prev->next, list);
	WRITE_ONCE_PTR(head->next, entry);
	entry->prev = head;
}

/* migrate_mode (include/linux/migrate_mode.h); the public PF_MIGRATE_* have the same values */
enum migrate_mode {
	MIGRATE_ASYNC,
	MIGRATE_SYNC_LIGHT,
	MIGRATE_SYNC,
};

/* why pages move (migrate_reason), for the mm_migrate_pages trace event and page_owner */
enum migrate_reason {
	MR_COMPACTION,
	MR_MEMORY_FAILURE,
	MR_MEMORY_HOTPLUG,
	MR_SYSCALL,
	MR_MEMPOLICY_MBIND,
	MR_NUMA_MISPLACED,
	MR_CONTIG_RANGE,
	MR_LONGTERM_PIN,
	MR_DEMOTION,
	MR_DAMON,
	MR_TYPES
};

/* isolate_mode_t bits (include/linux/mmzone.h) */
typedef unsigned int isolate_mode_t;
#define ISOLATE_ASYNC_MIGRATE	((isolate_mode_t)0x4)
#define ISOLATE_UNEVICTABLE	((isolate_mode_t)0x8)

/* PAGE_MAPPING_MOVABLE (include/linux/page-flags.h): the low bits of page->mapping */
#define PAGE_MAPPING_ANON	0x1UL
#define PAGE_MAPPING_MOVABLE	0x2UL
#define PAGE_MAPPING_KSM	(PAGE_MAPPING_ANON | PAGE_MAPPING_MOVABLE)
#define PAGE_MAPPING_FLAGS	(PAGE_MAPPING_ANON | PAGE_MAPPING_MOVABLE)

/*
 * __PageMovable: the page is of the movable kind (an owner's operations,
 * or only the bit after pf_clear_page_movable).  A peek: scanners call it
 * on pages they do not hold, racing with the allocator's writes of
 * ->mapping, as the kernel's compaction does (__data_race); the answer is
 * checked again under the page lock.
 */
bool __PageMovable(const struct pf_page *page);	/* migrate.c */

/* page_movable_ops: the owner's operations of a movable page */
static inline const struct pf_movable_operations *page_movable_ops(const struct pf_page *page)
{
	return (const struct pf_movable_operations *)((unsigned long)page->mapping - PAGE_MAPPING_MOVABLE);
}

/*
 * new_page_t / free_page_t: migrate_pages' allocator of destinations and its
 * giver-back of unused ones (the kernel's new_folio_t / free_folio_t, by page:
 * a destination has the order of its source).
 */
typedef struct pf_page *(*new_page_t)(struct pf_page *src, unsigned long private);
typedef void (*free_page_t)(struct pf_page *dst, unsigned long private);

/* alloc_migration_target's private argument (mm/internal.h) */
struct migration_target_control {
	int nid;		/* preferred node, NUMA_NO_NODE for the source's */
	nodemask_t *nmask;
	pf_gfp_t gfp_mask;
	enum migrate_reason reason;
};

/* ---- migrate.c ---- */
bool isolate_movable_page(struct pf_page *page, isolate_mode_t mode);
void putback_movable_pages(struct list_head *l);
int migrate_pages(struct pf_machine *m, struct list_head *from, new_page_t get_new_page, free_page_t put_new_page,
		  unsigned long private, enum migrate_mode mode, int reason, unsigned int *ret_succeeded);
struct pf_page *alloc_migration_target(struct pf_page *src, unsigned long private);

#endif
