/* SPDX-License-Identifier: MIT */
/*
 * memory_model.c - pages, pfns and addresses (the kernel's memory model:
 * include/asm-generic/memory_model.h, SPARSEMEM_VMEMMAP): page_to_pfn,
 * pfn_to_page with pfn_valid, page_address and virt_to_page for the public
 * API, and pf_page_checked, the pointer check every public call that takes
 * a page makes first.  Nothing here changes a page.
 */
#include "internal.h"

/*
 * pf_page_checked - the machine of @page, or NULL after a report when the
 * pointer is not a struct pf_page of a live machine.  Cheap when it is:
 * the machine index in page->flags is tried before a scan of all machines.
 */
struct pf_machine *pf_page_checked(const struct pf_page *page, const char *caller)
{
	/* The common case first: the pointer lies in a machine's memmap, in a section that has one. */
	struct pf_machine *m = page ? pf_page_machine_fast(page) : NULL;
	if (likely(m) && likely(pfn_valid(m, (unsigned long)(page - m->mem_map)))) {
		/* the caller reads the page: a deferred block is written first, so it reads as the free page it is */
		if (unlikely(deferred_pfn(m, (unsigned long)(page - m->mem_map))))
			deferred_init_range(m, (unsigned long)(page - m->mem_map), (unsigned long)(page - m->mem_map) + 1);
		return m;
	}
	if (unlikely(!page)) {
		pf_printk(NULL, '4', "pageframe: %s(NULL): no page", caller);
		return NULL;
	}
	if (!m)
		m = pf_page_machine(page);
	if (unlikely(!m)) {
		pf_printk(NULL, '4', "pageframe: %s(%p): not a struct pf_page of any machine", caller, (const void *)page);
		return NULL;
	}
	/*
	 * An unwritten deferred block (deferred_init.c) reads as machine 0's:
	 * written first, it is the free memory it stands for, not a hole.
	 */
	if (pfn_valid(m, (unsigned long)(page - m->mem_map)) && deferred_pfn(m, (unsigned long)(page - m->mem_map)))
		deferred_init_range(m, (unsigned long)(page - m->mem_map), (unsigned long)(page - m->mem_map) + 1);
	/* an unwritten memmap section reads as machine 0's: pfn_valid tells a hole from a page */
	if (unlikely(page_machine(page) != m || !pfn_valid(m, (unsigned long)(page - m->mem_map)))) {
		pf_printk(m, '4', "pageframe: %s: pfn %#lx has no memmap (a hole between nodes)", caller,
			  (unsigned long)(page - m->mem_map));
		atomic_fetch_add(&m->nr_bad_pages, 1);
		return NULL;
	}
	return m;
}

/* page_to_pfn */
unsigned long pf_page_to_pfn(const struct pf_page *page)
{
	struct pf_machine *m = pf_page_machine(page);
	return m ? (unsigned long)(page - m->mem_map) : ~0UL;
}

/* pfn_to_page, with pfn_valid */
struct pf_page *pf_pfn_to_page(struct pf_machine *m, unsigned long pfn)
{
	if (!m || pfn >= m->memmap_pfns)
		return NULL;
	if (!pfn_valid(m, pfn))
		return NULL;	/* a section without memmap */
	/* the caller may read the page: a deferred block is written first (deferred_init.c) */
	if (unlikely(deferred_pfn(m, pfn)))
		deferred_init_range(m, pfn, pfn + 1);
	return pfn_to_page(m, pfn);
}

/* page_address */
void *pf_page_address(const struct pf_page *page)
{
	struct pf_machine *m = pf_page_machine(page);
	if (!m || !m->base)
		return NULL;
	return m->base + (size_t)(page - m->mem_map) * PAGE_SIZE;
}

/* virt_to_page */
struct pf_page *pf_virt_to_page(struct pf_machine *m, const void *addr)
{
	if (!m || !m->base || (const char *)addr < m->base || (const char *)addr >= m->base + m->base_bytes)
		return NULL;
	return pf_pfn_to_page(m, (unsigned long)((const char *)addr - m->base) / PAGE_SIZE);
}

