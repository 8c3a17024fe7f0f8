/* SPDX-License-Identifier: MIT */
/*
 * consumer - a tiny program built by tests/install/run.sh against an installed
 * prefix only (pkg-config, find_package).  It prints the linked library's
 * pf_build_info(), then boots a small machine and allocates and frees a block
 * of each order, so a library that links but does not work fails too.
 */
#include <pageframe/pageframe.h>
#include <stdio.h>

int main(void)
{
	char err[256] = "";
	printf("build_info: %s\n", pf_build_info());
	struct pf_machine *m = pf_machine_create("cpus 2\nmem 0 0x1000-0x9efff\nmem 0 0x100000-0x7ffffff\n", err,
						 sizeof err);
	if (!m) {
		printf("pf_machine_create: %s\n", err);
		return 1;
	}
	for (unsigned order = 0; order <= PF_MAX_PAGE_ORDER; order++) {
		struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, order);
		if (!p) {
			printf("order %u: no block\n", order);
			return 1;
		}
		pf_free_pages(p, order);
	}
	int bad = pf_check(m, err, sizeof err);
	pf_machine_destroy(m);
	if (bad) {
		printf("pf_check: %s\n", err);
		return 1;
	}
	printf("consumer ok\n");
	return 0;
}
