/* SPDX-License-Identifier: MIT */
/*
 * debug_page.c - reporting and checking: bad_page and dump_page printing
 * the kernel's output lines (mm/page_alloc.c bad_page, mm/debug.c __dump_folio,
 * lib/vsprintf.c %pGp, Linux 6.12), VM_BUG_ON's failure, and pf_check, the
 * whole-machine invariant walk.
 *
 * Reporting never changes a page: the kernel's bad_page clears PageBuddy,
 * ours does not, because our callers only report pages they did not free.
 */
#include "internal.h"
#include "migrate.h"

#include <stdlib.h>
#include <string.h>

/*
 * pf_page_machine_scan - pf_page_machine_fast beyond slot 0: slots 1..7 by
 * address range, without dereferencing @page until it is known to lie in a
 * memmap.  NULL: not found there (the full search decides).
 */
struct pf_machine *pf_page_machine_scan(const struct pf_page *page)
{
	int used = atomic_load_explicit(&pf_machine_slots_used, memory_order_relaxed);
	for (int i = 1; i < used && i < 8; i++) {
		struct pf_machine *m = atomic_load_explicit(&pf_machine_table[i], memory_order_acquire);
		if (!m || !m->mem_map || !pf_page_in_memmap(m, page))
			continue;
		if ((((uintptr_t)page - (uintptr_t)m->mem_map) & (sizeof(struct pf_page) - 1)) ||
		    page_machine_id(page) != (unsigned)i)
			return NULL;
		return m;
	}
	return NULL;
}

/* pf_vm_bug: a broken invariant of the allocator itself, in the kernel's BUG words, then abort. */
void pf_vm_bug(struct pf_machine *m, const char *file, int line, const char *func, const char *cond)
{
	pf_printk(m, '0', "kernel BUG at %s:%d!", file, line);
	pf_printk(m, '0', "%s: VM_BUG_ON(%s)", func, cond);
	abort();
}

/* pf_vm_bug_page: VM_BUG_ON_PAGE's failure: the page's state first, as mmdebug.h's dump_page. */
void pf_vm_bug_page(struct pf_page *page, const char *file, int line, const char *func, const char *cond)
{
	struct pf_machine *m = page ? pf_page_machine(page) : NULL;
	if (m)
		dump_page(page, cond);
	pf_vm_bug(m, file, line, func, cond);
}

/* pageflag_names (include/trace/events/mmflags.h, 6.12), in printing order. */
static const struct {
	int bit;
	const char *name;
} pageflag_names[] = {
	{ PG_locked, "locked" }, { PG_waiters, "waiters" }, { PG_referenced, "referenced" },
	{ PG_uptodate, "uptodate" }, { PG_dirty, "dirty" }, { PG_lru, "lru" }, { PG_active, "active" },
	{ PG_workingset, "workingset" }, { PG_owner_priv_1, "owner_priv_1" }, { PG_owner_2, "owner_2" },
	{ PG_arch_1, "arch_1" }, { PG_reserved, "reserved" }, { PG_private, "private" },
	{ PG_private_2, "private_2" }, { PG_writeback, "writeback" }, { PG_head, "head" },
	{ PG_reclaim, "reclaim" }, { PG_swapbacked, "swapbacked" }, { PG_unevictable, "unevictable" },
	{ PG_mlocked, "mlocked" }, { PG_hwpoison, "hwpoison" }, { PG_idle, "idle" }, { PG_young, "young" },
};

/* %pGp (format_page_flags): "0x<flags>(names|node=N|zone=Z|lastcpupid=0x..)". */
void format_page_flags(unsigned long flags, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "%#lx(", flags);
	unsigned long main_flags = flags & PF_PAGEFLAGS_MASK;
	bool append = false;

	for (size_t i = 0; i < sizeof pageflag_names / sizeof pageflag_names[0] && main_flags && n < len; i++) {
		unsigned long mask = 1UL << pageflag_names[i].bit;
		if (!(main_flags & mask))
			continue;
		main_flags &= ~mask;
		n += (size_t)snprintf(buf + n, len - n, "%s%s", pageflag_names[i].name, main_flags ? "|" : "");
		append = true;
	}
	if (main_flags && n < len)
		n += (size_t)snprintf(buf + n, len - n, "%#lx", main_flags);
	if (n < len)
		n += (size_t)snprintf(buf + n, len - n, "%snode=%lu|zone=%lu|lastcpupid=%#lx)", append ? "|" : "",
				      (flags >> PF_NODES_PGSHIFT) & PF_NODES_MASK,
				      (flags >> PF_ZONES_PGSHIFT) & PF_ZONES_MASK,
				      (flags >> PF_LAST_CPUPID_PGSHIFT) & PF_LAST_CPUPID_MASK);
}

static const char *page_type_name(unsigned int page_type)
{
	static const char *const names[] = {
		[PGTY_buddy - 0xf0] = "buddy", [PGTY_offline - 0xf0] = "offline", [PGTY_table - 0xf0] = "table",
		[PGTY_guard - 0xf0] = "guard", [PGTY_hugetlb - 0xf0] = "hugetlb", [PGTY_slab - 0xf0] = "slab",
		[PGTY_unaccepted - 0xf0] = "unaccepted",
	};
	unsigned i = (page_type >> 24) - 0xf0;
	if (i >= sizeof names / sizeof names[0])
		return "unknown";
	return names[i] ? names[i] : "(null)";
}

/* page_snapshot: a word-by-word copy of a page another thread may be rewriting (see dump_page). */
static __data_race void page_snapshot(struct pf_page *dst, const struct pf_page *src)
{
	const volatile unsigned long *from = (const volatile unsigned long *)src;
	for (size_t i = 0; i < sizeof *src / sizeof(unsigned long); i++) {
		unsigned long w = from[i];
		memcpy((char *)dst + i * sizeof w, &w, sizeof w);	/* a byte copy: no aliasing assumptions */
	}
}

/*
 * dump_page (mm/debug.c __dump_folio, 6.12).  %p pointers print as the
 * kernel's hashed form would look: 16 hex digits.  Everything printed
 * comes from snapshots of the page and its head, as the kernel's
 * dump_page copies a page it cannot pin: a double free that lost its race
 * reports the page while the winner is freeing it.
 */
void dump_page(struct pf_page *page, const char *reason)
{
	struct pf_machine *m = page_machine(page);
	struct pf_page precise, hs, t1;
	memset(&t1, 0, sizeof t1);	/* gcc cannot see the word copy fill them */
	page_snapshot(&precise, page);
	struct pf_page *head = (precise.compound_head & 1) ? (struct pf_page *)(precise.compound_head - 1) : page;
	if (head != page)
		page_snapshot(&hs, head);
	else
		hs = precise;
	bool is_head = hs.flags & (1UL << PG_head);
	if (is_head)
		page_snapshot(&t1, head + 1);
	unsigned long pfn = page_to_pfn(page);
	unsigned long idx = (unsigned long)(page - head);
	int mapcount = precise._mapcount;
	char flags[256];

	mapcount = pf_page_type_has_type((unsigned)mapcount) ? 0 : mapcount + 1;
	pf_printk(m, '4', "page: refcount:%d mapcount:%d mapping:%016lx index:%#lx pfn:%#lx", hs._refcount,
		  mapcount, (unsigned long)hs.mapping, hs.index + idx, pfn);
	if (is_head)
		pf_printk(m, '4', "head: order:%u mapcount:%d entire_mapcount:%d nr_pages_mapped:%d pincount:%d",
			  (unsigned)(t1.flags & 0xff), t1._large_mapcount + 1, t1._entire_mapcount + 1,
			  t1._nr_pages_mapped, t1._pincount);
	if (hs.memcg_data)
		pf_printk(m, '4', "memcg:%lx", hs.memcg_data);
	format_page_flags(hs.flags, flags, sizeof flags);
	pf_printk(m, '4', "%sflags: %s%s", ((unsigned long)hs.mapping & 1) ? "anon " : "", flags,
		  get_pfnblock_migratetype(page, pfn) == MIGRATE_CMA ? " CMA" : "");
	if (pf_page_has_type(&hs))
		pf_printk(m, '4', "page_type: %x(%s)", hs.page_type >> 24, page_type_name(hs.page_type));
	const unsigned long *w = (const unsigned long *)&precise;
	for (int row = 0; row < 2; row++)
		pf_printk(m, '4', "raw: %016lx %016lx %016lx %016lx", w[row * 4], w[row * 4 + 1], w[row * 4 + 2],
			  w[row * 4 + 3]);
	if (reason)
		pf_printk(m, '4', "page dumped because: %s", reason);
	dump_page_owner(m, page);	/* page_owner.c: the allocation and free record (mm/debug.c, 6.12) */
}

/*
 * bad_page (6.12): a burst of 60 reports, then quiet for the rest of that
 * minute, then a count of what was suppressed.  Every call is counted in
 * nr_bad_pages (shown as vmstat's pageframe_bad_pages).
 */
void bad_page(struct pf_page *page, const char *reason)
{
	struct pf_machine *m = page_machine(page);
	unsigned long now = (unsigned long)(pf_os_now_ns() / 1000000000ull);
	unsigned long unshown;

	atomic_fetch_add(&m->nr_bad_pages, 1);
	if (!pf_burst_limit_pass(&m->bad_page_rs, 60, 60, now, &unshown))
		return;
	if (unshown)
		pf_printk(m, '1', "BUG: Bad page state: %lu messages suppressed", unshown);

	pf_printk(m, '1', "BUG: Bad page state in process %s  pfn:%05lx", pf_os_comm(), page_to_pfn(page));
	dump_page(page, reason);
}

/* ---- pf_check -------------------------------------------------------------------- */

static const char *mt_name(int mt)
{
	static const char *const names[MIGRATE_TYPES] = { "Unmovable", "Movable", "Reclaimable", "HighAtomic", "CMA",
							  "Isolate" };
	return mt >= 0 && mt < MIGRATE_TYPES ? names[mt] : "unknown";
}

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EUCLEAN;
}

/*
 * check_free_block_hygiene - a free block sits on the list of its
 * pageblock's type (6.10+: __add_to_free_list warns otherwise), and one of
 * pageblock order or more spans pageblocks of that one type only
 * (__free_one_page re-types a merged buddy, try_to_steal_block re-types
 * the whole range).  Free pages of an isolated pageblock are on the
 * Isolate list and nowhere else, and a free page is never isolated for
 * migration.  Context: zone->lock held.
 */
static int check_free_block_hygiene(struct pf_machine *m, struct zone *zone, struct pf_page *page, unsigned long pfn,
				    unsigned int o, int mt, char *err, size_t errlen)
{
	if (PageIsolated(page))
		return fail(err, errlen,
			    "isolation: free pfn %#lx (Node %d zone %s, order %u, %s list) has PG_isolated set: a page "
			    "isolated for migration must be migrated or put back to its owner before it is freed",
			    pfn, zone->node, zone->name, o, mt_name(mt));
	unsigned long nr = o < pageblock_order ? 1 : 1UL << (o - pageblock_order);
	for (unsigned long i = 0; i < nr; i++) {
		unsigned long bpfn = (pfn & ~(pageblock_nr_pages - 1)) + i * pageblock_nr_pages;
		int bmt = get_pfnblock_migratetype(pfn_to_page(m, bpfn), bpfn);
		if (bmt == mt)
			continue;
		if (is_migrate_isolate(bmt))
			return fail(err, errlen,
				    "isolation: pfn %#lx (Node %d zone %s, order %u) of isolated pageblock %#lx is on the %s "
				    "free list: free pages of an isolated pageblock belong on the Isolate list, where no "
				    "allocation can take them",
				    pfn, zone->node, zone->name, o, bpfn, mt_name(mt));
		if (is_migrate_isolate(mt))
			return fail(err, errlen,
				    "isolation: pfn %#lx (Node %d zone %s, order %u) is on the Isolate free list but its "
				    "pageblock %#lx is %s: it would be kept from allocation and from NR_FREE_PAGES for good",
				    pfn, zone->node, zone->name, o, bpfn, mt_name(bmt));
		if (o < pageblock_order)
			return fail(err, errlen,
				    "free-list hygiene: pfn %#lx (Node %d zone %s, order %u) is on the %s free list but its "
				    "pageblock %#lx is %s: a free block below pageblock order belongs on its pageblock's "
				    "list, or requests of one type take pages of another",
				    pfn, zone->node, zone->name, o, mt_name(mt), bpfn, mt_name(bmt));
		return fail(err, errlen,
			    "free-list hygiene: pfn %#lx (Node %d zone %s, order %u) on the %s free list spans pageblock "
			    "%#lx of type %s: a free block of pageblock order or more spans pageblocks of its list's "
			    "type only, or splitting it puts pages on the wrong lists",
			    pfn, zone->node, zone->name, o, mt_name(mt), bpfn, mt_name(bmt));
	}
	return 0;
}

/*
 * check_isolated_page - a page isolated for migration (PG_isolated on a
 * movable page) is an allocated block's head held by its isolator, until
 * migrate_pages or putback_movable_pages lets it go.  Return: 1 when
 * @page is such a page, 0 when it is not isolated, or -EUCLEAN.
 */
static int check_isolated_page(struct pf_machine *m, struct zone *zone, struct pf_page *page, unsigned long pfn,
			       char *err, size_t errlen)
{
	if (!PageIsolated(page) || PageBuddy(page))
		return 0;	/* a free page with PG_isolated is caught on its free list */
	/* PG_isolated shares PG_reclaim's bit: only a movable page's is an isolation */
	if (!__PageMovable(page))
		return 0;
	const char *why = NULL;
	if (!__atomic_load_n(&m->alloc_order[pfn], __ATOMIC_RELAXED))
		why = "is not the head of an allocated block";
	else if (page_ref_count(page) < 1)
		why = "holds no reference (refcount 0)";
	if (why)
		return fail(err, errlen,
			    "isolation: pfn %#lx (Node %d zone %s, pageblock type %s) is isolated for migration "
			    "(PG_isolated) but %s: its isolator holds a reference on an allocated movable page until "
			    "migration or putback drops it",
			    pfn, zone->node, zone->name, mt_name(get_pfnblock_migratetype(page, pfn)), why);
	return 1;
}

/*
 * check_isolate_count - zone->nr_isolate_pageblock counts the zone's
 * MIGRATE_ISOLATE pageblocks (page_isolation.c keeps it under zone->lock).
 * Context: zone->lock held.
 */
static int check_isolate_count(struct pf_machine *m, struct zone *zone, char *err, size_t errlen)
{
	unsigned long n = 0;
	for (unsigned long b = zone->zone_start_pfn & ~(pageblock_nr_pages - 1); b < zone_end_pfn(zone);
	     b += pageblock_nr_pages)
		if (is_migrate_isolate(usemap_mt(m, b)))
			n++;
	if (n != zone->nr_isolate_pageblock)
		return fail(err, errlen, "isolation: Node %d zone %s: nr_isolate_pageblock is %lu but %lu pageblocks "
			    "are isolated", zone->node, zone->name, zone->nr_isolate_pageblock, n);
	return 0;
}

/*
 * check_deferred_blocks - each top-order block of the zone still marked
 * deferred lies in it and has MIGRATE_MOVABLE pageblocks; their number is
 * zone->nr_deferred_blocks.  They count as free blocks of the top order
 * (the list walks make sure no listed block lies in one).  Their pages
 * are not read, nor marked in @seen: a terabyte machine's check writes
 * nothing per deferred page.  Context: zone->lock held.
 */
static int check_deferred_blocks(struct pf_machine *m, struct zone *zone, unsigned long *blocks, long *free_pages,
				 char *err, size_t errlen)
{
	unsigned long start = zone->zone_start_pfn, end = zone_end_pfn(zone), n = 0;
	for (unsigned long pfn = (start + MAX_ORDER_NR_PAGES - 1) & ~(MAX_ORDER_NR_PAGES - 1);
	     pfn + MAX_ORDER_NR_PAGES <= end; pfn += MAX_ORDER_NR_PAGES) {
		if (!deferred_pfn(m, pfn) || deferred_pfn_zone(m, pfn) != zone)
			continue;
		for (unsigned long b = 0; b < MAX_ORDER_NR_PAGES; b += pageblock_nr_pages)
			if (usemap_mt(m, pfn + b) != MIGRATE_MOVABLE)
				return fail(err, errlen, "deferred pfn %#lx of zone %s is in a pageblock of type %d", pfn + b,
					    zone->name, usemap_mt(m, pfn + b));
		n++;
	}
	if (n != zone->nr_deferred_blocks)
		return fail(err, errlen, "Node %d zone %s: nr_deferred_blocks is %lu but %lu blocks are deferred", zone->node,
			    zone->name, zone->nr_deferred_blocks, n);
	*blocks += n;
	*free_pages += (long)(n << MAX_PAGE_ORDER);
	return 0;
}

/*
 * pf_check_zone - Context: takes zone->lock.
 * Invariants: each block on free_area[o].free_list[mt] is PageBuddy with
 * order o in private, aligned to 2^o, inside the zone, refcount 0, on the
 * list of its pageblock's type (below pageblock order) and listed once;
 * nr_free counts the blocks; NR_FREE_PAGES (and the CMA and highatomic
 * counters) the pages; every PageBuddy page of the zone is a listed block.
 */
static int pf_check_zone(struct pf_machine *m, struct zone *zone, unsigned char *seen, unsigned long *nr_isolated,
			 char *err, size_t errlen)
{
	long free_pages = 0, free_cma = 0, free_highatomic = 0;
	int rc = 0;
	unsigned long start = zone->zone_start_pfn, end = zone_end_pfn(zone);

	/* lock order as the kernel's: every pcp->lock, then zone->lock */
	for (int cpu = 0; cpu < m->nr_cpus; cpu++)
		pcp_spin_lock(zone, &zone->per_cpu_pageset[cpu]);
	pf_spin_lock(&zone->lock);
	for (unsigned o = 0; o < NR_PAGE_ORDERS && !rc; o++) {
		struct free_area *area = &zone->free_area[o];
		unsigned long blocks = 0;
		for (int mt = 0; mt < MIGRATE_TYPES && !rc; mt++) {
			struct list_head *head = &area->free_list[mt], *pos;
			unsigned long guard = 0;
			list_for_each(pos, head) {
				struct pf_page *page = container_of(pos, struct pf_page, buddy_list);
				unsigned long pfn = page_to_pfn(page);
				if (++guard > m->memmap_pfns) {
					rc = fail(err, errlen, "Node %d zone %s order %u type %d: free list loops",
						  zone->node, zone->name, o, mt);
					break;
				}
				if (pfn < start || pfn + (1UL << o) > end) {
					rc = fail(err, errlen, "pfn %#lx (order %u) on the free list of zone %s is outside it",
						  pfn, o, zone->name);
					break;
				}
				if (!PageBuddy(page) || buddy_order(page) != o) {
					rc = fail(err, errlen, "pfn %#lx on the order-%u free list is %s (order %lu)", pfn, o,
						  PageBuddy(page) ? "PageBuddy of another order" : "not PageBuddy",
						  page_private(page));
					break;
				}
				if (pfn & ((1UL << o) - 1)) {
					rc = fail(err, errlen, "pfn %#lx is not aligned to its order %u", pfn, o);
					break;
				}
				if (deferred_pfn(m, pfn)) {
					rc = fail(err, errlen, "pfn %#lx on the order-%u free list is in a deferred block", pfn, o);
					break;
				}
				if (page_ref_count(page) != 0) {
					rc = fail(err, errlen, "free pfn %#lx has refcount %d", pfn, page_ref_count(page));
					break;
				}
				rc = check_free_block_hygiene(m, zone, page, pfn, o, mt, err, errlen);
				if (rc)
					break;
				for (unsigned long i = 0; i < (1UL << o); i++) {
					if (seen[pfn + i - start]) {
						rc = fail(err, errlen, "pfn %#lx is free twice (overlapping free blocks)",
							  pfn + i);
						break;
					}
					seen[pfn + i - start] = 1;
				}
				if (rc)
					break;
				blocks++;
				if (!is_migrate_isolate(mt))
					free_pages += 1L << o;
				if (is_migrate_cma(mt))
					free_cma += 1L << o;
				if (is_migrate_highatomic(mt))
					free_highatomic += 1L << o;
			}
		}
		/* the deferred blocks: the tail of the top-order movable list (deferred_init.c) */
		if (!rc && o == MAX_PAGE_ORDER)
			rc = check_deferred_blocks(m, zone, &blocks, &free_pages, err, errlen);
		if (!rc && blocks != area->nr_free)
			rc = fail(err, errlen, "Node %d zone %s order %u: nr_free is %lu but the lists hold %lu blocks",
				  zone->node, zone->name, o, area->nr_free, blocks);
	}
	if (!rc && free_pages != zone_page_state_snapshot(zone, NR_FREE_PAGES))
		rc = fail(err, errlen, "Node %d zone %s: NR_FREE_PAGES is %ld but the lists hold %ld pages", zone->node,
			  zone->name, zone_page_state_snapshot(zone, NR_FREE_PAGES), free_pages);
	if (!rc && free_cma != zone_page_state_snapshot(zone, NR_FREE_CMA_PAGES))
		rc = fail(err, errlen, "Node %d zone %s: NR_FREE_CMA_PAGES disagrees with the lists", zone->node,
			  zone->name);
	if (!rc)
		rc = check_isolate_count(m, zone, err, errlen);
	if (!rc && (unsigned long)free_highatomic != zone->nr_free_highatomic)
		rc = fail(err, errlen, "Node %d zone %s: nr_free_highatomic is %lu but the lists hold %ld", zone->node,
			  zone->name, zone->nr_free_highatomic, free_highatomic);

	/* The per-CPU lists: free blocks that are not PageBuddy, each listed once. */
	for (int cpu = 0; cpu < m->nr_cpus && !rc; cpu++) {
		struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];
		long count = 0;
		for (int pindex = 0; pindex < NR_PCP_LISTS && !rc; pindex++) {
			unsigned order = pindex >= NR_SMALL_PCP_LISTS ? pageblock_order : (unsigned)pindex / MIGRATE_PCPTYPES;
			struct list_head *pos;
			unsigned long guard = 0;
			list_for_each(pos, &pcp->lists[pindex]) {
				struct pf_page *page = container_of(pos, struct pf_page, pcp_list);
				unsigned long pfn = page_to_pfn(page);
				if (++guard > m->memmap_pfns) {
					rc = fail(err, errlen, "cpu %d pcp list %d of zone %s loops", cpu, pindex, zone->name);
					break;
				}
				if (pfn < start || pfn + (1UL << order) > end || (pfn & ((1UL << order) - 1))) {
					rc = fail(err, errlen, "pfn %#lx on cpu %d's pcp list %d is outside zone %s or misaligned",
						  pfn, cpu, pindex, zone->name);
					break;
				}
				if (deferred_pfn(m, pfn)) {
					rc = fail(err, errlen, "pfn %#lx on cpu %d's pcp list is in a deferred block", pfn, cpu);
					break;
				}
				if (PageBuddy(page) || page_ref_count(page) != 0) {
					rc = fail(err, errlen, "pfn %#lx on cpu %d's pcp list is %s (refcount %d)", pfn, cpu,
						  PageBuddy(page) ? "PageBuddy" : "not free", page_ref_count(page));
					break;
				}
				for (unsigned long i = 0; i < (1UL << order); i++) {
					if (seen[pfn + i - start]) {
						rc = fail(err, errlen, "pfn %#lx is on a pcp list and free elsewhere too", pfn + i);
						break;
					}
					seen[pfn + i - start] = 2;
				}
				count += 1L << order;
			}
		}
		if (!rc && count != pcp->count)
			rc = fail(err, errlen, "cpu %d zone %s: pcp->count is %d but the lists hold %ld pages", cpu, zone->name,
				  pcp->count, count);
	}

	/* Every page of the zone: free exactly once, or in use, or reserved/hole. */
	unsigned long managed_seen = 0;
	for (unsigned long pfn = start; pfn < end && !rc; pfn++) {
		if ((pfn & 32767) == 0 || pfn == start) {
			if (!pfn_valid(m, pfn)) {	/* a section without memmap */
				pfn |= 32767;
				continue;
			}
		}
		if (!(pfn & (MAX_ORDER_NR_PAGES - 1)) && deferred_pfn(m, pfn) && deferred_pfn_zone(m, pfn) == zone) {
			managed_seen += MAX_ORDER_NR_PAGES;	/* free, counted above; its pages are not written */
			pfn += MAX_ORDER_NR_PAGES - 1;
			continue;
		}
		struct pf_page *page = pfn_to_page(m, pfn);
		bool listed = seen[pfn - start] != 0;
		int isolated = check_isolated_page(m, zone, page, pfn, err, errlen);
		if (isolated < 0) {
			rc = isolated;
			break;
		}
		*nr_isolated += (unsigned long)isolated;
		if (PageBuddy(page) && seen[pfn - start] != 1)
			rc = fail(err, errlen, "pfn %#lx is PageBuddy but on no free list", pfn);
		else if (!listed && !PageReserved(page) && pf_page_to_nid(page) == zone->node &&
			 (int)pf_page_zonenum(page) == zone->zone_idx)
			managed_seen++;	/* in use */
		else if (listed)
			managed_seen++;
		if (!rc && (page_machine_id(page) != (unsigned)m->id || pf_page_zonenum(page) != (unsigned)zone->zone_idx ||
			    pf_page_to_nid(page) != zone->node) && !PageReserved(page))
			rc = fail(err, errlen, "pfn %#lx of zone %s has node/zone/machine links %d/%u/%u", pfn,
				  zone->name, pf_page_to_nid(page), pf_page_zonenum(page), page_machine_id(page));
	}
	if (!rc && managed_seen != zone_managed_pages(zone))
		rc = fail(err, errlen, "Node %d zone %s: %lu pages are free or in use but %lu are managed", zone->node,
			  zone->name, managed_seen, zone_managed_pages(zone));
	pf_spin_unlock(&zone->lock);
	for (int cpu = 0; cpu < m->nr_cpus; cpu++)
		pcp_spin_unlock(&zone->per_cpu_pageset[cpu]);
	return rc;
}

int pf_check_machine(struct pf_machine *m, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	for (int nid = 0; nid < m->nr_node_ids; nid++) {
		unsigned long nr_isolated = 0;
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &m->node_data[nid]->node_zones[z];
			if (!zone->spanned_pages)
				continue;
			/* reserved address space: only the bytes of listed pages are written (a terabyte zone costs little) */
			unsigned char *seen = pf_os_reserve(zone->spanned_pages);
			if (!seen)
				return fail(err, errlen, "out of memory for the check");
			int rc = pf_check_zone(m, zone, seen, &nr_isolated, err, errlen);
			pf_os_release(seen, zone->spanned_pages);
			if (rc)
				return rc;
		}
		/*
		 * 6.12 counts only isolated LRU folios in NR_ISOLATED_ANON/FILE;
		 * pageframe has no LRU, and its isolated movable pages are the
		 * PG_isolated ones checked above (migrate.c counts them nowhere).
		 */
		pg_data_t *pgdat = m->node_data[nid];
		long lru_isolated = atomic_load(&pgdat->vm_stat[NR_ISOLATED_ANON]) +
				    atomic_load(&pgdat->vm_stat[NR_ISOLATED_FILE]);
		if (lru_isolated)
			return fail(err, errlen,
				    "isolation: Node %d: NR_ISOLATED_ANON + NR_ISOLATED_FILE is %ld but pageframe has no "
				    "LRU pages to isolate: 6.12 counts only isolated LRU folios there (%lu movable pages "
				    "are isolated, known by PG_isolated)",
				    nid, lru_isolated, nr_isolated);
	}
	return 0;
}

/* pf_check: the public call (pageframe.h) */
int pf_check(struct pf_machine *m, char *err, size_t errlen)
{
	if (!m) {
		if (err && errlen)
			snprintf(err, errlen, "no machine");
		return -EINVAL;
	}
	return pf_check_machine(m, err, errlen);
}
