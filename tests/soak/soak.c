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
 *
 * Memory pressure (issue 9): the default machine has two nodes and a swap
 * area, and kswapd runs as threads (stopped for each checkpoint, started
 * again after it).  Each worker owns LRU pages (file and anonymous, in
 * numbered slots, pf_lru_cache_add) whose owner callbacks release clean
 * file pages, write dirty ones (failing now and then) and hand anonymous
 * ones to swap; the worker reads swapped slots back (pf_swap_readpage),
 * uses, dirties and drops its pages.  Workers attach to memory cgroups
 * and allocate with __GFP_ACCOUNT, and switch their memory policy and
 * their cpuset's nodes.  A pressure thread makes groups (memory.max,
 * memory.low, memory.min set at random, which reclaims), destroys leaf
 * groups, registers and unregisters shrinkers over caches of pages (one
 * plain, one memcg-aware keeping a bucket per group and marking it, one
 * that lies), grows them, and drops caches.  The checkpoints also check
 * every LRU page's and cache object's stamp, that the LRU counters equal
 * the pages the owners hold and the swap in use the entries they hold;
 * at the end every group, its stock drained by memory.max 0, must show
 * memory.current 0, and the swap area must be empty.
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

/* two nodes of 128 MiB (the CPUs split between them) and 64 MiB of swap */
#define DEFAULT_MEMORY "mem 0 0x1000-0x9efff\nmem 0 0x100000-0x7ffffff\nmem 1 0x8000000-0xfffffff\n" \
		       "backing hosted\nswap 64M\n"
#define MAX_OWN 512		/* blocks a thread holds at most */
#define MBOX 64			/* mailbox slots per thread */
#define CHECK_MS 250
#define MAX_MOV 64		/* movable blocks a thread holds at most */
#define NR_EXTRA 3		/* the compaction, contiguous and pressure threads */
#define NLRU 1024		/* LRU slots a worker owns */
#define NR_GROUPS 8		/* memcg slots: 0 the root, 1 the soak's own group, 2.. made and destroyed */
#define NR_CACHES 3		/* plain, memcg-aware, lying */
#define CACHE_MAX 256		/* objects per cache and group */

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

struct lslot {			/* an LRU slot: a page on the LRU, a swap entry, or nothing */
	struct pf_page *page;
	unsigned long entry;
	unsigned long shadow;
	int type;		/* PF_LRU_ANON / PF_LRU_FILE */
	uint64_t stamp;
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
	/* memory pressure */
	struct pf_address_space as;	/* the owner of lru[]; host is the worker */
	pthread_mutex_t lru_lock;	/* lru[]: the callbacks only try it */
	struct lslot lru[NLRU];
	int group;			/* the group slot attached to, 0: none */
	struct pf_memcg *group_cg;
	long lru_added, lru_add_failed, swapins, lru_dropped, attaches, policies, cpusets, policy_refused;
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
static atomic_long lru_released, lru_written, lru_write_failed, lru_unmapped, lru_refused;
static atomic_long cache_objects_made, cache_objects_shrunk, cache_registrations;
static atomic_long groups_made, groups_destroyed, limit_writes, drop_caches_writes;

#define FAILF(...) do { fprintf(stderr, "soak: VIOLATION: " __VA_ARGS__); fputc('\n', stderr); \
			atomic_fetch_add(&violations, 1); } while (0)

static void hook(void *arg, int level, const char *line)
{
	(void)arg;
	(void)level;
	atomic_fetch_add(&log_lines, 1);
	if (getenv("SOAK_LOG"))
		fprintf(stderr, "soak: log: %s\n", line);
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

static void pressure_step(struct worker *w, uint64_t r);
static void lru_drop(struct worker *w, int i);

static void step(struct worker *w)
{
	uint64_t r = rnd(w);
	unsigned what = r % 100;
	w->ops++;
	if ((r >> 61) == 0) {
		pressure_step(w, rnd(w));	/* one step in 8 */
		return;
	}
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
	for (int i = 0; i < NLRU; i++)
		lru_drop(w, i);
	pf_memcg_attach(NULL);
	pf_set_mempolicy(M, PF_MPOL_DEFAULT, NULL);
	pf_set_mems_allowed(M, NULL);
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

static atomic_ulong lie_calls, lru_writes;

/* ---- memory pressure: LRU pages with an owner ---- */

static uint64_t lru_stamp(struct worker *w, int i)
{
	return ((uint64_t)(w->id + 1) << 48) ^ ((uint64_t)i << 32) ^ (rnd(w) & 0xffffffffu) ^ 1;
}

/* the callbacks: run in a reclaiming thread (a worker, kswapd, a memcg limit writer) with the page locked */
static bool lru_release(struct pf_address_space *mapping, struct pf_page *page, unsigned long shadow)
{
	struct worker *w = mapping->host;
	unsigned long i = page->index;
	bool ok = false;
	if (pthread_mutex_trylock(&w->lru_lock)) {
		atomic_fetch_add(&lru_refused, 1);
		return false;
	}
	if (i < NLRU && w->lru[i].page == page) {
		if (*(uint64_t *)pf_page_address(page) != w->lru[i].stamp)
			FAILF("release_folio: LRU page pfn %#lx of worker %d slot %lu: stamp changed",
			      pf_page_to_pfn(page), w->id, i);
		w->lru[i].page = NULL;
		w->lru[i].shadow = shadow;
		atomic_fetch_sub(&live_pages, 1);	/* the library frees it */
		atomic_fetch_add(&lru_released, 1);
		ok = true;
	} else {
		atomic_fetch_add(&lru_refused, 1);
	}
	pthread_mutex_unlock(&w->lru_lock);
	return ok;
}

static int lru_writepage(struct pf_address_space *mapping, struct pf_page *page)
{
	struct worker *w = mapping->host;
	unsigned long i = page->index;
	int rc = 0;
	if (pthread_mutex_trylock(&w->lru_lock))
		return -EAGAIN;
	if (i >= NLRU || w->lru[i].page != page)
		rc = -EAGAIN;
	else if (atomic_fetch_add(&lru_writes, 1) % 16 == 15)
		rc = -EIO;		/* one write in 16 fails: the page stays dirty */
	pthread_mutex_unlock(&w->lru_lock);
	atomic_fetch_add(rc ? &lru_write_failed : &lru_written, 1);
	return rc;
}

static bool lru_unmap(struct pf_address_space *mapping, struct pf_page *page, unsigned long entry)
{
	struct worker *w = mapping->host;
	unsigned long i = page->index;
	bool ok = false;
	if (pthread_mutex_trylock(&w->lru_lock)) {
		atomic_fetch_add(&lru_refused, 1);
		return false;
	}
	if (i < NLRU && w->lru[i].page == page) {
		w->lru[i].page = NULL;
		w->lru[i].entry = entry;
		atomic_fetch_sub(&live_pages, 1);	/* written to the slot and freed by the library */
		atomic_fetch_add(&lru_unmapped, 1);
		ok = true;
	} else {
		atomic_fetch_add(&lru_refused, 1);
	}
	pthread_mutex_unlock(&w->lru_lock);
	return ok;
}

static const struct pf_address_space_operations lru_ops = { lru_release, lru_writepage, lru_unmap };

static void lru_fill(struct worker *w, int i, int type)
{
	struct pf_page *p = pf_alloc_pages(M, PF_GFP_HIGHUSER_MOVABLE | PF___GFP_NOWARN, 0);
	if (!p) {
		w->alloc_fail++;
		return;
	}
	atomic_fetch_add(&live_pages, 1);
	p->index = (unsigned long)i;
	pthread_mutex_lock(&w->lru_lock);
	struct lslot *s = &w->lru[i];
	s->type = type;
	s->stamp = lru_stamp(w, i);
	*(uint64_t *)pf_page_address(p) = s->stamp;
	s->page = p;
	unsigned long shadow = s->shadow;
	s->shadow = 0;
	pthread_mutex_unlock(&w->lru_lock);
	if (shadow)
		pf_workingset_refault(p, type, shadow);
	int rc = pf_lru_cache_add(p, &w->as, type);
	if (rc == 0) {
		w->lru_added++;
		return;
	}
	/* not on the LRU (its memcg is full): no callback can see it */
	if (rc != -ENOMEM)
		FAILF("pf_lru_cache_add: %d", rc);
	pthread_mutex_lock(&w->lru_lock);
	s->page = NULL;
	pthread_mutex_unlock(&w->lru_lock);
	atomic_fetch_sub(&live_pages, 1);
	pf_free_pages(p, 0);
	w->lru_add_failed++;
}

static void lru_drop(struct worker *w, int i)
{
	pthread_mutex_lock(&w->lru_lock);
	struct lslot *s = &w->lru[i];
	struct pf_page *p = s->page;
	unsigned long e = s->entry;
	if (p && *(uint64_t *)pf_page_address(p) != s->stamp)
		FAILF("LRU page pfn %#lx of worker %d slot %d: stamp changed before its drop", pf_page_to_pfn(p), w->id, i);
	s->page = NULL;
	s->entry = 0;
	pthread_mutex_unlock(&w->lru_lock);
	if (p) {
		int rc = pf_lru_del(p);
		if (rc)
			FAILF("pf_lru_del: %d", rc);
		atomic_fetch_sub(&live_pages, 1);
		pf_free_pages(p, 0);
		w->lru_dropped++;
	}
	if (e && pf_swap_free(M, e) != 0)
		FAILF("pf_swap_free(%#lx) refused", e);
}

static void lru_swapin(struct worker *w, int i)
{
	pthread_mutex_lock(&w->lru_lock);
	unsigned long e = w->lru[i].entry;
	w->lru[i].entry = 0;
	pthread_mutex_unlock(&w->lru_lock);
	if (!e)
		return;
	struct pf_page *p = pf_swap_readpage(M, e, PF_GFP_HIGHUSER_MOVABLE | PF___GFP_NOWARN, &w->as, (unsigned long)i);
	pthread_mutex_lock(&w->lru_lock);
	if (!p) {
		w->lru[i].entry = e;	/* no memory: the data stays in swap */
		w->alloc_fail++;
	} else {
		atomic_fetch_add(&live_pages, 1);
		if (*(uint64_t *)pf_page_address(p) != w->lru[i].stamp)
			FAILF("swap-in of worker %d slot %d: stamp %#llx, want %#llx", w->id, i,
			      (unsigned long long)*(uint64_t *)pf_page_address(p), (unsigned long long)w->lru[i].stamp);
		w->lru[i].page = p;
		w->swapins++;
	}
	pthread_mutex_unlock(&w->lru_lock);
}

static void lru_step(struct worker *w, uint64_t r)
{
	int i = (int)((r >> 8) % NLRU);
	pthread_mutex_lock(&w->lru_lock);
	struct lslot *s = &w->lru[i];
	bool page = s->page != NULL, entry = s->entry != 0;
	unsigned op = (unsigned)((r >> 24) % 16);
	if (page && op < 10) {
		/* use it (under the lock: reclaim cannot take it meanwhile) */
		if (*(uint64_t *)pf_page_address(s->page) != s->stamp)
			FAILF("LRU page pfn %#lx of worker %d slot %d: stamp changed", pf_page_to_pfn(s->page), w->id, i);
		pf_mark_page_accessed(s->page);
		if (op < 3 && s->type == PF_LRU_FILE)
			pf_set_page_dirty(s->page);
		else if (op == 3 && s->type == PF_LRU_ANON) {
			s->stamp = lru_stamp(w, i);
			*(uint64_t *)pf_page_address(s->page) = s->stamp;
		}
		pthread_mutex_unlock(&w->lru_lock);
		return;
	}
	pthread_mutex_unlock(&w->lru_lock);
	if (!page && !entry)
		lru_fill(w, i, (r >> 40) & 1 ? PF_LRU_ANON : PF_LRU_FILE);
	else if (entry && op < 12)
		lru_swapin(w, i);
	else
		lru_drop(w, i);
}

/* ---- memory pressure: memcgs ---- */

struct group {
	_Atomic(struct pf_memcg *) cg;	/* NULL: free slot (or the root, slot 0) */
	int parent;			/* groups_lock */
	int live;			/* groups_lock */
};
static struct group G[NR_GROUPS];
static pthread_mutex_t groups_lock = PTHREAD_MUTEX_INITIALIZER;

/* the slot of @cg (NULL: the root, 0); -1 when it is no live group of ours */
static int group_of(struct pf_memcg *cg)
{
	if (!cg)
		return 0;
	for (int i = 1; i < NR_GROUPS; i++)
		if (atomic_load(&G[i].cg) == cg)
			return i;
	return -1;
}

static void group_attach(struct worker *w, uint64_t r)
{
	pthread_mutex_lock(&groups_lock);
	int i = (int)(r % NR_GROUPS);
	if (i && !G[i].live)
		i = 0;
	struct pf_memcg *cg = i ? atomic_load(&G[i].cg) : NULL;
	pf_memcg_attach(cg);
	pthread_mutex_unlock(&groups_lock);
	w->group = i;
	w->group_cg = cg;
	w->attaches++;
}

/* ---- memory pressure: caches behind shrinkers ---- */

struct cache {
	pthread_mutex_t lock;		/* everything below; never held while allocating or unregistering */
	struct pf_shrinker *s;		/* NULL while unregistered */
	int kind;			/* 0 plain, 1 memcg-aware, 2 lying */
	struct pf_page *obj[NR_GROUPS][CACHE_MAX];	/* by group slot; a plain cache uses slot 0 */
	int nr[NR_GROUPS];
	uint64_t stamp;
	unsigned long calls;
};
static struct cache C[NR_CACHES];
static const char *const cache_names[NR_CACHES] = { "soak-plain", "soak-memcg", "soak-liar" };

static int cache_bucket(struct cache *c, struct pf_shrink_control *sc)
{
	return c->kind == 1 ? group_of(pf_shrink_control_memcg(sc)) : 0;
}

static unsigned long cache_count(void *arg, struct pf_shrink_control *sc)
{
	struct cache *c = arg;
	if (c->kind == 2) {
		static const unsigned long lies[] = { ~0UL >> 1, PF_SHRINK_STOP, 5000, 0 };
		return lies[atomic_fetch_add(&lie_calls, 1) % 4];
	}
	pthread_mutex_lock(&c->lock);
	int b = cache_bucket(c, sc);
	unsigned long n = b < 0 ? 0 : (unsigned long)c->nr[b];
	c->calls++;
	pthread_mutex_unlock(&c->lock);
	return n ? n : (c->kind == 1 ? PF_SHRINK_EMPTY : 0);
}

static unsigned long cache_scan(void *arg, struct pf_shrink_control *sc)
{
	struct cache *c = arg;
	if (c->kind == 2) {
		switch (atomic_fetch_add(&lie_calls, 1) % 3) {
		case 0: sc->nr_scanned = 0; return 0;
		case 1: return sc->nr_to_scan * 2;
		default: return PF_SHRINK_STOP;
		}
	}
	unsigned long freed = 0;
	pthread_mutex_lock(&c->lock);
	int b = cache_bucket(c, sc);
	while (b >= 0 && c->nr[b] && freed < sc->nr_to_scan) {
		struct pf_page *p = c->obj[b][--c->nr[b]];
		if (*(uint64_t *)pf_page_address(p) != c->stamp)
			FAILF("cache %s: object pfn %#lx: stamp changed", cache_names[c->kind], pf_page_to_pfn(p));
		atomic_fetch_sub(&live_pages, 1);
		pf_free_pages(p, 0);
		freed++;
	}
	pthread_mutex_unlock(&c->lock);
	atomic_fetch_add(&cache_objects_shrunk, (long)freed);
	return freed;
}

static const struct pf_shrinker_ops cache_ops = { cache_count, cache_scan };

/* Empty every bucket.  The shrinker is unregistered (or the pressure thread owns the cache). */
static void cache_empty(struct cache *c)
{
	pthread_mutex_lock(&c->lock);
	for (int b = 0; b < NR_GROUPS; b++)
		while (c->nr[b]) {
			struct pf_page *p = c->obj[b][--c->nr[b]];
			if (*(uint64_t *)pf_page_address(p) != c->stamp)
				FAILF("cache %s: object pfn %#lx: stamp changed", cache_names[c->kind], pf_page_to_pfn(p));
			atomic_fetch_sub(&live_pages, 1);
			pf_free_pages(p, 0);
		}
	pthread_mutex_unlock(&c->lock);
}

static void cache_register(struct cache *c)
{
	unsigned flags = c->kind == 1 ? PF_SHRINKER_MEMCG_AWARE : 0;
	struct pf_shrinker *s = pf_shrinker_register_flags(M, cache_names[c->kind], &cache_ops, c,
							    c->kind == 2 ? 0 : PF_DEFAULT_SEEKS, flags);
	if (!s) {
		FAILF("pf_shrinker_register_flags(%s) failed", cache_names[c->kind]);
		return;
	}
	pthread_mutex_lock(&c->lock);
	c->s = s;
	pthread_mutex_unlock(&c->lock);
	atomic_fetch_add(&cache_registrations, 1);
}

static void cache_unregister(struct cache *c)
{
	pthread_mutex_lock(&c->lock);
	struct pf_shrinker *s = c->s;
	c->s = NULL;		/* no object is added from now on */
	pthread_mutex_unlock(&c->lock);
	pf_shrinker_unregister(s);	/* no callback after this */
	cache_empty(c);
}

/* up to @n objects for the cache, charged to the calling thread's group (@group, @cg) */
static void cache_grow(struct cache *c, int n, int group, struct pf_memcg *cg, uint64_t *fails)
{
	for (int k = 0; k < n; k++) {
		struct pf_page *p = pf_alloc_pages(M, PF_GFP_KERNEL_ACCOUNT | PF___GFP_NOWARN, 0);
		if (!p) {
			(*fails)++;
			return;
		}
		*(uint64_t *)pf_page_address(p) = c->stamp;
		pthread_mutex_lock(&c->lock);
		int b = c->kind == 1 && group && atomic_load(&G[group].cg) == cg ? group : 0;
		bool ok = c->s && c->nr[b] < CACHE_MAX;
		if (ok) {
			c->obj[b][c->nr[b]++] = p;
			atomic_fetch_add(&live_pages, 1);
			if (b && pf_shrinker_mark_memcg(c->s, cg, -1) != 0)
				FAILF("pf_shrinker_mark_memcg refused a live group");
		}
		pthread_mutex_unlock(&c->lock);
		if (!ok) {
			pf_free_pages(p, 0);
			return;
		}
		atomic_fetch_add(&cache_objects_made, 1);
	}
}

/* ---- memory pressure: policies and cpusets ---- */

static void policy_step(struct worker *w, uint64_t r)
{
	static const char *const lists[] = { "0", "1", "0-1" };
	const char *nodes = lists[(r >> 8) % 3];
	int rc;
	if ((r >> 4) & 1) {
		static const int modes[] = { PF_MPOL_DEFAULT, PF_MPOL_PREFERRED, PF_MPOL_BIND, PF_MPOL_INTERLEAVE,
					     PF_MPOL_LOCAL, PF_MPOL_PREFERRED_MANY, PF_MPOL_WEIGHTED_INTERLEAVE };
		int mode = modes[(r >> 12) % 7];
		rc = pf_set_mempolicy(M, mode, mode == PF_MPOL_DEFAULT || mode == PF_MPOL_LOCAL ? NULL : nodes);
		w->policies++;
	} else {
		rc = pf_set_mems_allowed(M, (r >> 16) % 4 == 0 ? NULL : nodes);
		w->cpusets++;
	}
	/* a policy whose nodes the cpuset excludes is refused, as set_mempolicy does */
	if (rc == -EINVAL)
		w->policy_refused++;
	else if (rc != 0)
		FAILF("policy or cpuset change: %d", rc);
}

static void pressure_step(struct worker *w, uint64_t r)
{
	unsigned what = (unsigned)(r % 100);
	if (what < 70) {
		lru_step(w, r >> 8);
	} else if (what < 82) {
		uint64_t fails = 0;
		cache_grow(&C[(r >> 8) % 2], 1 + (int)((r >> 12) % 8), w->group, w->group_cg, &fails);
		w->alloc_fail += fails;
	} else if (what < 90) {
		group_attach(w, r >> 8);
	} else if (what < 97) {
		policy_step(w, r >> 8);
	} else {
		/* __GFP_ACCOUNT blocks beside the plain ones */
		if (w->nr_own < MAX_OWN - 16) {
			unsigned order = (r >> 8) % 4;
			struct pf_page *p = pf_alloc_pages(M, PF_GFP_KERNEL_ACCOUNT | PF___GFP_NOWARN, order);
			if (p)
				adopt(w, p, order, PF_GFP_KERNEL_ACCOUNT);
			else
				w->alloc_fail++;
		}
	}
}

/* the pressure thread: groups, limits, shrinkers, drop_caches */
static void pressure_op(uint64_t *rng)
{
	uint64_t r = pf_test_xorshift64s(rng);
	unsigned what = (unsigned)(r % 100);
	if (what < 15) {
		/* a new group under a live one */
		pthread_mutex_lock(&groups_lock);
		int i, parent = 1 + (int)((r >> 8) % (NR_GROUPS - 1));
		for (i = 2; i < NR_GROUPS && G[i].live; i++)
			;
		if (i < NR_GROUPS && G[parent].live && parent != i) {
			char name[16];
			snprintf(name, sizeof name, "g%d", i);
			struct pf_memcg *cg = pf_memcg_create(M, atomic_load(&G[parent].cg), name);
			if (!cg) {
				FAILF("pf_memcg_create failed");
			} else {
				G[i].parent = parent;
				G[i].live = 1;
				atomic_store(&G[i].cg, cg);
				atomic_fetch_add(&groups_made, 1);
			}
		}
		pthread_mutex_unlock(&groups_lock);
	} else if (what < 25) {
		/* destroy a leaf: its cache objects now count as its parent's */
		pthread_mutex_lock(&groups_lock);
		int i = 2 + (int)((r >> 8) % (NR_GROUPS - 2)), leaf = G[i].live;
		for (int j = 2; j < NR_GROUPS && leaf; j++)
			if (G[j].live && G[j].parent == i)
				leaf = 0;
		struct pf_memcg *cg = NULL;
		int parent = G[i].parent;
		if (leaf) {
			cg = atomic_load(&G[i].cg);
			atomic_store(&G[i].cg, NULL);
			G[i].live = 0;
			pf_memcg_destroy(cg);
			atomic_fetch_add(&groups_destroyed, 1);
		}
		pthread_mutex_unlock(&groups_lock);
		if (leaf) {
			struct cache *c = &C[1];
			pthread_mutex_lock(&c->lock);
			while (c->nr[i] && c->nr[parent] < CACHE_MAX)
				c->obj[parent][c->nr[parent]++] = c->obj[i][--c->nr[i]];
			while (c->nr[i]) {	/* the parent's bucket is full: to the root's */
				if (c->nr[0] < CACHE_MAX) {
					c->obj[0][c->nr[0]++] = c->obj[i][--c->nr[i]];
				} else {
					struct pf_page *p = c->obj[i][--c->nr[i]];
					atomic_fetch_sub(&live_pages, 1);
					pf_free_pages(p, 0);
				}
			}
			pthread_mutex_unlock(&c->lock);
		}
	} else if (what < 45) {
		/* a limit or a protection of a live group (lowering memory.max reclaims) */
		static const char *const files[] = { "memory.max", "memory.max", "memory.low", "memory.min" };
		static const char *const values[] = { "2M", "4M", "8M", "16M", "max", "0" };
		pthread_mutex_lock(&groups_lock);
		int i = 1 + (int)((r >> 8) % (NR_GROUPS - 1));
		struct pf_memcg *cg = G[i].live ? atomic_load(&G[i].cg) : NULL;
		pthread_mutex_unlock(&groups_lock);
		/* the write runs outside the lock (it reclaims, and the callbacks look groups up); a group destroyed meanwhile takes it harmlessly */
		if (cg) {
			const char *file = files[(r >> 12) % 4];
			const char *value = values[(r >> 16) % 6];
			if (!strcmp(file, "memory.max") && !strcmp(value, "0"))
				value = "max";
			if (pf_memcg_set(cg, file, value) != 0)
				FAILF("pf_memcg_set(%s, %s) refused", file, value);
			atomic_fetch_add(&limit_writes, 1);
		}
	} else if (what < 60) {
		struct cache *c = &C[(r >> 8) % NR_CACHES];
		pthread_mutex_lock(&c->lock);
		bool on = c->s != NULL;
		pthread_mutex_unlock(&c->lock);
		if (on)
			cache_unregister(c);
		else
			cache_register(c);
	} else if (what < 62) {
		if (pf_sysctl_set(M, "drop_caches", (r >> 8) & 1 ? "2" : "3") != 0)
			FAILF("drop_caches refused");
		atomic_fetch_add(&drop_caches_writes, 1);
	} else {
		/* grow a cache from inside a random group */
		pthread_mutex_lock(&groups_lock);
		int i = (int)((r >> 8) % NR_GROUPS);
		if (i && !G[i].live)
			i = 0;
		struct pf_memcg *cg = i ? atomic_load(&G[i].cg) : NULL;
		pf_memcg_attach(cg);
		pthread_mutex_unlock(&groups_lock);
		uint64_t fails = 0;
		cache_grow(&C[(r >> 16) % 2], 1 + (int)((r >> 20) % 32), i, cg, &fails);
		pf_memcg_attach(NULL);
	}
}

static void *pressure_main(void *arg)
{
	uint64_t rng = (uint64_t)(uintptr_t)arg | 1;
	while (!atomic_load_explicit(&stop_req, memory_order_relaxed)) {
		if (atomic_load_explicit(&pause_req, memory_order_acquire)) {
			pthread_barrier_wait(&bar_in);
			pthread_barrier_wait(&bar_out);
			continue;
		}
		pressure_op(&rng);
		nap_ms(1);
	}
	pthread_barrier_wait(&bar_in);
	for (int k = 0; k < NR_CACHES; k++)
		cache_unregister(&C[k]);
	return NULL;
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
	/* LRU pages and swap entries the owners hold, and the caches' objects */
	long resident = 0, swapped = 0, objects = 0;
	for (int t = 0; t < NT; t++) {
		pthread_mutex_lock(&W[t].lru_lock);
		for (int i = 0; i < NLRU; i++) {
			struct lslot *s = &W[t].lru[i];
			if (s->page && *(uint64_t *)pf_page_address(s->page) != s->stamp)
				FAILF("%s: LRU page pfn %#lx of worker %d slot %d: stamp changed", when,
				      pf_page_to_pfn(s->page), t, i);
			resident += s->page != NULL;
			swapped += s->entry != 0;
		}
		pthread_mutex_unlock(&W[t].lru_lock);
	}
	for (int k = 0; k < NR_CACHES; k++) {
		pthread_mutex_lock(&C[k].lock);
		for (int g = 0; g < NR_GROUPS; g++)
			for (int i = 0; i < C[k].nr[g]; i++) {
				objects++;
				if (*(uint64_t *)pf_page_address(C[k].obj[g][i]) != C[k].stamp)
					FAILF("%s: cache %s object pfn %#lx: stamp changed", when, cache_names[k],
					      pf_page_to_pfn(C[k].obj[g][i]));
			}
		pthread_mutex_unlock(&C[k].lock);
	}
	long on_lru = vmstat("nr_inactive_anon") + vmstat("nr_active_anon") + vmstat("nr_inactive_file") +
		      vmstat("nr_active_file");
	if (on_lru != resident)
		FAILF("%s: %ld pages on the LRU lists, the owners hold %ld", when, on_lru, resident);
	unsigned long swap_total, swap_free;
	pf_swap_info(M, &swap_total, &swap_free);
	if ((long)(swap_total - swap_free) != swapped)
		FAILF("%s: %lu swap slots in use, the owners hold %ld entries", when, swap_total - swap_free, swapped);
	if (vmstat("nr_isolated_anon") + vmstat("nr_isolated_file") != 0)
		FAILF("%s: LRU pages still isolated", when);
	(void)objects;

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
		int cpus = NT < 2 ? 2 : NT;
		snprintf(desc, sizeof desc, "cpus %d\nnode 0 cpus 0-%d\nnode 1 cpus %d-%d\n%s", cpus, cpus / 2 - 1,
			 cpus / 2, cpus - 1, DEFAULT_MEMORY);
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
		pthread_mutex_init(&W[t].lru_lock, NULL);
		W[t].as.a_ops = &lru_ops;
		W[t].as.host = &W[t];
	}
	for (int k = 0; k < NR_CACHES; k++) {
		pthread_mutex_init(&C[k].lock, NULL);
		C[k].kind = k;
		C[k].stamp = (seed ^ (uint64_t)(k + 1) * 0xA24BAED4963EE407ull) | 1;
	}
	/* the soak's own group: every group made later lies below it */
	struct pf_memcg *top = pf_memcg_create(M, NULL, "soak");
	if (!top) {
		fprintf(stderr, "soak: pf_memcg_create failed\n");
		return 2;
	}
	atomic_store(&G[1].cg, top);
	G[1].live = 1;
	if (pf_kswapd_start(M) != 0) {
		fprintf(stderr, "soak: pf_kswapd_start failed\n");
		return 2;
	}
	/* every worker's table exists before any callback can look one up */
	for (int t = 0; t < NT; t++)
		if (pthread_create(&W[t].tid, NULL, worker_main, &W[t]) != 0) {
			fprintf(stderr, "soak: pthread_create failed\n");
			return 2;
		}
	pthread_t extra[NR_EXTRA];
	if (pthread_create(&extra[0], NULL, compactor_main, (void *)(uintptr_t)(seed ^ 0xC0C0)) != 0 ||
	    pthread_create(&extra[1], NULL, contig_main, (void *)(uintptr_t)(seed ^ 0xC071)) != 0 ||
	    pthread_create(&extra[2], NULL, pressure_main, (void *)(uintptr_t)(seed ^ 0x9E55)) != 0) {
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
		/* kswapd's threads stop too: nothing moves during the audit */
		pf_test_phase("checkpoint %d: stopping kswapd", checks + 1);
		pf_kswapd_stop(M);
		pf_test_phase("checkpoint %d: audit", checks + 1);
		audit("checkpoint");
		if (pf_kswapd_start(M) != 0)
			FAILF("pf_kswapd_start failed after a checkpoint");
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
	pf_test_phase("joining the compaction, contiguous and pressure threads");
	for (int t = 0; t < NR_EXTRA; t++)
		pthread_join(extra[t], NULL);
	pf_test_phase("stopping kswapd");
	pf_kswapd_stop(M);
	pf_test_phase("final audit");

	pf_bind_cpu(-1);
	long lost = audit("end");
	if (atomic_load(&live_pages) != 0)
		FAILF("end: model still counts %ld live pages", atomic_load(&live_pages));
	unsigned long swap_total, swap_free;
	pf_swap_info(M, &swap_total, &swap_free);
	if (swap_total != swap_free)
		FAILF("end: %lu swap slots still in use", swap_total - swap_free);

	/*
	 * Every charge came back: each group still alive, its per-CPU stock
	 * drained by a memory.max of 0 (which reclaims, then reports an OOM,
	 * when charges remain), shows memory.current 0.  Leaves first.
	 */
	pf_test_phase("groups: every charge returned");
	for (int pass = 0; pass < NR_GROUPS; pass++)
		for (int i = NR_GROUPS - 1; i >= 1; i--) {
			if (!G[i].live)
				continue;
			int leaf = 1;
			for (int j = 2; j < NR_GROUPS; j++)
				if (G[j].live && G[j].parent == i)
					leaf = 0;
			if (!leaf)
				continue;
			struct pf_memcg *cg = atomic_load(&G[i].cg);
			char cur[64] = "";
			FILE *f = fmemopen(cur, sizeof cur - 1, "w");
			if (pf_memcg_set(cg, "memory.max", "0") != 0 || !f || pf_memcg_show(cg, "memory.current", f) != 0)
				FAILF("end: group %d: memory.max / memory.current refused", i);
			if (f)
				fclose(f);
			if (strcmp(cur, "0\n") != 0)
				FAILF("end: group %d still charged after everything was freed: memory.current %s", i, cur);
			pf_memcg_destroy(cg);
			G[i].live = 0;
			atomic_store(&G[i].cg, NULL);
		}

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
	long lru_added = 0, lru_add_failed = 0, swapins = 0, lru_dropped = 0, attaches = 0, policies = 0, cpusets = 0,
	     refused = 0;
	for (int t = 0; t < NT; t++) {
		lru_added += W[t].lru_added;
		lru_add_failed += W[t].lru_add_failed;
		swapins += W[t].swapins;
		lru_dropped += W[t].lru_dropped;
		attaches += W[t].attaches;
		policies += W[t].policies;
		cpusets += W[t].cpusets;
		refused += W[t].policy_refused;
	}
	printf("soak: LRU pages added %ld (%ld refused by a full memcg), released %ld, written %ld (%ld failed), "
	       "swapped out %ld, swapped in %ld, dropped %ld, callbacks refused %ld; pgsteal_kswapd %ld, "
	       "pgsteal_direct %ld, pswpout %ld, pswpin %ld\n", lru_added, lru_add_failed, atomic_load(&lru_released),
	       atomic_load(&lru_written), atomic_load(&lru_write_failed), atomic_load(&lru_unmapped), swapins, lru_dropped,
	       atomic_load(&lru_refused), vmstat("pgsteal_kswapd"), vmstat("pgsteal_direct"), vmstat("pswpout"),
	       vmstat("pswpin"));
	printf("soak: shrinkers: registrations %ld, cache objects made %ld, freed by shrinkers %ld, slabs_scanned %ld, "
	       "drop_caches %ld\n", atomic_load(&cache_registrations), atomic_load(&cache_objects_made),
	       atomic_load(&cache_objects_shrunk), vmstat("slabs_scanned"), atomic_load(&drop_caches_writes));
	printf("soak: memcgs made %ld, destroyed %ld, limit writes %ld, attaches %ld; policy changes %ld, cpuset "
	       "changes %ld (%ld refused)\n", atomic_load(&groups_made), atomic_load(&groups_destroyed),
	       atomic_load(&limit_writes), attaches, policies, cpusets, refused);
	printf("soak: failures injected %ld\n", injected);
	printf("soak: pages lost %ld\n", lost);
	printf("soak: log lines %ld, bad page reports %ld, violations %ld\n", atomic_load(&log_lines),
	       atomic_load(&bad_reports), atomic_load(&violations));
	pf_machine_destroy(M);
	free(W);
	return atomic_load(&violations) ? 1 : 0;
}
