/* SPDX-License-Identifier: MIT */
/*
 * workloads.h - the benchmark workloads, written once over an allocator
 * interface so that pageframe and every peer run exactly the same code.
 *
 *   a  order-0 churn: allocate 100 000 blocks, free them LIFO; 20 rounds
 *   b  the same, freeing in a random (pre-shuffled) order
 *   c  mixed orders 0-4 weighted 60/20/10/5/5 %, random slot churn that
 *      settles near 50 % occupancy, 2 000 000 operations
 *   d  two threads each running (a) at once, after one untimed round each
 *      (as (a) has), timed from a barrier they pass together
 *   e  64 order-0 blocks in one bulk call, then their frees (one batch call
 *      where the allocator has one); 20 000 rounds
 *
 * A bench program defines BENCH_NAME, bench_init(), bench_alloc(order),
 * bench_free(ptr, order), optionally bench_alloc_bulk() and (with
 * BENCH_FREE_BULK defined) bench_free_bulk(v, n) for e's frees; then includes
 * this file, which provides main().  Output: one line per workload,
 * "name workload value unit".  A program that runs the workloads its own way
 * (bench/scale.c) defines WORKLOADS_NO_MAIN and calls run_a and c_step itself.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define A_BLOCKS 100000
#define A_ROUNDS 20
#define C_SLOTS 100000
#define C_OPS 2000000
#define E_BATCH 64
#define E_ROUNDS 20000

/* -DBENCH_CLOCK=CLOCK_THREAD_CPUTIME_ID: CPU time, for comparisons on a loaded host */
#ifndef BENCH_CLOCK
#define BENCH_CLOCK CLOCK_MONOTONIC
#endif

static inline uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(BENCH_CLOCK, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static double run_a(void **blocks, int random_order, const uint32_t *perm)
{
	uint64_t t0 = now_ns();
	for (int r = 0; r < A_ROUNDS; r++) {
		for (int i = 0; i < A_BLOCKS; i++)
			blocks[i] = bench_alloc(0);
		if (random_order)
			for (int i = 0; i < A_BLOCKS; i++)
				bench_free(blocks[perm[i]], 0);
		else
			for (int i = A_BLOCKS - 1; i >= 0; i--)
				bench_free(blocks[i], 0);
	}
	return (double)(now_ns() - t0) / ((double)A_BLOCKS * A_ROUNDS);
}

/* One step of (c): a random slot is freed if used, else filled with a block of a weighted order. */
static inline void c_step(void **slot, unsigned char *ord, uint64_t *s)
{
	uint64_t r = xorshift(s);
	uint32_t k = (uint32_t)(r % C_SLOTS);
	if (slot[k]) {
		bench_free(slot[k], ord[k]);
		slot[k] = NULL;
	} else {
		unsigned w = (unsigned)((r >> 32) % 100);
		unsigned o = w < 60 ? 0 : w < 80 ? 1 : w < 90 ? 2 : w < 95 ? 3 : 4;
		slot[k] = bench_alloc(o);
		ord[k] = (unsigned char)o;
	}
}

#ifndef WORKLOADS_NO_MAIN
static double run_c(void)
{
	void **slot = calloc(C_SLOTS, sizeof *slot);
	unsigned char *ord = calloc(C_SLOTS, 1);
	uint64_t s = 0x1234567;
	for (int i = 0; i < C_OPS / 4; i++)	/* warm up to the steady state, untimed */
		c_step(slot, ord, &s);
	uint64_t t0 = now_ns();
	for (int i = 0; i < C_OPS; i++)
		c_step(slot, ord, &s);
	double ns = (double)(now_ns() - t0) / C_OPS;
	for (int k = 0; k < C_SLOTS; k++)
		if (slot[k])
			bench_free(slot[k], ord[k]);
	free(slot);
	free(ord);
	return ns;
}

struct thread_arg {
	double ns;
};

/* (d)'s start line: both threads and main, once the threads are warm */
static pthread_barrier_t d_start;

/*
 * One thread of (d): its set-up (bench_thread_start) and one untimed round
 * of (a), as (a) itself has, so that (d) compares steady states; then the
 * barrier, then the timed run.
 */
static void *thread_a(void *p)
{
	struct thread_arg *ta = p;
	void **blocks = malloc(A_BLOCKS * sizeof *blocks);
	bench_thread_start();
	run_a(blocks, 0, NULL);
	pthread_barrier_wait(&d_start);
	ta->ns = run_a(blocks, 0, NULL);
	free(blocks);
	return NULL;
}

static double run_e(void)
{
	void *v[E_BATCH];
	uint64_t t0 = now_ns();
	for (int r = 0; r < E_ROUNDS; r++) {
		int n = bench_alloc_bulk(v, E_BATCH);
#ifdef BENCH_FREE_BULK
		bench_free_bulk(v, n);	/* an allocator with a batch free call uses it */
#else
		for (int i = 0; i < n; i++)
			bench_free(v[i], 0);
#endif
	}
	return (double)(now_ns() - t0) / E_ROUNDS;
}

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : "abcde";
	bench_init();
	void **blocks = malloc(A_BLOCKS * sizeof *blocks);
	uint32_t *perm = malloc(A_BLOCKS * sizeof *perm);
	uint64_t s = 42;
	for (uint32_t i = 0; i < A_BLOCKS; i++)
		perm[i] = i;
	for (uint32_t i = A_BLOCKS - 1; i > 0; i--) {
		uint32_t j = (uint32_t)(xorshift(&s) % (i + 1));
		uint32_t t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	if (strchr(only, 'a')) {
		run_a(blocks, 0, perm);		/* warm-up round */
		printf("%s a %.2f ns/pair\n", BENCH_NAME, run_a(blocks, 0, perm));
	}
	if (strchr(only, 'b')) {
		run_a(blocks, 1, perm);
		printf("%s b %.2f ns/pair\n", BENCH_NAME, run_a(blocks, 1, perm));
	}
	if (strchr(only, 'c'))
		printf("%s c %.2f ns/op\n", BENCH_NAME, run_c());
	if (strchr(only, 'd')) {
		pthread_t t[2];
		struct thread_arg ta[2];
		pthread_barrier_init(&d_start, NULL, 3);
		for (int i = 0; i < 2; i++)
			pthread_create(&t[i], NULL, thread_a, &ta[i]);
		pthread_barrier_wait(&d_start);	/* both warm: the clock starts with their timed runs */
		uint64_t t0 = now_ns();
		for (int i = 0; i < 2; i++)
			pthread_join(t[i], NULL);
		pthread_barrier_destroy(&d_start);
		double secs = (double)(now_ns() - t0) / 1e9;
		printf("%s d %.2f ns/pair-per-thread\n", BENCH_NAME, (ta[0].ns + ta[1].ns) / 2);
		printf("%s d_total %.2f Mpairs/s\n", BENCH_NAME, 2.0 * A_BLOCKS * A_ROUNDS / secs / 1e6);
	}
	if (strchr(only, 'e'))
		printf("%s e %.2f ns/batch64\n", BENCH_NAME, run_e());
	free(blocks);
	free(perm);
	return 0;
}
#endif /* WORKLOADS_NO_MAIN */
