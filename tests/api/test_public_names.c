/*
 * test_public_names: the public headers <pageframe/pageframe.h> and
 * <pageframe/page.h> declare only prefixed names.  The kernel's spellings
 * (PG_locked, PageBuddy, GFP_KERNEL, page, ...) stay free for the program:
 * none is a macro, and this file declares its own identifiers with those
 * names, which would not compile if a header had taken them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include <pageframe/page.h>

#if defined(PG_locked) || defined(PageBuddy) || defined(page) || defined(GFP_KERNEL)
#error "a public header defines a kernel name as a macro"
#endif
#if defined(PF_KERNEL_NAMES) || defined(PAGEFRAME_PAGE_KERNEL_NAMES)
#error "the kernel names were asked for without the program asking"
#endif
#if defined(__GFP_ZERO) || defined(gfp_t) || defined(alloc_pages) || defined(SetPageLocked)
#error "a public header defines a kernel name as a macro"
#endif

/* The program's own identifiers, named as the kernel's. */
static int PG_locked = 1;		/* clashes with an enumeration constant PG_locked */
static int PGTY_buddy = 2;		/* ... with PGTY_buddy */
static int GFP_KERNEL = 4;
static int PageBuddy(int x)		/* ... with a function PageBuddy */
{
	return x + 10;
}
static int SetPageLocked(int x)
{
	return x + 20;
}
struct page {				/* ... with a struct page the headers defined */
	int page;
	int PageBuddy;
};
typedef long gfp_t;			/* ... with a typedef gfp_t */

static void own_names(void **state)
{
	(void)state;
	int page = 5;			/* a local called page */
	struct page pg = { .page = page, .PageBuddy = PageBuddy(1) };
	gfp_t g = GFP_KERNEL;
	assert_int_equal(pg.page + pg.PageBuddy, 16);
	assert_int_equal(PG_locked + PGTY_buddy + (int)g, 7);
	assert_int_equal(SetPageLocked(0), 20);
}

/* The prefixed spellings are all there and mean the kernel's values. */
static void prefixed_names(void **state)
{
	(void)state;
	assert_int_equal(PF_PG_locked, 0);
	assert_int_equal(PF_PG_head, 6);
	assert_int_equal(PF_PG_waiters, 7);
	assert_int_equal(PF_PG_swapcache, PF_PG_owner_priv_1);
	assert_int_equal(PF_PGTY_buddy, 0xf0);
	assert_int_equal(PF_GFP_KERNEL, 0xcc0);

	struct pf_page p;
	memset(&p, 0, sizeof p);
	p.page_type = 0xffffffffu;
	pf___SetPageBuddy(&p);
	assert_true(pf_PageBuddy(&p));
	pf___ClearPageBuddy(&p);
	assert_false(pf_PageBuddy(&p));
	pf_SetPageLocked(&p);
	assert_true(pf_PageLocked(&p));
	assert_true(pf_TestClearPageLocked(&p));
	assert_false(pf_PageLocked(&p));
	pf___SetPageHead(&p);
	assert_true(pf_PageCompound(&p));
	assert_false(pf_PageTail(&p));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(own_names),
		cmocka_unit_test(prefixed_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
