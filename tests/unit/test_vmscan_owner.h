/* test_vmscan_owner.h - an owner of LRU pages for the reclaim tests: numbered slots that hold a
 * page, a swap entry or nothing (with the shadow the page left), a content stamp per slot, a
 * mutex the callbacks only try (as the contract in reclaim.h asks), and counts of what reclaim
 * asked.  Public API only. */
#ifndef TEST_VMSCAN_OWNER_H
#define TEST_VMSCAN_OWNER_H

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <pageframe/pageframe.h>

struct lru_slot {
	struct pf_page *page;	/* resident page, or NULL */
	unsigned long entry;	/* swap entry while swapped out, else 0 */
	unsigned long shadow;	/* the shadow the last release left */
	int type;		/* PF_LRU_ANON / PF_LRU_FILE */
	uint64_t stamp;		/* what the page's first word holds */
};

struct lru_owner {
	struct pf_address_space as;
	struct pf_machine *m;
	pthread_mutex_t lock;
	unsigned n;
	struct lru_slot *slots;
	int writepage_rc;		/* what writepage answers */
	bool refuse;			/* release_folio / try_to_unmap say no */
	unsigned long released, written, write_failed, unmapped, refused;
};

static inline uint64_t *lru_word(struct pf_page *p)
{
	return (uint64_t *)pf_page_address(p);
}

static bool lru_owner_release(struct pf_address_space *mapping, struct pf_page *page, unsigned long shadow)
{
	struct lru_owner *o = mapping->host;
	bool ok = false;
	if (pthread_mutex_trylock(&o->lock))
		return false;
	unsigned long i = page->index;
	if (i < o->n && o->slots[i].page == page && !o->refuse) {
		o->slots[i].page = NULL;
		o->slots[i].shadow = shadow;
		o->released++;
		ok = true;
	} else {
		o->refused++;
	}
	pthread_mutex_unlock(&o->lock);
	return ok;
}

static int lru_owner_writepage(struct pf_address_space *mapping, struct pf_page *page)
{
	struct lru_owner *o = mapping->host;
	(void)page;
	if (pthread_mutex_trylock(&o->lock))
		return -11;	/* -EAGAIN */
	int rc = o->writepage_rc;
	if (rc)
		o->write_failed++;
	else
		o->written++;
	pthread_mutex_unlock(&o->lock);
	return rc;
}

static bool lru_owner_unmap(struct pf_address_space *mapping, struct pf_page *page, unsigned long entry)
{
	struct lru_owner *o = mapping->host;
	bool ok = false;
	if (pthread_mutex_trylock(&o->lock))
		return false;
	unsigned long i = page->index;
	if (i < o->n && o->slots[i].page == page && !o->refuse) {
		o->slots[i].page = NULL;
		o->slots[i].entry = entry;
		o->unmapped++;
		ok = true;
	} else {
		o->refused++;
	}
	pthread_mutex_unlock(&o->lock);
	return ok;
}

static const struct pf_address_space_operations lru_owner_ops = {
	.release_folio = lru_owner_release,
	.writepage = lru_owner_writepage,
	.try_to_unmap = lru_owner_unmap,
};

static inline struct lru_owner *lru_owner_new(struct pf_machine *m, unsigned n)
{
	struct lru_owner *o = calloc(1, sizeof *o);
	o->m = m;
	o->n = n;
	o->slots = calloc(n, sizeof *o->slots);
	o->as.a_ops = &lru_owner_ops;
	o->as.host = o;
	pthread_mutex_init(&o->lock, NULL);
	return o;
}

/* slot i gets a new page of @type, stamped, on the LRU; false when the allocation fails */
static inline bool lru_owner_fill(struct lru_owner *o, unsigned i, int type, pf_gfp_t gfp)
{
	struct pf_page *p = pf_alloc_pages(o->m, gfp, 0);
	if (!p)
		return false;
	p->index = i;
	o->slots[i].stamp = ((uint64_t)i << 32) | 0x5a5a;
	*lru_word(p) = o->slots[i].stamp;
	o->slots[i].type = type;
	pthread_mutex_lock(&o->lock);
	o->slots[i].page = p;
	pthread_mutex_unlock(&o->lock);
	if (o->slots[i].shadow) {
		pf_workingset_refault(p, type, o->slots[i].shadow);
		o->slots[i].shadow = 0;
	}
	return pf_lru_cache_add(p, &o->as, type) == 0;
}

/* the owner drops slot i: off the LRU and freed, or its swap entry freed */
static inline void lru_owner_drop(struct lru_owner *o, unsigned i)
{
	pthread_mutex_lock(&o->lock);
	struct pf_page *p = o->slots[i].page;
	unsigned long e = o->slots[i].entry;
	o->slots[i].page = NULL;
	o->slots[i].entry = 0;
	pthread_mutex_unlock(&o->lock);
	if (p) {
		pf_lru_del(p);
		pf_free_pages(p, 0);
	}
	if (e)
		pf_swap_free(o->m, e);
}

static inline void lru_owner_free(struct lru_owner *o)
{
	for (unsigned i = 0; i < o->n; i++)
		lru_owner_drop(o, i);
	pthread_mutex_destroy(&o->lock);
	free(o->slots);
	free(o);
}

#endif
