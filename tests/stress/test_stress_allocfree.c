/* test_stress_allocfree: 2x-host-CPU threads of random alloc/free (orders 0..10, cross-thread frees, bound and unbound CPUs, a concurrent drain_all/vmstat_refresh thread) never hand a block out twice or lose a page: pf_check holds, buddy+pcp == managed per zone, and the drained buddyinfo equals boot's. */
#include "stress_allocfree.h"

static void stress_one_node(void **state)
{
	(void)state;
	sa_run(STRESS_MACHINE_1NODE, false, stress_seconds(6.0));
}

int main(void)
{
	pf_test_watchdog("test_stress_allocfree", 60);
	const struct CMUnitTest tests[] = { cmocka_unit_test(stress_one_node) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
