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

/* __PageMovable: the page has an owner's movable operations */
static inline bool __PageMovable(const struct pf_page *page)
{
	return ((unsigned long)__atomic_load_n(&page->mapping, __ATOMIC_RELAXED) & PAGE_MAPPING_FLAGS) ==
	       PAGE_MAPPING_MOVABLE;
}

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
