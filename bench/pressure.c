/* SPDX-License-Identifier: MIT */
/*
 * pressure.c - the memory pressure benchmark: a working set of LRU pages
 * half again as large as the machine, a shrinker cache and three memcgs,
 * reclaimed by kswapd threads and by direct reclaim.  Fixed seed; figures
 * only, never a failure on speed.  Output: one line per figure,
 *   "pageframe P0 <key> <value> <unit>"
 * which bench/run.sh gathers into a table.
 *
 * The workload, exactly (MB = the argument, default 256; MB >= 16):
 *
 * Machine: "cpus 2", "mem 0 0x1000-<MB MiB - 1>", "swap <MB>M",
 *   "workers threads" (kswapd0 runs as a thread from boot).  P = MB * 256
 *   pages.  Three memcgs under the root: "a" (memory.low = P/4 pages),
 *   "b" (memory.max = P/4 pages), "c" (no limits).
 * Working set: W = 3/2 P pages, S = W/3 per memcg; in each memcg's set the
 *   indexes below 2S/3 are file pages (clean, or dirty once written), the
 *   rest anonymous pages (swapped out when reclaimed).  An owner per memcg
 *   and type (a struct pf_address_space): release_folio lets a clean file
 *   page go and keeps its shadow, writepage "writes" a dirty one (returns
 *   0), try_to_unmap takes the swap entry.  Callbacks trylock the owner's
 *   lock and answer no when it is busy.
 * Shrinker cache: objects of one page each, allocated with
 *   PF_GFP_KERNEL_ACCOUNT (charged to the memcg of the access), at most
 *   P/10 of them (when full the oldest is dropped first); one object added
 *   every 4th access.  The shrinker (seeks PF_DEFAULT_SEEKS) frees the
 *   oldest objects.
 * An access (xorshift64*, seed 9): memcg = r % 3 (the thread attaches to
 *   it with pf_memcg_attach); with probability 1/2 a hot page (an index
 *   that is a multiple of 10), else any index of the memcg's set.  A
 *   resident page: pf_mark_page_accessed, and a file page is made dirty
 *   with probability 1/8.  A page not resident is faulted in: a file page
 *   with pf_alloc_pages(GFP_HIGHUSER_MOVABLE), pf_workingset_refault with
 *   its shadow, pf_lru_cache_add; an anonymous page with pf_swap_readpage
 *   (GFP_HIGHUSER_MOVABLE) when it has a swap entry, else as a file page
 *   but PF_LRU_ANON.
 * Phases: fill (every page of the set faulted in once, in index order,
 *   memcgs in turn), then the measured phase: 2 W accesses.  Every figure
 *   is over the measured phase only.
 *
 * Reported: the latency of each pf_alloc_pages of a fault ("alloc") and of
 * the whole fault, allocation, charge (pf_lru_cache_add charges the memcg
 * and may reclaim) and swap-in included ("fault"): p50, p90, p99, max in
 * microseconds (CLOCK_MONOTONIC); pgscan and pgsteal of kswapd and of
 * direct reclaim (global vmstat, which leaves memcg limit reclaim out as
 * the kernel's does), and the memcgs' own pgscan_direct / pgsteal_direct
 * summed (memory.stat: limit reclaim included); kswapd's CPU time: the
 * kswapd threads (found by name in /proc/self/task) read through their
 * per-thread CPU clocks (the Linux clockid of a thread id), against the
 * measured phase's wall time and the main thread's CPU time.
 *
 * Usage: pressure [MB].
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pageframe/pageframe.h>
#include <pageframe/page.h>

#include <dirent.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NCG 3

struct slot {
	struct pf_page *page;	/* resident page, or NULL */
	unsigned long val;	/* not resident: shadow (file) or swap entry (anon) */
};

struct set {
	pthread_mutex_t lock;
	struct pf_address_space as[2];	/* PF_LRU_ANON, PF_LRU_FILE */
	struct slot *slot;
	unsigned long n, nfile;
	struct pf_memcg *cg;
};

static struct set sets[NCG];
static unsigned long released, written, unmapped, busy;

static struct slot *owned(struct pf_address_space *mapping, struct pf_page *page, struct set **sp)
{
	struct set *s = mapping->host;
	if (pthread_mutex_trylock(&s->lock)) {
		__atomic_fetch_add(&busy, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	if (page->index >= s->n || s->slot[page->index].page != page) {
		pthread_mutex_unlock(&s->lock);
		return NULL;
	}
	*sp = s;
	return &s->slot[page->index];
}

static bool release(struct pf_address_space *mapping, struct pf_page *page, unsigned long shadow)
{
	struct set *s;
	struct slot *sl = owned(mapping, page, &s);
	if (!sl)
		return false;
	sl->page = NULL;
	sl->val = shadow;
	pthread_mutex_unlock(&s->lock);
	__atomic_fetch_add(&released, 1, __ATOMIC_RELAXED);
	return true;
}

static int writepage(struct pf_address_space *mapping, struct pf_page *page)
{
	(void)mapping;
	(void)page;
	__atomic_fetch_add(&written, 1, __ATOMIC_RELAXED);
	return 0;
}

static bool unmap(struct pf_address_space *mapping, struct pf_page *page, unsigned long entry)
{
	struct set *s;
	struct slot *sl = owned(mapping, page, &s);
	if (!sl)
		return false;
	sl->page = NULL;
	sl->val = entry;
	pthread_mutex_unlock(&s->lock);
	__atomic_fetch_add(&unmapped, 1, __ATOMIC_RELAXED);
	return true;
}

static const struct pf_address_space_operations aops = { release, writepage, unmap };

/* the shrinker cache: a ring of pages, oldest at head */
static struct {
	pthread_mutex_t lock;
	struct pf_page **obj;
	unsigned long cap, head, n, freed;
} cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

static unsigned long cache_count(void *arg, struct pf_shrink_control *sc)
{
	(void)arg;
	(void)sc;
	unsigned long n = __atomic_load_n(&cache.n, __ATOMIC_RELAXED);
	return n ? n : PF_SHRINK_EMPTY;
}

static unsigned long cache_scan(void *arg, struct pf_shrink_control *sc)
{
	(void)arg;
	unsigned long freed = 0;
	if (pthread_mutex_trylock(&cache.lock))
		return PF_SHRINK_STOP;
	while (freed < sc->nr_to_scan && cache.n) {
		pf_free_pages(cache.obj[cache.head], 0);
		cache.head = (cache.head + 1) % cache.cap;
		__atomic_store_n(&cache.n, cache.n - 1, __ATOMIC_RELAXED);
		freed++;
	}
	cache.freed += freed;
	pthread_mutex_unlock(&cache.lock);
	return freed;
}

static void cache_add(struct pf_machine *m)
{
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT | PF___GFP_NOWARN, 0), *old = NULL;
	if (!p)
		return;
	pthread_mutex_lock(&cache.lock);
	if (cache.n == cache.cap) {
		old = cache.obj[cache.head];
		cache.head = (cache.head + 1) % cache.cap;
		__atomic_store_n(&cache.n, cache.n - 1, __ATOMIC_RELAXED);
	}
	cache.obj[(cache.head + cache.n) % cache.cap] = p;
	__atomic_store_n(&cache.n, cache.n + 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&cache.lock);
	if (old)
		pf_free_pages(old, 0);
}

static uint64_t rng = 9;
static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1DULL;
}

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t *lat_alloc, *lat_fault;
static unsigned long nlat, nfail;
static bool measuring;

/* one access to page @i of set @s */
static void access_page(struct pf_machine *m, struct set *s, unsigned long i)
{
	int type = i < s->nfile ? PF_LRU_FILE : PF_LRU_ANON;
	pthread_mutex_lock(&s->lock);
	struct slot *sl = &s->slot[i];
	if (sl->page) {
		pf_mark_page_accessed(sl->page);
		if (type == PF_LRU_FILE && rnd() % 8 == 0)
			pf_set_page_dirty(sl->page);
		pthread_mutex_unlock(&s->lock);
		return;
	}
	unsigned long val = sl->val;
	pthread_mutex_unlock(&s->lock);

	uint64_t t0 = now_ns(CLOCK_MONOTONIC), t1;
	struct pf_page *p;
	if (type == PF_LRU_ANON && val) {
		p = pf_swap_readpage(m, val, PF_GFP_HIGHUSER_MOVABLE | PF___GFP_NOWARN, &s->as[type], i);
		t1 = now_ns(CLOCK_MONOTONIC);
		if (!p) {
			nfail++;
			return;
		}
	} else {
		p = pf_alloc_pages(m, PF_GFP_HIGHUSER_MOVABLE | PF___GFP_NOWARN, 0);
		t1 = now_ns(CLOCK_MONOTONIC);
		if (!p) {
			nfail++;
			return;
		}
		p->index = i;
		if (val)
			pf_workingset_refault(p, type, val);
		if (pf_lru_cache_add(p, &s->as[type], type)) {
			pf_free_pages(p, 0);
			nfail++;
			return;
		}
	}
	uint64_t t2 = now_ns(CLOCK_MONOTONIC);
	pthread_mutex_lock(&s->lock);
	sl->page = p;
	sl->val = 0;
	pthread_mutex_unlock(&s->lock);
	if (measuring) {
		lat_alloc[nlat] = t1 - t0;
		lat_fault[nlat++] = t2 - t0;
	}
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void percentiles(const char *what, uint64_t *v, unsigned long n)
{
	static const struct { const char *k; double q; } qs[] = { { "p50", .50 }, { "p90", .90 }, { "p99", .99 } };
	if (!n)
		return;
	qsort(v, n, sizeof *v, cmp);
	for (unsigned q = 0; q < 3; q++)
		printf("pageframe P0 %s_%s %.2f us\n", what, qs[q].k, v[(unsigned long)(qs[q].q * (n - 1))] / 1e3);
	printf("pageframe P0 %s_max %.2f us\n", what, v[n - 1] / 1e3);
}

static long vm(struct pf_machine *m, const char *name)
{
	long v = 0;
	pf_vmstat_refresh(m);
	pf_vmstat_get(m, name, &v);
	return v;
}

/* a memory.stat key of @cg */
static unsigned long long cgstat(struct pf_memcg *cg, const char *k)
{
	char *buf = NULL, *p;
	size_t len = 0, kl = strlen(k);
	unsigned long long v = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return 0;
	pf_memcg_show(cg, "memory.stat", f);
	fclose(f);
	for (p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, k, kl) && p[kl] == ' ') {
			v = strtoull(p + kl + 1, NULL, 10);
			break;
		}
	free(buf);
	return v;
}

/* CPU time of the threads named kswapd*: a thread's CPU clock is ((~tid) << 3) | 6 on Linux */
static uint64_t kswapd_cpu_ns(int *nthreads)
{
	uint64_t sum = 0;
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	*nthreads = 0;
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[300], comm[32] = "";
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		if (!fgets(comm, sizeof comm, f))
			comm[0] = 0;
		fclose(f);
		if (strncmp(comm, "kswapd", 6))
			continue;
		clockid_t c = (clockid_t)((~(unsigned)atoi(e->d_name)) << 3) | 6;
		struct timespec ts;
		if (clock_gettime(c, &ts) == 0) {
			sum += (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
			++*nthreads;
		}
	}
	closedir(d);
	return sum;
}

static unsigned long reports;
static void quiet(void *arg, int level, const char *line)
{
	(void)arg;
	(void)level;
	(void)line;
	reports++;
}

int main(int argc, char **argv)
{
	unsigned long mb = argc > 1 ? strtoul(argv[1], NULL, 0) : 256;
	char desc[256], err[256], val[64];
	if (mb < 16 || mb > 4096) {
		fprintf(stderr, "pressure: size %lu MB out of range 16..4096\n", mb);
		return 2;
	}
	snprintf(desc, sizeof desc, "cpus 2\nmem 0 0x1000-0x%lx\nswap %luM\nworkers threads\n",
		 mb * 1024 * 1024 - 1, mb);
	struct pf_machine *m = pf_machine_create(desc, err, sizeof err);
	if (!m) {
		fprintf(stderr, "pressure: %s\n", err);
		return 1;
	}
	pf_set_report_hook(m, quiet, NULL);
	unsigned long P = mb * 256, W = P * 3 / 2, S = W / NCG, N = 2 * W;
	static const char *names[NCG] = { "a", "b", "c" };
	for (int g = 0; g < NCG; g++) {
		struct set *s = &sets[g];
		pthread_mutex_init(&s->lock, NULL);
		s->n = S;
		s->nfile = 2 * S / 3;
		s->slot = calloc(S, sizeof *s->slot);
		for (int t = 0; t < 2; t++)
			s->as[t] = (struct pf_address_space){ &aops, s };
		s->cg = pf_memcg_create(m, NULL, names[g]);
		if (!s->slot || !s->cg)
			return 1;
	}
	snprintf(val, sizeof val, "%lu", P / 4 * 4096);
	pf_memcg_set(sets[0].cg, "memory.low", val);
	pf_memcg_set(sets[1].cg, "memory.max", val);
	cache.cap = P / 10;
	cache.obj = calloc(cache.cap, sizeof *cache.obj);
	lat_alloc = calloc(N, sizeof *lat_alloc);
	lat_fault = calloc(N, sizeof *lat_fault);
	static const struct pf_shrinker_ops sops = { cache_count, cache_scan };
	struct pf_shrinker *shr = pf_shrinker_register(m, "bench-cache", &sops, NULL, PF_DEFAULT_SEEKS);
	if (!cache.obj || !lat_alloc || !lat_fault || !shr)
		return 1;

	/* fill */
	for (unsigned long i = 0; i < S; i++)
		for (int g = 0; g < NCG; g++) {
			pf_memcg_attach(sets[g].cg);
			access_page(m, &sets[g], i);
			if (i % 4 == 0)
				cache_add(m);
		}

	/* measured phase */
	static const char *ctr[] = { "pgscan_kswapd", "pgsteal_kswapd", "pgscan_direct", "pgsteal_direct" };
	long c0[4];
	unsigned long long cg0[2] = { 0, 0 };
	for (int k = 0; k < 4; k++)
		c0[k] = vm(m, ctr[k]);
	for (int g = 0; g < NCG; g++) {
		cg0[0] += cgstat(sets[g].cg, "pgscan_direct");
		cg0[1] += cgstat(sets[g].cg, "pgsteal_direct");
	}
	int nk;
	pthread_mutex_lock(&cache.lock);
	unsigned long fail0 = nfail, cfreed0 = cache.freed;
	pthread_mutex_unlock(&cache.lock);
	uint64_t k0 = kswapd_cpu_ns(&nk), w0 = now_ns(CLOCK_MONOTONIC), u0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	measuring = true;
	for (unsigned long a = 0; a < N; a++) {
		int g = (int)(rnd() % NCG);
		unsigned long i = rnd() % 2 ? rnd() % (S / 10) * 10 : rnd() % S;
		pf_memcg_attach(sets[g].cg);
		access_page(m, &sets[g], i);
		if (a % 4 == 0)
			cache_add(m);
	}
	measuring = false;
	uint64_t w1 = now_ns(CLOCK_MONOTONIC), u1 = now_ns(CLOCK_THREAD_CPUTIME_ID), k1 = kswapd_cpu_ns(&nk);
	pf_memcg_attach(NULL);
	pthread_mutex_lock(&cache.lock);
	unsigned long cfreed = cache.freed - cfreed0;
	pthread_mutex_unlock(&cache.lock);

	printf("pageframe P0 machine_pages %lu pages\n", P);
	printf("pageframe P0 working_set %lu pages\n", W);
	printf("pageframe P0 accesses %lu n\n", N);
	printf("pageframe P0 faults %lu n\n", nlat);
	printf("pageframe P0 fault_failures %lu n\n", nfail - fail0);
	percentiles("alloc", lat_alloc, nlat);
	percentiles("fault", lat_fault, nlat);
	long stolen = 0;
	for (int k = 0; k < 4; k++) {
		long d = vm(m, ctr[k]) - c0[k];
		printf("pageframe P0 %s %ld pages\n", ctr[k], d);
		stolen += k % 2 ? d : 0;
	}
	unsigned long long cg1[2] = { 0, 0 };
	for (int g = 0; g < NCG; g++) {
		cg1[0] += cgstat(sets[g].cg, "pgscan_direct");
		cg1[1] += cgstat(sets[g].cg, "pgsteal_direct");
	}
	printf("pageframe P0 memcg_pgscan_direct %llu pages\n", cg1[0] - cg0[0]);
	printf("pageframe P0 memcg_pgsteal_direct %llu pages\n", cg1[1] - cg0[1]);
	printf("pageframe P0 shrinker_freed %lu objects\n", cfreed);
	printf("pageframe P0 kswapd_threads %d n\n", nk);
	printf("pageframe P0 kswapd_cpu %.1f ms\n", (k1 - k0) / 1e6);
	printf("pageframe P0 main_cpu %.1f ms\n", (u1 - u0) / 1e6);
	printf("pageframe P0 wall %.1f ms\n", (w1 - w0) / 1e6);

	/* teardown: kswapd first, then every page and swap entry back */
	pf_kswapd_stop(m);
	pf_shrinker_unregister(shr);
	for (unsigned long c = 0; c < cache.n; c++)
		pf_free_pages(cache.obj[(cache.head + c) % cache.cap], 0);
	for (int g = 0; g < NCG; g++) {
		for (unsigned long i = 0; i < S; i++) {
			struct slot *sl = &sets[g].slot[i];
			if (sl->page) {
				pf_lru_del(sl->page);
				pf_free_pages(sl->page, 0);
			} else if (i >= sets[g].nfile && sl->val) {
				pf_swap_free(m, sl->val);
			}
		}
		pf_memcg_destroy(sets[g].cg);
		free(sets[g].slot);
	}
	int rc = pf_check(m, err, sizeof err);
	if (rc)
		fprintf(stderr, "pressure: pf_check: %s\n", err);
	/* a working set 1.5x the machine cannot fit: no reclaim at all means the workload is broken */
	if (stolen + (long)(cg1[1] - cg0[1]) <= 0 || !nlat) {
		fprintf(stderr, "pressure: no page was reclaimed or faulted in\n");
		rc = 1;
	}
	pf_machine_destroy(m);
	free(cache.obj);
	free(lat_alloc);
	free(lat_fault);
	return rc ? 1 : 0;
}
