/* test_kpageflags: pf_show's kpageflags and kpagecount are fs/proc/page.c's arrays (a u64 per pfn up to the end of the last memmap section): free blocks are KPF_BUDDY on every page, compound blocks head/tail, holes in sections reserved, sections without memmap KPF_NOPAGE; map counts as folio_precise_page_mapcount. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <errno.h>
#include <pageframe/pageframe.h>
#include "pf_testlib.h"
#include "mm/internal.h"

#define KPF_BUDDY		10
#define KPF_COMPOUND_HEAD	15
#define KPF_COMPOUND_TAIL	16
#define KPF_NOPAGE		20
#define KPF_RESERVED		32
#define B(n)			(1ULL << (n))

/* the view as an array of words; *n gets their number */
static uint64_t *read_words(struct pf_machine *m, const char *what, size_t *n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(pf_show(m, what, f), 0);
	fclose(f);
	assert_int_equal(len % 8, 0);
	*n = len / 8;
	return (uint64_t *)buf;
}

/*
 * A PC-like 128 MiB machine: pfn 0 and pfns 0x9f..0xff are holes inside
 * section 0 (reserved struct pages, as init_unavailable_range leaves
 * them), memory up to pfn 0x7fff; one section of 32768 pages, so 32768
 * words.  After boot and a drain every other page is in a free block.
 *   holes: 1 + (0x100 - 0x9f) = 1 + 97 = 98 reserved pages
 *   free:  32768 - 98 = 32670 pages, all KPF_BUDDY (head or inside a block)
 */
static void boot_state(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("cpus 1\nmem 0 0x1000-0x9efff\nmem 0 0x100000-0x7ffffff\n");
	size_t n;
	uint64_t *w = read_words(m, "kpageflags", &n);
	assert_int_equal(n, 32768);
	unsigned long buddy = 0, reserved = 0, other = 0;
	for (size_t i = 0; i < n; i++) {
		if (w[i] == B(KPF_BUDDY))
			buddy++;
		else if (w[i] == B(KPF_RESERVED))
			reserved++;
		else
			other++;
	}
	assert_int_equal(reserved, 98);
	assert_int_equal(buddy, 32670);
	assert_int_equal(other, 0);
	assert_int_equal(w[0], B(KPF_RESERVED));
	assert_int_equal(w[0x9f], B(KPF_RESERVED));
	assert_int_equal(w[0x100], B(KPF_BUDDY));
	assert_int_equal(pf_test_vmstat(m, "nr_free_pages"), 32670);
	free(w);
	w = read_words(m, "kpagecount", &n);
	assert_int_equal(n, 32768);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(w[i], 0);
	free(w);
	pf_machine_destroy(m);
}

/*
 * Allocated blocks: an order-3 compound block is one head and 7 tails, an
 * order-2 block without __GFP_COMP four pages without flags, neither
 * buddy; the pages the allocation left on the per-CPU list are neither
 * (page_count 0, not inside a free block), so drain first to count.
 *   buddy after: 32670 - 8 - 4 = 32658
 */
static void allocated_blocks(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("cpus 1\nmem 0 0x1000-0x9efff\nmem 0 0x100000-0x7ffffff\n");
	struct pf_page *c = pf_alloc_pages(m, PF_GFP_KERNEL | PF_GFP_COMP, 3);
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 2);
	pf_drain_all_pages(m);
	size_t n;
	uint64_t *w = read_words(m, "kpageflags", &n);
	unsigned long cp = pf_page_to_pfn(c), pp = pf_page_to_pfn(p);
	assert_int_equal(w[cp], B(KPF_COMPOUND_HEAD));
	for (int i = 1; i < 8; i++)
		assert_int_equal(w[cp + i], B(KPF_COMPOUND_TAIL));
	for (int i = 0; i < 4; i++)
		assert_int_equal(w[pp + i], 0);
	unsigned long buddy = 0;
	for (size_t i = 0; i < n; i++)
		buddy += w[i] == B(KPF_BUDDY);
	assert_int_equal(buddy, 32658);
	free(w);

	/* kpagecount: folio_precise_page_mapcount = the page's _mapcount + 1, + the folio's entire mapcount + 1 */
	p->_mapcount = 2;		/* three mappings of the page */
	c[1]._entire_mapcount = 0;	/* one mapping of the whole folio */
	w = read_words(m, "kpagecount", &n);
	assert_int_equal(w[pp], 3);
	assert_int_equal(w[pp + 1], 0);
	assert_int_equal(w[cp], 1);	/* head: own -1 + 1, whole folio 0 + 1 */
	assert_int_equal(w[cp + 2], 1);
	free(w);
	p->_mapcount = -1;
	c[1]._entire_mapcount = -1;
	pf_free_pages(c, 3);
	pf_free_pages(p, 2);
	pf_machine_destroy(m);
}

/*
 * Sections: memory in sections 0 and 2 only (128 MiB each), so section 1
 * (pfns 0x8000..0xffff) has no memmap: KPF_NOPAGE, and the array runs to
 * the end of section 2 (0x18000 words).
 */
static void nopage_sections(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot("cpus 1\nmem 0 0x1000-0x7ffffff\nmem 0 0x10000000-0x17ffffff\n");
	size_t n;
	uint64_t *w = read_words(m, "kpageflags", &n);
	assert_int_equal(n, 0x18000);
	for (size_t i = 0x8000; i < 0x10000; i++)
		assert_int_equal(w[i], B(KPF_NOPAGE));
	assert_int_equal(w[0x7fff], B(KPF_BUDDY));
	assert_int_equal(w[0x10000], B(KPF_BUDDY));
	free(w);
	pf_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(boot_state),
		cmocka_unit_test(allocated_blocks),
		cmocka_unit_test(nopage_sections),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
