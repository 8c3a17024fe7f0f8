/* test_stress_views: every /proc view pf_show prints (and show_mem) read over and over while threads allocate and free at orders 0-3 through the fast paths and the zone lock: each print succeeds and has the view's own first line, and under ThreadSanitizer no read of the pagesets, zones or counters a view makes races with the allocator's writes (the views read them as the kernel's do, without the locks); after the churn pf_check holds and the accounting adds up. */
#include "stress_common.h"

/* two CPUs of a 64 MiB machine: small lists, so the churn spills and refills as well */
#define VIEWS_MACHINE "cpus 2\nmem 0 0x1000-0x3ffffff\n"
#define VIEWS_SLOTS 256

static struct pf_machine *vm;
static atomic_int writers_left;

static void *views_writer(void *arg)
{
	uint64_t s = 0x9E3779B97F4A7C15ULL * (uint64_t)(uintptr_t)arg + 1;
	struct pf_page *slot[VIEWS_SLOTS] = { 0 };
	unsigned char ord[VIEWS_SLOTS] = { 0 };
	double until = stress_now() + stress_seconds(1.0);
	while (stress_now() < until) {
		for (int r = 0; r < 1000; r++) {
			unsigned k = (unsigned)(stress_rand(&s) % VIEWS_SLOTS);
			if (slot[k]) {
				pf_free_pages(slot[k], ord[k]);
				slot[k] = NULL;
			} else {
				ord[k] = (unsigned char)(stress_rand(&s) % 4);
				slot[k] = pf_alloc_pages(vm, PF_GFP_KERNEL, ord[k]);
			}
		}
	}
	for (int k = 0; k < VIEWS_SLOTS; k++)
		if (slot[k])
			pf_free_pages(slot[k], ord[k]);
	atomic_fetch_sub(&writers_left, 1);
	return NULL;
}

/* What each view's output starts with (its header, or its first zone's line). */
static const struct {
	const char *view, *start;
} views[] = {
	{ "buddyinfo", "Node 0, zone " },
	{ "pagetypeinfo", "Page block order: " },
	{ "zoneinfo", "Node 0, zone " },
	{ "vmstat", "nr_free_pages " },
	{ "meminfo", "MemTotal: " },
	{ "pageblocks", "" },
	{ "extfrag_index", "Node 0, zone " },
	{ "unusable_index", "Node 0, zone " },
	{ "fail_page_alloc", "" },
	{ "kpageflags", "" },	/* binary: a word per pfn */
	{ "kpagecount", "" },
};

static void *views_reader(void *arg)
{
	char *why = arg;
	unsigned n = 0;
	while (atomic_load(&writers_left) > 0 || n < 2 * sizeof views / sizeof views[0]) {
		unsigned k = n++ % (sizeof views / sizeof views[0]);
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		int rc = pf_show(vm, views[k].view, f);
		fclose(f);
		if (rc != 0 || strncmp(buf, views[k].start, strlen(views[k].start)) != 0) {
			snprintf(why, 256, "pf_show(%s) returned %d, output starting \"%.40s\"", views[k].view, rc, buf);
			free(buf);
			return why;
		}
		free(buf);
		if (k == 0)
			pf_show_mem(vm);	/* show_mem reads the same figures, through the report hook */
	}
	return NULL;
}

static void views_during_churn(void **state)
{
	(void)state;
	char why[256] = "";
	struct stress_reports rep = { .lock = PTHREAD_MUTEX_INITIALIZER };
	vm = pf_test_boot(VIEWS_MACHINE);
	pf_set_report_hook(vm, stress_report_hook, &rep);	/* show_mem's lines go here, and any report */
	pthread_t w[2], rd;
	atomic_store(&writers_left, 2);
	for (int t = 0; t < 2; t++)
		assert_int_equal(pthread_create(&w[t], NULL, views_writer, (void *)(uintptr_t)t), 0);
	assert_int_equal(pthread_create(&rd, NULL, views_reader, why), 0);
	for (int t = 0; t < 2; t++)
		pthread_join(w[t], NULL);
	void *rc;
	pthread_join(rd, &rc);
	if (rc)
		fail_msg("%s", why);
	if (rep.errors) {
		stress_print_reports(&rep);
		fail_msg("%d error reports during the churn", rep.errors);
	}
	pf_test_check(vm, "after the churn");
	pf_drain_all_pages(vm);
	assert_int_equal(stress_check_accounting(vm, "after the churn"), 0);
	pf_machine_destroy(vm);
}

int main(void)
{
	pf_test_watchdog("test_stress_views", 60);
	const struct CMUnitTest tests[] = { cmocka_unit_test(views_during_churn) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
