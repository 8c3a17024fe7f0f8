/* SPDX-License-Identifier: MIT */
/*
 * soak.c - a long random multi-threaded alloc/free workload.
 *
 *   soak SECONDS THREADS [MACHINE-FILE]
 *
 * Each thread allocates blocks of random order and gfp, writes a content
 * stamp into the first word of every page, checks it before every free,
 * frees its own blocks, hands blocks (or extra references taken with
 * pf_get_page) to other threads to free, takes bulk allocations, drains and
 * rebinds its CPU.  Every 250 ms all threads stop at a barrier and the main
 * thread checks pf_check, every live block's stamp, and the page accounting
 * (free + per-CPU + live == managed, counted after a drain).  Fault
 * injection (fail_page_alloc) is switched on when built with
 * PF_HAVE_FAIL_PAGE_ALLOC.  At the end everything is freed and pages lost
 * must be 0.  Exit status: 0 clean, 1 a violation, 2 usage.
 *
 * Compaction is on: each thread also keeps movable blocks (order 0, plain
 * order 1, compound order 2) in a table of its own, under its own lock,
 * which its pf_movable_operations take (the blocks are never handed to
 * other threads); a compaction thread runs compact_memory and kcompactd
 * passes, and a contiguous thread takes and gives back ranges now and
 * then (pf_alloc_contig_pages); both stop at the checkpoints too.  The end
 * report adds the migrations and compactions done.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pageframe/pageframe.h>
#include <pageframe/page.h>
#include "pf_testlib.h"

#define DEFAULT_MACHINE "mem 0 0x1000-0x9efff\nmem 0 0x100000-0xfffffff\nbacking hosted\n"
#define MAX_OWN 512		/* blocks a thread holds at most */
#define MBOX 64			/* mailbox slots per thread */
#define CHECK_MS 250
#define MAX_MOV 64		/* movable blocks a thread holds at most */
#define NR_EXTRA 2		/* the compaction and contiguous threads */

struct mslot {			/* a movable block; page->private is thread * MAX_MOV + slot + 1 */
	struct pf_page *page;
	unsigned order;
	int compound;
	int frozen;		/* isolated: not written until migrate_page or putback_page */
	uint64_t stamp;
};

struct blk {
	struct pf_page *page;
	unsigned order;
	int compound;
	uint64_t stamp;
	atomic_int refs;	/* our references (the allocator's page_count) */
};

struct ref {			/* one reference to a block, held by one thread */
	struct blk *b;
};

struct worker {
	pthread_t tid;
	int id;
	uint64_t rng;
	struct ref own[MAX_OWN];
	int nr_own;
	pthread_mutex_t mbox_lock;
	struct ref mbox[MBOX];
	int nr_mbox;
	unsigned long ops, allocs, alloc_fail, frees, handoffs, shared;
	pthread_mutex_t mov_lock;	/* mov[], and reference changes to its pages */
	struct mslot mov[MAX_MOV];
	long moves, moved_pages, isolations, mov_allocs;
};

static struct pf_machine *M;
static struct worker *W;
static int NT;
static atomic_int pause_req, stop_req;
static pthread_barrier_t bar_in, bar_out;
static atomic_long live_pages;
static atomic_long violations;
static atomic_long bad_reports, log_lines;
static atomic_long compactions, kcompactd_passes, contig_taken, contig_pages, contig_failed;

#define FAILF(...) do { fprintf(stderr, "soak: VIOLATION: " __VA_ARGS__); fputc('\n', stderr); \
			atomic_fetch_add(&violations, 1); } while (0)

static void hook(void *arg, int level, const char *line)
{
	(void)arg;
	(void)level;
	atomic_fetch_add(&log_lines, 1);
	if (strncmp(line, "BUG: Bad page state", 19) == 0) {
		atomic_fetch_add(&bad_reports, 1);
		fprintf(stderr, "soak: %s\n", line);
	}
}

static uint64_t rnd(struct worker *w)
{
	return pf_test_xorshift64s(&w->rng);	/* xorshift64* (tests/lib) */
}

static uint64_t page_stamp(const struct blk *b, unsigned long i)
{
	return b->stamp ^ (i * 0x9E3779B97F4A7C15ull);
}

static int check_stamp(const struct blk *b, const char *when)
{
	unsigned long pfn = pf_page_to_pfn(b->page);
	for (unsigned long i = 0; i < (1UL << b->order); i++) {
		const uint64_t *p = pf_page_address(b->page + i);
		if (!p || *p != page_stamp(b, i)) {
			FAILF("%s: block pfn %#lx order %u: page %lu stamp %#llx, want %#llx", when, pfn, b->order, i,
			      p ? (unsigned long long)*p : 0ull, (unsigned long long)page_stamp(b, i));
			return -1;
		}
	}
	return 0;
}

/* Drop one reference; whoever drops the last one uncounts the pages. */
static void drop_ref(struct worker *w, struct blk *b)
{
	check_stamp(b, "free");
	/* everything of b is read before the reference count drops: the last holder frees b */
	unsigned order = b->order;
	int compound = b->compound;
	struct pf_page *page = b->page;
	int last = atomic_fetch_sub(&b->refs, 1) == 1;
	if (last)
		atomic_fetch_sub(&live_pages, 1L << order);
	/* compound blocks may go by put_page from any page; others by __free_pages of the head */
	if (compound && (rnd(w) & 1))
		pf_put_page(page + (rnd(w) & ((1UL << order) - 1)));
	else if (!compound && order == 0 && (rnd(w) & 3) == 0)
		pf_put_page(page);
	else
		pf_free_pages(page, order);
	if (last)
		free(b);
	w->frees++;
}

static const pf_gfp_t gfps[] = {
	PF_GFP_KERNEL, PF_GFP_KERNEL | PF___GFP_COMP, PF_GFP_ATOMIC | PF___GFP_NOWARN, PF_GFP_NOWAIT,
	PF_GFP_HIGHUSER_MOVABLE, PF_GFP_KERNEL | PF___GFP_RECLAIMABLE, PF_GFP_DMA32 | PF_GFP_KERNEL,
	PF_GFP_TRANSHUGE_LIGHT, PF_GFP_KERNEL | PF___GFP_ZERO,
};

static void adopt(struct worker *w, struct pf_page *p, unsigned order, pf_gfp_t gfp)
{
	struct blk *b = malloc(sizeof *b);
	if (!b) {
		pf_free_pages(p, order);
		return;
	}
	b->page = p;
	b->order = order;
	b->compound = order && (gfp & PF___GFP_COMP);
	b->stamp = rnd(w) | 1;
	atomic_init(&b->refs, 1);
	if (pf_page_count(p) != 1)
		FAILF("new block pfn %#lx has count %d", pf_page_to_pfn(p), pf_page_count(p));
	for (unsigned long i = 0; i < (1UL << order); i++) {
		uint64_t *q = pf_page_address(p + i);
		if (!q) {
			FAILF("hosted page without an address");
			break;
		}
		if ((gfp & PF___GFP_ZERO) && *q)
			FAILF("__GFP_ZERO page pfn %#lx not zero", pf_page_to_pfn(p + i));
		*q = page_stamp(b, i);
	}
	atomic_fetch_add(&live_pages, 1L << order);
	w->own[w->nr_own++].b = b;
	w->allocs++;
}

/* ---- movable blocks: the owner's side ---- */

static struct mslot *mslot_of(struct pf_page *page, struct worker **wp)
{
	unsigned long idx = page->private;
	if (idx == 0 || idx > (unsigned long)NT * MAX_MOV) {
		FAILF("a movable page callback for pfn %#lx, private %#lx: not ours", pf_page_to_pfn(page), idx);
		return NULL;
	}
	*wp = &W[(idx - 1) / MAX_MOV];
	return &(*wp)->mov[(idx - 1) % MAX_MOV];
}

static bool mov_isolate(struct pf_page *page, int mode)
{
	(void)mode;
	struct worker *w;
	struct mslot *s = mslot_of(page, &w);
	if (!s)
		return false;
	pthread_mutex_lock(&w->mov_lock);
	bool ok = s->page == page && !s->frozen;
	if (ok) {
		s->frozen = 1;
		w->isolations++;
	}
	pthread_mutex_unlock(&w->mov_lock);
	return ok;
}

static int mov_migrate(struct pf_page *dst, struct pf_page *src, int mode)
{
	(void)mode;
	struct worker *w;
	struct mslot *s = mslot_of(src, &w);
	if (!s)
		return -EBUSY;
	pthread_mutex_lock(&w->mov_lock);
	if (s->page != src) {	/* freed while isolated */
		pthread_mutex_unlock(&w->mov_lock);
		return -EAGAIN;
	}
	struct blk b = { .page = dst, .order = s->order, .stamp = s->stamp };
	check_stamp(&b, "migrate_page dst");
	dst->private = src->private;
	s->page = dst;
	s->frozen = 0;
	w->moves++;
	w->moved_pages += 1L << s->order;
	pthread_mutex_unlock(&w->mov_lock);
	return 0;
}

static void mov_putback(struct pf_page *page)
{
	struct worker *w;
	struct mslot *s = mslot_of(page, &w);
	if (!s)
		return;
	pthread_mutex_lock(&w->mov_lock);
	if (s->page == page)
		s->frozen = 0;
	pthread_mutex_unlock(&w->mov_lock);
}

static const struct pf_movable_operations mov_ops = { mov_isolate, mov_migrate, mov_putback };

static void mov_stamp(struct mslot *s)
{
	for (unsigned long i = 0; i < (1UL << s->order); i++)
		*(uint64_t *)pf_page_address(s->page + i) = s->stamp ^ (i * 0x9E3779B97F4A7C15ull);
}

/* The owner's lock held. */
static void mov_free(struct worker *w, struct mslot *s)
{
	struct blk b = { .page = s->page, .order = s->order, .stamp = s->stamp };
	check_stamp(&b, "movable free");
	struct pf_page *p = s->page;
	s->page = NULL;
	s->frozen = 0;
	atomic_fetch_sub(&live_pages, 1L << s->order);
	if (s->compound && (rnd(w) & 1))
		pf_put_page(p + 1);
	else
		pf_free_pages(p, s->order);
	w->frees++;
}

static void mov_step(struct worker *w, uint64_t r)
{
	int i = (int)((r >> 8) % MAX_MOV);
	struct mslot *s = &w->mov[i];
	pthread_mutex_lock(&w->mov_lock);
	if (!s->page) {
		unsigned order = (r >> 16) % 8 == 0 ? 2 : (r >> 16) % 8 == 1 ? 1 : 0;
		struct pf_page *p = pf_alloc_pages(M, PF_GFP_HIGHUSER_MOVABLE | PF___GFP_NOWARN |
						      (order == 2 ? PF___GFP_COMP : 0), order);
		if (p) {
			s->page = p;
			s->order = order;
			s->compound = order == 2;
			s->frozen = 0;
			s->stamp = rnd(w) | 1;
			mov_stamp(s);
			atomic_fetch_add(&live_pages, 1L << order);
			p->private = (unsigned long)(w->id * MAX_MOV + i + 1);
			pf_set_page_movable(p, &mov_ops);
			w->mov_allocs++;
			w->allocs++;
		} else {
			w->alloc_fail++;
		}
	} else if ((r >> 16) % 4 == 0) {
		mov_free(w, s);
	} else {
		struct blk b = { .page = s->page, .order = s->order, .stamp = s->stamp };
		check_stamp(&b, "movable touch");
		if (!s->frozen) {
			s->stamp = rnd(w) | 1;
			mov_stamp(s);
		}
	}
	pthread_mutex_unlock(&w->mov_lock);
}

static void take_mail(struct worker *w)
{
	pthread_mutex_lock(&w->mbox_lock);
	while (w->nr_mbox && w->nr_own < MAX_OWN)
		w->own[w->nr_own++] = w->mbox[--w->nr_mbox];
	pthread_mutex_unlock(&w->mbox_lock);
}

static int send(struct worker *to, struct blk *b)
{
	int ok = 0;
	pthread_mutex_lock(&to->mbox_lock);
	if (to->nr_mbox < MBOX) {
		to->mbox[to->nr_mbox++].b = b;
		ok = 1;
	}
	pthread_mutex_unlock(&to->mbox_lock);
	return ok;
}

static void step(struct worker *w)
{
	uint64_t r = rnd(w);
	unsigned what = r % 100;
	w->ops++;
	if (what < 40 && w->nr_own < MAX_OWN - 16) {
		unsigned order = (r >> 8) % 16 < 12 ? 0 : (unsigned)((r >> 12) % 11);
		pf_gfp_t gfp = gfps[(r >> 20) % (sizeof gfps / sizeof gfps[0])];
		struct pf_page *p = pf_alloc_pages(M, gfp | PF___GFP_NOWARN, order);
		if (p)
			adopt(w, p, order, gfp);
		else
			w->alloc_fail++;
	} else if (what < 75 && w->nr_own) {
		int i = (int)((r >> 8) % (unsigned)w->nr_own);
		struct blk *b = w->own[i].b;
		w->own[i] = w->own[--w->nr_own];
		drop_ref(w, b);
	} else if (what < 85 && w->nr_own && NT > 1) {
		/* hand a block, or an extra reference to it, to another thread */
		int i = (int)((r >> 8) % (unsigned)w->nr_own);
		struct blk *b = w->own[i].b;
		struct worker *to = &W[(w->id + 1 + (int)((r >> 24) % (unsigned)(NT - 1))) % NT];
		if ((b->compound || b->order == 0) && (r >> 40) & 1) {
			atomic_fetch_add(&b->refs, 1);
			pf_get_page(b->page + ((r >> 44) & ((1UL << b->order) - 1)));
			if (!send(to, b))
				drop_ref(w, b);
			else
				w->shared++;
		} else if (send(to, b)) {
			w->own[i] = w->own[--w->nr_own];
			w->handoffs++;
		}
	} else if (what < 88 && w->nr_own < MAX_OWN - 32) {
		struct pf_page *arr[32] = { 0 };
		unsigned long n = pf_alloc_pages_bulk(M, PF_GFP_KERNEL | PF___GFP_NOWARN, 1 + (r >> 8) % 32, arr);
		unsigned long seen = 0;
		for (int i = 0; i < 32; i++)
			if (arr[i]) {
				adopt(w, arr[i], 0, 0);
				seen++;
			}
		if (seen != n)
			FAILF("bulk returned %lu, array holds %lu", n, seen);
	} else if (what < 90) {
		pf_drain_local_pages(M);
	} else if (what < 91) {
		pf_bind_cpu((r >> 8) & 1 ? -1 : (int)((r >> 9) % 64));
	} else if (what < 92 && w->id == 0) {
		pf_vmstat_refresh(M);
	} else if (what < 97) {
		mov_step(w, r);
	} else {
		take_mail(w);
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	pf_bind_cpu(w->id % 2 ? -1 : w->id);
	while (!atomic_load_explicit(&stop_req, memory_order_relaxed)) {
		if (atomic_load_explicit(&pause_req, memory_order_acquire)) {
			pthread_barrier_wait(&bar_in);
			pthread_barrier_wait(&bar_out);
			continue;
		}
		step(w);
	}
	/* everybody stops sending before anybody empties its mailbox */
	pthread_barrier_wait(&bar_in);
	pthread_mutex_lock(&w->mov_lock);
	for (int i = 0; i < MAX_MOV; i++)
		if (w->mov[i].page)
			mov_free(w, &w->mov[i]);
	pthread_mutex_unlock(&w->mov_lock);
	take_mail(w);
	while (w->nr_mbox || w->nr_own) {
		while (w->nr_own)
			drop_ref(w, w->own[--w->nr_own].b);
		take_mail(w);
	}
	return NULL;
}

/* Sleep @ms, or less when a pause or the stop is asked for. */
static void nap_ms(int ms)
{
	for (int i = 0; i < ms && !atomic_load(&pause_req) && !atomic_load(&stop_req); i++) {
		struct timespec t = { 0, 1000000L };
		nanosleep(&t, NULL);
	}
}

/* compact_memory and kcompactd passes; stops at the checkpoints (nothing isolated meanwhile) */
static void *compactor_main(void *arg)
{
	uint64_t rng = (uint64_t)(uintptr_t)arg | 1;
	while (!atomic_load_explicit(&stop_req, memory_order_relaxed)) {
		if (atomic_load_explicit(&pause_req, memory_order_acquire)) {
			pthread_barrier_wait(&bar_in);
			pthread_barrier_wait(&bar_out);
			continue;
		}
		if (pf_test_xorshift64s(&rng) & 1) {
			if (pf_sysctl_set(M, "compact_memory", "1") != 0)
				FAILF("compact_memory refused");
			atomic_fetch_add(&compactions, 1);
		} else {
			int rc = pf_kcompactd_run(M, 0);
			if (rc < 0)
				FAILF("pf_kcompactd_run: %d", rc);
			atomic_fetch_add(&kcompactd_passes, 1);
		}
		nap_ms(10);
	}
	pthread_barrier_wait(&bar_in);
	return NULL;
}

/* now and then a contiguous range (taken, stamped, checked, given back before any checkpoint) */
static void *contig_main(void *arg)
{
	uint64_t rng = (uint64_t)(uintptr_t)arg | 1;
	while (!atomic_load_explicit(&stop_req, memory_order_relaxed)) {
		if (atomic_load_explicit(&pause_req, memory_order_acquire)) {
			pthread_barrier_wait(&bar_in);
			pthread_barrier_wait(&bar_out);
			continue;
		}
		unsigned long n = 1 + pf_test_xorshift64s(&rng) % 512;
		struct pf_page *p = pf_alloc_contig_pages(M, n, PF_GFP_KERNEL | PF___GFP_NOWARN, -1);
		if (p) {
			uint64_t stamp = pf_test_xorshift64s(&rng) | 1;
			for (unsigned long i = 0; i < n; i++)
				*(uint64_t *)pf_page_address(p + i) = stamp ^ i;
			nap_ms(2);
			for (unsigned long i = 0; i < n; i++)
				if (*(uint64_t *)pf_page_address(p + i) != (stamp ^ i)) {
					FAILF("contiguous range pfn %#lx + %lu: stamp changed", pf_page_to_pfn(p), i);
					break;
				}
			pf_free_contig_range(M, pf_page_to_pfn(p), n);
			atomic_fetch_add(&contig_taken, 1);
			atomic_fetch_add(&contig_pages, (long)n);
		} else {
			atomic_fetch_add(&contig_failed, 1);
		}
		nap_ms(20);
	}
	pthread_barrier_wait(&bar_in);
	return NULL;
}

static long vmstat(const char *name)
{
	long v = 0;
	if (pf_vmstat_get(M, name, &v) != 0)
		return -1;
	return v;
}

static long managed_pages(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f || pf_show(M, "zoneinfo", f) != 0) {
		FAILF("pf_show(zoneinfo) failed");
		if (f)
			fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	long total = 0;
	for (char *p = buf; (p = strstr(p, "managed")); p += 7)
		total += strtol(p + 7, NULL, 10);
	free(buf);
	return total;
}

/* Called with every worker at the barrier (or gone): nothing moves. */
static long audit(const char *when)
{
	char err[256];
	if (pf_check(M, err, sizeof err) != 0)
		FAILF("%s: pf_check: %s", when, err);
	for (int t = 0; t < NT; t++) {
		for (int i = 0; i < W[t].nr_own; i++)
			check_stamp(W[t].own[i].b, when);
		for (int i = 0; i < W[t].nr_mbox; i++)
			check_stamp(W[t].mbox[i].b, when);
		pthread_mutex_lock(&W[t].mov_lock);
		for (int i = 0; i < MAX_MOV; i++) {
			struct mslot *s = &W[t].mov[i];
			if (!s->page)
				continue;
			struct blk b = { .page = s->page, .order = s->order, .stamp = s->stamp };
			check_stamp(&b, when);
			if (s->frozen)
				FAILF("%s: movable block pfn %#lx still isolated at a checkpoint", when, pf_page_to_pfn(s->page));
		}
		pthread_mutex_unlock(&W[t].mov_lock);
	}
	pf_drain_all_pages(M);
	long free_pages = vmstat("nr_free_pages");
	long lost = managed_pages() - free_pages - atomic_load(&live_pages);
	if (lost)
		FAILF("%s: %ld pages lost (managed %ld, free %ld, live %ld)", when, lost, managed_pages(), free_pages,
		      atomic_load(&live_pages));
	if (pf_check(M, err, sizeof err) != 0)
		FAILF("%s: pf_check after drain: %s", when, err);
	return lost;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t cap = 0, len = 0, n;
	do {
		if (len + 4096 + 1 > cap) {
			cap = (len + 4096 + 1) * 2;
			char *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, 4096, f);
		len += n;
	} while (n);
	fclose(f);
	buf[len] = 0;
	return buf;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s SECONDS THREADS [MACHINE-FILE]\n", argv[0]);
		return 2;
	}
	double seconds = atof(argv[1]);
	NT = atoi(argv[2]);
	if (seconds <= 0 || NT < 1 || NT > 256) {
		fprintf(stderr, "soak: SECONDS must be > 0 and THREADS 1..256\n");
		return 2;
	}
	char desc[4096];
	if (argc > 3) {
		char *text = read_file(argv[3]);
		if (!text) {
			perror(argv[3]);
			return 2;
		}
		snprintf(desc, sizeof desc, "%s", text);
		free(text);
	} else {
		snprintf(desc, sizeof desc, "cpus %d\n%s", NT < 2 ? 2 : NT, DEFAULT_MACHINE);
	}
	char err[256];
	M = pf_machine_create(desc, err, sizeof err);
	if (!M) {
		fprintf(stderr, "soak: machine: %s\n", err);
		return 2;
	}
	pf_set_report_hook(M, hook, NULL);

#ifdef PF_HAVE_FAIL_PAGE_ALLOC
	static const char *const fpa[][2] = {
		{ "probability", "5" }, { "interval", "1" }, { "times", "-1" }, { "min-order", "0" },
		{ "ignore-gfp-wait", "N" }, { "ignore-gfp-highmem", "N" }, { "verbose", "0" },
	};
	for (size_t i = 0; i < sizeof fpa / sizeof fpa[0]; i++) {
		int rc = pf_fail_page_alloc_set(M, fpa[i][0], fpa[i][1]);
		if (rc)
			fprintf(stderr, "soak: pf_fail_page_alloc_set(%s, %s) = %d\n", fpa[i][0], fpa[i][1], rc);
	}
	const int injecting = 1;
#else
	const int injecting = 0;
#endif

	W = calloc((size_t)NT, sizeof *W);
	pthread_barrier_init(&bar_in, NULL, (unsigned)NT + 1 + NR_EXTRA);
	pthread_barrier_init(&bar_out, NULL, (unsigned)NT + 1 + NR_EXTRA);
	uint64_t seed = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ull;
	const char *s = getenv("SOAK_SEED");
	if (s)
		seed = strtoull(s, NULL, 0);
	printf("soak: %.0f s, %d threads, seed %#llx, fault injection %s\n", seconds, NT, (unsigned long long)seed,
	       injecting ? "on" : "off (not built)");
	for (int t = 0; t < NT; t++) {
		W[t].id = t;
		W[t].rng = (seed ^ ((uint64_t)(t + 1) * 0xD6E8FEB86659FD93ull)) | 1;
		pthread_mutex_init(&W[t].mbox_lock, NULL);
		pthread_mutex_init(&W[t].mov_lock, NULL);
	}
	/* every worker's table exists before any callback can look one up */
	for (int t = 0; t < NT; t++)
		if (pthread_create(&W[t].tid, NULL, worker_main, &W[t]) != 0) {
			fprintf(stderr, "soak: pthread_create failed\n");
			return 2;
		}
	pthread_t extra[NR_EXTRA];
	if (pthread_create(&extra[0], NULL, compactor_main, (void *)(uintptr_t)(seed ^ 0xC0C0)) != 0 ||
	    pthread_create(&extra[1], NULL, contig_main, (void *)(uintptr_t)(seed ^ 0xC071)) != 0) {
		fprintf(stderr, "soak: pthread_create failed\n");
		return 2;
	}
	long migrated0 = vmstat("pgmigrate_success");

	/* a hang (a worker stuck, a barrier never met) aborts with the phase named, after twice the run plus 2 minutes */
	pf_test_watchdog("soak", (unsigned)(seconds * 2) + 120);
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int checks = 0;
	for (;;) {
		pf_test_phase("workers running (after %d checkpoints)", checks);
		struct timespec nap = { 0, CHECK_MS * 1000000L };
		nanosleep(&nap, NULL);
		clock_gettime(CLOCK_MONOTONIC, &now);
		double el = (double)(now.tv_sec - t0.tv_sec) + (double)(now.tv_nsec - t0.tv_nsec) / 1e9;
		if (el >= seconds)
			break;
		atomic_store_explicit(&pause_req, 1, memory_order_release);
		pf_test_phase("checkpoint %d: waiting for every worker to pause", checks + 1);
		pthread_barrier_wait(&bar_in);
		pf_test_phase("checkpoint %d: audit", checks + 1);
		audit("checkpoint");
		checks++;
		atomic_store_explicit(&pause_req, 0, memory_order_release);
		pthread_barrier_wait(&bar_out);
		if (atomic_load(&violations) > 20)
			break;
	}
	atomic_store(&stop_req, 1);
	/* workers still parked in a pause are released by this pair */
	pf_test_phase("stopping: waiting for the workers at the pause barrier");
	pthread_barrier_wait(&bar_in);
	for (int t = 0; t < NT; t++) {
		pf_test_phase("joining worker %d of %d", t, NT);
		pthread_join(W[t].tid, NULL);
	}
	pf_test_phase("joining the compaction and contiguous threads");
	for (int t = 0; t < NR_EXTRA; t++)
		pthread_join(extra[t], NULL);
	pf_test_phase("final audit");

	pf_bind_cpu(-1);
	long lost = audit("end");
	if (atomic_load(&live_pages) != 0)
		FAILF("end: model still counts %ld live pages", atomic_load(&live_pages));
	long bad = vmstat("pageframe_bad_pages");
	if (bad != 0 || atomic_load(&bad_reports) != 0)
		FAILF("end: %ld bad pages, %ld reports", bad, atomic_load(&bad_reports));

	long injected = 0;
#ifdef PF_HAVE_FAIL_PAGE_ALLOC
	injected = vmstat("pageframe_fail_page_alloc");
	if (injected < 0)
		injected = vmstat("pageframe_failslab_injected");
#endif
	unsigned long ops = 0, allocs = 0, fails = 0, frees = 0, handoffs = 0, shared = 0;
	for (int t = 0; t < NT; t++) {
		ops += W[t].ops;
		allocs += W[t].allocs;
		fails += W[t].alloc_fail;
		frees += W[t].frees;
		handoffs += W[t].handoffs;
		shared += W[t].shared;
	}
	printf("soak: operations %lu (allocations %lu, failed %lu, frees %lu, handoffs %lu, shared refs %lu), "
	       "checkpoints %d\n", ops, allocs, fails, frees, handoffs, shared, checks);
	long moves = 0, moved_pages = 0, isolations = 0, mov_allocs = 0;
	for (int t = 0; t < NT; t++) {
		moves += W[t].moves;
		moved_pages += W[t].moved_pages;
		isolations += W[t].isolations;
		mov_allocs += W[t].mov_allocs;
	}
	printf("soak: movable blocks %ld, isolated %ld times, moved %ld times (%ld pages); pgmigrate_success %ld, "
	       "pgmigrate_fail %ld\n", mov_allocs, isolations, moves, moved_pages, vmstat("pgmigrate_success") - migrated0,
	       vmstat("pgmigrate_fail"));
	printf("soak: compactions: compact_memory %ld, kcompactd passes %ld (compact_stall %ld, compact_isolated %ld, "
	       "compact_daemon_wake %ld); contiguous ranges %ld (%ld pages), %ld not found\n", atomic_load(&compactions),
	       atomic_load(&kcompactd_passes), vmstat("compact_stall"), vmstat("compact_isolated"),
	       vmstat("compact_daemon_wake"), atomic_load(&contig_taken), atomic_load(&contig_pages),
	       atomic_load(&contig_failed));
	printf("soak: failures injected %ld\n", injected);
	printf("soak: pages lost %ld\n", lost);
	printf("soak: log lines %ld, bad page reports %ld, violations %ld\n", atomic_load(&log_lines),
	       atomic_load(&bad_reports), atomic_load(&violations));
	pf_machine_destroy(M);
	free(W);
	return atomic_load(&violations) ? 1 : 0;
}
