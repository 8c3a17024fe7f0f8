/* SPDX-License-Identifier: MIT */
/*
 * bench_pageframe: the workloads over pf_alloc_pages / pf_free_pages on a 1 GiB hosted machine.
 * Built twice by run.sh: "pageframe" with the kernel's per-CPU list sizes, and
 * "pageframe-pcp1" with BENCH_MACHINE_EXTRA "pcp_high_max_fraction 1" (per-CPU lists that may
 * hold the whole working set: the design change the per-CPU issue asks to measure), and
 * "pageframe-arena" with "profile arena" (docs/MACHINE.md).
 */
#include <pageframe/pageframe.h>
#include <stdio.h>
#include <stdlib.h>
#ifndef BENCH_NAME
#define BENCH_NAME "pageframe"
#endif
#ifndef BENCH_MACHINE_EXTRA
#define BENCH_MACHINE_EXTRA ""
#endif
static struct pf_machine *bm;
static void bench_init(void)
{
	char err[256];
	bm = pf_machine_create("cpus 2\nmem 0 0x1000-0x9efff\nmem 0 0x100000-0x3fffffff\n" BENCH_MACHINE_EXTRA, err,
			       sizeof err);
	if (!bm) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}
}
static void bench_thread_start(void) {}
static inline void *bench_alloc(unsigned order)
{
	return pf_alloc_pages(bm, PF_GFP_KERNEL, order);
}
static inline void bench_free(void *p, unsigned order)
{
	pf_free_pages(p, order);
}
static int bench_alloc_bulk(void **v, int n)
{
	for (int i = 0; i < n; i++)
		v[i] = NULL;
	return (int)pf_alloc_pages_bulk(bm, PF_GFP_KERNEL, (unsigned long)n, (struct pf_page **)v);
}
/* e's frees: the batch goes back with one call (release_pages), as the batch came with one */
#define BENCH_FREE_BULK 1
static inline void bench_free_bulk(void **v, int n)
{
	pf_release_pages((struct pf_page **)v, n);
}
#include "workloads.h"
