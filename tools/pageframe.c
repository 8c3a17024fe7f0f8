/* SPDX-License-Identifier: MIT */
/*
 * pageframe - the command-line tool: boot a machine and show what the
 * kernel would show for it, run the demo, or compute fragmentation indices
 * for a real machine's /proc/buddyinfo.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pageframe/pageframe.h>
#include <pageframe/page.h>

#include "commands.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
	fprintf(out,
		"usage: pageframe COMMAND [options]\n"
		"\n"
		"commands:\n"
		"  run [-m FILE] [-n OPS]      boot a machine, run a mixed workload, show buddyinfo\n"
		"                              before and after and pf_check's verdict\n"
		"  run [-m FILE] SCENARIO      simulate a workload scenario (docs/SCENARIO.md);\n"
		"                              --report FILE.html, --seed N, --progress/--no-progress\n"
		"  buddyinfo|pagetypeinfo|zoneinfo|vmstat|meminfo|extfrag_index|unusable_index -m FILE\n"
		"                              print the /proc (or debugfs) view of a machine after boot\n"
		"  pageblocks -m FILE          one line per pageblock: its type, its free, movable,\n"
		"                              unmovable... pages, mixed or not (docs/VIEWS.md)\n"
		"  check -m FILE               boot a machine and run pf_check\n"
		"  page_owner|page_owner_stacks [-m FILE] [-n OPS] [-o OUT]\n"
		"                              boot with page_owner=on, run OPS operations of run's\n"
		"                              workload (default 0), print the debugfs view with the\n"
		"                              live blocks held (page_owner_sort reads it)\n"
		"  kpageflags|kpagecount [-m FILE] [-n OPS] [-o OUT]\n"
		"                              the same machine's /proc/kpageflags or /proc/kpagecount\n"
		"                              (binary, a u64 per pfn; page-types -F reads kpageflags)\n"
		"  extfrag [BUDDYINFO]         extfrag_index for a real /proc/buddyinfo (default: the live one)\n"
		"  unusable [BUDDYINFO]        unusable_index for a real /proc/buddyinfo\n"
		"  replay [-m FILE] TRACE      replay a kernel's kmem page events (ftrace text) on a machine;\n"
		"                              --report FILE.html, --every N, --vary 'DIRECTIVE', --stats\n"
		"                              (docs/REPLAY.md)\n"
		"  report --live -o FILE.html  sample this host's /proc into the HTML report;\n"
		"                              --interval S, --samples N\n"
		"  help                        this text\n"
		"\n"
		"FILE is a machine description (docs/MACHINE.md); '-' reads standard input.\n"
		"Without -m, the default machine is used: one node, 1 GiB, the host's CPUs.\n");
}

static char *read_all(const char *path, char *err, size_t errlen)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	size_t n;
	while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 2) {
			char *nb = realloc(buf, cap *= 2);
			if (!nb) {
				free(buf);
				buf = NULL;
			}
			buf = nb;
		}
	}
	if (f != stdin)
		fclose(f);
	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

/* boot: the machine of @path (NULL: the default), with @extra description lines appended (may be NULL) */
static struct pf_machine *boot_with(const char *path, const char *extra)
{
	char err[512] = "";
	char *text = NULL;
	if (path) {
		text = read_all(path, err, sizeof err);
		if (!text) {
			fprintf(stderr, "pageframe: %s\n", err);
			return NULL;
		}
	}
	if (extra) {
		const char *base = text ? text : "mem 0 0x1000-0x3fffffff\n";	/* the default machine */
		size_t n = strlen(base) + strlen(extra) + 2;
		char *both = malloc(n);
		if (!both) {
			free(text);
			fprintf(stderr, "pageframe: out of memory\n");
			return NULL;
		}
		snprintf(both, n, "%s\n%s", base, extra);
		free(text);
		text = both;
	}
	struct pf_machine *m = pf_machine_create(text, err, sizeof err);
	if (!m)
		fprintf(stderr, "pageframe: %s%s%s\n", path ? path : "default machine", ": ", err);
	free(text);
	return m;
}

static struct pf_machine *boot(const char *path)
{
	return boot_with(path, NULL);
}

/* xorshift64*: a small reproducible generator for the demo */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

/*
 * The demo's second act: movable pages with an owner (the owner here only records where each of its
 * pages lives), a random half of them freed - no free 2 MiB block is left - then compact_memory
 * moves the rest together, contents and all, and the free order-9 blocks come back.
 */
static struct pf_page **demo_pages;
static bool demo_isolate(struct pf_page *page, int mode)
{
	(void)page;
	(void)mode;
	return true;
}
static int demo_migrate(struct pf_page *dst, struct pf_page *src, int mode)
{
	(void)mode;
	demo_pages[src->private] = dst;	/* the owner's index travels in page->private */
	dst->private = src->private;
	return 0;
}
static void demo_putback(struct pf_page *page)
{
	(void)page;
}
static const struct pf_movable_operations demo_ops = { demo_isolate, demo_migrate, demo_putback };

static long order9_free(struct pf_machine *m)
{
	/* allocatable order-9 blocks, counted by taking them (GFP_TRANSHUGE_LIGHT: no compaction) */
	enum { MAXB = 4096 };
	struct pf_page **got = calloc(MAXB, sizeof *got);
	long n = 0;
	while (got && n < MAXB && (got[n] = pf_alloc_pages(m, PF_GFP_TRANSHUGE_LIGHT, 9)) != NULL)
		n++;
	for (long i = 0; i < n; i++)
		pf_free_pages(got[i], 9);
	free(got);
	return n;
}

/* Return: the number of pages whose contents did not survive their moves (0). */
static long demo_compaction(struct pf_machine *m)
{
	size_t cap = 1 << 16, n = 0;
	demo_pages = calloc(cap, sizeof *demo_pages);
	if (!demo_pages)
		return 0;
	struct pf_page *p;
	while ((p = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE | PF_GFP_NOWARN, 0)) != NULL) {
		if (n == cap) {
			struct pf_page **more = realloc(demo_pages, 2 * cap * sizeof *more);
			if (!more) {
				pf_free_pages(p, 0);
				break;
			}
			demo_pages = more;
			cap *= 2;
		}
		p->private = n;
		demo_pages[n++] = p;
		unsigned long *w = pf_page_address(p);
		if (w)
			*w = 0x5eed0000UL + n;	/* a stamp that must move with the page */
		pf_set_page_movable(p, &demo_ops);
	}
	for (size_t i = 0; i < n; i++)
		if (rnd() & 1) {
			pf_free_pages(demo_pages[i], 0);
			demo_pages[i] = NULL;
		}
	pf_drain_all_pages(m);
	long before = order9_free(m);
	long moved0 = 0, moved1 = 0;
	pf_vmstat_get(m, "pgmigrate_success", &moved0);
	pf_sysctl_set(m, "compact_memory", "1");
	pf_drain_all_pages(m);
	pf_vmstat_get(m, "pgmigrate_success", &moved1);
	long after = order9_free(m);
	long bad = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned long *w = demo_pages[i] ? pf_page_address(demo_pages[i]) : NULL;
		if (w && *w != 0x5eed0000UL + i + 1)
			bad++;
	}
	printf("\n== compaction: memory filled with %zu movable pages of an owner, a random half freed: %ld free 2 MiB blocks;\n"
	       "   after compact_memory (%ld pages moved, %ld stamps wrong): %ld free 2 MiB blocks\n",
	       n, before, moved1 - moved0, bad, after);
	printf("\n== buddyinfo after compaction\n");
	pf_show(m, "buddyinfo", stdout);
	for (size_t i = 0; i < n; i++)
		if (demo_pages[i])
			pf_free_pages(demo_pages[i], 0);
	free(demo_pages);
	demo_pages = NULL;
	pf_drain_all_pages(m);
	return bad;
}

static int cmd_run(const char *path, long ops)
{
	struct pf_machine *m = boot(path);
	if (!m)
		return 1;
	printf("== buddyinfo after boot\n");
	pf_show(m, "buddyinfo", stdout);

	enum { SLOTS = 4096 };
	struct { struct pf_page *page; unsigned order; } *live = calloc(SLOTS, sizeof *live);
	static const pf_gfp_t gfps[] = { PF_GFP_KERNEL, PF_GFP_HIGHUSER_MOVABLE, PF_GFP_KERNEL | PF_GFP_RECLAIMABLE,
					 PF_GFP_ATOMIC, PF_GFP_DMA32, PF_GFP_USER };
	/* orders weighted 0:60% 1:20% 2:10% 3:5% 4:3% 9:2% */
	long allocs = 0, frees = 0, failed = 0;
	for (long i = 0; i < ops; i++) {
		unsigned slot = (unsigned)(rnd() % SLOTS);
		if (live[slot].page) {
			pf_free_pages(live[slot].page, live[slot].order);
			live[slot].page = NULL;
			frees++;
			continue;
		}
		unsigned r = (unsigned)(rnd() % 100);
		unsigned order = r < 60 ? 0 : r < 80 ? 1 : r < 90 ? 2 : r < 95 ? 3 : r < 98 ? 4 : 9;
		pf_gfp_t gfp = gfps[rnd() % (sizeof gfps / sizeof gfps[0])] | PF_GFP_NOWARN;
		struct pf_page *p = pf_alloc_pages(m, gfp, order);
		if (!p) {
			failed++;
			continue;
		}
		char *a = pf_page_address(p);
		if (a)
			memset(a, 0xa5, 64);
		live[slot].page = p;
		live[slot].order = order;
		allocs++;
	}
	printf("\n== buddyinfo after %ld operations (%ld allocations, %ld frees, %ld failed), "
	       "with the live blocks still held\n", ops, allocs, frees, failed);
	pf_show(m, "buddyinfo", stdout);
	for (unsigned s = 0; s < SLOTS; s++)
		if (live[s].page)
			pf_free_pages(live[s].page, live[s].order);
	free(live);
	printf("\n== buddyinfo after freeing everything (freed order-0..3 pages wait on the per-CPU lists)\n");
	pf_show(m, "buddyinfo", stdout);
	pf_drain_all_pages(m);
	printf("\n== buddyinfo after drain_all_pages: back to the boot state\n");
	pf_show(m, "buddyinfo", stdout);
	printf("\n== pagetypeinfo\n");
	pf_show(m, "pagetypeinfo", stdout);

	long bad_stamps = demo_compaction(m);

	char err[512];
	int rc = pf_check(m, err, sizeof err) || bad_stamps;
	printf("\n== pf_check: %s\n", rc ? err : "every invariant holds");
	pf_machine_destroy(m);
	return rc ? 1 : 0;
}

/*
 * cmd_dump: page_owner, page_owner_stacks, kpageflags, kpagecount.  The
 * machine (page_owner=on added for the page_owner views) runs @ops
 * operations of the demo's workload, then the view is written with the
 * live blocks still held.
 */
static int cmd_dump(const char *cmd, const char *path, long ops, const char *outpath)
{
	bool owner = !strncmp(cmd, "page_owner", 10);
	struct pf_machine *m = boot_with(path, owner ? "cmdline page_owner=on\n" : NULL);
	if (!m)
		return 1;
	enum { SLOTS = 4096 };
	struct { struct pf_page *page; unsigned order; } *live = calloc(SLOTS, sizeof *live);
	static const pf_gfp_t gfps[] = { PF_GFP_KERNEL, PF_GFP_HIGHUSER_MOVABLE, PF_GFP_KERNEL | PF_GFP_RECLAIMABLE,
					 PF_GFP_KERNEL | PF_GFP_COMP };
	for (long i = 0; live && i < ops; i++) {
		unsigned slot = (unsigned)(rnd() % SLOTS);
		if (live[slot].page) {
			pf_free_pages(live[slot].page, live[slot].order);
			live[slot].page = NULL;
			continue;
		}
		unsigned r = (unsigned)(rnd() % 100);
		unsigned order = r < 70 ? 0 : r < 90 ? 1 : r < 97 ? 3 : 9;
		live[slot].page = pf_alloc_pages(m, gfps[rnd() % 4] | PF_GFP_NOWARN, order);
		live[slot].order = order;
	}
	FILE *out = outpath ? fopen(outpath, "wb") : stdout;
	int rc = 1;
	if (!out) {
		fprintf(stderr, "pageframe: %s: %s\n", outpath, strerror(errno));
	} else {
		rc = pf_show(m, cmd, out);
		if (outpath && fclose(out) && !rc)
			rc = -EIO;
		if (rc)
			fprintf(stderr, "pageframe: %s: %s\n", cmd, strerror(-rc));
	}
	for (unsigned s = 0; live && s < SLOTS; s++)
		if (live[s].page)
			pf_free_pages(live[s].page, live[s].order);
	free(live);
	pf_machine_destroy(m);
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "replay"))
		return cmd_replay(argc - 2, argv + 2);
	if (!strcmp(cmd, "report"))
		return cmd_report(argc - 2, argv + 2);
	if (!strcmp(cmd, "run")) {
		/* run with a scenario file is the simulator; without one, the demo */
		for (int i = 2; i < argc; i++) {
			if ((!strcmp(argv[i], "-m") || !strcmp(argv[i], "-n")) && i + 1 < argc)
				i++;
			else if (strcmp(argv[i], "-n"))	/* a scenario, or an option only the simulator has */
				return cmd_run_scenario(argc - 2, argv + 2);
		}
	}
	const char *path = NULL;
	long ops = 200000;
	bool ops_set = false;
	const char *outpath = NULL;
	const char *positional = NULL;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "-m") && i + 1 < argc)
			path = argv[++i];
		else if (!strcmp(argv[i], "-n") && i + 1 < argc)
			ops = strtol(argv[++i], NULL, 10), ops_set = true;
		else if (!strcmp(argv[i], "-o") && i + 1 < argc)
			outpath = argv[++i];
		else if (argv[i][0] != '-' || !strcmp(argv[i], "-"))
			positional = argv[i];
		else {
			fprintf(stderr, "pageframe: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "run"))
		return cmd_run(path, ops);
	if (!strcmp(cmd, "page_owner") || !strcmp(cmd, "page_owner_stacks") || !strcmp(cmd, "kpageflags") ||
	    !strcmp(cmd, "kpagecount"))
		return cmd_dump(cmd, path, ops_set ? ops : 0, outpath);
	if (!strcmp(cmd, "extfrag") || !strcmp(cmd, "unusable")) {
		const char *file = positional ? positional : "/proc/buddyinfo";
		FILE *in = strcmp(file, "-") ? fopen(file, "r") : stdin;
		if (!in) {
			fprintf(stderr, "pageframe: %s: %s\n", file, strerror(errno));
			return 1;
		}
		char err[256] = "";
		int rc = pf_frag_index_from_buddyinfo(in, cmd[0] == 'e' ? "extfrag_index" : "unusable_index", stdout,
						      err, sizeof err);
		if (in != stdin)
			fclose(in);
		if (rc) {
			fprintf(stderr, "pageframe: %s: %s\n", file, err);
			return 1;
		}
		return 0;
	}
	static const char *const views[] = { "buddyinfo", "pagetypeinfo", "zoneinfo", "vmstat", "extfrag_index",
					     "unusable_index", "pageblocks", "meminfo", "check" };
	for (size_t i = 0; i < sizeof views / sizeof views[0]; i++) {
		if (strcmp(cmd, views[i]))
			continue;
		struct pf_machine *m = boot(path);
		if (!m)
			return 1;
		int rc;
		if (!strcmp(cmd, "check")) {
			char err[512];
			rc = pf_check(m, err, sizeof err);
			printf("%s\n", rc ? err : "ok");
		} else {
			rc = pf_show(m, cmd, stdout);
		}
		pf_machine_destroy(m);
		return rc ? 1 : 0;
	}
	fprintf(stderr, "pageframe: unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
}
