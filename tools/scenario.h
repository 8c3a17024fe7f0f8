/* SPDX-License-Identifier: MIT */
/*
 * tools/scenario.h - the workload scenarios of `pageframe run -m MACHINE
 * SCENARIO` (format: docs/SCENARIO.md).  The parser is a pure function over
 * the text (no allocation, no global state) so the fuzzer links it alone.
 */
#ifndef PAGEFRAME_TOOLS_SCENARIO_H
#define PAGEFRAME_TOOLS_SCENARIO_H

#include <pageframe/gfp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SC_MAX_PHASES 16
#define SC_MAX_STREAMS 16	/* per phase */
#define SC_MAX_CPUS 64		/* a stream's CPU set is a 64-bit mask */
#define SC_NAME 32
#define SC_MAX_MEMCGS 16
#define SC_MAX_MEMCG_DEPTH 8	/* levels below the root group */
#define SC_UNLIMITED UINT64_MAX	/* a memcg file's "max" */

enum sc_kind {
	SC_UNMOVABLE,	/* slab-like kernel memory: GFP_KERNEL */
	SC_RECLAIMABLE,	/* shrinkable caches (dentries, inodes): GFP_KERNEL | __GFP_RECLAIMABLE */
	SC_PAGECACHE,	/* file pages on the LRU: GFP_HIGHUSER_MOVABLE, movable, reclaimable */
	SC_ANON,	/* anonymous memory: GFP_HIGHUSER_MOVABLE, movable, not reclaimable (no swap) */
	SC_THP,		/* transparent huge pages: GFP_TRANSHUGE_LIGHT, order 9, movable */
	SC_ATOMIC,	/* interrupt-time allocations: GFP_ATOMIC */
	SC_NR_KINDS
};

struct sc_stream {
	char name[SC_NAME];
	enum sc_kind kind;
	pf_gfp_t gfp;
	unsigned order;
	double rate;		/* allocations a simulated second */
	unsigned burst;		/* they come in bursts of this many (1: spread evenly) */
	uint64_t lifetime_us;	/* mean lifetime; 0 = held to the end */
	uint64_t cpus;		/* bit mask of the CPUs the stream runs on (0: all) */
	int memcg;		/* index in scenario.memcgs (charged with __GFP_ACCOUNT), -1: none */
	char memcg_name[SC_NAME];	/* as written, until the end of the text resolves it */
	int line;		/* its line in the scenario, for messages */
};

/* A memory cgroup (cgroup v2's memory controller) the streams may be put in. */
struct sc_memcg {
	char name[SC_NAME];
	char parent_name[SC_NAME];	/* "": a child of the root group */
	int parent;		/* index in scenario.memcgs, -1: the root group */
	int depth;		/* 1: a child of the root */
	uint64_t max, high, low, min;	/* bytes; SC_UNLIMITED: "max" */
	int line;
};

struct sc_phase {
	char name[SC_NAME];
	uint64_t duration_us;
	int nstreams;
	struct sc_stream streams[SC_MAX_STREAMS];
	int line;
};

struct scenario {
	uint64_t seed;
	uint64_t tick_us;		/* the simulated clock's step */
	uint64_t snapshot_us;		/* 0: a fortieth of the run */
	uint64_t kcompactd_us;		/* step kcompactd this often (0: never) */
	uint64_t vmstat_us;		/* pf_vmstat_refresh this often (0: never) */
	bool reclaim;			/* page cache on the LRU, caches as a shrinker, kswapd stepped */
	int nphases;
	struct sc_phase phases[SC_MAX_PHASES];
	int nmemcgs;
	struct sc_memcg memcgs[SC_MAX_MEMCGS];	/* in the order declared (a parent may come after) */
	int max_cpu_line;		/* the line of the highest CPU named, and that CPU */
	int max_cpu;
};

/*
 * sc_parse - read a scenario (@len bytes, any bytes).  Return: 0, or -1 with
 * "line N: what is wrong" in @err.
 */
int sc_parse(const char *text, size_t len, struct scenario *sc, char *err, size_t errlen);

/* sc_total_us - the simulated length of the whole scenario. */
uint64_t sc_total_us(const struct scenario *sc);

const char *sc_kind_name(enum sc_kind k);

#endif
