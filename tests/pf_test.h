/* SPDX-License-Identifier: MIT */
/*
 * pf_test.h - helpers shared by the cmocka test programs (include after
 * <cmocka.h> and <pageframe/pageframe.h>).
 */
#ifndef PF_TEST_H
#define PF_TEST_H

#include <stdint.h>
#include <stdio.h>

/* xorshift64*: a fixed-seed PRNG independent of libc; each test keeps its own state. */
static inline uint64_t pf_test_xorshift64s(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 0x2545f4914f6cdd1dULL;
}

/*
 * pf_test_show_drained - a /proc view as text (malloc'd), after returning the
 * per-CPU lists to the buddy lists: freed order-0..3 pages wait on those lists,
 * which buddyinfo does not count (as in the kernel).
 */
static inline char *pf_test_show_drained(struct pf_machine *m, const char *what)
{
	pf_drain_all_pages(m);
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(pf_show(m, what, f), 0);
	fclose(f);
	return buf;
}

#endif /* PF_TEST_H */
