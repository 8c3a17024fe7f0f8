/* SPDX-License-Identifier: MIT */
/*
 * contract - a program written only against the installed public API.
 *
 * tests/contract/run.sh builds it from an installed prefix (pkg-config, and
 * find_package) and runs it.  It uses the promised surface: machines from a
 * description, every gfp flag set the API names, every order, the pfn and
 * address translations, reference counts, bulk allocation, the views,
 * pf_check, and the version macros.  Prints "contract ok" when all hold.
 */
#include <pageframe/pageframe.h>
#include <pageframe/version.h>
#include <stdio.h>
#include <string.h>

#if !PF_CHECK_VERSION(0, 1, 0)
#error "PF_CHECK_VERSION(0, 1, 0) must hold for 0.1.0 and later"
#endif
#if PF_CHECK_VERSION(PF_VERSION_MAJOR + 1, 0, 0) || PF_CHECK_VERSION(PF_VERSION_MAJOR, PF_VERSION_MINOR, PF_VERSION_PATCH + 1)
#error "PF_CHECK_VERSION accepts a later version"
#endif

static int bad;
#define EXPECT(cond, ...) do { if (!(cond)) { printf(__VA_ARGS__); printf("\n"); bad++; } } while (0)

int main(void)
{
	char err[256] = "";
	char want[64];

	snprintf(want, sizeof want, "%d.%d.%d", PF_VERSION_MAJOR, PF_VERSION_MINOR, PF_VERSION_PATCH);
	EXPECT(strcmp(want, PF_VERSION_STRING) == 0, "PF_VERSION_STRING %s, parts say %s", PF_VERSION_STRING, want);
	EXPECT(strcmp(pf_version(), PF_VERSION_STRING) == 0, "pf_version() %s, header %s", pf_version(), PF_VERSION_STRING);

	struct pf_machine *m = pf_machine_create("cpus 2\nmem 0 0x1000-0x9efff\nmem 0 0x100000-0x5fffffff\n"
						 "reserve 0x1000-0xfffff\n", err, sizeof err);
	if (!m) {
		printf("pf_machine_create: %s\n", err);
		return 1;
	}
	EXPECT(pf_machine_create("mem nonsense\n", err, sizeof err) == NULL && err[0],
	       "a bad description must fail with a reason");

	const pf_gfp_t gfps[] = {
		PF_GFP_KERNEL, PF_GFP_ATOMIC, PF_GFP_NOWAIT, PF_GFP_USER, PF_GFP_DMA, PF_GFP_DMA32,
		PF_GFP_HIGHUSER_MOVABLE, PF_GFP_KERNEL | PF_GFP_ZERO, PF_GFP_KERNEL | PF_GFP_COMP | PF_GFP_NOWARN,
	};
	for (unsigned g = 0; g < sizeof gfps / sizeof gfps[0]; g++) {
		for (unsigned order = 0; order <= PF_MAX_PAGE_ORDER; order += 2) {
			struct pf_page *p = pf_alloc_pages(m, gfps[g], order);
			if (!p) {
				EXPECT(0, "gfp %u order %u: no page", g, order);
				continue;
			}
			unsigned long pfn = pf_page_to_pfn(p);
			EXPECT(pfn % (1UL << order) == 0, "order %u block at pfn %#lx is not aligned", order, pfn);
			EXPECT(pf_pfn_to_page(m, pfn) == p, "pfn round trip");
			EXPECT(pf_page_machine(p) == m, "pf_page_machine");
			unsigned char *a = pf_page_address(p);
			EXPECT(a != NULL, "no address on a hosted machine");
			if (a) {
				if (gfps[g] & PF_GFP_ZERO)
					EXPECT(a[0] == 0 && a[(PF_PAGE_SIZE << order) - 1] == 0, "__GFP_ZERO page not zero");
				memset(a, 0x3c, PF_PAGE_SIZE << order);
				EXPECT(pf_virt_to_page(m, a + PF_PAGE_SIZE - 1) == p, "virt to page");
			}
			EXPECT(pf_page_count(p) == 1, "a new block has one reference");
			pf_get_page(p);
			EXPECT(pf_page_count(p) == 2, "pf_get_page");
			pf_put_page(p);
			pf_free_pages(p, order);
		}
	}

	struct pf_page *pages[32] = { 0 };
	unsigned long n = pf_alloc_pages_bulk(m, PF_GFP_KERNEL, 32, pages);
	EXPECT(n == 32, "bulk gave %lu of 32", n);
	for (unsigned long i = 0; i < 32; i++)
		if (pages[i])
			pf_free_pages(pages[i], 0);

	struct pf_page *top = pf_alloc_pages_node(m, 0, PF_GFP_KERNEL, PF_MAX_PAGE_ORDER);
	EXPECT(top != NULL, "order %d on node 0", PF_MAX_PAGE_ORDER);
	if (top)
		pf_free_pages(top, PF_MAX_PAGE_ORDER);

	char val[64] = "";
	EXPECT(pf_sysctl_get(m, "min_free_kbytes", val, sizeof val) == 0 && val[0], "sysctl min_free_kbytes");
	pf_drain_all_pages(m);
	pf_vmstat_refresh(m);
	EXPECT(pf_check(m, err, sizeof err) == 0, "pf_check: %s", err);

	const char *views[] = { "buddyinfo", "pagetypeinfo", "zoneinfo", "vmstat" };
	FILE *null = fopen("/dev/null", "w");
	for (unsigned i = 0; null && i < sizeof views / sizeof views[0]; i++)
		EXPECT(pf_show(m, views[i], null) == 0, "pf_show %s", views[i]);
	EXPECT(!null || pf_show(m, "no-such-view", null) < 0, "an unknown view must fail");
	if (null)
		fclose(null);
	pf_machine_destroy(m);

	if (bad)
		return 1;
	printf("contract ok (pageframe %s)\n", pf_version());
	return 0;
}
