/* SPDX-License-Identifier: MIT */
/*
 * pageframe/shrinker.h - caches the allocator may ask to shrink, as Linux
 * 6.12's shrinkers (include/linux/shrinker.h, mm/shrinker.c).
 *
 * A program that keeps a cache in the machine's pages (objects it could
 * drop and rebuild later) registers a shrinker: two callbacks the machine
 * calls when memory runs short (reclaim's shrink_slab) or when asked to
 * drop caches (pf_sysctl_set(m, "drop_caches", "2")).  count_objects says
 * how many objects could be freed now; scan_objects is asked to look at
 * sc->nr_to_scan of them and free what it can.
 *
 * Glossary
 *   seeks     how costly an object is to rebuild (the kernel's "seeks to
 *             recreate"): the pressure a shrinker gets is 4 / seeks times
 *             count >> priority objects per call.  PF_DEFAULT_SEEKS (2)
 *             unless you know better; 0 means "free to rebuild": half the
 *             cache is asked for on every call.
 *   batch     objects per scan_objects call (128 unless set).
 *   priority  reclaim's urgency, 12 (gentle) down to 0 (drop everything):
 *             a call at priority p looks at about count >> p objects.
 *   deferred  work a shrinker could not do (it stopped, or the request
 *             was smaller than a batch) carried over to its next call.
 *
 * Contract for the callbacks: they run with no lock of the machine held,
 * in whichever thread reclaims (an allocating thread, kswapd, or the one
 * writing drop_caches), possibly in several threads at once.  They may
 * allocate and free pages of the machine.  After pf_shrinker_unregister
 * returns, neither callback runs again and @arg may be freed.
 *
 * Thread safety: every call may be made from any thread.
 */
#ifndef PAGEFRAME_SHRINKER_H
#define PAGEFRAME_SHRINKER_H

#include <stdbool.h>
#include <pageframe/gfp.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef PF_API	/* as pageframe.h defines it */
#if defined(_WIN32)
#define PF_API
#elif defined(__GNUC__)
#define PF_API __attribute__((visibility("default")))
#else
#define PF_API
#endif
#endif

struct pf_machine;
struct pf_shrinker;
struct pf_memcg;

/*
 * struct pf_shrink_control - one request to a shrinker (struct
 * shrink_control).  @gfp_mask is the allocation being served (a shrinker
 * that cannot make progress under it, e.g. without PF___GFP_FS, returns
 * PF_SHRINK_STOP); @nid the node being reclaimed; @nr_to_scan how many
 * objects scan_objects should look at; @nr_scanned is set to @nr_to_scan
 * before the call, and scan_objects lowers it when it looked at fewer.
 */
struct pf_shrink_control { pf_gfp_t gfp_mask; int nid; unsigned long nr_to_scan; unsigned long nr_scanned; };

/* scan_objects: no progress possible now (the rest of the request is deferred) */
#define PF_SHRINK_STOP  (~0UL)
/* count_objects: the cache is empty */
#define PF_SHRINK_EMPTY (~0UL - 1)

#define PF_DEFAULT_SEEKS	2	/* DEFAULT_SEEKS */
#define PF_SHRINK_BATCH		128	/* SHRINK_BATCH: objects per scan_objects call by default */

/*
 * struct pf_shrinker_ops - the two callbacks, given @arg of the registration.
 * count_objects: objects that could be freed now; PF_SHRINK_EMPTY for none;
 *   0 when unknown or too few to bother (the shrinker is skipped this time).
 * scan_objects: look at sc->nr_to_scan objects, free what can go, return
 *   how many were freed (at most sc->nr_to_scan), or PF_SHRINK_STOP.
 */
struct pf_shrinker_ops {
    unsigned long (*count_objects)(void *arg, struct pf_shrink_control *sc);
    unsigned long (*scan_objects)(void *arg, struct pf_shrink_control *sc); /* frees, returns how many */
};

/**
 * pf_shrinker_register - add a shrinker to @m (shrinker_alloc +
 * shrinker_register).
 * @name: for reports and traces (copied; up to 31 characters are kept).
 * @ops: both callbacks are required (copied).
 * @arg: passed to the callbacks.
 * @seeks: PF_DEFAULT_SEEKS, or 0..1000 (see the glossary).
 *
 * A shrinker is called once per node being reclaimed with sc->nid set;
 * the work it leaves undone is carried over in one count for the whole
 * machine unless pf_shrinker_set_numa_aware asks for one per node.
 *
 * Return: the shrinker, or NULL (a missing callback, a bad @seeks, no
 * memory), reported through the machine's report hook.
 */
PF_API struct pf_shrinker *pf_shrinker_register(struct pf_machine *m, const char *name,
                                                const struct pf_shrinker_ops *ops, void *arg, int seeks);

/* Flags of pf_shrinker_register_flags (the kernel's SHRINKER_* bits) */
#define PF_SHRINKER_NUMA_AWARE	(1u << 2)	/* as pf_shrinker_set_numa_aware(s, true) */
#define PF_SHRINKER_MEMCG_AWARE	(1u << 3)	/* objects kept per memory cgroup (below) */

/**
 * pf_shrinker_register_flags - pf_shrinker_register with flags
 * (shrinker_alloc's): PF_SHRINKER_NUMA_AWARE, PF_SHRINKER_MEMCG_AWARE.
 *
 * A memcg-aware shrinker (SHRINKER_MEMCG_AWARE) keeps its objects per
 * memory cgroup, charged to the group they were made for.  Reclaim of a
 * group (its memory.max or memory.high, or a machine-wide reclaim walking
 * the groups) calls it for that group: pf_shrink_control_memcg(sc) names
 * the group, and count_objects / scan_objects answer for that group's
 * objects only.  With the group NULL (the root: machine-wide reclaim and
 * drop_caches) they answer for the objects charged to no group.  Its
 * deferred work is kept per group (and per node when NUMA-aware too).
 * A group is asked only after pf_shrinker_mark_memcg said it holds
 * objects there; a count of PF_SHRINK_EMPTY for the group clears the
 * mark again.  When a group is destroyed, its marks and deferred work go
 * to its parent, and its objects should count as the parent's from then
 * on (the kernel moves them to the parent's list_lru).
 *
 * Return: the shrinker, or NULL as pf_shrinker_register, and also for an
 * unknown flag or when 128 memcg-aware shrinkers are already registered.
 */
PF_API struct pf_shrinker *pf_shrinker_register_flags(struct pf_machine *m, const char *name,
                                                      const struct pf_shrinker_ops *ops, void *arg, int seeks,
                                                      unsigned int flags);

/**
 * pf_shrinker_mark_memcg - @cg now holds objects of the memcg-aware
 * shrinker @s on node @nid (-1: on every node): reclaim of @cg will call
 * it (set_shrinker_bit, which the kernel's list_lru_add does for each
 * object added).  @cg NULL (the root) needs no mark: returns 0.
 * Return: 0, or -EINVAL for a pointer that is no registered shrinker, a
 * shrinker that is not memcg-aware, a group of another machine, or a
 * node the machine does not have.
 */
PF_API int pf_shrinker_mark_memcg(struct pf_shrinker *s, struct pf_memcg *cg, int nid);

/**
 * pf_shrink_control_memcg - the memory cgroup a count_objects or
 * scan_objects call is for (shrink_control's memcg): a group for a
 * memcg-aware shrinker called by that group's reclaim, NULL for the
 * root (every call of a shrinker that is not memcg-aware, and the
 * machine-wide walk).  Only meaningful inside the callback given @sc;
 * any other pointer gives NULL.
 */
PF_API struct pf_memcg *pf_shrink_control_memcg(const struct pf_shrink_control *sc);

/**
 * pf_shrinker_unregister - remove a shrinker (shrinker_free).  Waits for
 * its calls in other threads to return (they stop before their next
 * batch); called from the shrinker's own callback, it does not wait for
 * that call, and the shrinker goes when it ends.  Either way no callback
 * starts after this returns.  A pointer that is no
 * registered shrinker (never registered, already unregistered) is
 * reported and ignored; NULL is a no-op.
 */
PF_API void pf_shrinker_unregister(struct pf_shrinker *s);

/**
 * pf_shrinker_set_batch - objects per scan_objects call (shrinker->batch);
 * 0 restores PF_SHRINK_BATCH.  Return: 0, or -EINVAL for a negative
 * @batch or a pointer that is no registered shrinker.
 */
PF_API int pf_shrinker_set_batch(struct pf_shrinker *s, long batch);

/**
 * pf_shrinker_set_numa_aware - SHRINKER_NUMA_AWARE: the shrinker keeps its
 * objects per node (it answers for sc->nid only), so its deferred work is
 * kept per node too.  Return: 0 or -EINVAL as pf_shrinker_set_batch.
 */
PF_API int pf_shrinker_set_numa_aware(struct pf_shrinker *s, bool numa_aware);

#ifdef __cplusplus
}
#endif

#endif /* PAGEFRAME_SHRINKER_H */
