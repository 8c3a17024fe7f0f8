/* SPDX-License-Identifier: MIT */
/*
 * owner_workload - the machine the kernel_tools test hands to the kernel's
 * own tools: a 128 MiB PC-like machine booted with page_owner=on, then
 * allocations from three call sites, counts fixed here:
 *   site_a: 5 blocks of order 0, non-compound  =  5 pages
 *   site_b: 3 blocks of order 2, non-compound  = 12 pages
 *   site_c: 2 blocks of order 1, __GFP_COMP    =  4 pages (2 heads, 2 tails)
 * then the per-CPU lists drained and the views written while the blocks
 * are held: page_owner to ARGV[1], kpageflags to ARGV[2].  run.sh holds
 * the expected figures.  Public API only; the stacks name the sites from
 * the program's symbol table.
 */
#include <pageframe/pageframe.h>

#include <stdio.h>
#include <stdlib.h>

#define DESC "cpus 1\nmem 0 0x1000-0x9efff\nmem 0 0x100000-0x7ffffff\ncmdline page_owner=on\n"

static struct pf_machine *m;

/* the call sites the stacks must name */
struct pf_page *site_a(void);
struct pf_page *site_b(void);
struct pf_page *site_c(void);

__attribute__((noinline)) struct pf_page *site_a(void)
{
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	__asm__ volatile("" ::: "memory");	/* no tail call: the site stays on the stack */
	return p;
}

__attribute__((noinline)) struct pf_page *site_b(void)
{
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE, 2);
	__asm__ volatile("" ::: "memory");
	return p;
}

__attribute__((noinline)) struct pf_page *site_c(void)
{
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL | PF_GFP_COMP, 1);
	__asm__ volatile("" ::: "memory");
	return p;
}

/* @n calls of @site from one return address (a loop gcc does not unroll) */
__attribute__((noinline)) static int take(struct pf_page *(*site)(void), int n, struct pf_page **out)
{
	volatile int count = n;
	for (int i = 0; i < count; i++)
		if (!(out[i] = site()))
			return -1;
	return 0;
}

static int show(const char *what, const char *path)
{
	FILE *f = fopen(path, "wb");
	if (!f) {
		perror(path);
		return 1;
	}
	int rc = pf_show(m, what, f);
	if (fclose(f) || rc) {
		fprintf(stderr, "owner_workload: writing %s to %s failed (%d)\n", what, path, rc);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char err[256];
	struct pf_page *a[5], *b[3], *c[2];

	if (argc != 3) {
		fprintf(stderr, "usage: owner_workload PAGE_OWNER_OUT KPAGEFLAGS_OUT\n");
		return 2;
	}
	m = pf_machine_create(DESC, err, sizeof err);
	if (!m) {
		fprintf(stderr, "owner_workload: %s\n", err);
		return 1;
	}
	if (take(site_a, 5, a) || take(site_b, 3, b) || take(site_c, 2, c)) {
		fprintf(stderr, "owner_workload: an allocation failed\n");
		return 1;
	}
	pf_drain_all_pages(m);
	int rc = show("page_owner", argv[1]) | show("kpageflags", argv[2]);
	for (int i = 0; i < 5; i++)
		pf_free_pages(a[i], 0);
	for (int i = 0; i < 3; i++)
		pf_free_pages(b[i], 2);
	for (int i = 0; i < 2; i++)
		pf_free_pages(c[i], 1);
	pf_machine_destroy(m);
	return rc;
}
