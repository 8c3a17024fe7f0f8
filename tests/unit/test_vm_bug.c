/* test_vm_bug: failed debug checks say what they saw - VM_BUG_ON_PAGE dumps the page (refcount, flags, raw words, "page dumped because") before "kernel BUG at", all through the machine's report hook, then aborts; lockdep_assert_held passes while this thread holds the zone lock and fails, naming the lock, when it does not (on stderr: a lock does not know its machine). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "pf_testlib.h"
#include "mm/internal.h"

static int out_fd = -1;

/* the report hook of the child: every line to the pipe, as the parent reads it */
static void to_pipe(void *arg, int level, const char *line)
{
	(void)arg;
	char buf[600];
	int n = snprintf(buf, sizeof buf, "<%c>%s\n", level, line);
	if (n > 0 && write(out_fd, buf, (size_t)n) < 0)
		_exit(3);
}

/* run @fn in a child with the report hook on a pipe; returns what it reported and how it ended */
static char *in_child(void (*fn)(struct pf_machine *), int *status)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		out_fd = p[1];
		dup2(p[1], 2);	/* a check with no machine at hand reports to the process default, stderr */
		signal(SIGABRT, SIG_DFL);
		struct pf_machine *m = pf_machine_create("cpus 1\nmem 0 0x1000000-0x3ffffff\n", NULL, 0);
		if (!m)
			_exit(2);
		pf_set_report_hook(m, to_pipe, NULL);
		fn(m);
		_exit(0);
	}
	close(p[1]);
	size_t cap = 1 << 16, len = 0;
	char *text = calloc(1, cap);
	ssize_t r;
	while ((r = read(p[0], text + len, cap - 1 - len)) > 0)
		len += (size_t)r;
	close(p[0]);
	assert_int_equal(waitpid(pid, status, 0), pid);
	return text;
}

static void bug_on_page(struct pf_machine *m)
{
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	VM_BUG_ON_PAGE(page_ref_count(p) == 1, p);	/* it is 1: the check fires */
}

static void vm_bug_on_page_dumps(void **state)
{
	(void)state;
	int status;
	char *text = in_child(bug_on_page, &status);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	/* the dump first, with the page's own values, then the BUG lines, all through the hook */
	const char *dump = strstr(text, "<4>page: refcount:1 mapcount:0");
	const char *why = strstr(text, "<4>page dumped because: page_ref_count(p) == 1");
	const char *bug = strstr(text, "<0>kernel BUG at ");
	const char *cond = strstr(text, "<0>bug_on_page: VM_BUG_ON(page_ref_count(p) == 1)");
	if (!dump || !why || !bug || !cond || !(dump < why && why < bug && bug < cond))
		fail_msg("the report was:\n%s", text);
	assert_non_null(strstr(text, "<4>raw: "));
	free(text);
}

static void assert_unlocked(struct pf_machine *m)
{
	struct zone *z = &m->node_data[0]->node_zones[ZONE_DMA32];
	pf_spin_lock(&z->lock);
	lockdep_assert_held(&z->lock);	/* held by us: passes */
	pf_spin_unlock(&z->lock);
	lockdep_assert_held(&z->lock);	/* not held: fires */
}

static void lockdep_names_the_lock(void **state)
{
	(void)state;
	int status;
	char *text = in_child(assert_unlocked, &status);
	if (PF_DEBUG_VM < 1) {
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);	/* checks compiled out */
	} else {
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
			fail_msg("status %#x; the report was:\n%s", status, text);
		if (!strstr(text, "assert_unlocked: VM_BUG_ON(lockdep_assert_held(&z->lock))"))
			fail_msg("the report was:\n%s", text);
	}
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vm_bug_on_page_dumps),
		cmocka_unit_test(lockdep_names_the_lock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
