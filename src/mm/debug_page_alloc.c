/* SPDX-License-Identifier: MIT */
/*
 * debug_page_alloc.c - debug_pagealloc and guard pages (mm/debug_page_alloc.c
 * and the architecture's __kernel_map_pages, Linux 6.12), and the opt-in
 * fault handler that explains a fault in a machine's memory
 * (pf_install_fault_handler, <pageframe/debug.h>).
 *
 * With debug_pagealloc=on a page freed to the allocator is made
 * inaccessible in the hosted window (platform.h pf_os_protect: mprotect
 * PROT_NONE), at free time, also when it only goes to a per-CPU list, and
 * accessible again when it is handed out: a use after free faults at the
 * very instruction.  The allocator itself never touches the contents of a
 * free page (merging and the lists live in the memmap; migration copies
 * allocated pages), and the hooks are ordered so that poisoning writes a
 * page before it is unmapped and checks it after it is mapped.
 */
#include "internal.h"

#include <pageframe/debug.h>
#include <stdlib.h>
#include <string.h>

static inline void *page_mem(struct pf_machine *m, struct pf_page *page)
{
	return m->base + (size_t)(page - m->mem_map) * PAGE_SIZE;
}

/*
 * __kernel_map_pages (arch/x86/mm/pat/set_memory.c, 6.12, for
 * debug_pagealloc): present or not present.  A host that refuses (the
 * process's limit on mappings, vm.max_map_count) leaves the pages as they
 * were; that is reported once per machine, and the allocator goes on.
 */
void __kernel_map_pages(struct pf_machine *m, struct pf_page *page, int numpages, int enable)
{
	int rc = pf_os_protect(page_mem(m, page), (size_t)numpages * PAGE_SIZE, enable ? PF_OS_PROT_RW : PF_OS_PROT_NONE);
	if (unlikely(rc) && !atomic_exchange(&m->debug_pagealloc_warned, 1))
		pf_printk(m, '4', "pageframe: debug_pagealloc: the host refused to %s pfn %#lx (+%d pages): error %d; "
			  "pages it refuses stay accessible", enable ? "map" : "unmap",
			  (unsigned long)(page - m->mem_map), numpages, -rc);
}

/*
 * debug_pagealloc_param - debug_pagealloc= (kstrtobool, early_debug_pagealloc)
 * and debug_guardpage_minorder= (0..MAX_PAGE_ORDER / 2,
 * debug_guardpage_minorder_setup), 6.12.  Return: 1 when @name is not
 * ours, 0 when taken, -EINVAL with @err set.
 */
int debug_pagealloc_param(struct pf_machine *m, const char *name, const char *val, char *err, size_t errlen)
{
	if (!strcmp(name, "debug_pagealloc")) {
		if (!strcmp(val, "on") || !strcmp(val, "1") || val[0] == 'y' || val[0] == 'Y')
			m->debug_pagealloc = true;
		else if (!strcmp(val, "off") || !strcmp(val, "0") || val[0] == 'n' || val[0] == 'N')
			m->debug_pagealloc = false;
		else {
			snprintf(err, errlen, "debug_pagealloc=%s is not a boolean (on/off, 1/0, y/n)", val);
			return -EINVAL;
		}
		return 0;
	}
	if (!strcmp(name, "debug_guardpage_minorder")) {
		char *end;
		unsigned long res = strtoul(val, &end, 10);
		if (!val[0] || *end || val[0] == '-' || res > MAX_PAGE_ORDER / 2) {
			snprintf(err, errlen, "Bad debug_guardpage_minorder value '%s' (0..%d)", val, MAX_PAGE_ORDER / 2);
			return -EINVAL;
		}
		m->debug_guardpage_minorder = (unsigned)res;
		return 0;
	}
	return 1;
}

/*
 * __set_page_guard (6.12): expand() keeps a split-off half of an order
 * below debug_guardpage_minorder out of the free lists as a guard page
 * (PageGuard, its order in private); it stays unmapped, so an overrun of
 * the block beside it faults, and merges back when that block is freed.
 * Context: zone->lock.
 */
bool __set_page_guard(struct zone *zone, struct pf_page *page, unsigned int order)
{
	(void)zone;
	if (order >= zone_machine(zone)->debug_guardpage_minorder)
		return false;
	__SetPageGuard(page);
	INIT_LIST_HEAD(&page->buddy_list);
	set_page_private(page, order);
	atomic_fetch_add(&zone_machine(zone)->nr_guard_pages, 1L << order);
	return true;
}

/* __clear_page_guard (6.12): the guard merges into the block being freed. Context: zone->lock. */
void __clear_page_guard(struct zone *zone, struct pf_page *page, unsigned int order)
{
	__ClearPageGuard(page);
	set_page_private(page, 0);
	atomic_fetch_sub(&zone_machine(zone)->nr_guard_pages, 1L << order);
}

/*
 * debug_pages_boot_free - what free_pages_prepare does to memory given to
 * the allocator at boot (the kernel's boot frees run free_pages_prepare;
 * ours go straight to the lists): poison it, hide it from the sanitizer,
 * unmap it.
 */
void debug_pages_boot_free(struct pf_machine *m, struct pf_page *page, unsigned int order)
{
	if (!m->base)
		return;
	kernel_poison_pages(m, page, 1 << order);
	kasan_poison_pages(m, page, order);
	asan_poison_pages(m, page, order);
	debug_pagealloc_unmap_pages(m, page, 1 << order);
}

/*
 * debug_pages_teardown - the memory as it was before the machine, before
 * the backing lets it go: accessible again (external memory stays the
 * caller's) and ordinary memory for the sanitizer.
 */
void debug_pages_teardown(struct pf_machine *m)
{
	if (!m->base)
		return;
	if (m->debug_pagealloc)
		(void)pf_os_protect(m->base, m->base_bytes, PF_OS_PROT_RW);
	kasan_machine_teardown(m);
}

/* ---- the fault handler ------------------------------------------------------------------ */

/*
 * pf_fault_explain - the fault handler's question: is @addr in the hosted
 * memory of a machine that asked for explanations?  Then say which page
 * it hit and what the page is (dump_page), in the words of the kernel's
 * page fault oops, and let the process die of the signal.
 */
static bool pf_fault_explain(void *addr)
{
	int used = atomic_load_explicit(&pf_machine_slots_used, memory_order_acquire);
	for (int i = 0; i < used; i++) {
		struct pf_machine *m = atomic_load_explicit(&pf_machine_table[i], memory_order_acquire);
		if (!m || !m->fault_handler || !m->base)
			continue;
		uintptr_t off = (uintptr_t)addr - (uintptr_t)m->base;
		if (off >= m->base_bytes)
			continue;
		unsigned long pfn = (unsigned long)(off / PAGE_SIZE);
		pf_printk(m, '1', "BUG: unable to handle page fault for address: %016lx", (unsigned long)(uintptr_t)addr);
		if (!pfn_valid(m, pfn)) {
			pf_printk(m, '1', "pageframe: the address is in pfn %#lx of machine %d, which has no memmap", pfn,
				  m->id);
			return true;
		}
		struct pf_page *page = pfn_to_page(m, pfn);
		bool free = page_ref_count(page) == 0;
		pf_printk(m, '1', "pageframe: the address is in pfn %#lx of machine %d, %s", pfn, m->id,
			  PageGuard(page) ? "a guard page" :
			  free ? (m->debug_pagealloc ? "a free page (debug_pagealloc unmapped it)" : "a free page") :
				 "an allocated page");
		dump_page(page, "page fault in the machine's memory");
		return true;
	}
	return false;
}

/* pf_install_fault_handler (<pageframe/debug.h>) */
int pf_install_fault_handler(struct pf_machine *m)
{
	if (!m)
		return -EINVAL;
	if (!m->base) {
		pf_printk(m, '4', "pageframe: pf_install_fault_handler: the machine has no memory behind its pages "
			  "(backing none)");
		return -EINVAL;
	}
	int rc = pf_os_fault_handler_install(pf_fault_explain);
	if (rc)
		return rc;
	m->fault_handler = true;
	return 0;
}
