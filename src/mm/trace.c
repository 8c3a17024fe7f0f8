/* SPDX-License-Identifier: MIT */
/*
 * trace.c - the kmem trace events (include/trace/events/kmem.h, Linux 6.12),
 * and those of compaction (compaction.h) and migration (migrate.h),
 * formatted as lines of the ftrace "trace" file, handed to the caller's sink.
 *
 * Line: "%16s-%-7d [%03d] ..... %5lu.%06lu: <event>: <TP_printk text>",
 * with the gfp names of include/trace/events/mmflags.h (6.12 order).
 * Deliberate differences: %p prints the struct pf_page address unhashed
 * (as with the no_hash_pointers boot option), and the five context flag
 * characters are always "....." (user space has no irq or preempt state).
 * The time is seconds since the machine booted.
 */
#include "internal.h"
#include "shrinker.h"

#include <string.h>

static const struct {
	pf_gfp_t mask;
	const char *name;
} gfpflag_names[] = {
	{ PF_GFP_TRANSHUGE, "GFP_TRANSHUGE" },
	{ PF_GFP_TRANSHUGE_LIGHT, "GFP_TRANSHUGE_LIGHT" },
	{ PF_GFP_HIGHUSER_MOVABLE, "GFP_HIGHUSER_MOVABLE" },
	{ PF_GFP_HIGHUSER, "GFP_HIGHUSER" },
	{ PF_GFP_USER, "GFP_USER" },
	{ PF_GFP_KERNEL_ACCOUNT, "GFP_KERNEL_ACCOUNT" },
	{ PF_GFP_KERNEL, "GFP_KERNEL" },
	{ PF_GFP_NOFS, "GFP_NOFS" },
	{ PF_GFP_ATOMIC, "GFP_ATOMIC" },
	{ PF_GFP_NOIO, "GFP_NOIO" },
	{ PF_GFP_NOWAIT, "GFP_NOWAIT" },
	{ PF_GFP_DMA, "GFP_DMA" },
	{ PF___GFP_HIGHMEM, "__GFP_HIGHMEM" },
	{ PF_GFP_DMA32, "GFP_DMA32" },
	{ PF___GFP_HIGH, "__GFP_HIGH" },
	{ PF___GFP_IO, "__GFP_IO" },
	{ PF___GFP_FS, "__GFP_FS" },
	{ PF___GFP_NOWARN, "__GFP_NOWARN" },
	{ PF___GFP_RETRY_MAYFAIL, "__GFP_RETRY_MAYFAIL" },
	{ PF___GFP_NOFAIL, "__GFP_NOFAIL" },
	{ PF___GFP_NORETRY, "__GFP_NORETRY" },
	{ PF___GFP_COMP, "__GFP_COMP" },
	{ PF___GFP_ZERO, "__GFP_ZERO" },
	{ PF___GFP_NOMEMALLOC, "__GFP_NOMEMALLOC" },
	{ PF___GFP_MEMALLOC, "__GFP_MEMALLOC" },
	{ PF___GFP_HARDWALL, "__GFP_HARDWALL" },
	{ PF___GFP_THISNODE, "__GFP_THISNODE" },
	{ PF___GFP_RECLAIMABLE, "__GFP_RECLAIMABLE" },
	{ PF___GFP_MOVABLE, "__GFP_MOVABLE" },
	{ PF___GFP_ACCOUNT, "__GFP_ACCOUNT" },
	{ PF___GFP_WRITE, "__GFP_WRITE" },
	{ PF___GFP_RECLAIM, "__GFP_RECLAIM" },
	{ PF___GFP_DIRECT_RECLAIM, "__GFP_DIRECT_RECLAIM" },
	{ PF___GFP_KSWAPD_RECLAIM, "__GFP_KSWAPD_RECLAIM" },
	{ PF___GFP_ZEROTAGS, "__GFP_ZEROTAGS" },
};

/*
 * pf_format_gfp_flags - show_gfp_flags / trace_print_flags_seq: names whose
 * bits are all still set, in table order, joined by '|'; leftovers once as
 * 0x%x; "none" for 0.  Return: the length written (snprintf style).
 */
int pf_format_gfp_flags(pf_gfp_t gfp, char *buf, size_t len)
{
	size_t n = 0;
	int first = 1;
	if (!gfp)
		return snprintf(buf, len, "none");
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof gfpflag_names / sizeof gfpflag_names[0] && gfp; i++) {
		pf_gfp_t mask = gfpflag_names[i].mask;
		if ((gfp & mask) != mask)
			continue;
		gfp &= ~mask;
		n += (size_t)snprintf(buf + (n < len ? n : len), n < len ? len - n : 0, "%s%s", first ? "" : "|",
				      gfpflag_names[i].name);
		first = 0;
	}
	if (gfp)
		n += (size_t)snprintf(buf + (n < len ? n : len), n < len ? len - n : 0, "%s0x%x", first ? "" : "|",
				      gfp);
	return (int)n;
}

static const char *const event_names[TRACE_NR_EVENTS] = {
	[TRACE_MM_PAGE_ALLOC] = "mm_page_alloc",
	[TRACE_MM_PAGE_FREE] = "mm_page_free",
	[TRACE_MM_PAGE_FREE_BATCHED] = "mm_page_free_batched",
	[TRACE_MM_PAGE_ALLOC_ZONE_LOCKED] = "mm_page_alloc_zone_locked",
	[TRACE_MM_PAGE_ALLOC_EXTFRAG] = "mm_page_alloc_extfrag",
	[TRACE_MM_PAGE_PCPU_DRAIN] = "mm_page_pcpu_drain",
	[TRACE_MM_COMPACTION_ISOLATE_MIGRATEPAGES] = "mm_compaction_isolate_migratepages",
	[TRACE_MM_COMPACTION_ISOLATE_FREEPAGES] = "mm_compaction_isolate_freepages",
	[TRACE_MM_COMPACTION_FAST_ISOLATE_FREEPAGES] = "mm_compaction_fast_isolate_freepages",
	[TRACE_MM_COMPACTION_MIGRATEPAGES] = "mm_compaction_migratepages",
	[TRACE_MM_COMPACTION_BEGIN] = "mm_compaction_begin",
	[TRACE_MM_COMPACTION_END] = "mm_compaction_end",
	[TRACE_MM_COMPACTION_TRY_TO_COMPACT_PAGES] = "mm_compaction_try_to_compact_pages",
	[TRACE_MM_COMPACTION_FINISHED] = "mm_compaction_finished",
	[TRACE_MM_COMPACTION_SUITABLE] = "mm_compaction_suitable",
	[TRACE_MM_COMPACTION_DEFERRED] = "mm_compaction_deferred",
	[TRACE_MM_COMPACTION_DEFER_COMPACTION] = "mm_compaction_defer_compaction",
	[TRACE_MM_COMPACTION_DEFER_RESET] = "mm_compaction_defer_reset",
	[TRACE_MM_COMPACTION_KCOMPACTD_SLEEP] = "mm_compaction_kcompactd_sleep",
	[TRACE_MM_COMPACTION_WAKEUP_KCOMPACTD] = "mm_compaction_wakeup_kcompactd",
	[TRACE_MM_COMPACTION_KCOMPACTD_WAKE] = "mm_compaction_kcompactd_wake",
	[TRACE_MM_MIGRATE_PAGES] = "mm_migrate_pages",
	[TRACE_MM_SHRINK_SLAB_START] = "mm_shrink_slab_start",
	[TRACE_MM_SHRINK_SLAB_END] = "mm_shrink_slab_end",
	[TRACE_MARK_VICTIM] = "mark_victim",
	[TRACE_OOM_SCORE_ADJ_UPDATE] = "oom_score_adj_update",
	[TRACE_RECLAIM_RETRY_ZONE] = "reclaim_retry_zone",
	[TRACE_WAKE_REAPER] = "wake_reaper",
	[TRACE_START_TASK_REAPING] = "start_task_reaping",
	[TRACE_FINISH_TASK_REAPING] = "finish_task_reaping",
	[TRACE_MM_VMSCAN_KSWAPD_SLEEP] = "mm_vmscan_kswapd_sleep",
	[TRACE_MM_VMSCAN_KSWAPD_WAKE] = "mm_vmscan_kswapd_wake",
	[TRACE_MM_VMSCAN_WAKEUP_KSWAPD] = "mm_vmscan_wakeup_kswapd",
	[TRACE_MM_VMSCAN_DIRECT_RECLAIM_BEGIN] = "mm_vmscan_direct_reclaim_begin",
	[TRACE_MM_VMSCAN_DIRECT_RECLAIM_END] = "mm_vmscan_direct_reclaim_end",
	[TRACE_MM_VMSCAN_LRU_ISOLATE] = "mm_vmscan_lru_isolate",
	[TRACE_MM_VMSCAN_LRU_SHRINK_INACTIVE] = "mm_vmscan_lru_shrink_inactive",
	[TRACE_MM_VMSCAN_LRU_SHRINK_ACTIVE] = "mm_vmscan_lru_shrink_active",
};

__attribute__((format(printf, 3, 4)))
static void emit(struct pf_machine *m, enum pf_trace_event ev, const char *fmt, ...)
{
	char body[512], line[640];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(body, sizeof body, fmt, ap);
	va_end(ap);
	unsigned long long ns = pf_os_now_ns() - m->boot_ns;
	unsigned long usecs = (unsigned long)(ns / 1000);
	snprintf(line, sizeof line, "%16s-%-7d [%03d] ..... %5lu.%06lu: %s: %s", pf_os_comm(), pf_os_tid(),
		 pf_os_current_cpu() % m->nr_cpus, usecs / 1000000, usecs % 1000000, event_names[ev], body);
	m->trace(m->trace_arg, line);
}

/* The allocation event needs the machine even when the page is NULL. */
void pf_trace_mm_page_alloc(struct pf_machine *m, struct pf_page *page, unsigned int order, pf_gfp_t gfp,
			    int migratetype)
{
	char flags[512];
	pf_format_gfp_flags(gfp, flags, sizeof flags);
	emit(m, TRACE_MM_PAGE_ALLOC, "page=%016lx pfn=0x%lx order=%d migratetype=%d gfp_flags=%s", (unsigned long)page,
	     page ? page_to_pfn(page) : 0UL, (int)order, migratetype, flags);
}

void __trace_mm_page_free(struct pf_page *page, unsigned int order)
{
	emit(page_machine(page), TRACE_MM_PAGE_FREE, "page=%016lx pfn=0x%lx order=%d", (unsigned long)page,
	     page_to_pfn(page), (int)order);
}

/* mm_page_free_batched (include/trace/events/kmem.h, 6.12): always order 0 */
void __trace_mm_page_free_batched(struct pf_page *page)
{
	emit(page_machine(page), TRACE_MM_PAGE_FREE_BATCHED, "page=%016lx pfn=0x%lx order=0", (unsigned long)page,
	     page_to_pfn(page));
}

void __trace_mm_page_alloc_zone_locked(struct pf_page *page, unsigned int order, int migratetype, int percpu_refill)
{
	emit(page_machine(page), TRACE_MM_PAGE_ALLOC_ZONE_LOCKED,
	     "page=%016lx pfn=0x%lx order=%u migratetype=%d percpu_refill=%d", (unsigned long)page, page_to_pfn(page),
	     order, migratetype, percpu_refill);
}

void __trace_mm_page_alloc_extfrag(struct pf_page *page, unsigned int alloc_order, int fallback_order,
				   int alloc_migratetype, int fallback_migratetype)
{
	emit(page_machine(page), TRACE_MM_PAGE_ALLOC_EXTFRAG,
	     "page=%016lx pfn=0x%lx alloc_order=%d fallback_order=%d pageblock_order=%d alloc_migratetype=%d "
	     "fallback_migratetype=%d fragmenting=%d change_ownership=%d",
	     (unsigned long)page, page_to_pfn(page), (int)alloc_order, fallback_order, pageblock_order,
	     alloc_migratetype, fallback_migratetype, fallback_order < pageblock_order,
	     alloc_migratetype == get_pageblock_migratetype(page));
}

void __trace_mm_page_pcpu_drain(struct pf_page *page, unsigned int order, int migratetype)
{
	emit(page_machine(page), TRACE_MM_PAGE_PCPU_DRAIN, "page=%016lx pfn=0x%lx order=%d migratetype=%d",
	     (unsigned long)page, page_to_pfn(page), (int)order, migratetype);
}

/* ---- compaction (include/trace/events/compaction.h) and migration (migrate.h), 6.12 ---- */

/* COMPACTION_STATUS of mmflags.h, by enum compact_result */
static const char *const compaction_status[] = {
	"not_suitable_zone", "skipped", "deferred", "no_suitable_page", "continue",
	"complete", "partial_skipped", "contended", "success",
};

static const char *compaction_status_name(int status)
{
	if (status < 0 || status >= (int)(sizeof compaction_status / sizeof compaction_status[0]))
		return "?";
	return compaction_status[status];
}

/* ZONE_TYPE of mmflags.h (x86-64: no HighMem) */
static const char *zone_type_name(int idx)
{
	static const char *const names[] = { "DMA", "DMA32", "Normal", "Movable" };
	return idx >= 0 && idx < 4 ? names[idx] : "?";
}

/* mm_compaction_isolate_template: the migrate, free and fast free scanners */
void __trace_mm_compaction_isolate(struct pf_machine *m, enum pf_trace_event ev, unsigned long start_pfn,
				   unsigned long end_pfn, unsigned long nr_scanned, unsigned long nr_taken)
{
	emit(m, ev, "range=(0x%lx ~ 0x%lx) nr_scanned=%lu nr_taken=%lu", start_pfn, end_pfn, nr_scanned, nr_taken);
}

void __trace_mm_compaction_migratepages(struct pf_machine *m, unsigned int nr_migratepages,
					unsigned int nr_succeeded)
{
	emit(m, TRACE_MM_COMPACTION_MIGRATEPAGES, "nr_migrated=%lu nr_failed=%lu", (unsigned long)nr_succeeded,
	     (unsigned long)nr_migratepages - nr_succeeded);
}

/* mm_compaction_begin (status ignored) and mm_compaction_end */
void __trace_mm_compaction_begin_end(struct compact_control *cc, enum pf_trace_event ev, unsigned long zone_start,
				     unsigned long zone_end, bool sync, int status)
{
	struct pf_machine *m = zone_machine(cc->zone);
	if (ev == TRACE_MM_COMPACTION_BEGIN)
		emit(m, ev, "zone_start=0x%lx migrate_pfn=0x%lx free_pfn=0x%lx zone_end=0x%lx, mode=%s", zone_start,
		     cc->migrate_pfn, cc->free_pfn, zone_end, sync ? "sync" : "async");
	else
		emit(m, ev, "zone_start=0x%lx migrate_pfn=0x%lx free_pfn=0x%lx zone_end=0x%lx, mode=%s status=%s",
		     zone_start, cc->migrate_pfn, cc->free_pfn, zone_end, sync ? "sync" : "async",
		     compaction_status_name(status));
}

void __trace_mm_compaction_try_to_compact_pages(struct pf_machine *m, int order, pf_gfp_t gfp_mask, int prio)
{
	char flags[512];
	pf_format_gfp_flags(gfp_mask, flags, sizeof flags);
	emit(m, TRACE_MM_COMPACTION_TRY_TO_COMPACT_PAGES, "order=%d gfp_mask=%s priority=%d", order, flags, prio);
}

/* mm_compaction_suitable_template: mm_compaction_finished and mm_compaction_suitable */
void __trace_mm_compaction_suitable(struct zone *zone, enum pf_trace_event ev, int order, int ret)
{
	emit(zone_machine(zone), ev, "node=%d zone=%-8s order=%d ret=%s", zone_to_nid(zone),
	     zone_type_name(zone_idx(zone)), order, compaction_status_name(ret));
}

/* mm_compaction_defer_template: deferred, defer_compaction, defer_reset */
void __trace_mm_compaction_defer(struct zone *zone, enum pf_trace_event ev, int order)
{
	emit(zone_machine(zone), ev, "node=%d zone=%-8s order=%d order_failed=%d consider=%u limit=%lu",
	     zone_to_nid(zone), zone_type_name(zone_idx(zone)), order, zone->compact_order_failed,
	     zone->compact_considered, 1UL << zone->compact_defer_shift);
}

/* mm_compaction_kcompactd_sleep (nid only) and kcompactd_wake_template */
void __trace_mm_compaction_kcompactd(struct pf_machine *m, enum pf_trace_event ev, int nid, int order,
				     int highest_zoneidx)
{
	if (ev == TRACE_MM_COMPACTION_KCOMPACTD_SLEEP)
		emit(m, ev, "nid=%d", nid);
	else
		emit(m, ev, "nid=%d order=%d classzone_idx=%-8s", nid, order, zone_type_name(highest_zoneidx));
}

/* ---- include/trace/events/vmscan.h (6.12) ---- */

void __trace_mm_vmscan_kswapd_sleep(struct pf_machine *m, int nid)
{
	emit(m, TRACE_MM_VMSCAN_KSWAPD_SLEEP, "nid=%d", nid);
}

/* the zid is recorded but not printed, as the kernel's */
void __trace_mm_vmscan_kswapd_wake(struct pf_machine *m, int nid, int zid, int order)
{
	(void)zid;
	emit(m, TRACE_MM_VMSCAN_KSWAPD_WAKE, "nid=%d order=%d", nid, order);
}

void __trace_mm_vmscan_wakeup_kswapd(struct pf_machine *m, int nid, int zid, int order, pf_gfp_t gfp_flags)
{
	char flags[512];
	(void)zid;
	pf_format_gfp_flags(gfp_flags, flags, sizeof flags);
	emit(m, TRACE_MM_VMSCAN_WAKEUP_KSWAPD, "nid=%d order=%d gfp_flags=%s", nid, order, flags);
}

void __trace_mm_vmscan_direct_reclaim_begin(struct pf_machine *m, int order, pf_gfp_t gfp_flags)
{
	char flags[512];
	pf_format_gfp_flags(gfp_flags, flags, sizeof flags);
	emit(m, TRACE_MM_VMSCAN_DIRECT_RECLAIM_BEGIN, "order=%d gfp_flags=%s", order, flags);
}

void __trace_mm_vmscan_direct_reclaim_end(struct pf_machine *m, unsigned long nr_reclaimed)
{
	emit(m, TRACE_MM_VMSCAN_DIRECT_RECLAIM_END, "nr_reclaimed=%lu", nr_reclaimed);
}

static const char *const lru_names[] = { "inactive_anon", "active_anon", "inactive_file", "active_file",
					 "unevictable" };

void __trace_mm_vmscan_lru_isolate(struct pf_machine *m, int highest_zoneidx, int order, unsigned long nr_requested,
				   unsigned long nr_scanned, unsigned long nr_skipped, unsigned long nr_taken, int lru)
{
	emit(m, TRACE_MM_VMSCAN_LRU_ISOLATE,
	     "classzone=%d order=%d nr_requested=%lu nr_scanned=%lu nr_skipped=%lu nr_taken=%lu lru=%s",
	     highest_zoneidx, order, nr_requested, nr_scanned, nr_skipped, nr_taken,
	     lru >= 0 && lru < 5 ? lru_names[lru] : "?");
}

/* show_reclaim_flags(trace_reclaim_flags(file)): the type, and RECLAIM_WB_ASYNC */
static const char *reclaim_flags_text(int file)
{
	return file ? "RECLAIM_WB_FILE|RECLAIM_WB_ASYNC" : "RECLAIM_WB_ANON|RECLAIM_WB_ASYNC";
}

void __trace_mm_vmscan_lru_shrink_inactive(struct pf_machine *m, int nid, unsigned long nr_scanned,
					   unsigned long nr_reclaimed, unsigned long nr_dirty, unsigned long nr_writeback,
					   unsigned long nr_congested, unsigned long nr_immediate,
					   unsigned int nr_activate0, unsigned int nr_activate1, unsigned long nr_ref_keep,
					   unsigned long nr_unmap_fail, int priority, int file)
{
	emit(m, TRACE_MM_VMSCAN_LRU_SHRINK_INACTIVE,
	     "nid=%d nr_scanned=%ld nr_reclaimed=%ld nr_dirty=%ld nr_writeback=%ld nr_congested=%ld nr_immediate=%ld "
	     "nr_activate_anon=%d nr_activate_file=%d nr_ref_keep=%ld nr_unmap_fail=%ld priority=%d flags=%s",
	     nid, (long)nr_scanned, (long)nr_reclaimed, (long)nr_dirty, (long)nr_writeback, (long)nr_congested,
	     (long)nr_immediate, (int)nr_activate0, (int)nr_activate1, (long)nr_ref_keep, (long)nr_unmap_fail, priority,
	     reclaim_flags_text(file));
}

void __trace_mm_vmscan_lru_shrink_active(struct pf_machine *m, int nid, unsigned long nr_taken,
					 unsigned long nr_active, unsigned long nr_deactivated,
					 unsigned long nr_referenced, int priority, int file)
{
	emit(m, TRACE_MM_VMSCAN_LRU_SHRINK_ACTIVE,
	     "nid=%d nr_taken=%ld nr_active=%ld nr_deactivated=%ld nr_referenced=%ld priority=%d flags=%s", nid,
	     (long)nr_taken, (long)nr_active, (long)nr_deactivated, (long)nr_referenced, priority,
	     reclaim_flags_text(file));
}

/* mm_migrate_pages (include/trace/events/migrate.h, 6.12) */
void __trace_mm_migrate_pages(struct pf_machine *m, unsigned long succeeded, unsigned long failed,
			      unsigned long thp_succeeded, unsigned long thp_failed, unsigned long thp_split,
			      unsigned long large_folio_split, int mode, int reason)
{
	static const char *const modes[] = { "MIGRATE_ASYNC", "MIGRATE_SYNC_LIGHT", "MIGRATE_SYNC" };
	static const char *const reasons[] = {
		"compaction", "memory_failure", "memory_hotplug", "syscall_or_cpuset", "mempolicy_mbind",
		"numa_misplaced", "contig_range", "longterm_pin", "demotion", "damon",
	};
	emit(m, TRACE_MM_MIGRATE_PAGES,
	     "nr_succeeded=%lu nr_failed=%lu nr_thp_succeeded=%lu nr_thp_failed=%lu nr_thp_split=%lu nr_split=%lu "
	     "mode=%s reason=%s",
	     succeeded, failed, thp_succeeded, thp_failed, thp_split, large_folio_split,
	     mode >= 0 && mode < 3 ? modes[mode] : "?", reason >= 0 && reason < 10 ? reasons[reason] : "?");
}

/* ---- shrinkers (include/trace/events/vmscan.h, 6.12) ---------------------------- */

/*
 * The kernel prints the scan callback as a symbol (%pS) and the shrinker's
 * address (%p, hashed); pageframe prints the shrinker's name and address.
 */
void __trace_mm_shrink_slab_start(struct pf_shrinker *s, struct pf_shrink_control *sc, long nr_objects_to_shrink,
				  long cache_items, unsigned long long delta, long total_scan, int priority)
{
	char flags[512];
	pf_format_gfp_flags(sc->gfp_mask, flags, sizeof flags);
	emit(s->m, TRACE_MM_SHRINK_SLAB_START,
	     "%s %016lx: nid: %d objects to shrink %ld gfp_flags %s cache items %ld delta %lld total_scan %ld "
	     "priority %d",
	     s->name, (unsigned long)s, sc->nid, nr_objects_to_shrink, flags, cache_items, (long long)delta,
	     total_scan, priority);
}

void __trace_mm_shrink_slab_end(struct pf_shrinker *s, int nid, int shrinker_retval, long unused_scan_cnt,
				long new_scan_cnt, long total_scan)
{
	emit(s->m, TRACE_MM_SHRINK_SLAB_END,
	     "%s %016lx: nid: %d unused scan count %ld new scan count %ld total_scan %ld last shrinker return val %d",
	     s->name, (unsigned long)s, nid, unused_scan_cnt, new_scan_cnt, total_scan, shrinker_retval);
}

/* mark_victim (include/trace/events/oom.h, 6.12), sizes in kB */
void __trace_mark_victim(struct pf_machine *m, int pid, const char *comm, unsigned long total_vm_kb,
			 unsigned long anon_rss_kb, unsigned long file_rss_kb, unsigned long shmem_rss_kb, unsigned uid,
			 unsigned long pgtables_kb, short oom_score_adj)
{
	emit(m, TRACE_MARK_VICTIM,
	     "pid=%d comm=%s total-vm=%lukB anon-rss=%lukB file-rss:%lukB shmem-rss:%lukB uid=%u pgtables=%lukB "
	     "oom_score_adj=%hd",
	     pid, comm, total_vm_kb, anon_rss_kb, file_rss_kb, shmem_rss_kb, uid, pgtables_kb, oom_score_adj);
}

/* oom_score_adj_update (include/trace/events/oom.h, 6.12) */
void __trace_oom_score_adj_update(struct pf_machine *m, int pid, const char *comm, short oom_score_adj)
{
	emit(m, TRACE_OOM_SCORE_ADJ_UPDATE, "pid=%d comm=%s oom_score_adj=%hd", pid, comm, oom_score_adj);
}

/* wake_reaper, start_task_reaping, finish_task_reaping (6.12): the pid alone */
void __trace_oom_reaper(struct pf_machine *m, enum pf_trace_event ev, int pid)
{
	emit(m, ev, "pid=%d", pid);
}

/* reclaim_retry_zone (include/trace/events/oom.h, 6.12) */
void __trace_reclaim_retry_zone(struct zone *zone, int order, unsigned long reclaimable, unsigned long available,
				unsigned long min_wmark, int no_progress_loops, bool wmark_check)
{
	emit(zone_machine(zone), TRACE_RECLAIM_RETRY_ZONE,
	     "node=%d zone=%-8s order=%d reclaimable=%lu available=%lu min_wmark=%lu no_progress_loops=%d "
	     "wmark_check=%d",
	     zone_to_nid(zone), zone_type_name(zone_idx(zone)), order, reclaimable, available, min_wmark,
	     no_progress_loops, wmark_check);
}

int pf_set_trace(struct pf_machine *m, const char *events, pf_trace_fn fn, void *arg)
{
	if (!m)
		return -EINVAL;
	if (!fn) {
		m->trace = NULL;
		m->trace_mask = 0;
		pf_fast_update(m);
		return 0;
	}
	unsigned long long mask = 0;
	if (!events || !strcmp(events, "all")) {
		mask = TRACE_NR_EVENTS == 64 ? ~0ULL : (1ULL << TRACE_NR_EVENTS) - 1;
	} else {
		const char *p = events;
		while (*p) {
			const char *comma = strchr(p, ',');
			size_t len = comma ? (size_t)(comma - p) : strlen(p);
			int found = 0;
			for (int i = 0; i < TRACE_NR_EVENTS; i++)
				if (strlen(event_names[i]) == len && !strncmp(event_names[i], p, len)) {
					mask |= 1ULL << i;
					found = 1;
				}
			if (!found)
				return -ENOENT;
			p += len + (comma ? 1 : 0);
		}
	}
	m->trace_arg = arg;
	m->trace_mask = mask;
	m->trace = fn;
	pf_fast_update(m);
	return 0;
}
