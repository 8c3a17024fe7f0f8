/* test_stress_allocfree_2node: the random alloc/free stress on a 2-node machine through pf_alloc_pages_node (preferred node, NUMA_NO_NODE and __GFP_THISNODE): no double handout, THISNODE stays on its node, no page lost on either node, drained buddyinfo equals boot's. */
#include "stress_allocfree.h"

static void stress_two_nodes(void **state)
{
	(void)state;
	sa_run(STRESS_MACHINE_2NODE, true, stress_seconds(6.0));
}

int main(void)
{
	pf_test_watchdog("test_stress_allocfree_2node", 60);
	const struct CMUnitTest tests[] = { cmocka_unit_test(stress_two_nodes) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
