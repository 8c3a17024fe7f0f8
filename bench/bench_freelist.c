/* SPDX-License-Identifier: MIT */
/* bench_freelist: the lower bound - per-order singly linked free lists of pre-carved page
 * descriptors (one 16-byte node per 4 KiB page, like a minimal memmap), no locking, no
 * accounting, no page memory touched.  Thread-local, so (d) measures pure per-thread cost. */
#include <stdlib.h>
#define BENCH_NAME "freelist"
#define POOL_PAGES (1UL << 18)	/* 1 GiB worth of pages */
struct node { struct node *next; unsigned long pfn; };
static _Thread_local struct node *heads[5];
static _Thread_local struct node *pool;
static _Thread_local size_t pool_used;
static void bench_thread_start(void)
{
	pool = calloc(POOL_PAGES, sizeof *pool);
	pool_used = 0;
	for (int i = 0; i < 5; i++)
		heads[i] = NULL;
}
static void bench_init(void) { bench_thread_start(); }
static inline void *bench_alloc(unsigned order)
{
	struct node *n = heads[order];
	if (n) {
		heads[order] = n->next;
		return n;
	}
	n = pool + pool_used;
	n->pfn = pool_used;
	pool_used += 1UL << order;
	return n;
}
static inline void bench_free(void *p, unsigned order)
{
	struct node *n = p;
	n->next = heads[order];
	heads[order] = n;
}
static int bench_alloc_bulk(void **v, int n)
{
	for (int i = 0; i < n; i++)
		v[i] = bench_alloc(0);
	return n;
}
#include "workloads.h"
