/* SPDX-License-Identifier: MIT */
/*
 * scale.c - does an allocation cost more on a bigger or an older machine?
 * Workloads (a) and (b) of bench/workloads.h (order-0 churn of 100 000
 * pages, freed LIFO / in a random order) on memmap-only machines
 * ("backing none": no memory behind the pfns, so a big machine costs only its
 * struct pages) of 1, 2, 4 and 64 GiB and 1 TiB:
 *
 *   cpus 2, mem 0 0x1000-0x9efff, mem 0 0x100000-<size - 1>
 *
 * (up to 4 GiB: ZONE_DMA and ZONE_DMA32 only; 64 GiB and 1 TiB: the rest is
 * ZONE_NORMAL, where GFP_KERNEL is served).  Each fresh, and after an aging
 * phase of a million steps of workload (c)'s churn (orders 0-4 weighted
 * 60/20/10/5/5 % over 100 000 slots that settle near half full):
 *   SIZE-aged  the churn's blocks are all freed before (a) and (b) run (the
 *              state workload (c) leaves behind);
 *   SIZE-held  they stay allocated while (a) and (b) run (about 130 000 pages
 *              spread over the machine: a machine in use).
 *
 * Usage: scale ROW, ROW = SIZE, SIZE-aged or SIZE-held, SIZE one of 1g 2g 4g
 * 64g 1t; one row per process, so that bench/run.sh can run the rows
 * alternately.  Output: "scale ROW a|b VALUE ns/pair", or
 * "scale ROW status skipped <reason>" when the machine cannot be created
 * (a 1 TiB memmap is 16 GiB of struct pages: it needs the lazy memmap).
 * SCALE_VERBOSE=1 adds the zone's per-CPU list state (zoneinfo's pagesets)
 * before and after each workload to stderr; SCALE_ONLY=a or b runs one of them.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* open_memstream */
#endif
#include <pageframe/pageframe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * -DSCALE_CALLGRIND: a profiling build for valgrind --tool=callgrind --instr-atstart=no.  Only
 * the workload SCALE_ONLY names (a or b) runs; instrumentation starts before its warm-up round
 * (which warms the simulated caches) and the counts are zeroed before its timed round and dumped
 * after it, so the dump holds exactly 2 000 000 pairs.
 */
#ifdef SCALE_CALLGRIND
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_DUMP_STATS
#endif

#define WORKLOADS_NO_MAIN
#define BENCH_NAME "scale"

static struct pf_machine *bm;

static inline void *bench_alloc(unsigned order)
{
	return pf_alloc_pages(bm, PF_GFP_KERNEL, order);
}

static inline void bench_free(void *p, unsigned order)
{
	pf_free_pages(p, order);
}

#include "workloads.h"

#define AGE_OPS 1000000
#ifndef SCALE_BACKING
#define SCALE_BACKING "none" /* -DSCALE_BACKING='"hosted"' to compare with memory behind the pfns */
#endif

struct size {
	const char *name;
	const char *last; /* last byte of the machine's memory */
};

static const struct size sizes[] = {
	{ "1g", "0x3fffffff" }, { "2g", "0x7fffffff" }, { "4g", "0xffffffff" },
	{ "64g", "0xfffffffff" }, { "1t", "0xffffffffff" },
};

static void **age_slot;
static unsigned char *age_ord;

/* Workload (c)'s churn for AGE_OPS steps; its blocks are freed now, or (@free_now false) by age_end. */
static void age(bool free_now)
{
	age_slot = calloc(C_SLOTS, sizeof *age_slot);
	age_ord = calloc(C_SLOTS, 1);
	uint64_t s = 0x1234567;
	if (!age_slot || !age_ord) {
		fprintf(stderr, "scale: out of host memory\n");
		exit(1);
	}
	for (int i = 0; i < AGE_OPS; i++)
		c_step(age_slot, age_ord, &s);
	if (free_now)
		for (int k = 0; k < C_SLOTS; k++)
			if (age_slot[k]) {
				bench_free(age_slot[k], age_ord[k]);
				age_slot[k] = NULL;
			}
}

static void age_end(void)
{
	for (int k = 0; age_slot && k < C_SLOTS; k++)
		if (age_slot[k])
			bench_free(age_slot[k], age_ord[k]);
	free(age_slot);
	free(age_ord);
}

/* The pagesets of zoneinfo (count, high, batch of each CPU) of the zone GFP_KERNEL is served from. */
static void show_pcp(const char *when)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return;
	pf_show(bm, "zoneinfo", f);
	fclose(f);
	fprintf(stderr, "-- %s\n", when);
	/* the last populated zone's pagesets: print from its "Node 0, zone" header on */
	char *last = NULL, *p = buf;
	while ((p = strstr(p, "Node 0, zone"))) {
		char *e = strstr(p, "present ");
		if (e && strtoul(e + 8, NULL, 10) > 0)
			last = p;
		p++;
	}
	if (last) {
		char *pg = strstr(last, "pagesets");
		char *end = pg ? strstr(pg, "node_unreclaimable") : NULL;
		if (pg && end)
			fprintf(stderr, "%.*s", (int)(end - pg), pg);
	}
	free(buf);
}

int main(int argc, char **argv)
{
	const struct size *r = NULL;
	const char *row = argc > 1 ? argv[1] : "", *dash = strchr(row, '-');
	size_t n = dash ? (size_t)(dash - row) : strlen(row);
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		if (strlen(sizes[i].name) == n && !strncmp(row, sizes[i].name, n))
			r = &sizes[i];
	bool aged = dash && !strcmp(dash, "-aged"), held = dash && !strcmp(dash, "-held");
	if (!r || (dash && !aged && !held)) {
		fprintf(stderr, "usage: scale SIZE[-aged|-held], SIZE one of 1g 2g 4g 64g 1t\n");
		return 2;
	}
	bool verbose = getenv("SCALE_VERBOSE") && *getenv("SCALE_VERBOSE") == '1';
	char desc[256], err[512];
	snprintf(desc, sizeof desc, "cpus 2\nbacking " SCALE_BACKING "\nmem 0 0x1000-0x9efff\nmem 0 0x100000-%s\n", r->last);
	bm = pf_machine_create(desc, err, sizeof err);
	if (!bm) {
		/* one line: the reason up to its first newline */
		err[strcspn(err, "\n")] = '\0';
		printf("scale %s status skipped %s\n", row, err);
		return 0;
	}
	void **blocks = malloc(A_BLOCKS * sizeof *blocks);
	uint32_t *perm = malloc(A_BLOCKS * sizeof *perm);
	if (!blocks || !perm) {
		fprintf(stderr, "scale: out of host memory\n");
		return 1;
	}
	uint64_t s = 42;
	for (uint32_t i = 0; i < A_BLOCKS; i++)
		perm[i] = i;
	for (uint32_t i = A_BLOCKS - 1; i > 0; i--) {
		uint32_t j = (uint32_t)(xorshift(&s) % (i + 1));
		uint32_t t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	if (aged || held)
		age(aged);
	if (verbose)
		show_pcp("before a");
	const char *only = getenv("SCALE_ONLY") ? getenv("SCALE_ONLY") : "ab";
	for (int w = 0; w < 2; w++) {
		if (!strchr(only, "ab"[w]))
			continue;
		CALLGRIND_START_INSTRUMENTATION;
		run_a(blocks, w, perm); /* warm-up round, as bench/workloads.h's main */
		CALLGRIND_ZERO_STATS;
		double ns = run_a(blocks, w, perm);
		CALLGRIND_DUMP_STATS;
		printf("scale %s %c %.2f ns/pair\n", row, "ab"[w], ns);
		if (verbose)
			show_pcp(w ? "after b" : "after a");
	}
	age_end();
	free(blocks);
	free(perm);
	pf_machine_destroy(bm);
	return 0;
}
