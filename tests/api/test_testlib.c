/* test_testlib: the shared helpers of tests/lib do what the tests rely on - pf_test_show returns the view's text, stamps catch an overwritten page, xorshift64* gives its known sequence, and the watchdog aborts a hung program with the test's name and phase. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "pf_testlib.h"

static void show_and_stamps(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("cpus 1\nmem 0 0x1000-0x3ffffff\n");
	char *b = pf_test_show_drained(m, "buddyinfo");
	assert_non_null(strstr(b, "Node 0, zone      DMA "));
	free(b);
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 6);
	assert_non_null(p);
	pf_test_stamp_block(p, 6, 7);
	assert_int_equal(pf_test_stamp_check(p, 6, 7), -1);
	/* page 17 carries a stamp in a 64-page block (i % 32 == 17); overwrite it */
	*(uint64_t *)((char *)pf_page_address(p) + 17 * PF_PAGE_SIZE) ^= 1;
	assert_int_equal(pf_test_stamp_check(p, 6, 7), 17);
	pf_free_pages(p, 6);
	pf_test_check(m, "after the stamps");
	pf_machine_destroy(m);
}

/* xorshift64* (Vigna): state 1 gives 0x47e4ce4b896cdd1d, then 0xabcfa6a8e079651d. */
static void xorshift_sequence(void **state)
{
	(void)state;
	uint64_t s = 1;
	assert_int_equal(pf_test_xorshift64s(&s), 0x47e4ce4b896cdd1dULL);
	assert_int_equal(pf_test_xorshift64s(&s), 0xabcfa6a8e079651dULL);
}

static void watchdog_names_the_hang(void **state)
{
	(void)state;
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], STDERR_FILENO);
		unsetenv("PF_TEST_WATCHDOG");
		pf_test_watchdog("hang_demo", 1);
		pf_test_phase("waiting on %s", "nothing");
		for (;;)
			pause();
	}
	close(fds[1]);
	char buf[512] = "";
	size_t got = 0;
	ssize_t n;
	while ((n = read(fds[0], buf + got, sizeof buf - 1 - got)) > 0)
		got += (size_t)n;
	close(fds[0]);
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
	assert_non_null(strstr(buf, "WATCHDOG: hang_demo still running after 1 s, phase: waiting on nothing"));
}

int main(void)
{
	pf_test_watchdog("test_testlib", 60);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(show_and_stamps),
		cmocka_unit_test(xorshift_sequence),
		cmocka_unit_test(watchdog_names_the_hang),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
