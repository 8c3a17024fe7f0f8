/* SPDX-License-Identifier: MIT */
/*
 * deferred_init.c - struct pages initialised when first needed: the
 * kernel's deferred struct page init (CONFIG_DEFERRED_STRUCT_PAGE_INIT,
 * mm/mm_init.c of Linux 6.12: deferred_init_memmap, deferred_grow_zone,
 * the pgdatinit threads) carried further, so that booting costs the same
 * whatever the memory size.
 *
 * At boot every free MAX_PAGE_ORDER block that lies wholly in one free
 * memblock range (the blocks memblock_free_all would free at the top
 * order) is marked in m->deferred_map, one bit per block, and its 1024
 * struct pages are not written.  Such a block is counted at once as the
 * kernel counts it after its deferred init: managed, free
 * (free_area[MAX_PAGE_ORDER].nr_free, NR_FREE_PAGES), its two pageblocks
 * MIGRATE_MOVABLE.  Only its struct pages wait.
 *
 * The deferred blocks of a zone are the tail of the zone's
 * free_area[MAX_PAGE_ORDER].free_list[MIGRATE_MOVABLE], in ascending pfn
 * order, as memblock_free_all would have queued them.  The list itself
 * holds only initialised blocks; whenever its last one is about to leave
 * while deferred blocks remain, the lowest deferred one is initialised and
 * queued first (deferred_refill, from the list removal helpers of
 * page_alloc.c, under zone->lock), so that the list is never empty for
 * lockless readers either.  So every reader of the free lists sees what it would see
 * on an eagerly booted machine, and the per-CPU fast paths never meet a
 * deferred page.
 *
 * Walkers by pfn initialise what they are about to change
 * (deferred_init_range: isolation, alloc_contig_range, compaction's free
 * scanner, pf_pfn_to_page) and read deferred blocks as the free blocks
 * they stand for without writing them (deferred_page_image: /proc views,
 * pf_check).  deferred_init_all initialises everything, as the kernel's
 * page_alloc_init_late does before the system runs.
 *
 * The memmap is reserved address space (MAP_NORESERVE): a page of struct
 * pages costs host memory only once written.
 */
#include "internal.h"

#include <string.h>

#define BLOCK_BITS	(8 * sizeof(unsigned long))

static inline unsigned long nr_blocks(const struct pf_machine *m)
{
	return m->memmap_pfns >> MAX_PAGE_ORDER;
}

static inline bool block_test(const struct pf_machine *m, unsigned long b)
{
	return (__atomic_load_n(&m->deferred_map[b / BLOCK_BITS], __ATOMIC_ACQUIRE) >> (b % BLOCK_BITS)) & 1;
}

/* the next set bit at or after @b below @end, or @end */
static unsigned long block_next(const struct pf_machine *m, unsigned long b, unsigned long end)
{
	while (b < end) {
		unsigned long w = __atomic_load_n(&m->deferred_map[b / BLOCK_BITS], __ATOMIC_ACQUIRE) >> (b % BLOCK_BITS);
		if (w) {
			b += (unsigned long)__builtin_ctzl(w);
			return b < end ? b : end;
		}
		b = (b / BLOCK_BITS + 1) * BLOCK_BITS;
	}
	return end;
}

/* the zone a deferred block belongs to: the node of its memblock range, the zone spanning it */
struct zone *deferred_pfn_zone(struct pf_machine *m, unsigned long pfn)
{
	for (int i = 0; i < m->nr_memory; i++) {
		if (pfn < m->memory[i].start_pfn || pfn >= m->memory[i].end_pfn)
			continue;
		pg_data_t *pgdat = NODE_DATA(m, m->memory[i].nid);
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			struct zone *zone = &pgdat->node_zones[j];
			if (populated_zone(zone) && zone_spans_pfn(zone, pfn))
				return zone;
		}
	}
	return NULL;
}

/* ---- boot ----------------------------------------------------------------------- */

/* the map: reserved address space, one bit per MAX_PAGE_ORDER block of [0, memmap_pfns) */
int deferred_init_reserve(struct pf_machine *m, char *err, size_t errlen)
{
	m->deferred_map_bytes = (nr_blocks(m) + BLOCK_BITS - 1) / BLOCK_BITS * sizeof(unsigned long);
	if (!m->deferred_map_bytes)
		m->deferred_map_bytes = sizeof(unsigned long);
	m->deferred_map = pf_os_reserve(m->deferred_map_bytes);
	if (!m->deferred_map) {
		snprintf(err, errlen, "cannot reserve %zu KiB for the deferred struct page map",
			 m->deferred_map_bytes >> 10);
		return -ENOMEM;
	}
	return 0;
}

/* set bits [b, e) of the map (boot: single-threaded) */
static void map_fill(struct pf_machine *m, unsigned long b, unsigned long e)
{
	for (; b < e && b % BLOCK_BITS; b++)
		m->deferred_map[b / BLOCK_BITS] |= 1UL << (b % BLOCK_BITS);
	if (b < e && e - b >= BLOCK_BITS) {
		memset(&m->deferred_map[b / BLOCK_BITS], 0xff, (e - b) / BLOCK_BITS * sizeof(unsigned long));
		b += (e - b) / BLOCK_BITS * BLOCK_BITS;
	}
	for (; b < e; b++)
		m->deferred_map[b / BLOCK_BITS] |= 1UL << (b % BLOCK_BITS);
}

/*
 * deferred_mark_range - boot, before memmap_init: the top-order blocks
 * __free_pages_memory would free from the free range [start_pfn,
 * end_pfn), those aligned to MAX_ORDER_NR_PAGES and wholly inside it, are
 * deferred.  A few words of the map per range, whatever its size.
 */
void deferred_mark_range(struct pf_machine *m, unsigned long start_pfn, unsigned long end_pfn)
{
	unsigned long b = (start_pfn + MAX_ORDER_NR_PAGES - 1) >> MAX_PAGE_ORDER, e = end_pfn >> MAX_PAGE_ORDER;
	if (b >= e)
		return;
	map_fill(m, b, e);
	m->nr_deferred_blocks += e - b;
}

/* the first pfn at or after deferred @pfn that is not deferred, at most @end_pfn */
unsigned long deferred_run_end(const struct pf_machine *m, unsigned long pfn, unsigned long end_pfn)
{
	unsigned long b = pfn >> MAX_PAGE_ORDER, end = (end_pfn + MAX_ORDER_NR_PAGES - 1) >> MAX_PAGE_ORDER;
	if (end > nr_blocks(m))
		end = nr_blocks(m);
	while (b < end) {
		unsigned long w = ~__atomic_load_n(&m->deferred_map[b / BLOCK_BITS], __ATOMIC_ACQUIRE) >> (b % BLOCK_BITS);
		if (w) {
			b += (unsigned long)__builtin_ctzl(w);
			break;
		}
		b = (b / BLOCK_BITS + 1) * BLOCK_BITS;
	}
	pfn = b << MAX_PAGE_ORDER;
	return pfn < end_pfn ? pfn : end_pfn;
}

/* deferred blocks in [start_pfn, end_pfn) (boot's memmap size check) */
unsigned long deferred_count(const struct pf_machine *m, unsigned long start_pfn, unsigned long end_pfn)
{
	unsigned long n = 0, end = end_pfn >> MAX_PAGE_ORDER;
	if (end > nr_blocks(m))
		end = nr_blocks(m);
	for (unsigned long b = (start_pfn + MAX_ORDER_NR_PAGES - 1) >> MAX_PAGE_ORDER; b < end;) {
		unsigned long w = m->deferred_map[b / BLOCK_BITS] >> (b % BLOCK_BITS);
		unsigned long left = BLOCK_BITS - b % BLOCK_BITS;
		if (end - b < left) {
			w &= (1UL << (end - b)) - 1;
			left = end - b;
		}
		n += (unsigned long)__builtin_popcountl(w);
		b += left;
	}
	return n;
}

/*
 * deferred_boot_free - memblock_free_all's part for the deferred blocks
 * of [start_pfn, end_pfn) (one free range): the counting of
 * __free_pages_core and __free_one_page per zone, nothing written to the
 * memmap.
 */
void deferred_boot_free(struct pf_machine *m, unsigned long start_pfn, unsigned long end_pfn)
{
	while (start_pfn < end_pfn) {
		struct zone *zone = deferred_pfn_zone(m, start_pfn);
		VM_BUG_ON(!zone);
		unsigned long e = zone_end_pfn(zone) < end_pfn ? zone_end_pfn(zone) : end_pfn;
		unsigned long n = (e - start_pfn) >> MAX_PAGE_ORDER;
		atomic_fetch_add(&zone->managed_pages, (long)(n << MAX_PAGE_ORDER));
		zone->free_area[MAX_PAGE_ORDER].nr_free += n;
		__mod_zone_page_state(zone, NR_FREE_PAGES, (long)(n << MAX_PAGE_ORDER));
		if (!zone->nr_deferred_blocks || start_pfn < zone->deferred_pfn)
			zone->deferred_pfn = start_pfn;
		zone->nr_deferred_blocks += n;
		start_pfn = e;
	}
}

/* ---- initialising a block ------------------------------------------------------------ */

/*
 * deferred_init_block - deferred_init_pages + deferred_free_pages
 * (mm_init.c, 6.12) for one top-order block: the struct pages as
 * memmap_init and __free_pages_core leave them, the head a PageBuddy of
 * MAX_PAGE_ORDER queued at the tail of its list.  It was counted at boot.
 * Context: zone->lock held; the block's bit set.
 */
static void deferred_init_block(struct pf_machine *m, struct zone *zone, unsigned long pfn)
{
	struct pf_page *page = pfn_to_page(m, pfn);

	for (unsigned long i = 0; i < MAX_ORDER_NR_PAGES; i++) {
		__init_single_page(m, page + i, zone->zone_idx, zone->node);
		set_page_count(page + i, 0);
	}
	/* the boot free's poison, sanitizer and unmap were done to the memory at boot (memblock_free_all) */
	set_page_private(page, MAX_PAGE_ORDER);
	__SetPageBuddy(page);
	list_add_tail(&page->buddy_list, &zone->free_area[MAX_PAGE_ORDER].free_list[MIGRATE_MOVABLE]);

	/* the pages are written before the bit says so (lockless readers test the bit first) */
	unsigned long b = pfn >> MAX_PAGE_ORDER;
	__atomic_fetch_and(&m->deferred_map[b / BLOCK_BITS], ~(1UL << (b % BLOCK_BITS)), __ATOMIC_RELEASE);
	zone->nr_deferred_blocks--;
	__atomic_fetch_sub(&m->nr_deferred_blocks, 1, __ATOMIC_RELEASE);
	__atomic_fetch_add(&m->nr_deferred_inited, 1, __ATOMIC_RELAXED);
}

/* the lowest deferred block of @zone: initialise and queue it.  Context: zone->lock held. */
static void deferred_grow_zone(struct pf_machine *m, struct zone *zone)
{
	unsigned long end = (zone_end_pfn(zone) + MAX_ORDER_NR_PAGES - 1) >> MAX_PAGE_ORDER;
	if (end > nr_blocks(m))
		end = nr_blocks(m);
	for (unsigned long b = zone->deferred_pfn >> MAX_PAGE_ORDER;; b++) {
		b = block_next(m, b, end);
		VM_BUG_ON(b >= end);	/* nr_deferred_blocks said there was one */
		if (b >= end)
			return;
		unsigned long pfn = b << MAX_PAGE_ORDER;
		/* blocks of other nodes' zones may lie inside this zone's span */
		if (pfn < zone->zone_start_pfn || deferred_pfn_zone(m, pfn) != zone)
			continue;
		deferred_init_block(m, zone, pfn);
		zone->deferred_pfn = pfn + MAX_ORDER_NR_PAGES;
		return;
	}
}

/*
 * deferred_refill - keep the first deferred block of @zone on its list:
 * at boot (with @leaving NULL) when the list is empty, and from the list
 * removal helpers of page_alloc.c just before @leaving, a top-order block,
 * leaves a list.  The next block is queued before the last one goes, not
 * after: the watermark check reads the lists without zone->lock
 * (__zone_watermark_ok), and a list that was empty for an instant would
 * fail a high-order request on a zone with plenty free, sending it to the
 * next zone, even another node.  Context: zone->lock held.
 */
void deferred_refill(struct zone *zone, struct pf_page *leaving)
{
	struct list_head *head = &zone->free_area[MAX_PAGE_ORDER].free_list[MIGRATE_MOVABLE];

	if (!zone->nr_deferred_blocks)
		return;
	if (leaving ? head->next == &leaving->buddy_list && head->prev == &leaving->buddy_list : list_empty(head))
		deferred_grow_zone(zone_machine(zone), zone);
}

/*
 * deferred_init_range - initialise every deferred block that [start_pfn,
 * end_pfn) touches, each under its zone's lock, for a walker about to read
 * or change those pages.  Context: no zone->lock held.
 */
void deferred_init_range(struct pf_machine *m, unsigned long start_pfn, unsigned long end_pfn)
{
	if (!__atomic_load_n(&m->nr_deferred_blocks, __ATOMIC_ACQUIRE) || start_pfn >= end_pfn)
		return;
	unsigned long end = ((end_pfn - 1) >> MAX_PAGE_ORDER) + 1;
	if (end > nr_blocks(m))
		end = nr_blocks(m);
	for (unsigned long b = block_next(m, start_pfn >> MAX_PAGE_ORDER, end); b < end; b = block_next(m, b + 1, end)) {
		unsigned long pfn = b << MAX_PAGE_ORDER;
		struct zone *zone = deferred_pfn_zone(m, pfn);
		if (!zone)
			continue;
		pf_spin_lock(&zone->lock);
		if (block_test(m, b))	/* not taken by someone else meanwhile */
			deferred_init_block(m, zone, pfn);
		pf_spin_unlock(&zone->lock);
	}
}

/*
 * deferred_init_all - page_alloc_init_late's wait for the pgdatinit
 * threads (deferred_init_memmap, 6.12): every deferred block initialised
 * and queued in ascending order, the lock dropped between blocks.
 */
void deferred_init_all(struct pf_machine *m)
{
	for (int nid = 0; nid < m->nr_node_ids; nid++) {
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			struct zone *zone = &NODE_DATA(m, nid)->node_zones[j];
			for (;;) {
				pf_spin_lock(&zone->lock);
				bool more = zone->nr_deferred_blocks != 0;
				if (more)
					deferred_grow_zone(m, zone);
				pf_spin_unlock(&zone->lock);
				if (!more)
					break;
			}
		}
	}
}

/* ---- reading without initialising ------------------------------------------------------ */

/*
 * deferred_page_image - what the struct page of deferred @pfn will hold
 * once initialised, written to @out: a views' stand-in that leaves the
 * memmap untouched.  The head of the block is a PageBuddy of
 * MAX_PAGE_ORDER; list pointers point at the copy itself.
 */
void deferred_page_image(struct pf_machine *m, unsigned long pfn, struct pf_page *out)
{
	struct zone *zone = deferred_pfn_zone(m, pfn);
	__init_single_page(m, out, zone ? zone->zone_idx : 0, zone ? zone->node : 0);
	set_page_count(out, 0);
	if (!(pfn & (MAX_ORDER_NR_PAGES - 1))) {
		set_page_private(out, MAX_PAGE_ORDER);
		__SetPageBuddy(out);
	}
}
