/* SPDX-License-Identifier: MIT */
/*
 * mmzone.c - zonelists and their iterators: the order in which an
 * allocation tries zones, nearest node first and highest zone first
 * (mm/mmzone.c and the zonelist part of mm/page_alloc.c, Linux 6.12).
 *
 * Built once at boot (build_all_zonelists); read without locks afterwards.
 */
#include "internal.h"

#include <limits.h>
#include <string.h>

/* __next_zones_zonelist (mm/mmzone.c): skip zones above the index or outside the nodemask. */
struct zoneref *__next_zones_zonelist(struct zoneref *z, enum zone_type highest_zoneidx,
				      const nodemask_t *nodes)
{
	if (unlikely(nodes == NULL))
		while (zonelist_zone_idx(z) > (int)highest_zoneidx)
			z++;
	else
		while (zonelist_zone_idx(z) > (int)highest_zoneidx ||
		       (zonelist_zone(z) && !node_isset(zonelist_node_idx(z), nodes)))
			z++;
	return z;
}

/*
 * node_zonelist (gfp.h): __GFP_THISNODE selects the node's own zones only
 * (gfp_zonelist).
 */
struct zonelist *node_zonelist(struct pf_machine *m, int nid, pf_gfp_t flags)
{
	int idx = (flags & PF___GFP_THISNODE) ? ZONELIST_NOFALLBACK : ZONELIST_FALLBACK;
	return &NODE_DATA(m, nid)->node_zonelists[idx];
}

/* build_zonerefs_node: the node's populated zones, highest first. */
static int build_zonerefs_node(pg_data_t *pgdat, struct zoneref *zonerefs)
{
	int zone_type = MAX_NR_ZONES;
	int nr_zones = 0;

	do {
		zone_type--;
		struct zone *zone = pgdat->node_zones + zone_type;
		if (populated_zone(zone)) {
			zonerefs[nr_zones].zone = zone;
			zonerefs[nr_zones].zone_idx = zone_idx(zone);
			nr_zones++;
		}
	} while (zone_type);
	return nr_zones;
}

static bool node_has_cpus(struct pf_machine *m, int nid)
{
	for (int c = 0; c < m->nr_cpus; c++)
		if (m->cpu_to_node[c] == nid)
			return true;
	return false;
}

/* The kernel's MAX_NUMNODES with NODES_SHIFT 10, used as a weight below. */
#define KERNEL_MAX_NUMNODES 1024
#define PENALTY_FOR_NODE_WITH_CPUS 1

/*
 * find_next_best_node (page_alloc.c, 6.12): the nearest node not yet used,
 * preferring higher node numbers, nodes without CPUs, and less loaded nodes.
 */
static int find_next_best_node(struct pf_machine *m, int node, nodemask_t *used_node_mask, const int *node_load)
{
	int min_val = INT_MAX;
	int best_node = NUMA_NO_NODE;

	/* Every node of a machine has memory (machine_desc.c checks it). */
	if (!node_isset(node, used_node_mask)) {
		node_set(node, used_node_mask);
		return node;
	}
	for (int n = 0; n < m->nr_node_ids; n++) {
		if (node_isset(n, used_node_mask))
			continue;
		int val = m->node_distance[node][n];
		val += (n < node);			/* lower-numbered nodes cost one more */
		if (node_has_cpus(m, n))
			val += PENALTY_FOR_NODE_WITH_CPUS;	/* nodes with CPUs cost one more */
		val *= KERNEL_MAX_NUMNODES;
		val += node_load[n];			/* ties go to the least used node */
		if (val < min_val) {
			min_val = val;
			best_node = n;
		}
	}
	if (best_node >= 0)
		node_set(best_node, used_node_mask);
	return best_node;
}

/*
 * build_zonelists (NUMA, 6.12): the fallback list visits nodes in
 * find_next_best_node order, each node's zones highest first; the
 * no-fallback list holds the node's own zones.  node_load persists across
 * nodes, so equally distant nodes are shared round-robin.
 */
static void build_zonelists(pg_data_t *pgdat, int *node_load)
{
	struct pf_machine *m = pgdat->machine;
	int node_order[MAX_NUMNODES];
	int node, nr_nodes = 0;
	nodemask_t used_mask;
	int local_node = pgdat->node_id, prev_node = local_node;

	memset(&used_mask, 0, sizeof used_mask);
	while ((node = find_next_best_node(m, local_node, &used_mask, node_load)) >= 0) {
		if (m->node_distance[local_node][node] != m->node_distance[local_node][prev_node])
			node_load[node] += 1;
		node_order[nr_nodes++] = node;
		prev_node = node;
	}

	struct zoneref *zonerefs = pgdat->node_zonelists[ZONELIST_FALLBACK]._zonerefs;
	for (int i = 0; i < nr_nodes; i++)
		zonerefs += build_zonerefs_node(NODE_DATA(m, node_order[i]), zonerefs);
	zonerefs->zone = NULL;
	zonerefs->zone_idx = 0;

	zonerefs = pgdat->node_zonelists[ZONELIST_NOFALLBACK]._zonerefs;
	zonerefs += build_zonerefs_node(pgdat, zonerefs);
	zonerefs->zone = NULL;
	zonerefs->zone_idx = 0;
}

/* build_all_zonelists: every node's lists (__build_all_zonelists at boot). */
void build_all_zonelists(struct pf_machine *m)
{
	int node_load[MAX_NUMNODES];
	memset(node_load, 0, sizeof node_load);
	for (int nid = 0; nid < m->nr_node_ids; nid++)
		build_zonelists(NODE_DATA(m, nid), node_load);

	build_fast_gfp_table(m);	/* page_alloc.c: the fast path's view of these lists */
}

/*
 * node_worker_start / node_worker_stop - a node's kernel thread (kswapd,
 * kcompactd: kthread_run / kthread_stop in the kernel), kept in *@slot
 * under @lock.  The handle is published under the lock before the thread
 * can look for it.  Start returns the running worker, or NULL when the
 * thread could not be made; stop joins it and clears the slot.
 */
struct pf_os_worker *node_worker_start(struct pf_os_worker **slot, pf_spinlock_t *lock, void (*fn)(void *),
				       void *arg, const char *name)
{
	pf_spin_lock(lock);
	struct pf_os_worker *w = pf_os_worker_start(fn, arg, name);
	__atomic_store_n(slot, w, __ATOMIC_RELEASE);
	pf_spin_unlock(lock);
	return w;
}

void node_worker_stop(struct pf_os_worker **slot, pf_spinlock_t *lock)
{
	pf_spin_lock(lock);
	struct pf_os_worker *w = *slot;
	pf_spin_unlock(lock);
	if (!w)
		return;
	pf_os_worker_stop(w);
	pf_spin_lock(lock);
	__atomic_store_n(slot, NULL, __ATOMIC_RELEASE);
	pf_spin_unlock(lock);
}
