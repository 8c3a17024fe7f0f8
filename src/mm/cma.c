/* SPDX-License-Identifier: MIT */
/*
 * cma.c - the Contiguous Memory Allocator: areas declared by the machine
 * description, placed and activated at boot, and handed out in pieces by
 * pf_cma_alloc (mm/cma.c and kernel/dma/contiguous.c of Linux 6.12).
 *
 * An area is a run of MIGRATE_CMA pageblocks of one zone.  While nobody has
 * asked for it, movable allocations use it (ALLOC_CMA, page_alloc.c);
 * pf_cma_alloc finds a free stretch in the area's bitmap and takes it with
 * alloc_contig_range, migrating the movable pages out.
 *
 * Differences that hold for the whole file:
 *   - Every `cma` line of a description declares one more area (the
 *     kernel's cma= parameter declares one; later ones replace it).  The
 *     first is named "reserved" as dma_contiguous_default_area is, the
 *     others cmaN.
 *   - A reservation the kernel would refuse with a log line and boot on
 *     without (bad alignment, beyond the limit, overlapping a reservation,
 *     no room, across zones) is an error naming the description's line.
 *   - order_per_bit is 0 (what cma= uses); no sysfs, debugfs or trace events.
 *
 * It must not call the OS.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define SZ_4G			(1ULL << 32)
#define CMA_MIN_ALIGNMENT_PAGES	pageblock_nr_pages
#define CMA_MIN_ALIGNMENT_BYTES	((unsigned long long)PAGE_SIZE * CMA_MIN_ALIGNMENT_PAGES)
#define BITS_PER_LONG		64

/* ---- the description: cma SIZE[@START[-LIMIT]] ---------------------------------------------------- */

/*
 * cma_parse - one `cma` line, read as early_cma (kernel/dma/contiguous.c,
 * 6.12) reads cma=: SIZE, then @START, then -LIMIT.  START alone makes
 * the limit START + SIZE, which dma_contiguous_reserve takes as a fixed
 * placement.  Deliberate difference: text after the value is refused.
 */
int cma_parse(struct pf_machine *m, const char *arg, int line, char *err, size_t errlen)
{
	unsigned long long size, base = 0, limit = 0;
	const char *p;

	if (!arg[0]) {
		snprintf(err, errlen, "cma: expected 'cma SIZE', 'cma SIZE@START' or 'cma SIZE@START-LIMIT'");
		return -EINVAL;
	}
	if (m->cma_area_count == MAX_CMA_AREAS) {
		snprintf(err, errlen, "cma: Not enough slots for CMA reserved regions! (at most %d)", MAX_CMA_AREAS);
		return -ENOSPC;
	}
	if (pf_parse_size(arg, &size, &p))
		goto bad;
	if (*p == '@') {
		if (pf_parse_size(p + 1, &base, &p))
			goto bad;
		if (*p == '-') {
			if (pf_parse_size(p + 1, &limit, &p))
				goto bad;
		} else {
			limit = base + size;
			if (limit < base)
				goto bad;
		}
	}
	if (*p)
		goto bad;
	if (!size) {
		snprintf(err, errlen, "cma: a size of 0 reserves nothing");
		return -EINVAL;
	}
	/* pageframe's own: keeps the 2 MiB rounding below from wrapping */
	if (size >= (1ULL << 52) || base >= (1ULL << 52) || limit > (1ULL << 52)) {
		snprintf(err, errlen, "cma: '%s' goes past the 52-bit physical address limit", arg);
		return -EINVAL;
	}
	struct cma *cma = &m->cma_areas[m->cma_area_count++];
	cma->req_size = size;
	cma->req_base = base;
	cma->req_limit = limit;
	/* dma_contiguous_reserve: fixed when START was given without a LIMIT of its own */
	cma->req_fixed = limit && base + size == limit;
	cma->line = line;
	return 0;
bad:
	snprintf(err, errlen, "cma: '%s' is not SIZE, SIZE@START or SIZE@START-LIMIT (sizes as 64M, 0x4000000)", arg);
	return -EINVAL;
}

/* ---- placement: memblock as cma_declare_contiguous_nid uses it ------------------------------------- */

__attribute__((format(printf, 4, 5)))
static int cma_err(const struct cma *cma, char *err, size_t errlen, const char *fmt, ...)
{
	char msg[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "line %d: cma: %s", cma->line, msg);
	return -EINVAL;
}

/* memblock_is_region_reserved: does [base, base + size) overlap a reservation? */
static bool memblock_is_region_reserved(const struct pf_machine *m, unsigned long long base, unsigned long long size)
{
	for (int i = 0; i < m->nr_reserved; i++) {
		unsigned long long rs = (unsigned long long)m->reserved[i].start_pfn << PAGE_SHIFT;
		unsigned long long re = (unsigned long long)m->reserved[i].end_pfn << PAGE_SHIFT;
		if (rs < base + size && base < re)
			return true;
	}
	return false;
}

/* Is [base, base + size) all memory (one run of memblock.memory)? */
static bool memblock_is_region_memory(const struct pf_machine *m, unsigned long long base, unsigned long long size)
{
	unsigned long long cur = base;
	for (int i = 0; i < m->nr_memory && cur < base + size; i++) {
		unsigned long long ms = (unsigned long long)m->memory[i].start_pfn << PAGE_SHIFT;
		unsigned long long me = (unsigned long long)m->memory[i].end_pfn << PAGE_SHIFT;
		if (ms <= cur && cur < me)
			cur = me;
	}
	return cur >= base + size;
}

/* A search of memblock's free ranges for @size bytes at @align inside [start, end). */
struct find_arg {
	unsigned long long start, end, size, align, found;
	bool top_down;
};

static bool try_range(struct find_arg *a, unsigned long long this_start, unsigned long long this_end)
{
	/* clamp to [start, end) */
	this_start = this_start < a->start ? a->start : this_start > a->end ? a->end : this_start;
	this_end = this_end < a->start ? a->start : this_end > a->end ? a->end : this_end;
	if (!a->top_down) {
		/* __memblock_find_range_bottom_up */
		unsigned long long cand = (this_start + a->align - 1) & ~(a->align - 1);
		if (cand < this_end && this_end - cand >= a->size) {
			a->found = cand;
			return true;
		}
	} else {
		/* __memblock_find_range_top_down */
		if (this_end < a->size)
			return false;
		unsigned long long cand = (this_end - a->size) & ~(a->align - 1);
		if (cand >= this_start) {
			a->found = cand;
			return true;
		}
	}
	return false;
}

/*
 * The free ranges of memblock (memory minus reserved), ascending, at most
 * @max of them: memory regions of one node that touch count as one, as
 * memblock merges them.
 */
static int free_mem_ranges(const struct pf_machine *m, unsigned long long (*out)[2], int max)
{
	int n = 0;
	for (int i = 0; i < m->nr_memory; i++) {
		unsigned long rs = m->memory[i].start_pfn, re = m->memory[i].end_pfn;
		/* merge regions of the same node that touch */
		while (i + 1 < m->nr_memory && m->memory[i + 1].start_pfn == re && m->memory[i + 1].nid == m->memory[i].nid)
			re = m->memory[++i].end_pfn;
		unsigned long cur = rs;
		for (int j = 0; j < m->nr_reserved && cur < re; j++) {
			if (m->reserved[j].end_pfn <= cur)
				continue;
			if (m->reserved[j].start_pfn >= re)
				break;
			if (m->reserved[j].start_pfn > cur && n < max) {
				out[n][0] = (unsigned long long)cur << PAGE_SHIFT;
				out[n++][1] = (unsigned long long)m->reserved[j].start_pfn << PAGE_SHIFT;
			}
			cur = m->reserved[j].end_pfn;
		}
		if (cur < re && n < max) {
			out[n][0] = (unsigned long long)cur << PAGE_SHIFT;
			out[n++][1] = (unsigned long long)re << PAGE_SHIFT;
		}
	}
	return n;
}

/*
 * memblock_find_in_range_node (6.12) for any node: the lowest (bottom-up)
 * or highest (top-down) @align-aligned free stretch of @size bytes inside
 * [start, end); 0 when there is none.
 */
static unsigned long long memblock_find_in_range(const struct pf_machine *m, unsigned long long size,
						 unsigned long long align, unsigned long long start,
						 unsigned long long end, bool bottom_up)
{
	static const int max = PF_MAX_REGIONS * 3;
	unsigned long long (*r)[2] = malloc(sizeof(*r) * (size_t)max);
	struct find_arg a = { 0, 0, size, align, 0, !bottom_up };
	if (!r)
		return 0;
	/* the first page is never handed out */
	a.start = start > PAGE_SIZE ? start : PAGE_SIZE;
	a.end = end > a.start ? end : a.start;
	int n = free_mem_ranges(m, r, max);
	if (bottom_up) {
		for (int i = 0; i < n; i++)
			if (try_range(&a, r[i][0], r[i][1]))
				break;
	} else {
		for (int i = n - 1; i >= 0; i--)
			if (try_range(&a, r[i][0], r[i][1]))
				break;
	}
	free(r);
	return a.found;
}

/* memblock_reserve: add [base, base + size) to the sorted reservations, merging neighbours. */
static int memblock_reserve(struct pf_machine *m, unsigned long long base, unsigned long long size, int line)
{
	unsigned long s = (unsigned long)(base >> PAGE_SHIFT), e = (unsigned long)((base + size) >> PAGE_SHIFT);
	int i = 0;
	if (m->nr_reserved >= PF_MAX_REGIONS)
		return -ENOSPC;
	while (i < m->nr_reserved && m->reserved[i].start_pfn < s)
		i++;
	memmove(&m->reserved[i + 1], &m->reserved[i], sizeof m->reserved[0] * (size_t)(m->nr_reserved - i));
	m->reserved[i] = (struct pf_region){ s, e, -1, line };
	m->nr_reserved++;
	/* merge touching or overlapping neighbours, as memblock_reserve does */
	int n = 0;
	for (int k = 0; k < m->nr_reserved; k++) {
		if (n && m->reserved[k].start_pfn <= m->reserved[n - 1].end_pfn) {
			if (m->reserved[k].end_pfn > m->reserved[n - 1].end_pfn)
				m->reserved[n - 1].end_pfn = m->reserved[k].end_pfn;
		} else {
			m->reserved[n++] = m->reserved[k];
		}
	}
	m->nr_reserved = n;
	return 0;
}

/*
 * cma_declare_contiguous_nid (6.12) with alignment 0, order_per_bit 0 and
 * no node, on x86-64 (no highmem: memory ends where the direct map does).
 * A fixed area is reserved at its base; otherwise bottom-up from 4 GiB when
 * memory reaches 4 GiB + size, else top-down below the limit.
 */
static int cma_declare_contiguous(struct pf_machine *m, struct cma *cma, unsigned long long base,
				  unsigned long long size, unsigned long long limit, bool fixed, char *err,
				  size_t errlen)
{
	unsigned long long memblock_end = (unsigned long long)m->max_pfn << PAGE_SHIFT;
	unsigned long long highmem_start = memblock_end;	/* __pa(high_memory - 1) + 1 on x86-64 */
	unsigned long long alignment = CMA_MIN_ALIGNMENT_BYTES;

	if (fixed && (base & (alignment - 1)))
		return cma_err(cma, err, errlen, "Region at 0x%llx must be aligned to 0x%llx bytes", base, alignment);
	base = (base + alignment - 1) & ~(alignment - 1);
	size = (size + alignment - 1) & ~(alignment - 1);
	limit &= ~(alignment - 1);
	if (!base)
		fixed = false;
	if (fixed && base < highmem_start && base + size > highmem_start)
		return cma_err(cma, err, errlen, "Region at 0x%llx defined on low/high memory boundary (0x%llx)", base,
			       highmem_start);
	if (limit == 0 || limit > memblock_end)
		limit = memblock_end;
	if (base + size > limit)
		return cma_err(cma, err, errlen, "Size (0x%llx) of region at 0x%llx exceeds limit (0x%llx)", size, base,
			       limit);

	if (fixed) {
		if (memblock_is_region_reserved(m, base, size))
			return cma_err(cma, err, errlen,
				       "Failed to reserve %llu MiB: [mem 0x%llx-0x%llx] overlaps a reserved range", size >> 20,
				       base, base + size - 1);
		/* pageframe's own: the kernel would reserve a hole and warn when activating it */
		if (!memblock_is_region_memory(m, base, size))
			return cma_err(cma, err, errlen, "Failed to reserve %llu MiB: [mem 0x%llx-0x%llx] is not all memory",
				       size >> 20, base, base + size - 1);
	} else {
		unsigned long long addr = 0;
		/* bottom-up from 4 GiB first, keeping clear of DMA and DMA32 */
		if (memblock_end >= SZ_4G + size)
			addr = memblock_find_in_range(m, size, alignment, SZ_4G, limit, true);
		/* no highmem on x86-64: the kernel's low/high retry never applies */
		if (!addr)
			addr = memblock_find_in_range(m, size, alignment, base, limit, false);
		if (!addr)
			return cma_err(cma, err, errlen, "Failed to reserve %llu MiB: no free aligned range below 0x%llx",
				       size >> 20, limit);
		base = addr;
	}
	if (memblock_reserve(m, base, size, cma->line))
		return cma_err(cma, err, errlen, "too many reserved ranges (at most %d)", PF_MAX_REGIONS);

	/* cma_init_reserved_mem */
	cma->base_pfn = (unsigned long)(base >> PAGE_SHIFT);
	cma->count = (unsigned long)(size >> PAGE_SHIFT);
	cma->order_per_bit = 0;
	m->totalcma_pages += cma->count;
	return 0;
}

/*
 * dma_contiguous_reserve (kernel/dma/contiguous.c, 6.12) - place each
 * declared area, as setup_arch does with the limit max_pfn_mapped (all
 * memory on x86-64) before the zones are laid out.  Return: 0, or an error
 * naming the line in @err.
 */
int dma_contiguous_reserve(struct pf_machine *m, char *err, size_t errlen)
{
	unsigned long long limit = (unsigned long long)m->max_pfn << PAGE_SHIFT;

	for (int i = 0; i < m->cma_area_count; i++) {
		struct cma *cma = &m->cma_areas[i];
		/* selected_limit = min_not_zero(limit_cmdline, limit) */
		unsigned long long sel_limit = cma->req_limit && cma->req_limit < limit ? cma->req_limit : limit;
		if (i == 0)
			snprintf(cma->name, sizeof cma->name, "reserved");
		else
			snprintf(cma->name, sizeof cma->name, "cma%d", i);
		pf_spin_lock_init(&cma->lock);
		int rc = cma_declare_contiguous(m, cma, cma->req_base, cma->req_size, sel_limit, cma->req_fixed, err,
						errlen);
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * cma_init_reserved_areas / cma_activate_area (6.12) - give each area its
 * bitmap and its pageblocks to the buddy allocator as MIGRATE_CMA
 * (init_cma_reserved_pageblock).  Runs after memblock_free_all and before
 * the watermarks are computed, as the kernel's core_initcall does.  An
 * area spanning two zones is an error here (the kernel frees it as
 * ordinary memory and logs "could not be activated").
 */
int cma_init_reserved_areas(struct pf_machine *m, char *err, size_t errlen)
{
	for (int i = 0; i < m->cma_area_count; i++) {
		struct cma *cma = &m->cma_areas[i];
		unsigned long base_pfn = cma->base_pfn;
		struct zone *zone = page_zone(pfn_to_page(m, base_pfn));

		for (unsigned long pfn = base_pfn + 1; pfn < base_pfn + cma->count; pfn++)
			if (page_zone(pfn_to_page(m, pfn)) != zone)
				return cma_err(cma, err, errlen,
					       "CMA area %s could not be activated: [mem 0x%llx-0x%llx] spans zones %s and %s",
					       cma->name, (unsigned long long)base_pfn << PAGE_SHIFT,
					       ((unsigned long long)(base_pfn + cma->count) << PAGE_SHIFT) - 1, zone->name,
					       page_zone(pfn_to_page(m, pfn))->name);
		cma->bitmap = calloc((cma->count + BITS_PER_LONG - 1) / BITS_PER_LONG, sizeof(unsigned long));
		if (!cma->bitmap) {
			snprintf(err, errlen, "out of memory for the bitmap of CMA area %s", cma->name);
			return -ENOMEM;
		}
		for (unsigned long pfn = base_pfn; pfn < base_pfn + cma->count; pfn += pageblock_nr_pages)
			init_cma_reserved_pageblock(pfn_to_page(m, pfn));
	}
	return 0;
}

/* The bitmaps, at machine teardown. */
void cma_release_areas(struct pf_machine *m)
{
	for (int i = 0; i < m->cma_area_count; i++) {
		free(m->cma_areas[i].bitmap);
		m->cma_areas[i].bitmap = NULL;
	}
}

/* ---- the bitmap ------------------------------------------------------------------------------------- */

static inline bool test_bit(unsigned long nr, const unsigned long *map)
{
	return (map[nr / BITS_PER_LONG] >> (nr % BITS_PER_LONG)) & 1;
}

static void bitmap_set_range(unsigned long *map, unsigned long start, unsigned long nr, bool set)
{
	for (unsigned long i = start; i < start + nr; i++) {
		if (set)
			map[i / BITS_PER_LONG] |= 1UL << (i % BITS_PER_LONG);
		else
			map[i / BITS_PER_LONG] &= ~(1UL << (i % BITS_PER_LONG));
	}
}

static unsigned long find_next_bit_val(const unsigned long *map, unsigned long size, unsigned long start, bool val)
{
	while (start < size && test_bit(start, map) != val)
		start++;
	return start < size ? start : size;
}

/*
 * cma_range_allocated (pageframe's own) - does [pfn, pfn + nr) hold pages
 * cma_alloc handed out?  Those go back through pf_cma_release, which
 * clears their bits; pf_free_contig_range refuses them.
 */
bool cma_range_allocated(struct pf_machine *m, unsigned long pfn, unsigned long nr)
{
	for (int a = 0; a < m->cma_area_count; a++) {
		struct cma *cma = &m->cma_areas[a];
		if (!cma->count || !cma->bitmap || pfn >= cma->base_pfn + cma->count || pfn + nr <= cma->base_pfn)
			continue;
		unsigned long lo = pfn > cma->base_pfn ? pfn : cma->base_pfn;
		unsigned long hi = pfn + nr < cma->base_pfn + cma->count ? pfn + nr : cma->base_pfn + cma->count;
		pf_spin_lock(&cma->lock);
		bool any = false;
		for (unsigned long p = lo; p < hi && !any; p++)
			any = test_bit((p - cma->base_pfn) >> cma->order_per_bit, cma->bitmap);
		pf_spin_unlock(&cma->lock);
		if (any)
			return true;
	}
	return false;
}

/*
 * bitmap_find_next_zero_area_off (lib/bitmap.c): the first run of @nr clear
 * bits at or after @start whose index plus @align_offset is a multiple of
 * @align_mask + 1; a value past @size when there is none.
 */
static unsigned long bitmap_find_next_zero_area_off(const unsigned long *map, unsigned long size, unsigned long start,
						    unsigned long nr, unsigned long align_mask,
						    unsigned long align_offset)
{
	unsigned long index, end, i;
again:
	index = find_next_bit_val(map, size, start, false);
	index = ((index + align_offset + align_mask) & ~align_mask) - align_offset;
	end = index + nr;
	if (end > size)
		return end;
	i = find_next_bit_val(map, end, index, true);
	if (i < end) {
		start = i + 1;
		goto again;
	}
	return index;
}

static unsigned long cma_bitmap_maxno(const struct cma *cma)
{
	return cma->count >> cma->order_per_bit;
}

static unsigned long cma_bitmap_aligned_mask(const struct cma *cma, unsigned int align_order)
{
	if (align_order <= cma->order_per_bit)
		return 0;
	return (1UL << (align_order - cma->order_per_bit)) - 1;
}

/* the area's base offset from an @align_order boundary, in bits */
static unsigned long cma_bitmap_aligned_offset(const struct cma *cma, unsigned int align_order)
{
	return (cma->base_pfn & ((1UL << align_order) - 1)) >> cma->order_per_bit;
}

static unsigned long cma_bitmap_pages_to_bits(const struct cma *cma, unsigned long pages)
{
	unsigned long a = 1UL << cma->order_per_bit;
	return ((pages + a - 1) & ~(a - 1)) >> cma->order_per_bit;
}

static void cma_clear_bitmap(struct cma *cma, unsigned long pfn, unsigned long count)
{
	unsigned long bitmap_no = (pfn - cma->base_pfn) >> cma->order_per_bit;
	unsigned long bitmap_count = cma_bitmap_pages_to_bits(cma, count);

	pf_spin_lock(&cma->lock);
	bitmap_set_range(cma->bitmap, bitmap_no, bitmap_count, false);
	pf_spin_unlock(&cma->lock);
}

/* cma_debug_show_areas (6.12): the free stretches of the area, "N@bit+...". */
static void cma_debug_show_areas(struct pf_machine *m, struct cma *cma)
{
	char line[512];
	size_t n = 0;
	unsigned long nbits = cma_bitmap_maxno(cma), start = 0, nr_total = 0;

	pf_spin_lock(&cma->lock);
	n += (size_t)snprintf(line + n, sizeof line - n, "cma: number of available pages: ");
	for (;;) {
		unsigned long next_zero_bit = find_next_bit_val(cma->bitmap, nbits, start, false);
		if (next_zero_bit >= nbits)
			break;
		unsigned long next_set_bit = find_next_bit_val(cma->bitmap, nbits, next_zero_bit, true);
		unsigned long nr_zero = next_set_bit - next_zero_bit;
		unsigned long nr_part = nr_zero << cma->order_per_bit;
		if (n < sizeof line)
			n += (size_t)snprintf(line + n, sizeof line - n, "%s%lu@%lu", nr_total ? "+" : "", nr_part,
					      next_zero_bit);
		nr_total += nr_part;
		start = next_zero_bit + nr_zero;
	}
	if (n < sizeof line)
		snprintf(line + n, sizeof line - n, "=> %lu free of %lu total pages", nr_total, cma->count);
	pf_spin_unlock(&cma->lock);
	pf_printk(m, '6', "%s", line);
}

/* ---- cma_alloc / cma_release ----------------------------------------------------------------------- */

/* The area @area of @m, or NULL with a report naming @caller. */
static struct cma *cma_area_of(struct pf_machine *m, int area, const char *caller)
{
	if (!m)
		return NULL;
	if (area < 0 || area >= m->cma_area_count) {
		pf_printk(m, '4', "pageframe: %s: no CMA area %d (the machine has %d)", caller, area, m->cma_area_count);
		return NULL;
	}
	return &m->cma_areas[area];
}

/*
 * __cma_alloc (6.12): find @count free pages at an alignment of
 * 2^@align pages in the bitmap, mark them, and take them with
 * alloc_contig_range; when that finds the range busy, unmark it and try
 * the next aligned stretch.  Counts CMA_ALLOC_SUCCESS or CMA_ALLOC_FAIL.
 */
static struct pf_page *__cma_alloc(struct pf_machine *m, struct cma *cma, unsigned long count, unsigned int align,
				   pf_gfp_t gfp)
{
	unsigned long mask, offset, pfn = ~0UL, start = 0;
	unsigned long bitmap_maxno, bitmap_no, bitmap_count;
	struct pf_page *page = NULL;
	int ret = -ENOMEM;

	if (!cma->count || !cma->bitmap || !count)
		return NULL;
	/* pageframe's own: a shift the kernel's callers never ask for */
	if (align >= BITS_PER_LONG) {
		pf_printk(m, '4', "pageframe: cma_alloc: alignment order %u is too large", align);
		return NULL;
	}
	mask = cma_bitmap_aligned_mask(cma, align);
	offset = cma_bitmap_aligned_offset(cma, align);
	bitmap_maxno = cma_bitmap_maxno(cma);
	bitmap_count = cma_bitmap_pages_to_bits(cma, count);
	if (bitmap_count > bitmap_maxno)
		return NULL;

	for (;;) {
		pf_spin_lock(&cma->lock);
		bitmap_no = bitmap_find_next_zero_area_off(cma->bitmap, bitmap_maxno, start, bitmap_count, mask, offset);
		if (bitmap_no >= bitmap_maxno) {
			pf_spin_unlock(&cma->lock);
			break;
		}
		/* marked ours before the lock goes, so alloc_contig_range runs without it */
		bitmap_set_range(cma->bitmap, bitmap_no, bitmap_count, true);
		pf_spin_unlock(&cma->lock);

		pfn = cma->base_pfn + (bitmap_no << cma->order_per_bit);
		pf_spin_lock(&m->cma_mutex);
		ret = alloc_contig_range(m, pfn, pfn + count, MIGRATE_CMA, gfp);
		pf_spin_unlock(&m->cma_mutex);
		if (ret == 0) {
			page = pfn_to_page(m, pfn);
			break;
		}
		cma_clear_bitmap(cma, pfn, count);
		if (ret != -EBUSY)
			break;
		/* busy: the next aligned stretch */
		start = bitmap_no + mask + 1;
	}

	if (ret && !(gfp & PF___GFP_NOWARN)) {
		pf_printk(m, '3', "__cma_alloc: %s: alloc failed, req-size: %lu pages, ret: %d", cma->name, count, ret);
		cma_debug_show_areas(m, cma);
	}
	__count_vm_events(m, page ? CMA_ALLOC_SUCCESS : CMA_ALLOC_FAIL, 1);
	return page;
}

struct pf_page *pf_cma_alloc(struct pf_machine *m, int area, unsigned long count, unsigned int align, bool no_warn)
{
	struct cma *cma = cma_area_of(m, area, "pf_cma_alloc");
	if (!cma)
		return NULL;
	return __cma_alloc(m, cma, count, align, PF_GFP_KERNEL | (no_warn ? PF___GFP_NOWARN : 0));
}

/*
 * cma_release (6.12): pages of the area go back (free_contig_range) and
 * their bitmap bits are cleared.  Deliberate differences: a range running
 * past the area's end (the kernel's VM_BUG_ON) or holding pages the bitmap
 * does not show as handed out, or one free_contig_range refuses, is
 * reported and changes nothing.
 */
bool pf_cma_release(struct pf_machine *m, int area, const struct pf_page *pages, unsigned long count)
{
	struct cma *cma = cma_area_of(m, area, "pf_cma_release");
	unsigned long pfn;

	if (!cma || !pages)
		return false;
	/* cma_pages_valid */
	if (!pf_page_in_memmap(m, pages) || ((uintptr_t)pages - (uintptr_t)m->mem_map) % sizeof(struct pf_page))
		return false;
	pfn = (unsigned long)(pages - m->mem_map);
	if (pfn < cma->base_pfn || pfn >= cma->base_pfn + cma->count)
		return false;
	if (count > cma->base_pfn + cma->count - pfn) {
		pf_printk(m, '4', "pageframe: cma_release: pfn %#lx + %lu pages runs past the end of CMA area %s", pfn,
			  count, cma->name);
		return false;
	}
	if (!count)
		return true;	/* cma_release of nothing: the pages are the area's, so it succeeds */
	pf_spin_lock(&cma->lock);
	unsigned long first = pfn - cma->base_pfn, bad = ~0UL;
	for (unsigned long i = first; i < first + count && bad == ~0UL; i++)
		if (!test_bit(i >> cma->order_per_bit, cma->bitmap))
			bad = i;
	pf_spin_unlock(&cma->lock);
	if (bad != ~0UL) {
		pf_printk(m, '4', "pageframe: cma_release: pfn %#lx of CMA area %s was not handed out by cma_alloc",
			  cma->base_pfn + bad, cma->name);
		return false;
	}
	if (!free_contig_range(m, pfn, count))
		return false;
	cma_clear_bitmap(cma, pfn, count);
	return true;
}

int pf_cma_area(struct pf_machine *m, int area, unsigned long *base_pfn, unsigned long *count)
{
	if (!m)
		return -EINVAL;
	if (area < 0 || area >= m->cma_area_count)
		return -ENOENT;
	if (base_pfn)
		*base_pfn = m->cma_areas[area].base_pfn;
	if (count)
		*count = m->cma_areas[area].count;
	return 0;
}
