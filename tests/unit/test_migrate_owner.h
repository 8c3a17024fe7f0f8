/* SPDX-License-Identifier: MIT */
/*
 * test_migrate_owner.h - a movable-page owner for the test_migrate* programs:
 * blocks it allocates, marks movable and stamps by block number (not by pfn:
 * the stamps must survive a move), callbacks that record what they were
 * told, and the shared steps (isolate a list, migrate it).  Include after
 * <cmocka.h>, pf_testlib.h and mm/migrate.h.
 */
#ifndef TEST_MIGRATE_OWNER_H
#define TEST_MIGRATE_OWNER_H

#include <string.h>

#define OW_MAX 64

/* What the owner knows of one of its blocks. */
struct ow_block {
	struct pf_page *page;	/* where the block is now */
	unsigned order;
	bool compound;
	unsigned long tag;	/* kept in page->private by the owner */
};

static struct ow_state {
	struct pf_machine *m;
	struct ow_block blk[OW_MAX];
	int nr;
	/* what the callbacks answer and saw */
	bool isolate_answer;
	int migrate_answer;
	int isolate_calls, migrate_calls, putback_calls;
	struct pf_page *last_dst, *last_src;
	bool private_seen_ok;
} ow;

/* The stamp of word w of page i of the block tagged @tag. */
static inline uint64_t ow_stamp(unsigned long tag, unsigned long i, unsigned w)
{
	return (tag * 0x9e3779b97f4a7c15ULL) ^ (i << 20) ^ (w * 0x100000001b3ULL) ^ 0x5a5a5a5a00000001ULL;
}

/* Stamp the first, a middle and the last word of every page of a hosted block. */
static inline void ow_stamp_block(struct pf_page *page, unsigned order, unsigned long tag)
{
	for (unsigned long i = 0; i < (1UL << order); i++) {
		uint64_t *p = (uint64_t *)pf_page_address(page + i);
		if (!p)
			return;
		p[0] = ow_stamp(tag, i, 0);
		p[255] = ow_stamp(tag, i, 255);
		p[511] = ow_stamp(tag, i, 511);
	}
}

/* -1 when every stamp holds, else the first page whose stamp differs. */
static inline long ow_stamp_check(struct pf_page *page, unsigned order, unsigned long tag)
{
	for (unsigned long i = 0; i < (1UL << order); i++) {
		uint64_t *p = (uint64_t *)pf_page_address(page + i);
		if (!p)
			return -1;
		if (p[0] != ow_stamp(tag, i, 0) || p[255] != ow_stamp(tag, i, 255) || p[511] != ow_stamp(tag, i, 511))
			return (long)i;
	}
	return -1;
}

static inline struct ow_block *ow_find(struct pf_page *page)
{
	for (int i = 0; i < ow.nr; i++)
		if (ow.blk[i].page == page)
			return &ow.blk[i];
	return NULL;
}

static bool ow_isolate(struct pf_page *page, int mode)
{
	(void)mode;
	(void)page;
	ow.isolate_calls++;
	return ow.isolate_answer;
}

/* The owner's migrate_page: on 0 it moves its private word and its record to dst. */
static int ow_migrate(struct pf_page *dst, struct pf_page *src, int mode)
{
	(void)mode;
	ow.migrate_calls++;
	ow.last_dst = dst;
	ow.last_src = src;
	struct ow_block *b = ow_find(src);
	if (ow.migrate_answer)
		return ow.migrate_answer;
	if (b) {
		ow.private_seen_ok = src->private == b->tag;
		dst->private = src->private;
		src->private = 0;
		b->page = dst;
	}
	return 0;
}

static void ow_putback(struct pf_page *page)
{
	(void)page;
	ow.putback_calls++;
}

static const struct pf_movable_operations ow_ops = {
	.isolate_page = ow_isolate,
	.migrate_page = ow_migrate,
	.putback_page = ow_putback,
};

static inline void ow_reset(struct pf_machine *m)
{
	memset(&ow, 0, sizeof(ow));
	ow.m = m;
	ow.isolate_answer = true;
}

/* Allocate, stamp and make movable one block; returns its index. */
static inline int ow_alloc(unsigned order, bool compound)
{
	assert_true(ow.nr < OW_MAX);
	struct ow_block *b = &ow.blk[ow.nr];
	b->page = pf_alloc_pages(ow.m, PF_GFP_HIGHUSER_MOVABLE | (compound ? PF___GFP_COMP : 0), order);
	assert_non_null(b->page);
	b->order = order;
	b->compound = compound;
	b->tag = 0x1000u + (unsigned long)ow.nr;
	b->page->private = b->tag;
	ow_stamp_block(b->page, order, b->tag);
	pf_set_page_movable(b->page, &ow_ops);
	return ow.nr++;
}

/* The machine's free pages, with the per-CPU lists drained and the counters folded. */
static inline long ow_free_pages(void)
{
	pf_drain_all_pages(ow.m);
	pf_vmstat_refresh(ow.m);
	return pf_test_vmstat(ow.m, "nr_free_pages");
}

/* Migrate @list with alloc_migration_target; returns migrate_pages' result. */
static inline int ow_migrate_list(struct list_head *list, int mode, unsigned int *succeeded)
{
	struct migration_target_control mtc = {
		.nid = NUMA_NO_NODE,
		.gfp_mask = PF_GFP_HIGHUSER_MOVABLE,
		.reason = MR_COMPACTION,
	};
	return migrate_pages(ow.m, list, alloc_migration_target, NULL, (unsigned long)&mtc, (enum migrate_mode)mode,
			     MR_COMPACTION, succeeded);
}

static inline int ow_list_len(struct list_head *list)
{
	int n = 0;
	for (struct list_head *p = list->next; p != list; p = p->next)
		n++;
	return n;
}

#endif
