/*
 * test_rseq_exit: the rseq descriptors' copy (hosted.c rseq_cs_copy) is emptied when the library
 * is unloaded, never at the program's exit, where other threads may still be inside a critical
 * section.  pf_os_rseq_unloading tells the two apart: true while the program runs (a dlclose now
 * would be an unload), false from the moment exit() has begun, once a machine was made (that is
 * when the exit function is registered).  A child process checks it from an exit function of its
 * own that exit() runs after the library's and before any destructor, as _dl_fini runs them (the
 * child registers it before anything of the library runs: the parent never calls the library).
 * Where rseq is not used (ThreadSanitizer builds, PAGEFRAME_NO_RSEQ, an old kernel) the answer is
 * always false and the test is skipped.  tests/link dlclose_rseq* check the unload itself.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "mm/internal.h"
#include "pf_testlib.h"

/* the child's verdict, from its exit function: 0 when the exit was seen as an exit */
static void check_at_exit(void)
{
	_exit(pf_os_rseq_unloading() ? 3 : 0);
}

static void exit_is_not_an_unload(void **state)
{
	(void)state;
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* registered before the machine, so exit() runs it after the library's own */
		if (atexit(check_at_exit) != 0)
			_exit(4);
		char err[256];
		struct pf_machine *m = pf_machine_create("cpus 1\nmem 0 0x1000-0xffffff\n", err, sizeof err);
		if (!m)
			_exit(5);
		if (!pf_os_rseq_fastpath())
			_exit(8);	/* rseq not used here: nothing to tell apart */
		struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
		if (!p)
			_exit(6);
		pf_free_pages(p, 0);
		/* running: a dlclose now would be an unload */
		if (!pf_os_rseq_unloading())
			_exit(7);
		exit(0);	/* check_at_exit decides the status */
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 8)
		skip();
	/* 3: exit taken for an unload; 4-6: set-up; 7: the running program taken for an exit */
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(exit_is_not_an_unload) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
