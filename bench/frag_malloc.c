/* SPDX-License-Identifier: MIT */
/*
 * frag_malloc.c - the shape of frag.c's F0, F1 and F2 over a malloc
 * (glibc, jemalloc, mimalloc or tcmalloc, which replace malloc when
 * linked; BENCH_NAME names it).  A malloc has no fixed memory and no
 * compaction, so "allocatable" becomes: of the 2 MiB-aligned 2 MiB blocks
 * that the freed memory could hold, how many does the allocator build
 * from the address range the 4 KiB blocks occupied (memory it already had)
 * rather than from fresh address space.
 *
 *   F0  262 144 aligned_alloc(4096, 4096) blocks (1 GiB), 1 in 10 kept at
 *       random (xorshift64*, seed 1, as frag.c), the rest freed.
 *   F1  1 048 576 blocks (4 GiB), 1 in 10 kept (seed 2), a random half of
 *       the others freed (Fisher-Yates, same seed).
 *   F2  as F1 with 1 in 4 kept (seed 3).
 *   possible = bytes freed / 2 MiB; then `possible` aligned_alloc(2 MiB,
 *   2 MiB) calls; order9 = those lying wholly inside [lowest, highest
 *   address] of the 4 KiB blocks.  Nothing is written to the blocks.
 * Output: "NAME F<n> <key> <value> <unit>", as frag.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef BENCH_NAME
#define BENCH_NAME "glibc"
#endif

#define SMALL 4096UL
#define HUGE (2UL << 20)

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

static void run(const char *scn, size_t n, unsigned kept_in, uint64_t seed, int free_half)
{
	void **blk = malloc(n * sizeof *blk);
	unsigned char *keep = malloc(n);
	uintptr_t lo = UINTPTR_MAX, hi = 0;
	size_t nmov = 0;
	for (size_t i = 0; i < n; i++) {
		keep[i] = rnd(&seed) % kept_in == 0;
		blk[i] = aligned_alloc(SMALL, SMALL);
		if (!blk[i]) {
			n = i;
			break;
		}
		uintptr_t a = (uintptr_t)blk[i];
		lo = a < lo ? a : lo;
		hi = a + SMALL > hi ? a + SMALL : hi;
		nmov += !keep[i];
	}
	size_t *mov = malloc((nmov ? nmov : 1) * sizeof *mov), k = 0;
	for (size_t i = 0; i < n; i++)
		if (!keep[i])
			mov[k++] = i;
	size_t nfree = nmov;
	if (free_half) {
		for (size_t i = nmov - 1; i > 0; i--) {
			size_t j = (size_t)(rnd(&seed) % (i + 1)), t = mov[i];
			mov[i] = mov[j];
			mov[j] = t;
		}
		nfree = nmov / 2;
	}
	for (size_t i = 0; i < nfree; i++) {
		free(blk[mov[i]]);
		blk[mov[i]] = NULL;
	}
	size_t possible = nfree * SMALL / HUGE, inside = 0;
	void **big = malloc((possible ? possible : 1) * sizeof *big);
	for (size_t i = 0; i < possible; i++) {
		big[i] = aligned_alloc(HUGE, HUGE);
		uintptr_t a = (uintptr_t)big[i];
		if (big[i] && a >= lo && a + HUGE <= hi)
			inside++;
	}
	printf("%s %s order9 %zu blocks\n", BENCH_NAME, scn, inside);
	printf("%s %s possible %zu blocks\n", BENCH_NAME, scn, possible);
	printf("%s %s ratio %.6g %%\n", BENCH_NAME, scn, possible ? 100.0 * (double)inside / (double)possible : 0.0);
	for (size_t i = 0; i < possible; i++)
		free(big[i]);
	for (size_t i = 0; i < n; i++)
		free(blk[i]);
	free(big);
	free(mov);
	free(keep);
	free(blk);
}

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : "012";
	if (strchr(only, '0'))
		run("F0", 1UL << 18, 10, 1, 0);
	if (strchr(only, '1'))
		run("F1", 1UL << 20, 10, 2, 1);
	if (strchr(only, '2'))
		run("F2", 1UL << 20, 4, 3, 1);
	return 0;
}
