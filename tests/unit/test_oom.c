/* test_oom: out_of_memory picks the task oom_badness (6.12) picks - rss + swap + page tables + adj * totalpages / 1000, -1000 never, ties to the later task - for hand-made task sets, prints the kernel's report (invoked oom-killer, Mem-Info, the task table, oom-kill:constraint=..., Killed process, oom_reaper), runs the hook first, fails with nothing to kill, honours GFP_NOFS, the constraints, oom_kill_allocating_task and panic_on_oom, and lets callbacks re-enter the allocator and the task calls without deadlock. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <pageframe/pageframe.h>
#include "mm/oom.h"
#include "mm/sched.h"
#include "pf_testlib.h"

/*
 * 63 MiB from 1 MiB, one node, no backing: DMA 3840 pages, DMA32 12288, all
 * managed: totalram_pages = 16128, no swap, so totalpages = 16128 and one
 * point of oom_score_adj is 16128 / 1000 = 16 pages.
 */
#define SMALL "cpus 1\nmem 0 0x100000-0x3ffffff\nbacking none\n"
#define TWO_NODES "cpus 2\nnode 0 cpus 0\nnode 1 cpus 1\nmem 0 0x100000-0x3ffffff\nmem 1 0x4000000-0x7ffffff\n" \
		  "backing none\n"

/* ---- report lines ------------------------------------------------------------------------- */

#define MAX_LINES 256
static char lines[MAX_LINES][512];
static int nr_lines;

static void keep(void *arg, int level, const char *line)
{
	(void)arg;
	if (nr_lines < MAX_LINES)
		snprintf(lines[nr_lines], sizeof lines[0], "%c|%s", level, line);
	nr_lines++;
}

/* index of the first line equal to @want (with its level), or -1 */
static int find_line(const char *want)
{
	for (int i = 0; i < nr_lines && i < MAX_LINES; i++)
		if (!strcmp(lines[i], want))
			return i;
	return -1;
}

static int count_with(const char *word)
{
	int n = 0;
	for (int i = 0; i < nr_lines && i < MAX_LINES; i++)
		n += strstr(lines[i], word) != NULL;
	return n;
}

static void expect_line(const char *want)
{
	if (find_line(want) < 0) {
		print_error("missing line: '%s'\n", want);
		for (int i = 0; i < nr_lines && i < MAX_LINES; i++)
			print_error("  %s\n", lines[i]);
		fail();
	}
}

static struct pf_machine *boot(const char *desc)
{
	struct pf_machine *m = pf_test_boot(desc);
	pf_set_report_hook(m, keep, NULL);
	nr_lines = 0;
	return m;
}

/* ---- tasks -------------------------------------------------------------------------------- */

struct task {
	struct pf_oom_task_mm mm;
	int kills;
	struct pf_oom_task *self;
	bool unregister_in_kill;
	/* pages it really holds (hosted machines only) */
	struct pf_page *pages[16];
	int nr_pages;
};

static void task_get_mm(void *arg, struct pf_oom_task_mm *mm)
{
	struct task *t = arg;
	*mm = t->mm;
}

static void task_kill(void *arg)
{
	struct task *t = arg;
	t->kills++;
	t->mm.rss_anon = t->mm.rss_file = t->mm.rss_shmem = 0;
	t->mm.swapents = 0;
	t->mm.pgtables_bytes = 0;
	for (int i = 0; i < t->nr_pages; i++)
		pf_free_pages(t->pages[i], 0);
	t->nr_pages = 0;
	if (t->unregister_in_kill) {
		pf_oom_task_unregister(t->self);
		t->self = NULL;
	}
}

static const struct pf_oom_task_ops task_ops = { task_get_mm, task_kill };

static struct pf_oom_task *add(struct pf_machine *m, struct task *t, const char *comm, int pid, short adj)
{
	struct pf_oom_task *p = pf_oom_task_register(m, comm, pid, adj, &task_ops, t);
	assert_non_null(p);
	t->self = p;
	return p;
}

static bool oom(struct pf_machine *m, pf_gfp_t gfp, int order)
{
	struct oom_control oc = {
		.m = m,
		.zonelist = node_zonelist(m, 0, gfp),
		.gfp_mask = gfp,
		.order = order,
	};
	pf_spin_lock(&m->oom_lock);
	bool ret = out_of_memory(&oc);
	pf_spin_unlock(&m->oom_lock);
	return ret;
}

/*
 * The hand-made set on SMALL (totalpages 16128, 16 pages per adj point):
 *   small   pid 101  rss 1000                              -> 1000
 *   swapper pid 102  rss 800, swap 300                     -> 1100
 *   pinned  pid 103  rss 5000, adj -1000                   -> never
 *   boosted pid 104  rss 500, adj 50: 500 + 50 * 16        -> 1300
 *   tie     pid 105  rss 1200, page tables 409600 B = 100  -> 1300 (met after boosted: chosen)
 *   shy     pid 106  rss 2000, adj -100: 2000 - 1600       -> 400
 * Kills in order: tie, boosted, swapper, small, shy, then nothing.
 */
static struct task tasks[6];

static void add_set(struct pf_machine *m)
{
	memset(tasks, 0, sizeof tasks);
	tasks[0].mm = (struct pf_oom_task_mm){ .total_vm = 2000, .rss_anon = 1000 };
	tasks[1].mm = (struct pf_oom_task_mm){ .total_vm = 3000, .rss_anon = 800, .swapents = 300 };
	tasks[2].mm = (struct pf_oom_task_mm){ .total_vm = 5000, .rss_anon = 5000 };
	tasks[3].mm = (struct pf_oom_task_mm){ .total_vm = 600, .rss_anon = 500 };
	tasks[4].mm = (struct pf_oom_task_mm){ .total_vm = 1500, .rss_anon = 1200, .pgtables_bytes = 409600 };
	tasks[5].mm = (struct pf_oom_task_mm){ .total_vm = 2500, .rss_file = 2000 };
	add(m, &tasks[0], "small", 101, 0);
	add(m, &tasks[1], "swapper", 102, 0);
	add(m, &tasks[2], "pinned", 103, -1000);
	add(m, &tasks[3], "boosted", 104, 50);
	add(m, &tasks[4], "tie", 105, 0);
	add(m, &tasks[5], "shy", 106, -100);
}

static char traced[8][512];
static int nr_traced;

static void keep_trace(void *arg, const char *line)
{
	(void)arg;
	if (nr_traced < 8)
		snprintf(traced[nr_traced], sizeof traced[0], "%s", line);
	nr_traced++;
}

static void test_badness_order_and_report(void **state)
{
	(void)state;
	struct pf_machine *m = boot(SMALL);
	add_set(m);
	static const long points[6] = { 1000, 1100, LONG_MIN, 1300, 1300, 400 };
	for (int i = 0; i < 6; i++)
		assert_true(oom_badness(tasks[i].self, 16128) == points[i]);

	assert_int_equal(pf_set_trace(m, "mark_victim,wake_reaper,start_task_reaping,finish_task_reaping,"
				      "oom_score_adj_update", keep_trace, NULL), 0);
	assert_true(oom(m, PF_GFP_KERNEL, 0));
	pf_set_trace(m, NULL, NULL, NULL);
	assert_int_equal(tasks[4].kills, 1);
	assert_int_equal(pf_test_vmstat(m, "oom_kill"), 1);

	/* the report, line by line where the kernel's format fixes it (gfp 0xcc0: __GFP_IO|FS|RECLAIM) */
	char want[512];
	snprintf(want, sizeof want, "4|%s invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
		 pf_os_comm());
	expect_line(want);
	assert_true(find_line("4|Mem-Info:") > find_line(want));
	expect_line("6|Tasks state (memory values in pages):");
	expect_line("6|[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents "
		    "oom_score_adj name");
	expect_line("6|[    101]     0   101     2000     1000     1000        0         0        0        0         "
		    "    0 small");
	expect_line("6|[    102]     0   102     3000      800      800        0         0        0      300         "
		    "    0 swapper");
	expect_line("6|[    103]     0   103     5000     5000     5000        0         0        0        0         "
		    "-1000 pinned");
	expect_line("6|[    105]     0   105     1500     1200     1200        0         0   409600        0         "
		    "    0 tie");
	expect_line("6|[    106]     0   106     2500     2000        0     2000         0        0        0         "
		    " -100 shy");
	expect_line("6|oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,"
		    "task_memcg=/,task=tie,pid=105,uid=0");
	/* K(): pages * 4; page tables bytes >> 10 */
	expect_line("3|Out of memory: Killed process 105 (tie) total-vm:6000kB, anon-rss:4800kB, file-rss:0kB, "
		    "shmem-rss:0kB, UID:0 pgtables:400kB oom_score_adj:0");
	expect_line("6|oom_reaper: reaped process 105 (tie), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB");
	/* the events in the order 6.12 gives them: the victim marked, then the reaper woken, reaping, done */
	assert_int_equal(nr_traced, 4);
	assert_non_null(strstr(traced[0], "mark_victim: pid=105 comm=tie total-vm=6000kB anon-rss=4800kB "
				"file-rss:0kB shmem-rss:0kB uid=0 pgtables=400kB oom_score_adj=0"));
	assert_non_null(strstr(traced[1], "wake_reaper: pid=105"));
	assert_non_null(strstr(traced[2], "start_task_reaping: pid=105"));
	assert_non_null(strstr(traced[3], "finish_task_reaping: pid=105"));

	/* writing oom_score_adj is traced as /proc/PID/oom_score_adj is */
	nr_traced = 0;
	assert_int_equal(pf_set_trace(m, "oom_score_adj_update", keep_trace, NULL), 0);
	assert_int_equal(pf_oom_task_set_adj(tasks[5].self, -100), 0);
	pf_set_trace(m, NULL, NULL, NULL);
	assert_int_equal(nr_traced, 1);
	assert_non_null(strstr(traced[0], "oom_score_adj_update: pid=106 comm=shy oom_score_adj=-100"));

	/* the killed task is never chosen or listed again; the rest go in badness order */
	nr_lines = 0;
	assert_true(oom(m, PF_GFP_KERNEL, 0));
	assert_int_equal(tasks[3].kills, 1);
	assert_int_equal(count_with("105"), 0);
	expect_line("3|Out of memory: Killed process 104 (boosted) total-vm:2400kB, anon-rss:2000kB, file-rss:0kB, "
		    "shmem-rss:0kB, UID:0 pgtables:0kB oom_score_adj:50");
	assert_true(oom(m, PF_GFP_KERNEL, 0));
	assert_int_equal(tasks[1].kills, 1);
	assert_true(oom(m, PF_GFP_KERNEL, 0));
	assert_int_equal(tasks[0].kills, 1);
	assert_true(oom(m, PF_GFP_KERNEL, 0));
	assert_int_equal(tasks[5].kills, 1);
	/* only the -1000 task is left: nothing killable, the request fails */
	nr_lines = 0;
	assert_false(oom(m, PF_GFP_KERNEL, 0));
	assert_int_equal(tasks[2].kills, 0);
	expect_line("4|Out of memory and no killable processes...");
	assert_int_equal(pf_test_vmstat(m, "oom_kill"), 5);
	pf_machine_destroy(m);
}

/* No tasks and no hook: the report, then false; nothing changes. */
static void test_nothing_to_kill(void **state)
{
	(void)state;
	struct pf_machine *m = boot(SMALL);
	assert_false(oom(m, PF_GFP_KERNEL, 2));
	expect_line("4|Mem-Info:");
	expect_line("6|Tasks state (memory values in pages):");
	expect_line("4|Out of memory and no killable processes...");
	assert_int_equal(pf_test_vmstat(m, "oom_kill"), 0);
	/* oom_dump_tasks 0: no task table */
	assert_int_equal(pf_sysctl_set(m, "oom_dump_tasks", "0"), 0);
	nr_lines = 0;
	assert_false(oom(m, PF_GFP_KERNEL, 2));
	assert_int_equal(count_with("Tasks state"), 0);
	/*
	 * GFP_NOFS: reclaim could not use the filesystem, so nothing is killed,
	 * even with a task to kill; the request fails (the kernel says "retry"
	 * and counts on another task's __GFP_FS OOM: FIDELITY.md)
	 */
	struct task t = { .mm = { .rss_anon = 10 } };
	add(m, &t, "nofs", 7, 0);
	nr_lines = 0;
	assert_false(oom(m, PF_GFP_KERNEL & ~PF___GFP_FS, 0));
	assert_int_equal(t.kills, 0);
	assert_int_equal(nr_lines, 0);
	pf_machine_destroy(m);
}

/* ---- the hook ----------------------------------------------------------------------------- */

struct hook_state {
	struct pf_machine *m;
	bool answer;
	int calls;
	pf_gfp_t gfp;
	unsigned order;
	bool memalloc_seen;
	struct pf_page *page;		/* allocated inside the hook */
	struct pf_oom_task *added;	/* registered inside the hook */
	struct task added_task;
};

static bool hook(void *arg, pf_gfp_t gfp, unsigned order)
{
	struct hook_state *h = arg;
	h->calls++;
	h->gfp = gfp;
	h->order = order;
	h->memalloc_seen = (current_task()->flags & PF_MEMALLOC) != 0;
	/* re-enter the allocator and the task calls: nothing of the OOM killer's is locked */
	h->page = pf_alloc_pages(h->m, PF_GFP_KERNEL, 0);
	if (h->page)
		pf_free_pages(h->page, 0);
	if (!h->added) {
		h->added_task.mm.rss_anon = 1;
		h->added = pf_oom_task_register(h->m, "late", 900, 0, &task_ops, &h->added_task);
		h->added_task.self = h->added;
		pf_oom_task_set_adj(h->added, 10);
	}
	return h->answer;
}

/*
 * The hook runs first with the request's gfp and order: true means it
 * freed memory and nothing is killed; false lets the victim be chosen
 * (the task it registered included).  SysRq-f calls it but kills anyway.
 */
static void test_hook(void **state)
{
	(void)state;
	struct pf_machine *m = boot(SMALL);
	struct hook_state h = { .m = m, .answer = true };
	struct task big = { .mm = { .total_vm = 100, .rss_anon = 100 } };
	add(m, &big, "big", 1, 0);
	pf_set_oom_hook(m, hook, &h);

	assert_true(oom(m, PF_GFP_KERNEL, 3));
	assert_int_equal(h.calls, 1);
	assert_int_equal(h.gfp, PF_GFP_KERNEL);
	assert_int_equal(h.order, 3);
	assert_true(h.memalloc_seen);
	assert_non_null(h.page);
	assert_non_null(h.added);
	assert_int_equal(big.kills, 0);
	assert_int_equal(nr_lines, 0);
	assert_int_equal(current_task()->flags & PF_MEMALLOC, 0);	/* restored */

	/* "late": 1 + 10 * 16 = 161 beats big's 100 */
	h.answer = false;
	assert_true(oom(m, PF_GFP_KERNEL, 3));
	assert_int_equal(h.calls, 2);
	assert_int_equal(h.added_task.kills, 1);
	assert_int_equal(big.kills, 0);

	/* SysRq-f: order -1 in the report, the hook's true does not stop it */
	h.answer = true;
	nr_lines = 0;
	assert_true(pf_out_of_memory(m));
	assert_int_equal(h.calls, 3);
	assert_int_equal(big.kills, 1);
	assert_int_equal(count_with("invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=-1, oom_score_adj=0"), 1);
	pf_set_oom_hook(m, NULL, NULL);
	pf_oom_task_unregister(h.added);
	pf_machine_destroy(m);
}

static bool lying_hook(void *arg, pf_gfp_t gfp, unsigned order)
{
	(void)gfp;
	(void)order;
	++*(int *)arg;
	return true;	/* "freed memory", without freeing a page */
}

/*
 * A hook that answers true without freeing anything would make the slow
 * path retry forever: its answer is taken as false (reported once), so the
 * victim is chosen; with nothing to kill, a GFP_KERNEL request on a full
 * machine fails instead of hanging.
 */
static void test_lying_hook(void **state)
{
	(void)state;
	struct pf_machine *m = boot(SMALL);
	int calls = 0;
	struct task big = { .mm = { .total_vm = 100, .rss_anon = 100 } };
	add(m, &big, "big", 1, 0);
	pf_set_oom_hook(m, lying_hook, &calls);
	assert_true(oom(m, PF_GFP_KERNEL, 0));
	assert_int_equal(calls, 1);
	assert_int_equal(big.kills, 1);	/* the lie did not stop the kill */
	assert_int_equal(count_with("OOM hook said it freed memory, but no page was freed"), 1);
	pf_oom_task_unregister(big.self);

	/* nothing to kill any more: a request on the full machine gives up */
	struct pf_page *p;
	long n = 0;
	while ((p = pf_alloc_pages(m, PF_GFP_KERNEL | PF_GFP_NOWARN, 0)) != NULL)
		n++;
	assert_true(n > 1000);
	assert_true(calls > 1);
	assert_int_equal(count_with("OOM hook said it freed memory, but no page was freed"), 1);	/* once */
	pf_set_oom_hook(m, NULL, NULL);
	pf_machine_destroy(m);
}

/* ---- constraints ---------------------------------------------------------------------------- */

/*
 * TWO_NODES: node 0 has 16128 pages, node 1 16384 (64 MiB from 64 MiB).
 * A nodemask {1} that leaves node 0 out is a mempolicy: totalpages = 16384,
 * 16 pages per adj point, the report and Mem-Info only about node 1.  A
 * thread whose cpuset allows node 0 only, with a zonelist reaching node 1:
 * CONSTRAINT_CPUSET, totalpages 16128.
 */
static void test_constraints(void **state)
{
	(void)state;
	struct pf_machine *m = boot(TWO_NODES);
	struct task a = { .mm = { .rss_anon = 100 } }, b = { .mm = { .rss_anon = 300 } };
	add(m, &a, "a", 1, 100);	/* 100 + 100 * 16 = 1700 */
	add(m, &b, "b", 2, 0);		/* 300 */
	nodemask_t only1;
	memset(&only1, 0, sizeof only1);
	node_set(1, &only1);
	struct oom_control oc = {
		.m = m, .zonelist = node_zonelist(m, 0, PF_GFP_KERNEL), .nodemask = &only1,
		.gfp_mask = PF_GFP_KERNEL, .order = 0,
	};
	pf_spin_lock(&m->oom_lock);
	assert_true(out_of_memory(&oc));
	pf_spin_unlock(&m->oom_lock);
	assert_int_equal(oc.constraint, CONSTRAINT_MEMORY_POLICY);
	assert_int_equal(oc.totalpages, 16384);
	assert_int_equal(oc.chosen_points, 1700);
	assert_int_equal(a.kills, 1);
	expect_line("6|oom-kill:constraint=CONSTRAINT_MEMORY_POLICY,nodemask=1,cpuset=/,mems_allowed=0-1,global_oom,"
		    "task_memcg=/,task=a,pid=1,uid=0");
	assert_int_equal(count_with("Node 0 "), 0);	/* Mem-Info filtered to node 1 */
	assert_true(count_with("Node 1 DMA32 free:") + count_with("Node 1 Normal free:") >= 1);

	/*
	 * A cpuset of node 0: a GFP_KERNEL request may still spill to node 1
	 * (softwall: the root cpuset's nodes), so nothing limited it; a
	 * GFP_USER one (__GFP_HARDWALL) was kept off node 1: CONSTRAINT_CPUSET.
	 */
	assert_int_equal(pf_set_mems_allowed(m, "0"), 0);
	struct oom_control oc2 = {
		.m = m, .zonelist = node_zonelist(m, 0, PF_GFP_KERNEL), .gfp_mask = PF_GFP_KERNEL, .order = 0,
	};
	struct task c = { .mm = { .rss_anon = 1 } };
	add(m, &c, "c", 3, 0);
	pf_spin_lock(&m->oom_lock);
	assert_true(out_of_memory(&oc2));
	pf_spin_unlock(&m->oom_lock);
	assert_int_equal(oc2.constraint, CONSTRAINT_NONE);
	assert_int_equal(oc2.totalpages, 16128 + 16384);
	assert_int_equal(b.kills, 1);
	struct oom_control oc3 = {
		.m = m, .zonelist = node_zonelist(m, 0, PF_GFP_USER), .gfp_mask = PF_GFP_USER, .order = 0,
	};
	nr_lines = 0;
	pf_spin_lock(&m->oom_lock);
	assert_true(out_of_memory(&oc3));
	pf_spin_unlock(&m->oom_lock);
	assert_int_equal(pf_set_mems_allowed(m, NULL), 0);
	assert_int_equal(oc3.constraint, CONSTRAINT_CPUSET);
	assert_int_equal(oc3.totalpages, 16128);
	assert_int_equal(c.kills, 1);
	expect_line("6|oom-kill:constraint=CONSTRAINT_CPUSET,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,"
		    "task_memcg=/,task=c,pid=3,uid=0");
	/* the report's Mem-Info: only the cpuset's node (SHOW_MEM_FILTER_NODES without a nodemask) */
	assert_int_equal(count_with("Node 1 "), 0);
	assert_int_equal(count_with("Node 0 DMA32 free:"), 1);
	pf_machine_destroy(m);
}

/* vm.oom_kill_allocating_task: the thread's own task goes first, named in the header. */
static void test_kill_allocating_task(void **state)
{
	(void)state;
	struct pf_machine *m = boot(SMALL);
	struct task me = { .mm = { .total_vm = 10, .rss_anon = 10 } }, big = { .mm = { .rss_anon = 5000 } };
	struct pf_oom_task *mine = add(m, &me, "allocator", 42, 0);
	add(m, &big, "big", 43, 0);
	assert_null(pf_oom_task_attach(mine));
	assert_int_equal(pf_sysctl_set(m, "oom_kill_allocating_task", "1"), 0);
	assert_true(oom(m, PF_GFP_KERNEL, 0));
	assert_int_equal(me.kills, 1);
	assert_int_equal(big.kills, 0);
	expect_line("4|allocator invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0");
	expect_line("3|Out of memory (oom_kill_allocating_task): Killed process 42 (allocator) total-vm:40kB, "
		    "anon-rss:40kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:0kB oom_score_adj:0");
	/* once killed it is not chosen again: the worst task is */
	assert_true(oom(m, PF_GFP_KERNEL, 0));
	assert_int_equal(big.kills, 1);
	assert_ptr_equal(pf_oom_task_attach(NULL), mine);
	pf_machine_destroy(m);
}

/* vm.panic_on_oom 1: the report, the kernel's panic line, and the process ends (in a child). */
static void test_panic_on_oom(void **state)
{
	(void)state;
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], 2);
		struct pf_machine *m = pf_test_boot(SMALL);	/* the default hook: stderr, the pipe */
		pf_sysctl_set(m, "panic_on_oom", "1");
		struct task t = { .mm = { .rss_anon = 1 } };
		pf_oom_task_register(m, "t", 1, 0, &task_ops, &t);
		oom(m, PF_GFP_KERNEL, 0);
		_exit(0);
	}
	close(p[1]);
	char buf[65536];
	size_t n = 0;
	ssize_t r;
	while ((r = read(p[0], buf + n, sizeof buf - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = 0;
	close(p[0]);
	int status;
	waitpid(pid, &status, 0);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
	assert_non_null(strstr(buf, "invoked oom-killer"));
	assert_non_null(strstr(buf, "Kernel panic - not syncing: Out of memory: system-wide panic_on_oom is enabled"));
	assert_null(strstr(buf, "Killed process"));
}

/* ---- lifetime and bad input ------------------------------------------------------------------- */

/*
 * A task unregistering itself from its kill callback, tasks that really
 * hold pages (freed by the kill: the free count comes back), and bad
 * pointers and values refused.
 */
static void test_lifetime_and_bad_input(void **state)
{
	(void)state;
	struct pf_machine *m = boot("cpus 1\nmem 0 0x100000-0x3ffffff\n");
	struct task t = { .unregister_in_kill = true };
	for (int i = 0; i < 16; i++) {
		t.pages[i] = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
		assert_non_null(t.pages[i]);
	}
	t.nr_pages = 16;
	t.mm.rss_anon = 16;
	t.mm.total_vm = 16;
	pf_drain_all_pages(m);
	long before = pf_test_vmstat(m, "nr_free_pages");
	struct pf_oom_task *self = add(m, &t, "selfish", 5, 0);
	assert_true(oom(m, PF_GFP_KERNEL, 0));
	assert_int_equal(t.kills, 1);
	assert_null(t.self);
	pf_drain_all_pages(m);
	assert_int_equal(pf_test_vmstat(m, "nr_free_pages"), before + 16);

	/* gone: unregister again and set_adj refuse it without reading it */
	fflush(stderr);
	FILE *tmp = tmpfile();
	int saved = dup(2);
	dup2(fileno(tmp), 2);
	pf_oom_task_unregister(self);
	int local;
	pf_oom_task_unregister((struct pf_oom_task *)&local);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	char buf[1024] = "";
	rewind(tmp);
	size_t n = fread(buf, 1, sizeof buf - 1, tmp);
	buf[n] = 0;
	fclose(tmp);
	int refused = 0;
	for (char *p = buf; (p = strstr(p, "not a registered task")); p++)
		refused++;
	assert_int_equal(refused, 2);
	assert_int_equal(pf_oom_task_set_adj(self, 0), -EINVAL);

	struct task u = { 0 };
	struct pf_oom_task *ok = add(m, &u, "u", 6, 0);
	assert_int_equal(pf_oom_task_set_adj(ok, 1001), -EINVAL);
	assert_int_equal(pf_oom_task_set_adj(ok, -1000), 0);
	assert_null(pf_oom_task_register(m, "bad", 7, -1001, &task_ops, &u));
	assert_int_equal(count_with("oom_score_adj -1001 is outside -1000..1000"), 1);
	struct pf_oom_task_ops half = { task_get_mm, NULL };
	assert_null(pf_oom_task_register(m, "half", 8, 0, &half, &u));
	assert_int_equal(count_with("get_mm and kill are both required"), 1);
	assert_int_equal(pf_sysctl_set(m, "panic_on_oom", "3"), -EINVAL);
	pf_machine_destroy(m);	/* frees "u" */
}

/*
 * memory.oom.group: the victim (g1, 100 pages, beats "out" at 50) is in a
 * memcg with oom.group set, so g2 goes with it; g3 (-1000) stays, and
 * "out", outside the group, stays.  memory.events of the group: oom_kill 2
 * (each kill is counted in the victim's memcg), oom_group_kill 1.
 */
static void test_oom_group(void **state)
{
	(void)state;
	struct pf_machine *m = boot(SMALL);
	struct pf_memcg *grp = pf_memcg_create(m, NULL, "grp");
	assert_non_null(grp);
	assert_int_equal(pf_memcg_set(grp, "memory.oom.group", "1"), 0);
	struct task g1 = { .mm = { .rss_anon = 100 } }, g2 = { .mm = { .rss_anon = 10 } },
		    g3 = { .mm = { .rss_anon = 5 } }, out = { .mm = { .rss_anon = 50 } };
	struct pf_memcg *prev = pf_memcg_attach(grp);
	add(m, &g1, "g1", 1, 0);
	add(m, &g2, "g2", 2, 0);
	add(m, &g3, "g3", 3, -1000);
	pf_memcg_attach(prev);
	add(m, &out, "out", 4, 0);
	assert_true(pf_out_of_memory(m));
	assert_int_equal(g1.kills, 1);
	assert_int_equal(g2.kills, 1);
	assert_int_equal(g3.kills, 0);
	assert_int_equal(out.kills, 0);
	expect_line("6|oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,"
		    "task_memcg=/grp,task=g1,pid=1,uid=0");
	expect_line("6|Tasks in /grp are going to be killed due to memory.oom.group set");
	expect_line("3|Out of memory: Killed process 2 (g2) total-vm:0kB, anon-rss:40kB, file-rss:0kB, "
		    "shmem-rss:0kB, UID:0 pgtables:0kB oom_score_adj:0");
	char *events = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&events, &len);
	assert_int_equal(pf_memcg_show(grp, "memory.events", f), 0);
	fclose(f);
	assert_non_null(strstr(events, "oom_kill 2\n"));
	assert_non_null(strstr(events, "oom_group_kill 1\n"));
	free(events);
	assert_int_equal(pf_test_vmstat(m, "oom_kill"), 2);
	pf_machine_destroy(m);
}

/*
 * A kill callback that lowers a memcg's memory.max below what it holds.
 * memory_max_write reclaims, and would then run the memcg OOM, which takes
 * oom_lock - held by this very thread, inside the OOM: a self-deadlock.
 * From a PF_MEMALLOC context the write sets the limit and stops there
 * (as 6.12's does on a pending signal): the 4 kmem pages (and the
 * per-CPU stock) stay charged, no oom event is counted for the memcg.
 */
struct limiter {
	struct pf_memcg *cg;
	int rc;
	int kills;
};

static void limiter_mm(void *arg, struct pf_oom_task_mm *mm)
{
	(void)arg;
	memset(mm, 0, sizeof *mm);
	mm->rss_anon = 10;
}

static void limiter_kill(void *arg)
{
	struct limiter *l = arg;
	l->kills++;
	l->rc = pf_memcg_set(l->cg, "memory.max", "0");
}

static const struct pf_oom_task_ops limiter_ops = { limiter_mm, limiter_kill };

static void test_max_write_in_callback(void **state)
{
	(void)state;
	struct pf_machine *m = boot(SMALL);
	struct pf_memcg *cg = pf_memcg_create(m, NULL, "cg");
	assert_non_null(cg);
	struct pf_memcg *prev = pf_memcg_attach(cg);
	struct pf_page *p[4];
	for (int i = 0; i < 4; i++)
		assert_non_null(p[i] = pf_alloc_pages(m, PF_GFP_KERNEL | PF___GFP_ACCOUNT, 0));
	pf_memcg_attach(prev);
	struct limiter l = { .cg = cg, .rc = -1 };
	assert_non_null(pf_oom_task_register(m, "limiter", 1, 0, &limiter_ops, &l));
	assert_true(pf_out_of_memory(m));
	assert_int_equal(l.kills, 1);
	assert_int_equal(l.rc, 0);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	assert_int_equal(pf_memcg_show(cg, "memory.max", f), 0);
	assert_int_equal(pf_memcg_show(cg, "memory.current", f), 0);
	assert_int_equal(pf_memcg_show(cg, "memory.events", f), 0);
	fclose(f);
	/*
	 * max 0; current: the first page's charge took MEMCG_CHARGE_BATCH (64)
	 * pages, the other 3 came from the stock, which the stopped write did
	 * not drain: 64 * 4096 = 262144 bytes; no oom event
	 */
	assert_non_null(strstr(out, "0\n262144\n"));
	assert_non_null(strstr(out, "\noom 0\n"));
	free(out);
	for (int i = 0; i < 4; i++)
		pf_free_pages(p[i], 0);
	pf_machine_destroy(m);
}

/* With a swap area, totalpages = managed + swap: 16128 + 4095 (16 MiB less the header slot) = 20223. */
static void test_totalpages_with_swap(void **state)
{
	(void)state;
	struct pf_machine *m = boot(SMALL "swap 16M\n");
	struct task t = { .mm = { .rss_anon = 1 } };
	add(m, &t, "t", 1, 0);
	struct oom_control oc = {
		.m = m, .zonelist = node_zonelist(m, 0, PF_GFP_KERNEL), .gfp_mask = PF_GFP_KERNEL, .order = 0,
	};
	pf_spin_lock(&m->oom_lock);
	assert_true(out_of_memory(&oc));
	pf_spin_unlock(&m->oom_lock);
	assert_int_equal(oc.totalpages, 20223);
	assert_int_equal(t.kills, 1);
	pf_machine_destroy(m);
}

/* reclaim_retry_zone, for the slow path's should_reclaim_retry: 6.12's layout (zone name padded to 8) */
static void test_reclaim_retry_zone_event(void **state)
{
	(void)state;
	struct pf_machine *m = boot(SMALL);
	nr_traced = 0;
	assert_int_equal(pf_set_trace(m, "reclaim_retry_zone", keep_trace, NULL), 0);
	__trace_reclaim_retry_zone(&m->node_data[0]->node_zones[ZONE_DMA32], 3, 10, 20, 5, 1, true);
	pf_set_trace(m, NULL, NULL, NULL);
	assert_int_equal(nr_traced, 1);
	assert_non_null(strstr(traced[0], ": reclaim_retry_zone: node=0 zone=DMA32    order=3 reclaimable=10 "
				"available=20 min_wmark=5 no_progress_loops=1 wmark_check=1"));
	pf_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_badness_order_and_report),
		cmocka_unit_test(test_nothing_to_kill),
		cmocka_unit_test(test_hook),
		cmocka_unit_test(test_lying_hook),
		cmocka_unit_test(test_constraints),
		cmocka_unit_test(test_kill_allocating_task),
		cmocka_unit_test(test_panic_on_oom),
		cmocka_unit_test(test_lifetime_and_bad_input),
		cmocka_unit_test(test_reclaim_retry_zone_event),
		cmocka_unit_test(test_oom_group),
		cmocka_unit_test(test_totalpages_with_swap),
		cmocka_unit_test(test_max_write_in_callback),
	};
	pf_test_watchdog("test_oom", 20);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
