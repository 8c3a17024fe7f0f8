/* test_debug_pagealloc: with debug_pagealloc=on every free page of a hosted machine is inaccessible (boot memory, pages on a per-CPU list, high-order blocks) and accessible again once handed out; a write to a freed page kills a child process with SIGSEGV after pf_install_fault_handler names the pfn; debug_guardpage_minorder=2 keeps expand()'s order-0 and order-1 halves out as unmapped guard pages that merge back when the block is freed; poisoning works beside it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "mm/internal.h"
#include "pf_testlib.h"

/* 64 MiB from 16 MiB: all of it DMA32, order-10 blocks at boot */
#define BASE "cpus 2\nmem 0 0x1000000-0x4ffffff\n"

static int probe_pipe[2];

/*
 * accessible - can the program read the byte at @addr?  Asked through a
 * system call (write() from it into a pipe), which fails with EFAULT on an
 * inaccessible page instead of faulting.
 */
static bool accessible(const void *addr)
{
	ssize_t n = write(probe_pipe[1], addr, 1);
	if (n == 1) {
		char c;
		assert_int_equal(read(probe_pipe[0], &c, 1), 1);
		return true;
	}
	assert_int_equal(errno, EFAULT);
	return false;
}

static int setup(void **state)
{
	(void)state;
	return pipe(probe_pipe);
}

static void free_pages_are_unmapped(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(BASE "cmdline debug_pagealloc=on\n");
	assert_true(m->fast_off & FAST_OFF_DEBUG_PAGEALLOC);
	pf_bind_cpu(0);
	/* boot memory goes to the allocator unmapped */
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	char *mem = pf_page_address(p);
	assert_true(accessible(mem));
	assert_true(accessible(mem + PF_PAGE_SIZE - 1));
	unsigned long pfn = pf_page_to_pfn(p);
	/* the page after it was not handed out: still unmapped (it waits on the per-CPU list or in the buddy) */
	assert_false(accessible(mem + PF_PAGE_SIZE));
	mem[0] = 1;
	/* an order-0 free goes to the per-CPU list, and is unmapped all the same */
	pf_free_pages(p, 0);
	assert_false(accessible(mem));
	p = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	assert_int_equal(pf_page_to_pfn(p), pfn);
	assert_true(accessible(mem));
	pf_free_pages(p, 0);

	/* a high-order block, through the buddy lists: every page of it */
	p = pf_alloc_pages(m, PF_GFP_KERNEL | PF_GFP_COMP, 5);
	mem = pf_page_address(p);
	for (int i = 0; i < 32; i++)
		assert_true(accessible(mem + i * PF_PAGE_SIZE));
	memset(mem, 0x33, 32 * PF_PAGE_SIZE);
	pf_free_pages(p, 5);
	for (int i = 0; i < 32; i++)
		assert_false(accessible(mem + i * PF_PAGE_SIZE));
	/* draining the lists touches no contents (it would fault) */
	pf_drain_all_pages(m);
	pf_test_check(m, "after draining");
	pf_bind_cpu(-1);
	pf_machine_destroy(m);
}

static void with_poisoning(void **state)
{
	(void)state;
	/* both: poison written before the unmap, checked after the map (no fault, no report) */
	struct pf_machine *m = pf_test_boot(BASE "cmdline debug_pagealloc=on page_poison=1\n");
	pf_bind_cpu(0);
	for (int round = 0; round < 3; round++) {
		struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 3);
		unsigned char *mem = pf_page_address(p);
		for (size_t i = 0; i < 8 * PF_PAGE_SIZE; i++)
			assert_int_equal(mem[i], 0xaa);
		memset(mem, 0x12, 8 * PF_PAGE_SIZE);
		pf_free_pages(p, 3);
	}
	assert_int_equal(pf_test_vmstat(m, "pageframe_poison_corrupted"), 0);
	pf_bind_cpu(-1);
	pf_machine_destroy(m);
}

/* the program's use after free: a plain store, past ASan's poison in an ASan build */
__attribute__((noinline, no_sanitize("address"))) static void store(volatile char *p, char v)
{
	*p = v;
}

/*
 * A top-order block whose struct pages wait (deferred_init.c) is unmapped from boot on, as the
 * rest of the free memory: pfns 0x1000..0x4fff hold the blocks 0x1000, 0x1400, ..., 0x4c00, and
 * boot writes only the first, so 0x4c00 (the last) waits.
 */
static void deferred_block_is_unmapped(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(BASE "cmdline debug_pagealloc=on\n");
	assert_true(deferred_pfn(m, 0x4c00));
	char *mem = pf_page_address(pfn_to_page(m, 0x4c00));	/* a pointer that does not write the block */
	assert_false(accessible(mem));
	assert_false(accessible(mem + (PF_PAGE_SIZE << MAX_PAGE_ORDER) - 1));
	assert_true(deferred_pfn(m, 0x4c00));
	pf_machine_destroy(m);
}

static void use_after_free_faults(void **state)
{
	(void)state;
	int out[2];
	assert_int_equal(pipe(out), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(out[1], 2);	/* the default report hook writes to stderr */
		close(out[0]);
		struct pf_machine *m = pf_machine_create(BASE "cmdline debug_pagealloc=on\n", NULL, 0);
		if (!m || pf_install_fault_handler(m))
			_exit(3);
		struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
		char *mem = pf_page_address(p);
		fprintf(stderr, "freed pfn %#lx\n", pf_page_to_pfn(p));
		fflush(stderr);
		store(mem + 8, 1);
		pf_free_pages(p, 0);
		store(mem + 8, 2);	/* faults here */
		_exit(0);
	}
	close(out[1]);
	char text[8192] = "";
	size_t len = 0;
	ssize_t r;
	while ((r = read(out[0], text + len, sizeof text - 1 - len)) > 0)
		len += (size_t)r;
	text[len] = '\0';
	close(out[0]);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSEGV)
		fail_msg("the child was not killed by SIGSEGV (status %#x); it said:\n%s", status, text);
	unsigned long pfn;
	const char *f = strstr(text, "freed pfn ");
	assert_non_null(f);
	assert_int_equal(sscanf(f, "freed pfn %lx", &pfn), 1);
	char want[128];
	snprintf(want, sizeof want, "pageframe: the address is in pfn %#lx of machine 0, a free page (debug_pagealloc unmapped it)", pfn);
	if (!strstr(text, "BUG: unable to handle page fault for address: ") || !strstr(text, want) ||
	    !strstr(text, "page dumped because: page fault in the machine's memory"))
		fail_msg("expected '%s' in:\n%s", want, text);
}

static void guard_pages(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(BASE "cmdline debug_pagealloc=on debug_guardpage_minorder=2\n");
	char *boot = pf_test_show(m, "buddyinfo");
	pf_bind_cpu(0);
	/*
	 * An order-4 allocation from boot's order-10 blocks (the smallest order
	 * with a free block is 10, all the zone has): expand() splits 10 -> 4
	 * and frees halves of order 9..4 - none below debug_guardpage_minorder
	 * 2, so no guard page yet.
	 */
	struct pf_page *a = pf_alloc_pages(m, PF_GFP_KERNEL | PF_GFP_COMP, 4);
	assert_non_null(a);
	assert_int_equal(pf_test_vmstat(m, "pageframe_guard_pages"), 0);
	/*
	 * An order-0 request: the per-CPU list refills through rmqueue_bulk's
	 * __rmqueue loop.  Its first block is the smallest free one, the
	 * order-4 half beside a (pfn a + 16): split 4 -> 0, the halves of
	 * order 3 and 2 go to the lists, the order-1 half (a + 18) and the
	 * order-0 half (a + 17) become guard pages, and a + 16 is the page the
	 * list hands out first.  The next blocks of the refill split the same
	 * way, so there are at least 1 + 2 guard pages.
	 */
	struct pf_page *b = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	assert_non_null(b);
	assert_true(b == a + 16);
	assert_true(pf_test_vmstat(m, "pageframe_guard_pages") >= 3);
	struct pf_page *g0 = b + 1, *g1 = b + 2;
	assert_true(pf_PageGuard(g0));
	assert_int_equal(g0->private, 0);
	assert_true(pf_PageGuard(g1));
	assert_int_equal(g1->private, 1);
	assert_false(pf_PageBuddy(g0));
	int fd[2];
	assert_int_equal(pipe(fd), 0);
	assert_int_equal(write(fd[1], pf_page_address(g0), 1), -1);	/* guard pages stay unmapped */
	assert_int_equal(write(fd[1], pf_page_address(g1), 1), -1);
	close(fd[0]);
	close(fd[1]);
	pf_test_check(m, "with guard pages");
	pf_free_pages(b, 0);
	pf_free_pages(a, 4);
	pf_drain_all_pages(m);
	/* __free_one_page merged every guard back: the zone is as it was at boot */
	assert_int_equal(pf_test_vmstat(m, "pageframe_guard_pages"), 0);
	char *now = pf_test_show(m, "buddyinfo");
	assert_string_equal(now, boot);
	pf_test_check(m, "after the guard pages merged back");
	free(now);
	free(boot);
	pf_bind_cpu(-1);
	pf_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(free_pages_are_unmapped), cmocka_unit_test(with_poisoning),
		cmocka_unit_test(use_after_free_faults), cmocka_unit_test(deferred_block_is_unmapped),   cmocka_unit_test(guard_pages),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
