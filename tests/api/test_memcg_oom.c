/* test_memcg_oom: a memcg at memory.max whose charge cannot be reclaimed calls the OOM killer for the memcg (6.12's mem_cgroup_oom / mem_cgroup_out_of_memory): only tasks registered in that memcg or below are eligible, the worst is killed, its freed pages let the charge through; the report carries the memcg's usage, limit, failcnt and memory.stat and the oom_memcg/task_memcg paths; memory.events counts max, oom and oom_kill where 6.12 counts them; with nothing left to kill the charge fails. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "pf_testlib.h"

#define MACHINE "cpus 1\nmem 0 0x1000-0x7fffffff\n"

static char lines[512][160];
static int nr_lines;

static void hook(void *arg, int level, const char *line)
{
	(void)arg;
	if (nr_lines < 512)
		snprintf(lines[nr_lines++], sizeof lines[0], "%c|%s", level, line);
}

static int find_line(const char *want)
{
	for (int i = 0; i < nr_lines; i++)
		if (!strcmp(lines[i], want))
			return i;
	return -1;
}

static void expect_line(const char *want)
{
	if (find_line(want) < 0) {
		for (int i = 0; i < nr_lines; i++)
			fprintf(stderr, "  %s\n", lines[i]);
		fail_msg("no line '%s'", want);
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

static void expect(struct pf_memcg *cg, const char *file, const char *want)
{
	char *got = show(cg, file);
	if (strcmp(got, want))
		fail_msg("%s is\n%s\nwant\n%s", file, got, want);
	free(got);
}

/* a task that owns pages: rss is what it holds, its kill frees them all */
struct task {
	struct pf_page *pages[300];
	int nr;
	long fixed_rss;	/* >= 0: report this and free nothing */
	int kills;
};

static void get_mm(void *arg, struct pf_oom_task_mm *mm)
{
	struct task *t = arg;
	memset(mm, 0, sizeof *mm);
	mm->rss_anon = t->fixed_rss >= 0 ? (unsigned long)t->fixed_rss : (unsigned long)t->nr;
	mm->total_vm = mm->rss_anon;
}

static void kill_task(void *arg)
{
	struct task *t = arg;
	t->kills++;
	while (t->nr > 0)
		pf_free_pages(t->pages[--t->nr], 0);
}

static const struct pf_oom_task_ops ops = { get_mm, kill_task };

static void memcg_oom(void **state)
{
	(void)state;
	static struct task hog = { .fixed_rss = -1 }, kid = { .fixed_rss = 10 }, outsider = { .fixed_rss = 10000 };
	struct pf_machine *m = pf_test_boot(MACHINE);
	pf_set_report_hook(m, hook, NULL);
	struct pf_memcg *box = pf_memcg_create(m, NULL, "box");
	struct pf_memcg *sub = pf_memcg_create(m, box, "sub");
	assert_int_equal(pf_memcg_set(box, "memory.max", "1M"), 0);	/* 256 pages */

	/* tasks belong to the memcg of the thread that registers them */
	assert_non_null(pf_oom_task_register(m, "outsider", 30, 0, &ops, &outsider));
	pf_memcg_attach(sub);
	assert_non_null(pf_oom_task_register(m, "kid", 20, 0, &ops, &kid));
	pf_memcg_attach(box);
	assert_non_null(pf_oom_task_register(m, "hog", 10, 0, &ops, &hog));

	/* the hog fills the box: 4 batches of 64, no failure */
	for (int i = 0; i < 256; i++)
		assert_non_null(hog.pages[hog.nr++] = pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT, 0));
	expect(box, "memory.current", "1048576\n");

	/*
	 * One more page: 18 passes of try_charge_memcg count max (the page_counter fails 19
	 * times: the batch of 64 first, then the page alone each pass), then mem_cgroup_oom
	 * counts oom and kills the worst eligible task: the hog (256 pages) over the kid (10);
	 * the outsider is not in the box.  Its 256 frees go through the stock (drained at 65,
	 * 130, 195: 61 pages stay in it), and the retry takes the page from the stock.
	 */
	nr_lines = 0;
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT, 0);
	assert_non_null(p);
	assert_int_equal(hog.kills, 1);
	assert_int_equal(kid.kills, 0);
	assert_int_equal(outsider.kills, 0);
	expect(box, "memory.events", "low 0\nhigh 0\nmax 18\noom 1\noom_kill 1\noom_group_kill 0\n");
	expect(box, "memory.events.local", "low 0\nhigh 0\nmax 18\noom 1\noom_kill 1\noom_group_kill 0\n");
	expect(sub, "memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n");
	expect(box, "memory.current", "249856\n");	/* 61 pages */
	assert_int_equal(pf_test_vmstat(m, "oom_kill"), 1);

	/* the report: mem_cgroup_print_oom_meminfo instead of Mem-Info, and the memcg paths */
	expect_line("6|memory: usage 1024kB, limit 1024kB, failcnt 19");
	expect_line("6|swap: usage 0kB, limit 9007199254740988kB, failcnt 0");
	expect_line("6|Memory cgroup stats for /box:");
	expect_line("6|kernel 1048576");
	expect_line("6|pgscan 0");
	assert_int_equal(find_line("4|Mem-Info:"), -1);
	expect_line("6|oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/box,"
		    "task_memcg=/box,task=hog,pid=10,uid=0");
	expect_line("3|Memory cgroup out of memory: Killed process 10 (hog) total-vm:1024kB, anon-rss:1024kB, "
		    "file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:0kB oom_score_adj:0");

	/*
	 * Fill the box again with pages no task owns: 1 + 255 = 256 charged (60 from the
	 * stock, three batches of 64, then 3 single pages).  The next page: 18 passes, the
	 * OOM kills the kid (in sub, below the box: eligible; the hog is reaped), which frees
	 * nothing; after the 16 retries (17 passes) the OOM finds nobody: -ENOMEM.
	 */
	static struct pf_page *more[256];
	more[0] = p;
	for (int i = 1; i < 256; i++)
		assert_non_null(more[i] = pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT, 0));
	expect(box, "memory.current", "1048576\n");
	nr_lines = 0;
	assert_null(pf_alloc_pages(m, PF_GFP_KERNEL_ACCOUNT, 0));
	assert_int_equal(kid.kills, 1);
	assert_int_equal(outsider.kills, 0);
	expect(box, "memory.events", "low 0\nhigh 0\nmax 53\noom 3\noom_kill 2\noom_group_kill 0\n");
	expect(box, "memory.events.local", "low 0\nhigh 0\nmax 53\noom 3\noom_kill 1\noom_group_kill 0\n");
	expect(sub, "memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 1\noom_group_kill 0\n");
	expect_line("6|oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/box,"
		    "task_memcg=/box/sub,task=kid,pid=20,uid=0");
	expect(box, "memory.current", "1048576\n");

	for (int i = 0; i < 256; i++)
		pf_free_pages(more[i], 0);
	pf_memcg_attach(NULL);
	pf_memcg_destroy(sub);
	pf_memcg_destroy(box);
	pf_test_check(m, "end");
	pf_machine_destroy(m);
}

int main(void)
{
	pf_test_watchdog("test_memcg_oom", 30);
	const struct CMUnitTest tests[] = { cmocka_unit_test(memcg_oom) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
