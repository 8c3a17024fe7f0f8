/* SPDX-License-Identifier: MIT */
/*
 * pageframe/memcg.h - memory cgroups (cgroup v2's memory controller, as
 * Linux 6.12's mm/memcontrol.c): a tree of groups per machine under its
 * root group; allocations with PF___GFP_ACCOUNT (PF_GFP_KERNEL_ACCOUNT)
 * are charged to the calling thread's group and to every ancestor, limited
 * by memory.max, throttled above memory.high, and uncharged when freed.
 *
 * Included by <pageframe/pageframe.h>.
 *
 * Files, read with pf_memcg_show and written with pf_memcg_set, in the
 * kernel's formats (values in bytes; "max" for no limit; K, M, G, T
 * suffixes multiply by 1024; values are rounded down to whole pages):
 *   memory.current       bytes charged (includes the per-CPU batch stock)
 *   memory.min, .low     protection from reclaim (hard, best-effort)
 *   memory.high          the throttling limit: over it, an allocating
 *                        thread reclaims and then sleeps (at most 2 s)
 *   memory.max           the hard limit: a charge over it reclaims, then
 *                        fails or calls the memcg OOM killer
 *   memory.peak          the highest memory.current so far
 *   memory.events        "low N\nhigh N\nmax N\noom N\noom_kill N\noom_group_kill N",
 *                        counted here and below; memory.events.local here only
 *   memory.stat          the kernel's memory.stat keys in its order
 *   memory.numa_stat     per node ("anon N0=... N1=...")
 *   memory.oom.group     0 or 1
 * The root group has only memory.stat and memory.numa_stat, as in the kernel.
 */
#ifndef PAGEFRAME_MEMCG_H
#define PAGEFRAME_MEMCG_H

#include <stdio.h>
#include <pageframe/pageframe.h>	/* PF_API; it includes this header at its end */

#ifdef __cplusplus
extern "C" {
#endif

struct pf_machine;
struct pf_memcg;

/**
 * pf_memcg_create - make a memory cgroup (mkdir in the kernel's cgroupfs).
 * @m: the machine whose allocations it charges.
 * @parent: the parent group, or NULL for the machine's root group.
 * @name: its name (any non-empty text without '/'), shown in reports as a
 *        path ("/parent/name"); names need not be unique.
 *
 * The first group made on a machine turns charging on for good; until then
 * PF___GFP_ACCOUNT costs the allocator nothing.
 * Return: the group, or NULL (a bad argument, the parent destroyed or of
 * another machine, out of memory) with a message through the report hook.
 */
PF_API struct pf_memcg *pf_memcg_create(struct pf_machine *m, struct pf_memcg *parent, const char *name);

/**
 * pf_memcg_set - write one of the group's files: "memory.max",
 * "memory.high", "memory.low", "memory.min", "memory.oom.group".
 * Lowering memory.max or memory.high below memory.current reclaims (and
 * for memory.max then calls the memcg OOM killer) as the kernel's write does.
 * Return: 0, or -EINVAL for an unknown file, a file the root group does not
 * have, or a value that does not parse.
 */
PF_API int pf_memcg_set(struct pf_memcg *cg, const char *file, const char *value);

/**
 * pf_memcg_show - print one of the group's files (the list above) to @out,
 * byte for byte as the kernel's.
 * Return: 0, or -EINVAL for an unknown file or one the root does not have.
 */
PF_API int pf_memcg_show(struct pf_memcg *cg, const char *file, FILE *out);

/**
 * pf_memcg_attach - make @cg the calling thread's group (set_active_memcg):
 * from now on its PF___GFP_ACCOUNT allocations on @cg's machine are charged
 * to it.  NULL attaches the thread to the root group again (no charging).
 * The thread keeps a reference: a group destroyed while a thread is attached
 * stays valid for it, and that thread's charges go to the nearest ancestor
 * still alive, as the kernel's do.
 * Return: the previous group (NULL: the root).
 */
PF_API struct pf_memcg *pf_memcg_attach(struct pf_memcg *cg);

/**
 * pf_memcg_destroy - remove a group (rmdir).  Pages still charged to it stay
 * charged to its parent (6.12's reparenting); nothing is lost.  Refused with
 * a report (and nothing changes) for the root group and for a group that still
 * has child groups, which the kernel refuses with -EBUSY.  NULL is a no-op.
 */
PF_API void pf_memcg_destroy(struct pf_memcg *cg);

/**
 * pf_memcg_set_throttle_hook - take memory.high's throttling in place of
 * the sleep: a thread that would sleep its penalty (at most 2 s) calls
 * @fn(@arg, @ns) instead, @ns the penalty in nanoseconds (whole jiffies of
 * HZ 250), with no lock of the machine held.  For a program that keeps its
 * own clock (a simulator).  NULL @fn sleeps again (the default).  Set it
 * before threads charge: a thread already throttling uses the old one.
 */
PF_API void pf_memcg_set_throttle_hook(struct pf_machine *m, void (*fn)(void *arg, unsigned long long ns),
				       void *arg);

#ifdef __cplusplus
}
#endif

#endif /* PAGEFRAME_MEMCG_H */
