/* SPDX-License-Identifier: MIT */
/*
 * pageframe/pageframe.h - the public API of libpageframe.
 *
 * libpageframe is Linux's zoned buddy page-frame allocator (mm/page_alloc.c,
 * 6.x) running in user space.  A machine (struct pf_machine) is a simulated
 * or real "physical memory" described in text: nodes, zones, CPUs, sysctls.
 * Pages are handed out in blocks of 2^order as struct pf_page pointers, laid
 * out as the kernel's struct page (see <pageframe/page.h>).
 *
 * Conventions: functions that can fail return 0 or -errno, or NULL for
 * allocations.  Error text goes to a caller's buffer (err, errlen).  A bad
 * free or a double free is reported through the machine's report hook in the
 * kernel's "BUG: Bad page state" wording, counted, and never corrupts the
 * allocator.
 *
 * Glossary
 *   pfn      page frame number: physical address / 4096.
 *   order    log2 of the number of pages in a block (0..PF_MAX_PAGE_ORDER).
 *   node     a NUMA node: memory and CPUs close to each other.
 *   zone     a range of a node's memory with one addressing limit (DMA
 *            below 16 MiB, DMA32 below 4 GiB, Normal, Movable, Device).
 *   gfp      "get free pages" flags: which zones, how hard to try.
 *
 * Thread safety: every call may be made from any thread; one machine's free
 * lists are guarded by each zone's lock as in the kernel.
 */
#ifndef PAGEFRAME_PAGEFRAME_H
#define PAGEFRAME_PAGEFRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <pageframe/gfp.h>
#include <pageframe/version.h>	/* PF_VERSION_*, PF_CHECK_VERSION (generated) */

struct pf_list_head;

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define PF_API
#elif defined(__GNUC__)
#define PF_API __attribute__((visibility("default")))
#else
#define PF_API
#endif

/* Page geometry (x86-64 with 4 KiB pages, as the kernel). */
#define PF_PAGE_SHIFT		12
#define PF_PAGE_SIZE		(1UL << PF_PAGE_SHIFT)
#define PF_MAX_PAGE_ORDER	10	/* largest order, inclusive (MAX_PAGE_ORDER) */
#define PF_NR_PAGE_ORDERS	(PF_MAX_PAGE_ORDER + 1)
#define PF_PAGEBLOCK_ORDER	9	/* 2 MiB pageblocks, as with THP */

struct pf_machine;
struct pf_page;

/* ---- Machines ---------------------------------------------------------- */

/**
 * pf_machine_create - boot a machine from its text description.
 * @description: the machine description (format: docs/MACHINE.md).
 *               NULL or "" boots the default machine (one node, 1 GiB, host CPUs).
 * @err, @errlen: where a reason is written on failure ("line 3: ...").
 *
 * Return: the machine, or NULL with @err set.
 */
PF_API struct pf_machine *pf_machine_create(const char *description, char *err, size_t errlen);

/**
 * pf_machine_create_with_memory - boot a machine whose pages live in memory
 * the caller mapped itself ("backing external", docs/MACHINE.md).
 * @base: the address of the machine's lowest present pfn (the start of its
 *        lowest memory line, rounded up to a page); a multiple of the page
 *        size (4096).  Page pfn N then lives at @base + (N - lowest) * 4096.
 * @size: bytes at @base; at least (highest present pfn + 1 - lowest) * 4096.
 * The description may say "backing external" or nothing about its backing;
 * any other backing line is refused.  The library never maps, unmaps or
 * frees the memory: it must stay mapped until pf_machine_destroy returns.
 * "free_page_reporting dontneed|free" applies madvise to it as on hosted
 * memory.
 *
 * Return: the machine, or NULL with @err set ("line 2: backing external:
 * too small: ...", "... misaligned: ...", docs/ERRORS.md).
 */
PF_API struct pf_machine *pf_machine_create_with_memory(const char *description, void *base, size_t size,
							 char *err, size_t errlen);

/** pf_machine_destroy - release a machine and all its memory.  NULL is a no-op. */
PF_API void pf_machine_destroy(struct pf_machine *m);

/**
 * pf_sysctl_set - write a vm sysctl on a live machine, as writing
 * /proc/sys/vm/<name> would: "min_free_kbytes", "watermark_scale_factor",
 * "watermark_boost_factor", "lowmem_reserve_ratio",
 * "percpu_pagelist_high_fraction", "compact_memory" (writing 1 compacts
 * every zone), "compaction_proactiveness", "extfrag_threshold",
 * "compact_unevictable_allowed", "defrag_mode" (a 6.15 sysctl),
 * "drop_caches" (2 runs every shrinker, <pageframe/shrinker.h>; 1 drops
 * the LRU's clean file pages), "panic_on_oom", "oom_kill_allocating_task",
 * "oom_dump_tasks" (<pageframe/oom.h>), "swappiness", "zone_reclaim_mode"
 * (<pageframe/reclaim.h>); a "vm." prefix is accepted.  Values are read as
 * the kernel's proc handlers read them.  What depends on the value is
 * recomputed at once.
 *
 * Return: 0, -ENOENT for an unknown name, -EINVAL for a value the kernel
 * refuses (a bad lowmem_reserve_ratio entry returns 0 after writing the
 * entries before it, as the kernel's handler does; docs/ERRORS.md).
 */
PF_API int pf_sysctl_set(struct pf_machine *m, const char *name, const char *value);

/**
 * pf_sysctl_get - read a vm sysctl into @buf as /proc/sys/vm/<name> prints it.
 * Return: 0, -ENOENT or -ERANGE.
 */
PF_API int pf_sysctl_get(struct pf_machine *m, const char *name, char *buf, size_t len);

/* ---- Allocation and freeing --------------------------------------------- */

/**
 * pf_alloc_pages - allocate 2^@order contiguous pages (alloc_pages()).
 * Return: the first page, or NULL.  With PF_GFP_COMP the block is a
 * compound page and is freed with pf_put_page() or pf_free_pages().
 */
PF_API struct pf_page *pf_alloc_pages(struct pf_machine *m, pf_gfp_t gfp, unsigned order);

/** pf_alloc_pages_node - as pf_alloc_pages, preferring node @nid (alloc_pages_node()). */
PF_API struct pf_page *pf_alloc_pages_node(struct pf_machine *m, int nid, pf_gfp_t gfp, unsigned order);

/**
 * pf_free_pages - drop a reference to a block of 2^@order pages (__free_pages()).
 * The block is freed when the last reference goes.  A wrong order, a double
 * free or a page in a bad state is reported and the pages are kept out of
 * the free lists.
 */
PF_API void pf_free_pages(struct pf_page *page, unsigned order);

/** pf_get_page - take a reference (get_page()). */
PF_API void pf_get_page(struct pf_page *page);

/** pf_put_page - drop a reference; frees the (compound) page at zero (put_page()). */
PF_API void pf_put_page(struct pf_page *page);

/**
 * pf_release_pages - drop a reference to each of @nr pages (release_pages()).
 * Order-0 pages whose last reference goes are freed together, one hold of
 * the per-CPU list per run of pages of one zone (the kernel's
 * free_unref_folios), which is much cheaper than @nr pf_put_page calls.
 * Anything else in @pages (a page with more references, a compound page,
 * a block of higher order) is dropped as pf_put_page() drops it; a double
 * free or a bad page is reported as there.  NULL entries are skipped, so
 * the array pf_alloc_pages_bulk() filled can be passed back as it is.
 * The pages may belong to different machines.
 */
PF_API void pf_release_pages(struct pf_page **pages, int nr);

/** pf_page_count - the reference count of the page's head (page_count()). */
PF_API int pf_page_count(const struct pf_page *page);

/**
 * pf_alloc_pages_bulk - allocate up to @nr_pages order-0 pages at once
 * (alloc_pages_bulk).  Only the NULL slots of @page_array are filled.
 * pf_alloc_pages_bulk_list adds the pages to @page_list through page->lru.
 * Return: as the kernel's: for the array, one past the last slot filled,
 * counting a leading run of already filled slots - which is the number of
 * pages in the array when the caller fills it from the front; for the list,
 * the number of pages added.  When no zone can serve a batch it falls back
 * to one page (or none).
 */
PF_API unsigned long pf_alloc_pages_bulk(struct pf_machine *m, pf_gfp_t gfp, unsigned long nr_pages,
					 struct pf_page **page_array);
PF_API unsigned long pf_alloc_pages_bulk_list(struct pf_machine *m, pf_gfp_t gfp, unsigned long nr_pages,
					      struct pf_list_head *page_list);

/* ---- Per-CPU page lists ---------------------------------------------------- */

/**
 * pf_bind_cpu - run the calling thread as CPU @cpu of every machine (folded
 * onto each machine's CPU count), for deterministic simulation; -1 returns
 * to the CPU the thread runs on.  Return: 0 or -EINVAL.
 */
PF_API int pf_bind_cpu(int cpu);

/** pf_drain_local_pages - return this CPU's per-CPU pages to the buddy lists (drain_local_pages). */
PF_API void pf_drain_local_pages(struct pf_machine *m);

/** pf_drain_all_pages - return every CPU's per-CPU pages to the buddy lists (drain_all_pages). */
PF_API void pf_drain_all_pages(struct pf_machine *m);

/**
 * pf_vmstat_refresh - what the kernel's vmstat worker does each second on
 * every CPU (refresh_cpu_vm_stats): fold the per-CPU counter differentials
 * into the zone counters, decay per-CPU high towards high_min and spill
 * the excess (decay_pcp_high), and give back one batch of a CPU's list of
 * another node's zone three steps after its last fold (the remote drain).
 */
PF_API void pf_vmstat_refresh(struct pf_machine *m);

/* ---- Addresses ----------------------------------------------------------- */

/** pf_page_to_pfn - the page's frame number (page_to_pfn()). */
PF_API unsigned long pf_page_to_pfn(const struct pf_page *page);

/** pf_pfn_to_page - the page of a frame number, or NULL when the machine has no memmap there. */
PF_API struct pf_page *pf_pfn_to_page(struct pf_machine *m, unsigned long pfn);

/**
 * pf_page_address - where the page's memory is (page_address()).
 * Return: a usable address on a hosted machine, NULL with backing none.
 */
PF_API void *pf_page_address(const struct pf_page *page);

/** pf_virt_to_page - the page of an address inside a hosted machine's memory, or NULL. */
PF_API struct pf_page *pf_virt_to_page(struct pf_machine *m, const void *addr);

/** pf_page_machine - the machine a page belongs to, or NULL if @page is none of ours. */
PF_API struct pf_machine *pf_page_machine(const struct pf_page *page);

/* ---- Fault injection --------------------------------------------------------- */

/**
 * pf_fail_page_alloc_set - set one attribute of the machine's page allocation
 * fault injection, as writing /sys/kernel/debug/fail_page_alloc/<param>:
 * "probability" (percent, 0 = off, the default), "interval", "times" (-1 =
 * unlimited; default 1), "space", "verbose" (0..2), "ignore-gfp-wait" and
 * "ignore-gfp-highmem" (Y/N; both Y by default), "min-order" (default 1).
 * pf_show(m, "fail_page_alloc", f) prints them and the failures injected.
 * Return: 0, -ENOENT for an unknown name, -EINVAL for a bad value.
 */
PF_API int pf_fail_page_alloc_set(struct pf_machine *m, const char *param, const char *value);

/* ---- page_owner ---------------------------------------------------------- */

/**
 * pf_page_owner_set - write a page_owner debugfs setting of a machine booted
 * with `cmdline page_owner=on`: "count_threshold" (as writing
 * /sys/kernel/debug/page_owner_stacks/count_threshold: show_stacks then
 * leaves out stacks with fewer pages allocated; decimal or 0x hex, default 0).
 * The records themselves: pf_show(m, "page_owner" | "page_owner_stacks", f).
 * Return: 0, -ENOENT for an unknown name or while page_owner is off,
 * -EINVAL for a bad value.
 */
PF_API int pf_page_owner_set(struct pf_machine *m, const char *param, const char *value);

/* ---- Observability -------------------------------------------------------- */

/**
 * pf_check - verify every invariant of the machine's free lists and memmap.
 * Return: 0 when all hold, else -EUCLEAN with the first violation in @err.
 */
PF_API int pf_check(struct pf_machine *m, char *err, size_t errlen);

/**
 * pf_show - print a /proc-style view in the kernel's exact layout.
 * @what: "buddyinfo", "pagetypeinfo", "zoneinfo", "vmstat", "meminfo",
 *        "extfrag_index", "unusable_index" or "fail_page_alloc"; or
 *        pageframe's "pageblocks": one line per pageblock with its type
 *        and its pages by kind (docs/VIEWS.md).  With page_owner on:
 *        "page_owner" (/sys/kernel/debug/page_owner), "page_owner_stacks"
 *        (its show_stacks) and "page_owner_stacks/count_threshold".
 *        Binary: "kpageflags" and "kpagecount" (/proc/kpageflags,
 *        /proc/kpagecount: one native-endian 64-bit word per pfn).
 * Return: 0, -ENOENT for an unknown view (or a page_owner view while
 * page_owner is off), -EIO if writing failed.
 */
PF_API int pf_show(struct pf_machine *m, const char *what, FILE *out);

/**
 * Report hook: receives every kernel-log line the machine prints (bad page
 * reports, warnings), one line at a time without the trailing newline.
 * @level is the printk level digit ('3' err, '4' warning, '6' info).
 * Default: each line is written to stderr.  NULL restores the default.
 * The hook may be called while the machine is inside its OOM killer or
 * reclaim; pages it allocates from the same machine are then served from
 * the reserves, without reclaim (the reclaimer's scope), and may fail.
 * Do not free or destroy the machine from the hook.
 */
typedef void (*pf_report_fn)(void *arg, int level, const char *line);
PF_API void pf_set_report_hook(struct pf_machine *m, pf_report_fn fn, void *arg);

/**
 * Trace sink: receives each enabled trace event already formatted as the
 * kernel's ftrace text line (one line, no trailing newline).  NULL disables
 * tracing (the default).  @events is a comma-separated list of event names
 * ("mm_page_alloc,mm_page_free") or "all".
 */
typedef void (*pf_trace_fn)(void *arg, const char *line);
PF_API int pf_set_trace(struct pf_machine *m, const char *events, pf_trace_fn fn, void *arg);

/**
 * pf_vmstat_get - the value of one /proc/vmstat item by name ("pgalloc_normal",
 * "nr_free_pages"), or of pageframe's own counters: "pageframe_bad_pages"
 * (bad page reports, suppressed ones included), "pageframe_fail_page_alloc"
 * (failures injected), "pageframe_poison_corrupted" (pages page_poison=1
 * found written while free) and "pageframe_guard_pages" (pages held as
 * debug_pagealloc guard pages now).  Return: 0 or -ENOENT.
 * (failures injected) and "pageframe_writepage_errors" (LRU owners' writepage
 * failures reclaim met).  Return: 0 or -ENOENT.
 */
PF_API int pf_vmstat_get(struct pf_machine *m, const char *name, long *value);

/**
 * pf_frag_index_from_buddyinfo - read /proc/buddyinfo text from @in and print
 * the kernel's extfrag_index (@what = "extfrag_index") or unusable_index
 * for it to @out, as debugfs would.  Return: 0 or -EINVAL on unreadable input.
 */
PF_API int pf_frag_index_from_buddyinfo(FILE *in, const char *what, FILE *out, char *err, size_t errlen);

/**
 * pf_linux_set_default_machine - the machine that <pageframe/linux.h>'s
 * kernel names (alloc_pages, __free_pages, ...) act on; NULL until set.
 */
PF_API void pf_linux_set_default_machine(struct pf_machine *m);
PF_API struct pf_machine *pf_linux_default_machine(void);

/** pf_version - "major.minor.patch". */
PF_API const char *pf_version(void);

/**
 * pf_build_info - how the linked library was built: one line of key=value
 * words, space-separated, in this order (more may be added at the end):
 *   debug_vm=N      its internal checks (PF_DEBUG_VM): 0 none, 1 cheap
 *                   (the kernel's CONFIG_DEBUG_VM), 2 the expensive ones too
 *   build=TYPE      the CMake build type (Release, RelWithDebInfo, ...)
 *   optimized=0|1   compiled with optimisation
 *   sanitize=LIST   the sanitizers it was built with, or "none"
 * libpageframe as `make install` installs it says
 * "debug_vm=0 build=Release optimized=1 sanitize=none"; libpageframe-debug
 * (pkg-config pageframe-debug, pageframe::pageframe_debug) says debug_vm=2.
 */
PF_API const char *pf_build_info(void);

/* ---- Movable pages, migration (mm/migrate.c) ------------------------------ */

/* migrate_mode: how hard a migration may try (the kernel's values) */
#define PF_MIGRATE_ASYNC	0	/* never wait: give up on a busy page */
#define PF_MIGRATE_SYNC_LIGHT	1	/* may wait a little, not for writeback */
#define PF_MIGRATE_SYNC		2	/* may wait */

/* isolate_mode_t bits passed to isolate_page */
#define PF_ISOLATE_ASYNC_MIGRATE 0x4
#define PF_ISOLATE_UNEVICTABLE	 0x8

/**
 * struct pf_movable_operations - what the owner of a movable page tells the
 * allocator (the kernel's struct movable_operations).
 * @isolate_page: may the page move now?  @mode holds PF_ISOLATE_* bits.
 *                Called with a reference held; false keeps it in place.
 * @migrate_page: the owner now uses @dst instead of @src: return 0, or
 *                -EAGAIN / -EBUSY to keep @src.  On a hosted machine the
 *                library has already copied all 2^order pages of @src into
 *                @dst; with backing none the owner copies.  The owner moves
 *                what it keeps in page->private from @src to @dst.  After a
 *                0 the library frees @src.  @mode is a PF_MIGRATE_* value.
 * @putback_page: migration gave up; the page stays with its owner.
 *
 * From isolate_page's true until migrate_page or putback_page the owner
 * does not write the page's contents, and changes its references to it
 * only under the lock its migrate_page takes; after migrate_page's 0 it
 * uses @dst only.  The library moves the owner's references and
 * movability from @src to @dst.
 *
 * Each callback runs in the thread that migrates (a compaction, a
 * contiguous allocation), never with a zone or per-CPU lock held, and may
 * not allocate from or free to the same machine.  The owner may allocate
 * from the machine while holding the lock its callbacks take: a direct
 * compaction never waits for a compactor that may be waiting in a callback
 * (it passes that zone over).  A compaction the owner starts itself
 * (compact_memory, pf_kcompactd_run) calls the owner's callbacks in its
 * thread, so it must not hold that lock then.
 */
struct pf_movable_operations {
	bool (*isolate_page)(struct pf_page *page, int mode);
	int (*migrate_page)(struct pf_page *dst, struct pf_page *src, int mode);
	void (*putback_page)(struct pf_page *page);
};

/**
 * pf_set_page_movable - make an allocated block movable (the kernel's
 * __SetPageMovable): compaction and contiguous allocation may then move it
 * through @ops.  The page must be the head of a block the caller holds;
 * freeing it clears the state.  A compound or high-order block moves as one.
 * Bad pointers, free pages and tail pages are reported and ignored.
 */
PF_API void pf_set_page_movable(struct pf_page *page, const struct pf_movable_operations *ops);

/** pf_clear_page_movable - the block stays where it is from now on (__ClearPageMovable). */
PF_API void pf_clear_page_movable(struct pf_page *page);

/* ---- Compaction (mm/compaction.c) ------------------------------------------ */
/*
 * Compacting every zone now: pf_sysctl_set(m, "compact_memory", "1").
 * Proactive compaction: "compaction_proactiveness" (0..100, default 20).
 */

#define PF_KCOMPACTD_IDLE	0	/* nothing to do: still asleep, or nothing fragmented enough */
#define PF_KCOMPACTD_WORK	1	/* compacted for an order a wakeup asked for */
#define PF_KCOMPACTD_PROACTIVE	2	/* ran proactive compaction (fragmentation score above the mark) */

/**
 * pf_kcompactd_run - one pass of node @nid's kcompactd, in the calling
 * thread: serve a pending wakeup, or let one HPAGE_FRAG_CHECK_INTERVAL
 * (500 ms) pass and, when it ends the sleep, run proactive compaction if the
 * node's fragmentation score is above the mark set by
 * compaction_proactiveness.  After a proactive run that did not lower the
 * score the sleep lasts 64 passes.  Deterministic: the same machine state
 * and calls give the same result.
 * Return: PF_KCOMPACTD_*, -EINVAL for a bad machine or node, -EBUSY while
 * pf_kcompactd_start's threads run.
 */
PF_API int pf_kcompactd_run(struct pf_machine *m, int nid);

/**
 * pf_kcompactd_start - run kcompactd as one thread per node, as the kernel
 * does, with real 500 ms timeouts; movable pages' callbacks are then called
 * from those threads.  Threads already running are left alone.
 * Return: 0, -EINVAL, or -EAGAIN when a thread could not be created (none
 * is left running then).
 */
PF_API int pf_kcompactd_start(struct pf_machine *m);

/** pf_kcompactd_stop - stop and join the threads; pf_machine_destroy does it too. */
PF_API void pf_kcompactd_stop(struct pf_machine *m);

/* ---- Free page reporting (mm/page_reporting.c) ----------------------------- */
/*
 * With "free_page_reporting dontneed" or "free" in the description, free
 * blocks of page_reporting_order pages and up (pf_sysctl_set(m,
 * "page_reporting_order", "N"), 0..10; default the pageblock order, 9) are
 * given back to the host, the way the backing allows (madvise
 * MADV_DONTNEED or MADV_FREE for anonymous and external memory, a punched
 * hole for memfd, file, hugetlbfs and shm), and marked reported until they
 * are allocated again.  As in the kernel, a pass runs 2 s after a large
 * enough block is freed, in batches of 32 blocks, taking at most about a
 * sixteenth of each free list per pass, and only in zones above their low
 * watermark plus a batch.  A thread of the machine runs the passes from
 * boot; pf_page_reporting_stop turns it into steps of pf_page_reporting_run.
 * docs/DESIGN.md "Free page reporting".
 */

/**
 * pf_report_free_pages - report every free block now: the per-CPU lists
 * are drained, then passes run back to back, without the delay, until
 * none is left to report (the budget and the watermark rule still apply
 * to each pass).  Works whether or not the thread runs.
 * Return: the pages reported (given back), -EINVAL for a NULL machine,
 * -ENODEV when reporting is off.
 */
PF_API long pf_report_free_pages(struct pf_machine *m);

/**
 * pf_page_reporting_run - one step of the delayed work in the calling
 * thread: when a pass was requested (a free of a large enough block, or
 * the first one at boot), run it as if its 2 s had passed.  A pass that
 * runs out of budget requests the next.  Deterministic.
 * Return: the pages reported (0 when no pass was due), -EINVAL, -ENODEV
 * when reporting is off, -EBUSY while the thread runs.
 */
PF_API long pf_page_reporting_run(struct pf_machine *m);

/**
 * pf_page_reporting_start - run the passes on the machine's thread again
 * (it starts at boot when reporting is on).  Return: 0, -EINVAL, -ENODEV,
 * -EAGAIN when the thread cannot be created.
 */
PF_API int pf_page_reporting_start(struct pf_machine *m);

/** pf_page_reporting_stop - stop and join the thread; a pass in progress ends first.  pf_machine_destroy does it too. */
PF_API void pf_page_reporting_stop(struct pf_machine *m);

/* ---- Contiguous ranges and CMA (mm/page_alloc.c, mm/cma.c) ----------------- */

/**
 * pf_alloc_contig_range - take every page of [@start_pfn, @end_pfn) for the
 * caller (the kernel's alloc_contig_range with MIGRATE_MOVABLE): the
 * pageblocks the range touches are isolated, movable pages in it are
 * migrated away (their owners' migrate_page is called once each), free
 * pages are taken, the isolation is undone.  The range need not be
 * aligned but must lie in one zone of @m.  @gfp: PF_GFP_KERNEL, plus
 * optionally PF___GFP_NOWARN, PF___GFP_ZERO, PF___GFP_RETRY_MAYFAIL, and
 * PF___GFP_COMP for a range of 2^n pages at a 2^n boundary, handed out as
 * one compound page (free it with pf_put_page or pf_free_contig_range).
 * Without PF___GFP_COMP each page is an order-0 allocation of its own
 * (pf_free_pages(page, 0) frees one).
 *
 * Return: 0; -EINVAL for a bad range or gfp (reported); -EBUSY when a page
 * could not be moved (an unmovable page in the range, a pageblock isolated
 * by someone else): nothing is changed then; -ENOMEM when no page was
 * available to migrate into.
 */
PF_API int pf_alloc_contig_range(struct pf_machine *m, unsigned long start_pfn, unsigned long end_pfn, pf_gfp_t gfp);

/**
 * pf_alloc_contig_pages - find and take @nr_pages contiguous pages in the
 * zones @gfp allows, nearest node @nid first (NUMA_NO_NODE: -1, this CPU's
 * node), as alloc_contig_pages: candidate ranges start at a multiple of
 * @nr_pages from each zone's start (so a power-of-two count is naturally
 * aligned), any size, also beyond PF_MAX_PAGE_ORDER.  Return: the first
 * page, or NULL.  Free with pf_free_contig_range (or page by page).
 */
PF_API struct pf_page *pf_alloc_contig_pages(struct pf_machine *m, unsigned long nr_pages, pf_gfp_t gfp, int nid);

/**
 * pf_free_contig_range - give back @nr_pages pages from @pfn that a
 * contiguous allocation handed out (free_contig_range).  A range that is
 * not wholly such pages (or one compound page of exactly @nr_pages) is
 * reported as a bad free and nothing is freed.
 */
PF_API void pf_free_contig_range(struct pf_machine *m, unsigned long pfn, unsigned long nr_pages);

/**
 * pf_cma_alloc - @count pages from CMA area @area of the machine (the
 * description's `cma` lines, numbered from 0), at a boundary of
 * 2^@align pages (cma_alloc).  Movable pages that borrowed the area are
 * migrated out.  @no_warn: no failure message.  Counted in the vm events
 * cma_alloc_success / cma_alloc_fail.  Return: the first page of the
 * range (each page an order-0 allocation), or NULL.
 */
PF_API struct pf_page *pf_cma_alloc(struct pf_machine *m, int area, unsigned long count, unsigned int align,
				    bool no_warn);

/**
 * pf_cma_release - give back @count pages from @pages that pf_cma_alloc of
 * @area handed out (cma_release).  Return: false, changing nothing, when
 * they are not pages of the area or not handed out by it.
 */
PF_API bool pf_cma_release(struct pf_machine *m, int area, const struct pf_page *pages, unsigned long count);

/**
 * pf_cma_area - where CMA area @area lies: its first pfn and its size in
 * pages (cma_get_base / cma_get_size).  Return: 0, -EINVAL (@m NULL) or
 * -ENOENT (no such area).
 */
PF_API int pf_cma_area(struct pf_machine *m, int area, unsigned long *base_pfn, unsigned long *count);

/* ---- Allocation scopes of the calling thread (include/linux/sched/mm.h) ---- */

/*
 * pf_memalloc_noio_save / pf_memalloc_nofs_save - from here until the
 * matching restore, every allocation this thread makes (on any machine)
 * behaves as if __GFP_IO and __GFP_FS (noio), or __GFP_FS (nofs), were
 * left out of its gfp: reclaim started for it will not write back through
 * an owner's I/O, as the kernel's scoped GFP_NOIO / GFP_NOFS.  Scopes nest;
 * pass each restore the value its save returned.
 */
PF_API unsigned int pf_memalloc_noio_save(void);
PF_API void pf_memalloc_noio_restore(unsigned int flags);
PF_API unsigned int pf_memalloc_nofs_save(void);
PF_API void pf_memalloc_nofs_restore(unsigned int flags);

/*
 * pf_memalloc_noreclaim_save - the thread acts as a reclaimer (the
 * kernel's PF_MEMALLOC): its allocations may use every reserve below the
 * min watermark and never start reclaim themselves.  For code that frees
 * memory, such as a shrinker's or an owner's callback that must allocate.
 */
PF_API unsigned int pf_memalloc_noreclaim_save(void);
PF_API void pf_memalloc_noreclaim_restore(unsigned int flags);

/*
 * pf_memalloc_pin_save - allocations drop __GFP_MOVABLE (the kernel's
 * PF_MEMALLOC_PIN, for pages about to be pinned long-term): they come
 * from ZONE_MOVABLE or CMA memory never.
 */
PF_API unsigned int pf_memalloc_pin_save(void);
PF_API void pf_memalloc_pin_restore(unsigned int flags);

#ifdef __cplusplus
}
#endif

/* The topic headers (they use PF_API above) */
#include <pageframe/shrinker.h>	/* caches the machine may shrink (pf_shrinker_*) */
#include <pageframe/oom.h>	/* the OOM killer: tasks, the hook, show_mem (pf_oom_*) */
#include <pageframe/memcg.h>	/* memory cgroups: pf_memcg_* */
#include <pageframe/mempolicy.h>	/* cpusets, memory policies, the atomic scope */
#include <pageframe/reclaim.h>	/* LRU pages, reclaim, swap and kswapd (pf_lru_*, pf_kswapd_*) */

#include <pageframe/debug.h>	/* pf_install_fault_handler */
#endif /* PAGEFRAME_PAGEFRAME_H */
