/* SPDX-License-Identifier: MIT */
/*
 * pageframe/page.h - struct pf_page, laid out as Linux's struct page, and the
 * page-flag accessors generated the kernel's way.
 *
 * Follows include/linux/mm_types.h and include/linux/page-flags.h of Linux
 * 6.12 for x86-64 with a distribution configuration (CONFIG_MMU,
 * CONFIG_MEMORY_FAILURE, CONFIG_PAGE_IDLE_FLAG, CONFIG_MEMCG, 4 KiB pages,
 * SPARSEMEM_VMEMMAP).  64 bytes per page on 64-bit, asserted below.
 *
 * Glossary
 *   head page        the first page of a compound (multi-page) block; it
 *                    carries PG_head.
 *   tail page        any other page of a compound block; compound_head has
 *                    bit 0 set and points at the head.
 *   page type        a kind of page that is not mapped to user space (buddy,
 *                    offline, table, guard, ...), kept in the top byte of
 *                    page_type, which shares its word with _mapcount.
 *   alias            a second name for a flag bit whose meaning depends on
 *                    the page's use (PG_swapcache is PG_owner_priv_1).
 *
 * Embedders may read these fields to learn and to debug; the allocator owns
 * them while a page is free.  Change an allocated page's fields only as the
 * kernel's users of that union member would.
 */
#ifndef PAGEFRAME_PAGE_H
#define PAGEFRAME_PAGE_H

#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The kernel's struct list_head. */
struct pf_list_head {
	struct pf_list_head *next, *prev;
};

/* The kernel's struct callback_head (rcu_head). */
struct pf_rcu_head {
	struct pf_rcu_head *next;
	void (*func)(struct pf_rcu_head *head);
};

/*
 * struct pf_page - one page frame, as include/linux/mm_types.h struct page.
 *
 * Word 0 is flags (page-flags.h bits low, node and zone at the top).
 * Words 1-5 are a union chosen by the page's use.  Then the
 * _mapcount/page_type word, _refcount, and memcg_data.
 */
struct pf_page {
	unsigned long flags;		/* Atomic flags, some possibly updated asynchronously */
	union {
		struct {	/* Page cache and anonymous pages */
			union {
				struct pf_list_head lru;	/* LRU list, or free list while PageBuddy */
				struct {	/* Or, for the Unevictable "LRU list" slot */
					void *__filler;
					unsigned int mlock_count;	/* Count page's or folio's mlocks */
				};
				struct pf_list_head buddy_list;	/* free list of the buddy allocator */
				struct pf_list_head pcp_list;	/* per-CPU page list */
			};
			void *mapping;		/* struct address_space *, or anon_vma | PAGE_MAPPING_ANON */
			union {
				unsigned long index;	/* Our offset within mapping */
				unsigned long share;	/* share count for fsdax */
			};
			unsigned long private;	/* buddy order while PageBuddy; swp_entry_t; buffer heads */
		};
		struct {	/* page_pool used by netstack */
			unsigned long pp_magic;	/* PP_SIGNATURE, bit 0 kept clear */
			void *pp;		/* struct page_pool * */
			unsigned long _pp_mapping_pad;
			unsigned long dma_addr;
			long pp_ref_count;	/* atomic_long_t */
		};
		struct {	/* slab (struct slab overlays these words in 6.x) */
			struct pf_list_head slab_list;
			void *slab_cache;	/* struct kmem_cache * */
			void *freelist;		/* first free object */
			unsigned long counters;	/* inuse:16, objects:15, frozen:1 */
		};
		struct {	/* Tail pages of compound page */
			unsigned long compound_head;	/* Bit zero is set */
			/* First tail page only (struct folio's second page, 6.12): */
			int _large_mapcount;		/* atomic_t */
			int _entire_mapcount;		/* atomic_t */
			int _nr_pages_mapped;		/* atomic_t */
			int _pincount;			/* atomic_t */
			unsigned int _folio_nr_pages;	/* 1 << order */
		};
		struct {	/* Page table pages (struct ptdesc overlays these in 6.x) */
			unsigned long _pt_pad_1;	/* compound_head */
			void *pmd_huge_pte;		/* protected by page->ptl */
			unsigned long _pt_pad_2;	/* mapping */
			union {
				void *pt_mm;		/* x86 pgds only */
				int pt_frag_refcount;	/* powerpc */
			};
			void *ptl;			/* spinlock_t * with split locks */
		};
		struct {	/* ZONE_DEVICE pages */
			void *pgmap;			/* struct dev_pagemap * */
			void *zone_device_data;
		};
		/* @rcu_head: You can use this to free a page by RCU. */
		struct pf_rcu_head rcu_head;
	};
	union {		/* This union is 4 bytes in size. */
		/*
		 * For head pages of typed folios, the value stored here
		 * allows for determining what this page is used for.  The
		 * page_type is stored in the top byte (6.12 encoding); a page
		 * with no type has page_type == UINT_MAX (_mapcount == -1).
		 */
		unsigned int page_type;
		/*
		 * For pages that are part of non-typed folios for which
		 * mappings are tracked via the RMAP, encodes the number of
		 * times this page is directly referenced by a page table,
		 * minus one.  Atomic.
		 */
		int _mapcount;
	};
	int _refcount;		/* atomic_t: usage count; accessed with atomics */
	unsigned long memcg_data;	/* struct mem_cgroup * | flags, or obj_cgroups vector */
};

#if defined(__LP64__) || defined(_LP64)
_Static_assert(sizeof(struct pf_page) == 64, "struct pf_page must be 64 bytes, as struct page on 64-bit");
#endif

/*
 * enum pageflags - include/linux/page-flags.h (6.12, x86-64 distro config).
 * Aliases follow __NR_PAGEFLAGS and reuse bits whose meaning depends on use.
 */
enum pf_pageflags {
	PG_locked,		/* Page is locked. Don't touch. */
	PG_writeback,		/* Page is under writeback */
	PG_referenced,
	PG_uptodate,
	PG_dirty,
	PG_lru,
	PG_head,		/* Must be in bit 6 */
	PG_waiters,		/* Page has waiters, check its waitqueue. Must be bit #7 */
	PG_active,
	PG_workingset,
	PG_owner_priv_1,	/* Owner use. If pagecache, fs may use */
	PG_owner_2,		/* Owner use. If pagecache, fs may use */
	PG_arch_1,
	PG_reserved,
	PG_private,		/* If pagecache, has fs-private data */
	PG_private_2,		/* If pagecache, has fs aux data */
	PG_reclaim,		/* To be reclaimed asap */
	PG_swapbacked,		/* Page is backed by RAM/swap */
	PG_unevictable,		/* Page is "unevictable"  */
	PG_mlocked,		/* Page is vma mlocked (CONFIG_MMU) */
	PG_hwpoison,		/* hardware poisoned page (CONFIG_MEMORY_FAILURE) */
	PG_young,		/* CONFIG_PAGE_IDLE_FLAG && 64BIT */
	PG_idle,
	__NR_PAGEFLAGS,

	PG_readahead = PG_reclaim,
	/* Anonymous memory (and shmem) */
	PG_anon_exclusive = PG_owner_2,
	/* Set if all buffer heads in the folio are mapped. */
	PG_mappedtodisk = PG_owner_2,
	/* Filesystems */
	PG_checked = PG_owner_priv_1,
	/* SwapBacked */
	PG_swapcache = PG_owner_priv_1,	/* Swap page: swp_entry_t in private */
	/* FS-Cache */
	PG_fscache = PG_private_2,	/* page backed by cache */
	/* XEN */
	PG_pinned = PG_owner_priv_1,	/* Pinned in Xen as a read-only pagetable page. */
	PG_savepinned = PG_dirty,	/* Pinned as part of domain save */
	PG_foreign = PG_owner_priv_1,	/* Has a grant mapping of another domain's page. */
	PG_xen_remapped = PG_owner_priv_1,	/* Remapped by swiotlb-xen. */
	/* non-lru isolated movable page */
	PG_isolated = PG_reclaim,
	/* Only valid for buddy pages. Used to track pages that are reported */
	PG_reported = PG_uptodate,
	/* For self-hosted memmap pages (CONFIG_MEMORY_HOTPLUG) */
	PG_vmemmap_self_hosted = PG_owner_priv_1,
	/* Only valid on the first tail page of a compound page (folio->_flags_1). */
	PG_has_hwpoisoned = PG_active,
	PG_large_rmappable = PG_workingset,
	PG_partially_mapped = PG_reclaim,
};

/*
 * page->flags fields above the flag bits (include/linux/page-flags-layout.h,
 * x86-64, SPARSEMEM_VMEMMAP so no section field, NODES_SHIFT 10, 3 zone bits,
 * NUMA balancing's last_cpupid of 21 bits below the zone field).
 *
 * Deliberate difference: bits 23..29, unused on such a kernel, carry the
 * index of the pf_machine that owns the page, so that a page finds its
 * machine as the kernel finds its node.
 */
#define PF_NODES_WIDTH		10
#define PF_ZONES_WIDTH		3
#define PF_LAST_CPUPID_WIDTH	21
#define PF_MACHINE_WIDTH	7
#define PF_NODES_PGSHIFT	(64 - PF_NODES_WIDTH)			/* 54 */
#define PF_ZONES_PGSHIFT	(PF_NODES_PGSHIFT - PF_ZONES_WIDTH)	/* 51 */
#define PF_LAST_CPUPID_PGSHIFT	(PF_ZONES_PGSHIFT - PF_LAST_CPUPID_WIDTH)	/* 30 */
#define PF_MACHINE_PGSHIFT	(PF_LAST_CPUPID_PGSHIFT - PF_MACHINE_WIDTH)	/* 23 */
#define PF_NODES_MASK		((1UL << PF_NODES_WIDTH) - 1)
#define PF_ZONES_MASK		((1UL << PF_ZONES_WIDTH) - 1)
#define PF_LAST_CPUPID_MASK	((1UL << PF_LAST_CPUPID_WIDTH) - 1)
#define PF_MACHINE_MASK		((1UL << PF_MACHINE_WIDTH) - 1)
#define PF_PAGEFLAGS_MASK	((1UL << __NR_PAGEFLAGS) - 1)
#define PF_MAX_MACHINES		(1 << PF_MACHINE_WIDTH)

_Static_assert(PF_MACHINE_PGSHIFT >= __NR_PAGEFLAGS, "page->flags fields overlap the flag bits");

/* Zone and node of a page, decoded from page->flags as page_zonenum()/page_to_nid(). */
static inline unsigned pf_page_zonenum(const struct pf_page *page)
{
	return (unsigned)((page->flags >> PF_ZONES_PGSHIFT) & PF_ZONES_MASK);
}

static inline int pf_page_to_nid(const struct pf_page *page)
{
	return (int)((page->flags >> PF_NODES_PGSHIFT) & PF_NODES_MASK);
}

/*
 * Page-flag accessors, generated as page-flags.h generates them:
 *   PageX(page)          test
 *   SetPageX / ClearPageX           atomic set / clear
 *   __SetPageX / __ClearPageX       non-atomic set / clear (caller owns the page)
 *   TestSetPageX / TestClearPageX   atomic test-and-set / test-and-clear
 * Each flag has a policy, as in the kernel: PF_ANY (any page), PF_HEAD (the
 * head page's bit is meant, tail pages redirect to it), PF_NO_TAIL (never on
 * a tail for modification; reads go to the head), PF_NO_COMPOUND (not on
 * compound pages at all).  Redirection follows compound_head.
 */
static inline struct pf_page *pf_compound_head(const struct pf_page *page)
{
	unsigned long head = __atomic_load_n(&page->compound_head, __ATOMIC_RELAXED);
	if (head & 1)
		return (struct pf_page *)(head - 1);
	return (struct pf_page *)page;
}

static inline bool pf_page_is_tail(const struct pf_page *page)
{
	return __atomic_load_n(&page->compound_head, __ATOMIC_RELAXED) & 1;
}

#define PF_POLICY_ANY(page, enforce)		((struct pf_page *)(page))
#define PF_POLICY_HEAD(page, enforce)		pf_compound_head(page)
#define PF_POLICY_NO_TAIL(page, enforce)	pf_compound_head(page)
#define PF_POLICY_NO_COMPOUND(page, enforce)	((struct pf_page *)(page))

#define PF_TESTPAGEFLAG(uname, lname, policy)					\
static inline bool Page##uname(const struct pf_page *page)			\
{ return (__atomic_load_n(&PF_POLICY_##policy(page, 0)->flags, __ATOMIC_RELAXED) >> PG_##lname) & 1; }

#define PF_SETPAGEFLAG(uname, lname, policy)					\
static inline void SetPage##uname(struct pf_page *page)				\
{ __atomic_fetch_or(&PF_POLICY_##policy(page, 1)->flags, 1UL << PG_##lname, __ATOMIC_RELAXED); }

#define PF_CLEARPAGEFLAG(uname, lname, policy)					\
static inline void ClearPage##uname(struct pf_page *page)			\
{ __atomic_fetch_and(&PF_POLICY_##policy(page, 1)->flags, ~(1UL << PG_##lname), __ATOMIC_RELAXED); }

#define PF___SETPAGEFLAG(uname, lname, policy)					\
static inline void __SetPage##uname(struct pf_page *page)			\
{ PF_POLICY_##policy(page, 1)->flags |= 1UL << PG_##lname; }

#define PF___CLEARPAGEFLAG(uname, lname, policy)				\
static inline void __ClearPage##uname(struct pf_page *page)			\
{ PF_POLICY_##policy(page, 1)->flags &= ~(1UL << PG_##lname); }

#define PF_TESTSETFLAG(uname, lname, policy)					\
static inline bool TestSetPage##uname(struct pf_page *page)			\
{ return (__atomic_fetch_or(&PF_POLICY_##policy(page, 1)->flags, 1UL << PG_##lname, __ATOMIC_ACQ_REL) >> PG_##lname) & 1; }

#define PF_TESTCLEARFLAG(uname, lname, policy)					\
static inline bool TestClearPage##uname(struct pf_page *page)			\
{ return (__atomic_fetch_and(&PF_POLICY_##policy(page, 1)->flags, ~(1UL << PG_##lname), __ATOMIC_ACQ_REL) >> PG_##lname) & 1; }

#define PF_PAGEFLAG(uname, lname, policy)					\
	PF_TESTPAGEFLAG(uname, lname, policy)					\
	PF_SETPAGEFLAG(uname, lname, policy)					\
	PF_CLEARPAGEFLAG(uname, lname, policy)

#define PF___PAGEFLAG(uname, lname, policy)					\
	PF_TESTPAGEFLAG(uname, lname, policy)					\
	PF___SETPAGEFLAG(uname, lname, policy)					\
	PF___CLEARPAGEFLAG(uname, lname, policy)

#define PF_TESTSCFLAG(uname, lname, policy)					\
	PF_TESTSETFLAG(uname, lname, policy)					\
	PF_TESTCLEARFLAG(uname, lname, policy)

/* The flag families and policies of page-flags.h (6.12). */
PF_PAGEFLAG(Locked, locked, NO_TAIL) PF___SETPAGEFLAG(Locked, locked, NO_TAIL)
	PF___CLEARPAGEFLAG(Locked, locked, NO_TAIL) PF_TESTSCFLAG(Locked, locked, NO_TAIL)
PF_PAGEFLAG(Waiters, waiters, ANY)
PF_PAGEFLAG(Referenced, referenced, HEAD) PF_TESTCLEARFLAG(Referenced, referenced, HEAD)
	PF___SETPAGEFLAG(Referenced, referenced, HEAD)
PF_PAGEFLAG(Dirty, dirty, HEAD) PF_TESTSCFLAG(Dirty, dirty, HEAD) PF___CLEARPAGEFLAG(Dirty, dirty, HEAD)
PF_PAGEFLAG(LRU, lru, HEAD) PF___CLEARPAGEFLAG(LRU, lru, HEAD) PF_TESTCLEARFLAG(LRU, lru, HEAD)
PF_PAGEFLAG(Active, active, HEAD) PF___CLEARPAGEFLAG(Active, active, HEAD) PF_TESTCLEARFLAG(Active, active, HEAD)
PF_PAGEFLAG(Workingset, workingset, HEAD) PF_TESTCLEARFLAG(Workingset, workingset, HEAD)
PF_PAGEFLAG(Checked, checked, NO_COMPOUND)
PF_PAGEFLAG(Pinned, pinned, NO_COMPOUND) PF_TESTSCFLAG(Pinned, pinned, NO_COMPOUND)
PF_PAGEFLAG(SavePinned, savepinned, NO_COMPOUND)
PF_PAGEFLAG(Foreign, foreign, NO_COMPOUND)
PF_PAGEFLAG(XenRemapped, xen_remapped, NO_COMPOUND) PF_TESTCLEARFLAG(XenRemapped, xen_remapped, NO_COMPOUND)
PF_PAGEFLAG(Reserved, reserved, NO_COMPOUND) PF___CLEARPAGEFLAG(Reserved, reserved, NO_COMPOUND)
	PF___SETPAGEFLAG(Reserved, reserved, NO_COMPOUND)
PF_PAGEFLAG(SwapBacked, swapbacked, NO_TAIL) PF___CLEARPAGEFLAG(SwapBacked, swapbacked, NO_TAIL)
	PF___SETPAGEFLAG(SwapBacked, swapbacked, NO_TAIL)
PF_PAGEFLAG(Private, private, ANY)
PF_PAGEFLAG(Private2, private_2, ANY) PF_TESTSCFLAG(Private2, private_2, ANY)
PF_PAGEFLAG(OwnerPriv1, owner_priv_1, ANY) PF_TESTCLEARFLAG(OwnerPriv1, owner_priv_1, ANY)
PF_PAGEFLAG(Writeback, writeback, NO_TAIL) PF_TESTSCFLAG(Writeback, writeback, NO_TAIL)
PF_PAGEFLAG(MappedToDisk, mappedtodisk, NO_TAIL)
PF_PAGEFLAG(Reclaim, reclaim, NO_TAIL) PF_TESTCLEARFLAG(Reclaim, reclaim, NO_TAIL)
PF_PAGEFLAG(Readahead, readahead, NO_COMPOUND) PF_TESTCLEARFLAG(Readahead, readahead, NO_COMPOUND)
PF_PAGEFLAG(Unevictable, unevictable, HEAD) PF___CLEARPAGEFLAG(Unevictable, unevictable, HEAD)
	PF_TESTCLEARFLAG(Unevictable, unevictable, HEAD)
PF_PAGEFLAG(Mlocked, mlocked, NO_TAIL) PF___CLEARPAGEFLAG(Mlocked, mlocked, NO_TAIL)
	PF_TESTSCFLAG(Mlocked, mlocked, NO_TAIL)
PF_PAGEFLAG(HWPoison, hwpoison, ANY) PF_TESTSCFLAG(HWPoison, hwpoison, ANY)
PF_PAGEFLAG(Young, young, ANY) PF_TESTCLEARFLAG(Young, young, ANY)
PF_PAGEFLAG(Idle, idle, ANY)
PF_PAGEFLAG(Reported, reported, NO_COMPOUND) PF___SETPAGEFLAG(Reported, reported, NO_COMPOUND)
	PF___CLEARPAGEFLAG(Reported, reported, NO_COMPOUND)
PF_PAGEFLAG(Uptodate, uptodate, NO_TAIL) PF___SETPAGEFLAG(Uptodate, uptodate, NO_TAIL)
PF_PAGEFLAG(SwapCache, swapcache, NO_TAIL)
PF_PAGEFLAG(Fscache, fscache, NO_TAIL)
PF_PAGEFLAG(Isolated, isolated, ANY)
PF_PAGEFLAG(AnonExclusive, anon_exclusive, ANY) PF___CLEARPAGEFLAG(AnonExclusive, anon_exclusive, ANY)
PF_PAGEFLAG(VmemmapSelfHosted, vmemmap_self_hosted, ANY)
PF___PAGEFLAG(Head, head, ANY) PF_CLEARPAGEFLAG(Head, head, ANY)
PF_PAGEFLAG(Arch1, arch_1, ANY)

/*
 * Page types (6.12): the top byte of page_type names the type; a page with
 * no type holds UINT_MAX there (the _mapcount of -1 it shares the word with).
 */
enum pf_pagetype {
	/* 0x00-0x7f are positive numbers, ie mapcount */
	/* Reserve 0x80-0xef for mapcount overflow. */
	PGTY_buddy		= 0xf0,
	PGTY_offline		= 0xf1,
	PGTY_table		= 0xf2,
	PGTY_guard		= 0xf3,
	PGTY_hugetlb		= 0xf4,
	PGTY_slab		= 0xf5,
	PGTY_zsmalloc		= 0xf6,
	PGTY_unaccepted		= 0xf7,
	PGTY_mapcount_underflow	= 0xff
};

static inline bool pf_page_type_has_type(unsigned int page_type)
{
	/* (int)(PGTY_mapcount_underflow << 24) is -16777216: top bytes 0x80..0xfe are types */
	return (int)page_type < -16777216;
}

static inline bool pf_page_has_type(const struct pf_page *page)
{
	return pf_page_type_has_type(page->page_type);
}

/* PAGE_TYPE_OPS: PageX, __SetPageX, __ClearPageX for a page type. */
#define PF_PAGE_TYPE_OPS(uname, lname)						\
static inline bool Page##uname(const struct pf_page *page)			\
{ return (page->page_type >> 24) == PGTY_##lname; }				\
static inline void __SetPage##uname(struct pf_page *page)			\
{ page->page_type = (unsigned int)PGTY_##lname << 24; }			\
static inline void __ClearPage##uname(struct pf_page *page)			\
{ if (Page##uname(page)) page->page_type = 0xffffffffu; }

PF_PAGE_TYPE_OPS(Buddy, buddy)
PF_PAGE_TYPE_OPS(Offline, offline)
PF_PAGE_TYPE_OPS(Table, table)
PF_PAGE_TYPE_OPS(Guard, guard)
PF_PAGE_TYPE_OPS(Hugetlb, hugetlb)
PF_PAGE_TYPE_OPS(Slab, slab)
PF_PAGE_TYPE_OPS(Zsmalloc, zsmalloc)
PF_PAGE_TYPE_OPS(Unaccepted, unaccepted)

/* PageCompound / PageTail as page-flags.h. */
static inline bool PageTail(const struct pf_page *page)
{
	return pf_page_is_tail(page);
}

static inline bool PageCompound(const struct pf_page *page)
{
	return PageHead(page) || PageTail(page);
}

#ifdef __cplusplus
}
#endif
#endif /* PAGEFRAME_PAGE_H */
