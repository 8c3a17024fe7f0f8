/*
 * test_stress_placement_destroy: a thread hands its placement count back to a machine (at its
 * exit, or on moving its policy to another machine) while another thread destroys that machine.
 * cpuset.c's placement_lock must order the two: the count lands on a whole machine and the
 * destruction waits for it.  The window between give_back's liveness test and its decrement is
 * far too narrow to hit by chance, so placement_give_back_hook (cpuset.h, tests only) holds it
 * open: inside it, a destroyer thread is let go and given up to 300 ms to finish
 * pf_machine_destroy.  With the lock the destruction cannot get past its first step
 * (placement_machine_exit) in that time, whatever the load; without it the destruction finishes,
 * the hook records that, and the thread then writes to the freed machine (ASan reports the
 * heap-use-after-free; the gcc build fails on the recorded order, if it has not crashed first).
 * A third case: a new machine in the freed slot is never taken for the old one.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "mm/cpuset.h"
#include "pf_testlib.h"

#define MACHINE "cpus 2\nmem 0 0x1000-0xffffff\n"	/* 16 MiB: booted and destroyed in a blink */
#define WINDOW_NS 300000000LL				/* how long the hook gives the destruction */
#define START_NS 10000000000LL				/* the destroyer starts at once; 10 s is a hang */

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* CLOCK_MONOTONIC */
	struct pf_machine *target;	/* the machine whose hand-back the hook holds open (NULL: none) */
	struct pf_machine *victim;	/* the machine the destroyer destroys */
	bool go;		/* the destroyer may start */
	bool started;		/* the destroyer is about to call pf_machine_destroy */
	bool destroyed;		/* pf_machine_destroy returned */
	int held;		/* times the hook held the window open */
	int target_count;	/* the target's placement_threads when the hook ran */
	bool start_timed_out;	/* the destroyer did not start within START_NS */
	bool destroyed_inside;	/* the destruction finished while the count was still to be handed back */
	int other_calls;	/* hook calls for machines other than the target */
} w;

static void window_reset(struct pf_machine *target, struct pf_machine *victim)
{
	pthread_mutex_lock(&w.lock);
	w.target = target;
	w.victim = victim;
	w.go = w.started = w.destroyed = false;
	w.held = w.target_count = w.other_calls = 0;
	w.start_timed_out = w.destroyed_inside = false;
	pthread_mutex_unlock(&w.lock);
}

/* Wait on w.cond until *flag or @ns passed; w.lock held.  Returns *flag. */
static bool wait_for(bool *flag, long long ns)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += (time_t)(ns / 1000000000LL);
	until.tv_nsec += (long)(ns % 1000000000LL);
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (!*flag)
		if (pthread_cond_timedwait(&w.cond, &w.lock, &until) == ETIMEDOUT)
			break;
	return *flag;
}

/*
 * placement_give_back_hook: runs in the thread handing its count back, after the liveness test,
 * before the decrement.  For the target: let the destroyer go, wait for it to be on its way,
 * then give it WINDOW_NS to finish, and write down whether it did.
 */
static void hold_window(struct pf_machine *m)
{
	pthread_mutex_lock(&w.lock);
	if (m != w.target) {
		w.other_calls++;
		pthread_mutex_unlock(&w.lock);
		return;
	}
	w.target = NULL;	/* once */
	w.held++;
	w.target_count = atomic_load(&m->placement_threads);
	w.go = true;
	pthread_cond_broadcast(&w.cond);
	if (!wait_for(&w.started, START_NS))
		w.start_timed_out = true;
	else
		w.destroyed_inside = wait_for(&w.destroyed, WINDOW_NS);
	pthread_mutex_unlock(&w.lock);
}

static void *destroyer(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&w.lock);
	while (!w.go)
		pthread_cond_wait(&w.cond, &w.lock);
	w.started = true;
	pthread_cond_broadcast(&w.cond);
	struct pf_machine *victim = w.victim;
	pthread_mutex_unlock(&w.lock);

	pf_machine_destroy(victim);

	pthread_mutex_lock(&w.lock);
	w.destroyed = true;
	pthread_cond_broadcast(&w.cond);
	pthread_mutex_unlock(&w.lock);
	return NULL;
}

/* Let the destroyer go if the hook never did (so that nothing hangs), and wait for it. */
static void finish_destroyer(pthread_t d)
{
	pthread_mutex_lock(&w.lock);
	w.go = true;
	pthread_cond_broadcast(&w.cond);
	pthread_mutex_unlock(&w.lock);
	assert_int_equal(pthread_join(d, NULL), 0);
}

static void check_window(void)
{
	pthread_mutex_lock(&w.lock);
	int held = w.held, count = w.target_count;
	bool timed_out = w.start_timed_out, inside = w.destroyed_inside, destroyed = w.destroyed;
	pthread_mutex_unlock(&w.lock);
	assert_int_equal(held, 1);		/* the hand-back reached the window once */
	assert_int_equal(count, 1);		/* ... with the thread's count still on the machine */
	assert_false(timed_out);
	assert_false(inside);			/* the destruction waited for the hand-back */
	assert_true(destroyed);
}

/* Sets a BIND policy on the machine and ends with it set: its exit hands the count back. */
static void *policy_then_end(void *arg)
{
	struct pf_machine *m = arg;
	return (void *)(intptr_t)(pf_set_mempolicy(m, PF_MPOL_BIND, "0") != 0);
}

/* The exiting thread's hand-back (placement_thread_exit) against pf_machine_destroy. */
static void exit_meets_destroy(void **state)
{
	(void)state;
	pf_test_phase("exit_meets_destroy");
	struct pf_machine *m = pf_test_boot(MACHINE);
	window_reset(m, m);
	placement_give_back_hook = hold_window;

	pthread_t d, e;
	void *ret;
	assert_int_equal(pthread_create(&d, NULL, destroyer, NULL), 0);
	assert_int_equal(pthread_create(&e, NULL, policy_then_end, m), 0);
	assert_int_equal(pthread_join(e, &ret), 0);	/* its exit ran the hook */
	finish_destroyer(d);
	placement_give_back_hook = NULL;
	assert_null(ret);
	check_window();
	assert_int_equal(w.other_calls, 0);
}

struct switcher {
	struct pf_machine *from, *to;
	int to_count;		/* @to's placement_threads after the switch */
	unsigned to_off;	/* @to's fast_off after the switch */
	int rc;
};

/* BIND on @from, then BIND on @to: placement_claim hands the count on @from back. */
static void *switch_machines(void *arg)
{
	struct switcher *s = arg;
	s->rc = pf_set_mempolicy(s->from, PF_MPOL_BIND, "0");
	if (!s->rc)
		s->rc = pf_set_mempolicy(s->to, PF_MPOL_BIND, "0");
	s->to_count = atomic_load(&s->to->placement_threads);
	s->to_off = __atomic_load_n(&s->to->fast_off, __ATOMIC_RELAXED);
	return NULL;	/* ends counted on @to: that hand-back is not the target's */
}

/* A thread moving its policy to another machine (placement_claim) against pf_machine_destroy. */
static void switch_meets_destroy(void **state)
{
	(void)state;
	pf_test_phase("switch_meets_destroy");
	struct pf_machine *from = pf_test_boot(MACHINE);
	struct pf_machine *to = pf_test_boot(MACHINE);
	struct switcher s = { .from = from, .to = to, .rc = -1 };
	window_reset(from, from);
	placement_give_back_hook = hold_window;

	pthread_t d, e;
	assert_int_equal(pthread_create(&d, NULL, destroyer, NULL), 0);
	assert_int_equal(pthread_create(&e, NULL, switch_machines, &s), 0);
	assert_int_equal(pthread_join(e, NULL), 0);
	finish_destroyer(d);
	placement_give_back_hook = NULL;
	assert_int_equal(s.rc, 0);
	check_window();
	assert_int_equal(s.to_count, 1);
	assert_int_equal(s.to_off & FAST_OFF_PLACEMENT, FAST_OFF_PLACEMENT);
	assert_int_equal(w.other_calls, 1);	/* the exit's hand-back to @to */
	assert_int_equal(atomic_load(&to->placement_threads), 0);
	assert_int_equal(to->fast_off & FAST_OFF_PLACEMENT, 0);
	pf_machine_destroy(to);
}

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct pf_machine *m;
	int state;	/* 1: the policy is set (2: it could not be), 3: the thread may end */
} parked = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, 0 };

/* Sets a policy, says so, and ends only when told. */
static void *policy_then_park(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&parked.lock);
	parked.state = pf_set_mempolicy(parked.m, PF_MPOL_BIND, "0") == 0 ? 1 : 2;
	pthread_cond_broadcast(&parked.cond);
	while (parked.state != 3)
		pthread_cond_wait(&parked.cond, &parked.lock);
	pthread_mutex_unlock(&parked.lock);
	return NULL;
}

/*
 * A thread counted on a machine that is destroyed, and then a new machine takes the same slot
 * (the lowest free one: this program has no other machine then) and has this thread's count:
 * the first thread's exit must hand nothing back - the new machine is not the one it counted
 * on, whatever its address.  Without the serial in the test the exit would take this thread's
 * count and turn FAST_OFF_PLACEMENT off under it.
 */
static void new_machine_in_slot(void **state)
{
	(void)state;
	pf_test_phase("new_machine_in_slot");
	struct pf_machine *old = pf_test_boot(MACHINE);
	int slot = old->id;
	parked.m = old;
	parked.state = 0;
	pthread_t e;
	assert_int_equal(pthread_create(&e, NULL, policy_then_park, NULL), 0);
	pthread_mutex_lock(&parked.lock);
	while (!parked.state)
		pthread_cond_wait(&parked.cond, &parked.lock);
	int st = parked.state;
	pthread_mutex_unlock(&parked.lock);
	assert_int_equal(st, 1);
	assert_int_equal(atomic_load(&old->placement_threads), 1);
	uintptr_t old_addr = (uintptr_t)old;
	pf_machine_destroy(old);	/* with the thread still counted on it */

	struct pf_machine *m = pf_test_boot(MACHINE);
	assert_int_equal(m->id, slot);
	fprintf(stderr, "  new machine in slot %d, %s address\n", slot,
		(uintptr_t)m == old_addr ? "at the same" : "at another");
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_BIND, "0"), 0);
	assert_int_equal(atomic_load(&m->placement_threads), 1);
	window_reset(NULL, NULL);
	placement_give_back_hook = hold_window;

	pthread_mutex_lock(&parked.lock);
	parked.state = 3;
	pthread_cond_broadcast(&parked.cond);
	pthread_mutex_unlock(&parked.lock);
	assert_int_equal(pthread_join(e, NULL), 0);
	placement_give_back_hook = NULL;

	assert_int_equal(w.other_calls, 0);	/* the exit found its machine gone */
	assert_int_equal(atomic_load(&m->placement_threads), 1);	/* this thread's count, untouched */
	assert_int_equal(m->fast_off & FAST_OFF_PLACEMENT, FAST_OFF_PLACEMENT);
	assert_int_equal(pf_set_mempolicy(m, PF_MPOL_DEFAULT, NULL), 0);
	assert_int_equal(atomic_load(&m->placement_threads), 0);
	assert_int_equal(m->fast_off & FAST_OFF_PLACEMENT, 0);
	pf_machine_destroy(m);
}

int main(void)
{
	pf_test_watchdog("test_stress_placement_destroy", 30);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&w.lock, NULL);
	pthread_cond_init(&w.cond, &ca);
	pthread_condattr_destroy(&ca);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exit_meets_destroy),
		cmocka_unit_test(switch_meets_destroy),
		cmocka_unit_test(new_machine_in_slot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
