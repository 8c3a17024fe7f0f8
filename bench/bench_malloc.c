/* SPDX-License-Identifier: MIT */
/* bench_malloc: the workloads over aligned_alloc(4096, 4096 << order) + free, linked against
 * glibc, jemalloc, mimalloc or tcmalloc (which replace malloc when linked); BENCH_NAME names it. */
#include <stdlib.h>
#ifndef BENCH_NAME
#define BENCH_NAME "glibc"
#endif
static void bench_init(void) {}
static void bench_thread_start(void) {}
static inline void *bench_alloc(unsigned order)
{
	return aligned_alloc(4096, (size_t)4096 << order);
}
static inline void bench_free(void *p, unsigned order)
{
	(void)order;
	free(p);
}
static int bench_alloc_bulk(void **v, int n)
{
	for (int i = 0; i < n; i++)
		v[i] = aligned_alloc(4096, 4096);
	return n;
}
#include "workloads.h"
