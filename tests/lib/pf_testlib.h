/* SPDX-License-Identifier: MIT */
/*
 * pf_testlib.h - helpers shared by every test program (tests/lib, built as the
 * static library pf_testlib).  Only the public API (include/pageframe) is used
 * here, so tests/api programs can link it without src/ on their include path.
 * Include after <cmocka.h> (its assert/fail macros are used by the helpers).
 */
#ifndef PF_TESTLIB_H
#define PF_TESTLIB_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <pageframe/pageframe.h>

/* ---- random numbers ---------------------------------------------------------------- */

/* xorshift64*: a fixed-seed PRNG independent of libc; each user keeps its own state (never 0). */
static inline uint64_t pf_test_xorshift64s(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 0x2545f4914f6cdd1dULL;
}

/* ---- machines ---------------------------------------------------------------------------- */

/* pf_test_boot - pf_machine_create(@desc), or fail the current test with the parser's reason. */
struct pf_machine *pf_test_boot(const char *desc);

/* pf_test_show - a pf_show view as a malloc'd string (free() it); fails the test on error. */
char *pf_test_show(struct pf_machine *m, const char *what);

/*
 * pf_test_show_drained - as pf_test_show, after returning every per-CPU list to
 * the buddy lists (pf_drain_all_pages): freed order-0..3 pages wait on those
 * lists, which buddyinfo does not count (as in the kernel).
 */
char *pf_test_show_drained(struct pf_machine *m, const char *what);

/* pf_test_vmstat - one pf_vmstat_get item; fails the test if the name is unknown. */
long pf_test_vmstat(struct pf_machine *m, const char *name);

/* pf_test_check - pf_check, failing the test with its first violation and @when. */
void pf_test_check(struct pf_machine *m, const char *when);

/* ---- content stamps ---------------------------------------------------------------------- */

/* The word written at the start of page @pfn of a block handed out in generation @gen. */
static inline uint64_t pf_test_stamp_of(unsigned long pfn, uint64_t gen)
{
	return ((uint64_t)pfn * 0x9e3779b97f4a7c15ULL) ^ (gen << 1) ^ 0x5a5a000000000001ULL;
}

/* Which pages of a 2^@order block carry a stamp: all of a small block, else first, last and every 32nd (+17). */
static inline bool pf_test_stamped(unsigned long i, unsigned order)
{
	unsigned long n = 1UL << order;
	return order <= 3 || i == 0 || i == n - 1 || (i % 32) == 17;
}

/* Stamp the first word of the stamped pages of a hosted block (no-op without backing). */
void pf_test_stamp_block(struct pf_page *page, unsigned order, uint64_t gen);

/*
 * Check the stamps pf_test_stamp_block wrote; returns -1 when all hold, else
 * the index of the first page whose stamp changed (printed to stderr).
 */
long pf_test_stamp_check(struct pf_page *page, unsigned order, uint64_t gen);

/* ---- hang watchdog ------------------------------------------------------------------------ */

/*
 * pf_test_watchdog - arm an alarm: if the program is still running after
 * @seconds, print "WATCHDOG: <test> still running after N s, phase: <phase>"
 * to stderr and abort(), so a hang fails fast and says what hung.  The
 * environment's PF_TEST_WATCHDOG (seconds; set by tests/CMakeLists.txt just
 * under each test's TIMEOUT) overrides @seconds; 0 disarms.
 */
void pf_test_watchdog(const char *test, unsigned seconds);

/* pf_test_phase - name what the program is doing now (printf format), for the watchdog's message. */
void pf_test_phase(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* PF_TESTLIB_H */
