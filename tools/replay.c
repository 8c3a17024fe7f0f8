/* SPDX-License-Identifier: MIT */
/*
 * tools/replay.c - `pageframe replay -m MACHINE TRACE`: a real kernel's kmem
 * page events replayed on a pageframe machine (docs/REPLAY.md).
 *
 * Each mm_page_alloc of the trace is asked of the machine with its order and
 * gfp, by the trace's CPU (pf_bind_cpu); the page we get is remembered under
 * the trace's pfn, and the trace's mm_page_free / mm_page_free_batched of that
 * pfn frees it.  Where our allocator puts a page is its own choice: the trace's
 * pfn is the name of an allocation, not a place to force.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "commands.h"
#include "report.h"
#include "trace_parse.h"

#include <pageframe/pageframe.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_VARY 8
#define SHOW_NOT_UNDERSTOOD 5

struct opts {
	const char *machine, *trace, *report;
	long every;
	const char *vary[MAX_VARY];
	int nvary;
	bool stats;
	unsigned long pfn_offset;
};

/* ---- live allocations by trace key (pfn, or page pointer when a line has no pfn) ---- */
struct slot {
	unsigned long long key;
	struct pf_page *page;	/* NULL: empty slot */
	int order;
};
struct table {
	struct slot *s;
	size_t cap, used;
};

static size_t hash_key(unsigned long long k, size_t cap)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	return (size_t)k & (cap - 1);
}

static struct slot *table_find(struct table *t, unsigned long long key)
{
	if (!t->cap)
		return NULL;
	for (size_t i = hash_key(key, t->cap);; i = (i + 1) & (t->cap - 1)) {
		if (!t->s[i].page)
			return NULL;
		if (t->s[i].key == key)
			return &t->s[i];
	}
}

static int table_put(struct table *t, unsigned long long key, struct pf_page *page, int order)
{
	if ((t->used + 1) * 2 > t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 1024;
		struct slot *ns = calloc(ncap, sizeof *ns);
		if (!ns)
			return -1;
		for (size_t i = 0; i < t->cap; i++)
			if (t->s[i].page) {
				size_t j = hash_key(t->s[i].key, ncap);
				while (ns[j].page)
					j = (j + 1) & (ncap - 1);
				ns[j] = t->s[i];
			}
		free(t->s);
		t->s = ns;
		t->cap = ncap;
	}
	size_t i = hash_key(key, t->cap);
	while (t->s[i].page)
		i = (i + 1) & (t->cap - 1);
	t->s[i] = (struct slot){ key, page, order };
	t->used++;
	return 0;
}

/* Remove a slot, moving later members of its probe run back (linear probing without tombstones). */
static void table_del(struct table *t, struct slot *sl)
{
	size_t i = (size_t)(sl - t->s);
	t->s[i].page = NULL;
	t->used--;
	for (size_t j = (i + 1) & (t->cap - 1); t->s[j].page; j = (j + 1) & (t->cap - 1)) {
		size_t h = hash_key(t->s[j].key, t->cap);
		/* may the member at j move to the hole at i? only if its home is not in (i, j] */
		if ((j > i && (h <= i || h > j)) || (j < i && (h <= i && h > j))) {
			t->s[i] = t->s[j];
			t->s[j].page = NULL;
			i = j;
		}
	}
}

/* ---- one run: the trace on one machine ---- */
struct run {
	const char *name;		/* "base" or the directive */
	struct pf_machine *m;
	struct table live;
	long events, allocs, frees, skipped, not_understood;
	long by_event[TP_NR_EVENTS];
	long alloc_failed_here, alloc_failed_in_trace, free_unmatched, free_order_mismatch, realloc_live;
	long info_events, extfrag_trace, extfrag_ours, gfp_mapped, gfp_ignored;
	long by_order[PF_NR_PAGE_ORDERS];
	long by_mt[8];
	long order9_min, order9_end, breaches;
	char check[512];
	int check_rc;
	/* what the extfrag trace callback needs */
	double now;
	char cur_gfp[256];
	struct rp_report *rep;
	int bound_cpu;
	double loop_secs, loop_cpu;	/* the event loop alone: wall clock and process CPU time */
	/* gfp texts seen, for --stats */
	struct { char text[160]; long n; } gfps[48];
	int ngfp;
	long gfp_other;
};

static void note_gfp(struct run *r, const char *text, size_t len)
{
	if (len >= sizeof r->gfps[0].text)
		len = sizeof r->gfps[0].text - 1;
	for (int i = 0; i < r->ngfp; i++)
		if (strlen(r->gfps[i].text) == len && !memcmp(r->gfps[i].text, text, len)) {
			r->gfps[i].n++;
			return;
		}
	if (r->ngfp == (int)(sizeof r->gfps / sizeof r->gfps[0])) {
		r->gfp_other++;
		return;
	}
	memcpy(r->gfps[r->ngfp].text, text, len);
	r->gfps[r->ngfp].text[len] = '\0';
	r->gfps[r->ngfp++].n = 1;
}

static void on_trace(void *arg, const char *line)
{
	struct run *r = arg;
	struct tp_record t;
	char err[128];
	if (tp_parse_line(line, strlen(line), &t, err, sizeof err) != 1 || t.event != TP_ALLOC_EXTFRAG)
		return;
	r->extfrag_ours++;
	if (r->rep)
		rp_extfrag_event(r->rep, r->now, t.pfn, t.order, t.fallback_order, t.migratetype,
				 t.fallback_migratetype, t.change_ownership, r->cur_gfp);
}

static char *show(struct pf_machine *m, const char *what)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	pf_show(m, what, f);
	fclose(f);
	return buf;
}

static long vm(struct pf_machine *m, const char *name)
{
	long v;
	return pf_vmstat_get(m, name, &v) ? -1 : v;
}

static void snapshot(struct run *r, const struct opts *o)
{
	char *bi = show(r->m, "buddyinfo");
	char *zi = o->report ? show(r->m, "zoneinfo") : NULL;
	long o9 = bi ? rp_order9_blocks(bi) : 0;
	if (r->order9_min < 0 || o9 < r->order9_min)
		r->order9_min = o9;
	r->order9_end = o9;
	if (!zi)
		zi = show(r->m, "zoneinfo");
	if (zi)
		r->breaches += rp_zones_below_low(zi);
	if (o->report && r->rep) {
		struct rp_snapshot s = { .t = (double)r->events, .buddyinfo = bi, .zoneinfo = zi };
		char *ef = show(r->m, "extfrag_index"), *un = show(r->m, "unusable_index");
		char *pb = show(r->m, "pageblocks");
		s.extfrag = ef;
		s.unusable = un;
		s.pageblocks = pb;
		long st = 0, v;
		static const char *const stalls[] = { "allocstall_dma", "allocstall_dma32", "allocstall_normal",
						      "allocstall_movable" };
		for (size_t i = 0; i < 4; i++)
			if ((v = vm(r->m, stalls[i])) > 0)
				st += v;
		s.vm[RP_VM_KSWAPD] = vm(r->m, "pageoutrun");
		s.vm[RP_VM_KCOMPACTD] = vm(r->m, "compact_daemon_wake");
		s.vm[RP_VM_ALLOCSTALL] = st;
		s.vm[RP_VM_COMPACTSTALL] = vm(r->m, "compact_stall");
		rp_snapshot(r->rep, &s);
		free(ef);
		free(un);
		free(pb);
	}
	free(bi);
	free(zi);
}

/* pf_bind_cpu costs a membarrier: only when the trace's CPU changes */
static void bind_cpu(struct run *r, int cpu)
{
	if (cpu != r->bound_cpu) {
		pf_bind_cpu(cpu);
		r->bound_cpu = cpu;
	}
}

static void report_line(bool show_it, long *shown, const char *trace, long lineno, const char *msg)
{
	if (show_it && (*shown)++ < SHOW_NOT_UNDERSTOOD)
		fprintf(stderr, "pageframe: %s:%ld: not understood: %s\n", trace, lineno, msg);
}

/* Return: 0 when the run went through (pf_check's verdict in r->check_rc), -1 on a setup failure. */
static int replay_run(struct run *r, const char *desc, const struct opts *o, bool first)
{
	char err[512] = "";
	size_t dl = strlen(desc) + (r->name != NULL && strcmp(r->name, "base") ? strlen(r->name) : 0) + 4;
	char *text = malloc(dl);
	if (!text)
		return -1;
	snprintf(text, dl, "%s\n%s\n", desc, strcmp(r->name, "base") ? r->name : "");
	r->m = pf_machine_create(text, err, sizeof err);
	free(text);
	if (!r->m) {
		fprintf(stderr, "pageframe: %s%s%s: %s\n", o->machine ? o->machine : "default machine",
			strcmp(r->name, "base") ? " with " : "", strcmp(r->name, "base") ? r->name : "", err);
		return -1;
	}
	FILE *in = strcmp(o->trace, "-") ? fopen(o->trace, "r") : stdin;
	if (!in) {
		fprintf(stderr, "pageframe: %s: %s\n", o->trace, strerror(errno));
		pf_machine_destroy(r->m);
		r->m = NULL;
		return -1;
	}
	r->order9_min = -1;
	r->bound_cpu = -1;
	if (pf_set_trace(r->m, "mm_page_alloc_extfrag", on_trace, r))
		fprintf(stderr, "pageframe: warning: the machine cannot trace mm_page_alloc_extfrag\n");
	if (o->report && r->rep)
		rp_run_begin(r->rep, r->name);
	snapshot(r, o);

	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0, shown = 0;
	struct timespec w0, c0, w1, c1;
	clock_gettime(CLOCK_MONOTONIC, &w0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	while ((n = getline(&line, &cap, in)) > 0) {
		lineno++;
		struct tp_record t;
		int rc = tp_parse_line(line, (size_t)n, &t, err, sizeof err);
		if (rc == 0)
			continue;
		if (rc < 0) {
			r->not_understood++;
			report_line(first, &shown, o->trace, lineno, err);
			continue;
		}
		/* checks against the machine */
		if (t.order > PF_MAX_PAGE_ORDER && !(t.event == TP_ALLOC && t.page_null)) {
			snprintf(err, sizeof err, "%s: order %d is beyond the largest order, %d", t.name, t.order,
				 PF_MAX_PAGE_ORDER);
			r->not_understood++;
			report_line(first, &shown, o->trace, lineno, err);
			continue;
		}
		bool failed_in_trace = t.event == TP_ALLOC && (t.page_null || (t.has_page && !t.page && t.pfn == 0));
		unsigned long pfn = t.pfn - o->pfn_offset;
		if (t.has_pfn && !failed_in_trace &&
		    (t.pfn < o->pfn_offset || !pf_pfn_to_page(r->m, pfn) ||
		     !pf_pfn_to_page(r->m, pfn + (1UL << (t.order > PF_MAX_PAGE_ORDER ? 0 : t.order)) - 1))) {
			snprintf(err, sizeof err, "%s: pfn %#lx is beyond the machine's memory map%s", t.name, t.pfn,
				 o->pfn_offset ? " (after --pfn-offset)" : "");
			r->not_understood++;
			report_line(first, &shown, o->trace, lineno, err);
			continue;
		}
		r->events++;
		r->by_event[t.event]++;
		r->now = (double)r->events;
		unsigned long long key = t.has_pfn ? t.pfn : t.page;
		switch (t.event) {
		case TP_ALLOC: {
			if (t.gfp_text)
				note_gfp(r, t.gfp_text, t.gfp_len);
			r->gfp_mapped += t.gfp_mapped;
			r->gfp_ignored += t.gfp_ignored;
			if (t.migratetype >= 0 && t.migratetype < 8)
				r->by_mt[t.migratetype]++;
			if (failed_in_trace) {
				r->alloc_failed_in_trace++;
				r->skipped++;
				break;
			}
			r->by_order[t.order]++;
			struct slot *old = table_find(&r->live, key);
			if (old) {	/* the trace lost this pfn's free (a path it does not trace) */
				pf_free_pages(old->page, (unsigned)old->order);
				table_del(&r->live, old);
				r->realloc_live++;
			}
			snprintf(r->cur_gfp, sizeof r->cur_gfp, "%.*s", (int)(t.gfp_len > 200 ? 200 : t.gfp_len),
				 t.gfp_text ? t.gfp_text : "");
			bind_cpu(r, t.cpu < 0 ? 0 : t.cpu);
			struct pf_page *p = pf_alloc_pages(r->m, t.gfp | PF_GFP_NOWARN, (unsigned)t.order);
			if (!p) {
				r->alloc_failed_here++;
				r->skipped++;
				break;
			}
			if (table_put(&r->live, key, p, t.order)) {
				pf_free_pages(p, (unsigned)t.order);
				r->skipped++;
				break;
			}
			r->allocs++;
			break;
		}
		case TP_FREE:
		case TP_FREE_BATCHED: {
			struct slot *sl = table_find(&r->live, key);
			if (!sl) {	/* allocated before the trace began, or never replayed */
				r->free_unmatched++;
				r->skipped++;
				break;
			}
			if (sl->order != t.order)
				r->free_order_mismatch++;
			bind_cpu(r, t.cpu < 0 ? 0 : t.cpu);
			pf_free_pages(sl->page, (unsigned)sl->order);
			table_del(&r->live, sl);
			r->frees++;
			break;
		}
		case TP_ALLOC_EXTFRAG:
			r->extfrag_trace++;
			r->skipped++;
			break;
		default:	/* zone_locked, pcpu_drain: what our allocator does, it reports itself */
			r->info_events++;
			r->skipped++;
			break;
		}
		if (o->every > 0 && r->events % o->every == 0)
			snapshot(r, o);
	}
	clock_gettime(CLOCK_MONOTONIC, &w1);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	r->loop_secs = (double)(w1.tv_sec - w0.tv_sec) + (double)(w1.tv_nsec - w0.tv_nsec) / 1e9;
	r->loop_cpu = (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9;
	free(line);
	/* a read that failed (a directory, an I/O error) must not pass for the end of the trace */
	int rerr = ferror(in) ? (errno ? errno : EIO) : 0;
	if (in != stdin)
		fclose(in);
	bind_cpu(r, -1);
	if (rerr) {
		fprintf(stderr, "pageframe: %s: line %ld: %s\n", o->trace, lineno + 1, strerror(rerr));
		pf_set_trace(r->m, NULL, NULL, NULL);
		for (size_t i = 0; i < r->live.cap; i++)
			if (r->live.s[i].page)
				pf_free_pages(r->live.s[i].page, (unsigned)r->live.s[i].order);
		free(r->live.s);
		r->live = (struct table){ 0 };
		pf_machine_destroy(r->m);
		r->m = NULL;
		return -1;
	}
	snapshot(r, o);
	pf_set_trace(r->m, NULL, NULL, NULL);
	r->check_rc = pf_check(r->m, r->check, sizeof r->check);
	/* give every page back; the machine must still be whole */
	for (size_t i = 0; i < r->live.cap; i++)
		if (r->live.s[i].page)
			pf_free_pages(r->live.s[i].page, (unsigned)r->live.s[i].order);
	free(r->live.s);
	r->live = (struct table){ 0 };
	pf_drain_all_pages(r->m);
	if (!r->check_rc)
		r->check_rc = pf_check(r->m, r->check, sizeof r->check);
	pf_machine_destroy(r->m);
	r->m = NULL;
	return 0;
}

static void usage_replay(FILE *f)
{
	fprintf(f, "usage: pageframe replay [-m MACHINE] [--report FILE.html] [--every N] [--vary 'DIRECTIVE']...\n"
		   "                        [--stats] [--pfn-offset N] TRACE\n");
}

static void print_stats(const struct run *r)
{
	printf("\n== stats: events by kind\n");
	for (int e = TP_ALLOC; e < TP_NR_EVENTS; e++)
		printf("  %-28s %ld\n", tp_event_name((enum tp_event)e), r->by_event[e]);
	printf("== allocations by order (the trace's successful mm_page_alloc)\n");
	for (int i = 0; i < PF_NR_PAGE_ORDERS; i++)
		if (r->by_order[i])
			printf("  order %-2d %ld\n", i, r->by_order[i]);
	static const char *const mts[] = { "Unmovable", "Movable", "Reclaimable", "HighAtomic", "CMA", "Isolate",
					   "6", "7" };
	printf("== allocations by migratetype (as the trace printed it)\n");
	for (int i = 0; i < 8; i++)
		if (r->by_mt[i])
			printf("  %-12s %ld\n", mts[i], r->by_mt[i]);
	printf("== allocations by gfp_flags\n");
	for (int i = 0; i < r->ngfp; i++)
		printf("  %7ld %s\n", r->gfps[i].n, r->gfps[i].text);
	if (r->gfp_other)
		printf("  %7ld (other gfp_flags values)\n", r->gfp_other);
	printf("  gfp names of older kernels: %ld mapped to a 6.12 flag, %ld with none (ignored)\n", r->gfp_mapped,
	       r->gfp_ignored);
	printf("== mm_page_alloc_extfrag: %ld in the trace, %ld from pageframe's replay\n", r->extfrag_trace,
	       r->extfrag_ours);
	printf("== frees: %ld of pages allocated before the trace (skipped), %ld with another order than "
	       "allocated; %ld allocations of a pfn still live (its free was not traced)\n",
	       r->free_unmatched, r->free_order_mismatch, r->realloc_live);
}

int cmd_replay(int argc, char **argv)
{
	struct opts o = { .every = -1 };
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		bool more = i + 1 < argc;
		if (!strcmp(a, "-m") && more)
			o.machine = argv[++i];
		else if (!strcmp(a, "--report") && more)
			o.report = argv[++i];
		else if (!strcmp(a, "--every") && more) {
			char *end;
			o.every = strtol(argv[++i], &end, 10);
			if (*end || o.every <= 0) {
				fprintf(stderr, "pageframe: --every wants a positive number of events, not '%s'\n", argv[i]);
				return 2;
			}
		} else if (!strcmp(a, "--vary") && more) {
			if (o.nvary == MAX_VARY) {
				fprintf(stderr, "pageframe: at most %d --vary\n", MAX_VARY);
				return 2;
			}
			o.vary[o.nvary++] = argv[++i];
		} else if (!strcmp(a, "--pfn-offset") && more) {
			char *end;
			o.pfn_offset = strtoul(argv[++i], &end, 0);
			if (*end) {
				fprintf(stderr, "pageframe: --pfn-offset wants a number, not '%s'\n", argv[i]);
				return 2;
			}
		} else if (!strcmp(a, "--stats"))
			o.stats = true;
		else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage_replay(stdout);
			return 0;
		} else if ((a[0] != '-' || !strcmp(a, "-")) && !o.trace)
			o.trace = a;
		else {
			fprintf(stderr, "pageframe: replay: unexpected argument '%s'\n", a);
			usage_replay(stderr);
			return 2;
		}
	}
	if (!o.trace) {
		usage_replay(stderr);
		return 2;
	}
	if (o.nvary && !strcmp(o.trace, "-")) {
		fprintf(stderr, "pageframe: --vary replays the trace once per machine: give a file, not '-'\n");
		return 2;
	}
	char err[512];
	char *desc = o.machine ? rp_slurp(o.machine, NULL, err, sizeof err) : strdup("");
	if (!desc) {
		fprintf(stderr, "pageframe: %s\n", o.machine ? err : "out of memory");
		return 1;
	}
	struct rp_report *rep = NULL;
	if (o.report) {
		if (o.every < 0 && strcmp(o.trace, "-")) {
			/* about 40 snapshots over the trace: count the lines that name a kmem page event (a trace
			 * of every event holds many more lines than those, and only those advance the count) */
			FILE *f = fopen(o.trace, "r");
			long lines = 0;
			if (f) {
				char *l = NULL;
				size_t lcap = 0;
				while (getline(&l, &lcap, f) > 0)
					lines += strstr(l, "mm_page") != NULL;
				free(l);
				fclose(f);
			}
			o.every = lines / 40 > 0 ? lines / 40 : 1;
		} else if (o.every < 0)
			o.every = 1000;
		char title[512];
		snprintf(title, sizeof title, "pageframe replay of %s on %s", o.trace,
			 o.machine ? o.machine : "the default machine");
		rep = rp_new(title, "replay", "events replayed");
		if (!rep) {
			free(desc);
			fprintf(stderr, "pageframe: out of memory\n");
			return 1;
		}
	}
	int nruns = 1 + o.nvary;
	struct run *runs = calloc((size_t)nruns, sizeof *runs);
	if (!runs) {
		free(desc);
		rp_free(rep);
		return 1;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < nruns; i++) {
		runs[i].name = i ? o.vary[i - 1] : "base";
		runs[i].rep = rep;
		if (replay_run(&runs[i], desc, &o, i == 0)) {
			free(desc);
			free(runs);
			rp_free(rep);
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	free(desc);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

	/* the summary, one column per machine */
	struct run *b = &runs[0];
	if (b->not_understood > SHOW_NOT_UNDERSTOOD)
		fprintf(stderr, "pageframe: %s: %ld more lines not understood\n", o.trace,
			b->not_understood - SHOW_NOT_UNDERSTOOD);
	fprintf(stderr, "pageframe: %ld events replayed on %d machine%s in %.3f s; the base machine's event loop: "
		"%.3f s (%.0f events/s), %.3f s of CPU time\n", b->events, nruns, nruns > 1 ? "s" : "", secs,
		b->loop_secs, b->loop_secs > 0 ? (double)b->events / b->loop_secs : 0.0, b->loop_cpu);
	int w[MAX_VARY + 1];
	for (int i = 0; i < nruns; i++)
		w[i] = strlen(runs[i].name) > 12 ? (int)strlen(runs[i].name) : 12;
	printf("%-38s", "machine");
	for (int i = 0; i < nruns; i++)
		printf(" %*s", w[i], runs[i].name);
	printf("\n");
#define ROW(label, field)                                   \
	do {                                                \
		printf("%-38s", label);                     \
		for (int i = 0; i < nruns; i++)             \
			printf(" %*ld", w[i], runs[i].field); \
		printf("\n");                               \
	} while (0)
	ROW("allocations replayed", allocs);
	ROW("allocations that failed here", alloc_failed_here);
	ROW("allocations that failed in the trace", alloc_failed_in_trace);
	ROW("frees replayed", frees);
	ROW("frees of pages from before the trace", free_unmatched);
	ROW("mm_page_alloc_extfrag in the trace", extfrag_trace);
	ROW("mm_page_alloc_extfrag here", extfrag_ours);
	ROW("order-9 blocks free: fewest seen", order9_min);
	ROW("order-9 blocks free: at the end", order9_end);
	ROW("zones below low watermark (snapshots)", breaches);
#undef ROW
	printf("%-38s", "pf_check");
	for (int i = 0; i < nruns; i++)
		printf(" %*s", w[i], runs[i].check_rc ? "VIOLATION" : "clean");
	printf("\n");
	if (o.stats)
		print_stats(b);

	int rc = 0;
	if (rep) {
		char note[256];
		snprintf(note, sizeof note, "A snapshot every %ld events; x axis: kmem page events replayed.", o.every);
		rp_note(rep, note);
		if (rp_write(rep, o.report, err, sizeof err)) {
			fprintf(stderr, "pageframe: %s\n", err);
			rc = 1;
		}
		rp_free(rep);
	}
	const char *viol = NULL, *vname = NULL;
	for (int i = 0; i < nruns && !viol; i++)
		if (runs[i].check_rc) {
			viol = runs[i].check;
			vname = runs[i].name;
		}
	if (viol)
		printf("replay: %ld events, %ld allocations, %ld frees, %ld skipped, %ld lines not understood, "
		       "pf_check: %s%s%s\n", b->events, b->allocs, b->frees, b->skipped, b->not_understood,
		       strcmp(vname, "base") ? vname : "", strcmp(vname, "base") ? ": " : "", viol);
	else
		printf("replay: %ld events, %ld allocations, %ld frees, %ld skipped, %ld lines not understood, "
		       "pf_check clean\n", b->events, b->allocs, b->frees, b->skipped, b->not_understood);
	fflush(stdout);
	free(runs);
	return viol ? 1 : rc;
}
