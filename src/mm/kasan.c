/* SPDX-License-Identifier: MIT */
/*
 * kasan.c - the user-space KASAN: free pages poisoned for the sanitizer
 * the program runs under (kasan_poison_pages / kasan_unpoison_pages of
 * mm/kasan/common.c, Linux 6.12, in spirit).
 *
 * AddressSanitizer (a build of the library with -fsanitize=address): the
 * memory of a page freed to the allocator is poisoned through ASan's
 * manual interface and unpoisoned when the page is handed out, so that a
 * use after free is an ASan "use-after-poison" report.  ASan keeps no
 * stacks for manually poisoned memory, so this build records the last
 * allocation and free stack of every page itself and adds them to ASan's
 * report of an address in a machine's memory.
 *
 * Valgrind's memcheck (when <valgrind/memcheck.h> was there at build time
 * and the program runs under memcheck): the same with client requests -
 * VALGRIND_MAKE_MEM_NOACCESS at free, VALGRIND_MAKE_MEM_UNDEFINED at
 * allocation (DEFINED when the page is zeroed).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define PF_HAVE_VALGRIND 1
#endif
#endif

#ifdef PF_ASAN_BUILD
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

static inline void *page_mem(struct pf_machine *m, struct pf_page *page)
{
	return m->base + (size_t)(page - m->mem_map) * PAGE_SIZE;
}

/* Is the program running under Valgrind's memcheck (not another Valgrind tool)? */
static bool running_under_memcheck(void)
{
#ifdef PF_HAVE_VALGRIND
	if (!RUNNING_ON_VALGRIND)
		return false;
	/* memcheck preloads its own library; callgrind, cachegrind, ... do not */
	const char *pre = getenv("LD_PRELOAD");
	return pre && strstr(pre, "vgpreload_memcheck");
#else
	return false;
#endif
}

/* kasan_poison_pages (6.12, in spirit): the freed block is no longer the program's. */
void kasan_poison_pages(struct pf_machine *m, struct pf_page *page, unsigned int order)
{
#ifdef PF_HAVE_VALGRIND
	if (unlikely(m->sanitize_valgrind) && m->base)
		VALGRIND_MAKE_MEM_NOACCESS(page_mem(m, page), PAGE_SIZE << order);
#else
	(void)m, (void)page, (void)order;
#endif
}

/*
 * kasan_unpoison_pages (6.12, in spirit): the block is the program's
 * again, its contents undefined unless it is about to be zeroed (@init).
 * Before the poison check reads it, the block counts as defined.
 */
void kasan_unpoison_pages(struct pf_machine *m, struct pf_page *page, unsigned int order, bool init)
{
#ifdef PF_HAVE_VALGRIND
	if (unlikely(m->sanitize_valgrind) && m->base) {
		if (init || m->page_poisoning)
			VALGRIND_MAKE_MEM_DEFINED(page_mem(m, page), PAGE_SIZE << order);
		else
			VALGRIND_MAKE_MEM_UNDEFINED(page_mem(m, page), PAGE_SIZE << order);
	}
#else
	(void)m, (void)page, (void)order, (void)init;
#endif
}

#ifdef PF_ASAN_BUILD
/*
 * The last allocation and free stack of each page (ASan builds), kept as
 * lib/stackdepot.c keeps page_owner's: each distinct stack once, in a
 * process-wide depot, and per page two 32-bit handles (8 bytes a page, so
 * a machine's memory use stays near what it is without ASan).
 */
#define PAGE_STACK_DEPTH 10
struct pf_page_stacks {
	uint32_t alloc;		/* depot handle: slot + 1, 0 when unknown */
	uint32_t free;
};

#define DEPOT_SLOTS (1u << 16)
struct depot_slot {
	atomic_uint state;	/* 0 empty, 1 being written, 2 published */
	uint64_t hash;
	uintptr_t pcs[PAGE_STACK_DEPTH];
};
static struct depot_slot *_Atomic depot;

/*
 * save_stack - the caller's return addresses by the frame-pointer chain
 * (ASan builds keep frame pointers).  Stops at a frame that does not look
 * like one: a frame above the last, or out of this thread's reach.
 */
__attribute__((noinline, no_sanitize("address"))) static void save_stack(uintptr_t *out)
{
	uintptr_t *fp = __builtin_frame_address(0);
	int n = 0;
	while (n < PAGE_STACK_DEPTH && fp && !((uintptr_t)fp & 7)) {
		uintptr_t *next = (uintptr_t *)fp[0];
		uintptr_t ret = fp[1];
		if (!ret)
			break;
		out[n++] = ret;
		if (next <= fp || (uintptr_t)next - (uintptr_t)fp > (1UL << 20))
			break;
		fp = next;
	}
	while (n < PAGE_STACK_DEPTH)
		out[n++] = 0;
}

/*
 * stack_depot_save (lib/stackdepot.c, 6.12, in spirit): the handle of this
 * stack, adding it when new.  Open addressing, slots written once and
 * published with release; a full depot gives 0 (the stack is not kept).
 */
static uint32_t stack_depot_save(const uintptr_t *pcs)
{
	struct depot_slot *d = atomic_load_explicit(&depot, memory_order_acquire);
	if (!d) {
		struct depot_slot *fresh = pf_os_reserve(DEPOT_SLOTS * sizeof *fresh), *none = NULL;
		if (!fresh)
			return 0;
		if (!atomic_compare_exchange_strong(&depot, &none, fresh)) {
			pf_os_release(fresh, DEPOT_SLOTS * sizeof *fresh);
			d = none;
		} else {
			d = fresh;
		}
	}
	uint64_t h = 0xcbf29ce484222325ULL;
	for (int i = 0; i < PAGE_STACK_DEPTH; i++)
		h = (h ^ pcs[i]) * 0x100000001b3ULL;
	for (uint32_t probe = 0; probe < 64; probe++) {
		uint32_t i = (uint32_t)(h + probe) & (DEPOT_SLOTS - 1);
		struct depot_slot *sl = &d[i];
		unsigned st = atomic_load_explicit(&sl->state, memory_order_acquire);
		if (st == 0) {
			unsigned zero = 0;
			if (atomic_compare_exchange_strong(&sl->state, &zero, 1)) {
				sl->hash = h;
				memcpy(sl->pcs, pcs, sizeof sl->pcs);
				atomic_store_explicit(&sl->state, 2, memory_order_release);
				return i + 1;
			}
			st = zero;
		}
		while (st == 1)	/* another thread is writing this slot: wait for it */
			st = atomic_load_explicit(&sl->state, memory_order_acquire);
		if (sl->hash == h && !memcmp(sl->pcs, pcs, sizeof sl->pcs))
			return i + 1;
	}
	return 0;
}

static uint32_t save_stack_handle(void)
{
	uintptr_t pcs[PAGE_STACK_DEPTH];
	save_stack(pcs);
	return stack_depot_save(pcs);
}

static struct pf_page_stacks *page_stacks(struct pf_machine *m, struct pf_page *page)
{
	return m->page_stacks ? &m->page_stacks[page - m->mem_map] : NULL;
}

void asan_poison_pages(struct pf_machine *m, struct pf_page *page, unsigned int order)
{
	if (!m->base)
		return;
	struct pf_page_stacks *st = page_stacks(m, page);
	if (st)
		__atomic_store_n(&st->free, save_stack_handle(), __ATOMIC_RELAXED);
	ASAN_POISON_MEMORY_REGION(page_mem(m, page), PAGE_SIZE << order);
}

void asan_unpoison_pages(struct pf_machine *m, struct pf_page *page, unsigned int order)
{
	if (!m->base)
		return;
	struct pf_page_stacks *st = page_stacks(m, page);
	if (st)
		__atomic_store_n(&st->alloc, save_stack_handle(), __ATOMIC_RELAXED);
	ASAN_UNPOISON_MEMORY_REGION(page_mem(m, page), PAGE_SIZE << order);
}

static void print_stack(const char *what, uint32_t handle)
{
	struct depot_slot *d = atomic_load_explicit(&depot, memory_order_acquire);
	fprintf(stderr, "%s:\n", what);
	if (!handle || !d) {
		fprintf(stderr, "    (not recorded)\n");
		return;
	}
	const uintptr_t *pcs = d[handle - 1].pcs;
	int n = 0;
	for (int i = 0; i < PAGE_STACK_DEPTH && pcs[i]; i++) {
		char buf[2048];
		/* a return address points after the call: name the call itself; one line per inlined function */
		__sanitizer_symbolize_pc((void *)(pcs[i] - 1), "%p in %f %L", buf, sizeof buf);
		for (const char *f = buf; *f; f += strlen(f) + 1)
			fprintf(stderr, "    #%d %s\n", n++, f);
	}
}

/*
 * asan_report - ASan's error report callback: when the bad address lies in
 * a machine's hosted memory, name the page and print the stacks of its
 * last allocation and free, as ASan does for its own heap.
 */
static void asan_report(const char *report)
{
	void *addr = __asan_get_report_address();
	if (!addr)
		return;
	(void)report;
	int used = atomic_load_explicit(&pf_machine_slots_used, memory_order_acquire);
	for (int i = 0; i < used; i++) {
		struct pf_machine *m = atomic_load_explicit(&pf_machine_table[i], memory_order_acquire);
		if (!m || !m->base || (uintptr_t)addr - (uintptr_t)m->base >= m->base_bytes)
			continue;
		unsigned long pfn = (unsigned long)(((uintptr_t)addr - (uintptr_t)m->base) / PAGE_SIZE);
		fprintf(stderr, "pageframe: %p is in pfn %#lx of machine %d, %s\n", addr, pfn, m->id,
			page_ref_count(&m->mem_map[pfn]) ? "an allocated page" : "a free page");
		if (m->page_stacks) {
			print_stack("freed by", __atomic_load_n(&m->page_stacks[pfn].free, __ATOMIC_RELAXED));
			print_stack("previously allocated by", __atomic_load_n(&m->page_stacks[pfn].alloc, __ATOMIC_RELAXED));
		}
		return;
	}
}
#endif

/* kasan_machine_init - at boot: which sanitizer is watching, and the stack records. */
void kasan_machine_init(struct pf_machine *m)
{
	m->sanitize_valgrind = m->base && running_under_memcheck();
#ifdef PF_ASAN_BUILD
	static atomic_int callback_set;
	if (!atomic_exchange(&callback_set, 1))
		__asan_set_error_report_callback(asan_report);
	if (m->base)
		m->page_stacks = pf_os_reserve(m->memmap_pfns * sizeof *m->page_stacks);
#endif
}

/* kasan_machine_teardown - the window made ordinary memory again before it is unmapped. */
void kasan_machine_teardown(struct pf_machine *m)
{
#ifdef PF_ASAN_BUILD
	ASAN_UNPOISON_MEMORY_REGION(m->base, m->base_bytes);
	if (m->page_stacks)
		pf_os_release(m->page_stacks, m->memmap_pfns * sizeof *m->page_stacks);
	m->page_stacks = NULL;
#endif
#ifdef PF_HAVE_VALGRIND
	if (m->sanitize_valgrind)
		VALGRIND_MAKE_MEM_UNDEFINED(m->base, m->base_bytes);
#endif
}
