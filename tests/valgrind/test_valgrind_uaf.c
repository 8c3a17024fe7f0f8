/* test_valgrind_uaf (run under Valgrind's memcheck by CTest, when valgrind and its headers are installed): a write and a read of a freed page are memcheck errors, and so is a use of the bytes of a page handed out without __GFP_ZERO; a page handed out zeroed, and one handed out again, is the program's to use without an error. Counted with VALGRIND_COUNT_ERRORS. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <valgrind/memcheck.h>
#include <pageframe/pageframe.h>

static int failures;

static void expect_errors(unsigned long before, unsigned long want, const char *what)
{
	unsigned long now = VALGRIND_COUNT_ERRORS;
	if (now - before != want) {
		fprintf(stderr, "FAIL: %s: %lu memcheck errors, expected %lu\n", what, now - before, want);
		failures++;
	}
}

/* hand the byte to the kernel: memcheck checks that a system call's buffer is defined */
static void use_byte(volatile unsigned char *p)
{
	static int devnull = -1;
	if (devnull < 0)
		devnull = open("/dev/null", O_WRONLY);
	if (write(devnull, (const void *)p, 1) != 1)
		abort();
}

int main(void)
{
	if (!RUNNING_ON_VALGRIND) {
		fprintf(stderr, "FAIL: not running under valgrind\n");
		return 1;
	}
	char err[256];
	struct pf_machine *m = pf_machine_create("cpus 2\nmem 0 0x1000000-0x4ffffff\n", err, sizeof err);
	if (!m) {
		fprintf(stderr, "FAIL: %s\n", err);
		return 1;
	}
	pf_bind_cpu(0);

	/* handed out zeroed: defined, no error */
	unsigned long e = VALGRIND_COUNT_ERRORS;
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL | PF_GFP_ZERO, 0);
	volatile unsigned char *mem = pf_page_address(p);
	use_byte(mem);
	mem[10] = 1;
	expect_errors(e, 0, "a zeroed page in use");

	/* freed: a write and a read are two errors */
	pf_free_pages(p, 0);
	e = VALGRIND_COUNT_ERRORS;
	mem[10] = 2;
	expect_errors(e, 1, "a write into a freed page");
	e = VALGRIND_COUNT_ERRORS;
	(void)mem[20];
	expect_errors(e, 1, "a read of a freed page");

	/* handed out again without __GFP_ZERO: addressable, but its bytes are undefined until written */
	p = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	mem = pf_page_address(p);
	e = VALGRIND_COUNT_ERRORS;
	mem[0] = 0x42;
	use_byte(mem);
	expect_errors(e, 0, "a written byte of a fresh page");
	e = VALGRIND_COUNT_ERRORS;
	use_byte(mem + 100);
	expect_errors(e, 1, "a use of an unwritten byte of a fresh page");
	pf_free_pages(p, 0);

	pf_bind_cpu(-1);
	pf_machine_destroy(m);
	if (failures)
		return 1;
	printf("ok\n");
	return 0;
}
