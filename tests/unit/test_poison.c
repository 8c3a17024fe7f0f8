/* test_poison: page_poison=1 fills freed pages with 0xaa (boot memory too) and checks them when handed out: a write into a free page is reported at its next allocation as the kernel reports it ("pagealloc: memory corruption" / "single bit error", print_hex_dump of the changed bytes, dump_page), counted; page_poison wins over init_on_alloc / init_on_free; init_on_free and init_on_alloc zero pages as want_init_on_free / want_init_on_alloc say; the switches send the fast paths to the general path; bad parameters are refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "mm/internal.h"
#include "pf_testlib.h"

#ifdef PF_ASAN_BUILD
#include <sanitizer/asan_interface.h>
#endif

/* 64 MiB from 16 MiB: all of it DMA32, order-10 blocks at boot */
#define BASE "cpus 2\nmem 0 0x1000000-0x4ffffff\n"

struct log {
	char text[32768];
	size_t len;
};

static void hook(void *arg, int level, const char *line)
{
	struct log *l = arg;
	int n = snprintf(l->text + l->len, sizeof l->text - l->len, "<%c>%s\n", level, line);
	if (n > 0 && l->len + (size_t)n < sizeof l->text)
		l->len += (size_t)n;
}

static struct pf_machine *boot(const char *extra, struct log *l)
{
	char desc[512];
	snprintf(desc, sizeof desc, "%s%s", BASE, extra);
	struct pf_machine *m = pf_test_boot(desc);
	memset(l, 0, sizeof *l);
	pf_set_report_hook(m, hook, l);
	pf_bind_cpu(0);	/* one CPU's list: the page freed last is the next one handed out */
	return m;
}

/* The program's own write into a page it has freed (in an ASan build, past ASan's poison on purpose). */
static void write_freed(struct pf_page *page, size_t off, unsigned char v)
{
	unsigned char *p = pf_page_address(page);
#ifdef PF_ASAN_BUILD
	ASAN_UNPOISON_MEMORY_REGION(p + off, 1);
#endif
	p[off] = v;
}

/* Allocate order-0 pages until @pfn comes back (the per-CPU list is LIFO: at once). */
static struct pf_page *alloc_pfn(struct pf_machine *m, unsigned long pfn, pf_gfp_t gfp)
{
	struct pf_page *p = pf_alloc_pages(m, gfp, 0);
	assert_non_null(p);
	assert_int_equal(pf_page_to_pfn(p), pfn);
	return p;
}

static bool all_bytes(const void *mem, int c, size_t n)
{
	const unsigned char *p = mem;
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)c)
			return false;
	return true;
}

static void boot_memory_is_poisoned(void **state)
{
	(void)state;
	struct log l;
	struct pf_machine *m = boot("cmdline page_poison=1\n", &l);
	assert_true(m->fast_off & FAST_OFF_POISON);
	/* __free_pages_core poisons what boot gives the allocator, so a first allocation finds 0xaa */
	for (unsigned o = 0; o <= 4; o++) {
		struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, o);
		assert_non_null(p);
		assert_true(all_bytes(pf_page_address(p), 0xaa, PF_PAGE_SIZE << o));
		pf_free_pages(p, o);
	}
	assert_int_equal(l.len, 0);
	assert_int_equal(pf_test_vmstat(m, "pageframe_poison_corrupted"), 0);
	pf_bind_cpu(-1);
	pf_machine_destroy(m);
}

static void use_after_free_write_is_reported(void **state)
{
	(void)state;
	struct log l;
	struct pf_machine *m = boot("cmdline page_poison=1\n", &l);
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	unsigned long pfn = pf_page_to_pfn(p);
	memset(pf_page_address(p), 0x11, PF_PAGE_SIZE);	/* the owner's data */
	pf_free_pages(p, 0);
	write_freed(p, 100, 0x55);	/* use after free */
	assert_int_equal(l.len, 0);	/* nothing is noticed until the page is handed out again */

	p = alloc_pfn(m, pfn, PF_GFP_KERNEL);
	unsigned char *mem = pf_page_address(p);
	/*
	 * check_poison_mem: first and last changed byte are both offset 100;
	 * 0x55 ^ 0xaa = 0xff is not one bit, so "memory corruption"; the hex
	 * dump is one row of one byte: "55", padded to the ASCII column
	 * 16 * 2 + 16 / 1 + 1 = 49, then 'U'.
	 */
	char want[256];
	snprintf(want, sizeof want, "<3>pagealloc: memory corruption\n<3>%016lx: 55%47sU\n",
		 (unsigned long)(uintptr_t)(mem + 100), "");
	if (!strstr(l.text, want))
		fail_msg("expected\n%s\nin the report:\n%s", want, l.text);
	char page_line[96];
	snprintf(page_line, sizeof page_line, "pfn:%#lx\n", pfn);
	assert_non_null(strstr(l.text, page_line));
	assert_non_null(strstr(l.text, "<4>page dumped because: pagealloc: corrupted page details\n"));
	assert_int_equal(pf_test_vmstat(m, "pageframe_poison_corrupted"), 1);
	assert_int_equal(pf_test_vmstat(m, "pageframe_bad_pages"), 0);	/* not a bad page state */
	pf_free_pages(p, 0);
	pf_test_check(m, "after the corruption report");
	pf_bind_cpu(-1);
	pf_machine_destroy(m);
}

/*
 * Boot memory whose struct pages wait (deferred_init.c) is poisoned at boot as the rest is: a
 * stray write into a never-allocated top-order block is reported when the block is first handed
 * out, as on a machine that wrote every struct page at boot.  Pfns 0x1000..0x4fff hold the 16
 * top-order blocks 0x1000, 0x1400, ..., 0x4c00; boot writes only the first, so 0x1800 waits (the third one handed out).
 */
static void deferred_block_is_poisoned_at_boot(void **state)
{
	(void)state;
	struct log l;
	struct pf_machine *m = boot("cmdline page_poison=1\n", &l);
	assert_true(deferred_pfn(m, 0x1800));
	write_freed(pfn_to_page(m, 0x1800), 100, 0x55);	/* the pointer made without writing the block */
	struct pf_page *got[16];
	int n = 0;
	while (n < 16) {
		got[n] = pf_alloc_pages(m, PF_GFP_KERNEL, MAX_PAGE_ORDER);
		assert_non_null(got[n]);
		if (pf_page_to_pfn(got[n++]) == 0x1800)
			break;
	}
	assert_int_equal(pf_page_to_pfn(got[n - 1]), 0x1800);
	assert_non_null(strstr(l.text, "<3>pagealloc: memory corruption\n"));
	assert_int_equal(pf_test_vmstat(m, "pageframe_poison_corrupted"), 1);
	while (n)
		pf_free_pages(got[--n], MAX_PAGE_ORDER);
	pf_test_check(m, "after the deferred block's report");
	pf_bind_cpu(-1);
	pf_machine_destroy(m);
}

static void single_bit_and_range(void **state)
{
	(void)state;
	struct log l;
	struct pf_machine *m = boot("cmdline page_poison=1\n", &l);
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	unsigned long pfn = pf_page_to_pfn(p);
	pf_free_pages(p, 0);
	write_freed(p, 4000, 0xab);	/* 0xab ^ 0xaa = 0x01: one bit */
	p = alloc_pfn(m, pfn, PF_GFP_KERNEL);
	assert_non_null(strstr(l.text, "<3>pagealloc: single bit error\n"));
	assert_null(strstr(l.text, "memory corruption"));
	pf_free_pages(p, 0);

	/* bytes 10 and 40 changed: the dump runs from 10 to 40, 31 bytes, rows of 16 and 15 */
	l.len = 0;
	l.text[0] = '\0';
	write_freed(p, 10, 'A');
	write_freed(p, 40, 'B');
	p = alloc_pfn(m, pfn, PF_GFP_KERNEL);
	unsigned char *mem = pf_page_address(p);
	char row1[160], row2[160];
	/* row 1: 41 then fifteen aa (47 characters), 2 spaces, "A" and fifteen '.' */
	snprintf(row1, sizeof row1, "<3>%016lx: 41 aa aa aa aa aa aa aa aa aa aa aa aa aa aa aa  A...............\n",
		 (unsigned long)(uintptr_t)(mem + 10));
	/* row 2: fourteen aa then 42 (44 characters), padded to 49, then fourteen '.' and "B" */
	snprintf(row2, sizeof row2, "<3>%016lx: aa aa aa aa aa aa aa aa aa aa aa aa aa aa 42     ..............B\n",
		 (unsigned long)(uintptr_t)(mem + 26));
	if (!strstr(l.text, "<3>pagealloc: memory corruption\n") || !strstr(l.text, row1) || !strstr(l.text, row2))
		fail_msg("expected\n%s%s in the report:\n%s", row1, row2, l.text);
	assert_int_equal(pf_test_vmstat(m, "pageframe_poison_corrupted"), 2);
	pf_free_pages(p, 0);
	pf_bind_cpu(-1);
	pf_machine_destroy(m);
}

static void zero_after_check(void **state)
{
	(void)state;
	struct log l;
	struct pf_machine *m = boot("cmdline page_poison=1\n", &l);
	/* a page handed out without __GFP_ZERO keeps the poison; with it, zeros and still no report */
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 2);
	assert_true(all_bytes(pf_page_address(p), 0xaa, 4 * PF_PAGE_SIZE));
	memset(pf_page_address(p), 0x77, 4 * PF_PAGE_SIZE);
	pf_free_pages(p, 2);
	p = pf_alloc_pages(m, PF_GFP_KERNEL | PF_GFP_ZERO, 2);
	assert_true(all_bytes(pf_page_address(p), 0, 4 * PF_PAGE_SIZE));
	assert_int_equal(l.len, 0);
	pf_free_pages(p, 2);
	/* the bulk allocator runs the same hooks */
	struct pf_page *arr[16] = { 0 };
	assert_int_equal(pf_alloc_pages_bulk(m, PF_GFP_KERNEL, 16, arr), 16);
	for (int i = 0; i < 16; i++) {
		assert_true(all_bytes(pf_page_address(arr[i]), 0xaa, PF_PAGE_SIZE));
		pf_free_pages(arr[i], 0);
	}
	assert_int_equal(l.len, 0);
	pf_bind_cpu(-1);
	pf_machine_destroy(m);
}

static void poison_wins_over_init(void **state)
{
	(void)state;
	struct log l;
	/* mem_debugging_and_hardening_init: with page_poison on, init_on_alloc and init_on_free are turned off */
	struct pf_machine *m = boot("cmdline page_poison=1 init_on_alloc=1 init_on_free=1\n", &l);
	assert_true(m->page_poisoning);
	assert_false(m->init_on_alloc);
	assert_false(m->init_on_free);
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	assert_true(all_bytes(pf_page_address(p), 0xaa, PF_PAGE_SIZE));
	pf_free_pages(p, 0);
	pf_bind_cpu(-1);
	pf_machine_destroy(m);
}

static void init_on_free_and_alloc(void **state)
{
	(void)state;
	struct log l;
	struct pf_machine *m = boot("cmdline init_on_free=1\n", &l);
	assert_true(m->init_on_free);
	assert_false(m->init_on_alloc);
	assert_true(m->fast_off & FAST_OFF_INIT);
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	unsigned long pfn = pf_page_to_pfn(p);
	memset(pf_page_address(p), 0x5a, PF_PAGE_SIZE);
	pf_free_pages(p, 0);
	/* want_init_on_free: zeroed at free, so the next owner finds zeros without asking */
	p = alloc_pfn(m, pfn, PF_GFP_KERNEL);
	assert_true(all_bytes(pf_page_address(p), 0, PF_PAGE_SIZE));
	pf_free_pages(p, 0);
	pf_bind_cpu(-1);
	pf_machine_destroy(m);

	m = boot("cmdline init_on_alloc=1\n", &l);
	assert_true(m->init_on_alloc);
	p = pf_alloc_pages(m, PF_GFP_KERNEL, 1);
	pfn = pf_page_to_pfn(p);
	memset(pf_page_address(p), 0x5a, 2 * PF_PAGE_SIZE);
	pf_free_pages(p, 1);
	/* want_init_on_alloc: zeroed when handed out, __GFP_ZERO or not */
	p = pf_alloc_pages(m, PF_GFP_KERNEL, 1);
	assert_int_equal(pf_page_to_pfn(p), pfn);
	assert_true(all_bytes(pf_page_address(p), 0, 2 * PF_PAGE_SIZE));
	pf_free_pages(p, 1);
	pf_bind_cpu(-1);
	pf_machine_destroy(m);

	/* neither: a page keeps what its last owner wrote (the kernel's default) */
	m = boot("", &l);
	assert_int_equal(m->fast_off & (FAST_OFF_INIT | FAST_OFF_POISON), 0);
	p = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	pfn = pf_page_to_pfn(p);
	memset(pf_page_address(p), 0x5a, PF_PAGE_SIZE);
	pf_free_pages(p, 0);
	p = alloc_pfn(m, pfn, PF_GFP_KERNEL);
	assert_true(all_bytes(pf_page_address(p), 0x5a, PF_PAGE_SIZE));
	pf_free_pages(p, 0);
	pf_bind_cpu(-1);
	pf_machine_destroy(m);
}

static void expect_refused(const char *extra, const char *want)
{
	char desc[512], err[512];
	snprintf(desc, sizeof desc, "%s%s", BASE, extra);
	struct pf_machine *m = pf_machine_create(desc, err, sizeof err);
	if (m)
		fail_msg("'%s' was accepted", extra);
	if (!strstr(err, want))
		fail_msg("error '%s' does not say '%s'", err, want);
}

static void bad_parameters(void **state)
{
	(void)state;
	expect_refused("cmdline page_poison=maybe\n", "page_poison=maybe is not a boolean");
	expect_refused("cmdline init_on_free=2\n", "init_on_free=2 is not a boolean");
	expect_refused("cmdline debug_pagealloc=sometimes\n", "debug_pagealloc=sometimes is not a boolean");
	/* debug_guardpage_minorder_setup: at most MAX_PAGE_ORDER / 2 = 5 */
	expect_refused("cmdline debug_guardpage_minorder=6\n", "Bad debug_guardpage_minorder value '6'");
	expect_refused("cmdline debug_guardpage_minorder=x\n", "Bad debug_guardpage_minorder value 'x'");
	expect_refused("backing none\ncmdline page_poison=1\n", "no memory behind its pages");
	/* memory given back to the host would come back zeroed, not poisoned (virtio_balloon turns reporting off) */
	expect_refused("cmdline page_poison=1\nfree_page_reporting dontneed\n", "not with page_poison=1");
	/* kstrtobool's other spellings are taken */
	struct pf_machine *m = pf_test_boot(BASE "cmdline page_poison=on init_on_alloc=y\n");
	assert_true(m->page_poisoning);
	pf_machine_destroy(m);
	m = pf_test_boot(BASE "cmdline page_poison=off debug_guardpage_minorder=5\n");
	assert_false(m->page_poisoning);
	assert_false(m->debug_guardpage_enabled);	/* guard pages need debug_pagealloc */
	pf_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(boot_memory_is_poisoned), cmocka_unit_test(use_after_free_write_is_reported),
		cmocka_unit_test(deferred_block_is_poisoned_at_boot),
		cmocka_unit_test(single_bit_and_range),	   cmocka_unit_test(zero_after_check),
		cmocka_unit_test(poison_wins_over_init),   cmocka_unit_test(init_on_free_and_alloc),
		cmocka_unit_test(bad_parameters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
