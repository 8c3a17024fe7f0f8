/* test_vmscan_lru: pages an owner puts on the LRU are counted on their list in the node and zone counters (vmstat, zoneinfo), follow folio_mark_accessed's promotion rules (inactive -> referenced -> active, pgactivate), leave with pf_lru_del, and bad calls are refused and reported without changing anything. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "pf_testlib.h"
#include "mm/vmscan.h"
#include "test_vmscan_owner.h"

/* one zone: DMA32 = pfn 0x1000..0x2fff, 8192 pages */
#define MACHINE "cpus 1\nmem 0 0x1000000-0x2ffffff\nthp never\nsysctl vm.min_free_kbytes=0\n"

static long vm(struct pf_machine *m, const char *name)
{
	return pf_test_vmstat(m, name);
}

/* the "nr_zone_<name>" line of zoneinfo's DMA32 block */
static long zoneinfo_dma32(struct pf_machine *m, const char *item)
{
	char *s = pf_test_show(m, "zoneinfo");
	char *z = strstr(s, "zone    DMA32");
	assert_non_null(z);
	char key[64];
	snprintf(key, sizeof key, "\n      %s ", item);
	char *l = strstr(z, key);
	assert_non_null(l);
	long v = strtol(l + strlen(key), NULL, 10);
	free(s);
	return v;
}

static void lists_and_counters(void **state)
{
	(void)state;
	pf_bind_cpu(0);
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct lru_owner *o = lru_owner_new(m, 20);

	for (unsigned i = 0; i < 10; i++)
		assert_true(lru_owner_fill(o, i, PF_LRU_FILE, PF_GFP_HIGHUSER_MOVABLE));
	for (unsigned i = 10; i < 16; i++)
		assert_true(lru_owner_fill(o, i, PF_LRU_ANON, PF_GFP_HIGHUSER_MOVABLE));
	assert_int_equal(vm(m, "nr_inactive_file"), 10);
	assert_int_equal(vm(m, "nr_inactive_anon"), 6);
	assert_int_equal(vm(m, "nr_file_pages"), 10);
	assert_int_equal(vm(m, "nr_anon_pages"), 6);
	assert_int_equal(zoneinfo_dma32(m, "nr_zone_inactive_file"), 10);
	assert_int_equal(zoneinfo_dma32(m, "nr_zone_inactive_anon"), 6);
	assert_true(pf_PageLRU(o->slots[0].page));
	assert_false(pf_PageSwapBacked(o->slots[0].page));
	assert_true(pf_PageSwapBacked(o->slots[10].page));

	/* folio_mark_accessed: first use sets PG_referenced, the second activates */
	struct pf_page *p = o->slots[3].page;
	pf_mark_page_accessed(p);
	assert_true(pf_PageReferenced(p));
	assert_false(pf_PageActive(p));
	assert_int_equal(vm(m, "pgactivate"), 0);
	pf_mark_page_accessed(p);
	assert_true(pf_PageActive(p));
	assert_false(pf_PageReferenced(p));
	assert_int_equal(vm(m, "pgactivate"), 1);
	assert_int_equal(vm(m, "nr_active_file"), 1);
	assert_int_equal(vm(m, "nr_inactive_file"), 9);
	assert_int_equal(zoneinfo_dma32(m, "nr_zone_active_file"), 1);
	/* active: the next use only references it, the one after changes nothing more */
	pf_mark_page_accessed(p);
	assert_true(pf_PageReferenced(p));
	pf_mark_page_accessed(p);
	assert_int_equal(vm(m, "pgactivate"), 1);

	/* dirty accounting of a file page: nr_dirty and the zone's write_pending */
	assert_true(pf_set_page_dirty(o->slots[4].page));
	assert_false(pf_set_page_dirty(o->slots[4].page));
	assert_int_equal(vm(m, "nr_dirty"), 1);
	assert_int_equal(vm(m, "nr_dirtied"), 1);
	assert_int_equal(zoneinfo_dma32(m, "nr_zone_write_pending"), 1);
	assert_false(pf_set_page_dirty(o->slots[10].page));	/* anonymous: nothing */
	assert_int_equal(vm(m, "nr_dirty"), 1);

	/* pf_lru_del takes everything back, the dirty count included; the page frees cleanly */
	lru_owner_drop(o, 4);
	lru_owner_drop(o, 3);
	assert_int_equal(vm(m, "nr_dirty"), 0);
	assert_int_equal(zoneinfo_dma32(m, "nr_zone_write_pending"), 0);
	assert_int_equal(vm(m, "nr_active_file"), 0);
	assert_int_equal(vm(m, "nr_inactive_file"), 8);
	assert_int_equal(vm(m, "nr_file_pages"), 8);
	assert_int_equal(vm(m, "pageframe_bad_pages"), 0);

	lru_owner_free(o);
	assert_int_equal(vm(m, "nr_inactive_file"), 0);
	assert_int_equal(vm(m, "nr_inactive_anon"), 0);
	assert_int_equal(vm(m, "nr_anon_pages"), 0);
	assert_int_equal(vm(m, "pageframe_bad_pages"), 0);
	pf_test_check(m, "end");
	pf_machine_destroy(m);
}

static char reports[4096];
static void capture(void *arg, int level, const char *line)
{
	(void)arg;
	(void)level;
	strncat(reports, line, sizeof reports - strlen(reports) - 2);
	strcat(reports, "\n");
}

static void bad_calls(void **state)
{
	(void)state;
	pf_bind_cpu(0);
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct lru_owner *o = lru_owner_new(m, 4);
	pf_set_report_hook(m, capture, NULL);
	reports[0] = '\0';

	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	assert_int_equal(pf_lru_cache_add(p, NULL, PF_LRU_FILE), -EINVAL);
	assert_int_equal(pf_lru_cache_add(p, &o->as, 7), -EINVAL);
	assert_non_null(strstr(reports, "neither PF_LRU_ANON nor PF_LRU_FILE"));
	assert_int_equal(pf_lru_cache_add(p, &o->as, PF_LRU_FILE), 0);
	assert_int_equal(pf_lru_cache_add(p, &o->as, PF_LRU_FILE), -EBUSY);
	assert_int_equal(vm(m, "nr_inactive_file"), 1);

	/* a compound page is refused: the LRU holds order-0 pages */
	struct pf_page *c = pf_alloc_pages(m, PF_GFP_KERNEL | PF_GFP_COMP, 2);
	assert_int_equal(pf_lru_cache_add(c, &o->as, PF_LRU_FILE), -EINVAL);
	pf_free_pages(c, 2);

	/* freeing a page still on the LRU: the kernel's bad_page for PG_lru, and nothing lost */
	long bad = vm(m, "pageframe_bad_pages");
	pf_free_pages(p, 0);
	assert_int_equal(vm(m, "pageframe_bad_pages"), bad + 1);
	assert_non_null(strstr(reports, "PAGE_FLAGS_CHECK_AT_FREE flag(s) set"));
	assert_int_equal(vm(m, "nr_inactive_file"), 1);
	assert_true(pf_PageLRU(p));
	/* the owner can still take it off and free it */
	assert_int_equal(pf_lru_del(p), 0);
	pf_free_pages(p, 0);
	assert_int_equal(vm(m, "nr_inactive_file"), 0);

	/* pf_lru_del of a page that is not an LRU page */
	struct pf_page *q = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	reports[0] = '\0';
	assert_int_equal(pf_lru_del(q), -EINVAL);
	assert_non_null(strstr(reports, "not on the LRU"));
	pf_free_pages(q, 0);

	/* swap calls on a machine without swap */
	reports[0] = '\0';
	assert_null(pf_swap_readpage(m, 5, PF_GFP_KERNEL, NULL, 0));
	assert_int_equal(pf_swap_free(m, 5), -EINVAL);
	assert_non_null(strstr(reports, "Bad swap offset entry"));
	unsigned long total = 1, freep = 1;
	pf_swap_info(m, &total, &freep);
	assert_int_equal(total, 0);
	assert_int_equal(freep, 0);

	lru_owner_free(o);
	pf_test_check(m, "end");
	pf_machine_destroy(m);
}

/* swap SIZE and workers: descriptions are checked */
static void directives(void **state)
{
	(void)state;
	char err[256];
	struct pf_machine *m = pf_machine_create(MACHINE "swap 16M\n", err, sizeof err);
	assert_non_null(m);
	unsigned long total, freep;
	pf_swap_info(m, &total, &freep);
	assert_int_equal(total, 4095);	/* 4096 slots, the first is the header */
	assert_int_equal(freep, 4095);
	char buf[64];
	assert_int_equal(pf_sysctl_get(m, "swappiness", buf, sizeof buf), 0);
	assert_string_equal(buf, "60");
	assert_int_equal(pf_sysctl_set(m, "swappiness", "201"), -EINVAL);
	assert_int_equal(pf_sysctl_set(m, "swappiness", "200"), 0);
	assert_int_equal(pf_sysctl_get(m, "zone_reclaim_mode", buf, sizeof buf), 0);
	assert_string_equal(buf, "0");
	pf_machine_destroy(m);

	assert_null(pf_machine_create(MACHINE "swap 4K\n", err, sizeof err));
	assert_non_null(strstr(err, "too small"));
	assert_null(pf_machine_create(MACHINE "swap 1M\nswap 1M\n", err, sizeof err));
	assert_non_null(strstr(err, "second swap area"));
	assert_null(pf_machine_create(MACHINE "workers sometimes\n", err, sizeof err));
	assert_non_null(strstr(err, "expected threads or stepped"));
	m = pf_machine_create(MACHINE "workers threads\n", err, sizeof err);
	assert_non_null(m);
	assert_int_equal(pf_kswapd_run(m, 0), -EBUSY);	/* its threads run */
	pf_machine_destroy(m);	/* stops them */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lists_and_counters),
		cmocka_unit_test(bad_calls),
		cmocka_unit_test(directives),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
