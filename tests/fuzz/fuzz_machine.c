/* SPDX-License-Identifier: MIT */
/*
 * fuzz_machine.c - libFuzzer target: the input is a machine description
 * (docs/MACHINE.md), booted with "backing none" appended so no memory is
 * mapped for pages.  It must never crash.  A machine that boots must pass
 * pf_check, print every /proc view, serve and take back a few allocations,
 * and be destroyed.  A refused description must say why: a non-empty
 * message, "line N: ..." with N a line of the description when it names one.
 *
 * FUZZ_MACHINE_VERBOSE=1 in the environment prints each outcome.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pageframe/pageframe.h>
#include <pageframe/page.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT 65536

/*
 * The appended line replaces any backing line of the input (a later one
 * wins), so "backing file PATH", "shm NAME" and "hugetlbfs" are read and
 * checked for their form but never opened: the fuzzer creates no files.
 */
static const char suffix[] = "\nbacking none\n";
/*
 * Deferred struct page init lets descriptions of petabytes boot in a few MiB, and pf_check of
 * such a machine walks every pageblock: off unless the description names the directive itself
 * (corpus_machine/44-deferred-init), so PAGEFRAME_MEMMAP_LIMIT keeps machines small.
 */
static const char suffix_eager[] = "\nbacking none\ndeferred_struct_page_init off\n";

static long lines;
static int verbose = -1;

static void hook(void *arg, int level, const char *line)
{
	(void)arg;
	(void)level;
	(void)line;
	lines++;
}

__attribute__((noreturn))
static void die(const char *what, const char *desc, const char *detail)
{
	fprintf(stderr, "fuzz_machine: %s: %s\n--- description\n%s--- end\n", what, detail ? detail : "", desc);
	fflush(stderr);
	__builtin_trap();
}

static void null_sink_show(struct pf_machine *m, const char *what, const char *desc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		die("open_memstream", desc, what);
	int rc = pf_show(m, what, f);
	fclose(f);
	if (rc != 0)
		die("pf_show failed", desc, what);
	if (!len && strcmp(what, "extfrag_index") && strcmp(what, "unusable_index"))
		die("pf_show printed nothing", desc, what);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (verbose < 0) {
		const char *v = getenv("FUZZ_MACHINE_VERBOSE");
		verbose = v && *v && *v != '0';
		/* descriptions may ask for terabytes: keep the memmap small (the library refuses beyond it) */
		setenv("PAGEFRAME_MEMMAP_LIMIT", "268435456", 0);
	}
	if (size > MAX_INPUT)
		return 0;
	/* the description is a C string: it ends at the first NUL */
	size_t n = strnlen((const char *)data, size);
	char *desc = malloc(n + sizeof suffix_eager);
	if (!desc)
		return 0;
	memcpy(desc, data, n);
	desc[n] = 0;
	if (strstr(desc, "deferred_struct_page_init"))
		memcpy(desc + n, suffix, sizeof suffix);
	else
		memcpy(desc + n, suffix_eager, sizeof suffix_eager);

	long nlines = 1;
	for (size_t i = 0; desc[i]; i++)
		nlines += desc[i] == '\n';

	char err[512];
	memset(err, 0x5a, sizeof err);
	struct pf_machine *m = pf_machine_create(desc, err, sizeof err);
	if (!m) {
		if (!memchr(err, 0, sizeof err))
			die("error message is not NUL-terminated", desc, NULL);
		if (!err[0])
			die("pf_machine_create returned NULL with an empty message", desc, NULL);
		if (verbose)
			fprintf(stderr, "refused: %s\n", err);
		if (!strncmp(err, "line ", 5)) {
			char *end;
			long ln = strtol(err + 5, &end, 10);
			if (end == err + 5 || *end != ':' || ln < 1 || ln > nlines)
				die("error names no line of the description", desc, err);
		}
		free(desc);
		return 0;
	}
	if (verbose)
		fprintf(stderr, "booted\n");
	pf_set_report_hook(m, hook, NULL);

	char cerr[256];
	if (pf_check(m, cerr, sizeof cerr) != 0)
		die("pf_check after boot", desc, cerr);

	static const char *const views[] = { "buddyinfo", "pagetypeinfo", "zoneinfo", "vmstat",
					     "extfrag_index", "unusable_index" };
	for (size_t i = 0; i < sizeof views / sizeof views[0]; i++)
		null_sink_show(m, views[i], desc);

	/* a few allocations of each kind; whatever comes back must be a distinct block of ours */
	static const struct { pf_gfp_t gfp; unsigned order; } reqs[] = {
		{ PF_GFP_KERNEL, 0 }, { PF_GFP_KERNEL, 0 }, { PF_GFP_KERNEL | PF___GFP_COMP, 3 },
		{ PF_GFP_HIGHUSER_MOVABLE, 0 }, { PF_GFP_DMA | PF_GFP_KERNEL, 0 }, { PF_GFP_DMA32 | PF_GFP_KERNEL, 1 },
		{ PF_GFP_TRANSHUGE, 9 }, { PF_GFP_ATOMIC, 10 }, { PF_GFP_KERNEL | PF___GFP_ZERO, 2 },
		{ PF_GFP_KERNEL | PF___GFP_THISNODE, 0 },
	};
	struct pf_page *got[sizeof reqs / sizeof reqs[0]];
	long bad0 = -1;
	if (pf_vmstat_get(m, "pageframe_bad_pages", &bad0) != 0)
		die("pf_vmstat_get(pageframe_bad_pages)", desc, NULL);
	for (size_t i = 0; i < sizeof reqs / sizeof reqs[0]; i++) {
		got[i] = pf_alloc_pages(m, reqs[i].gfp | PF___GFP_NOWARN, reqs[i].order);
		if (got[i]) {
			unsigned long pfn = pf_page_to_pfn(got[i]);
			if (pfn == ~0UL || pf_pfn_to_page(m, pfn) != got[i])
				die("allocated page does not map back", desc, NULL);
			if (pfn & ((1UL << reqs[i].order) - 1))
				die("allocated block is not aligned", desc, NULL);
			if (pf_page_count(got[i]) != 1)
				die("allocated block's refcount is not 1", desc, NULL);
			if (pf_page_address(got[i]) != NULL)
				die("backing none gave a page an address", desc, NULL);
			for (size_t j = 0; j < i; j++) {
				if (!got[j])
					continue;
				unsigned long a = pf_page_to_pfn(got[j]), an = 1UL << reqs[j].order;
				unsigned long bn = 1UL << reqs[i].order;
				if (pfn < a + an && a < pfn + bn)
					die("two allocations overlap", desc, NULL);
			}
		}
		if (pf_check(m, cerr, sizeof cerr) != 0)
			die("pf_check after an allocation", desc, cerr);
	}
	struct pf_page *bulk[16] = { 0 };
	unsigned long nb = pf_alloc_pages_bulk(m, PF_GFP_KERNEL | PF___GFP_NOWARN, 16, bulk);
	if (nb > 16)
		die("bulk returned too many", desc, NULL);
	for (unsigned long i = 0; i < 16; i++)
		if (bulk[i])
			pf_free_pages(bulk[i], 0);
	for (size_t i = 0; i < sizeof reqs / sizeof reqs[0]; i++)
		if (got[i])
			pf_free_pages(got[i], reqs[i].order);
	long bad1 = -1;
	pf_vmstat_get(m, "pageframe_bad_pages", &bad1);
	if (bad1 != bad0)
		die("good frees were reported as bad", desc, NULL);
	pf_drain_all_pages(m);
	if (pf_check(m, cerr, sizeof cerr) != 0)
		die("pf_check after freeing", desc, cerr);
	pf_machine_destroy(m);
	free(desc);
	return 0;
}
