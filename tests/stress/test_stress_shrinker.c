/* test_stress_shrinker: shrink_slab and drop_caches running in several threads while another registers and unregisters shrinkers (some unregistering themselves from their own scan_objects): no callback ever starts after pf_shrinker_unregister returned, nothing is freed twice or leaked (ASan), no data race (TSan), and every walk ends. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "mm/internal.h"
#include "pf_testlib.h"

#define NSLOTS		6
#define CHURN_ROUNDS	20000
#define SHRINK_ROUNDS	20000

struct slot {
	_Atomic(struct pf_shrinker *) s;
	atomic_int gone;		/* set after pf_shrinker_unregister returned */
	atomic_int self_unregister;	/* scan_objects unregisters this shrinker */
	atomic_long calls;
};

static struct slot slots[NSLOTS];
static atomic_long late_calls;		/* callbacks that began after unregister returned */
static atomic_int churn_done;
static struct pf_machine *machine;

static void check_live(struct slot *sl)
{
	if (atomic_load(&sl->gone))
		atomic_fetch_add(&late_calls, 1);
	atomic_fetch_add_explicit(&sl->calls, 1, memory_order_relaxed);
}

static unsigned long st_count(void *arg, struct pf_shrink_control *sc)
{
	(void)sc;
	check_live(arg);
	return 300;
}

static unsigned long st_scan(void *arg, struct pf_shrink_control *sc)
{
	struct slot *sl = arg;
	check_live(sl);
	if (atomic_exchange(&sl->self_unregister, 0)) {
		struct pf_shrinker *s = atomic_exchange(&sl->s, NULL);
		if (s) {
			pf_shrinker_unregister(s);
			atomic_store(&sl->gone, 1);
		}
	}
	return sc->nr_to_scan;
}

static const struct pf_shrinker_ops st_ops = { st_count, st_scan };

static void *shrinking(void *arg)
{
	int id = (int)(intptr_t)arg;
	/* at least SHRINK_ROUNDS, and on until 100 rounds after the churn ended (its last shrinkers stay) */
	int after = 0;
	for (int i = 0; i < SHRINK_ROUNDS || after < 100; i++) {
		if (atomic_load(&churn_done))
			after++;
		if (id == 0 && i % 64 == 0)
			pf_sysctl_set(machine, "drop_caches", "2");
		else
			shrink_slab(machine, PF_GFP_KERNEL, 0, NULL, i % 13);
	}
	return NULL;
}

static void *churning(void *arg)
{
	(void)arg;
	uint64_t rs = 0x9e3779b97f4a7c15ULL;
	for (int i = 0; i < CHURN_ROUNDS; i++) {
		struct slot *sl = &slots[pf_test_xorshift64s(&rs) % NSLOTS];
		struct pf_shrinker *s = atomic_exchange(&sl->s, NULL);
		if (s) {
			pf_shrinker_unregister(s);
			atomic_store(&sl->gone, 1);
		} else if (atomic_load(&sl->gone) || !atomic_load(&sl->calls)) {
			/* a slot whose shrinker is gone (or never was) gets a new one */
			atomic_store(&sl->self_unregister, 0);
			atomic_store(&sl->gone, 0);
			s = pf_shrinker_register(machine, "stress", &st_ops, sl, PF_DEFAULT_SEEKS);
			assert_non_null(s);
			atomic_store(&sl->self_unregister, (pf_test_xorshift64s(&rs) & 3) == 0);
			atomic_store(&sl->s, s);
		}
	}
	/* every slot ends with a live shrinker that stays: the shrinking threads' last rounds call them */
	for (int i = 0; i < NSLOTS; i++) {
		atomic_store(&slots[i].self_unregister, 0);
		if (!atomic_load(&slots[i].s)) {
			/* a shrinker unregistering itself has taken the slot but not yet said gone */
			while (atomic_load(&slots[i].calls) && !atomic_load(&slots[i].gone))
				sched_yield();
			atomic_store(&slots[i].gone, 0);
			atomic_store(&slots[i].s, pf_shrinker_register(machine, "stay", &st_ops, &slots[i], 2));
		}
	}
	atomic_store(&churn_done, 1);
	return NULL;
}

static void quiet(void *arg, int level, const char *line)
{
	(void)arg;
	(void)level;
	(void)line;
}

static void test_shrinkers_under_churn(void **state)
{
	(void)state;
	machine = pf_test_boot("cpus 2\nmem 0 0x100000-0x3ffffff\nbacking none\n");
	pf_set_report_hook(machine, quiet, NULL);
	pthread_t t[3];
	assert_int_equal(pthread_create(&t[0], NULL, churning, NULL), 0);
	assert_int_equal(pthread_create(&t[1], NULL, shrinking, (void *)0), 0);
	assert_int_equal(pthread_create(&t[2], NULL, shrinking, (void *)1), 0);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(atomic_load(&late_calls), 0);
	long total = 0;
	for (int i = 0; i < NSLOTS; i++) {
		struct pf_shrinker *s = atomic_exchange(&slots[i].s, NULL);
		if (s)
			pf_shrinker_unregister(s);
		total += atomic_load(&slots[i].calls);
	}
	assert_true(total > 0);
	assert_true(pf_test_vmstat(machine, "drop_slab") > 0);
	pf_machine_destroy(machine);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shrinkers_under_churn),
	};
	pf_test_watchdog("test_stress_shrinker", 30);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
