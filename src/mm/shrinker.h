/* SPDX-License-Identifier: MIT */
/*
 * shrinker.h - struct pf_shrinker, the machine's record of one registered
 * shrinker (struct shrinker of include/linux/shrinker.h, 6.12).  Only
 * shrinker.c looks inside; the calls other files make (shrink_slab,
 * drop_slab) are declared in internal.h under "shrinker.c, oom_kill.c".
 *
 * Lifetime (the kernel's refcount + RCU, done with the machine's
 * shrinker_lock): a shrinker stays on m->shrinker_list while anyone holds a
 * reference.  shrink_slab takes one (refs++) under the lock before calling
 * out and drops it under the lock after, then steps to the next entry,
 * which the reference kept valid.  pf_shrinker_unregister marks the
 * shrinker dead (no new reference, no further batch), waits until only the
 * references of this thread's own calls of it are left (none, unless it is
 * called from the shrinker's callback), and then takes it off the list and
 * frees it, or leaves that to the put that ends its own call (free_on_put).
 */
#ifndef PF_MM_SHRINKER_H
#define PF_MM_SHRINKER_H

#include <stdatomic.h>
#include <stdbool.h>

#include <pageframe/shrinker.h>

#include "internal.h"

#define SHRINK_STOP	PF_SHRINK_STOP
#define SHRINK_EMPTY	PF_SHRINK_EMPTY
#define SHRINK_BATCH	PF_SHRINK_BATCH
#define DEFAULT_SEEKS	PF_DEFAULT_SEEKS

#define SHRINKER_NUMA_AWARE	PF_SHRINKER_NUMA_AWARE	/* the kernel's bits */
#define SHRINKER_MEMCG_AWARE	PF_SHRINKER_MEMCG_AWARE

#define SHRINKER_NAME_LEN	32

/* the ways a shrinker can lie, each reported once per shrinker (lies_reported) */
enum shrinker_lie {
	SHRINKER_LIE_COUNT,		/* count_objects answered beyond any cache the machine could hold */
	SHRINKER_LIE_SCANNED,		/* scan_objects set nr_scanned to 0 or above nr_to_scan */
	SHRINKER_LIE_FREED,		/* scan_objects freed more than it scanned */
	SHRINKER_LIE_STOP,		/* SHRINK_STOP on every call, on and on */
	SHRINKER_LIE_BARREN,		/* counted objects, freed none of more than that scanned at priority 0 */
};
/* SHRINK_STOP answers in a row (with objects counted) before SHRINKER_LIE_STOP is reported */
#define SHRINKER_STOP_STREAK	16

struct pf_shrinker {
	struct list_head list;		/* m->shrinker_list; under m->shrinker_lock */
	struct pf_machine *m;
	struct pf_shrinker_ops ops;
	void *arg;
	int seeks;
	atomic_long batch;		/* 0: SHRINK_BATCH */
	atomic_uint flags;		/* SHRINKER_NUMA_AWARE, SHRINKER_MEMCG_AWARE (fixed at registration) */
	int id;				/* memcg-aware: its slot in m->shrinker_idr and the memcgs' maps; else -1 */
	/* under m->shrinker_lock */
	int refs;			/* shrink_slab calls in progress */
	bool free_on_put;		/* unregistered from its own callback: the last put frees */
	atomic_bool dead;		/* unregister began: no new call, no further batch */
	atomic_uint lies_reported;	/* 1 << enum shrinker_lie */
	atomic_uint stop_streak;
	atomic_long nr_deferred[MAX_NUMNODES];	/* the root memcg's (or, without memcgs, the machine's) */
	char name[SHRINKER_NAME_LEN];
};

#endif /* PF_MM_SHRINKER_H */
