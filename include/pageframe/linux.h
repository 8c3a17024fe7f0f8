/* SPDX-License-Identifier: MIT */
/*
 * pageframe/linux.h - the kernel's own names for kernel-style code.
 *
 * Include this in code written as if for the kernel (or ported from it):
 * alloc_pages(), __free_pages(), get_page(), put_page(), page_to_pfn(),
 * page_address(), GFP_KERNEL and friends act on a default machine, set
 * with pf_linux_set_default_machine().  Everything maps onto the pf_ API.
 * Never include it together with real kernel headers.
 *
 * struct page is an opaque handle here: declared, never defined, so code
 * holds and passes struct page pointers as the kernel's does, and no
 * identifier of the program is renamed (a variable or member called page is
 * fine).  Each pointer designates the library's struct pf_page;
 * pf_from_page() and pf_to_page() convert between the two, and the fields
 * are read through the struct pf_page, never through a struct page.  This
 * header also brings the kernel's page-flag names from <pageframe/page.h>
 * (PG_locked, PageBuddy(), SetPageDirty(), ...), taking struct page
 * pointers.  A program that wants those names on struct pf_page instead
 * defines PF_KERNEL_NAMES and includes <pageframe/page.h> without this
 * header; one translation unit cannot have both.
 */
#ifndef PAGEFRAME_LINUX_H
#define PAGEFRAME_LINUX_H

#if defined(PAGEFRAME_PAGE_KERNEL_NAMES)
#error "<pageframe/page.h> already declared the kernel names on struct pf_page (PF_KERNEL_NAMES); <pageframe/linux.h> needs them on struct page: include it first, or not at all"
#endif

/* The opaque handle, and the request for the kernel names on it. */
struct page;
#ifndef PF_KERNEL_NAMES
#define PF_KERNEL_NAMES 1
#endif
#define PF_KERNEL_PAGE_TYPE struct page

#include <pageframe/pageframe.h>
#include <pageframe/page.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef pf_gfp_t gfp_t;

/* The library's page behind a handle, and the handle of a library page (NULL stays NULL). */
static inline struct pf_page *pf_from_page(struct page *page)
{
	return (struct pf_page *)page;
}

static inline const struct pf_page *pf_from_const_page(const struct page *page)
{
	return (const struct pf_page *)page;
}

static inline struct page *pf_to_page(struct pf_page *pg)
{
	return (struct page *)pg;
}

/* The machine alloc_pages() and friends use: pf_linux_set_default_machine() (pageframe.h). */

#define MAX_PAGE_ORDER		PF_MAX_PAGE_ORDER
#define NR_PAGE_ORDERS		PF_NR_PAGE_ORDERS
#ifndef PAGE_SHIFT
#define PAGE_SHIFT		PF_PAGE_SHIFT
#define PAGE_SIZE		PF_PAGE_SIZE
#endif
#define NUMA_NO_NODE		(-1)

#define __GFP_DMA		PF___GFP_DMA
#define __GFP_HIGHMEM		PF___GFP_HIGHMEM
#define __GFP_DMA32		PF___GFP_DMA32
#define __GFP_MOVABLE		PF___GFP_MOVABLE
#define __GFP_RECLAIMABLE	PF___GFP_RECLAIMABLE
#define __GFP_HIGH		PF___GFP_HIGH
#define __GFP_IO		PF___GFP_IO
#define __GFP_FS		PF___GFP_FS
#define __GFP_ZERO		PF___GFP_ZERO
#define __GFP_DIRECT_RECLAIM	PF___GFP_DIRECT_RECLAIM
#define __GFP_KSWAPD_RECLAIM	PF___GFP_KSWAPD_RECLAIM
#define __GFP_RECLAIM		PF___GFP_RECLAIM
#define __GFP_WRITE		PF___GFP_WRITE
#define __GFP_NOWARN		PF___GFP_NOWARN
#define __GFP_RETRY_MAYFAIL	PF___GFP_RETRY_MAYFAIL
#define __GFP_NOFAIL		PF___GFP_NOFAIL
#define __GFP_NORETRY		PF___GFP_NORETRY
#define __GFP_MEMALLOC		PF___GFP_MEMALLOC
#define __GFP_COMP		PF___GFP_COMP
#define __GFP_NOMEMALLOC	PF___GFP_NOMEMALLOC
#define __GFP_HARDWALL		PF___GFP_HARDWALL
#define __GFP_THISNODE		PF___GFP_THISNODE
#define __GFP_ACCOUNT		PF___GFP_ACCOUNT
#define __GFP_ZEROTAGS		PF___GFP_ZEROTAGS

#define GFP_ATOMIC		PF_GFP_ATOMIC
#define GFP_KERNEL		PF_GFP_KERNEL
#define GFP_KERNEL_ACCOUNT	PF_GFP_KERNEL_ACCOUNT
#define GFP_NOWAIT		PF_GFP_NOWAIT
#define GFP_NOIO		PF_GFP_NOIO
#define GFP_NOFS		PF_GFP_NOFS
#define GFP_USER		PF_GFP_USER
#define GFP_DMA			PF_GFP_DMA
#define GFP_DMA32		PF_GFP_DMA32
#define GFP_HIGHUSER		PF_GFP_HIGHUSER
#define GFP_HIGHUSER_MOVABLE	PF_GFP_HIGHUSER_MOVABLE
#define GFP_TRANSHUGE_LIGHT	PF_GFP_TRANSHUGE_LIGHT
#define GFP_TRANSHUGE		PF_GFP_TRANSHUGE

static inline struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	return pf_to_page(pf_alloc_pages(pf_linux_default_machine(), gfp, order));
}

static inline struct page *alloc_pages_node(int nid, gfp_t gfp, unsigned int order)
{
	return pf_to_page(pf_alloc_pages_node(pf_linux_default_machine(), nid, gfp, order));
}

static inline struct page *alloc_page(gfp_t gfp)
{
	return alloc_pages(gfp, 0);
}

static inline void __free_pages(struct page *page, unsigned int order)
{
	pf_free_pages(pf_from_page(page), order);
}

static inline void __free_page(struct page *page)
{
	pf_free_pages(pf_from_page(page), 0);
}

static inline void get_page(struct page *page)
{
	pf_get_page(pf_from_page(page));
}

static inline void put_page(struct page *page)
{
	pf_put_page(pf_from_page(page));
}

static inline int page_count(const struct page *page)
{
	return pf_page_count(pf_from_const_page(page));
}

static inline unsigned long page_to_pfn(const struct page *page)
{
	return pf_page_to_pfn(pf_from_const_page(page));
}

static inline struct page *pfn_to_page(unsigned long pfn)
{
	return pf_to_page(pf_pfn_to_page(pf_linux_default_machine(), pfn));
}

static inline void *page_address(const struct page *page)
{
	return pf_page_address(pf_from_const_page(page));
}

static inline struct page *virt_to_page(const void *addr)
{
	return pf_to_page(pf_virt_to_page(pf_linux_default_machine(), addr));
}

static inline unsigned long __get_free_pages(gfp_t gfp, unsigned int order)
{
	struct page *page = alloc_pages(gfp & ~__GFP_HIGHMEM, order);
	return page ? (unsigned long)page_address(page) : 0;
}

static inline unsigned long get_zeroed_page(gfp_t gfp)
{
	return __get_free_pages(gfp | __GFP_ZERO, 0);
}

static inline void free_pages(unsigned long addr, unsigned int order)
{
	if (addr)
		__free_pages(virt_to_page((void *)addr), order);
}

static inline void free_page(unsigned long addr)
{
	free_pages(addr, 0);
}

/* A few field readers kernel code calls, since struct page has no fields here. */
static inline struct page *compound_head(const struct page *page)
{
	return pf_to_page(pf_compound_head(pf_from_const_page(page)));
}

static inline int page_to_nid(const struct page *page)
{
	return pf_page_to_nid(pf_from_const_page(page));
}

static inline unsigned long page_private(const struct page *page)
{
	return pf_from_const_page(page)->PF_PAGE_PRIVATE;
}

static inline void set_page_private(struct page *page, unsigned long value)
{
	pf_from_page(page)->PF_PAGE_PRIVATE = value;
}

#ifdef __cplusplus
}
#endif
#endif /* PAGEFRAME_LINUX_H */
