/* SPDX-License-Identifier: MIT */
/*
 * pageframe.c - the public API (include/pageframe/pageframe.h) over the
 * kernel-named internals: argument checks, pointer validation, and nothing
 * else.  Every function here names the kernel function it stands for.
 */
#include "mm/internal.h"

#include <limits.h>
#include <string.h>

/*
 * pf_page_checked - the machine of @page, or NULL after a report when the
 * pointer is not a struct pf_page of a live machine.  Cheap when it is:
 * the machine index in page->flags is tried before a scan of all machines.
 */
static struct pf_machine *pf_page_checked(const struct pf_page *page, const char *caller)
{
	/* The common case first: the machine named in page->flags holds the pointer in its memmap. */
	struct pf_machine *fm = page ? pf_page_machine_fast(page) : NULL;
	if (likely(fm))
		return fm;
	if (unlikely(!page)) {
		pf_printk(NULL, '4', "pageframe: %s(NULL): no page", caller);
		return NULL;
	}
	struct pf_machine *m = pf_page_machine(page);
	if (unlikely(!m)) {
		pf_printk(NULL, '4', "pageframe: %s(%p): not a struct pf_page of any machine", caller, (const void *)page);
		return NULL;
	}
	if (unlikely(page_machine(page) != m)) {
		pf_printk(m, '4', "pageframe: %s: pfn %#lx has no memmap (a hole between nodes)", caller,
			  (unsigned long)(page - m->mem_map));
		atomic_fetch_add(&m->nr_bad_pages, 1);
		return NULL;
	}
	return m;
}

/* alloc_pages_node / alloc_pages */
struct pf_page *pf_alloc_pages_node(struct pf_machine *m, int nid, pf_gfp_t gfp, unsigned order)
{
	if (!m)
		return NULL;
	if (nid == NUMA_NO_NODE)
		nid = numa_mem_id(m);
	if (unlikely(nid < 0 || nid >= m->nr_node_ids)) {
		pf_printk(m, '4', "pageframe: alloc_pages_node: node %d does not exist (0..%d)", nid, m->nr_node_ids - 1);
		return NULL;
	}
	if (likely(order == 0))
		return __alloc_pages_fastpath(m, gfp, nid);	/* falls back to __alloc_pages itself */
	return __alloc_pages(m, gfp, order, nid, NULL);
}

/* pf_alloc_pages (alloc_pages) and pf_free_pages (__free_pages) live in mm/page_alloc.c with the fast paths they are. */

/* __free_pages, the general path: pointer check, then the kernel's __free_pages. */
void pf_free_pages_checked(struct pf_page *page, unsigned order)
{
	struct pf_machine *m = pf_page_checked(page, "__free_pages");
	if (!m)
		return;
	if (unlikely(order > MAX_PAGE_ORDER)) {
		bad_page(page, "freed with an order above MAX_PAGE_ORDER");
		return;
	}
	__free_pages(page, order);
}

/* get_page */
void pf_get_page(struct pf_page *page)
{
	if (pf_page_checked(page, "get_page"))
		get_page(page);
}

/* put_page */
void pf_put_page(struct pf_page *page)
{
	if (pf_page_checked(page, "put_page"))
		put_page(page);
}

/* page_count */
int pf_page_count(const struct pf_page *page)
{
	if (!pf_page_checked(page, "page_count"))
		return 0;
	return page_ref_count(pf_compound_head(page));
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

int pf_check(struct pf_machine *m, char *err, size_t errlen)
{
	if (!m) {
		if (err && errlen)
			snprintf(err, errlen, "no machine");
		return -EINVAL;
	}
	return pf_check_machine(m, err, errlen);
}

int pf_show(struct pf_machine *m, const char *what, FILE *out)
{
	if (!m || !what || !out)
		return -EINVAL;
	return pf_vmstat_show(m, what, out);
}

/* ---- the default machine of <pageframe/linux.h> ---- */
static struct pf_machine *_Atomic pf_linux_machine;

void pf_linux_set_default_machine(struct pf_machine *m)
{
	atomic_store(&pf_linux_machine, m);
}

struct pf_machine *pf_linux_default_machine(void)
{
	return atomic_load(&pf_linux_machine);
}

/* ---- per-CPU lists ---- */
void pf_drain_local_pages(struct pf_machine *m)
{
	if (m)
		drain_local_pages(m, NULL);
}

void pf_drain_all_pages(struct pf_machine *m)
{
	if (m)
		drain_all_pages(m, NULL);
}

/* refresh_cpu_vm_stats's part that concerns the page lists: decay_pcp_high on every CPU. */
void pf_vmstat_refresh(struct pf_machine *m)
{
	if (!m)
		return;
	for (int nid = 0; nid < m->nr_node_ids; nid++)
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &m->node_data[nid]->node_zones[z];
			if (!populated_zone(zone))
				continue;
			for (int cpu = 0; cpu < m->nr_cpus; cpu++)
				decay_pcp_high(zone, &zone->per_cpu_pageset[cpu]);
		}
}

/* alloc_pages_bulk_array / alloc_pages_bulk_list */
unsigned long pf_alloc_pages_bulk(struct pf_machine *m, pf_gfp_t gfp, unsigned long nr_pages,
				  struct pf_page **page_array)
{
	if (!m || !page_array || nr_pages > INT_MAX)
		return 0;
	int nid = numa_mem_id(m);
	return alloc_pages_bulk(m, gfp, nid, NULL, (int)nr_pages, NULL, page_array);
}

unsigned long pf_alloc_pages_bulk_list(struct pf_machine *m, pf_gfp_t gfp, unsigned long nr_pages,
				       struct pf_list_head *page_list)
{
	if (!m || !page_list || nr_pages > INT_MAX)
		return 0;
	int nid = numa_mem_id(m);
	return alloc_pages_bulk(m, gfp, nid, NULL, (int)nr_pages, page_list, NULL);
}
