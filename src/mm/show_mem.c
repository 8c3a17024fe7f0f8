/* SPDX-License-Identifier: MIT */
/*
 * show_mem.c - the "Mem-Info:" block of the kernel log (Linux 6.12's
 * mm/show_mem.c: __show_mem and show_free_areas, with mm/swap_state.c's
 * show_swap_cache_info and mm/hugetlb.c's per-node hugepage lines), which
 * the OOM report and an allocation failure's warning print, and SysRq-m
 * (pf_show_mem) on demand.
 *
 * It only reads counters and free lists (each zone's lock is taken just to
 * count its free blocks) and prints through pf_printk; it never changes
 * anything.  Counters nothing feeds yet (the LRUs before vmscan.c, swap)
 * print 0, as a kernel without them would.
 */
#include "internal.h"

#include <string.h>

#include "cpuset.h"
#include "vmscan.h"

#define K(x) ((x) << (PAGE_SHIFT - 10))

/* A printk line built from pieces, as the kernel's KERN_CONT continuations build one. */
struct show_line {
	char buf[1536];
	size_t len;
};

__attribute__((format(printf, 2, 3)))
static void line_add(struct show_line *l, const char *fmt, ...)
{
	va_list ap;
	if (l->len >= sizeof l->buf)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(l->buf + l->len, sizeof l->buf - l->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->len += (size_t)n;
}

static void line_print(struct pf_machine *m, struct show_line *l)
{
	pf_printk(m, '4', "%s", l->buf);
	l->len = 0;
	l->buf[0] = 0;
}

/* the byte counters (NR_SLAB_*_B) in pages, as global_node_page_state_pages */
static unsigned long global_node_page_state_pages(struct pf_machine *m, enum node_stat_item item)
{
	return global_node_page_state(m, item) >> PAGE_SHIFT;
}

/*
 * A CPU's list count, read without its lock as show_free_areas (6.12) reads
 * it: the owner changes it with plain stores under the list's lock, so this
 * is a racy peek (data_race in the kernel), a snapshot for the report.
 */
static __data_race unsigned long pcp_count(const struct zone *zone, int cpu)
{
	return (unsigned long)*(const volatile int *)&zone->per_cpu_pageset[cpu].count;
}

/*
 * show_mem_node_skip (6.12): with SHOW_MEM_FILTER_NODES, only the nodes of
 * @nodemask, or of the calling thread's cpuset when there is none.
 */
static bool show_mem_node_skip(struct pf_machine *m, unsigned int flags, int nid, const nodemask_t *nodemask)
{
	if (!(flags & SHOW_MEM_FILTER_NODES))
		return false;
	if (!nodemask)
		nodemask = cpuset_current_mems_allowed(m);
	return !node_isset(nid, nodemask);
}

/* show_migration_types (6.12): the letters of the migratetypes with free blocks at an order */
static void show_migration_types(struct show_line *l, unsigned char type)
{
	static const char types[MIGRATE_TYPES] = {
		[MIGRATE_UNMOVABLE] = 'U', [MIGRATE_MOVABLE] = 'M', [MIGRATE_RECLAIMABLE] = 'E',
		[MIGRATE_HIGHATOMIC] = 'H', [MIGRATE_CMA] = 'C', [MIGRATE_ISOLATE] = 'I',
	};
	char tmp[MIGRATE_TYPES + 1], *p = tmp;
	for (int i = 0; i < MIGRATE_TYPES; i++)
		if (type & (1 << i))
			*p++ = types[i];
	*p = '\0';
	line_add(l, "(%s) ", tmp);
}

static bool node_has_managed_zones(const pg_data_t *pgdat, int max_zone_idx)
{
	for (int zone_idx = 0; zone_idx <= max_zone_idx && zone_idx < MAX_NR_ZONES; zone_idx++)
		if (zone_managed_pages(&pgdat->node_zones[zone_idx]))
			return true;
	return false;
}

#define for_each_online_pgdat(m, pgdat, nid)					\
	for (nid = 0; nid < (m)->nr_node_ids; nid++)				\
		if (!(pgdat = (m)->node_data[nid])) {} else

#define for_each_populated_zone(m, zone, nid, z)				\
	for (nid = 0; nid < (m)->nr_node_ids; nid++)				\
		for (z = 0; z < MAX_NR_ZONES; z++)				\
			if (!(m)->node_data[nid] ||				\
			    !populated_zone(zone = &(m)->node_data[nid]->node_zones[z])) {} else

/*
 * show_free_areas (mm/show_mem.c, 6.12): the global counter lines, one line
 * per node, two per zone (its counters in kB, then lowmem_reserve), the
 * free blocks of each zone by order with the migratetypes that have them,
 * the hugepage and page-cache lines, and the swap lines.
 */
static void show_free_areas(struct pf_machine *m, unsigned int filter, const nodemask_t *nodemask, int max_zone_idx)
{
	unsigned long free_pcp = 0;
	struct show_line l = { "", 0 };
	struct zone *zone;
	pg_data_t *pgdat;
	int nid, z;

	for_each_populated_zone(m, zone, nid, z) {
		if (zone_idx(zone) > max_zone_idx)
			continue;
		if (show_mem_node_skip(m, filter, zone_to_nid(zone), nodemask))
			continue;
		for (int cpu = 0; cpu < m->nr_cpus; cpu++)
			free_pcp += pcp_count(zone, cpu);
	}

	pf_printk(m, '4', "active_anon:%lu inactive_anon:%lu isolated_anon:%lu\n"
		  " active_file:%lu inactive_file:%lu isolated_file:%lu\n"
		  " unevictable:%lu dirty:%lu writeback:%lu\n"
		  " slab_reclaimable:%lu slab_unreclaimable:%lu\n"
		  " mapped:%lu shmem:%lu pagetables:%lu\n"
		  " sec_pagetables:%lu bounce:%lu\n"
		  " kernel_misc_reclaimable:%lu\n"
		  " free:%lu free_pcp:%lu free_cma:%lu",
		  global_node_page_state(m, NR_ACTIVE_ANON), global_node_page_state(m, NR_INACTIVE_ANON),
		  global_node_page_state(m, NR_ISOLATED_ANON), global_node_page_state(m, NR_ACTIVE_FILE),
		  global_node_page_state(m, NR_INACTIVE_FILE), global_node_page_state(m, NR_ISOLATED_FILE),
		  global_node_page_state(m, NR_UNEVICTABLE), global_node_page_state(m, NR_FILE_DIRTY),
		  global_node_page_state(m, NR_WRITEBACK), global_node_page_state_pages(m, NR_SLAB_RECLAIMABLE_B),
		  global_node_page_state_pages(m, NR_SLAB_UNRECLAIMABLE_B), global_node_page_state(m, NR_FILE_MAPPED),
		  global_node_page_state(m, NR_SHMEM), global_node_page_state(m, NR_PAGETABLE),
		  global_node_page_state(m, NR_SECONDARY_PAGETABLE), global_zone_page_state(m, NR_BOUNCE),
		  global_node_page_state(m, NR_KERNEL_MISC_RECLAIMABLE), global_zone_page_state(m, NR_FREE_PAGES),
		  free_pcp, global_zone_page_state(m, NR_FREE_CMA_PAGES));

	for_each_online_pgdat(m, pgdat, nid) {
		if (show_mem_node_skip(m, filter, pgdat->node_id, nodemask))
			continue;
		if (!node_has_managed_zones(pgdat, max_zone_idx))
			continue;
		/* all_unreclaimable?: kswapd's failure count reached MAX_RECLAIM_RETRIES */
		bool unreclaimable = __atomic_load_n(&pgdat->kswapd_failures, __ATOMIC_RELAXED) >= MAX_RECLAIM_RETRIES;
		pf_printk(m, '4', "Node %d active_anon:%lukB inactive_anon:%lukB active_file:%lukB inactive_file:%lukB "
			  "unevictable:%lukB isolated(anon):%lukB isolated(file):%lukB mapped:%lukB dirty:%lukB "
			  "writeback:%lukB shmem:%lukB shmem_thp:%lukB shmem_pmdmapped:%lukB anon_thp:%lukB "
			  "writeback_tmp:%lukB kernel_stack:%lukB pagetables:%lukB sec_pagetables:%lukB "
			  "all_unreclaimable? %s",
			  pgdat->node_id, K(node_page_state(pgdat, NR_ACTIVE_ANON)),
			  K(node_page_state(pgdat, NR_INACTIVE_ANON)), K(node_page_state(pgdat, NR_ACTIVE_FILE)),
			  K(node_page_state(pgdat, NR_INACTIVE_FILE)), K(node_page_state(pgdat, NR_UNEVICTABLE)),
			  K(node_page_state(pgdat, NR_ISOLATED_ANON)), K(node_page_state(pgdat, NR_ISOLATED_FILE)),
			  K(node_page_state(pgdat, NR_FILE_MAPPED)), K(node_page_state(pgdat, NR_FILE_DIRTY)),
			  K(node_page_state(pgdat, NR_WRITEBACK)), K(node_page_state(pgdat, NR_SHMEM)),
			  K(node_page_state(pgdat, NR_SHMEM_THPS)), K(node_page_state(pgdat, NR_SHMEM_PMDMAPPED)),
			  K(node_page_state(pgdat, NR_ANON_THPS)), K(node_page_state(pgdat, NR_WRITEBACK_TEMP)),
			  node_page_state(pgdat, NR_KERNEL_STACK_KB), K(node_page_state(pgdat, NR_PAGETABLE)),
			  K(node_page_state(pgdat, NR_SECONDARY_PAGETABLE)), unreclaimable ? "yes" : "no");
	}

	int this_cpu = pf_this_cpu(m);
	for_each_populated_zone(m, zone, nid, z) {
		if (zone_idx(zone) > max_zone_idx)
			continue;
		if (show_mem_node_skip(m, filter, zone_to_nid(zone), nodemask))
			continue;
		free_pcp = 0;
		for (int cpu = 0; cpu < m->nr_cpus; cpu++)
			free_pcp += pcp_count(zone, cpu);
		pf_printk(m, '4', "Node %d %s free:%lukB boost:%lukB min:%lukB low:%lukB high:%lukB "
			  "reserved_highatomic:%luKB active_anon:%lukB inactive_anon:%lukB active_file:%lukB "
			  "inactive_file:%lukB unevictable:%lukB writepending:%lukB present:%lukB managed:%lukB "
			  "mlocked:%lukB bounce:%lukB free_pcp:%lukB local_pcp:%lukB free_cma:%lukB",
			  zone_to_nid(zone), zone->name, K(zone_page_state(zone, NR_FREE_PAGES)),
			  K(__atomic_load_n(&zone->watermark_boost, __ATOMIC_RELAXED)), K(min_wmark_pages(zone)),
			  K(low_wmark_pages(zone)), K(high_wmark_pages(zone)),
			  K(__atomic_load_n(&zone->nr_reserved_highatomic, __ATOMIC_RELAXED)),
			  K(zone_page_state(zone, NR_ZONE_ACTIVE_ANON)), K(zone_page_state(zone, NR_ZONE_INACTIVE_ANON)),
			  K(zone_page_state(zone, NR_ZONE_ACTIVE_FILE)), K(zone_page_state(zone, NR_ZONE_INACTIVE_FILE)),
			  K(zone_page_state(zone, NR_ZONE_UNEVICTABLE)), K(zone_page_state(zone, NR_ZONE_WRITE_PENDING)),
			  K(zone->present_pages), K(zone_managed_pages(zone)), K(zone_page_state(zone, NR_MLOCK)),
			  K(zone_page_state(zone, NR_BOUNCE)), K(free_pcp), K(pcp_count(zone, this_cpu)),
			  K(zone_page_state(zone, NR_FREE_CMA_PAGES)));
		line_add(&l, "lowmem_reserve[]:");
		for (int i = 0; i < MAX_NR_ZONES; i++)
			line_add(&l, " %ld", __atomic_load_n(&zone->lowmem_reserve[i], __ATOMIC_RELAXED));
		line_print(m, &l);
	}

	for_each_populated_zone(m, zone, nid, z) {
		unsigned long nr[NR_PAGE_ORDERS], total = 0;
		unsigned char types[NR_PAGE_ORDERS];

		if (zone_idx(zone) > max_zone_idx)
			continue;
		if (show_mem_node_skip(m, filter, zone_to_nid(zone), nodemask))
			continue;
		line_add(&l, "Node %d %s: ", zone_to_nid(zone), zone->name);
		pf_spin_lock(&zone->lock);
		for (unsigned order = 0; order < NR_PAGE_ORDERS; order++) {
			struct free_area *area = &zone->free_area[order];
			nr[order] = area->nr_free;
			total += nr[order] << order;
			types[order] = 0;
			for (int type = 0; type < MIGRATE_TYPES; type++)
				if (!list_empty(&area->free_list[type]))
					types[order] |= 1 << type;
		}
		pf_spin_unlock(&zone->lock);
		for (unsigned order = 0; order < NR_PAGE_ORDERS; order++) {
			line_add(&l, "%lu*%lukB ", nr[order], K(1UL) << order);
			if (nr[order])
				show_migration_types(&l, types[order]);
		}
		line_add(&l, "= %lukB", K(total));
		line_print(m, &l);
	}

	/* hugetlb_show_meminfo_node: x86-64's two hstates (1 GiB first, 2 MiB), with no huge pages */
	for (nid = 0; nid < m->nr_node_ids; nid++) {
		if (!m->node_data[nid] || show_mem_node_skip(m, filter, nid, nodemask))
			continue;
		pf_printk(m, '4', "Node %d hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=1048576kB",
			  nid);
		pf_printk(m, '4', "Node %d hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=2048kB",
			  nid);
	}

	pf_printk(m, '4', "%ld total pagecache pages", (long)global_node_page_state(m, NR_FILE_PAGES));

	/* show_swap_cache_info (mm/swap_state.c, 6.12): the swap area of the description's "swap" line */
	pf_printk(m, '4', "%lu pages in swap cache", global_node_page_state(m, NR_SWAPCACHE));
	pf_printk(m, '4', "Free swap  = %ldkB", K(get_nr_swap_pages(m)));
	pf_printk(m, '4', "Total swap = %lukB", K((unsigned long)m->total_swap_pages));
}

/*
 * __show_mem (mm/show_mem.c, 6.12): "Mem-Info:", show_free_areas for the
 * zones up to @max_zone_idx (of the nodes @filter and @nodemask allow),
 * then the page totals of every populated zone.  x86-64 has no highmem;
 * nothing is hwpoisoned here.
 */
void __show_mem(struct pf_machine *m, unsigned int filter, nodemask_t *nodemask, int max_zone_idx)
{
	unsigned long total = 0, reserved = 0, highmem = 0;
	struct zone *zone;
	int nid, z;

	pf_printk(m, '4', "Mem-Info:");
	show_free_areas(m, filter, nodemask, max_zone_idx);

	for_each_populated_zone(m, zone, nid, z) {
		total += zone->present_pages;
		reserved += zone->present_pages - zone_managed_pages(zone);
	}
	pf_printk(m, '4', "%lu pages RAM", total);
	pf_printk(m, '4', "%lu pages HighMem/MovableOnly", highmem);
	pf_printk(m, '4', "%lu pages reserved", reserved);
	pf_printk(m, '4', "%lu pages cma reserved", m->totalcma_pages);
	pf_printk(m, '4', "%lu pages hwpoisoned", 0UL);
}

/* pf_show_mem - show_mem (include/linux/mm.h, 6.12): every node and zone, as SysRq-m prints them */
void pf_show_mem(struct pf_machine *m)
{
	if (m)
		__show_mem(m, 0, NULL, MAX_NR_ZONES - 1);
}
