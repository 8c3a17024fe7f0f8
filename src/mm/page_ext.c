/* SPDX-License-Identifier: MIT */
/*
 * page_ext.c - per-page extension storage (mm/page_ext.c, Linux 6.12).
 * At boot each user is asked whether this machine needs it; the needed
 * ones get an offset inside a per-page entry, one entry per pfn of the
 * memmap, and their init runs.  Lookup is by pfn.
 *
 * Deliberate differences from 6.12: one flat table per machine over the
 * memmap's pfns (the kernel allocates per section and per node), reserved
 * without backing so only touched entries cost memory; sections without a
 * memmap have no extension (page_ext_get returns NULL, as the kernel's
 * does for them).  Must not allocate pages from the machine.
 */
#include "internal.h"
#include "page_ext.h"

extern const struct page_ext_operations page_owner_ops;	/* page_owner.c */

/* page_ext_ops[] (6.12): every user, in the order their offsets are given */
static const struct page_ext_operations *const page_ext_ops[] = {
	&page_owner_ops,
};
_Static_assert(sizeof page_ext_ops / sizeof page_ext_ops[0] <= PAGE_EXT_NR_USERS, "page_ext users");

/*
 * invoke_need_callbacks (6.12): the flags word first if any needed user
 * shares it, then each needed user's data.  Return: any user needed.
 */
static bool invoke_need_callbacks(struct pf_machine *m)
{
	size_t size = 0;
	bool need = false;

	for (size_t i = 0; i < sizeof page_ext_ops / sizeof page_ext_ops[0]; i++)
		if (page_ext_ops[i]->need(m) && page_ext_ops[i]->need_shared_flags) {
			size = sizeof(struct page_ext);
			break;
		}
	for (size_t i = 0; i < sizeof page_ext_ops / sizeof page_ext_ops[0]; i++) {
		if (!page_ext_ops[i]->need(m))
			continue;
		m->page_ext_offset[page_ext_ops[i]->index] = size;
		size += page_ext_ops[i]->size;
		need = true;
	}
	/* entries stay word-aligned: each user's data starts on a long */
	m->page_ext_size = (size + sizeof(long) - 1) & ~(sizeof(long) - 1);
	return need;
}

/*
 * page_ext_init (6.12, after the buddy allocator is up): storage for the
 * needed users, then their init.  Return: 0, or -ENOMEM with the reason.
 */
int page_ext_init(struct pf_machine *m, char *err, size_t errlen)
{
	if (!invoke_need_callbacks(m))
		return 0;
	m->page_ext_bytes = m->memmap_pfns * m->page_ext_size;
	m->page_ext_base = pf_os_reserve(m->page_ext_bytes);
	if (!m->page_ext_base) {
		snprintf(err, errlen, "page_ext: cannot reserve %zu bytes for %lu pages' extensions",
			 m->page_ext_bytes, m->memmap_pfns);
		m->page_ext_bytes = 0;
		return -ENOMEM;
	}
	for (size_t i = 0; i < sizeof page_ext_ops / sizeof page_ext_ops[0]; i++)
		if (page_ext_ops[i]->need(m) && page_ext_ops[i]->init)
			page_ext_ops[i]->init(m);
	return 0;
}

void page_ext_release(struct pf_machine *m)
{
	page_owner_release(m);
	if (m->page_ext_base)
		pf_os_release(m->page_ext_base, m->page_ext_bytes);
	m->page_ext_base = NULL;
}

struct page_ext *page_ext_get(const struct pf_page *page)
{
	struct pf_machine *m = page_machine(page);
	unsigned long pfn = page_to_pfn(page);

	if (!m->page_ext_base || !pfn_valid(m, pfn))
		return NULL;
	return (struct page_ext *)(m->page_ext_base + pfn * m->page_ext_size);
}

struct page_ext *page_ext_next(const struct pf_machine *m, struct page_ext *curr)
{
	return (struct page_ext *)((char *)curr + m->page_ext_size);
}

void *page_ext_data(const struct pf_machine *m, struct page_ext *page_ext, const struct page_ext_operations *ops)
{
	return (char *)page_ext + m->page_ext_offset[ops->index];
}
