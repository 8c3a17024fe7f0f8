/* SPDX-License-Identifier: MIT */
/*
 * machine.c - the life cycle of a machine: create (read the description,
 * boot the zones, then write the description's sysctls), destroy, the
 * table of live machines and the page-to-machine lookup.
 *
 * The description is read by machine_desc.c, the zones are built by
 * mm_init.c, sysctl writes go through sysctl.c, and reports through
 * printk.c.
 */
#include "internal.h"
#include "page_reporting.h"
#include "vmscan.h"

#include <stdlib.h>
#include <string.h>

struct pf_machine *_Atomic pf_machine_table[PF_MAX_MACHINES];
/* One past the highest slot ever used: bounds the scan in pf_page_machine. */
atomic_int pf_machine_slots_used;

/* ---- life cycle ------------------------------------------------------------- */

static const char default_description[] =
	"# the default machine: one node, 1 GiB, the host's CPUs\n"
	"mem 0 0x1000-0x3fffffff\n";

/*
 * The description's sysctl lines, written in their order once every
 * boot-time computation is done (init_per_zone_wmark_min, khugepaged's
 * set_recommended_min_free_kbytes): the kernel writes sysctl.*= boot
 * parameters (do_sysctl_args) and sysctl.conf after its initcalls, so a
 * written min_free_kbytes is the one that stays.
 */
static int apply_boot_sysctls(struct pf_machine *m, const struct pf_desc *d, char *err, size_t errlen)
{
	for (int i = 0; i < d->nr_sysctl; i++) {
		const struct pf_desc_sysctl *s = &d->sysctl[i];
		pf_spin_lock(&m->setup_lock);
		int rc = pf_sysctl_write(m, s->name, s->value);
		pf_spin_unlock(&m->setup_lock);
		if (rc) {
			snprintf(err, errlen, "line %d: sysctl: bad value '%s' for %s", s->line, s->value, s->name);
			return rc;
		}
	}
	return 0;
}

/*
 * machine_create - pf_machine_create, or with @external
 * pf_machine_create_with_memory: the pages then live in [@base, @base +
 * @size), the caller's (backing.c checks it fits).
 */
static struct pf_machine *machine_create(const char *description, void *base, size_t size, bool external,
					 char *err, size_t errlen)
{
	char dummy[8];
	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof dummy;
	}
	err[0] = '\0';
	if (!description || !*description)
		description = default_description;

	struct pf_machine *m = aligned_alloc(64, (sizeof(struct pf_machine) + 63) & ~(size_t)63);
	if (m)
		memset(m, 0, sizeof *m);
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	m->report = pf_report_default;
	placement_init(m);	/* cpuset.c: placement and dirty-limit defaults */
	m->user_min_free_kbytes = -1;
	m->watermark_scale_factor = 10;
	m->watermark_boost_factor = 15000;
	/* sysctl_lowmem_reserve_ratio defaults (page_alloc.c): DMA 256, DMA32 256, Normal 32, Movable 0. */
	m->lowmem_reserve_ratio[ZONE_DMA] = 256;
	m->lowmem_reserve_ratio[ZONE_DMA32] = 256;
	m->lowmem_reserve_ratio[ZONE_NORMAL] = 32;
	m->lowmem_reserve_ratio[ZONE_MOVABLE] = 0;
	m->lowmem_reserve_ratio[ZONE_DEVICE] = 0;
	m->thp = PF_THP_MADVISE;
	m->required_kernelcore_percent = -1;
	m->required_movablecore_percent = -1;
	m->gfp_allowed_mask = PF___GFP_BITS_MASK;
	m->check_pages = true;
	m->pcp_high_max_fraction = MIN_PERCPU_PAGELIST_HIGH_FRACTION;	/* the kernel's high_max */
	m->profile = PF_PROFILE_KERNEL;
	m->pcp_max_order = PAGE_ALLOC_COSTLY_ORDER;	/* the kernel's pcp orders (and pageblock order) */
	fail_page_alloc_init(&m->fail_page_alloc);
	shrinker_init(m);	/* before the machine is in the table: unregister walks it */
	oom_init(m);		/* likewise */
	page_reporting_early_init(m);	/* page_reporting_order unset (-1), no sink */
	m->nr_cpus = pf_os_ncpus();
	if (m->nr_cpus > NR_CPUS_MAX)
		m->nr_cpus = NR_CPUS_MAX;
	pf_spin_lock_init(&m->setup_lock);
	m->cpu_to_node = calloc(NR_CPUS_MAX, sizeof *m->cpu_to_node);
	if (!m->cpu_to_node) {
		snprintf(err, errlen, "out of memory");
		free(m);
		return NULL;
	}

	/* Find a slot in the machine table. */
	m->id = -1;
	for (int i = 0; i < PF_MAX_MACHINES; i++) {
		struct pf_machine *expected = NULL;
		if (atomic_compare_exchange_strong(&pf_machine_table[i], &expected, m)) {
			m->id = i;
			int used = atomic_load(&pf_machine_slots_used);
			while (used < i + 1 && !atomic_compare_exchange_weak(&pf_machine_slots_used, &used, i + 1))
				;
			break;
		}
	}
	if (m->id < 0) {
		snprintf(err, errlen, "too many machines in this process (at most %d live at once)", PF_MAX_MACHINES);
		free(m->cpu_to_node);
		free(m);
		return NULL;
	}

	struct pf_desc desc = { NULL, 0 };
	if (pf_parse_machine(m, &desc, description, err, errlen)) {
		pf_desc_release(&desc);
		pf_machine_destroy(m);
		return NULL;
	}
	if (external) {
		/* the caller's memory is the backing: a backing line may only say so */
		if (m->backing_line && m->backing != PF_BACKING_EXTERNAL) {
			snprintf(err, errlen, "line %d: backing: this machine's memory is the one given to "
				 "pf_machine_create_with_memory: write 'backing external' or leave the line out",
				 m->backing_line);
			pf_desc_release(&desc);
			pf_machine_destroy(m);
			return NULL;
		}
		m->backing = PF_BACKING_EXTERNAL;
		m->external_given = true;
		m->external_base = base;
		m->external_size = size;
	}
	/*
	 * rseq pagesets need one pageset per host CPU: on a machine with fewer
	 * CPUs than the host, threads on the other CPUs would take a folded
	 * pageset through the membarrier protocol on every call, so such a
	 * machine uses plain spinlocks instead.
	 */
	m->pcp_rseq = pf_os_rseq_fastpath() && m->nr_cpus >= pf_os_ncpus_possible();
	pf_fast_update(m);
	if (pf_free_area_init(m, err, errlen)) {
		pf_desc_release(&desc);
		pf_machine_destroy(m);
		return NULL;
	}
	kcompactd_init(m);	/* compaction's sysctl defaults and kcompactd's state (compaction.c) */
	vmscan_init(m);		/* the LRU lists, kswapd's state, swappiness (vmscan.c) */
	if (page_ext_init(m, err, errlen)) {	/* page_ext.c: page_owner's records, when it is on */
		pf_desc_release(&desc);
		pf_machine_destroy(m);
		return NULL;
	}
	if (apply_boot_sysctls(m, &desc, err, errlen)) {
		pf_desc_release(&desc);
		pf_machine_destroy(m);
		return NULL;
	}
	pf_desc_release(&desc);
	m->boot_ns = pf_os_now_ns();
	/* the swap area, and kswapd's threads if the description asked for them */
	if (vmscan_late_init(m, err, errlen)) {
		pf_machine_destroy(m);
		return NULL;
	}
	/* free_page_reporting: the sink registers and its worker starts last, on a booted machine */
	if (page_reporting_init(m, err, errlen)) {
		pf_machine_destroy(m);
		return NULL;
	}
	return m;
}

struct pf_machine *pf_machine_create(const char *description, char *err, size_t errlen)
{
	return machine_create(description, NULL, 0, false, err, errlen);
}

struct pf_machine *pf_machine_create_with_memory(const char *description, void *base, size_t size, char *err,
						 size_t errlen)
{
	return machine_create(description, base, size, true, err, errlen);
}

void pf_machine_destroy(struct pf_machine *m)
{
	if (!m)
		return;
	placement_machine_exit(m);	/* cpuset.c: no thread's count is handed back to @m after this */
	pf_kswapd_stop(m);	/* its threads use the machine, and wake kcompactd */
	pf_kcompactd_stop(m);	/* its threads use the machine */
	page_reporting_unregister(m);	/* and so does the reporting worker */
	mem_cgroup_machine_exit(m);
	for (int nid = 0; nid < MAX_NUMNODES; nid++) {
		pg_data_t *pgdat = m->node_data[nid];
		if (!pgdat)
			continue;
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			free(pgdat->node_zones[z].per_cpu_pageset);
			free(pgdat->node_zones[z].per_cpu_zonestats);
		}
		free(pgdat);
	}
	free(m->pageblock_flags);
	swapfile_release(m);
	page_ext_release(m);
	cma_release_areas(m);
	shrinker_release(m);
	oom_release(m);
	pf_os_release(m->alloc_order, m->memmap_pfns);
	pf_os_release(m->deferred_map, m->deferred_map_bytes);
	pf_os_release(m->mem_map, m->memmap_bytes);
	debug_pages_teardown(m);	/* sanitizer state of the window (debug_page_alloc.c), before it goes */
	backing_release(m);	/* backing.c */
	if (m->id >= 0)
		atomic_store(&pf_machine_table[m->id], NULL);
	free(m->cpu_to_node);
	free(m);
}

struct pf_machine *pf_page_machine(const struct pf_page *page)
{
	if (!page)
		return NULL;
	/* Find the machine whose memmap holds the pointer without reading it. */
	int used = atomic_load_explicit(&pf_machine_slots_used, memory_order_acquire);
	for (int i = 0; i < used; i++) {
		struct pf_machine *m = atomic_load_explicit(&pf_machine_table[i], memory_order_acquire);
		if (!m || !m->mem_map)
			continue;
		const char *lo = (const char *)m->mem_map;
		const char *hi = lo + m->memmap_pfns * sizeof(struct pf_page);
		const char *pp = (const char *)page;
		if (pp >= lo && pp < hi && (size_t)(pp - lo) % sizeof(struct pf_page) == 0)
			return m;
	}
	return NULL;
}

const char *pf_version(void)
{
	return PF_VERSION_STRING;
}

/* What CMake told this copy of the library at compile time (CMakeLists.txt, pf_library_variant). */
#ifndef PF_BUILD_TYPE
#define PF_BUILD_TYPE "unknown"
#endif
#ifndef PF_BUILD_SANITIZE
#define PF_BUILD_SANITIZE "unknown"
#endif
#ifdef __OPTIMIZE__
#define PF_BUILD_OPTIMIZED "1"
#else
#define PF_BUILD_OPTIMIZED "0"
#endif
#define PF_BUILD_STR_(x) #x
#define PF_BUILD_STR(x) PF_BUILD_STR_(x)

const char *pf_build_info(void)
{
	return "debug_vm=" PF_BUILD_STR(PF_DEBUG_VM) " build=" PF_BUILD_TYPE " optimized=" PF_BUILD_OPTIMIZED
	       " sanitize=" PF_BUILD_SANITIZE;
}

/* ---- the default machine of <pageframe/linux.h> ---- */
static struct pf_machine *_Atomic pf_linux_machine;

void pf_linux_set_default_machine(struct pf_machine *m)
{
	atomic_store(&pf_linux_machine, m);
}

struct pf_machine *pf_linux_default_machine(void)
{
	return atomic_load(&pf_linux_machine);
}
