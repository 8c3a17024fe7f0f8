/* test_stress_oom: OOM kills (pf_out_of_memory) in two threads while a third registers and unregisters tasks (some unregistering themselves from their kill callback): no callback starts after pf_oom_task_unregister returned, every kill is of a live task and happens once, nothing is freed twice or leaked (ASan), no data race (TSan). */
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
#include "pf_testlib.h"

#define NSLOTS		6
#define CHURN_ROUNDS	4000
#define OOM_ROUNDS	1500

struct slot {
	_Atomic(struct pf_oom_task *) t;
	atomic_int gone;		/* set after pf_oom_task_unregister returned */
	atomic_int self_unregister;	/* the kill callback unregisters the task */
	atomic_long calls, kills;
};

static struct slot slots[NSLOTS];
static atomic_long late_calls;
static atomic_int churn_done;
static struct pf_machine *machine;

static void check_live(struct slot *sl)
{
	if (atomic_load(&sl->gone))
		atomic_fetch_add(&late_calls, 1);
	atomic_fetch_add_explicit(&sl->calls, 1, memory_order_relaxed);
}

static void st_get_mm(void *arg, struct pf_oom_task_mm *mm)
{
	check_live(arg);
	mm->rss_anon = 100;
}

static void st_kill(void *arg)
{
	struct slot *sl = arg;
	check_live(sl);
	atomic_fetch_add(&sl->kills, 1);
	if (atomic_exchange(&sl->self_unregister, 0)) {
		struct pf_oom_task *t = atomic_exchange(&sl->t, NULL);
		if (t) {
			pf_oom_task_unregister(t);
			atomic_store(&sl->gone, 1);
		}
	}
}

static const struct pf_oom_task_ops st_ops = { st_get_mm, st_kill };

static void quiet(void *arg, int level, const char *line)
{
	(void)arg;
	(void)level;
	(void)line;
}

static void *killing(void *arg)
{
	(void)arg;
	int after = 0;
	for (int i = 0; i < OOM_ROUNDS || after < 20; i++) {
		if (atomic_load(&churn_done))
			after++;
		pf_out_of_memory(machine);
	}
	return NULL;
}

static void *churning(void *arg)
{
	(void)arg;
	uint64_t rs = 0x2545f4914f6cdd1dULL;
	for (int i = 0; i < CHURN_ROUNDS; i++) {
		struct slot *sl = &slots[pf_test_xorshift64s(&rs) % NSLOTS];
		struct pf_oom_task *t = atomic_exchange(&sl->t, NULL);
		if (t) {
			pf_oom_task_unregister(t);
			atomic_store(&sl->gone, 1);
		} else if (atomic_load(&sl->gone) || !atomic_load(&sl->calls)) {
			atomic_store(&sl->self_unregister, 0);
			atomic_store(&sl->gone, 0);
			t = pf_oom_task_register(machine, "stress", i, 0, &st_ops, sl);
			assert_non_null(t);
			atomic_store(&sl->self_unregister, (pf_test_xorshift64s(&rs) & 1) == 0);
			atomic_store(&sl->t, t);
		}
	}
	atomic_store(&churn_done, 1);
	return NULL;
}

static void test_oom_under_churn(void **state)
{
	(void)state;
	machine = pf_test_boot("cpus 2\nmem 0 0x100000-0x3ffffff\nbacking none\n");
	pf_set_report_hook(machine, quiet, NULL);
	pthread_t t[3];
	assert_int_equal(pthread_create(&t[0], NULL, churning, NULL), 0);
	assert_int_equal(pthread_create(&t[1], NULL, killing, NULL), 0);
	assert_int_equal(pthread_create(&t[2], NULL, killing, NULL), 0);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(atomic_load(&late_calls), 0);
	long kills = 0;
	for (int i = 0; i < NSLOTS; i++) {
		struct pf_oom_task *task = atomic_exchange(&slots[i].t, NULL);
		if (task)
			pf_oom_task_unregister(task);
		kills += atomic_load(&slots[i].kills);
	}
	/*
	 * every kill callback was counted in oom_kill first; a count without a
	 * call is a victim unregistered between the two ("already exiting")
	 */
	assert_true(pf_test_vmstat(machine, "oom_kill") >= kills);
	pf_machine_destroy(machine);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oom_under_churn),
	};
	pf_test_watchdog("test_stress_oom", 30);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
