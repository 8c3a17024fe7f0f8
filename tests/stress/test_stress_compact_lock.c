/*
 * test_stress_compact_lock: an owner may allocate while it holds the lock its movable-page
 * callbacks take, even while another thread's compaction of the same zone waits for that lock
 * inside a callback.  One zone compactor at a time is pageframe's own rule (zone->compact_lock);
 * a direct compactor that waited for it would wait for a thread that waits for it: the soak hung
 * so at load 17 (a worker holding its owner lock allocated, entered direct compaction and spun on
 * compact_lock while the compactor holding it sat in that worker's isolate_page).  Here the
 * interleaving is forced: the compactor's isolate_page blocks on the owner's mutex, which the main
 * thread holds while it makes an allocation that needs direct compaction.  The allocation must
 * return (pass the busy zone over); then the owner lets go and the compaction completes.
 */
#include "stress_common.h"

#include <errno.h>

/* one 16 MiB zone (DMA32 from pfn 0x1000), one CPU; min watermark 0 */
#define MACHINE "cpus 1\nmem 0 0x1000000-0x1ffffff\nthp never\nsysctl vm.min_free_kbytes=0\n"
#define NPAGES 4096

static pthread_mutex_t owner_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int in_isolate;		/* the compactor has entered isolate_page */
static atomic_int isolate_calls;

static bool owner_isolate(struct pf_page *page, int mode)
{
	(void)page;
	(void)mode;
	atomic_fetch_add(&isolate_calls, 1);
	atomic_store(&in_isolate, 1);
	pthread_mutex_lock(&owner_lock);	/* the owner's lock, as owners take it */
	pthread_mutex_unlock(&owner_lock);
	return false;				/* keep every page where it is: the point is the wait */
}

static int owner_migrate(struct pf_page *dst, struct pf_page *src, int mode)
{
	(void)dst;
	(void)src;
	(void)mode;
	return -EAGAIN;
}

static void owner_putback(struct pf_page *page)
{
	(void)page;
}

static const struct pf_movable_operations owner_ops = { owner_isolate, owner_migrate, owner_putback };

struct compactor {
	struct pf_machine *m;
	atomic_int done;
};

static void *compactor_main(void *arg)
{
	struct compactor *c = arg;
	pf_bind_cpu(0);
	pf_sysctl_set(c->m, "compact_memory", "1");	/* takes compact_lock, then meets our pages */
	pf_bind_cpu(-1);
	atomic_store(&c->done, 1);
	return NULL;
}

struct allocator {
	struct pf_machine *m;
	struct pf_page *page;
	atomic_int done;
};

static void *allocator_main(void *arg)
{
	struct allocator *a = arg;
	pf_bind_cpu(0);
	/* order 4, costly: the slow path compacts directly before anything else; one round only */
	a->page = pf_alloc_pages(a->m, PF_GFP_HIGHUSER_MOVABLE | PF___GFP_NORETRY | PF___GFP_NOWARN, 4);
	pf_bind_cpu(-1);
	atomic_store(&a->done, 1);
	return NULL;
}

/* wait up to @secs for @flag; false if it never came */
static bool wait_flag(atomic_int *flag, double secs)
{
	double until = stress_now() + secs;
	while (!atomic_load(flag)) {
		if (stress_now() > until)
			return false;
		sched_yield();
	}
	return true;
}

static void owner_allocates_while_compactor_waits(void **state)
{
	(void)state;
	pf_bind_cpu(0);
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct stress_reports reports = { .lock = PTHREAD_MUTEX_INITIALIZER };
	pf_set_report_hook(m, stress_report_hook, &reports);

	/* every page, movable and ours; then every other one freed: no free block above order 0 */
	static struct pf_page *pages[NPAGES];
	int n = 0;
	while (n < NPAGES && (pages[n] = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE | PF___GFP_NOWARN, 0)))
		n++;
	assert_true(n > NPAGES / 2);
	for (int i = 0; i < n; i++)
		pf_set_page_movable(pages[i], &owner_ops);
	for (int i = 0; i < n; i++)
		if (pf_page_to_pfn(pages[i]) & 1) {
			pf_free_pages(pages[i], 0);
			pages[i] = NULL;
		}
	pf_drain_all_pages(m);
	pf_bind_cpu(-1);

	/* the owner holds its lock; the compactor enters isolate_page and waits there for it */
	pthread_mutex_lock(&owner_lock);
	struct compactor c = { .m = m };
	atomic_init(&c.done, 0);
	pthread_t ct;
	assert_int_equal(pthread_create(&ct, NULL, compactor_main, &c), 0);
	if (!wait_flag(&in_isolate, 20.0)) {
		pthread_mutex_unlock(&owner_lock);
		pthread_join(ct, NULL);
		fail_msg("compact_memory never called isolate_page (%d calls)", atomic_load(&isolate_calls));
	}

	/* still holding the lock, the owner allocates: its direct compaction finds the zone busy */
	struct allocator a = { .m = m };
	atomic_init(&a.done, 0);
	pthread_t at;
	assert_int_equal(pthread_create(&at, NULL, allocator_main, &a), 0);
	bool returned = wait_flag(&a.done, 20.0);
	if (!returned) {
		/* deadlocked: the allocation waits for compact_lock, its holder for our lock */
		fprintf(stderr, "  the allocation did not return in 20 s: it waits for the compactor, "
				"which waits for the lock the allocating owner holds\n");
		fflush(stderr);
		_exit(1);	/* the two threads can never be joined */
	}
	pthread_join(at, NULL);
	pthread_mutex_unlock(&owner_lock);
	assert_true(wait_flag(&c.done, 60.0));
	pthread_join(ct, NULL);
	assert_true(atomic_load(&isolate_calls) >= 1);

	if (a.page)
		pf_free_pages(a.page, 4);
	for (int i = 0; i < n; i++)
		if (pages[i])
			pf_free_pages(pages[i], 0);
	stress_print_reports(&reports);
	assert_int_equal(reports.errors, 0);
	assert_int_equal(stress_check_accounting(m, "after"), 0);
	pf_test_check(m, "after the owner's allocation met a busy compactor");
	pf_machine_destroy(m);
}

int main(void)
{
	pf_test_watchdog("test_stress_compact_lock", 120);
	const struct CMUnitTest tests[] = { cmocka_unit_test(owner_allocates_while_compactor_waits) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
