/* SPDX-License-Identifier: MIT */
/*
 * backing.c - the memory behind a machine's pages: the description's
 * backing line (docs/MACHINE.md) read into the machine, the window mapped
 * at boot and unmapped at destroy, and pf_machine_create_with_memory's
 * memory checked against the machine it is to hold.
 *
 * Every kind but external maps one window for pfn 0 up to the end of the
 * last memory section (memmap_pfns pages), so pfn N lives at base + N *
 * PAGE_SIZE and, for a file, at offset N * PAGE_SIZE in it.  Holes cost
 * address space (and file size as a sparse hole), never memory.  External
 * memory holds the machine's lowest present pfn at the caller's address
 * and must reach its highest.  platform.h's pf_os_mem_* does the mapping;
 * page_reporting.c gives freed memory back through pf_os_mem_discard.
 *
 * A path or a shared memory name is checked here only for its form, so a
 * description that is refused at boot never touched the filesystem while
 * being read (the machine-description fuzzer relies on that).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "internal.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const backing_names[] = {
	[PF_BACKING_HOSTED] = "hosted",
	[PF_BACKING_NONE] = "none",
	[PF_BACKING_MEMFD] = "memfd",
	[PF_BACKING_FILE] = "file",
	[PF_BACKING_HUGETLBFS] = "hugetlbfs",
	[PF_BACKING_SHM] = "shm",
	[PF_BACKING_EXTERNAL] = "external",
};

/* The next blank-separated word of @s into @out (@len bytes); false when it does not fit. */
static bool word(const char **s, char *out, size_t len)
{
	const char *p = *s;
	size_t n = 0;
	while (*p == ' ' || *p == '\t')
		p++;
	while (*p && *p != ' ' && *p != '\t') {
		if (n + 1 >= len)
			return false;
		out[n++] = *p++;
	}
	out[n] = '\0';
	*s = p;
	return true;
}

int backing_parse(struct pf_machine *m, const char *s, int line, char *why, size_t len)
{
	char kind[32], arg[PATH_MAX], extra[8];
	int b = -1;

	if (!word(&s, kind, sizeof kind))
		kind[0] = '\0', b = -2;
	for (int i = 0; b == -1 && i < (int)(sizeof backing_names / sizeof backing_names[0]); i++)
		if (!strcmp(kind, backing_names[i]))
			b = i;
	if (b < 0) {
		snprintf(why, len, "backing: expected hosted, none, memfd, file PATH, hugetlbfs, shm NAME or external, "
			 "got '%s'", kind);
		return -EINVAL;
	}
	bool named = b == PF_BACKING_FILE || b == PF_BACKING_SHM;
	arg[0] = '\0';
	if (named) {
		if (!word(&s, arg, sizeof arg)) {
			snprintf(why, len, "backing %s: the %s is longer than %d bytes", kind,
				 b == PF_BACKING_FILE ? "path" : "name", PATH_MAX - 1);
			return -EINVAL;
		}
		if (!arg[0]) {
			snprintf(why, len, "backing %s: expected %s", kind,
				 b == PF_BACKING_FILE ? "a path: backing file PATH" : "a name: backing shm NAME");
			return -EINVAL;
		}
		if (b == PF_BACKING_SHM && !pf_os_shm_name_ok(arg)) {
			snprintf(why, len, "backing shm: '%.200s' is not a POSIX shared memory name (1 to %d characters, "
				 "no '/' but an optional leading one, not . or ..)", arg, NAME_MAX);
			return -EINVAL;
		}
	}
	if (!word(&s, extra, sizeof extra) || extra[0]) {
		snprintf(why, len, "backing %s: unexpected text after %s", kind,
			 named ? (b == PF_BACKING_FILE ? "the path (paths with blanks are not supported)" : "the name")
			       : "the kind");
		return -EINVAL;
	}
	char *name = NULL;
	if (named && !(name = strdup(arg))) {
		snprintf(why, len, "out of memory");
		return -ENOMEM;
	}
	/* a later backing line replaces an earlier one */
	free(m->backing_name);
	m->backing_name = name;
	m->backing = (enum pf_backing)b;
	m->backing_line = line;
	return 0;
}

/* "line N: backing KIND[ NAME]: " (without the line when the default was taken) into @err. */
static size_t backing_prefix(struct pf_machine *m, char *err, size_t errlen)
{
	int n;
	if (m->backing_line > 0)
		n = snprintf(err, errlen, "line %d: backing %s%s%.200s: ", m->backing_line, backing_names[m->backing],
			     m->backing_name ? " " : "", m->backing_name ? m->backing_name : "");
	else
		n = snprintf(err, errlen, "backing %s: ", backing_names[m->backing]);
	return n < 0 || (size_t)n >= errlen ? 0 : (size_t)n;
}

/* External memory: page-aligned, holding pfns [min_pfn, max_pfn) from its first byte. */
static int backing_external(struct pf_machine *m, char *err, size_t errlen)
{
	size_t n = backing_prefix(m, err, errlen);
	unsigned long long need = (unsigned long long)(m->max_pfn - m->min_pfn) * PAGE_SIZE;

	if (!m->external_given) {
		snprintf(err + n, errlen - n, "the memory is the caller's: create the machine with "
			 "pf_machine_create_with_memory");
		return -EINVAL;
	}
	if (!m->external_base) {
		snprintf(err + n, errlen - n, "pf_machine_create_with_memory was given no memory (base NULL)");
		return -EINVAL;
	}
	if ((uintptr_t)m->external_base % PAGE_SIZE) {
		snprintf(err + n, errlen - n, "misaligned: base %p is not a multiple of the page size (%lu)",
			 m->external_base, (unsigned long)PAGE_SIZE);
		return -EINVAL;
	}
	if ((unsigned long long)m->external_size < need) {
		snprintf(err + n, errlen - n,
			 "too small: %zu bytes given, the machine's pfns %#lx-%#lx need %llu (%llu MiB) from base, "
			 "which holds pfn %#lx",
			 m->external_size, m->min_pfn, m->max_pfn - 1, need, need >> 20, m->min_pfn);
		return -EINVAL;
	}
	pf_os_mem_external(&m->mem, m->external_base, m->external_size);
	/* pfn N at base + (N - min_pfn) pages: the window starts min_pfn pages before the caller's memory */
	m->base = (char *)((uintptr_t)m->external_base - (uintptr_t)m->min_pfn * PAGE_SIZE);
	m->base_bytes = (size_t)m->max_pfn * PAGE_SIZE;
	return 0;
}

int backing_map(struct pf_machine *m, char *err, size_t errlen)
{
	static const int os_kind[] = {
		[PF_BACKING_MEMFD] = PF_OS_MEM_MEMFD,
		[PF_BACKING_FILE] = PF_OS_MEM_FILE,
		[PF_BACKING_HUGETLBFS] = PF_OS_MEM_HUGETLB,
		[PF_BACKING_SHM] = PF_OS_MEM_SHM,
	};
	char why[600];

	if (m->backing == PF_BACKING_EXTERNAL)
		return backing_external(m, err, errlen);
	m->base_bytes = m->memmap_pfns * PAGE_SIZE;
	int rc = pf_os_mem_map(&m->mem, os_kind[m->backing], m->backing_name, m->base_bytes, why, sizeof why);
	if (rc) {
		size_t n = backing_prefix(m, err, errlen);
		snprintf(err + n, errlen - n, "%s", why);
		return rc;
	}
	m->base = m->mem.base;
	return 0;
}

void backing_release(struct pf_machine *m)
{
	if (m->mem.base)
		pf_os_mem_unmap(&m->mem);
	m->base = NULL;
	free(m->backing_name);
	m->backing_name = NULL;
}
