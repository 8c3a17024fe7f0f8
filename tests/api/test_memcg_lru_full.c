/* test_memcg_lru_full: an owner whose memcg cannot take a page's charge gets it back intact: pf_lru_cache_add's -ENOMEM clears the marks pf_workingset_refault set (the page frees without a bad page report), and pf_swap_readpage with a mapping returns NULL with the swap entry still in use and its data kept, readable once the memcg has room (the kernel charges a swap-in before the slot is let go). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include <pageframe/page.h>
#include "pf_testlib.h"

#define MACHINE "cpus 1\nmem 0 0x1000-0x3ffffff\nbacking hosted\nswap 4M\n"

/* one slot: the page, or the swap entry / shadow it left */
struct owner {
	struct pf_address_space as;
	struct pf_page *page;
	unsigned long entry, shadow;
};

static bool release(struct pf_address_space *mapping, struct pf_page *page, unsigned long shadow)
{
	struct owner *o = mapping->host;
	if (o->page != page)
		return false;
	o->page = NULL;
	o->shadow = shadow;
	return true;
}

static bool unmap(struct pf_address_space *mapping, struct pf_page *page, unsigned long entry)
{
	struct owner *o = mapping->host;
	if (o->page != page)
		return false;
	o->page = NULL;
	o->entry = entry;
	return true;
}

static const struct pf_address_space_operations aops = { release, NULL, unmap };

/* the memcg OOM reports (nothing to kill) are expected: kept off stderr */
static void quiet(void *arg, int level, const char *line)
{
	(void)arg;
	(void)level;
	(void)line;
}

static struct pf_machine *boot(void)
{
	struct pf_machine *m = pf_test_boot(MACHINE);
	pf_set_report_hook(m, quiet, NULL);
	return m;
}

static long vm(struct pf_machine *m, const char *name)
{
	long v = -1;
	assert_int_equal(pf_vmstat_get(m, name, &v), 0);
	return v;
}

static unsigned long swap_used(struct pf_machine *m)
{
	unsigned long total, free;
	pf_swap_info(m, &total, &free);
	return total - free;
}

/* a page of @type with @stamp in its first word, on the LRU of the calling thread's memcg */
static struct pf_page *add(struct pf_machine *m, struct owner *o, int type, uint64_t stamp)
{
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_USER, 0);
	assert_non_null(p);
	*(uint64_t *)pf_page_address(p) = stamp;
	o->page = p;
	assert_int_equal(pf_lru_cache_add(p, &o->as, type), 0);
	return p;
}

static void swap_in_needs_room(void **state)
{
	(void)state;
	struct pf_machine *m = boot();
	struct owner o = { { &aops, &o }, NULL, 0, 0 };
	struct pf_memcg *a = pf_memcg_create(m, NULL, "a");
	assert_non_null(a);
	pf_memcg_attach(a);
	add(m, &o, PF_LRU_ANON, 0x1234567890abcdefull);
	/* memory.max 0: reclaim swaps the page out */
	assert_int_equal(pf_memcg_set(a, "memory.max", "0"), 0);
	assert_null(o.page);
	assert_int_not_equal(o.entry, 0);
	assert_int_equal(swap_used(m), 1);
	long pswpin = vm(m, "pswpin");

	/* no room for the charge: NULL, the entry still in use and readable later */
	assert_null(pf_swap_readpage(m, o.entry, PF_GFP_USER, &o.as, 0));
	assert_int_equal(swap_used(m), 1);
	assert_int_equal(vm(m, "pswpin"), pswpin);
	assert_int_equal(vm(m, "nr_anon_pages"), 0);

	assert_int_equal(pf_memcg_set(a, "memory.max", "max"), 0);
	struct pf_page *p = pf_swap_readpage(m, o.entry, PF_GFP_USER, &o.as, 0);
	assert_non_null(p);
	assert_int_equal(*(uint64_t *)pf_page_address(p), 0x1234567890abcdefull);
	assert_int_equal(swap_used(m), 0);
	assert_int_equal(vm(m, "pswpin"), pswpin + 1);
	assert_int_equal(vm(m, "nr_anon_pages"), 1);
	assert_int_equal(pf_lru_del(p), 0);	/* it is on the LRU */
	pf_free_pages(p, 0);
	assert_int_equal(vm(m, "pageframe_bad_pages"), 0);
	pf_memcg_attach(NULL);
	pf_memcg_destroy(a);
	pf_test_check(m, "end");
	pf_machine_destroy(m);
}

static void refaulted_page_refused(void **state)
{
	(void)state;
	struct pf_machine *m = boot();
	struct owner o = { { &aops, &o }, NULL, 0, 0 };
	struct pf_memcg *a = pf_memcg_create(m, NULL, "a");
	pf_memcg_attach(a);
	add(m, &o, PF_LRU_FILE, 1);
	/* memory.max 0: reclaim releases the clean file page, leaving a shadow */
	assert_int_equal(pf_memcg_set(a, "memory.max", "0"), 0);
	assert_null(o.page);
	assert_int_not_equal(o.shadow, 0);

	/* refaulted at once: the refault distance (0) fits, so workingset_refault activates it */
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_USER, 0);
	pf_memcg_attach(NULL);
	assert_non_null(p);
	long activate = vm(m, "workingset_activate_file");
	pf_workingset_refault(p, PF_LRU_FILE, o.shadow);
	assert_int_equal(vm(m, "workingset_activate_file"), activate + 1);
	pf_memcg_attach(a);
	assert_int_equal(pf_lru_cache_add(p, &o.as, PF_LRU_FILE), -ENOMEM);
	pf_memcg_attach(NULL);
	/* the caller frees it: no PG_active left on it for free_pages_prepare to find */
	pf_free_pages(p, 0);
	assert_int_equal(vm(m, "pageframe_bad_pages"), 0);
	pf_memcg_destroy(a);
	pf_test_check(m, "end");
	pf_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(swap_in_needs_room),
		cmocka_unit_test(refaulted_page_refused),
	};
	pf_test_watchdog("test_memcg_lru_full", 20);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
