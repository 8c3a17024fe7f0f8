/* stress_common.h: shared helpers of the tests/stress concurrency tests (not a test itself). */
#ifndef PF_STRESS_COMMON_H
#define PF_STRESS_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>
#include <stdatomic.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "mm/internal.h"
#include "pf_testlib.h"

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define STRESS_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__) && !defined(STRESS_TSAN)
#define STRESS_TSAN 1
#endif
#ifndef STRESS_TSAN
#define STRESS_TSAN 0
#endif

/* 1 GiB low node 0 (with the usual DMA hole), 1 GiB more; 4 simulated CPUs. */
#define STRESS_MACHINE_1NODE "cpus 4\nmem 0 0x1000-0x9efff\nmem 0 0x100000-0x7fffffff\n"
#define STRESS_MACHINE_2NODE                                                                       \
	"cpus 4\nnode 0 cpus 0-1\nnode 1 cpus 2-3\ndistance 0 1 21\n"                              \
	"mem 0 0x1000-0x9efff\nmem 0 0x100000-0x3fffffff\nmem 1 0x40000000-0x7fffffff\n"

static inline double stress_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* 2 x online host CPUs, at least 4 (PF_STRESS_THREADS overrides). */
static inline int stress_nthreads(void)
{
	const char *e = getenv("PF_STRESS_THREADS");
	if (e && atoi(e) > 0)
		return atoi(e);
	long n = sysconf(_SC_NPROCESSORS_ONLN) * 2;
	if (n < 4)
		n = 4;
	if (n > 64)
		n = 64;
	return (int)n;
}

/* Iteration scale: PF_STRESS_SCALE (a float, default 1); TSan runs a fraction. */
static inline double stress_scale(void)
{
	const char *e = getenv("PF_STRESS_SCALE");
	double s = e ? atof(e) : 1.0;
	if (s <= 0)
		s = 1.0;
	return STRESS_TSAN ? s / 8.0 : s;
}

/* How long a time-boxed stress runs: PF_STRESS_SECONDS, else @dflt (the same under TSan: the loops are time-boxed). */
static inline double stress_seconds(double dflt)
{
	const char *e = getenv("PF_STRESS_SECONDS");
	double s = e ? atof(e) : dflt;
	return s > 0 ? s : dflt;
}

/* xorshift64* (tests/lib) */
static inline uint64_t stress_rand(uint64_t *s)
{
	return pf_test_xorshift64s(s);
}

/* Report hook: count error-level lines (bad page reports) and warnings; keep the first few. */
struct stress_reports {
	pthread_mutex_t lock;
	int errors;
	int warnings;
	int kept;
	char lines[16][256];
};

static void stress_report_hook(void *arg, int level, const char *line)
{
	struct stress_reports *r = arg;
	pthread_mutex_lock(&r->lock);
	if (level <= '3')
		r->errors++;
	else if (level == '4')
		r->warnings++;
	if (r->kept < 16 && level <= '4')
		snprintf(r->lines[r->kept++], sizeof r->lines[0], "<%c>%s", level, line);
	pthread_mutex_unlock(&r->lock);
}

static inline void stress_print_reports(struct stress_reports *r)
{
	for (int i = 0; i < r->kept; i++)
		fprintf(stderr, "  report: %s\n", r->lines[i]);
}

static inline long stress_vmstat(struct pf_machine *m, const char *name)
{
	return pf_test_vmstat(m, name);
}

static inline char *stress_buddyinfo(struct pf_machine *m)
{
	return pf_test_show(m, "buddyinfo");
}

/*
 * The accounting invariant, with every block freed: for every populated
 * zone, pages on the buddy lists + pages on the per-CPU lists == managed.
 * Returns the number of zones where it fails (after printing them).
 */
static int stress_check_accounting(struct pf_machine *m, const char *when)
{
	int bad = 0;
	for (int nid = 0; nid < m->nr_node_ids; nid++) {
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &m->node_data[nid]->node_zones[z];
			if (!populated_zone(zone))
				continue;
			unsigned long buddy = 0, pcp = 0;
			for (int o = 0; o < NR_PAGE_ORDERS; o++)
				buddy += zone->free_area[o].nr_free << o;
			for (int cpu = 0; cpu < m->nr_cpus; cpu++)
				pcp += (unsigned long)zone->per_cpu_pageset[cpu].count;
			unsigned long managed = zone_managed_pages(zone);
			if (buddy + pcp != managed) {
				fprintf(stderr,
					"%s: node %d zone %s: buddy %lu + pcp %lu = %lu != managed %lu (diff %ld)\n",
					when, nid, zone->name, buddy, pcp, buddy + pcp, managed,
					(long)(buddy + pcp) - (long)managed);
				bad++;
			}
		}
	}
	return bad;
}

static inline unsigned long stress_pcp_total(struct pf_machine *m)
{
	unsigned long pcp = 0;
	for (int nid = 0; nid < m->nr_node_ids; nid++)
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &m->node_data[nid]->node_zones[z];
			if (!populated_zone(zone))
				continue;
			for (int cpu = 0; cpu < m->nr_cpus; cpu++)
				pcp += (unsigned long)zone->per_cpu_pageset[cpu].count;
		}
	return pcp;
}

static inline unsigned long stress_managed_total(struct pf_machine *m)
{
	unsigned long t = 0;
	for (int nid = 0; nid < m->nr_node_ids; nid++)
		for (int z = 0; z < MAX_NR_ZONES; z++)
			t += zone_managed_pages(&m->node_data[nid]->node_zones[z]);
	return t;
}

/*
 * Tagged content stamps for blocks that move (test_stress_migrate, test_stress_compaction): the
 * first and last word of every page of a block carry a value derived from the block's tag, the
 * page's index and the word, so a page copied to the wrong place, half copied or written by
 * someone else shows.
 */
static inline uint64_t stress_stamp_of(uint64_t tag, unsigned long i, unsigned w)
{
	return (tag * 0x9e3779b97f4a7c15ULL) ^ (i << 24) ^ ((uint64_t)w << 40) ^ 0x0123456789abcdefULL;
}

static inline void stress_stamp_block(struct pf_page *page, unsigned order, uint64_t tag)
{
	for (unsigned long i = 0; i < (1UL << order); i++) {
		uint64_t *p = pf_page_address(page + i);
		p[0] = stress_stamp_of(tag, i, 0);
		p[511] = stress_stamp_of(tag, i, 511);
	}
}

static inline bool stress_stamps_hold(struct pf_page *page, unsigned order, uint64_t tag)
{
	for (unsigned long i = 0; i < (1UL << order); i++) {
		uint64_t *p = pf_page_address(page + i);
		if (p[0] != stress_stamp_of(tag, i, 0) || p[511] != stress_stamp_of(tag, i, 511))
			return false;
	}
	return true;
}

#endif
