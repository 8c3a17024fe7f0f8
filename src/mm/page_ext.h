/* SPDX-License-Identifier: MIT */
/*
 * page_ext.h - per-page extension storage (include/linux/page_ext.h,
 * Linux 6.12): for each pfn of a machine, a struct page_ext (a flags word
 * its users share) followed by each user's own data at the offset the
 * machine gave it at boot.  Only machines with a user that is on get any
 * (page_owner, with `cmdline page_owner=on`).
 *
 * Glossary: a "user" is a subsystem that needs per-page data
 * (struct page_ext_operations); its "offset" is where its data starts
 * inside one page's entry; the entry "size" (m->page_ext_size) is the
 * flags word plus every needed user's data.
 */
#ifndef PF_MM_PAGE_EXT_H
#define PF_MM_PAGE_EXT_H

#include <stdbool.h>
#include <stddef.h>

struct pf_machine;
struct pf_page;

/* struct page_ext_operations (6.12): one user; offset is per machine (m->page_ext_offset[index]) */
struct page_ext_operations {
	int index;				/* the user's slot in m->page_ext_offset */
	size_t size;				/* bytes of data per page */
	bool (*need)(struct pf_machine *m);	/* this machine wants it (boot parameters) */
	void (*init)(struct pf_machine *m);	/* runs once the storage exists */
	bool need_shared_flags;			/* uses the flags word */
};

/* the flags word's bits (enum page_ext_flags, 6.12) */
enum page_ext_flags {
	PAGE_EXT_OWNER,			/* page_owner has a record for the page */
	PAGE_EXT_OWNER_ALLOCATED,	/* ... and the page is allocated now */
};

struct page_ext {
	unsigned long flags;
};

/*
 * page_ext_get (6.12): the page's extension, or NULL when the machine has
 * none or the pfn's section has no memmap.  page_ext_put ends the use
 * (the kernel leaves an RCU read section there; nothing to do here).
 */
struct page_ext *page_ext_get(const struct pf_page *page);
static inline void page_ext_put(struct page_ext *page_ext)
{
	(void)page_ext;
}
/* page_ext_next: the next pfn's extension */
struct page_ext *page_ext_next(const struct pf_machine *m, struct page_ext *curr);
/* page_ext_data: @ops's data in @page_ext */
void *page_ext_data(const struct pf_machine *m, struct page_ext *page_ext, const struct page_ext_operations *ops);

#endif /* PF_MM_PAGE_EXT_H */
