/* SPDX-License-Identifier: MIT */
/*
 * proc_page.c - /proc/kpageflags and /proc/kpagecount (fs/proc/page.c,
 * Linux 6.12): one native-endian 64-bit word per pfn from 0 to the end of
 * the last memmap section, the page's stable flags (KPF_* of
 * include/uapi/linux/kernel-page-flags.h and the kernel-hacker bits 32..)
 * or its map count.  The kernel's own tools/mm/page-types reads the first
 * (`page-types -F FILE`).
 *
 * Reads pages without locks, as the kernel's readers do: a page that
 * changes meanwhile may show its old or new state (pages are read as
 * page_peek copies).  Must not change anything.
 */
#include "internal.h"

#include <string.h>

/* include/uapi/linux/kernel-page-flags.h and include/linux/kernel-page-flags.h (6.12) */
#define KPF_LOCKED		0
#define KPF_REFERENCED		2
#define KPF_UPTODATE		3
#define KPF_DIRTY		4
#define KPF_LRU			5
#define KPF_ACTIVE		6
#define KPF_SLAB		7
#define KPF_WRITEBACK		8
#define KPF_RECLAIM		9
#define KPF_BUDDY		10
#define KPF_MMAP		11
#define KPF_ANON		12
#define KPF_SWAPCACHE		13
#define KPF_SWAPBACKED		14
#define KPF_COMPOUND_HEAD	15
#define KPF_COMPOUND_TAIL	16
#define KPF_HUGE		17
#define KPF_UNEVICTABLE		18
#define KPF_HWPOISON		19
#define KPF_NOPAGE		20
#define KPF_KSM			21
#define KPF_THP			22
#define KPF_OFFLINE		23
#define KPF_ZERO_PAGE		24
#define KPF_IDLE		25
#define KPF_PGTABLE		26
#define KPF_RESERVED		32
#define KPF_MLOCKED		33
#define KPF_OWNER_2		34
#define KPF_PRIVATE		35
#define KPF_PRIVATE_2		36
#define KPF_OWNER_PRIVATE	37
#define KPF_ARCH		38

#define PAGE_MAPPING_ANON	0x1UL
#define PAGE_MAPPING_KSM	0x3UL	/* both bits */

/* pfn_to_online_page: a page of a section with a memmap, else NULL (a hole in the section map) */
static struct pf_page *pfn_to_online_page(struct pf_machine *m, unsigned long pfn)
{
	return pfn_valid(m, pfn) ? pfn_to_page(m, pfn) : NULL;
}

/* page_folio: the head of the page's compound block (from its compound_head word), or the page itself */
static struct pf_page *page_folio(struct pf_page *page, const struct pf_page *copy)
{
	unsigned long head = copy->compound_head;
	return (head & 1) ? (struct pf_page *)(head - 1) : page;
}

/*
 * folio_mapcount (include/linux/mm.h, 6.12): a small page's _mapcount + 1
 * (0 while the word holds a page type), a large folio's _large_mapcount + 1.
 * @folio and @second are copies of the head and the page after it.
 */
static int folio_mapcount(const struct pf_page *folio, const struct pf_page *second)
{
	if (PageHead(folio))
		return second->_large_mapcount + 1;
	if (pf_page_type_has_type((unsigned int)folio->_mapcount))
		return 0;
	return folio->_mapcount + 1;
}

/*
 * folio_precise_page_mapcount (fs/proc/internal.h, 6.12): the page's own
 * mappings (0 for a typed page) plus the folio's whole-folio mappings
 * (copies, as above).
 */
static int folio_precise_page_mapcount(const struct pf_page *folio, const struct pf_page *second,
				       const struct pf_page *page)
{
	int mapcount = pf_page_type_has_type((unsigned int)page->_mapcount) ? 0 : page->_mapcount + 1;

	if (PageHead(folio))
		mapcount += second->_entire_mapcount + 1;
	return mapcount;
}

/* a copy of @pfn's struct page; a deferred block's as it will be written (deferred_init.c), the memmap untouched */
static void pfn_peek(struct pf_machine *m, unsigned long pfn, struct pf_page *copy)
{
	if (deferred_pfn(m, pfn))
		deferred_page_image(m, pfn, copy);
	else
		page_peek(pfn_to_page(m, pfn), copy);
}

/* is_free_buddy_page (mm/page_alloc.c, 6.12): inside a free block of some order */
static bool is_free_buddy_page(struct pf_machine *m, unsigned long pfn)
{
	for (unsigned int order = 0; order < NR_PAGE_ORDERS; order++) {
		struct pf_page head;
		pfn_peek(m, pfn & ~((1UL << order) - 1), &head);
		if (PageBuddy(&head) && buddy_order(&head) >= order)
			return true;
	}
	return false;
}

static inline unsigned long long kpf_copy_bit(unsigned long kflags, int ubit, int kbit)
{
	return (unsigned long long)((kflags >> kbit) & 1) << ubit;
}

/* the page at @pfn, its folio's head and the page after the head, copied (pfn_valid: the caller checked) */
struct kpage_view {
	struct pf_page page, folio, second;
	bool is_head;			/* the page is its folio's head */
};

static void kpage_peek(struct pf_machine *m, unsigned long pfn, struct kpage_view *v)
{
	struct pf_page *page = pfn_to_page(m, pfn);
	pfn_peek(m, pfn, &v->page);
	struct pf_page *folio = page_folio(page, &v->page);
	v->is_head = folio == page;
	if (v->is_head)
		v->folio = v->page;
	else
		page_peek(folio, &v->folio);
	memset(&v->second, 0xff, sizeof v->second);	/* mapcounts -1 unless the folio is large */
	if (PageHead(&v->folio))
		page_peek(folio + 1, &v->second);
}

/*
 * stable_page_flags (fs/proc/page.c, 6.12) for pfn @pfn of @m, or a hole
 * (@v NULL).  pageframe has no zero page, no hugetlb, no KSM and no page
 * tables of its own, so those bits come only from fields a program set.
 */
static unsigned long long stable_page_flags(struct pf_machine *m, unsigned long pfn, const struct kpage_view *v)
{
	unsigned long long u = 0;

	if (!v)
		return 1ULL << KPF_NOPAGE;
	const struct pf_page *page = &v->page, *folio = &v->folio;
	unsigned long k = folio->flags;
	unsigned long mapping = (unsigned long)folio->mapping;
	bool is_anon = mapping & PAGE_MAPPING_ANON;

	if (folio_mapcount(folio, &v->second) >= 1)	/* page_mapped */
		u |= 1ULL << KPF_MMAP;
	if (is_anon) {
		u |= 1ULL << KPF_ANON;
		if ((mapping & PAGE_MAPPING_KSM) == PAGE_MAPPING_KSM)
			u |= 1ULL << KPF_KSM;
	}
	if (v->is_head)
		u |= kpf_copy_bit(k, KPF_COMPOUND_HEAD, PG_head);
	else
		u |= 1ULL << KPF_COMPOUND_TAIL;
	if (PageHugetlb(folio))
		u |= 1ULL << KPF_HUGE;
	else if (PageHead(folio) && (v->second.flags & (1UL << PF_PG_large_rmappable)))
		u |= 1ULL << KPF_THP;

	/* free blocks: the head has the type, the rest are found through it */
	if (PageBuddy(page))
		u |= 1ULL << KPF_BUDDY;
	else if (folio->_refcount == 0 && is_free_buddy_page(m, pfn))
		u |= 1ULL << KPF_BUDDY;

	if (PageOffline(page))
		u |= 1ULL << KPF_OFFLINE;
	if (PageTable(page))
		u |= 1ULL << KPF_PGTABLE;
	if (PageSlab(folio))
		u |= 1ULL << KPF_SLAB;
	u |= kpf_copy_bit(k, KPF_IDLE, PG_idle);	/* CONFIG_PAGE_IDLE_FLAG on 64-bit */

	u |= kpf_copy_bit(k, KPF_LOCKED, PG_locked);
	u |= kpf_copy_bit(k, KPF_DIRTY, PG_dirty);
	u |= kpf_copy_bit(k, KPF_UPTODATE, PG_uptodate);
	u |= kpf_copy_bit(k, KPF_WRITEBACK, PG_writeback);
	u |= kpf_copy_bit(k, KPF_LRU, PG_lru);
	u |= kpf_copy_bit(k, KPF_REFERENCED, PG_referenced);
	u |= kpf_copy_bit(k, KPF_ACTIVE, PG_active);
	u |= kpf_copy_bit(k, KPF_RECLAIM, PG_reclaim);
	if ((k & ((1UL << PG_swapbacked) | (1UL << PG_swapcache))) == ((1UL << PG_swapbacked) | (1UL << PG_swapcache)))
		u |= 1ULL << KPF_SWAPCACHE;
	u |= kpf_copy_bit(k, KPF_SWAPBACKED, PG_swapbacked);
	u |= kpf_copy_bit(k, KPF_UNEVICTABLE, PG_unevictable);
	u |= kpf_copy_bit(k, KPF_MLOCKED, PG_mlocked);
	/* CONFIG_MEMORY_FAILURE: a huge folio's bit, else the page's own */
	if (u & (1ULL << KPF_HUGE))
		u |= kpf_copy_bit(k, KPF_HWPOISON, PG_hwpoison);
	else
		u |= kpf_copy_bit(page->flags, KPF_HWPOISON, PG_hwpoison);
	u |= kpf_copy_bit(k, KPF_RESERVED, PG_reserved);
	u |= kpf_copy_bit(k, KPF_OWNER_2, PG_owner_2);
	u |= kpf_copy_bit(k, KPF_PRIVATE, PG_private);
	u |= kpf_copy_bit(k, KPF_PRIVATE_2, PG_private_2);
	u |= kpf_copy_bit(k, KPF_OWNER_PRIVATE, PG_owner_priv_1);
	u |= kpf_copy_bit(k, KPF_ARCH, PG_arch_1);
	return u;
}

/*
 * kpageflags_read / kpagecount_read (6.12) over the whole file: pfns up
 * to get_max_dump_pfn, max_pfn rounded up to a section (the memmap's end
 * here).  Return: 0, -EIO when writing failed.
 */
static int kpage_write(struct pf_machine *m, FILE *out, bool flags)
{
	enum { BATCH = 512 };
	unsigned long long buf[BATCH];
	unsigned long max_dump_pfn = m->memmap_pfns;
	unsigned int n = 0;

	for (unsigned long pfn = 0; pfn < max_dump_pfn; pfn++) {
		struct kpage_view v;
		bool online = pfn_to_online_page(m, pfn) != NULL;
		if (online)
			kpage_peek(m, pfn, &v);
		if (flags)
			buf[n++] = stable_page_flags(m, pfn, online ? &v : NULL);
		else
			buf[n++] = online ? (unsigned long long)folio_precise_page_mapcount(&v.folio, &v.second, &v.page) : 0;
		if (n == BATCH || pfn + 1 == max_dump_pfn) {
			if (fwrite(buf, sizeof buf[0], n, out) != n)
				return -EIO;
			n = 0;
		}
	}
	return ferror(out) ? -EIO : 0;
}

int proc_page_show(struct pf_machine *m, const char *what, FILE *out)
{
	if (!strcmp(what, "kpageflags"))
		return kpage_write(m, out, true);
	if (!strcmp(what, "kpagecount"))
		return kpage_write(m, out, false);
	return -ENOENT;
}
