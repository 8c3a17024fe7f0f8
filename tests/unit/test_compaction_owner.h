/* SPDX-License-Identifier: MIT */
/*
 * test_compaction_owner.h - a movable-page owner for the compaction tests:
 * slots of order-0 pages made movable with pf_set_page_movable, each page's
 * slot number + 1 kept in page->private (moved by migrate_page, as the
 * contract asks), every word of the hosted page filled from its slot so a
 * move that loses or mixes contents is seen, and per-slot counts of what
 * the library told the owner.  Slots can be told to refuse isolation or
 * migration.  One owner at a time (the callbacks have no argument).
 */
#ifndef TEST_COMPACTION_OWNER_H
#define TEST_COMPACTION_OWNER_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <pageframe/pageframe.h>
#include <pageframe/page.h>

struct cmp_owner {
	struct pf_machine *m;
	unsigned nr;
	struct pf_page **page;		/* where each slot's page is now (NULL: freed) */
	unsigned long *first_pfn;	/* where it was made movable */
	unsigned *isolated, *migrated, *putback, *refused;
	bool *refuse_isolate, *refuse_migrate;
};

static struct cmp_owner *cmp_owner_current;

static __attribute__((unused)) unsigned cmp_slot(const struct pf_page *page)
{
	unsigned long s = page->private;
	if (!s || s > cmp_owner_current->nr)
		abort();	/* a page that is not ours reached our callbacks */
	return (unsigned)(s - 1);
}

static __attribute__((unused)) uint64_t cmp_word(unsigned slot, unsigned i)
{
	return ((uint64_t)slot << 32) ^ ((uint64_t)i * 0x9e3779b97f4a7c15ULL) ^ 0xc0ffee;
}

static __attribute__((unused)) bool cmp_isolate(struct pf_page *page, int mode)
{
	(void)mode;
	unsigned s = cmp_slot(page);
	if (cmp_owner_current->refuse_isolate[s])
		return false;
	cmp_owner_current->isolated[s]++;
	return true;
}

static __attribute__((unused)) int cmp_migrate(struct pf_page *dst, struct pf_page *src, int mode)
{
	(void)mode;
	unsigned s = cmp_slot(src);
	if (cmp_owner_current->page[s] != src)
		abort();
	if (cmp_owner_current->refuse_migrate[s]) {
		cmp_owner_current->refused[s]++;
		return -EAGAIN;
	}
	dst->private = src->private;
	cmp_owner_current->page[s] = dst;
	cmp_owner_current->migrated[s]++;
	return 0;
}

static __attribute__((unused)) void cmp_putback(struct pf_page *page)
{
	cmp_owner_current->putback[cmp_slot(page)]++;
}

static const struct pf_movable_operations cmp_ops = { cmp_isolate, cmp_migrate, cmp_putback };

static __attribute__((unused)) struct cmp_owner *cmp_owner_new(struct pf_machine *m, unsigned nr)
{
	struct cmp_owner *o = calloc(1, sizeof *o);
	o->m = m;
	o->nr = nr;
	o->page = calloc(nr, sizeof *o->page);
	o->first_pfn = calloc(nr, sizeof *o->first_pfn);
	o->isolated = calloc(nr, sizeof(unsigned));
	o->migrated = calloc(nr, sizeof(unsigned));
	o->putback = calloc(nr, sizeof(unsigned));
	o->refused = calloc(nr, sizeof(unsigned));
	o->refuse_isolate = calloc(nr, sizeof(bool));
	o->refuse_migrate = calloc(nr, sizeof(bool));
	cmp_owner_current = o;
	return o;
}

/* Slot @slot takes the allocated order-0 page @page: contents written, made movable. */
static __attribute__((unused)) void cmp_owner_adopt(struct cmp_owner *o, unsigned slot, struct pf_page *page)
{
	uint64_t *w = pf_page_address(page);
	for (unsigned i = 0; i < PF_PAGE_SIZE / 8; i++)
		w[i] = cmp_word(slot, i);
	page->private = slot + 1;
	o->page[slot] = page;
	o->first_pfn[slot] = pf_page_to_pfn(page);
	pf_set_page_movable(page, &cmp_ops);
}

/* -1 when every word of every live slot is intact, else the first bad slot. */
static __attribute__((unused)) long cmp_owner_check(struct cmp_owner *o)
{
	for (unsigned s = 0; s < o->nr; s++) {
		if (!o->page[s])
			continue;
		const uint64_t *w = pf_page_address(o->page[s]);
		if (o->page[s]->private != s + 1)
			return s;
		for (unsigned i = 0; i < PF_PAGE_SIZE / 8; i++)
			if (w[i] != cmp_word(s, i))
				return s;
	}
	return -1;
}

/* Free slot @s's page (its owner gives it up). */
static __attribute__((unused)) void cmp_owner_free(struct cmp_owner *o, unsigned s)
{
	o->page[s]->private = 0;
	pf_clear_page_movable(o->page[s]);
	pf_free_pages(o->page[s], 0);
	o->page[s] = NULL;
}

static __attribute__((unused)) void cmp_owner_destroy(struct cmp_owner *o)
{
	free(o->page);
	free(o->first_pfn);
	free(o->isolated);
	free(o->migrated);
	free(o->putback);
	free(o->refused);
	free(o->refuse_isolate);
	free(o->refuse_migrate);
	free(o);
	cmp_owner_current = NULL;
}

#endif
