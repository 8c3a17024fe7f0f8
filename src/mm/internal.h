/* SPDX-License-Identifier: MIT */
/*
 * internal.h - what the files of src/mm share: the machine, alloc flags,
 * alloc_context, and the cross-file functions, grouped under the file that
 * defines them (mm/internal.h plays this part in the kernel).
 *
 * Never installed; none of these names is exported from the shared library.
 */
#ifndef PF_MM_INTERNAL_H
#define PF_MM_INTERNAL_H

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
/* src/mm speaks the kernel's page-flag names (PG_locked, PageBuddy, ...). */
#define PF_KERNEL_NAMES 1
#include "mmzone.h"
#include "printk.h"

/* ---- Debug checks (VM_BUG_ON style), chosen at build time --------------- */
/*
 * PF_DEBUG_VM 0: none; 1: cheap checks (CONFIG_DEBUG_VM); 2: expensive
 * checks as well (walks of whole lists).  A failed check reports and aborts:
 * it means the allocator itself is broken, never that the caller misused it.
 * Disabled checks still type-check.
 */
#ifndef PF_DEBUG_VM
#define PF_DEBUG_VM 1
#endif

struct pf_page;
struct pf_machine;
/*
 * pf_vm_bug / pf_vm_bug_page (debug_page.c): a failed check, reported as the
 * kernel's "kernel BUG at" through the machine's report hook (the process
 * default, stderr, when no machine is at hand), the page dumped first for
 * VM_BUG_ON_PAGE, then abort().
 */
__attribute__((noreturn, cold)) void pf_vm_bug(struct pf_machine *m, const char *file, int line, const char *func,
					       const char *cond);
__attribute__((noreturn, cold)) void pf_vm_bug_page(struct pf_page *page, const char *file, int line,
						    const char *func, const char *cond);

#define VM_BUG_ON(cond)								\
	do {									\
		if (PF_DEBUG_VM >= 1 && __builtin_expect(!!(cond), 0))		\
			pf_vm_bug(NULL, __FILE__, __LINE__, __func__, #cond);	\
	} while (0)
/* VM_BUG_ON_PAGE (include/linux/mmdebug.h): dump the page, then the BUG */
#define VM_BUG_ON_PAGE(cond, page)						\
	do {									\
		if (PF_DEBUG_VM >= 1 && __builtin_expect(!!(cond), 0))		\
			pf_vm_bug_page((page), __FILE__, __LINE__, __func__, #cond); \
	} while (0)
#define VM_BUG_ON_EXPENSIVE(cond)						\
	do {									\
		if (PF_DEBUG_VM >= 2 && __builtin_expect(!!(cond), 0))		\
			pf_vm_bug(NULL, __FILE__, __LINE__, __func__, #cond);	\
	} while (0)
/*
 * lockdep_assert_held: the "Context: zone->lock" of a comment, checked in
 * debug builds (platform.h pf_spin_held: held by this thread; a pageset
 * lock taken by rseq records no owner and counts as held when taken).
 */
#define lockdep_assert_held(lock)						\
	do {									\
		if (PF_DEBUG_VM >= 1 && __builtin_expect(!pf_spin_held(lock), 0)) \
			pf_vm_bug(NULL, __FILE__, __LINE__, __func__,		\
				  "lockdep_assert_held(" #lock ")");		\
	} while (0)

/*
 * __data_race: the kernel's data_race() for a whole function.  Used where
 * the allocator peeks at pages it does not own (a neighbour's PageBuddy,
 * order and zone while merging or moving a pageblock): the kernel reads
 * them racily too, and validates what it read under zone->lock.
 */
#define __data_race __attribute__((no_sanitize("thread")))

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

#define min_t(type, a, b) ((type)(a) < (type)(b) ? (type)(a) : (type)(b))
#define max_t(type, a, b) ((type)(a) > (type)(b) ? (type)(a) : (type)(b))

/* ---- Alloc flags (mm/internal.h, 6.12) ------------------------------------ */
#define ALLOC_WMARK_MIN		WMARK_MIN
#define ALLOC_WMARK_LOW		WMARK_LOW
#define ALLOC_WMARK_HIGH	WMARK_HIGH
#define ALLOC_NO_WATERMARKS	0x04	/* ignore the watermarks entirely */
#define ALLOC_WMARK_MASK	(ALLOC_NO_WATERMARKS - 1)
#define ALLOC_OOM		0x08
#define ALLOC_NON_BLOCK		0x10	/* Caller cannot block: 25% of min, or 62.5% with __GFP_HIGH */
#define ALLOC_MIN_RESERVE	0x20	/* __GFP_HIGH set: 50% of the min watermark */
#define ALLOC_CPUSET		0x40	/* check for correct cpuset */
#define ALLOC_CMA		0x80	/* may take pages from CMA pageblocks */
#define ALLOC_NOFRAGMENT	0x100	/* avoid mixing pageblock types (CONFIG_ZONE_DMA32) */
#define ALLOC_HIGHATOMIC	0x200	/* may use the highatomic reserve */
#define ALLOC_KSWAPD		0x800	/* may wake kswapd; same bit as __GFP_KSWAPD_RECLAIM */
/* Any of these lets an allocation dip under the min watermark. */
/* mm/internal.h (6.12): rounds of reclaim without progress before the slow path gives up on it */
#define MAX_RECLAIM_RETRIES 16

#define ALLOC_RESERVES (ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE | ALLOC_HIGHATOMIC | ALLOC_OOM)

_Static_assert(PF___GFP_HIGH == ALLOC_MIN_RESERVE, "__GFP_HIGH must equal ALLOC_MIN_RESERVE");
_Static_assert(PF___GFP_KSWAPD_RECLAIM == ALLOC_KSWAPD, "__GFP_KSWAPD_RECLAIM must equal ALLOC_KSWAPD");

/* fpi_t flags for the free path (FPI_*). */
typedef unsigned int fpi_t;
#define FPI_NONE		0
#define FPI_SKIP_REPORT_NOTIFY	(1u << 0)
#define FPI_TO_TAIL		(1u << 1)
/* pageframe's own: the caller saw m->fast_off == 0, so every optional hook is off (see FAST_OFF_*) */
#define FPI_HOOKS_OFF		(1u << 2)

/*
 * struct alloc_context - what prepare_alloc_pages works out once and every
 * step of the allocation uses (mm/internal.h).
 */
struct alloc_context {
	struct zonelist *zonelist;
	nodemask_t *nodemask;
	struct zoneref *preferred_zoneref;
	int migratetype;
	enum zone_type highest_zoneidx;
	bool spread_dirty_pages;
};

/* ---- The machine ---------------------------------------------------------- */

/* A memblock region: [base, end) in pfns. */
struct pf_region {
	unsigned long start_pfn;
	unsigned long end_pfn;
	int nid;
	int line;		/* line of the description it came from */
};

enum pf_backing {
	PF_BACKING_HOSTED,
	PF_BACKING_NONE,
	/* page_reporting.c, backings: the kinds of docs/MACHINE.md's backing line beyond these two */
	PF_BACKING_MEMFD,
	PF_BACKING_FILE,
	PF_BACKING_HUGETLBFS,
	PF_BACKING_SHM,
	PF_BACKING_EXTERNAL,
};

enum pf_thp_mode {
	PF_THP_ALWAYS,
	PF_THP_MADVISE,
	PF_THP_NEVER,
};

#define PF_MAX_REGIONS 256

/*
 * struct cma (mm/cma.h, 6.12) - a contiguous memory area: pageblocks of
 * MIGRATE_CMA that movable allocations borrow and pf_cma_alloc takes back
 * (cma.c).  One bit of the bitmap stands for 2^order_per_bit pages handed
 * out by cma_alloc.  The fields after name are the description's request
 * (`cma SIZE[@START[-LIMIT]]`), kept for placement at boot.
 */
#define MAX_CMA_AREAS 20	/* CONFIG_CMA_AREAS: 20 with NUMA (8 without) */
#define CMA_MAX_NAME 64
struct cma {
	unsigned long base_pfn;
	unsigned long count;		/* pages; 0 when the area could not be activated */
	unsigned long *bitmap;
	unsigned int order_per_bit;
	pf_spinlock_t lock;		/* the bitmap */
	char name[CMA_MAX_NAME];
	unsigned long long req_size, req_base, req_limit;	/* bytes, as cma= gives them */
	bool req_fixed;
	int line;			/* the description's line */
};

/* struct fault_attr (include/linux/fault-inject.h) with fail_page_alloc's own filters. */
struct fail_page_alloc_attr {
	unsigned long probability;	/* percent; 0 disables (read by the fast path) */
	unsigned long interval;
	atomic_int times;		/* -1: no limit */
	atomic_int space;
	int verbose;
	bool ignore_gfp_reclaim;	/* "ignore-gfp-wait" */
	bool ignore_gfp_highmem;
	unsigned int min_order;
	atomic_ulong count;
	atomic_ulong injected;		/* pageframe's count of injected failures */
};

/*
 * Ids for memcg-aware shrinkers a machine can hold at once (pageframe's
 * bound: the kernel grows its per-memcg maps without one).  Each memcg
 * keeps, per node, a bit and a deferred count for every id (struct
 * shrinker_info, memcontrol.h).
 */
#define SHRINKER_NR_MAX		128
struct pf_shrinker;

struct pf_machine {
	int id;				/* index in pf_machine_table, kept in page->flags */
	int nr_cpus;
	int nr_node_ids;		/* nodes 0..nr_node_ids-1 exist */
	pg_data_t *node_data[MAX_NUMNODES];
	unsigned char node_distance[MAX_NUMNODES][MAX_NUMNODES];
	short *cpu_to_node;		/* [nr_cpus] */

	/* memblock: memory and reserved regions, sorted, page-aligned */
	struct pf_region memory[PF_MAX_REGIONS];
	int nr_memory;
	struct pf_region reserved[PF_MAX_REGIONS];
	int nr_reserved;
	unsigned long max_pfn;		/* one past the highest present pfn */
	unsigned long min_pfn;		/* lowest present pfn */

	/* the virtual memmap: mem_map[pfn] for pfn in [0, memmap_pfns) */
	struct pf_page *mem_map;
	unsigned long memmap_pfns;
	size_t memmap_bytes;

	/* pageblock flags: NR_PAGEBLOCK_BITS per pageblock of [0, memmap_pfns) (the usemap) */
	unsigned long *pageblock_flags;
	/* allocation record: order + 1 at the head of each live block, else 0 (pageframe's own) */
	unsigned char *alloc_order;

	/* deferred struct page init (deferred_init.c): one bit per MAX_PAGE_ORDER block whose
	 * struct pages are not written yet; the count of set bits, read without locks */
	unsigned long *deferred_map;
	size_t deferred_map_bytes;
	unsigned long nr_deferred_blocks;	/* __atomic; 0 also when deferred init is off */
	unsigned long nr_deferred_inited;	/* blocks initialised since boot (__atomic, for the tests) */
	bool deferred_init_off;			/* "deferred_struct_page_init off": every page at boot */

	/* backing */
	enum pf_backing backing;
	char *base;			/* hosted: pfn N lives at base + N * PAGE_SIZE */
	size_t base_bytes;

	/* sysctls (/proc/sys/vm) and boot parameters */
	int min_free_kbytes;
	int user_min_free_kbytes;	/* -1 until written */
	int watermark_scale_factor;
	int watermark_boost_factor;
	int lowmem_reserve_ratio[MAX_NR_ZONES];
	int percpu_pagelist_high_fraction;
	int pcp_high_max_fraction;		/* pageframe's own: high_max = managed / this / CPUs (kernel: 8) */
#define MIN_PERCPU_PAGELIST_HIGH_FRACTION 8	/* page_alloc.c (6.12) */
	/*
	 * pageframe's own: the profile directive (docs/MACHINE.md).  Under
	 * PF_PROFILE_ARENA orders 0..pageblock_order-1 go on the per-CPU lists
	 * (pcp_max_order; the kernel's is PAGE_ALLOC_COSTLY_ORDER) and
	 * pcp_high_max_fraction is 1 unless the description sets it.
	 */
	int profile;
#define PF_PROFILE_KERNEL 0
#define PF_PROFILE_ARENA 1
	unsigned int pcp_max_order;
	/* compaction's vm sysctls (mm/compaction.c, 6.12; defrag_mode from 6.15) */
	int sysctl_compact_memory;		/* write-only trigger: 1 compacts every zone */
	int sysctl_compaction_proactiveness;	/* 0..100, default 20 */
	int sysctl_extfrag_threshold;		/* 0..1000, default 500 */
	int sysctl_compact_unevictable_allowed;	/* 0..1, default 1 */
	int defrag_mode;			/* Linux 6.15's vm.defrag_mode, 0..1, default 0 */
	enum pf_thp_mode thp;
	unsigned long required_kernelcore;	/* pages, from kernelcore= */
	unsigned long required_movablecore;	/* pages, from movablecore= */
	int required_kernelcore_percent;	/* -1 when not given as nn% */
	int required_movablecore_percent;
	unsigned long mem_limit_pfn;		/* mem= as an address cap (x86) */
	unsigned long zone_movable_pfn[MAX_NUMNODES];
	int movable_zone;
	unsigned long arch_zone_lowest_possible_pfn[MAX_NR_ZONES];
	unsigned long arch_zone_highest_possible_pfn[MAX_NR_ZONES];
	unsigned long totalreserve_pages;
	pf_gfp_t gfp_allowed_mask;
	bool init_on_alloc;
	bool init_on_free;
	bool check_pages;		/* check_pages_enabled: page state checks at alloc and free */
	bool pcp_rseq;			/* local pageset locking by rseq (platform.h) */
	/*
	 * Set for good once a page of the machine becomes movable: from then on
	 * migration and compaction may take references to pages they do not own
	 * (get_page_unless_zero), so dropping the last reference must be an
	 * atomic read-modify-write (put_page_testzero, the free fast path).
	 */
	bool speculative_refs;
	bool rmqueue_carve_off;		/* tests: rmqueue_bulk takes block by block, as the kernel's loop */
	struct fail_page_alloc_attr fail_page_alloc;
	/*
	 * The fast paths' view (pageframe's own, page_alloc.c): fast_off
	 * is non-zero while a feature they leave to the general path is on
	 * (FAST_OFF_*); fast_gfp[nid][gfp & FAST_GFP_MASK] is what
	 * prepare_alloc_pages and alloc_flags_nofragment work out for a request
	 * of node nid with those zone and mobility bits (zone NULL: general path).
	 */
	unsigned int fast_off;
	bool fast_forced_off;		/* tests: FAST_OFF_FORCED (pf_fast_force_off) */
	struct pf_fast_gfp {
		struct zone *zone;		/* first zone of the node's fallback zonelist */
		unsigned int alloc_flags;	/* ALLOC_WMARK_LOW | ALLOC_CMA | ALLOC_NOFRAGMENT as prepared */
		unsigned char highest_zoneidx;
		unsigned char migratetype;
		unsigned char znid;		/* zone_to_nid(zone) */
	} fast_gfp[MAX_NUMNODES][32];
	/* page_zone by the node and zone bits of page->flags (page_zone_id) */
	struct zone *zone_of_id[MAX_NUMNODES << PF_ZONES_WIDTH];
	/*
	 * page_group_by_mobility_disabled (6.12): every request is unmovable
	 * and pageblocks are re-typed only to unmovable; decided at boot from
	 * the memory size, or forced by the description's "mobility_grouping
	 * off" (mobility_grouping_off, pageframe's own).
	 */
	int page_group_by_mobility_disabled;
	bool mobility_grouping_off;
	atomic_int warned_order;	/* WARN_ON_ONCE state */
	atomic_int warned_put_page;
	pf_spinlock_t setup_lock;	/* serialises sysctl writes and zone set-up */

	/* global events (vm_event_item), summed; written by the buddy paths, so kept off the
	 * cache lines of the read-mostly fields above that every allocation reads */
	_Alignas(64) atomic_long vm_events[NR_VM_EVENT_ITEMS];
	atomic_long nr_bad_pages;		/* bad_page reports, including suppressed ones */

	/* reporting */
	pf_report_fn report;
	void *report_arg;
	struct pf_burst_limit bad_page_rs;	/* bad_page's burst limit (printk.h) */

	/* tracing */
	pf_trace_fn trace;
	void *trace_arg;
	unsigned long long trace_mask;	/* bit per enum pf_trace_event */
	unsigned long long boot_ns;

	/*
	 * The 0.3 subsystems: each keeps its fields under its own heading
	 * (new fields go directly below the heading, never between two).
	 */
	/* -- vmscan.c, swap.c, workingset.c, swapfile.c: LRU reclaim, kswapd -- */
	int vm_swappiness;		/* vm.swappiness, 0..200, default 60 */
	int node_reclaim_mode;		/* vm.zone_reclaim_mode, RECLAIM_* bits, default 0 */
	bool kswapd_threads;		/* the description's "workers threads": kswapd threads at boot */
	bool lru_used;			/* a page went on an LRU list once (pf_lru_cache_add) */
	struct swap_info_struct *swap_info;	/* the swap area of "swap SIZE", or NULL (swapfile.c) */
	unsigned long long swap_bytes;	/* the description's swap size, 0: none */
	atomic_long nr_swap_pages;	/* free swap slots (get_nr_swap_pages) */
	long total_swap_pages;		/* slots of the swap area */
	atomic_long nr_writepage_errors;	/* owners' writepage failures met by reclaim (pageframe's own) */

	/* -- shrinker.c, oom_kill.c -- */
	atomic_int oom_hook_lied;		/* the OOM hook's "freed" without a freed page, reported once */
	pf_spinlock_t shrinker_lock;		/* shrinker_list and each shrinker's refs (shrinker.h) */
	struct list_head shrinker_list;		/* struct pf_shrinker, in registration order */
	/* memcg-aware shrinkers by id (the kernel's shrinker_idr), under shrinker_lock */
	struct pf_shrinker *shrinker_idr[SHRINKER_NR_MAX];
	int sysctl_drop_caches;			/* vm.drop_caches: the last value written, 1..4 */
	bool drop_caches_stfu;			/* a write with bit 4 silenced the log line for good */
	pf_spinlock_t oom_lock;			/* oom_lock: one OOM kill at a time (held around out_of_memory) */
	pf_spinlock_t oom_task_lock;		/* oom_tasks, each task's refs, the hook */
	struct list_head oom_tasks;		/* struct pf_oom_task, in registration order (oom.h) */
	bool (*oom_hook)(void *arg, pf_gfp_t gfp, unsigned order);	/* pf_set_oom_hook */
	void *oom_hook_arg;
	struct pf_burst_limit oom_rs;		/* oom_kill_process's report ratelimit */
	int sysctl_panic_on_oom;		/* vm.panic_on_oom 0..2 */
	int sysctl_oom_kill_allocating_task;	/* vm.oom_kill_allocating_task */
	int sysctl_oom_dump_tasks;		/* vm.oom_dump_tasks, default 1 */

	/* -- memcontrol.c -- */
	struct mem_cgroup *root_mem_cgroup;	/* made with the first memcg (memcg_lock) */
	bool memcg_kmem_online_key;		/* a memcg was created: charging is on for good (FAST_OFF_MEMCG) */
	pf_spinlock_t memcg_lock;		/* the memcg tree: links, online, reclaim walk positions */
	pf_spinlock_t objcg_lock;		/* objcg->memcg and the objcg lists */
	pf_spinlock_t percpu_charge_mutex;	/* one drain_all_stock at a time (trylock) */
	struct memcg_stock_pcp *memcg_stock;	/* [nr_cpus] */
	struct list_head memcg_released;	/* released memcgs, freed with the machine */
	unsigned long memcg_last_id;
	void (*memcg_throttle_fn)(void *arg, unsigned long long ns);	/* pf_memcg_set_throttle_hook; NULL: sleep */
	void *memcg_throttle_arg;

	/* -- cpuset.c, mempolicy.c, page-writeback.c -- */
	unsigned long placement_serial;		/* cpuset.c: this machine's number among all machines made */
	atomic_int placement_threads;		/* threads with a cpuset or policy here (FAST_OFF_PLACEMENT) */
	unsigned char iw_table[MAX_NUMNODES];	/* weighted_interleave/nodeN (0: the default, 1) */
	int dirty_ratio;			/* vm.dirty_ratio, 0..100 (20) */
	int dirty_background_ratio;		/* vm.dirty_background_ratio, 0..100 (10) */
	unsigned long dirty_bytes;		/* vm.dirty_bytes (0: the ratio applies) */
	unsigned long dirty_background_bytes;	/* vm.dirty_background_bytes (0: the ratio applies) */

	/* -- page_ext.c, page_owner.c, stackdepot.c -- */
	bool page_owner_enabled;	/* cmdline page_owner=on (page_owner_inited); read by post_alloc_hook */
	char *page_ext_base;		/* page_ext.h: page_ext_size bytes per pfn of [0, memmap_pfns); NULL: no user */
	size_t page_ext_size;
	size_t page_ext_bytes;
#define PAGE_EXT_NR_USERS 4
	size_t page_ext_offset[PAGE_EXT_NR_USERS];	/* each user's data offset in an entry */
	struct stack_depot *stack_depot;	/* stackdepot.h: this machine's stacks */
	struct page_owner_state *page_owner;	/* page_owner.c: its handles, stack list, count_threshold */

	/* -- page_poison.c, debug_page_alloc.c, sanitizers -- */
	bool page_poisoning;			/* page_poison=1: PAGE_POISON written at free, checked at allocation */
	bool init_on_alloc_early;		/* init_on_alloc / init_on_free as asked for; page_poison=1 overrides */
	bool init_on_free_early;
	bool debug_pagealloc;			/* debug_pagealloc=on: free pages are inaccessible (hosted memory) */
	bool debug_guardpage_enabled;		/* debug_pagealloc on and debug_guardpage_minorder > 0 */
	bool fault_handler;			/* pf_install_fault_handler: SIGSEGV in this machine's memory is explained */
	bool sanitize_valgrind;			/* running under Valgrind's memcheck: client requests at alloc and free */
	unsigned int debug_guardpage_minorder;	/* debug_guardpage_minorder=N (0..MAX_PAGE_ORDER / 2) */
	atomic_int debug_pagealloc_warned;	/* the host refused a protection change (reported once) */
	atomic_long nr_poison_corrupted;	/* pages check_poison_mem found written while free */
	atomic_long nr_guard_pages;		/* pages held as guard pages now (pageframe's count) */
	struct pf_burst_limit poison_rs;	/* check_poison_mem's burst limit: 10 reports per 5 s */
	struct pf_page_stacks *page_stacks;	/* ASan builds: the last allocation and free stack of each page */

	/* -- page_reporting.c, backings -- */
	int backing_line;		/* the description's backing line, 0 when none */
	char *backing_name;		/* backing file PATH / shm NAME (malloc'd) */
	struct pf_os_mem mem;		/* how base is mapped (platform.h); mem.base NULL: nothing */
	void *external_base;		/* pf_machine_create_with_memory's memory, until boot maps it */
	size_t external_size;
	bool external_given;		/* created by pf_machine_create_with_memory */
	int page_reporting_mode;	/* PF_REPORTING_* (page_reporting.h) */
	int page_reporting_line;	/* its description line */
	int page_reporting_order;	/* the module parameter: -1 until set, as 6.12's */
	/*
	 * The order at and above which __free_one_page notifies (one compare
	 * there): page_reporting_order while a sink is registered, otherwise
	 * past MAX_PAGE_ORDER so no merged block reaches it.
	 */
	unsigned int page_reporting_notify_order;
	struct page_reporting_dev_info *pr_dev_info;	/* the registered sink, NULL when off */

	/* -- the slow path (page_alloc.c), show_mem.c -- */
	struct pf_burst_limit nopage_rs;	/* warn_alloc: one report per 10 s */
	atomic_int warned_nofail_order;		/* WARN_ON_ONCE states of __GFP_NOFAIL misuse */
	atomic_int warned_nofail_reclaim;
	atomic_int warned_nofail_memalloc;
	atomic_int warned_nofail_oom;

	/*
	 * CMA areas (cma.c): cma_areas[0..cma_area_count), totalcma_pages over all of them.
	 * Cold, and large: kept last so the fields every allocation reads stay on few cache lines.
	 */
	struct cma cma_areas[MAX_CMA_AREAS];
	int cma_area_count;
	unsigned long totalcma_pages;
	pf_spinlock_t cma_mutex;	/* one alloc_contig_range of a CMA area at a time (cma_mutex) */
};

/* mmzone.c: a node's kernel thread (kswapd, kcompactd) in a slot of its pglist_data */
struct pf_os_worker *node_worker_start(struct pf_os_worker **slot, pf_spinlock_t *lock, void (*fn)(void *),
				       void *arg, const char *name);
void node_worker_stop(struct pf_os_worker **slot, pf_spinlock_t *lock);

/* The table of live machines: page->flags carries the index. */
extern struct pf_machine *_Atomic pf_machine_table[PF_MAX_MACHINES];
extern atomic_int pf_machine_slots_used;



#if defined(__SANITIZE_THREAD__)
#define PF_TSAN_BUILD 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define PF_TSAN_BUILD 1
#endif
#endif

#ifdef PF_TSAN_BUILD
/*
 * Under ThreadSanitizer, a peek outside its view: compaction's scanners and
 * contiguous allocations find the machine of pages other threads own,
 * whose flags words those owners rewrite with plain stores (allocating,
 * freeing); the machine bits never change after boot.  A volatile plain
 * read (TSan would still track an atomic one inside a __data_race function).
 */
static inline __data_race unsigned page_machine_id(const struct pf_page *page)
{
	return (unsigned)((*(const volatile unsigned long *)&page->flags >> PF_MACHINE_PGSHIFT) & PF_MACHINE_MASK);
}
#else
static inline unsigned page_machine_id(const struct pf_page *page)
{
	/* relaxed atomic: isolators of movable pages change flag bits of pages they do not own */
	return (unsigned)((__atomic_load_n(&page->flags, __ATOMIC_RELAXED) >> PF_MACHINE_PGSHIFT) & PF_MACHINE_MASK);
}
#endif

static inline __attribute__((always_inline)) struct pf_machine *page_machine(const struct pf_page *page)
{
	return atomic_load_explicit(&pf_machine_table[page_machine_id(page)], memory_order_relaxed);
}

/*
 * pf_page_machine_fast - the machine whose memmap holds @page, found without
 * dereferencing the pointer: by address range, slot 0 inline (the common
 * single-machine program), the next few slots out of line
 * (pf_page_machine_scan, debug_page.c).  NULL sends the caller to the full
 * search (pf_page_machine), which explains a bad pointer.
 */
struct pf_machine *pf_page_machine_scan(const struct pf_page *page);
static inline bool pf_page_in_memmap(const struct pf_machine *m, const struct pf_page *page)
{
	uintptr_t off = (uintptr_t)page - (uintptr_t)m->mem_map;	/* no pointer arithmetic across objects */
	return off < m->memmap_pfns * sizeof(struct pf_page);
}
static inline struct pf_machine *pf_page_machine_fast(const struct pf_page *page)
{
	struct pf_machine *m = atomic_load_explicit(&pf_machine_table[0], memory_order_acquire);
	if (likely(m && m->mem_map && pf_page_in_memmap(m, page))) {
		if (((uintptr_t)page - (uintptr_t)m->mem_map) & (sizeof(struct pf_page) - 1))
			return NULL;	/* misaligned: let the full check explain */
		if (page_machine_id(page) != 0)
			return NULL;	/* a section without memmap */
		return m;
	}
	if (atomic_load_explicit(&pf_machine_slots_used, memory_order_relaxed) > 1)
		return pf_page_machine_scan(page);
	return NULL;
}

static inline unsigned long page_to_pfn(const struct pf_page *page)
{
	return (unsigned long)(page - page_machine(page)->mem_map);
}

static inline struct pf_page *pfn_to_page(struct pf_machine *m, unsigned long pfn)
{
	return m->mem_map + pfn;
}

static inline pg_data_t *NODE_DATA(struct pf_machine *m, int nid)
{
	return m->node_data[nid];
}

static inline struct zone *page_zone(const struct pf_page *page)
{
	return &page_machine(page)->node_data[pf_page_to_nid(page)]->node_zones[pf_page_zonenum(page)];
}

static inline int page_zone_id(const struct pf_page *page)
{
	return (int)(page->flags >> PF_ZONES_PGSHIFT);
}

static inline struct pf_machine *zone_machine(const struct zone *zone)
{
	return zone->zone_pgdat->machine;
}

/* Refcount helpers (include/linux/page_ref.h). */
static inline int page_ref_count(const struct pf_page *page)
{
	return __atomic_load_n(&page->_refcount, __ATOMIC_RELAXED);
}

static inline void set_page_count(struct pf_page *page, int v)
{
	__atomic_store_n(&page->_refcount, v, __ATOMIC_RELAXED);
}

/*
 * set_page_refcounted: the first reference of a page being handed out.  A
 * release store (the kernel's is a plain atomic_set): once any page of the
 * machine is movable, get_page_unless_zero may take a reference to a page
 * it does not own, and its acquire then orders everything the allocator
 * wrote to the page before (free_pages_prepare, prep_new_page) before what
 * it reads of the page.  On x86 this is the same plain store.
 */
static inline void set_page_refcounted(struct pf_page *page)
{
	__atomic_store_n(&page->_refcount, 1, __ATOMIC_RELEASE);
}

static inline int page_ref_dec_return(struct pf_page *page)
{
	return __atomic_sub_fetch(&page->_refcount, 1, __ATOMIC_ACQ_REL);
}

static inline bool page_ref_dec_and_test(struct pf_page *page)
{
	return page_ref_dec_return(page) == 0;
}

static inline void page_ref_inc(struct pf_page *page)
{
	__atomic_add_fetch(&page->_refcount, 1, __ATOMIC_RELAXED);
}

/*
 * Speculative references (pageframe's own unit).  get_page_unless_zero is
 * how migration pins a page it does not own (isolate_movable_page, the
 * kernel's folio_try_get).  It adds PAGE_REF_SPECULATIVE, not 1, so that a
 * count always splits into the references of holders who own the page
 * (below PAGE_REF_SPECULATIVE) and those of speculative holders who are
 * looking at it (above): migration can then tell exactly how many
 * references the owner holds (page_owner_refs) while other threads take
 * and drop speculative ones.  A successful isolation turns its
 * speculative reference into an ordinary one.  Deliberate difference from
 * 6.12, whose speculative references are indistinguishable +1s; the
 * owner's count seen through pf_page_count leaves them out.
 */
#define PAGE_REF_SPECULATIVE	(1 << 20)
/* the most references an owner may hold (get_page refuses more), so that a migration's lent ones fit below the unit */
#define PAGE_REF_OWNER_MAX	(PAGE_REF_SPECULATIVE / 2)

static inline int page_owner_refs(const struct pf_page *page)
{
	int c = page_ref_count(page);
	return c > 0 ? c & (PAGE_REF_SPECULATIVE - 1) : c;
}

/*
 * get_page_unless_zero (include/linux/mm.h, 6.12 folio_try_get): take a
 * speculative reference unless no owner holds one (a free page, a page
 * being freed, a tail).  A compare-and-swap loop: a count with no owner's
 * reference is never raised.  Acquire: pairs with set_page_refcounted.
 */
static inline bool get_page_unless_zero(struct pf_page *page)
{
	int c = __atomic_load_n(&page->_refcount, __ATOMIC_RELAXED);
	do {
		if (c <= 0 || !(c & (PAGE_REF_SPECULATIVE - 1)))
			return false;
	} while (!__atomic_compare_exchange_n(&page->_refcount, &c, c + PAGE_REF_SPECULATIVE, true,
					      __ATOMIC_ACQUIRE, __ATOMIC_RELAXED));
	return true;
}

/*
 * The page lock, PG_locked of the head (include/linux/pagemap.h, 6.12):
 * trylock_page takes it with acquire, unlock_page drops it with release,
 * lock_page spins (the kernel sleeps in folio_wait_bit).  Only pages the
 * caller holds a reference to are locked.
 */
static inline bool trylock_page(struct pf_page *page)
{
	return !(__atomic_fetch_or(&page->flags, 1UL << PG_locked, __ATOMIC_ACQUIRE) & (1UL << PG_locked));
}

static inline void unlock_page(struct pf_page *page)
{
	__atomic_fetch_and(&page->flags, ~(1UL << PG_locked), __ATOMIC_RELEASE);
}

static inline void lock_page(struct pf_page *page)
{
	for (unsigned spins = 0; !trylock_page(page); spins++)
		pf_os_cpu_relax_or_yield(spins);
}

static inline unsigned long page_private(const struct pf_page *page)
{
	return page->private;
}

static inline void set_page_private(struct pf_page *page, unsigned long private)
{
	page->private = private;
}

/* Compound pages (6.12: order in the low byte of the first tail's flags). */
static inline unsigned int compound_order(const struct pf_page *page)
{
	if (!PageHead(page))
		return 0;
	return (unsigned int)(page[1].flags & 0xff);
}

static inline void set_compound_head(struct pf_page *page, struct pf_page *head)
{
	__atomic_store_n(&page->compound_head, (unsigned long)head + 1, __ATOMIC_RELAXED);
}

static inline void clear_compound_head(struct pf_page *page)
{
	__atomic_store_n(&page->compound_head, 0UL, __ATOMIC_RELAXED);
}

/* ---- vmstat (vmstat.c) ---------------------------------------------------- */
/* The CPU a thread bound itself to with pf_bind_cpu, or -1 (declared again below, by pf_this_cpu). */
extern _Thread_local int pf_bound_cpu __attribute__((tls_model("initial-exec")));
/*
 * __mod_zone_page_state (mm/vmstat.c, 6.12): the change goes to this CPU's
 * differential and reaches the zone's counter only when it exceeds the
 * threshold, so the hot counters are not one shared cache line.
 * Context: zone->lock held (all callers are in the buddy paths).
 */
static inline void __mod_zone_page_state(struct zone *zone, enum zone_stat_item item, long delta)
{
	struct pf_machine *m = zone->zone_pgdat->machine;
	int cpu = pf_bound_cpu >= 0 ? pf_bound_cpu : pf_os_current_cpu();	/* the bound CPU's differential */
	struct per_cpu_zonestat *pzs = &zone->per_cpu_zonestats[likely(cpu < m->nr_cpus) ? cpu : cpu % m->nr_cpus];
	long x = delta + __atomic_load_n(&pzs->vm_stat_diff[item], __ATOMIC_RELAXED);
	long t = pzs->stat_threshold;

	if (unlikely(x > t || -x > t)) {
		atomic_fetch_add_explicit(&zone->vm_stat[item], x, memory_order_relaxed);
		x = 0;
	}
	__atomic_store_n(&pzs->vm_stat_diff[item], (signed char)x, __ATOMIC_RELAXED);
}

/*
 * __mod_zone_page_state_repeat (pageframe's own): exactly what @times calls
 * of __mod_zone_page_state(zone, item, delta) in a row on this CPU leave in
 * the CPU's differential and the zone's counter, worked out in closed form
 * (rmqueue_bulk's carve takes many pages in one step).  A call folds when
 * |diff + delta| exceeds the threshold t; from a zero differential that is
 * every t / |delta| + 1 calls.
 */
static inline __attribute__((always_inline)) void __mod_zone_page_state_repeat(struct zone *zone,
									    enum zone_stat_item item, long delta,
						unsigned long times)
{
	struct pf_machine *m = zone->zone_pgdat->machine;
	int cpu = pf_bound_cpu >= 0 ? pf_bound_cpu : pf_os_current_cpu();	/* the bound CPU's differential */
	struct per_cpu_zonestat *pzs = &zone->per_cpu_zonestats[likely(cpu < m->nr_cpus) ? cpu : cpu % m->nr_cpus];
	long d = __atomic_load_n(&pzs->vm_stat_diff[item], __ATOMIC_RELAXED);
	long t = pzs->stat_threshold;
	long mag = delta < 0 ? -delta : delta;

	if (!times || !delta)
		return;
	if (unlikely(d > t || -d > t)) {
		/* a differential beyond a lowered threshold: the first call as it is, then the rest */
		long x = d + delta;
		if (x > t || -x > t) {
			atomic_fetch_add_explicit(&zone->vm_stat[item], x, memory_order_relaxed);
			x = 0;
		}
		__atomic_store_n(&pzs->vm_stat_diff[item], (signed char)x, __ATOMIC_RELAXED);
		d = x;
		if (!--times)
			return;
	}
	/* calls until the first fold: the smallest j with |d + j * delta| > t */
	long room = delta < 0 ? d + t : t - d;	/* how far d may move towards the fold side */
	unsigned long first = (unsigned long)(room / mag) + 1;
	if (times < first) {
		__atomic_store_n(&pzs->vm_stat_diff[item], (signed char)(d + delta * (long)times), __ATOMIC_RELAXED);
		return;
	}
	long folded = d + delta * (long)first;
	unsigned long rest = times - first;
	unsigned long period = (unsigned long)(t / mag) + 1;
	folded += delta * (long)(period * (rest / period));
	atomic_fetch_add_explicit(&zone->vm_stat[item], folded, memory_order_relaxed);
	__atomic_store_n(&pzs->vm_stat_diff[item], (signed char)(delta * (long)(rest % period)), __ATOMIC_RELAXED);
}

static inline long zone_page_state(const struct zone *zone, enum zone_stat_item item)
{
	long x = atomic_load_explicit(&zone->vm_stat[item], memory_order_relaxed);
	return x < 0 ? 0 : x;
}

static inline void __count_vm_events(struct pf_machine *m, enum vm_event_item item, long delta)
{
	atomic_fetch_add_explicit(&m->vm_events[item], delta, memory_order_relaxed);
}

void refresh_zone_stat_thresholds(struct pf_machine *m);
void refresh_vm_stats(struct pf_machine *m);
long zone_page_state_snapshot(const struct zone *zone, enum zone_stat_item item);
unsigned long global_zone_page_state_snapshot(const struct pf_machine *m, enum zone_stat_item item);
int calculate_normal_threshold(struct zone *zone);
void zone_statistics(struct zone *preferred_zone, struct zone *z, long nr_account);
int pf_vmstat_show(struct pf_machine *m, const char *what, FILE *out);
extern const char *const migratetype_names[MIGRATE_TYPES];
unsigned long global_zone_page_state(struct pf_machine *m, enum zone_stat_item item);
unsigned long global_node_page_state(struct pf_machine *m, enum node_stat_item item);
/* meminfo.c */
long si_mem_available(struct pf_machine *m);
int meminfo_proc_show(struct pf_machine *m, FILE *out);

/* ---- mmzone.c --------------------------------------------------------------- */
void build_all_zonelists(struct pf_machine *m);
struct zonelist *node_zonelist(struct pf_machine *m, int nid, pf_gfp_t flags);

/* ---- machine_desc.c --------------------------------------------------------- */
/* A description's sysctl lines, written once the machine has booted. */
struct pf_desc_sysctl {
	int line;
	char *name;
	char *value;
};
struct pf_desc {
	struct pf_desc_sysctl *sysctl;
	int nr_sysctl;
};
int pf_parse_machine(struct pf_machine *m, struct pf_desc *d, const char *text, char *err, size_t errlen);
void pf_desc_release(struct pf_desc *d);
int pf_parse_size(const char *s, unsigned long long *out, const char **end);

/* ---- sysctl.c ----------------------------------------------------------------- */
/* One vm sysctl of a machine, as struct ctl_table (include/linux/sysctl.h, 6.12). */
struct pf_ctl_table {
	const char *procname;
	int *data;			/* the machine's variable */
	int nr;				/* ints at data: maxlen / sizeof(int) */
	const int *extra1;		/* minimum, or NULL */
	const int *extra2;		/* maximum, or NULL */
	int (*proc_handler)(struct pf_machine *m, const struct pf_ctl_table *table, const char *buffer);
};
int proc_dointvec_minmax(struct pf_machine *m, const struct pf_ctl_table *table, const char *buffer);
int proc_doulongvec_minmax(const char *buffer, unsigned long min, unsigned long *out);
int pf_sysctl_write(struct pf_machine *m, const char *name, const char *value);
int pf_sysctl_check(const char *name, const char *value);

/* ---- mm_init.c -------------------------------------------------------------- */
int pf_free_area_init(struct pf_machine *m, char *err, size_t errlen);
void __init_single_page(struct pf_machine *m, struct pf_page *page, int zone, int nid);
void memblock_free_all(struct pf_machine *m);
unsigned long nr_free_buffer_pages(struct pf_machine *m);
bool pfn_valid(struct pf_machine *m, unsigned long pfn);

/* ---- deferred_init.c ---------------------------------------------------------- */
int deferred_init_reserve(struct pf_machine *m, char *err, size_t errlen);
void deferred_mark_range(struct pf_machine *m, unsigned long start_pfn, unsigned long end_pfn);
unsigned long deferred_run_end(const struct pf_machine *m, unsigned long pfn, unsigned long end_pfn);
unsigned long deferred_count(const struct pf_machine *m, unsigned long start_pfn, unsigned long end_pfn);
void deferred_boot_free(struct pf_machine *m, unsigned long start_pfn, unsigned long end_pfn);
void deferred_refill(struct zone *zone, struct pf_page *leaving);
void deferred_init_range(struct pf_machine *m, unsigned long start_pfn, unsigned long end_pfn);
void deferred_init_all(struct pf_machine *m);
void deferred_page_image(struct pf_machine *m, unsigned long pfn, struct pf_page *out);
struct zone *deferred_pfn_zone(struct pf_machine *m, unsigned long pfn);
/* the migratetype of @pfn's pageblock, from the usemap alone (the page may be unwritten) */
static inline int usemap_mt(const struct pf_machine *m, unsigned long pfn)
{
	unsigned long idx = (pfn >> pageblock_order) * NR_PAGEBLOCK_BITS;
	unsigned long w = __atomic_load_n(&m->pageblock_flags[idx / 64], __ATOMIC_RELAXED);
	return (int)((w >> (idx & 63)) & MIGRATETYPE_MASK);
}
/* is @pfn (below memmap_pfns) in a block whose struct pages are not written yet? */
static inline bool deferred_pfn(const struct pf_machine *m, unsigned long pfn)
{
	if (likely(!__atomic_load_n(&m->nr_deferred_blocks, __ATOMIC_ACQUIRE)))
		return false;
	unsigned long b = pfn >> MAX_PAGE_ORDER;
	return (__atomic_load_n(&m->deferred_map[b / (8 * sizeof(unsigned long))], __ATOMIC_ACQUIRE) >>
		(b % (8 * sizeof(unsigned long)))) & 1;
}

/* ---- page_alloc.c ----------------------------------------------------------- */
int get_pfnblock_migratetype(const struct pf_page *page, unsigned long pfn);
static inline int get_pageblock_migratetype(const struct pf_page *page)
{
	return get_pfnblock_migratetype(page, page_to_pfn(page));
}
void set_pageblock_migratetype(struct pf_page *page, int migratetype);
void set_pfnblock_migratetype(struct pf_machine *m, unsigned long pfn, int migratetype);
void set_pfnblock_migratetype_range(struct pf_machine *m, unsigned long start_pfn, unsigned long end_pfn, int migratetype);
void init_per_zone_wmark_min(struct pf_machine *m);
void setup_per_zone_wmarks(struct pf_machine *m);
void setup_per_zone_lowmem_reserve(struct pf_machine *m);
void calculate_min_free_kbytes(struct pf_machine *m);
int min_free_kbytes_sysctl_handler(struct pf_machine *m, const struct pf_ctl_table *table, const char *buffer);
int watermark_scale_factor_sysctl_handler(struct pf_machine *m, const struct pf_ctl_table *table, const char *buffer);
int lowmem_reserve_ratio_sysctl_handler(struct pf_machine *m, const struct pf_ctl_table *table, const char *buffer);
int percpu_pagelist_high_fraction_sysctl_handler(struct pf_machine *m, const struct pf_ctl_table *table,
						  const char *buffer);
void set_recommended_min_free_kbytes(struct pf_machine *m);
void zone_pcp_init(struct zone *zone);
void setup_zone_pageset(struct zone *zone);
void zone_pcp_update(struct zone *zone, int cpu_online);
int zone_batchsize(struct zone *zone);
void __free_pages_core(struct pf_page *page, unsigned int order);
struct pf_page *__alloc_pages(struct pf_machine *m, pf_gfp_t gfp, unsigned int order,
			      int preferred_nid, nodemask_t *nodemask);
void __free_pages(struct pf_page *page, unsigned int order);
void put_page(struct pf_page *page);
void get_page(struct pf_page *page);
/* put_page_refs: drop @nr references of a holder that does not own the block (migration) */
void put_page_refs(struct pf_page *page, int nr);
int gfp_zone(pf_gfp_t flags);
unsigned long alloc_pages_bulk(struct pf_machine *m, pf_gfp_t gfp, int preferred_nid, nodemask_t *nodemask,
			       int nr_pages, struct list_head *page_list, struct pf_page **page_array);
/* order 0 through the fast path, which falls back to __alloc_pages itself */
struct pf_page *__alloc_pages_fastpath(struct pf_machine *m, pf_gfp_t gfp, int nid);
/* The CPU a thread bound itself to with pf_bind_cpu, or -1. */
extern _Thread_local int pf_bound_cpu __attribute__((tls_model("initial-exec")));
/* smp_processor_id for a machine: the bound CPU or the one we run on, folded. */
static inline __attribute__((always_inline)) int pf_this_cpu(struct pf_machine *m)
{
	int cpu = pf_bound_cpu >= 0 ? pf_bound_cpu : pf_os_current_cpu();
	return likely(cpu < m->nr_cpus) ? cpu : cpu % m->nr_cpus;
}
/* pf_this_cpu without a call: -1 when the caller must use pf_this_cpu (platform.h). */
static inline __attribute__((always_inline)) int pf_this_cpu_nocall(struct pf_machine *m)
{
	int cpu = pf_bound_cpu >= 0 ? pf_bound_cpu : pf_os_current_cpu_nocall();
	if (unlikely(cpu >= m->nr_cpus))
		cpu %= m->nr_cpus;
	return cpu;
}
/*
 * The fast-path switch.  pf_alloc_pages / pf_free_pages take their fast
 * paths (page_alloc.c) only while m->fast_off is zero; pf_fast_update sets
 * one bit per feature that needs the general path.
 *
 * THE RULE: every new hook on page preparation or freeing (poisoning,
 * page_owner, free page reporting, memcg charging, debug_pagealloc, ...)
 * gets its own FAST_OFF_* bit here, set by pf_fast_update while the hook is
 * on.  A hook on freeing goes into free_pages_prepare under
 * `!(fpi_flags & FPI_HOOKS_OFF)` (the free fast path runs that same body,
 * passing FPI_HOOKS_OFF because it runs only with every bit clear).  A hook
 * on allocation goes into post_alloc_hook, which only the general path
 * runs (the allocation fast path preps with alloc_fast_prep and is never
 * taken while a bit is set).  A hook that is off then costs the fast paths
 * nothing, and test_fastpath_diff compares both paths with it on.
 */
#define FAST_OFF_TRACE		(1u << 0)	/* a trace callback is set: events go through the general path */
#define FAST_OFF_FAIL		(1u << 1)	/* fail_page_alloc has a probability */
#define FAST_OFF_INIT		(1u << 2)	/* init_on_alloc or init_on_free */
#define FAST_OFF_FORCED		(1u << 3)	/* pf_fast_force_off: tests run everything through the general path */
#define FAST_OFF_MEMCG		(1u << 4)	/* a memcg exists: __GFP_ACCOUNT requests charge in __alloc_pages (alloc_fast_off) */
#define FAST_OFF_PLACEMENT	(1u << 5)	/* a thread has a cpuset or mempolicy here: it goes to the general path (cpuset.c) */
#define FAST_OFF_POISON		(1u << 6)	/* page_poison=1 */
#define FAST_OFF_DEBUG_PAGEALLOC (1u << 7)	/* debug_pagealloc=on */
#define FAST_OFF_SANITIZE	(1u << 8)	/* Valgrind memcheck client requests (ASan builds: compiled into the fast paths) */
#define FAST_OFF_OWNER		(1u << 9)	/* page_owner=on: set_page_owner / reset_page_owner on every block */
#define FAST_GFP_MASK		0x1fu		/* __GFP_DMA|HIGHMEM|DMA32|MOVABLE|RECLAIMABLE */
void pf_fast_update(struct pf_machine *m);
void pf_fast_force_off(struct pf_machine *m, bool off);
void build_fast_gfp_table(struct pf_machine *m);
/* numa_mem_id: the node of this (possibly bound) CPU. */
static inline int numa_mem_id(struct pf_machine *m)
{
	return m->cpu_to_node[pf_this_cpu(m)];
}
void pf_free_pages_checked(struct pf_page *page, unsigned order);
struct pf_machine *pf_page_checked(const struct pf_page *page, const char *caller);	/* memory_model.c */
void drain_local_pages(struct pf_machine *m, struct zone *zone);
void drain_all_pages(struct pf_machine *m, struct zone *zone);
bool decay_pcp_high(struct zone *zone, struct per_cpu_pages *pcp);
bool pcp_expire_step(struct zone *zone, int cpu, bool folded);	/* page_alloc.c: the vmstat step's remote drain */
void pcp_spin_lock(struct zone *zone, struct per_cpu_pages *pcp);
/*
 * pcp_spin_unlock - release a pageset however pcp_spin_trylock or
 * pcp_spin_lock took it (page_alloc.c): a remote holder also lets local
 * takers in again.  Inline: every fast path ends with it.
 */
static inline __attribute__((always_inline)) void pcp_spin_unlock(struct per_cpu_pages *pcp)
{
	if (unlikely(pcp->remote_held)) {
		pcp->remote_held = 0;
		pf_spin_unlock(&pcp->lock);
		__atomic_store_n(&pcp->remote_pending, 0, __ATOMIC_RELEASE);
		pf_spin_unlock(&pcp->remote_lock);
		return;
	}
	pf_spin_unlock(&pcp->lock);
}
int gfp_migratetype(pf_gfp_t flags);
/*
 * alloc_migratetype - the migratetype a request of @m gets: 6.12's
 * gfp_migratetype, which answers unmovable for every request while
 * grouping by mobility is off.  gfp_migratetype stays the check for
 * contradictory bits.
 */
static inline int alloc_migratetype(const struct pf_machine *m, pf_gfp_t flags)
{
	if (unlikely(m->page_group_by_mobility_disabled))
		return MIGRATE_UNMOVABLE;
	return gfp_migratetype(flags);
}
static inline unsigned int buddy_order(const struct pf_page *page)
{
	return (unsigned int)page_private(page);
}

/* ---- memcontrol.c (the rest is in memcontrol.h) ---------------------------------- */
/*
 * memcg_kmem_online (6.12's static key): a memcg other than the root was
 * created on the machine; from then on FAST_OFF_MEMCG sends __GFP_ACCOUNT
 * requests off the fast paths and __alloc_pages charges them (the others
 * keep the fast paths: alloc_fast_off).
 */
static inline bool memcg_kmem_online(struct pf_machine *m)
{
	return __atomic_load_n(&m->memcg_kmem_online_key, __ATOMIC_RELAXED);
}
/* page->memcg_data's low bits (enum page_memcg_data_flags, 6.12) */
#define MEMCG_DATA_OBJEXTS	(1UL << 0)
#define MEMCG_DATA_KMEM		(1UL << 1)
#define MEMCG_DATA_FLAGS_MASK	(MEMCG_DATA_OBJEXTS | MEMCG_DATA_KMEM)
/* PageMemcgKmem (6.12): memcg_data holds an obj_cgroup, charged as kmem */
static inline bool PageMemcgKmem(const struct pf_page *page)
{
	return (page->memcg_data & MEMCG_DATA_KMEM) != 0;
}
int __memcg_kmem_charge_page(struct pf_page *page, pf_gfp_t gfp, int order);
void __memcg_kmem_uncharge_page(struct pf_page *page, int order);
void memcg_kmem_uncharge_split(struct pf_page *page, int order);
void mem_cgroup_machine_exit(struct pf_machine *m);

/* ---- debug_page.c ------------------------------------------------------------ */
void bad_page(struct pf_page *page, const char *reason);
void dump_page(struct pf_page *page, const char *reason);
void format_page_flags(unsigned long flags, char *buf, size_t len);	/* %pGp */
int pf_check_machine(struct pf_machine *m, char *err, size_t errlen);

/* ---- page_ext.c, page_owner.c, stackdepot.c, proc_page.c ---------------------------- */
int page_ext_init(struct pf_machine *m, char *err, size_t errlen);
void page_ext_release(struct pf_machine *m);
/* page_owner.c: the record of each block's allocation and free (mm/page_owner.c, 6.12) */
int early_page_owner_param(struct pf_machine *m, const char *value);
void page_owner_release(struct pf_machine *m);
void __set_page_owner(struct pf_page *page, unsigned short order, pf_gfp_t gfp_mask);
void __reset_page_owner(struct pf_page *page, unsigned short order);
void __split_page_owner(struct pf_page *page, int old_order, int new_order);
void __folio_copy_owner(struct pf_page *newpage, struct pf_page *old, unsigned int order);
void __set_page_owner_migrate_reason(struct pf_page *page, int reason);
void __dump_page_owner(const struct pf_page *page);
int page_owner_show(struct pf_machine *m, const char *what, FILE *out);
void pagetypeinfo_showmixedcount(struct pf_machine *m, FILE *out, pg_data_t *pgdat);
/* the kernel's static-key wrappers (include/linux/page_owner.h): nothing unless page_owner is on */
static inline void set_page_owner(struct pf_machine *m, struct pf_page *page, unsigned int order, pf_gfp_t gfp)
{
	if (unlikely(m->page_owner_enabled))
		__set_page_owner(page, (unsigned short)order, gfp);
}
static inline void reset_page_owner(struct pf_machine *m, struct pf_page *page, unsigned int order)
{
	if (unlikely(m->page_owner_enabled))
		__reset_page_owner(page, (unsigned short)order);
}
static inline void split_page_owner(struct pf_machine *m, struct pf_page *page, int old_order, int new_order)
{
	if (unlikely(m->page_owner_enabled))
		__split_page_owner(page, old_order, new_order);
}
static inline void folio_copy_owner(struct pf_machine *m, struct pf_page *newpage, struct pf_page *old,
				    unsigned int order)
{
	if (unlikely(m->page_owner_enabled))
		__folio_copy_owner(newpage, old, order);
}
static inline void set_page_owner_migrate_reason(struct pf_machine *m, struct pf_page *page, int reason)
{
	if (unlikely(m->page_owner_enabled))
		__set_page_owner_migrate_reason(page, reason);
}
static inline void dump_page_owner(struct pf_machine *m, const struct pf_page *page)
{
	if (unlikely(m->page_owner_enabled))
		__dump_page_owner(page);
}
/*
 * page_peek: a copy of a page another thread may be changing, for the
 * lock-free readers of page_owner.c and proc_page.c (the kernel's readers
 * are as racy): word by word, volatile, outside ThreadSanitizer's view.
 * The copy's fields are then tested with the usual helpers.
 */
static inline __data_race void page_peek(const struct pf_page *page, struct pf_page *copy)
{
	const volatile unsigned long *src = (const volatile unsigned long *)page;
	unsigned long words[sizeof(*page) / sizeof(unsigned long)];

	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		words[i] = src[i];
	memcpy(copy, words, sizeof words);	/* not through an unsigned long lvalue: the fields have other types */
}
/* proc_page.c: /proc/kpageflags and /proc/kpagecount (fs/proc/page.c, 6.12) */
int proc_page_show(struct pf_machine *m, const char *what, FILE *out);

/* ---- fail_page_alloc.c ----------------------------------------------------------- */
void fail_page_alloc_init(struct fail_page_alloc_attr *f);
bool should_fail_alloc_page(struct pf_machine *m, pf_gfp_t gfp_mask, unsigned int order);
int fail_page_alloc_show(struct pf_machine *m, FILE *out);

/* ---- trace.c ------------------------------------------------------------------ */
enum pf_trace_event {
	TRACE_MM_PAGE_ALLOC,
	TRACE_MM_PAGE_FREE,
	TRACE_MM_PAGE_ALLOC_ZONE_LOCKED,
	TRACE_MM_PAGE_ALLOC_EXTFRAG,
	TRACE_MM_PAGE_PCPU_DRAIN,
	/* compaction (include/trace/events/compaction.h) and migration (migrate.h) */
	TRACE_MM_COMPACTION_ISOLATE_MIGRATEPAGES,
	TRACE_MM_COMPACTION_ISOLATE_FREEPAGES,
	TRACE_MM_COMPACTION_FAST_ISOLATE_FREEPAGES,
	TRACE_MM_COMPACTION_MIGRATEPAGES,
	TRACE_MM_COMPACTION_BEGIN,
	TRACE_MM_COMPACTION_END,
	TRACE_MM_COMPACTION_TRY_TO_COMPACT_PAGES,
	TRACE_MM_COMPACTION_FINISHED,
	TRACE_MM_COMPACTION_SUITABLE,
	TRACE_MM_COMPACTION_DEFERRED,
	TRACE_MM_COMPACTION_DEFER_COMPACTION,
	TRACE_MM_COMPACTION_DEFER_RESET,
	TRACE_MM_COMPACTION_KCOMPACTD_SLEEP,
	TRACE_MM_COMPACTION_WAKEUP_KCOMPACTD,
	TRACE_MM_COMPACTION_KCOMPACTD_WAKE,
	TRACE_MM_MIGRATE_PAGES,
	/* shrinkers (include/trace/events/vmscan.h) and the OOM killer (oom.h) */
	TRACE_MM_SHRINK_SLAB_START,
	TRACE_MM_SHRINK_SLAB_END,
	TRACE_MARK_VICTIM,
	TRACE_OOM_SCORE_ADJ_UPDATE,
	TRACE_RECLAIM_RETRY_ZONE,
	TRACE_WAKE_REAPER,
	TRACE_START_TASK_REAPING,
	TRACE_FINISH_TASK_REAPING,
	/* reclaim (include/trace/events/vmscan.h) */
	TRACE_MM_VMSCAN_KSWAPD_SLEEP,
	TRACE_MM_VMSCAN_KSWAPD_WAKE,
	TRACE_MM_VMSCAN_WAKEUP_KSWAPD,
	TRACE_MM_VMSCAN_DIRECT_RECLAIM_BEGIN,
	TRACE_MM_VMSCAN_DIRECT_RECLAIM_END,
	TRACE_MM_VMSCAN_LRU_ISOLATE,
	TRACE_MM_VMSCAN_LRU_SHRINK_INACTIVE,
	TRACE_MM_VMSCAN_LRU_SHRINK_ACTIVE,
	/* release_pages' batch (kmem.h) */
	TRACE_MM_PAGE_FREE_BATCHED,
	TRACE_NR_EVENTS
};
_Static_assert(TRACE_NR_EVENTS <= 64, "trace_mask has a bit per event");

static inline bool trace_enabled(struct pf_machine *m, enum pf_trace_event ev)
{
	return unlikely(m->trace != NULL) && (m->trace_mask & (1ULL << ev));
}

void pf_trace_mm_page_alloc(struct pf_machine *m, struct pf_page *page, unsigned int order, pf_gfp_t gfp,
			    int migratetype);
void __trace_mm_page_free(struct pf_page *page, unsigned int order);
void __trace_mm_page_free_batched(struct pf_page *page);
void __trace_mm_page_alloc_zone_locked(struct pf_page *page, unsigned int order, int migratetype, int percpu_refill);
void __trace_mm_page_alloc_extfrag(struct pf_page *page, unsigned int alloc_order, int fallback_order,
				   int alloc_migratetype, int fallback_migratetype);
void __trace_mm_page_pcpu_drain(struct pf_page *page, unsigned int order, int migratetype);
int pf_format_gfp_flags(pf_gfp_t gfp, char *buf, size_t len);
/* compaction and migration events; callers test trace_enabled first */
struct compact_control;
void __trace_mm_compaction_isolate(struct pf_machine *m, enum pf_trace_event ev, unsigned long start_pfn,
				   unsigned long end_pfn, unsigned long nr_scanned, unsigned long nr_taken);
void __trace_mm_compaction_migratepages(struct pf_machine *m, unsigned int nr_migratepages,
					unsigned int nr_succeeded);
void __trace_mm_compaction_begin_end(struct compact_control *cc, enum pf_trace_event ev, unsigned long zone_start,
				     unsigned long zone_end, bool sync, int status);
void __trace_mm_compaction_try_to_compact_pages(struct pf_machine *m, int order, pf_gfp_t gfp_mask, int prio);
void __trace_mm_compaction_suitable(struct zone *zone, enum pf_trace_event ev, int order, int ret);
void __trace_mm_compaction_defer(struct zone *zone, enum pf_trace_event ev, int order);
void __trace_mm_compaction_kcompactd(struct pf_machine *m, enum pf_trace_event ev, int nid, int order,
				     int highest_zoneidx);
void __trace_mm_migrate_pages(struct pf_machine *m, unsigned long succeeded, unsigned long failed,
			      unsigned long thp_succeeded, unsigned long thp_failed, unsigned long thp_split,
			      unsigned long large_folio_split, int mode, int reason);

/* ---- shrinker.c, oom_kill.c ----------------------------------------------------- */
struct mem_cgroup;
struct pf_ctl_table;
/*
 * shrink_slab (mm/shrinker.c, 6.12): ask every shrinker of @m for objects
 * at @priority (DEF_PRIORITY 12 gentle .. 0 everything) on behalf of
 * node @nid.  @memcg NULL or the root: every shrinker; another memcg gets
 * only the memcg-aware shrinkers whose bit is set in its map for @nid
 * (shrink_slab_memcg).  Called with no lock held; the callbacks may
 * allocate.  Return: objects freed.
 */
unsigned long shrink_slab(struct pf_machine *m, pf_gfp_t gfp_mask, int nid, struct mem_cgroup *memcg, int priority);
/* drop_slab (mm/vmscan.c, 6.12): shrink_slab at priority 0 on every node until it stops paying */
void drop_slab(struct pf_machine *m);
void shrinker_init(struct pf_machine *m);
void shrinker_release(struct pf_machine *m);
/* reparent_shrinker_deferred (mm/shrinker.c, 6.12): a memcg going offline hands its marks and deferred work up */
void reparent_shrinker_deferred(struct mem_cgroup *memcg);
int drop_caches_sysctl_handler(struct pf_machine *m, const struct pf_ctl_table *table, const char *buffer);
/*
 * out_of_memory (mm/oom_kill.c, 6.12), with struct oom_control in oom.h:
 * the caller holds m->oom_lock (the slow path takes it with a trylock).
 */
struct oom_control;
bool out_of_memory(struct oom_control *oc);
void oom_init(struct pf_machine *m);
void oom_release(struct pf_machine *m);
/*
 * __show_mem (mm/show_mem.c, 6.12): the "Mem-Info:" block through the
 * report hook, for the nodes of @nodemask (or of the thread's cpuset when
 * NULL) if @filter has SHOW_MEM_FILTER_NODES, zones up to @max_zone_idx.
 */
#define SHOW_MEM_FILTER_NODES	0x0001u
void __show_mem(struct pf_machine *m, unsigned int filter, nodemask_t *nodemask, int max_zone_idx);

/* shrinker and OOM events; callers test trace_enabled first */
struct pf_shrinker;
struct pf_shrink_control;
void __trace_mm_shrink_slab_start(struct pf_shrinker *s, struct pf_shrink_control *sc, long nr_objects_to_shrink,
				  long cache_items, unsigned long long delta, long total_scan, int priority);
void __trace_mm_shrink_slab_end(struct pf_shrinker *s, int nid, int shrinker_retval, long unused_scan_cnt,
				long new_scan_cnt, long total_scan);
void __trace_mark_victim(struct pf_machine *m, int pid, const char *comm, unsigned long total_vm_kb,
			 unsigned long anon_rss_kb, unsigned long file_rss_kb, unsigned long shmem_rss_kb, unsigned uid,
			 unsigned long pgtables_kb, short oom_score_adj);
/* oom_score_adj_update; wake_reaper, start_task_reaping, finish_task_reaping (@ev, the pid only) */
void __trace_oom_score_adj_update(struct pf_machine *m, int pid, const char *comm, short oom_score_adj);
void __trace_oom_reaper(struct pf_machine *m, enum pf_trace_event ev, int pid);
/* reclaim_retry_zone: should_reclaim_retry's verdict on one zone (the slow path, page_alloc.c) */
void __trace_reclaim_retry_zone(struct zone *zone, int order, unsigned long reclaimable, unsigned long available,
				unsigned long min_wmark, int no_progress_loops, bool wmark_check);
/* reclaim events (vmscan.c); callers test trace_enabled first */
void __trace_mm_vmscan_kswapd_sleep(struct pf_machine *m, int nid);
void __trace_mm_vmscan_kswapd_wake(struct pf_machine *m, int nid, int zid, int order);
void __trace_mm_vmscan_wakeup_kswapd(struct pf_machine *m, int nid, int zid, int order, pf_gfp_t gfp_flags);
void __trace_mm_vmscan_direct_reclaim_begin(struct pf_machine *m, int order, pf_gfp_t gfp_flags);
void __trace_mm_vmscan_direct_reclaim_end(struct pf_machine *m, unsigned long nr_reclaimed);
void __trace_mm_vmscan_lru_isolate(struct pf_machine *m, int highest_zoneidx, int order, unsigned long nr_requested,
				   unsigned long nr_scanned, unsigned long nr_skipped, unsigned long nr_taken, int lru);
void __trace_mm_vmscan_lru_shrink_inactive(struct pf_machine *m, int nid, unsigned long nr_scanned,
					   unsigned long nr_reclaimed, unsigned long nr_dirty, unsigned long nr_writeback,
					   unsigned long nr_congested, unsigned long nr_immediate,
					   unsigned int nr_activate0, unsigned int nr_activate1, unsigned long nr_ref_keep,
					   unsigned long nr_unmap_fail, int priority, int file);
void __trace_mm_vmscan_lru_shrink_active(struct pf_machine *m, int nid, unsigned long nr_taken,
					 unsigned long nr_active, unsigned long nr_deactivated,
					 unsigned long nr_referenced, int priority, int file);

/* ---- cpuset.c, mempolicy.c, page-writeback.c (page_writeback.c) ---------------- */
/* cpusets and policies: cpuset.h and mempolicy.h; the dirty limits: */
unsigned long node_dirtyable_memory(pg_data_t *pgdat);
unsigned long global_dirtyable_memory(struct pf_machine *m);
void global_dirty_limits(struct pf_machine *m, unsigned long *pbackground, unsigned long *pdirty);
unsigned long node_dirty_limit(pg_data_t *pgdat);
bool node_dirty_ok(pg_data_t *pgdat);
int dirty_background_ratio_handler(struct pf_machine *m, const struct pf_ctl_table *table, const char *buffer);
int dirty_ratio_handler(struct pf_machine *m, const struct pf_ctl_table *table, const char *buffer);
int dirty_background_bytes_handler(struct pf_machine *m, const struct pf_ctl_table *table, const char *buffer);
int dirty_bytes_handler(struct pf_machine *m, const struct pf_ctl_table *table, const char *buffer);
void placement_init(struct pf_machine *m);	/* cpuset.c: machine creation */
void placement_machine_exit(struct pf_machine *m);	/* cpuset.c: machine destruction, first thing */
bool placement_fast_off(struct pf_machine *m);	/* cpuset.c: FAST_OFF_PLACEMENT */

/* ---- compaction, isolation, contiguous ranges (Linux 6.12 mm/internal.h) ------ */
/*
 * struct compact_control - one compaction run (or the scanning half of an
 * alloc_contig_range) over one zone: the migrate scanner walks up from the
 * zone's start isolating movable pages, the free scanner walks down from
 * its end isolating free blocks to move them into (compaction.c).
 */
enum migrate_mode;
struct compact_control {
	struct list_head freepages[NR_PAGE_ORDERS];	/* isolated free blocks, by order */
	struct list_head migratepages;	/* isolated movable pages, linked by lru */
	unsigned int nr_freepages;
	unsigned int nr_migratepages;
	unsigned long free_pfn;		/* where the free scanner goes on from */
	unsigned long migrate_pfn;	/* where the migrate scanner goes on from */
	unsigned long fast_start_pfn;	/* where a linear migrate scan starts after a fast search */
	struct zone *zone;
	unsigned long total_migrate_scanned;
	unsigned long total_free_scanned;
	unsigned short fast_search_fail;
	short search_order;
	pf_gfp_t gfp_mask;		/* a direct compactor's request */
	int order;
	int migratetype;
	unsigned int alloc_flags;
	int highest_zoneidx;
	int mode;			/* enum migrate_mode (migrate.h) */
	bool ignore_skip_hint;
	bool no_set_skip_hint;
	bool ignore_block_suitable;
	bool direct_compaction;
	bool proactive_compaction;
	bool whole_zone;
	bool contended;
	bool finish_pageblock;
	bool alloc_contig;
};

/*
 * struct capture_control (mm/internal.h, 6.12): a direct compactor's claim
 * on the block it is making.  While it is set in the compacting thread's
 * task, a free of that zone which merges up to cc->order hands the block
 * to the compactor (page) instead of the free lists.
 */
struct capture_control {
	struct compact_control *cc;
	struct pf_page *page;
};

/* compaction.c: the scanners alloc_contig_range uses too */
unsigned long isolate_freepages_range(struct compact_control *cc, unsigned long start_pfn, unsigned long end_pfn);
int isolate_migratepages_range(struct compact_control *cc, unsigned long low_pfn, unsigned long end_pfn);

/* compaction.c: the rest (include/linux/compaction.h, 6.12) */
enum compact_priority {
	COMPACT_PRIO_SYNC_FULL,
	MIN_COMPACT_PRIORITY = COMPACT_PRIO_SYNC_FULL,
	COMPACT_PRIO_SYNC_LIGHT,
	MIN_COMPACT_COSTLY_PRIORITY = COMPACT_PRIO_SYNC_LIGHT,
	DEF_COMPACT_PRIORITY = COMPACT_PRIO_SYNC_LIGHT,
	COMPACT_PRIO_ASYNC,
	INIT_COMPACT_PRIORITY = COMPACT_PRIO_ASYNC
};
/* compact_result: ordered as the kernel's, callers take the max of several */
enum compact_result {
	COMPACT_NOT_SUITABLE_ZONE,	/* trace only: the fragmentation index said no */
	COMPACT_SKIPPED,		/* not started: too few free pages */
	COMPACT_DEFERRED,		/* not started: recent failures */
	COMPACT_NO_SUITABLE_PAGE,	/* trace only */
	COMPACT_CONTINUE,		/* go on with the next pageblock */
	COMPACT_COMPLETE,		/* the whole zone was scanned, no luck */
	COMPACT_PARTIAL_SKIPPED,	/* part of the zone was scanned, no luck */
	COMPACT_CONTENDED,		/* stopped early (lock, failed migration target) */
	COMPACT_SUCCESS,		/* the allocation should now succeed */
};
#define COMPACT_CLUSTER_MAX	32	/* SWAP_CLUSTER_MAX */
#define COMPACT_MAX_DEFER_SHIFT	6
#define HPAGE_FRAG_CHECK_INTERVAL_MSEC	500
/* compact_gap (compaction.h): free pages compaction wants beyond the watermark for @order */
static inline unsigned long compact_gap(unsigned int order)
{
	return 2UL << order;
}
void defer_compaction(struct zone *zone, int order);
bool compaction_deferred(struct zone *zone, int order);
void compaction_defer_reset(struct zone *zone, int order, bool alloc_success);
bool compaction_restarting(struct zone *zone, int order);
void reset_isolation_suitable(pg_data_t *pgdat);
bool compaction_suitable(struct zone *zone, int order, int highest_zoneidx);
bool __compaction_suitable(struct zone *zone, int order, int highest_zoneidx, unsigned long wmark_target);
enum compact_result compact_zone(struct compact_control *cc, struct capture_control *capc);
/* gfp_compaction_allowed (include/linux/gfp.h, 6.12): compaction may do I/O-free migration only with __GFP_IO */
static inline bool gfp_compaction_allowed(pf_gfp_t gfp_mask)
{
	return gfp_mask & PF___GFP_IO;
}
bool compaction_zonelist_suitable(struct alloc_context *ac, int order, unsigned int alloc_flags);
enum compact_result try_to_compact_pages(struct pf_machine *m, pf_gfp_t gfp_mask, unsigned int order,
					 unsigned int alloc_flags, const struct alloc_context *ac,
					 enum compact_priority prio, struct pf_page **capture);
int compact_node(pg_data_t *pgdat, bool proactive);
int compact_nodes(struct pf_machine *m);
unsigned int fragmentation_score_zone(struct zone *zone);
unsigned int fragmentation_score_node(pg_data_t *pgdat);
unsigned int fragmentation_score_wmark(struct pf_machine *m, bool low);
bool should_proactive_compact_node(pg_data_t *pgdat);
void wakeup_kcompactd(pg_data_t *pgdat, int order, int highest_zoneidx);
void kcompactd_init(struct pf_machine *m);
int sysctl_compaction_handler(struct pf_machine *m, const struct pf_ctl_table *table, const char *buffer);
int compaction_proactiveness_sysctl_handler(struct pf_machine *m, const struct pf_ctl_table *table,
					    const char *buffer);

/* vmstat.c: the indices compaction decides by */
int fragmentation_index(struct zone *zone, unsigned int order);
unsigned int extfrag_for_order(struct zone *zone, unsigned int order);

/* page_alloc.c: the pageblock skip hint (PB_migrate_skip) */
bool get_pageblock_skip(const struct pf_page *page);
void set_pageblock_skip(struct pf_page *page);
void clear_pageblock_skip(struct pf_page *page);
/* page_alloc.c: watermark and fallback tests compaction repeats */
bool __zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark, int highest_zoneidx,
			 unsigned int alloc_flags, long free_pages);
bool zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark, int highest_zoneidx,
		       unsigned int alloc_flags);
int find_suitable_fallback(struct pf_machine *m, struct free_area *area, unsigned int order, int migratetype,
			   bool only_stealable, bool *can_steal);

/* page_alloc.c: taking a free block off the buddy lists for compaction or isolation */
int __isolate_free_page(struct pf_page *page, unsigned int order);
/* an isolated free block becomes an allocated one (compound with __GFP_COMP), and back */
void mark_allocated(struct pf_page *page, unsigned int order, pf_gfp_t gfp_flags);
bool free_pages_prepare_isolated(struct pf_page *page, unsigned int order);
struct pf_page *__alloc_pages_direct_compact(struct pf_machine *m, pf_gfp_t gfp_mask, unsigned int order,
					     unsigned int alloc_flags, const struct alloc_context *ac,
					     enum compact_priority prio, enum compact_result *compact_result);
void __putback_isolated_page(struct pf_page *page, unsigned int order, int mt);
int move_freepages_block_isolate(struct zone *zone, struct pf_page *page, int migratetype);

/* page_isolation.c */
int start_isolate_page_range(struct pf_machine *m, unsigned long start_pfn, unsigned long end_pfn,
			     int migratetype, int flags, pf_gfp_t gfp_flags);
void undo_isolate_page_range(struct pf_machine *m, unsigned long start_pfn, unsigned long end_pfn, int migratetype);
int test_pages_isolated(struct pf_machine *m, unsigned long start_pfn, unsigned long end_pfn, int isol_flags);

/*
 * page_zone_peek: page_zone of a page another thread may be changing: its
 * node and zone bits never change after boot, the flags word around them
 * does, so the read is a data_race() peek.
 */
static inline __data_race struct zone *page_zone_peek(struct pf_machine *m, const struct pf_page *page)
{
	return m->zone_of_id[(page->flags >> PF_ZONES_PGSHIFT) & ((MAX_NUMNODES << PF_ZONES_WIDTH) - 1)];
}

/* page_alloc.c: contiguous ranges (CONFIG_CONTIG_ALLOC, 6.12) */
int alloc_contig_range(struct pf_machine *m, unsigned long start, unsigned long end, int migratetype,
		       pf_gfp_t gfp_mask);
bool free_contig_range(struct pf_machine *m, unsigned long pfn, unsigned long nr_pages);
void init_cma_reserved_pageblock(struct pf_page *page);

/* cma.c */
int cma_parse(struct pf_machine *m, const char *arg, int line, char *err, size_t errlen);
int dma_contiguous_reserve(struct pf_machine *m, char *err, size_t errlen);
int cma_init_reserved_areas(struct pf_machine *m, char *err, size_t errlen);
void cma_release_areas(struct pf_machine *m);
bool cma_range_allocated(struct pf_machine *m, unsigned long pfn, unsigned long nr);

/* backing.c: the memory behind the pages (the description's backing line) */
int backing_parse(struct pf_machine *m, const char *s, int line, char *why, size_t len);
int backing_map(struct pf_machine *m, char *err, size_t errlen);
void backing_release(struct pf_machine *m);
/* page_reporting.c (the rest in page_reporting.h) */
int page_reporting_parse(struct pf_machine *m, const char *s, int line, char *why, size_t len);
void page_reporting_early_init(struct pf_machine *m);
int page_reporting_init(struct pf_machine *m, char *err, size_t errlen);
int page_reporting_order_sysctl_handler(struct pf_machine *m, const struct pf_ctl_table *table, const char *buffer);
/* ---- page_poison.c, debug_page_alloc.c, kasan.c: catching misuse of pages ------------ */
/*
 * The hooks free_pages_prepare and post_alloc_hook run, in the kernel's
 * order.  At free: kernel_poison_pages, then init_on_free's zeroing, then
 * kasan_poison_pages, then debug_pagealloc_unmap_pages.  At allocation:
 * debug_pagealloc_map_pages, kasan_unpoison_pages, kernel_unpoison_pages
 * (the poison check), then init_on_alloc / __GFP_ZERO.  Only hosted
 * memory (m->base) has contents to poison, protect or sanitize.
 */
#define PAGE_POISON 0xaa	/* include/linux/poison.h */

void __kernel_poison_pages(struct pf_machine *m, struct pf_page *page, int n);
void __kernel_unpoison_pages(struct pf_machine *m, struct pf_page *page, int n);
int mem_debugging_and_hardening_init(struct pf_machine *m, char *err, size_t errlen);
int page_poison_param(struct pf_machine *m, const char *name, const char *val, char *err, size_t errlen);
/* kernel_init_pages (6.12): zero the block's memory */
void kernel_init_pages(struct pf_machine *m, struct pf_page *page, int n);

static inline void kernel_poison_pages(struct pf_machine *m, struct pf_page *page, int n)
{
	if (unlikely(m->page_poisoning))
		__kernel_poison_pages(m, page, n);
}
static inline void kernel_unpoison_pages(struct pf_machine *m, struct pf_page *page, int n)
{
	if (unlikely(m->page_poisoning))
		__kernel_unpoison_pages(m, page, n);
}
/* want_init_on_alloc / want_init_on_free (include/linux/mm.h, 6.12) */
static inline bool want_init_on_alloc(const struct pf_machine *m, pf_gfp_t flags)
{
	return m->init_on_alloc || (flags & PF___GFP_ZERO);
}
static inline bool want_init_on_free(const struct pf_machine *m)
{
	return m->init_on_free;
}
/*
 * should_skip_init (6.12): __GFP_SKIP_ZERO counts only with hardware
 * tag-based KASAN, which a user-space machine never has (the flag is 0).
 */
static inline bool should_skip_init(pf_gfp_t flags)
{
	(void)flags;
	return false;
}
/*
 * free_pages_prezeroed (mm/page_alloc.c up to 5.10; 6.12 writes it out in
 * post_alloc_hook): a free page is known to hold zeros, so allocation
 * need not clear it.
 */
static inline bool free_pages_prezeroed(const struct pf_machine *m)
{
	return want_init_on_free(m);
}

/* debug_page_alloc.c */
void __kernel_map_pages(struct pf_machine *m, struct pf_page *page, int numpages, int enable);
int debug_pagealloc_param(struct pf_machine *m, const char *name, const char *val, char *err, size_t errlen);
bool __set_page_guard(struct zone *zone, struct pf_page *page, unsigned int order);
void __clear_page_guard(struct zone *zone, struct pf_page *page, unsigned int order);
void debug_pages_boot_free(struct pf_machine *m, struct pf_page *page, unsigned int order);
void debug_pages_teardown(struct pf_machine *m);
static inline void debug_pagealloc_map_pages(struct pf_machine *m, struct pf_page *page, int n)
{
	if (unlikely(m->debug_pagealloc))
		__kernel_map_pages(m, page, n, 1);
}
static inline void debug_pagealloc_unmap_pages(struct pf_machine *m, struct pf_page *page, int n)
{
	if (unlikely(m->debug_pagealloc))
		__kernel_map_pages(m, page, n, 0);
}
static inline bool page_is_guard(const struct pf_machine *m, const struct pf_page *page)
{
	return unlikely(m->debug_guardpage_enabled) && PageGuard(page);
}
static inline bool set_page_guard(struct pf_machine *m, struct zone *zone, struct pf_page *page, unsigned int order)
{
	if (likely(!m->debug_guardpage_enabled))
		return false;
	return __set_page_guard(zone, page, order);
}
static inline void clear_page_guard(struct pf_machine *m, struct zone *zone, struct pf_page *page, unsigned int order)
{
	if (m->debug_guardpage_enabled)
		__clear_page_guard(zone, page, order);
}

/*
 * kasan.c: the user-space KASAN.  AddressSanitizer builds poison free
 * pages through ASan's manual interface on every path, the fast ones
 * included (a build-time switch: other builds compile nothing); under
 * Valgrind's memcheck the same through client requests, a run-time switch
 * (FAST_OFF_SANITIZE).
 */
#if defined(__SANITIZE_ADDRESS__)
#define PF_ASAN_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PF_ASAN_BUILD 1
#endif
#endif
void kasan_poison_pages(struct pf_machine *m, struct pf_page *page, unsigned int order);
void kasan_unpoison_pages(struct pf_machine *m, struct pf_page *page, unsigned int order, bool init);
void kasan_machine_init(struct pf_machine *m);
void kasan_machine_teardown(struct pf_machine *m);
#ifdef PF_ASAN_BUILD
void asan_poison_pages(struct pf_machine *m, struct pf_page *page, unsigned int order);
void asan_unpoison_pages(struct pf_machine *m, struct pf_page *page, unsigned int order);
#else
static inline void asan_poison_pages(struct pf_machine *m, struct pf_page *page, unsigned int order)
{
	(void)m, (void)page, (void)order;
}
static inline void asan_unpoison_pages(struct pf_machine *m, struct pf_page *page, unsigned int order)
{
	(void)m, (void)page, (void)order;
}
#endif

#endif /* PF_MM_INTERNAL_H */
