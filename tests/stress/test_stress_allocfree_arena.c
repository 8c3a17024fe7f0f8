/* test_stress_allocfree_arena: the random alloc/free stress of test_stress_allocfree on a machine with "profile arena" (orders 0..9 on the per-CPU lists, lists up to the whole zone): no double handout, no page lost, pf_check holds, buddy+pcp == managed, and the drained buddyinfo equals boot's. */
#include "stress_allocfree.h"

static void stress_arena(void **state)
{
	(void)state;
	sa_run(STRESS_MACHINE_1NODE "profile arena\n", false, stress_seconds(4.0));
}

int main(void)
{
	pf_test_watchdog("test_stress_allocfree_arena", 60);
	const struct CMUnitTest tests[] = { cmocka_unit_test(stress_arena) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
