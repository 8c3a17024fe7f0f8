/*
 * kernel_style: code written with the kernel's names (<pageframe/linux.h>) on a
 * user-space machine.  struct page is the header's opaque handle for the
 * library's struct pf_page; pf_from_page() reaches the fields when needed.
 */
#include <pageframe/linux.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
	char err[256];
	struct pf_machine *m = pf_machine_create("cpus 2\nmem 0 0x1000-0x3fffffff\n", err, sizeof err);
	if (!m) {
		fprintf(stderr, "pf_machine_create: %s\n", err);
		return 1;
	}
	pf_linux_set_default_machine(m);

	struct page *pg = alloc_pages(GFP_KERNEL | __GFP_ZERO, 2);	/* 4 zeroed pages */
	if (!pg)
		return 1;
	memset(page_address(pg), 0x5a, 4 * PAGE_SIZE);
	printf("got pfn %#lx, refcount %d\n", page_to_pfn(pg), page_count(pg));
	__free_pages(pg, 2);

	/* A compound block: the page-flag helpers take struct page pointers too. */
	struct page *head = alloc_pages(GFP_KERNEL | __GFP_COMP, 1);
	if (!head)
		return 1;
	struct page *tail = pfn_to_page(page_to_pfn(head) + 1);
	printf("head %d, tail %d, tail's head is head: %d\n", PageHead(head), PageTail(tail),
	       compound_head(tail) == head);
	put_page(head);		/* the last reference frees the whole block */

	unsigned long addr = __get_free_pages(GFP_KERNEL, 0);
	free_pages(addr, 0);

	pf_show(m, "buddyinfo", stdout);
	pf_machine_destroy(m);
	return 0;
}
