/* SPDX-License-Identifier: MIT */
/*
 * tools/report.h - the HTML report of `pageframe replay --report` and
 * `pageframe report --live`: snapshots of /proc-style views gathered during a
 * run, written as one self-contained page (docs/REPLAY.md, "The report").
 */
#ifndef PAGEFRAME_TOOLS_REPORT_H
#define PAGEFRAME_TOOLS_REPORT_H

#include <stdbool.h>
#include <stddef.h>

struct rp_report;

/* The vmstat counters a snapshot carries, to mark events on the watermark charts. */
enum { RP_VM_KSWAPD, RP_VM_KCOMPACTD, RP_VM_ALLOCSTALL, RP_VM_COMPACTSTALL, RP_NR_VM };

/* A memory cgroup's figures in a snapshot (pageframe run): bytes, -1 for "max" (no limit). */
enum { RP_MCE_LOW, RP_MCE_HIGH, RP_MCE_MAX, RP_MCE_OOM, RP_MCE_OOM_KILL, RP_NR_MCE };	/* memory.events */
struct rp_memcg {
	const char *path;		/* "/parent/name" */
	long long current, max, high, low, min;
	long events[RP_NR_MCE];
};

/* One snapshot: the views as text; NULL where the source has no such view. */
struct rp_snapshot {
	double t;			/* x: events replayed, or seconds since the first sample */
	const char *buddyinfo;		/* /proc/buddyinfo */
	const char *zoneinfo;		/* /proc/zoneinfo */
	const char *extfrag;		/* extfrag_index (debugfs layout) */
	const char *unusable;		/* unusable_index */
	const char *pageblocks;		/* pf_show "pageblocks" (replay only) */
	const char *pagetypeinfo;	/* /proc/pagetypeinfo (live: the block counts come from it) */
	long vm[RP_NR_VM];		/* cumulative counters; -1 where unknown */
	int nmemcgs;			/* memory cgroups (pageframe run with memcgs; else 0) */
	const struct rp_memcg *memcgs;
};

struct rp_report *rp_new(const char *title, const char *source, const char *xlabel);
void rp_free(struct rp_report *r);
/* Start the next run (a machine variant); snapshots and events go to the latest run. */
int rp_run_begin(struct rp_report *r, const char *name);
int rp_snapshot(struct rp_report *r, const struct rp_snapshot *s);
/* One mm_page_alloc_extfrag event of the run, with the gfp of the allocation that caused it. */
int rp_extfrag_event(struct rp_report *r, double t, unsigned long pfn, int alloc_order, int fallback_order,
		     int alloc_mt, int fallback_mt, int change_ownership, const char *gfp);
void rp_note(struct rp_report *r, const char *text);	/* a sentence shown at the top */
/*
 * rp_write - write the HTML page to @path, with the charting library read from
 * rp_chartjs_path() embedded.  Return: 0, or -1 with a reason in @err.
 */
int rp_write(struct rp_report *r, const char *path, char *err, size_t errlen);
/* Where the charting library is read from: $PAGEFRAME_CHARTJS, else Debian's libjs-chart.js. */
const char *rp_chartjs_path(void);

/* Helpers the summaries share: order-9 blocks free (an order-10 block counts 2) in buddyinfo text,
 * and the zones of zoneinfo text whose free pages are below their low watermark. */
long rp_order9_blocks(const char *buddyinfo);
int rp_zones_below_low(const char *zoneinfo);

/* The whole of a file or stream (NULL with @err set); *len gets its length. */
char *rp_slurp(const char *path, size_t *len, char *err, size_t errlen);

#endif
