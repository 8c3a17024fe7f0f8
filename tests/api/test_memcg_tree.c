/* test_memcg_tree: a child is limited by its parent's memory.max (the max events counted at the parent, as 6.12's memcg_memory_event from the limiting memcg up); destroying a memcg with pages charged hands the charge to its parent (memcg_reparent_objcgs) and frees uncharge the parent, nothing lost; destroy is refused for a memcg with children; the thread attach scope (set_active_memcg) holds per thread. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "pf_testlib.h"

#define MACHINE "cpus 1\nmem 0 0x1000-0x7fffffff\n"

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

static unsigned long long current_pages(struct pf_memcg *cg)
{
	char *s = show(cg, "memory.current");
	unsigned long long v = strtoull(s, NULL, 10);
	free(s);
	assert_int_equal(v % 4096, 0);
	return v / 4096;
}

static unsigned long long kernel_pages(struct pf_memcg *cg)
{
	char *s = show(cg, "memory.stat");
	assert_int_equal(strncmp(s, "anon 0\nfile 0\nkernel ", 21), 0);
	unsigned long long v = strtoull(s + 21, NULL, 10);
	free(s);
	return v / 4096;
}

static void expect(struct pf_memcg *cg, const char *file, const char *want)
{
	char *got = show(cg, file);
	if (strcmp(got, want))
		fail_msg("%s is\n%s\nwant\n%s", file, got, want);
	free(got);
}

/* parent max 8M (2048 pages), child max 16M: the parent limits */
static void child_limited_by_parent(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct pf_memcg *parent = pf_memcg_create(m, NULL, "parent");
	struct pf_memcg *child = pf_memcg_create(m, parent, "child");
	assert_non_null(parent);
	assert_non_null(child);
	assert_int_equal(pf_memcg_set(parent, "memory.max", "8M"), 0);
	assert_int_equal(pf_memcg_set(child, "memory.max", "16M"), 0);
	pf_memcg_attach(child);

	static struct pf_page *pages[2048];
	for (int i = 0; i < 2048; i++) {
		pages[i] = pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT, 0);
		assert_non_null(pages[i]);
	}
	assert_int_equal(current_pages(child), 2048);
	assert_int_equal(current_pages(parent), 2048);
	assert_null(pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT | PF___GFP_NOWARN, 0));
	/* the 18 passes of try_charge_memcg count max at the parent, which limits; oom too */
	expect(parent, "memory.events", "low 0\nhigh 0\nmax 18\noom 1\noom_kill 0\noom_group_kill 0\n");
	expect(parent, "memory.events.local", "low 0\nhigh 0\nmax 18\noom 1\noom_kill 0\noom_group_kill 0\n");
	expect(child, "memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n");
	expect(child, "memory.events.local", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n");
	/* the parent's stats are its subtree's */
	assert_int_equal(kernel_pages(parent), 2048);
	assert_int_equal(kernel_pages(child), 2048);

	/* a child limited by its own max: events there and, above it, at the parent */
	assert_int_equal(pf_memcg_set(parent, "memory.max", "max"), 0);
	expect(parent, "memory.max", "max\n");
	assert_int_equal(pf_memcg_set(child, "memory.max", "8M"), 0);
	assert_null(pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT | PF___GFP_NOWARN, 0));
	expect(child, "memory.events", "low 0\nhigh 0\nmax 18\noom 1\noom_kill 0\noom_group_kill 0\n");
	expect(child, "memory.events.local", "low 0\nhigh 0\nmax 18\noom 1\noom_kill 0\noom_group_kill 0\n");
	expect(parent, "memory.events", "low 0\nhigh 0\nmax 36\noom 2\noom_kill 0\noom_group_kill 0\n");
	expect(parent, "memory.events.local", "low 0\nhigh 0\nmax 18\noom 1\noom_kill 0\noom_group_kill 0\n");

	for (int i = 0; i < 2048; i++)
		pf_free_pages(pages[i], 0);
	pf_memcg_attach(NULL);
	pf_memcg_destroy(child);
	pf_memcg_destroy(parent);
	pf_test_check(m, "end");
	pf_machine_destroy(m);
}

struct log {
	int busy;
};

static void hook(void *arg, int level, const char *line)
{
	struct log *log = arg;
	(void)level;
	if (strstr(line, "still has child memcgs (EBUSY)"))
		log->busy++;
}

/*
 * One CPU, so one stock: the numbers below follow it exactly.  The child charges 100
 * pages: two batches of 64 (128), 28 left in the stock.
 */
static void reparent_on_destroy(void **state)
{
	(void)state;
	struct log log = { 0 };
	struct pf_machine *m = pf_test_boot(MACHINE);
	pf_set_report_hook(m, hook, &log);
	struct pf_memcg *parent = pf_memcg_create(m, NULL, "p");
	struct pf_memcg *child = pf_memcg_create(m, parent, "c");
	struct pf_memcg *other = pf_memcg_create(m, NULL, "o");
	pf_memcg_attach(child);
	struct pf_page *pages[100];
	for (int i = 0; i < 100; i++)
		assert_non_null(pages[i] = pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT, 0));
	assert_int_equal(current_pages(child), 128);
	assert_int_equal(current_pages(parent), 128);

	/* the parent has a child: refused, with a report, nothing changes */
	pf_memcg_destroy(parent);
	assert_int_equal(log.busy, 1);
	assert_int_equal(current_pages(parent), 128);

	/* the child goes: its stock drains (28), its 100 pages stay charged - to the parent now */
	pf_memcg_attach(NULL);
	pf_memcg_destroy(child);
	assert_int_equal(current_pages(parent), 100);
	assert_int_equal(kernel_pages(parent), 100);

	/*
	 * The frees uncharge the parent through the reparented objcg, into the stock:
	 * drained at 65 pages, so 100 frees leave 35 there.
	 */
	for (int i = 0; i < 100; i++)
		pf_free_pages(pages[i], 0);
	assert_int_equal(kernel_pages(parent), 0);
	assert_int_equal(current_pages(parent), 35);
	/* another memcg charging on this CPU drains the parent's stock: nothing was lost */
	pf_memcg_attach(other);
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT, 0);
	assert_non_null(p);
	assert_int_equal(current_pages(parent), 0);
	assert_int_equal(current_pages(other), 64);
	pf_free_pages(p, 0);
	pf_memcg_attach(NULL);

	/* now the parent may go */
	pf_memcg_destroy(parent);
	assert_int_equal(log.busy, 1);
	pf_memcg_destroy(other);
	pf_test_check(m, "end");
	pf_machine_destroy(m);
}

/* a thread attached to a memcg that is destroyed charges the nearest live ancestor (current_obj_cgroup) */
static void attached_to_destroyed(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct pf_memcg *parent = pf_memcg_create(m, NULL, "p");
	struct pf_memcg *child = pf_memcg_create(m, parent, "c");
	pf_memcg_attach(child);
	pf_memcg_destroy(child);
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT, 1);
	assert_non_null(p);
	assert_int_equal(current_pages(parent), 64);
	assert_int_equal(kernel_pages(parent), 2);
	/* handed back (the caller may attach it again: it stays valid while the machine lives) */
	assert_ptr_equal(pf_memcg_attach(NULL), child);
	assert_null(pf_memcg_attach(child));
	assert_ptr_equal(pf_memcg_attach(NULL), child);
	pf_free_pages(p, 1);
	assert_int_equal(kernel_pages(parent), 0);
	pf_memcg_destroy(parent);
	pf_test_check(m, "end");
	pf_machine_destroy(m);
}

struct thread_arg {
	struct pf_machine *m;
	struct pf_memcg *cg;	/* attach to this first (NULL: stay at the root) */
	struct pf_page *page;
	struct pf_memcg *seen;	/* what attach returned */
};

static void *thread_fn(void *p)
{
	struct thread_arg *a = p;
	if (a->cg)
		a->seen = pf_memcg_attach(a->cg);
	a->page = pf_alloc_pages(a->m, PF_GFP_KERNEL_ACCOUNT, 3);	/* 8 pages */
	if (a->cg)
		pf_memcg_attach(NULL);
	return NULL;
}

/* set_active_memcg is per thread: another thread's allocations are not this thread's memcg's */
static void attach_is_per_thread(void **state)
{
	(void)state;
	struct pf_machine *m = pf_test_boot(MACHINE);
	struct pf_memcg *a = pf_memcg_create(m, NULL, "a");
	struct pf_memcg *b = pf_memcg_create(m, NULL, "b");
	assert_null(pf_memcg_attach(a));

	struct thread_arg t1 = { m, NULL, NULL, NULL }, t2 = { m, b, NULL, NULL };
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, thread_fn, &t1), 0);
	pthread_join(th, NULL);
	assert_int_equal(pthread_create(&th, NULL, thread_fn, &t2), 0);
	pthread_join(th, NULL);
	assert_non_null(t1.page);
	assert_non_null(t2.page);
	assert_null(t2.seen);		/* a new thread starts at the root */
	assert_int_equal(kernel_pages(a), 0);	/* t1 stayed at the root */
	assert_int_equal(kernel_pages(b), 8);
	struct pf_page *mine = pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT, 0);
	assert_int_equal(kernel_pages(a), 1);
	assert_ptr_equal(pf_memcg_attach(b), a);
	assert_ptr_equal(pf_memcg_attach(a), b);
	pf_free_pages(mine, 0);
	pf_free_pages(t1.page, 3);
	pf_free_pages(t2.page, 3);	/* uncharged from b, whichever thread frees */
	assert_int_equal(kernel_pages(b), 0);
	assert_int_equal(kernel_pages(a), 0);
	pf_memcg_attach(NULL);
	pf_memcg_destroy(a);
	pf_memcg_destroy(b);
	pf_machine_destroy(m);
}

int main(void)
{
	pf_test_watchdog("test_memcg_tree", 60);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(child_limited_by_parent),
		cmocka_unit_test(reparent_on_destroy),
		cmocka_unit_test(attached_to_destroyed),
		cmocka_unit_test(attach_is_per_thread),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
