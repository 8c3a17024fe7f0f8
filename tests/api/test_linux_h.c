/*
 * test_linux_h: <pageframe/linux.h> gives kernel-style code its names without
 * renaming the program's own identifiers.  A local variable, a struct member
 * and a parameter called page compile unchanged next to struct page pointers,
 * and the page-flag accessors on struct page see the same bits as the
 * library's struct pf_page (built at -O2, so strict aliasing is in force).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <pageframe/linux.h>

#ifdef page
#error "<pageframe/linux.h> must not define page as a macro"
#endif

/* The program's own uses of the identifier page. */
struct book {
	int page;		/* a member called page */
	const char *title;
};

static int next_page(int page)	/* a parameter called page */
{
	return page + 1;
}

static void own_identifiers(void **state)
{
	(void)state;
	int page = 41;		/* a local called page */
	struct book b = { .page = next_page(page), .title = "mm" };
	assert_int_equal(b.page, 42);
	assert_int_equal(page, 41);
}

static struct pf_machine *boot(void)
{
	char err[256];
	struct pf_machine *m = pf_machine_create("cpus 2\nmem 0 0x1000-0x3fffffff\n", err, sizeof err);
	if (!m)
		fail_msg("pf_machine_create: %s", err);
	pf_linux_set_default_machine(m);
	return m;
}

static void kernel_style_code(void **state)
{
	(void)state;
	struct pf_machine *m = boot();

	struct page *p = alloc_pages(GFP_KERNEL, 0);
	assert_non_null(p);
	assert_int_equal(page_count(p), 1);
	assert_ptr_equal(pfn_to_page(page_to_pfn(p)), p);
	assert_ptr_equal(pf_from_page(p), pf_pfn_to_page(m, page_to_pfn(p)));
	assert_ptr_equal(pf_to_page(pf_from_page(p)), p);
	memset(page_address(p), 0xa5, PAGE_SIZE);
	assert_ptr_equal(virt_to_page(page_address(p)), p);
	get_page(p);
	assert_int_equal(page_count(p), 2);
	put_page(p);
	__free_pages(p, 0);

	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);	/* a local called page, of type struct page * */
	assert_non_null(page);
	assert_int_equal(((unsigned char *)page_address(page))[100], 0);
	__free_page(page);

	unsigned long addr = get_zeroed_page(GFP_KERNEL);
	assert_true(addr != 0);
	free_page(addr);

	pf_linux_set_default_machine(NULL);
	pf_machine_destroy(m);
}

/* Flag writes through struct page and reads through struct pf_page agree, and back. */
static void flags_through_both_types(void **state)
{
	(void)state;
	struct pf_machine *m = boot();

	struct page *p = alloc_pages(GFP_KERNEL, 0);
	assert_non_null(p);
	struct pf_page *pg = pf_from_page(p);

	assert_false(PageDirty(p));
	SetPageDirty(p);
	assert_true(pg->flags & (1UL << PG_dirty));
	assert_true(pf_PageDirty(pg));
	ClearPageDirty(p);
	assert_false(pg->flags & (1UL << PF_PG_dirty));

	pg->flags |= 1UL << PF_PG_referenced;
	assert_true(PageReferenced(p));
	assert_true(TestClearPageReferenced(p));
	assert_false(pf_PageReferenced(pg));
	assert_false(PageBuddy(p));

	set_page_private(p, 0x1234);
	assert_int_equal(pg->private, 0x1234);
	assert_int_equal(page_private(p), 0x1234);
	set_page_private(p, 0);
	assert_int_equal(page_to_nid(p), 0);
	__free_pages(p, 0);

	/* A compound block: head and tail as the kernel's helpers see them. */
	struct page *head = alloc_pages(GFP_KERNEL | __GFP_COMP, 2);
	assert_non_null(head);
	struct page *tail = pfn_to_page(page_to_pfn(head) + 3);
	assert_true(PageHead(head));
	assert_true(PageCompound(head));
	assert_true(PageTail(tail));
	assert_true(PageCompound(tail));
	assert_ptr_equal(compound_head(tail), head);
	assert_ptr_equal(compound_head(head), head);
	SetPageDirty(tail);	/* PF_HEAD policy: the head's bit */
	assert_true(pf_PageDirty(pf_from_page(head)));
	ClearPageDirty(head);
	assert_false(PageDirty(tail));
	put_page(head);

	char err[256] = "";
	if (pf_check(m, err, sizeof err))
		fail_msg("pf_check: %s", err);
	pf_linux_set_default_machine(NULL);
	pf_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(own_identifiers),
		cmocka_unit_test(kernel_style_code),
		cmocka_unit_test(flags_through_both_types),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
