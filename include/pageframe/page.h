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
 * Names.  Everything this header declares carries the library's prefix:
 * flag bits are PF_PG_locked, PF_PG_head, ... (the kernel's PG_locked, ...),
 * page types PF_PGTY_buddy, ..., and the accessors pf_PageLocked(),
 * pf_SetPageDirty(), pf___SetPageBuddy(), pf_TestClearPageLRU(), ...
 * The kernel's own spellings (PG_locked, PGTY_buddy, __NR_PAGEFLAGS,
 * PageBuddy(), SetPageLocked(), ...) are declared only on request: define
 * PF_KERNEL_NAMES before including this header, or include
 * <pageframe/linux.h>, which asks for them on its opaque struct page.
 *
 * Glossary
 *   head page        the first page of a compound (multi-page) block; it
 *                    carries the head flag (PF_PG_head).
 *   tail page        any other page of a compound block; compound_head has
 *                    bit 0 set and points at the head.
 *   page type        a kind of page that is not mapped to user space (buddy,
 *                    offline, table, guard, ...), kept in the top byte of
 *                    page_type, which shares its word with _mapcount.
 *   alias            a second name for a flag bit whose meaning depends on
 *                    the page's use (swapcache is the bit of owner_priv_1).
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
/* page->private; C++ code sees it as private_ ("private" is a C++ keyword) */
#ifdef __cplusplus
#define PF_PAGE_PRIVATE private_
#else
#define PF_PAGE_PRIVATE private
#endif

struct pf_page {
	unsigned long flags;		/* flag bits, node, zone; changed with atomics */
	union {
		struct {	/* Page cache and anonymous pages */
			union {
				struct pf_list_head lru;	/* LRU list, or free list while PageBuddy */
				struct {	/* Or, for the Unevictable "LRU list" slot */
					void *__filler;
					unsigned int mlock_count;	/* how many mlocks hold the page */
				};
				struct pf_list_head buddy_list;	/* free list of the buddy allocator */
				struct pf_list_head pcp_list;	/* per-CPU page list */
			};
			void *mapping;		/* struct address_space *, or anon_vma | PAGE_MAPPING_ANON */
			union {
				unsigned long index;	/* page offset in the mapping */
				unsigned long share;	/* share count for fsdax */
			};
			unsigned long PF_PAGE_PRIVATE;	/* private: buddy order while PageBuddy; swp_entry_t; buffer heads */
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
			unsigned long compound_head;	/* head address + 1 (bit 0 marks a tail) */
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
		/* rcu_head: lets a page's owner defer its freeing past an RCU grace period. */
		struct pf_rcu_head rcu_head;
	};
	union {		/* one 32-bit word, two readings */
		/*
		 * page_type: meaningful on the head page of a typed folio
		 * (buddy, offline, page table, ...).  The type is the top
		 * byte (6.12 encoding); an untyped page holds UINT_MAX here,
		 * which is the _mapcount of -1 read the other way.
		 */
		unsigned int page_type;
		/*
		 * _mapcount: on pages whose user mappings the reverse map
		 * tracks, how many page-table entries map this very page,
		 * less one (so -1 is "not mapped").  Changed atomically.
		 */
		int _mapcount;
	};
	int _refcount;		/* atomic_t: usage count; accessed with atomics */
	unsigned long memcg_data;	/* struct mem_cgroup * | flags, or obj_cgroups vector */
};

#if defined(__LP64__) || defined(_LP64)
#ifdef __cplusplus
static_assert(sizeof(struct pf_page) == 64, "struct pf_page must be 64 bytes, as struct page on 64-bit");
#else
_Static_assert(sizeof(struct pf_page) == 64, "struct pf_page must be 64 bytes, as struct page on 64-bit");
#endif
#endif

/*
 * enum pf_pageflags - the bits of include/linux/page-flags.h's enum pageflags
 * (6.12, x86-64 distribution configuration), PF_PG_x for the kernel's PG_x.
 * The aliases after PF___NR_PAGEFLAGS give a bit a second name for pages of
 * a particular use.
 */
enum pf_pageflags {
	PF_PG_locked,		/* taken as a sleeping lock on the page */
	PF_PG_writeback,	/* being written back to its backing store */
	PF_PG_referenced,
	PF_PG_uptodate,
	PF_PG_dirty,
	PF_PG_lru,
	PF_PG_head,		/* bit 6, a fixed position */
	PF_PG_waiters,		/* someone sleeps on the page; bit 7, a fixed position */
	PF_PG_active,
	PF_PG_workingset,
	PF_PG_owner_priv_1,	/* for the page's owner (a filesystem for page cache) */
	PF_PG_owner_2,		/* a second bit for the owner */
	PF_PG_arch_1,
	PF_PG_reserved,
	PF_PG_private,		/* page cache: the filesystem keeps data in private */
	PF_PG_private_2,	/* page cache: auxiliary filesystem data */
	PF_PG_reclaim,		/* reclaim wants it soon */
	PF_PG_swapbacked,	/* backed by RAM or swap, not a file */
	PF_PG_unevictable,	/* kept off the reclaimable LRU lists */
	PF_PG_mlocked,		/* locked into memory by an mlocked VMA (CONFIG_MMU) */
	PF_PG_hwpoison,		/* memory error found (CONFIG_MEMORY_FAILURE) */
	PF_PG_young,		/* CONFIG_PAGE_IDLE_FLAG on 64-bit */
	PF_PG_idle,
	PF___NR_PAGEFLAGS,

	PF_PG_readahead = PF_PG_reclaim,
	/* anonymous memory and shmem */
	PF_PG_anon_exclusive = PF_PG_owner_2,
	/* every buffer head of the folio has a disk block */
	PF_PG_mappedtodisk = PF_PG_owner_2,
	/* filesystems */
	PF_PG_checked = PF_PG_owner_priv_1,
	/* swap-backed pages */
	PF_PG_swapcache = PF_PG_owner_priv_1,	/* in the swap cache; swp_entry_t in private */
	/* FS-Cache */
	PF_PG_fscache = PF_PG_private_2,
	/* Xen */
	PF_PG_pinned = PF_PG_owner_priv_1,	/* page table that Xen maps read-only */
	PF_PG_savepinned = PF_PG_dirty,		/* pinned while a domain is saved */
	PF_PG_foreign = PF_PG_owner_priv_1,	/* maps a page granted by another domain */
	PF_PG_xen_remapped = PF_PG_owner_priv_1,	/* remapped by swiotlb-xen */
	/* movable pages that are not on an LRU list, while isolated */
	PF_PG_isolated = PF_PG_reclaim,
	/* free (buddy) pages only: already reported to the hypervisor */
	PF_PG_reported = PF_PG_uptodate,
	/* memmap pages that live in the memory they describe (CONFIG_MEMORY_HOTPLUG) */
	PF_PG_vmemmap_self_hosted = PF_PG_owner_priv_1,
	/* first tail page of a compound page only (folio->_flags_1) */
	PF_PG_has_hwpoisoned = PF_PG_active,
	PF_PG_large_rmappable = PF_PG_workingset,
	PF_PG_partially_mapped = PF_PG_reclaim,
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
#define PF_PAGEFLAGS_MASK	((1UL << PF___NR_PAGEFLAGS) - 1)
#define PF_MAX_MACHINES		(1 << PF_MACHINE_WIDTH)

#ifdef __cplusplus
static_assert(PF_MACHINE_PGSHIFT >= PF___NR_PAGEFLAGS, "page->flags fields overlap the flag bits");
#else
_Static_assert(PF_MACHINE_PGSHIFT >= PF___NR_PAGEFLAGS, "page->flags fields overlap the flag bits");
#endif

/* Zone and node of a page, decoded from page->flags as page_zonenum()/page_to_nid(). */
static inline unsigned pf_page_zonenum(const struct pf_page *page)
{
	/* relaxed atomic loads: other threads may set flag bits of the word meanwhile (page lock, isolation) */
	return (unsigned)((__atomic_load_n(&page->flags, __ATOMIC_RELAXED) >> PF_ZONES_PGSHIFT) & PF_ZONES_MASK);
}

static inline int pf_page_to_nid(const struct pf_page *page)
{
	return (int)((__atomic_load_n(&page->flags, __ATOMIC_RELAXED) >> PF_NODES_PGSHIFT) & PF_NODES_MASK);
}

/*
 * Page-flag accessors, generated as page-flags.h generates them:
 *   pf_PageX(page)                        test
 *   pf_SetPageX / pf_ClearPageX           atomic set / clear
 *   pf___SetPageX / pf___ClearPageX       non-atomic set / clear (caller owns the page)
 *   pf_TestSetPageX / pf_TestClearPageX   atomic test-and-set / test-and-clear
 * Each flag has a policy, as in the kernel: PF_ANY (any page), PF_HEAD (the
 * head page's bit is meant, tail pages redirect to it), PF_NO_TAIL (never on
 * a tail for modification; reads go to the head), PF_NO_COMPOUND (not on
 * compound pages at all).  Redirection follows compound_head.
 *
 * The generators take a name prefix (pf_, or nothing for the kernel's
 * spellings) and the pointed-to type of the parameter (struct pf_page, or
 * <pageframe/linux.h>'s opaque struct page).  Either way the body works on
 * the struct pf_page the pointer designates, so both spellings are one
 * implementation.
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

/* The struct pf_page behind a generated accessor's parameter. */
#define PF_FLAGS_OF(page, policy, enforce)					\
	(&PF_POLICY_##policy((const struct pf_page *)(page), enforce)->flags)

#define PF_TESTPAGEFLAG(pfx, T, uname, lname, policy)				\
static inline bool pfx##Page##uname(const T *page)				\
{ return (__atomic_load_n(PF_FLAGS_OF(page, policy, 0), __ATOMIC_RELAXED) >> PF_PG_##lname) & 1; }

#define PF_SETPAGEFLAG(pfx, T, uname, lname, policy)				\
static inline void pfx##SetPage##uname(T *page)					\
{ __atomic_fetch_or(PF_FLAGS_OF(page, policy, 1), 1UL << PF_PG_##lname, __ATOMIC_RELAXED); }

#define PF_CLEARPAGEFLAG(pfx, T, uname, lname, policy)				\
static inline void pfx##ClearPage##uname(T *page)				\
{ __atomic_fetch_and(PF_FLAGS_OF(page, policy, 1), ~(1UL << PF_PG_##lname), __ATOMIC_RELAXED); }

#define PF___SETPAGEFLAG(pfx, T, uname, lname, policy)				\
static inline void pfx##__SetPage##uname(T *page)				\
{ *PF_FLAGS_OF(page, policy, 1) |= 1UL << PF_PG_##lname; }

#define PF___CLEARPAGEFLAG(pfx, T, uname, lname, policy)			\
static inline void pfx##__ClearPage##uname(T *page)				\
{ *PF_FLAGS_OF(page, policy, 1) &= ~(1UL << PF_PG_##lname); }

#define PF_TESTSETFLAG(pfx, T, uname, lname, policy)				\
static inline bool pfx##TestSetPage##uname(T *page)				\
{ return (__atomic_fetch_or(PF_FLAGS_OF(page, policy, 1), 1UL << PF_PG_##lname, __ATOMIC_ACQ_REL) >> PF_PG_##lname) & 1; }

#define PF_TESTCLEARFLAG(pfx, T, uname, lname, policy)				\
static inline bool pfx##TestClearPage##uname(T *page)				\
{ return (__atomic_fetch_and(PF_FLAGS_OF(page, policy, 1), ~(1UL << PF_PG_##lname), __ATOMIC_ACQ_REL) >> PF_PG_##lname) & 1; }

#define PF_PAGEFLAG(pfx, T, uname, lname, policy)				\
	PF_TESTPAGEFLAG(pfx, T, uname, lname, policy)				\
	PF_SETPAGEFLAG(pfx, T, uname, lname, policy)				\
	PF_CLEARPAGEFLAG(pfx, T, uname, lname, policy)

#define PF___PAGEFLAG(pfx, T, uname, lname, policy)				\
	PF_TESTPAGEFLAG(pfx, T, uname, lname, policy)				\
	PF___SETPAGEFLAG(pfx, T, uname, lname, policy)				\
	PF___CLEARPAGEFLAG(pfx, T, uname, lname, policy)

#define PF_TESTSCFLAG(pfx, T, uname, lname, policy)				\
	PF_TESTSETFLAG(pfx, T, uname, lname, policy)				\
	PF_TESTCLEARFLAG(pfx, T, uname, lname, policy)

/* The flag families and policies of page-flags.h (6.12), for prefix p and page type T. */
#define PF_DEFINE_PAGEFLAGS(p, T)						\
PF_PAGEFLAG(p, T, Locked, locked, NO_TAIL) PF___SETPAGEFLAG(p, T, Locked, locked, NO_TAIL) \
	PF___CLEARPAGEFLAG(p, T, Locked, locked, NO_TAIL) PF_TESTSCFLAG(p, T, Locked, locked, NO_TAIL) \
PF_PAGEFLAG(p, T, Waiters, waiters, ANY)					\
PF_PAGEFLAG(p, T, Referenced, referenced, HEAD) PF_TESTCLEARFLAG(p, T, Referenced, referenced, HEAD) \
	PF___SETPAGEFLAG(p, T, Referenced, referenced, HEAD)			\
PF_PAGEFLAG(p, T, Dirty, dirty, HEAD) PF_TESTSCFLAG(p, T, Dirty, dirty, HEAD)	\
	PF___CLEARPAGEFLAG(p, T, Dirty, dirty, HEAD)				\
PF_PAGEFLAG(p, T, LRU, lru, HEAD) PF___CLEARPAGEFLAG(p, T, LRU, lru, HEAD)	\
	PF_TESTCLEARFLAG(p, T, LRU, lru, HEAD)					\
PF_PAGEFLAG(p, T, Active, active, HEAD) PF___CLEARPAGEFLAG(p, T, Active, active, HEAD) \
	PF_TESTCLEARFLAG(p, T, Active, active, HEAD)				\
PF_PAGEFLAG(p, T, Workingset, workingset, HEAD)					\
	PF_TESTCLEARFLAG(p, T, Workingset, workingset, HEAD)			\
PF_PAGEFLAG(p, T, Checked, checked, NO_COMPOUND)				\
PF_PAGEFLAG(p, T, Pinned, pinned, NO_COMPOUND) PF_TESTSCFLAG(p, T, Pinned, pinned, NO_COMPOUND) \
PF_PAGEFLAG(p, T, SavePinned, savepinned, NO_COMPOUND)				\
PF_PAGEFLAG(p, T, Foreign, foreign, NO_COMPOUND)				\
PF_PAGEFLAG(p, T, XenRemapped, xen_remapped, NO_COMPOUND)			\
	PF_TESTCLEARFLAG(p, T, XenRemapped, xen_remapped, NO_COMPOUND)		\
PF_PAGEFLAG(p, T, Reserved, reserved, NO_COMPOUND)				\
	PF___CLEARPAGEFLAG(p, T, Reserved, reserved, NO_COMPOUND)		\
	PF___SETPAGEFLAG(p, T, Reserved, reserved, NO_COMPOUND)			\
PF_PAGEFLAG(p, T, SwapBacked, swapbacked, NO_TAIL)				\
	PF___CLEARPAGEFLAG(p, T, SwapBacked, swapbacked, NO_TAIL)		\
	PF___SETPAGEFLAG(p, T, SwapBacked, swapbacked, NO_TAIL)			\
PF_PAGEFLAG(p, T, Private, private, ANY)					\
PF_PAGEFLAG(p, T, Private2, private_2, ANY) PF_TESTSCFLAG(p, T, Private2, private_2, ANY) \
PF_PAGEFLAG(p, T, OwnerPriv1, owner_priv_1, ANY)				\
	PF_TESTCLEARFLAG(p, T, OwnerPriv1, owner_priv_1, ANY)			\
PF_PAGEFLAG(p, T, Writeback, writeback, NO_TAIL)				\
	PF_TESTSCFLAG(p, T, Writeback, writeback, NO_TAIL)			\
PF_PAGEFLAG(p, T, MappedToDisk, mappedtodisk, NO_TAIL)				\
PF_PAGEFLAG(p, T, Reclaim, reclaim, NO_TAIL) PF_TESTCLEARFLAG(p, T, Reclaim, reclaim, NO_TAIL) \
PF_PAGEFLAG(p, T, Readahead, readahead, NO_COMPOUND)				\
	PF_TESTCLEARFLAG(p, T, Readahead, readahead, NO_COMPOUND)		\
PF_PAGEFLAG(p, T, Unevictable, unevictable, HEAD)				\
	PF___CLEARPAGEFLAG(p, T, Unevictable, unevictable, HEAD)		\
	PF_TESTCLEARFLAG(p, T, Unevictable, unevictable, HEAD)			\
PF_PAGEFLAG(p, T, Mlocked, mlocked, NO_TAIL)					\
	PF___CLEARPAGEFLAG(p, T, Mlocked, mlocked, NO_TAIL)			\
	PF_TESTSCFLAG(p, T, Mlocked, mlocked, NO_TAIL)				\
PF_PAGEFLAG(p, T, HWPoison, hwpoison, ANY) PF_TESTSCFLAG(p, T, HWPoison, hwpoison, ANY) \
PF_PAGEFLAG(p, T, Young, young, ANY) PF_TESTCLEARFLAG(p, T, Young, young, ANY)	\
PF_PAGEFLAG(p, T, Idle, idle, ANY)						\
PF_PAGEFLAG(p, T, Reported, reported, NO_COMPOUND)				\
	PF___SETPAGEFLAG(p, T, Reported, reported, NO_COMPOUND)			\
	PF___CLEARPAGEFLAG(p, T, Reported, reported, NO_COMPOUND)		\
PF_PAGEFLAG(p, T, Uptodate, uptodate, NO_TAIL)					\
	PF___SETPAGEFLAG(p, T, Uptodate, uptodate, NO_TAIL)			\
PF_PAGEFLAG(p, T, SwapCache, swapcache, NO_TAIL)				\
PF_PAGEFLAG(p, T, Fscache, fscache, NO_TAIL)					\
PF_PAGEFLAG(p, T, Isolated, isolated, ANY)					\
PF_PAGEFLAG(p, T, AnonExclusive, anon_exclusive, ANY)				\
	PF___CLEARPAGEFLAG(p, T, AnonExclusive, anon_exclusive, ANY)		\
PF_PAGEFLAG(p, T, VmemmapSelfHosted, vmemmap_self_hosted, ANY)			\
PF___PAGEFLAG(p, T, Head, head, ANY) PF_CLEARPAGEFLAG(p, T, Head, head, ANY)	\
PF_PAGEFLAG(p, T, Arch1, arch_1, ANY)

/*
 * Page types (6.12): the top byte of page_type names the type; a page with
 * no type holds UINT_MAX there (the _mapcount of -1 it shares the word with).
 */
enum pf_pagetype {
	/* top byte 0x00-0x7f: a non-negative _mapcount */
	/* top byte 0x80-0xef: room for a _mapcount that overflowed */
	PF_PGTY_buddy		= 0xf0,
	PF_PGTY_offline		= 0xf1,
	PF_PGTY_table		= 0xf2,
	PF_PGTY_guard		= 0xf3,
	PF_PGTY_hugetlb		= 0xf4,
	PF_PGTY_slab		= 0xf5,
	PF_PGTY_zsmalloc	= 0xf6,
	PF_PGTY_unaccepted	= 0xf7,
	PF_PGTY_mapcount_underflow = 0xff
};

static inline bool pf_page_type_has_type(unsigned int page_type)
{
	/* (int)(PF_PGTY_mapcount_underflow << 24) is -16777216: top bytes 0x80..0xfe are types */
	return (int)page_type < -16777216;
}

static inline bool pf_page_has_type(const struct pf_page *page)
{
	return pf_page_type_has_type(page->page_type);
}

/* PAGE_TYPE_OPS: PageX, __SetPageX, __ClearPageX for a page type (prefix pfx, page type T). */
#define PF_PAGE_TYPE_OPS(pfx, T, uname, lname)					\
static inline bool pfx##Page##uname(const T *page)				\
{ return (((const struct pf_page *)(page))->page_type >> 24) == PF_PGTY_##lname; } \
static inline void pfx##__SetPage##uname(T *page)				\
{ ((struct pf_page *)(page))->page_type = (unsigned int)PF_PGTY_##lname << 24; } \
static inline void pfx##__ClearPage##uname(T *page)				\
{ if (pfx##Page##uname(page)) ((struct pf_page *)(page))->page_type = 0xffffffffu; }

/* The page types, and PageTail / PageCompound as page-flags.h defines them. */
#define PF_DEFINE_PAGETYPES(p, T)						\
PF_PAGE_TYPE_OPS(p, T, Buddy, buddy)						\
PF_PAGE_TYPE_OPS(p, T, Offline, offline)					\
PF_PAGE_TYPE_OPS(p, T, Table, table)						\
PF_PAGE_TYPE_OPS(p, T, Guard, guard)						\
PF_PAGE_TYPE_OPS(p, T, Hugetlb, hugetlb)					\
PF_PAGE_TYPE_OPS(p, T, Slab, slab)						\
PF_PAGE_TYPE_OPS(p, T, Zsmalloc, zsmalloc)					\
PF_PAGE_TYPE_OPS(p, T, Unaccepted, unaccepted)					\
static inline bool p##PageTail(const T *page)					\
{ return pf_page_is_tail((const struct pf_page *)(page)); }			\
static inline bool p##PageCompound(const T *page)				\
{ return p##PageHead(page) || p##PageTail(page); }

PF_DEFINE_PAGEFLAGS(pf_, struct pf_page)
PF_DEFINE_PAGETYPES(pf_, struct pf_page)

#ifdef __cplusplus
}
#endif
#endif /* PAGEFRAME_PAGE_H */

/*
 * The kernel's spellings, on request (PF_KERNEL_NAMES, or <pageframe/linux.h>).
 * Outside the header's guard so that a later inclusion with the request
 * still declares them when an earlier one did not.  PF_KERNEL_PAGE_TYPE
 * names the type the accessors take (struct pf_page unless linux.h chose
 * its struct page); the first request fixes it.
 */
#if defined(PF_KERNEL_NAMES) && !defined(PAGEFRAME_PAGE_KERNEL_NAMES)
#define PAGEFRAME_PAGE_KERNEL_NAMES
#ifndef PF_KERNEL_PAGE_TYPE
#define PF_KERNEL_PAGE_TYPE struct pf_page
#endif

#ifdef __cplusplus
extern "C" {
#endif

enum pageflags {
	PG_locked = PF_PG_locked,
	PG_writeback = PF_PG_writeback,
	PG_referenced = PF_PG_referenced,
	PG_uptodate = PF_PG_uptodate,
	PG_dirty = PF_PG_dirty,
	PG_lru = PF_PG_lru,
	PG_head = PF_PG_head,
	PG_waiters = PF_PG_waiters,
	PG_active = PF_PG_active,
	PG_workingset = PF_PG_workingset,
	PG_owner_priv_1 = PF_PG_owner_priv_1,
	PG_owner_2 = PF_PG_owner_2,
	PG_arch_1 = PF_PG_arch_1,
	PG_reserved = PF_PG_reserved,
	PG_private = PF_PG_private,
	PG_private_2 = PF_PG_private_2,
	PG_reclaim = PF_PG_reclaim,
	PG_swapbacked = PF_PG_swapbacked,
	PG_unevictable = PF_PG_unevictable,
	PG_mlocked = PF_PG_mlocked,
	PG_hwpoison = PF_PG_hwpoison,
	PG_young = PF_PG_young,
	PG_idle = PF_PG_idle,
	__NR_PAGEFLAGS = PF___NR_PAGEFLAGS,

	PG_readahead = PF_PG_readahead,
	PG_anon_exclusive = PF_PG_anon_exclusive,
	PG_mappedtodisk = PF_PG_mappedtodisk,
	PG_checked = PF_PG_checked,
	PG_swapcache = PF_PG_swapcache,
	PG_fscache = PF_PG_fscache,
	PG_pinned = PF_PG_pinned,
	PG_savepinned = PF_PG_savepinned,
	PG_foreign = PF_PG_foreign,
	PG_xen_remapped = PF_PG_xen_remapped,
	PG_isolated = PF_PG_isolated,
	PG_reported = PF_PG_reported,
	PG_vmemmap_self_hosted = PF_PG_vmemmap_self_hosted,
	PG_has_hwpoisoned = PF_PG_has_hwpoisoned,
	PG_large_rmappable = PF_PG_large_rmappable,
	PG_partially_mapped = PF_PG_partially_mapped,
};

enum pagetype {
	PGTY_buddy = PF_PGTY_buddy,
	PGTY_offline = PF_PGTY_offline,
	PGTY_table = PF_PGTY_table,
	PGTY_guard = PF_PGTY_guard,
	PGTY_hugetlb = PF_PGTY_hugetlb,
	PGTY_slab = PF_PGTY_slab,
	PGTY_zsmalloc = PF_PGTY_zsmalloc,
	PGTY_unaccepted = PF_PGTY_unaccepted,
	PGTY_mapcount_underflow = PF_PGTY_mapcount_underflow
};

PF_DEFINE_PAGEFLAGS(, PF_KERNEL_PAGE_TYPE)
PF_DEFINE_PAGETYPES(, PF_KERNEL_PAGE_TYPE)

#ifdef __cplusplus
}
#endif
#endif /* PF_KERNEL_NAMES */
