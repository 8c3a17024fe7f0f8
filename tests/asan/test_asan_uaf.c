/* test_asan_uaf (AddressSanitizer builds only): a write into a freed page of a hosted machine is an ASan "use-after-poison" report, to which the library adds the page's pfn and the stacks of its last free (through pf_free_pages) and allocation (through pf_alloc_pages); a page handed out again is the program's to use. */
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

#define MACHINE "cpus 2\nmem 0 0x1000000-0x4ffffff\n"

/* the program's code: an allocation, a free, and a use after free */
__attribute__((noinline)) static struct pf_page *program_allocates(struct pf_machine *m)
{
	return pf_alloc_pages(m, PF_GFP_KERNEL, 0);
}

__attribute__((noinline)) static void program_frees(struct pf_page *p)
{
	pf_free_pages(p, 0);
}

__attribute__((noinline)) static void program_writes(volatile char *mem)
{
	mem[123] = 7;
}

static char *run_child(bool use_after_free, int *status)
{
	int out[2];
	assert_int_equal(pipe(out), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(out[1], 2);
		close(out[0]);
		struct pf_machine *m = pf_machine_create(MACHINE, NULL, 0);
		if (!m)
			_exit(3);
		struct pf_page *p = program_allocates(m);
		char *mem = pf_page_address(p);
		fprintf(stderr, "pfn %#lx\n", pf_page_to_pfn(p));
		program_writes(mem);
		program_frees(p);
		if (use_after_free)
			program_writes(mem);
		/* handed out again, it is the program's: no report */
		p = program_allocates(m);
		program_writes(pf_page_address(p));
		program_frees(p);
		pf_machine_destroy(m);
		_exit(0);
	}
	close(out[1]);
	size_t cap = 1 << 16, len = 0;
	char *text = calloc(1, cap);
	ssize_t r;
	while ((r = read(out[0], text + len, cap - 1 - len)) > 0)
		len += (size_t)r;
	close(out[0]);
	assert_int_equal(waitpid(pid, status, 0), pid);
	return text;
}

static void use_after_free_is_reported(void **state)
{
	(void)state;
	int status;
	char *text = run_child(true, &status);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		fail_msg("the use after free went unnoticed:\n%s", text);
	unsigned long pfn;
	const char *f = strstr(text, "pfn ");
	assert_non_null(f);
	assert_int_equal(sscanf(f, "pfn %lx", &pfn), 1);
	char want[96];
	snprintf(want, sizeof want, "is in pfn %#lx of machine 0, a free page", pfn);
	const char *kind = strstr(text, "ERROR: AddressSanitizer: use-after-poison");
	const char *where = strstr(text, want);
	const char *freed = strstr(text, "freed by:");
	const char *alloced = strstr(text, "previously allocated by:");
	if (!kind || !where || !freed || !alloced || !(freed < alloced))
	{
		fprintf(stderr, "%s", text);
		fail_msg("the ASan report lacks the kind, the page or its stacks (above)");
	}
	/* the stacks name the library's entry points and the program's callers */
	const char *free_pf = strstr(freed, "pf_free_pages"), *free_prog = strstr(freed, "program_frees");
	const char *alloc_pf = strstr(alloced, "pf_alloc_pages"), *alloc_prog = strstr(alloced, "program_allocates");
	if (!free_pf || free_pf > alloced || !free_prog || free_prog > alloced || !alloc_pf || !alloc_prog)
	{
		fprintf(stderr, "%s", text);
		fail_msg("the free or allocation stack does not reach the program (above)");
	}
	free(text);
}

static void no_report_without_misuse(void **state)
{
	(void)state;
	int status;
	char *text = run_child(false, &status);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("a correct program was stopped (status %#x):\n%s", status, text);
	assert_null(strstr(text, "AddressSanitizer"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(use_after_free_is_reported),
		cmocka_unit_test(no_report_without_misuse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
