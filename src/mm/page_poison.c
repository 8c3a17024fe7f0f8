/* SPDX-License-Identifier: MIT */
/*
 * page_poison.c - page poisoning and the memory auto-initialisation
 * switches (mm/page_poison.c and mem_debugging_and_hardening_init of
 * mm/mm_init.c, Linux 6.12).
 *
 * With page_poison=1 every page freed to the allocator is filled with
 * PAGE_POISON (0xaa) and checked when it is handed out again: a byte that
 * changed means someone wrote the page while it was free, and the report
 * says so in the kernel's words, with the changed bytes as print_hex_dump
 * shows them and the page's dump_page.  Only hosted memory has contents.
 */
#include "internal.h"

#include <ctype.h>
#include <string.h>

/* kstrtobool (lib/kstrtox.c): y/Y/1/on true, n/N/0/off false; -EINVAL otherwise. */
static int kstrtobool(const char *s, bool *res)
{
	switch (s[0]) {
	case 'y': case 'Y': case '1':
		*res = true;
		return 0;
	case 'n': case 'N': case '0':
		*res = false;
		return 0;
	case 'o': case 'O':
		if (s[1] == 'n' || s[1] == 'N') {
			*res = true;
			return 0;
		}
		if (s[1] == 'f' || s[1] == 'F') {
			*res = false;
			return 0;
		}
		break;
	}
	return -EINVAL;
}

/*
 * page_poison_param - the boot parameters this file owns: page_poison=,
 * init_on_alloc=, init_on_free= (early_page_poison_param and
 * early_init_on_alloc / early_init_on_free, 6.12), each a kstrtobool.
 * Return: 1 when @name is not ours, 0 when taken, -EINVAL with @err set.
 */
int page_poison_param(struct pf_machine *m, const char *name, const char *val, char *err, size_t errlen)
{
	bool *dst;
	if (!strcmp(name, "page_poison"))
		dst = &m->page_poisoning;
	else if (!strcmp(name, "init_on_alloc"))
		dst = &m->init_on_alloc_early;
	else if (!strcmp(name, "init_on_free"))
		dst = &m->init_on_free_early;
	else
		return 1;
	if (kstrtobool(val, dst)) {
		snprintf(err, errlen, "%s=%s is not a boolean (1/0, y/n, on/off)", name, val);
		return -EINVAL;
	}
	return 0;
}

/*
 * mem_debugging_and_hardening_init (mm/mm_init.c, 6.12), run at boot
 * before the memory is given to the allocator: page poisoning wins over
 * init_on_alloc and init_on_free (a poisoned page must not be zeroed
 * behind the check's back), then the switches take effect.  The page
 * state checks the kernel turns on with them are always on here
 * (check_pages).  Poisoning and debug_pagealloc need memory behind the
 * pages.  Return: 0, or -EINVAL with @err set.
 */
int mem_debugging_and_hardening_init(struct pf_machine *m, char *err, size_t errlen)
{
	if (m->init_on_alloc)	/* the `init_on_alloc 1` directive sets the switch itself */
		m->init_on_alloc_early = true;
	if (m->init_on_free)
		m->init_on_free_early = true;
	if (!m->base && (m->page_poisoning || m->debug_pagealloc)) {
		snprintf(err, errlen, "cmdline %s: the machine has no memory behind its pages (backing none)",
			 m->page_poisoning ? "page_poison=1" : "debug_pagealloc=on");
		return -EINVAL;
	}
	if ((m->init_on_alloc_early || m->init_on_free_early) && m->page_poisoning) {
		pf_printk(m, '6', "mem auto-init: CONFIG_PAGE_POISONING is on, will take precedence over "
			  "init_on_alloc and init_on_free");
		m->init_on_alloc_early = false;
		m->init_on_free_early = false;
	}
	m->init_on_alloc = m->init_on_alloc_early;
	m->init_on_free = m->init_on_free_early;
	m->debug_guardpage_enabled = m->debug_pagealloc && m->debug_guardpage_minorder > 0;
	if (m->debug_guardpage_enabled)
		m->rmqueue_carve_off = true;	/* guard pages come from expand(), block by block */
	kasan_machine_init(m);
	pf_fast_update(m);
	return 0;
}

static inline unsigned char *page_mem(struct pf_machine *m, struct pf_page *page)
{
	return (unsigned char *)m->base + (size_t)(page - m->mem_map) * PAGE_SIZE;
}

/* kernel_init_pages (6.12): clear the block. */
void kernel_init_pages(struct pf_machine *m, struct pf_page *page, int n)
{
	if (m->base)
		memset(page_mem(m, page), 0, (size_t)n * PAGE_SIZE);
}

/* __kernel_poison_pages (6.12): PAGE_POISON over each page of the block. */
void __kernel_poison_pages(struct pf_machine *m, struct pf_page *page, int n)
{
	memset(page_mem(m, page), PAGE_POISON, (size_t)n * PAGE_SIZE);
}

/* single_bit_flip (6.12): @a and @b differ in exactly one bit. */
static bool single_bit_flip(unsigned char a, unsigned char b)
{
	unsigned char error = a ^ b;
	return error && !(error & (error - 1));
}

/* memchr_inv (lib/string.c): the first byte of [mem, mem + bytes) that is not @c, or NULL. */
static const unsigned char *memchr_inv(const unsigned char *mem, int c, size_t bytes)
{
	/* word at a time over the aligned middle: a page is checked at every allocation */
	const unsigned char *p = mem, *end = mem + bytes;
	unsigned long pattern = 0x0101010101010101UL * (unsigned char)c;
	while (p < end && ((uintptr_t)p & 7))
		if (*p++ != (unsigned char)c)
			return p - 1;
	for (; p + 8 <= end; p += 8) {
		unsigned long w;
		memcpy(&w, p, sizeof w);
		if (w != pattern)
			break;
	}
	for (; p < end; p++)
		if (*p != (unsigned char)c)
			return p;
	return NULL;
}

/*
 * print_hex_dump (lib/hexdump.c) as check_poison_mem calls it: address
 * prefix, 16 bytes a row in groups of one, then the bytes as ASCII.
 */
static void print_hex_dump(struct pf_machine *m, int level, const unsigned char *buf, size_t len)
{
	for (size_t i = 0; i < len; i += 16) {
		char line[16 * 3 + 2 + 16 + 1];
		size_t n = len - i < 16 ? len - i : 16, lx = 0;
		for (size_t j = 0; j < n; j++)
			lx += (size_t)snprintf(line + lx, sizeof line - lx, j ? " %02x" : "%02x", buf[i + j]);
		while (lx < 16 * 2 + 16 + 1)	/* the ASCII column: rowsize * 2 + rowsize / groupsize + 1 */
			line[lx++] = ' ';
		for (size_t j = 0; j < n; j++)
			line[lx++] = isascii(buf[i + j]) && isprint(buf[i + j]) ? (char)buf[i + j] : '.';
		line[lx] = '\0';
		pf_printk(m, level, "%016lx: %s", (unsigned long)(uintptr_t)(buf + i), line);
	}
}

/*
 * check_poison_mem (6.12): the bytes of a page that are no longer
 * PAGE_POISON, from the first changed byte to the last, reported at most
 * 10 times in 5 seconds (every finding is counted).  The kernel's
 * dump_stack is left out.
 */
static void check_poison_mem(struct pf_machine *m, struct pf_page *page, unsigned char *mem, size_t bytes)
{
	const unsigned char *start = memchr_inv(mem, PAGE_POISON, bytes), *end;
	unsigned long unshown;

	if (!start)
		return;
	for (end = mem + bytes - 1; end > start; end--)
		if (*end != PAGE_POISON)
			break;

	atomic_fetch_add(&m->nr_poison_corrupted, 1);
	if (!pf_burst_limit_pass(&m->poison_rs, 10, 5, (unsigned long)(pf_os_now_ns() / 1000000000ull), &unshown))
		return;
	if (unshown)
		pf_printk(m, '4', "check_poison_mem: %lu callbacks suppressed", unshown);
	if (start == end && single_bit_flip(*start, PAGE_POISON))
		pf_printk(m, '3', "pagealloc: single bit error");
	else
		pf_printk(m, '3', "pagealloc: memory corruption");
	print_hex_dump(m, '3', start, (size_t)(end - start + 1));
	dump_page(page, "pagealloc: corrupted page details");
}

/*
 * __kernel_unpoison_pages (6.12 unpoison_page for each page): every free
 * page was poisoned, so each is checked without asking.
 */
void __kernel_unpoison_pages(struct pf_machine *m, struct pf_page *page, int n)
{
	for (int i = 0; i < n; i++)
		check_poison_mem(m, page + i, page_mem(m, page + i), PAGE_SIZE);
}
