/* SPDX-License-Identifier: MIT */
/*
 * shrinker.c - caches a program lets the machine shrink (Linux 6.12's
 * mm/shrinker.c), drop_slab (mm/vmscan.c) and the drop_caches sysctl
 * (fs/drop_caches.c).
 *
 * Reclaim calls shrink_slab with a priority; each shrinker is asked, in
 * do_shrink_slab, to scan a share of its objects that grows as the
 * priority falls: (count >> priority) * 4 / seeks, plus the work deferred
 * from earlier calls, in batches of 128.  Unlike the kernel, which trusts
 * its shrinkers, every answer of a callback is checked: a count beyond any
 * cache the machine could hold, a scan that claims no progress or more
 * than it was asked for, a shrinker that stops forever.  Each such lie is
 * bounded (clamped, so every loop here ends) and reported once.
 *
 * No lock of the machine is held while a callback runs (they may
 * allocate); the list's lifetime rules are in shrinker.h.  This file never
 * reaches into the LRU: the page-cache half of drop_caches belongs to
 * vmscan.c.
 */
#include "shrinker.h"

#include <stdlib.h>
#include <string.h>

#include "memcontrol.h"
#include "sched.h"
#include "vmscan.h"

/*
 * The shrinkers whose callbacks this thread is inside, innermost first (a
 * callback that allocates may reclaim and call another shrinker): lets
 * pf_shrinker_unregister tell a shrinker removing itself from one it must
 * wait for.
 */
struct shrinker_frame {
	const struct pf_shrinker *s;
	const struct pf_shrink_control *sc;	/* the request, for pf_shrink_control_memcg */
	struct mem_cgroup *memcg;		/* sc->memcg: NULL for the root */
	struct shrinker_frame *up;
};
static _Thread_local struct shrinker_frame *shrinker_running;

/* The references this thread holds on @s: one per call of its callbacks in progress here. */
static int shrinker_refs_here(const struct pf_shrinker *s)
{
	int n = 0;
	for (struct shrinker_frame *f = shrinker_running; f; f = f->up)
		n += f->s == s;
	return n;
}

static unsigned long shrinker_count(struct pf_shrinker *s, struct pf_shrink_control *sc, struct mem_cgroup *memcg)
{
	struct shrinker_frame f = { s, sc, memcg, shrinker_running };
	shrinker_running = &f;
	unsigned long ret = s->ops.count_objects(s->arg, sc);
	shrinker_running = f.up;
	return ret;
}

static unsigned long shrinker_scan(struct pf_shrinker *s, struct pf_shrink_control *sc, struct mem_cgroup *memcg)
{
	struct shrinker_frame f = { s, sc, memcg, shrinker_running };
	shrinker_running = &f;
	unsigned long ret = s->ops.scan_objects(s->arg, sc);
	shrinker_running = f.up;
	return ret;
}

/* ---- lies -------------------------------------------------------------------- */

/* Report @lie of @s once for its lifetime; the caller has already bounded it. */
__attribute__((format(printf, 3, 4)))
static void shrinker_lie(struct pf_shrinker *s, enum shrinker_lie lie, const char *fmt, ...)
{
	unsigned bit = 1u << lie;
	if (atomic_fetch_or_explicit(&s->lies_reported, bit, memory_order_relaxed) & bit)
		return;
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	pf_printk(s->m, '4', "pageframe: shrinker %s: %s (reported once)", s->name, msg);
}

/*
 * The most objects a count may claim: one per byte of the machine's managed
 * memory (pageframe's own bound).  Objects live in the machine's pages, so
 * a larger count is a lie; it also keeps the arithmetic below from
 * overflowing a long.
 */
static long shrinker_count_limit(struct pf_machine *m)
{
	unsigned long pages = 0;
	for (int nid = 0; nid < m->nr_node_ids; nid++) {
		pg_data_t *pgdat = m->node_data[nid];
		if (!pgdat)
			continue;
		for (int z = 0; z < MAX_NR_ZONES; z++)
			pages += zone_managed_pages(&pgdat->node_zones[z]);
	}
	return (long)((pages ? pages : 1) * PAGE_SIZE);
}

struct pf_memcg *pf_shrink_control_memcg(const struct pf_shrink_control *sc)
{
	for (struct shrinker_frame *f = shrinker_running; f; f = f->up)
		if (f->sc == sc)
			return (struct pf_memcg *)f->memcg;
	return NULL;
}

/* ---- deferred work (xchg_nr_deferred / add_nr_deferred, 6.12) ---------------- */

/*
 * The counter of work @s left deferred for this request: per node when
 * NUMA-aware (node 0 otherwise); in @memcg's shrinker_info when @s is
 * memcg-aware and @memcg is not the root (xchg_nr_deferred_memcg), in the
 * shrinker itself otherwise.  The kernel keeps the root memcg's in the
 * root's shrinker_info; here the shrinker's own counter is the root's.
 */
static atomic_long *nr_deferred_slot(struct pf_shrinker *s, const struct pf_shrink_control *sc,
				     struct mem_cgroup *memcg)
{
	unsigned flags = atomic_load_explicit(&s->flags, memory_order_relaxed);
	int nid = sc->nid;
	if (!(flags & SHRINKER_NUMA_AWARE) || nid < 0 || nid >= s->m->nr_node_ids)
		nid = 0;
	if (memcg && (flags & SHRINKER_MEMCG_AWARE))
		return &memcg->nodeinfo[nid]->shrinker_info.nr_deferred[s->id];
	return &s->nr_deferred[nid];
}

/*
 * do_shrink_slab (mm/shrinker.c, 6.12): one shrinker, one node, one
 * priority.  The request is
 *	delta      = (freeable >> priority) * 4 / seeks   (freeable / 2 for seeks 0)
 *	total_scan = min(deferred >> priority + delta, 2 * freeable)
 * scanned in batches while at least a batch remains, or while total_scan
 * still covers the whole cache (a cache smaller than a batch under heavy
 * pressure).  What was asked for and not scanned (deferred + delta -
 * scanned, at most 2 * freeable) is carried over to the next call.
 * Differences: every callback answer is bounded (see the lies above), and
 * a shrinker unregistered meanwhile gets no further batch.  @memcg is
 * sc->memcg (NULL for the root), kept beside the public control.
 * Return: objects freed, or SHRINK_EMPTY when count_objects said so.
 */
static unsigned long do_shrink_slab(struct pf_shrink_control *sc, struct pf_shrinker *s, int priority,
				    struct mem_cgroup *memcg)
{
	struct pf_machine *m = s->m;
	unsigned long freed = 0;
	unsigned long long delta;
	long total_scan, freeable, nr, new_nr, next_deferred, scanned = 0;
	long batch_size = atomic_load_explicit(&s->batch, memory_order_relaxed);
	unsigned long count;
	bool stopped = false;

	if (!batch_size)
		batch_size = SHRINK_BATCH;
	count = shrinker_count(s, sc, memcg);
	if (count == 0 || count == SHRINK_EMPTY)
		return count;
	long limit = shrinker_count_limit(m);
	if (count == SHRINK_STOP) {
		shrinker_lie(s, SHRINKER_LIE_COUNT, "count_objects returned SHRINK_STOP, which only scan_objects "
			     "may return; taken as 0 (skip)");
		return 0;
	}
	if (count > (unsigned long)limit) {
		shrinker_lie(s, SHRINKER_LIE_COUNT, "count_objects returned %lu, more objects than the machine "
			     "has bytes; taken as %ld", count, limit);
		count = (unsigned long)limit;
	}
	freeable = (long)count;

	nr = atomic_exchange_explicit(nr_deferred_slot(s, sc, memcg), 0, memory_order_relaxed);

	if (s->seeks) {
		delta = (unsigned long long)freeable >> priority;
		delta *= 4;
		delta /= (unsigned)s->seeks;
	} else {
		delta = (unsigned long long)freeable / 2;	/* nothing to rebuild: trim hard */
	}

	total_scan = nr >> priority;
	total_scan += (long)delta;
	total_scan = min_t(long, total_scan, 2 * freeable);

	if (trace_enabled(m, TRACE_MM_SHRINK_SLAB_START))
		__trace_mm_shrink_slab_start(s, sc, nr, freeable, delta, total_scan, priority);

	while (total_scan >= batch_size || total_scan >= freeable) {
		unsigned long ret;
		unsigned long nr_to_scan = (unsigned long)min_t(long, batch_size, total_scan);

		if (atomic_load_explicit(&s->dead, memory_order_acquire))
			break;
		sc->nr_to_scan = nr_to_scan;
		sc->nr_scanned = nr_to_scan;
		ret = shrinker_scan(s, sc, memcg);
		if (ret == SHRINK_STOP) {
			stopped = true;
			break;
		}
		/* every round must take something off total_scan, or the loop would not end */
		if (sc->nr_scanned == 0 || sc->nr_scanned > nr_to_scan) {
			shrinker_lie(s, SHRINKER_LIE_SCANNED, "scan_objects set nr_scanned to %lu when asked to scan "
				     "%lu; taken as %lu", sc->nr_scanned, nr_to_scan, nr_to_scan);
			sc->nr_scanned = nr_to_scan;
		}
		if (ret > sc->nr_scanned) {
			shrinker_lie(s, SHRINKER_LIE_FREED, "scan_objects freed %lu of %lu objects scanned; taken as "
				     "%lu", ret, sc->nr_scanned, sc->nr_scanned);
			ret = sc->nr_scanned;
		}
		freed += ret;

		__count_vm_events(m, SLABS_SCANNED, (long)sc->nr_scanned);
		total_scan -= (long)sc->nr_scanned;
		scanned += (long)sc->nr_scanned;
	}

	/* a shrinker that refuses every call while it counts objects */
	if (stopped && scanned == 0) {
		if (atomic_fetch_add_explicit(&s->stop_streak, 1, memory_order_relaxed) + 1 == SHRINKER_STOP_STREAK)
			shrinker_lie(s, SHRINKER_LIE_STOP, "scan_objects returned SHRINK_STOP on %d calls in a row "
				     "while count_objects counted %ld objects", SHRINKER_STOP_STREAK, freeable);
	} else if (scanned) {
		atomic_store_explicit(&s->stop_streak, 0, memory_order_relaxed);
	}
	/*
	 * At priority 0 a shrinker is asked for twice its count: having
	 * scanned more than its whole cache (so even objects it passed over
	 * once for being referenced came round again) and freed nothing, it
	 * counted objects it cannot free.
	 */
	if (priority == 0 && !freed && scanned > freeable)
		shrinker_lie(s, SHRINKER_LIE_BARREN, "count_objects counted %ld objects, scan_objects freed none "
			     "of the %ld it scanned at priority 0", freeable, scanned);

	next_deferred = max_t(long, nr + (long)delta - scanned, 0);
	next_deferred = min_t(long, next_deferred, 2 * freeable);
	new_nr = atomic_fetch_add_explicit(nr_deferred_slot(s, sc, memcg), next_deferred, memory_order_relaxed) +
		 next_deferred;

	if (trace_enabled(m, TRACE_MM_SHRINK_SLAB_END))
		__trace_mm_shrink_slab_end(s, sc->nid, (int)freed, nr, new_nr, total_scan);
	return freed;
}

/* ---- the list ---------------------------------------------------------------- */

/*
 * shrinker_put, with m->shrinker_lock held: drop a reference.  The last
 * one of a shrinker unregistered from its own callback takes it off the
 * list and frees it; otherwise the unregister waiting for the references
 * to drain does.  The caller must have read s->list.next first.
 */
/* Take @s off the list and out of the id table, and free it.  Context: shrinker_lock */
static void shrinker_free_locked(struct pf_shrinker *s)
{
	list_del(&s->list);
	if (s->id >= 0)
		s->m->shrinker_idr[s->id] = NULL;	/* shrinker_memcg_remove */
	free(s);
}

static void shrinker_put_locked(struct pf_shrinker *s)
{
	if (--s->refs || !s->free_on_put)
		return;
	shrinker_free_locked(s);
}

/* ---- memcg-aware shrinkers: the per-memcg map -------------------------------- */

static bool shrinker_bit_test(struct shrinker_info *info, int id)
{
	return atomic_load_explicit(&info->map[id / 64], memory_order_relaxed) & (1UL << (id % 64));
}

static void shrinker_bit_clear(struct shrinker_info *info, int id)
{
	atomic_fetch_and_explicit(&info->map[id / 64], ~(1UL << (id % 64)), memory_order_seq_cst);
}

/*
 * set_shrinker_bit (mm/shrinker.c, 6.12): @memcg may hold objects of
 * shrinker @id on node @nid.  Nothing to do for the root, whose walk
 * calls every shrinker.  The full barrier pairs with the one between
 * clearing a bit and counting again in shrink_slab_memcg.
 */
static void set_shrinker_bit(struct mem_cgroup *memcg, int nid, int id)
{
	if (id < 0 || !memcg || mem_cgroup_is_root(memcg))
		return;
	atomic_fetch_or_explicit(&memcg->nodeinfo[nid]->shrinker_info.map[id / 64], 1UL << (id % 64),
				 memory_order_seq_cst);
}

/*
 * shrink_slab_memcg (mm/shrinker.c, 6.12): reclaim of a memcg other than
 * the root calls only the memcg-aware shrinkers whose bit is set in its
 * map for @nid, with sc->memcg set, in id order.  A bit whose shrinker is
 * gone (or going) is cleared.  A shrinker counting SHRINK_EMPTY has its
 * bit cleared and is then asked once more, in case an object came (and
 * set the bit) in between; if it now counts something the bit is set
 * again.  An offline memcg is not shrunk.  The kernel skips slab
 * shrinkers while kmem accounting is off: here any memcg turns it on.
 */
static unsigned long shrink_slab_memcg(struct pf_machine *m, pf_gfp_t gfp_mask, int nid, struct mem_cgroup *memcg,
				       int priority)
{
	unsigned long ret, freed = 0;

	if (nid < 0 || nid >= m->nr_node_ids || !memcg->nodeinfo[nid] || !mem_cgroup_online(memcg))
		return 0;
	struct shrinker_info *info = &memcg->nodeinfo[nid]->shrinker_info;
	/* for_each_set_bit: a word at a time (reclaim walks every memcg at every priority) */
	for (int id = 0; id < SHRINKER_NR_MAX; id++) {
		unsigned long word = atomic_load_explicit(&info->map[id / 64], memory_order_relaxed) >> (id % 64);
		if (!word) {
			id |= 63;	/* the rest of this word is clear */
			continue;
		}
		id += __builtin_ctzl(word);
		pf_spin_lock(&m->shrinker_lock);
		struct pf_shrinker *s = m->shrinker_idr[id];
		if (!s || atomic_load_explicit(&s->dead, memory_order_relaxed)) {
			shrinker_bit_clear(info, id);
			pf_spin_unlock(&m->shrinker_lock);
			continue;
		}
		s->refs++;
		pf_spin_unlock(&m->shrinker_lock);

		struct pf_shrink_control sc = { .gfp_mask = gfp_mask, .nid = nid };
		ret = do_shrink_slab(&sc, s, priority, memcg);
		if (ret == SHRINK_EMPTY) {
			shrinker_bit_clear(info, id);	/* seq_cst: ordered before the second count */
			ret = do_shrink_slab(&sc, s, priority, memcg);
			if (ret == SHRINK_EMPTY)
				ret = 0;
			else
				set_shrinker_bit(memcg, nid, id);
		}
		freed += ret;

		pf_spin_lock(&m->shrinker_lock);
		shrinker_put_locked(s);
		pf_spin_unlock(&m->shrinker_lock);
	}
	return freed;
}

/*
 * reparent_shrinker_deferred (mm/shrinker.c, 6.12), with the map half of
 * memcg_reparent_list_lrus: @memcg's deferred work for each memcg-aware
 * shrinker is added to its parent's, and its marks are set in the
 * parent's map (its objects now count as the parent's).  A parent that is
 * the root takes the work into the shrinker's own counter and needs no
 * mark.
 */
void reparent_shrinker_deferred(struct mem_cgroup *memcg)
{
	struct pf_machine *m = memcg->machine;
	struct mem_cgroup *parent = parent_mem_cgroup(memcg);

	if (!parent || !m->shrinker_list.next)
		return;
	pf_spin_lock(&m->shrinker_lock);
	for (int nid = 0; nid < m->nr_node_ids; nid++) {
		struct shrinker_info *child = &memcg->nodeinfo[nid]->shrinker_info;
		for (int id = 0; id < SHRINKER_NR_MAX; id++) {
			struct pf_shrinker *s = m->shrinker_idr[id];
			long nr = atomic_load_explicit(&child->nr_deferred[id], memory_order_relaxed);
			if (!s)
				continue;
			if (mem_cgroup_is_root(parent))
				atomic_fetch_add_explicit(&s->nr_deferred[nid], nr, memory_order_relaxed);
			else
				atomic_fetch_add_explicit(&parent->nodeinfo[nid]->shrinker_info.nr_deferred[id], nr,
							  memory_order_relaxed);
			if (shrinker_bit_test(child, id))
				set_shrinker_bit(parent, nid, id);
		}
	}
	pf_spin_unlock(&m->shrinker_lock);
}

/*
 * shrink_slab (mm/shrinker.c, 6.12), the global walk: each live shrinker
 * in registration order gets one do_shrink_slab, called with a reference
 * held and the lock dropped (the kernel holds rcu_read_lock and
 * shrinker_try_get).  SHRINK_EMPTY counts as nothing freed.  A memcg
 * other than the root goes to shrink_slab_memcg instead.  @memcg NULL
 * (no memcg made yet) is the root.
 */
unsigned long shrink_slab(struct pf_machine *m, pf_gfp_t gfp_mask, int nid, struct mem_cgroup *memcg, int priority)
{
	unsigned long ret, freed = 0;

	if (priority < 0)
		priority = 0;
	if (priority > 62)
		priority = 62;
	if (memcg && !mem_cgroup_is_root(memcg))
		return shrink_slab_memcg(m, gfp_mask, nid, memcg, priority);

	pf_spin_lock(&m->shrinker_lock);
	struct list_head *pos = m->shrinker_list.next;
	while (pos != &m->shrinker_list) {
		struct pf_shrinker *s = list_entry(pos, struct pf_shrinker, list);
		if (atomic_load_explicit(&s->dead, memory_order_relaxed)) {
			pos = pos->next;
			continue;
		}
		s->refs++;
		pf_spin_unlock(&m->shrinker_lock);

		struct pf_shrink_control sc = { .gfp_mask = gfp_mask, .nid = nid };
		ret = do_shrink_slab(&sc, s, priority, NULL);
		if (ret == SHRINK_EMPTY)
			ret = 0;
		freed += ret;

		pf_spin_lock(&m->shrinker_lock);
		pos = pos->next;	/* our reference kept s, and so its link, on the list */
		shrinker_put_locked(s);
	}
	pf_spin_unlock(&m->shrinker_lock);
	return freed;
}

/*
 * drop_slab_node / drop_slab (mm/vmscan.c, 6.12): every shrinker at
 * priority 0, node by node and memcg by memcg (the root's walk first,
 * then each memcg's memcg-aware shrinkers, in a pre-order walk of the
 * tree), repeated while a round frees more than 2^(round number)
 * objects: the bar doubles each round, so a shrinker that keeps reporting
 * progress cannot hold the loop for more than about 64 rounds.
 */
static unsigned long drop_slab_node(struct pf_machine *m, int nid)
{
	struct mem_cgroup *root = m->root_mem_cgroup, *memcg;
	unsigned long freed = 0;

	if (!root)
		return shrink_slab(m, PF_GFP_KERNEL, nid, NULL, 0);
	memcg = mem_cgroup_iter(root, NULL, false, nid);
	do {
		freed += shrink_slab(m, PF_GFP_KERNEL, nid, memcg, 0);
	} while ((memcg = mem_cgroup_iter(root, memcg, false, nid)));
	return freed;
}

void drop_slab(struct pf_machine *m)
{
	int shift = 0;
	unsigned long freed;

	do {
		freed = 0;
		for (int nid = 0; nid < m->nr_node_ids; nid++)
			if (m->node_data[nid])
				freed += drop_slab_node(m, nid);
	} while (shift < 64 && (freed >> shift++) > 1);
}

/*
 * drop_caches_sysctl_handler (fs/drop_caches.c, 6.12): 1 drops the page
 * cache (the clean, unmapped file pages of the LRU), 2 the shrinkers'
 * objects, 3 both; 4 silences the log line from then on.  Each half counts
 * its event (drop_pagecache, drop_slab).  The page-cache half is vmscan.c's
 * drop_pagecache: the clean file pages of the LRU their owners let go of.
 */
int drop_caches_sysctl_handler(struct pf_machine *m, const struct pf_ctl_table *table, const char *buffer)
{
	int ret = proc_dointvec_minmax(m, table, buffer);
	if (ret)
		return ret;
	int v = m->sysctl_drop_caches;

	/*
	 * Called under setup_lock (pf_sysctl_set): the shrinkers' callbacks
	 * run with it held, so they must not write sysctls themselves.
	 */
	if (v & 1)
		drop_pagecache(m);	/* counts drop_pagecache */
	if (v & 2) {
		drop_slab(m);
		__count_vm_events(m, DROP_SLAB, 1);
	}
	if (!m->drop_caches_stfu)
		pf_printk(m, '6', "%s (%d): drop_caches: %d", pf_os_comm(), pf_os_tid(), v);
	m->drop_caches_stfu |= (v & 4) != 0;
	return 0;
}

/* ---- registration ------------------------------------------------------------ */

void shrinker_init(struct pf_machine *m)
{
	pf_spin_lock_init(&m->shrinker_lock);
	INIT_LIST_HEAD(&m->shrinker_list);
}

/* pf_machine_destroy: shrinkers still registered go with the machine (no one may be shrinking) */
void shrinker_release(struct pf_machine *m)
{
	if (!m->shrinker_list.next)
		return;
	while (!list_empty(&m->shrinker_list))
		shrinker_free_locked(list_first_entry(&m->shrinker_list, struct pf_shrinker, list));
}

struct pf_shrinker *pf_shrinker_register(struct pf_machine *m, const char *name,
					 const struct pf_shrinker_ops *ops, void *arg, int seeks)
{
	return pf_shrinker_register_flags(m, name, ops, arg, seeks, 0);
}

/*
 * shrinker_alloc + shrinker_register (mm/shrinker.c, 6.12); a
 * memcg-aware shrinker takes the lowest free id (shrinker_memcg_alloc:
 * the kernel's idr_alloc hands out the lowest too).
 */
struct pf_shrinker *pf_shrinker_register_flags(struct pf_machine *m, const char *name,
					       const struct pf_shrinker_ops *ops, void *arg, int seeks,
					       unsigned int flags)
{
	if (!m)
		return NULL;
	if (!name)
		name = "(unnamed)";
	if (!ops || !ops->count_objects || !ops->scan_objects) {
		pf_printk(m, '3', "pageframe: pf_shrinker_register(%s): count_objects and scan_objects are both "
			  "required", name);
		return NULL;
	}
	if (seeks < 0 || seeks > 1000) {
		pf_printk(m, '3', "pageframe: pf_shrinker_register(%s): seeks %d is outside 0..1000", name, seeks);
		return NULL;
	}
	if (flags & ~(SHRINKER_NUMA_AWARE | SHRINKER_MEMCG_AWARE)) {
		pf_printk(m, '3', "pageframe: pf_shrinker_register(%s): unknown flags %#x (known: "
			  "PF_SHRINKER_NUMA_AWARE, PF_SHRINKER_MEMCG_AWARE)", name,
			  flags & ~(SHRINKER_NUMA_AWARE | SHRINKER_MEMCG_AWARE));
		return NULL;
	}
	struct pf_shrinker *s = calloc(1, sizeof *s);
	if (!s) {
		pf_printk(m, '3', "pageframe: pf_shrinker_register(%s): out of memory", name);
		return NULL;
	}
	s->m = m;
	s->ops = *ops;
	s->arg = arg;
	s->seeks = seeks;
	s->id = -1;
	atomic_init(&s->flags, flags);
	snprintf(s->name, sizeof s->name, "%s", name);
	pf_spin_lock(&m->shrinker_lock);
	if (flags & SHRINKER_MEMCG_AWARE) {
		for (int id = 0; id < SHRINKER_NR_MAX && s->id < 0; id++)
			if (!m->shrinker_idr[id])
				s->id = id;
		if (s->id < 0) {
			pf_spin_unlock(&m->shrinker_lock);
			free(s);
			pf_printk(m, '3', "pageframe: pf_shrinker_register(%s): %d memcg-aware shrinkers are "
				  "registered already, the most a machine holds", name, SHRINKER_NR_MAX);
			return NULL;
		}
		m->shrinker_idr[s->id] = s;
	}
	list_add_tail(&s->list, &m->shrinker_list);
	pf_spin_unlock(&m->shrinker_lock);
	return s;
}

/*
 * Find @s among the live shrinkers of every machine without reading it.
 * Return: its machine with m->shrinker_lock held, or NULL.
 */
static struct pf_machine *shrinker_lookup_lock(const struct pf_shrinker *s)
{
	int used = atomic_load_explicit(&pf_machine_slots_used, memory_order_acquire);
	for (int i = 0; i < used; i++) {
		struct pf_machine *m = atomic_load_explicit(&pf_machine_table[i], memory_order_acquire);
		if (!m)
			continue;
		pf_spin_lock(&m->shrinker_lock);
		if (m->shrinker_list.next) {
			struct list_head *pos;
			list_for_each(pos, &m->shrinker_list)
				if (pos == &s->list && !atomic_load_explicit(&s->dead, memory_order_relaxed))
					return m;
		}
		pf_spin_unlock(&m->shrinker_lock);
	}
	return NULL;
}

void pf_shrinker_unregister(struct pf_shrinker *s)
{
	if (!s)
		return;
	struct pf_machine *m = shrinker_lookup_lock(s);
	if (!m) {
		pf_printk(NULL, '3', "pageframe: pf_shrinker_unregister(%p): not a registered shrinker (never "
			  "registered, or already unregistered); ignored", (void *)s);
		return;
	}
	atomic_store_explicit(&s->dead, true, memory_order_release);
	/*
	 * Wait for the calls in other threads (they stop before their next
	 * batch), never for our own: called from the shrinker's callback,
	 * this thread holds a reference until that call returns.
	 */
	int mine = shrinker_refs_here(s);
	for (unsigned spins = 0; s->refs > mine; spins++) {
		pf_spin_unlock(&m->shrinker_lock);
		pf_os_cpu_relax_or_yield(spins);
		pf_spin_lock(&m->shrinker_lock);
	}
	if (s->refs) {
		s->free_on_put = true;	/* the put that ends our own call frees it */
		pf_spin_unlock(&m->shrinker_lock);
		return;
	}
	shrinker_free_locked(s);
	pf_spin_unlock(&m->shrinker_lock);
}

int pf_shrinker_set_batch(struct pf_shrinker *s, long batch)
{
	struct pf_machine *m = s && batch >= 0 ? shrinker_lookup_lock(s) : NULL;
	if (!m)
		return -EINVAL;
	atomic_store_explicit(&s->batch, batch, memory_order_relaxed);
	pf_spin_unlock(&m->shrinker_lock);
	return 0;
}

int pf_shrinker_set_numa_aware(struct pf_shrinker *s, bool numa_aware)
{
	struct pf_machine *m = s ? shrinker_lookup_lock(s) : NULL;
	if (!m)
		return -EINVAL;
	if (numa_aware)
		atomic_fetch_or_explicit(&s->flags, SHRINKER_NUMA_AWARE, memory_order_relaxed);
	else
		atomic_fetch_and_explicit(&s->flags, ~SHRINKER_NUMA_AWARE, memory_order_relaxed);
	pf_spin_unlock(&m->shrinker_lock);
	return 0;
}

int pf_shrinker_mark_memcg(struct pf_shrinker *s, struct pf_memcg *cg, int nid)
{
	struct mem_cgroup *memcg = (struct mem_cgroup *)cg;
	struct pf_machine *m = s ? shrinker_lookup_lock(s) : NULL;
	if (!m)
		return -EINVAL;
	int id = s->id;
	bool ok = (atomic_load_explicit(&s->flags, memory_order_relaxed) & SHRINKER_MEMCG_AWARE) && id >= 0 &&
		  (!memcg || memcg->machine == m) && nid >= -1 && nid < m->nr_node_ids &&
		  (nid < 0 || m->node_data[nid]);
	pf_spin_unlock(&m->shrinker_lock);
	if (!ok)
		return -EINVAL;
	if (!memcg)
		return 0;
	for (int n = nid < 0 ? 0 : nid; n < (nid < 0 ? m->nr_node_ids : nid + 1); n++)
		if (memcg->nodeinfo[n])
			set_shrinker_bit(memcg, n, id);
	return 0;
}
