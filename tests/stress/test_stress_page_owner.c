/* test_stress_page_owner: with page_owner on, threads allocating and freeing (cross-thread frees included) while another reads page_owner, page_owner_stacks and kpageflags leave every record and count right: after the churn, one record per block still held and show_stacks' pages equal the pages held. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <stdatomic.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "pf_testlib.h"

#define THREADS 2
#define SLOTS 256
#define ROUNDS 20000

static struct pf_machine *m;
/* a block and its order in one word (struct pf_page is 64-byte aligned: the order fits the low bits) */
static _Atomic uintptr_t slot[THREADS * SLOTS];
#define SLOT_PAGE(v)	((struct pf_page *)((v) & ~(uintptr_t)63))
#define SLOT_ORDER(v)	((unsigned)((v) & 63))
static atomic_int writers_left;

static void *writer(void *arg)
{
	int t = (int)(intptr_t)arg;
	uint64_t s = 0x9e3779b97f4a7c15ULL * (unsigned)(t + 1);
	for (int r = 0; r < ROUNDS; r++) {
		/* a slot of this thread or (freeing only) of the other */
		unsigned i = (unsigned)(pf_test_xorshift64s(&s) % SLOTS) + (unsigned)t * SLOTS;
		unsigned j = (unsigned)(pf_test_xorshift64s(&s) % (THREADS * SLOTS));
		uintptr_t v = atomic_exchange(&slot[j], 0);
		if (v)
			pf_free_pages(SLOT_PAGE(v), SLOT_ORDER(v));
		if (!atomic_load(&slot[i])) {
			unsigned order = (unsigned)(pf_test_xorshift64s(&s) % 4);
			struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL | (order == 3 ? PF_GFP_COMP : 0), order);
			if (p) {
				uintptr_t expected = 0;
				if (!atomic_compare_exchange_strong(&slot[i], &expected, (uintptr_t)p | order))
					pf_free_pages(p, order);
			}
		}
	}
	atomic_fetch_sub(&writers_left, 1);
	return NULL;
}

static void *reader(void *arg)
{
	(void)arg;
	static const char *const views[] = { "page_owner", "page_owner_stacks", "kpageflags", "kpagecount" };
	for (unsigned k = 0; atomic_load(&writers_left) > 0; k++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		int rc = pf_show(m, views[k % 4], f);
		fclose(f);
		free(buf);
		if (rc)
			return (void *)1;
	}
	return NULL;
}

static long sum_after(const char *text, const char *prefix)
{
	long n = 0;
	for (const char *p = text; (p = strstr(p, prefix)); p += strlen(prefix))
		n += strtol(p + strlen(prefix), NULL, 10);
	return n;
}

static void churn_with_readers(void **state)
{
	(void)state;
	m = pf_test_boot("cpus 2\nmem 0 0x1000-0x9efff\nmem 0 0x100000-0x7ffffff\ncmdline page_owner=on\n");
	pthread_t w[THREADS], rd;
	atomic_store(&writers_left, THREADS);
	assert_int_equal(pthread_create(&rd, NULL, reader, NULL), 0);
	for (int t = 0; t < THREADS; t++)
		assert_int_equal(pthread_create(&w[t], NULL, writer, (void *)(intptr_t)t), 0);
	for (int t = 0; t < THREADS; t++)
		pthread_join(w[t], NULL);
	void *rrc;
	pthread_join(rd, &rrc);
	assert_null(rrc);

	long blocks = 0, pages = 0;
	for (int i = 0; i < THREADS * SLOTS; i++)
		if (atomic_load(&slot[i])) {
			blocks++;
			pages += 1L << SLOT_ORDER(atomic_load(&slot[i]));
		}
	char *view = pf_test_show(m, "page_owner");
	long records = 0;
	for (const char *p = view; (p = strstr(p, "Page allocated via order ")); p++)
		records++;
	assert_int_equal(records, blocks);
	free(view);
	char *stacks = pf_test_show(m, "page_owner_stacks");
	assert_int_equal(sum_after(stacks, "nr_base_pages: "), pages);
	free(stacks);
	for (int i = 0; i < THREADS * SLOTS; i++) {
		uintptr_t v = atomic_exchange(&slot[i], 0);
		if (v)
			pf_free_pages(SLOT_PAGE(v), SLOT_ORDER(v));
	}
	pf_test_check(m, "after the churn");
	pf_machine_destroy(m);
}

int main(void)
{
	pf_test_watchdog("test_stress_page_owner", 60);
	const struct CMUnitTest tests[] = { cmocka_unit_test(churn_with_readers) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
