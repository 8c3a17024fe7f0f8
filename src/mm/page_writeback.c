/* SPDX-License-Identifier: MIT */
/*
 * page_writeback.c - dirty limits as the page allocator uses them
 * (mm/page-writeback.c, Linux 6.12): the dirtyable memory of the machine
 * and of a node, the global thresholds from vm.dirty_ratio /
 * dirty_background_ratio / dirty_bytes / dirty_background_bytes, and
 * node_dirty_ok, which get_page_from_freelist asks for __GFP_WRITE
 * requests (spread_dirty_pages).  The file name has an underscore where
 * the kernel's has a dash.
 *
 * The dirty and writeback counts are the node counters NR_FILE_DIRTY and
 * NR_WRITEBACK, kept by whoever owns dirty pages (the LRU owners,
 * vmscan.c); the file LRU sizes are NR_ACTIVE_FILE / NR_INACTIVE_FILE.
 * No writeback happens here: no flusher, no balance_dirty_pages, no
 * per-bdi or per-memcg domains.  No real-time tasks, no highmem.
 */
#include "internal.h"

#include <limits.h>

#define DIV_ROUND_UP_UL(n, d) (((n) + (d) - 1) / (d))

static unsigned long node_stat(const pg_data_t *pgdat, int item)
{
	long x = atomic_load_explicit(&pgdat->vm_stat[item], memory_order_relaxed);
	return x < 0 ? 0 : (unsigned long)x;
}

/*
 * node_dirtyable_memory (6.12): the node's free pages above its reserve
 * (totalreserve_pages: high watermark plus the largest lowmem reserve of
 * each zone), plus its file LRU pages.
 */
unsigned long node_dirtyable_memory(pg_data_t *pgdat)
{
	unsigned long nr_pages = 0;

	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &pgdat->node_zones[z];
		if (populated_zone(zone))
			nr_pages += (unsigned long)zone_page_state(zone, NR_FREE_PAGES);
	}
	nr_pages -= nr_pages < pgdat->totalreserve_pages ? nr_pages : pgdat->totalreserve_pages;
	nr_pages += node_stat(pgdat, NR_INACTIVE_FILE);
	nr_pages += node_stat(pgdat, NR_ACTIVE_FILE);
	return nr_pages;
}

/* dirtyable_memory: global_dirtyable_memory with the machine's free pages given. */
static unsigned long dirtyable_memory(struct pf_machine *m, unsigned long x)
{
	x -= x < m->totalreserve_pages ? x : m->totalreserve_pages;
	x += global_node_page_state(m, NR_INACTIVE_FILE);
	x += global_node_page_state(m, NR_ACTIVE_FILE);
	return x + 1;
}

/* global_dirtyable_memory (6.12): the same over the machine, never 0 (no highmem on x86-64). */
unsigned long global_dirtyable_memory(struct pf_machine *m)
{
	return dirtyable_memory(m, global_zone_page_state(m, NR_FREE_PAGES));
}

/*
 * global_dirty_limits (domain_dirty_limits for the global domain, 6.12):
 * a *_bytes setting wins over its ratio; ratios are taken in 1/PAGE_SIZE
 * steps as the kernel does; the background threshold stays below half of
 * the hard one when it would reach it.  Only /proc/vmstat asks (vmstat.c),
 * so the free pages are read as the views read them: with every CPU's
 * differential added, nothing folded.
 */
void global_dirty_limits(struct pf_machine *m, unsigned long *pbackground, unsigned long *pdirty)
{
	unsigned long available_memory = dirtyable_memory(m, global_zone_page_state_snapshot(m, NR_FREE_PAGES));
	unsigned long bytes = __atomic_load_n(&m->dirty_bytes, __ATOMIC_RELAXED);
	unsigned long bg_bytes = __atomic_load_n(&m->dirty_background_bytes, __ATOMIC_RELAXED);
	unsigned long ratio = ((unsigned long)__atomic_load_n(&m->dirty_ratio, __ATOMIC_RELAXED) * PAGE_SIZE) / 100;
	unsigned long bg_ratio =
		((unsigned long)__atomic_load_n(&m->dirty_background_ratio, __ATOMIC_RELAXED) * PAGE_SIZE) / 100;
	unsigned long thresh, bg_thresh;

	if (bytes)
		thresh = DIV_ROUND_UP_UL(bytes, PAGE_SIZE);
	else
		thresh = (ratio * available_memory) / PAGE_SIZE;
	if (bg_bytes)
		bg_thresh = DIV_ROUND_UP_UL(bg_bytes, PAGE_SIZE);
	else
		bg_thresh = (bg_ratio * available_memory) / PAGE_SIZE;
	if (thresh > UINT_MAX)
		thresh = UINT_MAX;
	if (bg_thresh >= thresh)
		bg_thresh = thresh / 2;
	*pbackground = bg_thresh;
	*pdirty = thresh;
}

/*
 * node_dirty_limit (6.12): the node's share of the global limit - its
 * dirtyable memory times dirty_ratio, or dirty_bytes (in pages) times the
 * node's part of the global dirtyable memory.
 */
unsigned long node_dirty_limit(pg_data_t *pgdat)
{
	struct pf_machine *m = pgdat->machine;
	unsigned long node_memory = node_dirtyable_memory(pgdat);
	unsigned long bytes = __atomic_load_n(&m->dirty_bytes, __ATOMIC_RELAXED);
	unsigned long dirty;

	if (bytes)
		dirty = DIV_ROUND_UP_UL(bytes, PAGE_SIZE) * node_memory / global_dirtyable_memory(m);
	else
		dirty = (unsigned long)__atomic_load_n(&m->dirty_ratio, __ATOMIC_RELAXED) * node_memory / 100;
	return dirty < UINT_MAX ? dirty : UINT_MAX;
}

/* node_dirty_ok (6.12): the node's dirty plus writeback pages are within its limit. */
bool node_dirty_ok(pg_data_t *pgdat)
{
	unsigned long limit = node_dirty_limit(pgdat);
	unsigned long nr_pages = node_stat(pgdat, NR_FILE_DIRTY) + node_stat(pgdat, NR_WRITEBACK);

	return nr_pages <= limit;
}

/* ---- the four sysctls (6.12): each ratio and its bytes exclude each other ---------------- */

/* dirty_background_ratio_handler: a written ratio clears the bytes setting */
int dirty_background_ratio_handler(struct pf_machine *m, const struct pf_ctl_table *table, const char *buffer)
{
	int ret = proc_dointvec_minmax(m, table, buffer);
	if (ret == 0)
		__atomic_store_n(&m->dirty_background_bytes, 0UL, __ATOMIC_RELAXED);
	return ret;
}

/* dirty_ratio_handler: a changed ratio clears dirty_bytes */
int dirty_ratio_handler(struct pf_machine *m, const struct pf_ctl_table *table, const char *buffer)
{
	int old_ratio = m->dirty_ratio;
	int ret = proc_dointvec_minmax(m, table, buffer);
	if (ret == 0 && m->dirty_ratio != old_ratio)
		__atomic_store_n(&m->dirty_bytes, 0UL, __ATOMIC_RELAXED);
	return ret;
}

/* a byte count whose pages do not fit in an unsigned int is refused with -ERANGE, the old value kept */
static bool dirty_bytes_fit(unsigned long v)
{
	return DIV_ROUND_UP_UL(v, PAGE_SIZE) <= UINT_MAX;
}

/* dirty_background_bytes_handler: at least 1; a written count clears the ratio */
int dirty_background_bytes_handler(struct pf_machine *m, const struct pf_ctl_table *table, const char *buffer)
{
	unsigned long v;
	(void)table;
	int ret = proc_doulongvec_minmax(buffer, 1, &v);
	if (ret)
		return ret;
	if (!dirty_bytes_fit(v))
		return -ERANGE;
	__atomic_store_n(&m->dirty_background_bytes, v, __ATOMIC_RELAXED);
	__atomic_store_n(&m->dirty_background_ratio, 0, __ATOMIC_RELAXED);
	return 0;
}

/* dirty_bytes_handler: at least two pages; a changed count clears dirty_ratio */
int dirty_bytes_handler(struct pf_machine *m, const struct pf_ctl_table *table, const char *buffer)
{
	unsigned long v;
	(void)table;
	int ret = proc_doulongvec_minmax(buffer, 2 * PAGE_SIZE, &v);
	if (ret)
		return ret;
	if (v == m->dirty_bytes)
		return 0;
	if (!dirty_bytes_fit(v))
		return -ERANGE;
	__atomic_store_n(&m->dirty_bytes, v, __ATOMIC_RELAXED);
	__atomic_store_n(&m->dirty_ratio, 0, __ATOMIC_RELAXED);
	return 0;
}
