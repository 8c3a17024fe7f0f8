/* test_memcg_reclaim: LRU pages an owner adds while attached to a memcg are charged to it (memory.stat file, inactive_file); a memcg at memory.max reclaims its own LRU pages before a charge fails (try_to_free_mem_cgroup_pages from try_charge_memcg), never exceeding max, counting pgscan/pgsteal in its memory.stat; memory.low keeps a sibling's pages out of the parent's reclaim until nothing else is left, then the low-protected pages go and memory.events counts low, as 6.12's shrink_node_memcgs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include <pageframe/page.h>
#include "pf_testlib.h"

#define MACHINE "cpus 1\nmem 0 0x1000-0x7fffffff\n"
#define SLOTS 4096

/* an owner of clean file pages: every release is accepted */
struct owner {
	struct pf_address_space as;
	struct pf_page *slot[SLOTS];
	int n;			/* slots used */
	int released;
};

static bool release(struct pf_address_space *mapping, struct pf_page *page, unsigned long shadow)
{
	struct owner *o = mapping->host;
	(void)shadow;
	unsigned long i = page->index;
	if (i >= (unsigned long)o->n || o->slot[i] != page)
		return false;
	o->slot[i] = NULL;
	o->released++;
	return true;
}

static const struct pf_address_space_operations aops = { release, NULL, NULL };

static void owner_init(struct owner *o)
{
	memset(o, 0, sizeof *o);
	o->as.a_ops = &aops;
	o->as.host = o;
}

/* one clean file page onto the LRU: 0, or the error of pf_lru_cache_add (the page is freed then) */
static int owner_add(struct pf_machine *m, struct owner *o)
{
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_USER, 0);
	assert_non_null(p);
	p->index = (unsigned long)o->n;
	int rc = pf_lru_cache_add(p, &o->as, PF_LRU_FILE);
	if (rc) {
		pf_free_pages(p, 0);
		return rc;
	}
	o->slot[o->n++] = p;
	return 0;
}

static int owner_resident(struct owner *o)
{
	int r = 0;
	for (int i = 0; i < o->n; i++)
		r += o->slot[i] != NULL;
	return r;
}

static void owner_drop(struct owner *o)
{
	for (int i = 0; i < o->n; i++)
		if (o->slot[i]) {
			assert_int_equal(pf_lru_del(o->slot[i]), 0);
			pf_free_pages(o->slot[i], 0);
			o->slot[i] = NULL;
		}
}

static char *show(struct pf_memcg *cg, const char *file)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(pf_memcg_show(cg, file, f), 0);
	fclose(f);
	return buf;
}

static unsigned long long key(struct pf_memcg *cg, const char *file, const char *k)
{
	char *s = show(cg, file), *p = s;
	size_t kl = strlen(k);
	unsigned long long v = ~0ULL;
	while (p && *p) {
		if (!strncmp(p, k, kl) && p[kl] == ' ') {
			v = strtoull(p + kl + 1, NULL, 10);
			break;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	free(s);
	if (v == ~0ULL)
		fail_msg("no %s in %s", k, file);
	return v;
}

static void own_pages_first(void **state)
{
	(void)state;
	static struct owner o;
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct pf_memcg *box = pf_memcg_create(m, NULL, "box");
	assert_int_equal(pf_memcg_set(box, "memory.max", "16M"), 0);
	owner_init(&o);
	pf_memcg_attach(box);

	/* 4096 LRU pages charged: the memcg is full of page cache */
	for (int i = 0; i < SLOTS; i++)
		assert_int_equal(owner_add(m, &o), 0);
	assert_int_equal(key(box, "memory.stat", "file"), 16777216ULL);
	assert_int_equal(key(box, "memory.stat", "inactive_file"), 16777216ULL);
	char *cur = show(box, "memory.current");
	assert_string_equal(cur, "16777216\n");
	free(cur);

	/* 100 kmem pages: each charge that does not fit reclaims the box's own page cache first */
	struct pf_page *k[100];
	for (int i = 0; i < 100; i++) {
		k[i] = pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT, 0);
		assert_non_null(k[i]);
		cur = show(box, "memory.current");
		assert_true(strtoull(cur, NULL, 10) <= 16777216ULL);
		free(cur);
	}
	assert_true(o.released >= 100);
	assert_int_equal(owner_resident(&o), SLOTS - o.released);
	/* what was reclaimed is what memory.stat says was stolen, and it was the box's own */
	assert_int_equal(key(box, "memory.stat", "pgsteal"), (unsigned long long)o.released);
	assert_true(key(box, "memory.stat", "pgscan") >= (unsigned long long)o.released);
	assert_int_equal(key(box, "memory.stat", "file"), (unsigned long long)(SLOTS - o.released) * 4096);
	assert_int_equal(key(box, "memory.stat", "kernel"), 100ULL * 4096);
	assert_true(key(box, "memory.events", "max") > 0);
	assert_int_equal(key(box, "memory.events", "oom"), 0);

	for (int i = 0; i < 100; i++)
		pf_free_pages(k[i], 0);
	owner_drop(&o);
	assert_int_equal(key(box, "memory.stat", "file"), 0);
	assert_int_equal(key(box, "memory.stat", "inactive_file"), 0);
	pf_memcg_attach(NULL);
	pf_memcg_destroy(box);
	pf_test_check(m, "end");
	pf_machine_destroy(m);
}

/*
 * parent max 16M (4096 pages), children a (memory.low 8M, 1024 LRU pages: under its low,
 * the parent being the reclaim's root, elow = low) and b (the rest of the parent's room).
 */
static void low_protects_sibling(void **state)
{
	(void)state;
	static struct owner oa, ob;
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct pf_memcg *parent = pf_memcg_create(m, NULL, "parent");
	struct pf_memcg *a = pf_memcg_create(m, parent, "a");
	struct pf_memcg *b = pf_memcg_create(m, parent, "b");
	assert_int_equal(pf_memcg_set(parent, "memory.max", "16M"), 0);
	assert_int_equal(pf_memcg_set(a, "memory.low", "8M"), 0);
	owner_init(&oa);
	owner_init(&ob);

	pf_memcg_attach(a);
	for (int i = 0; i < 1024; i++)
		assert_int_equal(owner_add(m, &oa), 0);
	pf_memcg_attach(b);
	for (int i = 0; i < 3072; i++)
		assert_int_equal(owner_add(m, &ob), 0);
	assert_int_equal(key(parent, "memory.stat", "file"), 16777216ULL);

	/* b keeps adding: the parent is at max, reclaim takes b's pages, never a's */
	for (int i = 0; i < 200; i++)
		assert_int_equal(owner_add(m, &ob), 0);
	assert_true(ob.released >= 200);
	assert_int_equal(oa.released, 0);
	assert_int_equal(key(a, "memory.events", "low"), 0);
	assert_int_equal(key(parent, "memory.events", "low"), 0);

	/*
	 * b's page cache goes away and b fills the room with kmem, which reclaim cannot take:
	 * the next charge finds nothing but a's protected pages; the reclaim retries with
	 * memcg_low_reclaim, takes from a, and counts low events there.
	 */
	owner_drop(&ob);
	static struct pf_page *k[4096];
	int nk = 0;
	char *cur = show(parent, "memory.current");
	unsigned long long used = strtoull(cur, NULL, 10) / 4096;
	free(cur);
	while (used < 4096 - 64) {	/* leave the last batch: the next charges are singles */
		k[nk] = pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT, 0);
		assert_non_null(k[nk]);
		nk++;
		cur = show(parent, "memory.current");
		used = strtoull(cur, NULL, 10) / 4096;
		free(cur);
	}
	assert_int_equal(oa.released, 0);
	for (int i = 0; i < 200; i++) {
		k[nk] = pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT, 0);
		assert_non_null(k[nk]);
		nk++;
	}
	assert_true(oa.released > 0);
	assert_true(key(a, "memory.events", "low") > 0);
	assert_int_equal(key(a, "memory.events", "low"), key(a, "memory.events.local", "low"));
	assert_int_equal(key(parent, "memory.events", "low"), key(a, "memory.events", "low"));
	assert_int_equal(key(b, "memory.events", "low"), 0);
	assert_int_equal(key(parent, "memory.events", "oom"), 0);

	for (int i = 0; i < nk; i++)
		pf_free_pages(k[i], 0);
	owner_drop(&oa);
	pf_memcg_attach(NULL);
	pf_memcg_destroy(a);
	pf_memcg_destroy(b);
	pf_memcg_destroy(parent);
	pf_test_check(m, "end");
	pf_machine_destroy(m);
}

int main(void)
{
	pf_test_watchdog("test_memcg_reclaim", 60);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(own_pages_first),
		cmocka_unit_test(low_protects_sibling),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
