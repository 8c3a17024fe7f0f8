/* SPDX-License-Identifier: MIT */
/*
 * oom_kill.c - the OOM killer as Linux 6.12's mm/oom_kill.c, over the
 * "tasks" a program registers (include/pageframe/oom.h): the program's
 * hook first (the kernel's OOM notifiers), then the constraint of the
 * failed request, the badness of every eligible task, the report in the
 * kernel's words (dump_header with show_mem, dump_tasks, the oom-kill
 * summary, "Killed process") and the victim's kill callback, which gives
 * its pages back at once (the kernel's SIGKILL and oom_reaper in one).
 *
 * Nothing here frees pages itself or reaches into the LRU; a kill is the
 * program's callback.  No lock of this file is held while a callback of
 * the program runs, and the thread runs them with PF_MEMALLOC set (see
 * oom.h).  The kernel panics when nothing can be killed; here the
 * request fails instead.
 */
#include "oom.h"
#include "cpuset.h"
#include "memcontrol.h"

#include <stdlib.h>
#include <string.h>

#include "sched.h"

#define K(x) ((x) << (PAGE_SHIFT - 10))

/*
 * The references this thread holds on tasks, one frame per out_of_memory
 * (or walk) in progress here: unregister waits only for other threads'.
 */
struct oom_frame {
	struct pf_oom_task *iter;	/* the task a walk stands on */
	struct pf_oom_task *chosen;	/* the victim held */
	struct oom_frame *up;
};
static _Thread_local struct oom_frame *oom_frames;

static int oom_refs_here(const struct pf_oom_task *t)
{
	int n = 0;
	for (struct oom_frame *f = oom_frames; f; f = f->up)
		n += (f->iter == t) + (f->chosen == t);
	return n;
}

/* The program's code runs as reclaim does: its allocations never recurse into reclaim or here. */
static unsigned int memalloc_enter(void)
{
	unsigned int old = current_task()->flags & PF_MEMALLOC;
	current_task()->flags |= PF_MEMALLOC;
	return old;
}

static void memalloc_leave(unsigned int old)
{
	current_task()->flags = (current_task()->flags & ~PF_MEMALLOC) | old;
}

static void task_get_mm(struct pf_oom_task *t, struct pf_oom_task_mm *mm)
{
	memset(mm, 0, sizeof *mm);
	if (atomic_load_explicit(&t->dead, memory_order_acquire))
		return;
	unsigned int old = memalloc_enter();
	t->ops.get_mm(t->arg, mm);
	memalloc_leave(old);
}

static unsigned long get_mm_rss(const struct pf_oom_task_mm *mm)
{
	return mm->rss_anon + mm->rss_file + mm->rss_shmem;
}

static short task_adj(const struct pf_oom_task *t)
{
	return (short)atomic_load_explicit(&t->oom_score_adj, memory_order_relaxed);
}

/* ---- references and the walk ---------------------------------------------------- */

static void oom_task_get_locked(struct pf_oom_task *t)
{
	t->refs++;
}

/* The last reference of a task unregistered from a callback in this thread frees it. */
static void oom_task_put_locked(struct pf_oom_task *t)
{
	if (--t->refs || !t->free_on_put)
		return;
	list_del(&t->list);
	free(t);
}

static void oom_task_put(struct pf_oom_task *t)
{
	struct pf_machine *m = t->m;
	pf_spin_lock(&m->oom_task_lock);
	oom_task_put_locked(t);
	pf_spin_unlock(&m->oom_task_lock);
}

/*
 * Call @fn for every live task of @m in registration order (the kernel's
 * for_each_process), with a reference held and no lock; stop when it
 * returns nonzero.
 */
static void oom_for_each_task(struct pf_machine *m, struct oom_frame *frame,
			      int (*fn)(struct pf_oom_task *t, void *arg), void *arg)
{
	pf_spin_lock(&m->oom_task_lock);
	struct list_head *pos = m->oom_tasks.next;
	while (pos != &m->oom_tasks) {
		struct pf_oom_task *t = list_entry(pos, struct pf_oom_task, list);
		if (atomic_load_explicit(&t->dead, memory_order_relaxed)) {
			pos = pos->next;
			continue;
		}
		oom_task_get_locked(t);
		frame->iter = t;
		pf_spin_unlock(&m->oom_task_lock);
		int stop = fn(t, arg);
		pf_spin_lock(&m->oom_task_lock);
		frame->iter = NULL;
		pos = pos->next;
		oom_task_put_locked(t);
		if (stop)
			break;
	}
	pf_spin_unlock(&m->oom_task_lock);
}

/* The calling thread's task (pf_oom_task_attach), if it is still registered on @m; a reference held. */
static struct pf_oom_task *current_oom_task(struct pf_machine *m)
{
	struct pf_oom_task *cur = current_task()->oom_task, *found = NULL;
	if (!cur)
		return NULL;
	pf_spin_lock(&m->oom_task_lock);
	struct list_head *pos;
	list_for_each(pos, &m->oom_tasks)
		if (pos == &cur->list && !atomic_load_explicit(&cur->dead, memory_order_relaxed)) {
			found = cur;
			oom_task_get_locked(found);
			break;
		}
	pf_spin_unlock(&m->oom_task_lock);
	return found;
}

/* ---- badness ------------------------------------------------------------------- */

/*
 * oom_badness (mm/oom_kill.c, 6.12): the pages the task would give back -
 * resident, swapped out, and its page tables - plus oom_score_adj
 * thousandths of @totalpages (the division first, as the kernel's).
 * LONG_MIN for a task that must not be killed: oom_score_adj -1000, or
 * one already killed (the kernel's MMF_OOM_SKIP).
 */
long oom_badness(struct pf_oom_task *p, unsigned long totalpages)
{
	long points, adj = task_adj(p);
	struct pf_oom_task_mm mm;

	if (adj == OOM_SCORE_ADJ_MIN || atomic_load_explicit(&p->victim, memory_order_acquire) == OOM_TASK_REAPED ||
	    atomic_load_explicit(&p->dead, memory_order_relaxed))
		return LONG_MIN;
	task_get_mm(p, &mm);
	points = (long)(get_mm_rss(&mm) + mm.swapents + mm.pgtables_bytes / PAGE_SIZE);
	adj *= (long)(totalpages / 1000);
	points += adj;
	return points;
}

static const char *const oom_constraint_text[] = {
	[CONSTRAINT_NONE] = "CONSTRAINT_NONE",
	[CONSTRAINT_CPUSET] = "CONSTRAINT_CPUSET",
	[CONSTRAINT_MEMORY_POLICY] = "CONSTRAINT_MEMORY_POLICY",
	[CONSTRAINT_MEMCG] = "CONSTRAINT_MEMCG",
};

static unsigned long totalram_pages(struct pf_machine *m)
{
	unsigned long pages = 0;
	for (int nid = 0; nid < m->nr_node_ids; nid++)
		if (m->node_data[nid])
			for (int z = 0; z < MAX_NR_ZONES; z++)
				pages += zone_managed_pages(&m->node_data[nid]->node_zones[z]);
	return pages;
}

/* total_swap_pages: the slots of the machine's swap area (swapfile.c), 0 without one */
static unsigned long total_swap_pages(struct pf_machine *m)
{
	return m->total_swap_pages > 0 ? (unsigned long)m->total_swap_pages : 0;
}

static bool node_has_memory(struct pf_machine *m, int nid)
{
	return m->node_data[nid] && m->node_data[nid]->node_present_pages;
}

/*
 * constrained_alloc (mm/oom_kill.c, 6.12): what limited the request, and
 * so how much memory the badness is measured against: a memcg's limit;
 * the nodes of a mempolicy's nodemask that leaves out a node with memory;
 * the nodes of the thread's cpuset when a zone of the zonelist lay
 * outside it; or all memory and swap.
 */
static enum oom_constraint constrained_alloc(struct oom_control *oc)
{
	struct pf_machine *m = oc->m;
	enum zone_type highest_zoneidx = (enum zone_type)gfp_zone(oc->gfp_mask);
	bool cpuset_limited = false;

	if (is_memcg_oom(oc)) {
		oc->totalpages = mem_cgroup_get_max(oc->memcg) ? mem_cgroup_get_max(oc->memcg) : 1;
		return CONSTRAINT_MEMCG;
	}

	oc->totalpages = totalram_pages(m) + total_swap_pages(m);

	if (!oc->zonelist)
		return CONSTRAINT_NONE;
	if (oc->gfp_mask & PF___GFP_THISNODE)
		return CONSTRAINT_NONE;

	if (oc->nodemask) {
		bool subset = true;
		for (int nid = 0; nid < m->nr_node_ids; nid++)
			if (node_has_memory(m, nid) && !node_isset(nid, oc->nodemask))
				subset = false;
		if (!subset) {
			oc->totalpages = total_swap_pages(m);
			for (int nid = 0; nid < m->nr_node_ids; nid++)
				if (node_isset(nid, oc->nodemask) && m->node_data[nid])
					oc->totalpages += m->node_data[nid]->node_present_pages;
			return CONSTRAINT_MEMORY_POLICY;
		}
	}

	/* a zone the cpuset's wall kept this request out of (__GFP_HARDWALL, or the atomic scope) */
	struct zoneref *z;
	struct zone *zone;
	for_each_zone_zonelist_nodemask(zone, z, oc->zonelist, highest_zoneidx, oc->nodemask)
		if (!cpuset_zone_allowed(zone, oc->gfp_mask))
			cpuset_limited = true;

	if (cpuset_limited) {
		const nodemask_t *mems = cpuset_current_mems_allowed(m);
		oc->totalpages = total_swap_pages(m);
		for (int nid = 0; nid < m->nr_node_ids; nid++)
			if (node_isset(nid, mems) && m->node_data[nid])
				oc->totalpages += m->node_data[nid]->node_present_pages;
		return CONSTRAINT_CPUSET;
	}
	return CONSTRAINT_NONE;
}

/*
 * Whether @t may be chosen for @oc: a memcg OOM looks only at the tasks
 * registered from that memcg or one below it (the kernel walks the
 * subtree, mem_cgroup_scan_tasks).
 * oom_cpuset_eligible's node test has nothing to test: a task does not
 * say on which nodes its pages lie, so every task is eligible.
 */
static bool oom_task_eligible(const struct pf_oom_task *t, const struct oom_control *oc)
{
	if (is_memcg_oom(oc))
		return t->memcg && mem_cgroup_is_descendant(t->memcg, oc->memcg);
	return true;
}

/* ---- choosing ------------------------------------------------------------------ */

struct evaluate_arg {
	struct oom_control *oc;
	struct oom_frame *frame;
};

/*
 * oom_evaluate_task (mm/oom_kill.c, 6.12): a task whose kill is still
 * running makes the whole OOM wait (abort) unless this is SysRq-f; a
 * killed one is skipped; otherwise the highest badness wins, a tie going
 * to the task met later (the comparison is strict, as the kernel's).
 */
static int oom_evaluate_task(struct pf_oom_task *t, void *arg)
{
	struct evaluate_arg *ea = arg;
	struct oom_control *oc = ea->oc;
	long points;

	if (!oom_task_eligible(t, oc))
		return 0;
	int state = atomic_load_explicit(&t->victim, memory_order_acquire);
	if (!is_sysrq_oom(oc) && state != OOM_TASK_LIVE) {
		if (state == OOM_TASK_REAPED)
			return 0;
		goto abort;
	}
	points = oom_badness(t, oc->totalpages);
	if (points == LONG_MIN || points < oc->chosen_points)
		return 0;

	pf_spin_lock(&oc->m->oom_task_lock);
	if (oc->chosen)
		oom_task_put_locked(oc->chosen);
	oom_task_get_locked(t);
	oc->chosen = t;
	ea->frame->chosen = t;
	pf_spin_unlock(&oc->m->oom_task_lock);
	oc->chosen_points = points;
	return 0;
abort:
	if (oc->chosen)
		oom_task_put(oc->chosen);
	oc->chosen = OOM_ABORT;
	ea->frame->chosen = NULL;
	return 1;
}

/* select_bad_process (mm/oom_kill.c, 6.12) */
static void select_bad_process(struct oom_control *oc, struct oom_frame *frame)
{
	struct evaluate_arg ea = { oc, frame };
	oc->chosen_points = LONG_MIN;
	oom_for_each_task(oc->m, frame, oom_evaluate_task, &ea);
}

/* ---- the report ---------------------------------------------------------------- */

/* %*pbl of a nodemask: "0-2,5", or "(null)" without one */
static void nodemask_list(const nodemask_t *mask, char *buf, size_t len)
{
	size_t n = 0;
	if (!mask) {
		snprintf(buf, len, "(null)");
		return;
	}
	buf[0] = 0;
	for (int nid = 0; nid < MAX_NUMNODES; nid++) {
		if (!node_isset(nid, mask))
			continue;
		int end = nid;
		while (end + 1 < MAX_NUMNODES && node_isset(end + 1, mask))
			end++;
		if (end > nid)
			n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%d-%d", n ? "," : "", nid, end);
		else
			n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%d", n ? "," : "", nid);
		if (n >= len)
			return;
		nid = end;
	}
}

/* dump_task (mm/oom_kill.c, 6.12): one row of the task table; the uid is 0, the tgid the pid */
static int dump_task(struct pf_oom_task *t, void *arg)
{
	struct oom_control *oc = arg;
	struct pf_oom_task_mm mm;

	if (!oom_task_eligible(t, oc) || atomic_load_explicit(&t->victim, memory_order_acquire) == OOM_TASK_REAPED)
		return 0;
	task_get_mm(t, &mm);
	pf_printk(oc->m, '6', "[%7d] %5d %5d %8lu %8lu %8lu %8lu %9lu %8ld %8lu         %5hd %s", t->pid, 0, t->pid,
		  mm.total_vm, get_mm_rss(&mm), mm.rss_anon, mm.rss_file, mm.rss_shmem, (long)mm.pgtables_bytes,
		  mm.swapents, task_adj(t), t->comm);
	return 0;
}

/* dump_tasks (mm/oom_kill.c, 6.12) */
static void dump_tasks(struct oom_control *oc, struct oom_frame *frame)
{
	pf_printk(oc->m, '6', "Tasks state (memory values in pages):");
	pf_printk(oc->m, '6', "[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes "
		  "swapents oom_score_adj name");
	oom_for_each_task(oc->m, frame, dump_task, oc);
}

/*
 * dump_header (mm/oom_kill.c, 6.12): who invoked the OOM killer and with
 * what, the memory picture (__show_mem, filtered to the request's nodes
 * and zones; for a memcg OOM the memcg's usage, limit and memory.stat
 * instead, mem_cgroup_print_oom_meminfo), then the task table.  The
 * kernel's dump_stack has no counterpart.
 */
static void dump_header(struct oom_control *oc, struct oom_frame *frame)
{
	struct pf_machine *m = oc->m;
	struct pf_oom_task *cur = current_oom_task(m);
	char flags[512] = "";
	short adj = cur ? task_adj(cur) : 0;
	if (oc->gfp_mask)
		pf_format_gfp_flags(oc->gfp_mask, flags, sizeof flags);
	pf_printk(m, '4', "%s invoked oom-killer: gfp_mask=%#x(%s), order=%d, oom_score_adj=%hd",
		  cur ? cur->comm : pf_os_comm(), (unsigned)oc->gfp_mask, flags, oc->order,
		  adj);
	if (cur)
		oom_task_put(cur);
	if (is_memcg_oom(oc))
		mem_cgroup_print_oom_meminfo(oc->memcg);
	else
		__show_mem(m, SHOW_MEM_FILTER_NODES, oc->nodemask, gfp_zone(oc->gfp_mask));
	if (m->sysctl_oom_dump_tasks)
		dump_tasks(oc, frame);
}

/* dump_oom_victim (mm/oom_kill.c, 6.12), with cpuset_print_current_mems_allowed and mem_cgroup_print_oom_context */
static void dump_oom_victim(struct oom_control *oc, struct pf_oom_task *victim)
{
	char nodes[256], mems[256];
	nodemask_list(oc->nodemask, nodes, sizeof nodes);
	nodemask_list(cpuset_current_mems_allowed(oc->m), mems, sizeof mems);
	/* mem_cgroup_print_oom_context: the OOM's memcg (or global_oom), the victim's memcg */
	char oom_memcg[280] = "global_oom", task_memcg[256] = "/";
	if (oc->memcg) {
		char path[256];
		mem_cgroup_path(oc->memcg, path, sizeof path);
		snprintf(oom_memcg, sizeof oom_memcg, "oom_memcg=%s", path);
	}
	if (victim->memcg)
		mem_cgroup_path(victim->memcg, task_memcg, sizeof task_memcg);
	pf_printk(oc->m, '6', "oom-kill:constraint=%s,nodemask=%s,cpuset=/,mems_allowed=%s,%s,task_memcg=%s,task=%s,"
		  "pid=%d,uid=%d", oom_constraint_text[oc->constraint], nodes, mems, oom_memcg, task_memcg,
		  victim->comm, victim->pid, 0);
}

/* ---- killing ------------------------------------------------------------------- */

/* mark_oom_victim (mm/oom_kill.c, 6.12): from now on the task is dying */
static void mark_oom_victim(struct pf_oom_task *t, const struct pf_oom_task_mm *mm)
{
	int live = OOM_TASK_LIVE;
	if (!atomic_compare_exchange_strong(&t->victim, &live, OOM_TASK_DYING))
		return;
	if (trace_enabled(t->m, TRACE_MARK_VICTIM))
		__trace_mark_victim(t->m, t->pid, t->comm, K(mm->total_vm), K(mm->rss_anon), K(mm->rss_file),
				    K(mm->rss_shmem), 0, mm->pgtables_bytes >> 10, task_adj(t));
}

/*
 * __oom_kill_process (mm/oom_kill.c, 6.12): count the kill, mark the
 * victim, say so ("Killed process"), and run its kill callback, which
 * frees its pages before returning (the kernel's SIGKILL, exit and
 * oom_reaper, whose "reaped process" line follows).  The task is then
 * reaped: never chosen or listed again.
 */
static void __oom_kill_process(struct pf_oom_task *victim, const char *message)
{
	struct pf_machine *m = victim->m;
	struct pf_oom_task_mm mm;

	if (atomic_load_explicit(&victim->dead, memory_order_acquire)) {
		pf_printk(m, '6', "%s: OOM victim %d (%s) is already exiting. Skip killing the task", message,
			  victim->pid, victim->comm);
		return;
	}
	task_get_mm(victim, &mm);
	__count_vm_events(m, OOM_KILL, 1);
	/* memcg_memory_event_mm(MEMCG_OOM_KILL): memory.events oom_kill of the victim's memcg */
	if (victim->memcg)
		memcg_memory_event(victim->memcg, MEMCG_OOM_KILL);
	else if (m->root_mem_cgroup)
		memcg_memory_event(m->root_mem_cgroup, MEMCG_OOM_KILL);
	mark_oom_victim(victim, &mm);
	pf_printk(m, '3', "%s: Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB, file-rss:%lukB, "
		  "shmem-rss:%lukB, UID:%u pgtables:%lukB oom_score_adj:%hd", message, victim->pid, victim->comm,
		  K(mm.total_vm), K(mm.rss_anon), K(mm.rss_file), K(mm.rss_shmem), 0u, mm.pgtables_bytes >> 10,
		  task_adj(victim));

	/* queue_oom_reaper and oom_reap_task: here the kill callback is the reaping */
	if (trace_enabled(m, TRACE_WAKE_REAPER))
		__trace_oom_reaper(m, TRACE_WAKE_REAPER, victim->pid);
	if (trace_enabled(m, TRACE_START_TASK_REAPING))
		__trace_oom_reaper(m, TRACE_START_TASK_REAPING, victim->pid);
	if (!atomic_load_explicit(&victim->dead, memory_order_acquire)) {
		unsigned int old = memalloc_enter();
		victim->ops.kill(victim->arg);
		memalloc_leave(old);
	}
	if (trace_enabled(m, TRACE_FINISH_TASK_REAPING))
		__trace_oom_reaper(m, TRACE_FINISH_TASK_REAPING, victim->pid);
	task_get_mm(victim, &mm);
	atomic_store_explicit(&victim->victim, OOM_TASK_REAPED, memory_order_release);
	pf_printk(m, '6', "oom_reaper: reaped process %d (%s), now anon-rss:%lukB, file-rss:%lukB, shmem-rss:%lukB",
		  victim->pid, victim->comm, K(mm.rss_anon), K(mm.rss_file), K(mm.rss_shmem));
}

struct group_kill {
	struct mem_cgroup *group;
	const char *message;
};

/* oom_kill_memcg_member (mm/oom_kill.c, 6.12): every live task of the group but the -1000 ones */
static int oom_kill_memcg_member(struct pf_oom_task *t, void *arg)
{
	struct group_kill *g = arg;
	if (t->memcg && mem_cgroup_is_descendant(t->memcg, g->group) && task_adj(t) != OOM_SCORE_ADJ_MIN &&
	    atomic_load_explicit(&t->victim, memory_order_acquire) == OOM_TASK_LIVE)
		__oom_kill_process(t, g->message);
	return 0;
}

/*
 * oom_kill_process (mm/oom_kill.c, 6.12): the report (held to ten per five
 * seconds, the kernel's default ratelimit), then the kill; when the
 * victim's memcg, or one above it inside the OOM's domain, has
 * memory.oom.group set, every task of that memcg goes with it
 * (memory.events oom_group_kill counted).
 */
static void oom_kill_process(struct oom_control *oc, struct oom_frame *frame, const char *message)
{
	struct pf_oom_task *victim = oc->chosen;
	struct mem_cgroup *oom_group;
	unsigned long suppressed;

	if (pf_burst_limit_pass(&oc->m->oom_rs, 10, 5, (unsigned long)(pf_os_now_ns() / 1000000000ULL),
				&suppressed)) {
		dump_header(oc, frame);
		dump_oom_victim(oc, victim);
	}
	oom_group = mem_cgroup_get_oom_group(victim->memcg, oc->memcg);
	__oom_kill_process(victim, message);
	if (oom_group) {
		char path[256];
		struct group_kill g = { oom_group, message };
		memcg_memory_event(oom_group, MEMCG_OOM_GROUP_KILL);
		mem_cgroup_path(oom_group, path, sizeof path);
		pf_printk(oc->m, '6', "Tasks in %s are going to be killed due to memory.oom.group set", path);
		oom_for_each_task(oc->m, frame, oom_kill_memcg_member, &g);
		css_put(oom_group);
	}
}

/*
 * check_panic_on_oom (mm/oom_kill.c, 6.12): vm.panic_on_oom 1 panics for
 * an unconstrained OOM, 2 for any; never for SysRq-f.  A library cannot
 * panic a kernel: it reports as panic() does and aborts the process, which
 * is what a program that set the sysctl asked for.
 */
static void check_panic_on_oom(struct oom_control *oc, struct oom_frame *frame)
{
	struct pf_machine *m = oc->m;
	if (likely(!m->sysctl_panic_on_oom))
		return;
	if (m->sysctl_panic_on_oom != 2 && oc->constraint != CONSTRAINT_NONE)
		return;
	if (is_sysrq_oom(oc))
		return;
	dump_header(oc, frame);
	pf_printk(m, '0', "Kernel panic - not syncing: Out of memory: %s panic_on_oom is enabled",
		  m->sysctl_panic_on_oom == 2 ? "compulsory" : "system-wide");
	abort();
}

/*
 * out_of_memory (mm/oom_kill.c, 6.12).  In order: the program's hook (for
 * a global OOM; a true answer ends it unless this is SysRq-f); a request
 * without __GFP_FS kills nothing (reclaim could not use the filesystem,
 * so the OOM is not proven) and fails; the constraint; panic_on_oom; the calling
 * thread's own task first under oom_kill_allocating_task; then the worst
 * task.  Return: true when memory was freed or is being freed (retry),
 * false when nothing could be killed (the request fails).  Differences:
 * no "current is exiting" shortcut (the calling thread is no task),
 * nothing killable is reported, not a panic, and a request without
 * __GFP_FS gets false, not true.
 * Context: the caller holds m->oom_lock.
 */
bool out_of_memory(struct oom_control *oc)
{
	struct pf_machine *m = oc->m;
	struct oom_frame frame = { NULL, NULL, oom_frames };
	bool ret;

	if (!is_memcg_oom(oc)) {
		bool (*hook)(void *, pf_gfp_t, unsigned);
		void *hook_arg;
		pf_spin_lock(&m->oom_task_lock);
		hook = m->oom_hook;
		hook_arg = m->oom_hook_arg;
		pf_spin_unlock(&m->oom_task_lock);
		if (hook) {
			long pgfree_before = 0, pgfree_after = 0;
			pf_vmstat_get(m, "pgfree", &pgfree_before);
			unsigned int old = memalloc_enter();
			bool freed = hook(hook_arg, oc->gfp_mask, oc->order < 0 ? 0u : (unsigned)oc->order);
			memalloc_leave(old);
			pf_vmstat_get(m, "pgfree", &pgfree_after);
			/*
			 * The kernel's notifiers say how many pages they freed; the hook
			 * only says yes.  A yes with not one page freed meanwhile would
			 * send the slow path round forever: it is reported (once) and
			 * taken as no, and the victim choice goes on.
			 */
			if (freed && pgfree_after == pgfree_before) {
				if (!atomic_exchange(&m->oom_hook_lied, 1))
					pf_printk(m, '4', "pageframe: OOM hook said it freed memory, but no page was freed: "
							  "taken as no");
				freed = false;
			}
			if (freed && !is_sysrq_oom(oc))
				return true;
		}
	}

	/*
	 * Without __GFP_FS reclaim could not do all it might, so nothing is
	 * killed.  The kernel answers true and leaves the kill to the next
	 * __GFP_FS request of some other task; a program using this library
	 * may have no other thread that will ever make one, and the slow path
	 * would then retry forever: here the request fails instead.
	 */
	if (!(oc->gfp_mask & PF___GFP_FS) && !is_memcg_oom(oc))
		return false;

	oom_frames = &frame;
	oc->chosen = NULL;
	oc->constraint = constrained_alloc(oc);
	if (oc->constraint != CONSTRAINT_MEMORY_POLICY)
		oc->nodemask = NULL;
	check_panic_on_oom(oc, &frame);

	if (!is_memcg_oom(oc) && m->sysctl_oom_kill_allocating_task) {
		struct pf_oom_task *cur = current_oom_task(m);
		if (cur && task_adj(cur) != OOM_SCORE_ADJ_MIN &&
		    atomic_load_explicit(&cur->victim, memory_order_acquire) == OOM_TASK_LIVE) {
			oc->chosen = cur;	/* current_oom_task's reference */
			frame.chosen = cur;
			oom_kill_process(oc, &frame, "Out of memory (oom_kill_allocating_task)");
			ret = true;
			goto out;
		}
		if (cur)
			oom_task_put(cur);
	}

	select_bad_process(oc, &frame);
	if (!oc->chosen) {
		/*
		 * The kernel panics ("System is deadlocked on memory") here; the
		 * request fails instead, so this can repeat: the report is held to
		 * oom_rs's rate (10 per 5 s), as the kill reports are.
		 */
		unsigned long unshown;
		if (pf_burst_limit_pass(&m->oom_rs, 10, 5, (unsigned long)(pf_os_now_ns() / 1000000000ULL), &unshown)) {
			dump_header(oc, &frame);
			pf_printk(m, '4', "Out of memory and no killable processes...");
		}
	}
	if (oc->chosen && oc->chosen != OOM_ABORT)
		oom_kill_process(oc, &frame, !is_memcg_oom(oc) ? "Out of memory" : "Memory cgroup out of memory");
	ret = oc->chosen != NULL;
out:
	if (oc->chosen && oc->chosen != OOM_ABORT) {
		frame.chosen = NULL;
		oom_task_put(oc->chosen);
	}
	oom_frames = frame.up;
	return ret;
}

/* ---- the public calls ------------------------------------------------------------ */

void oom_init(struct pf_machine *m)
{
	pf_spin_lock_init(&m->oom_lock);
	pf_spin_lock_init(&m->oom_task_lock);
	INIT_LIST_HEAD(&m->oom_tasks);
	m->sysctl_oom_dump_tasks = 1;	/* the kernel's default */
}

void oom_release(struct pf_machine *m)
{
	if (!m->oom_tasks.next)
		return;
	while (!list_empty(&m->oom_tasks)) {
		struct pf_oom_task *t = list_first_entry(&m->oom_tasks, struct pf_oom_task, list);
		list_del(&t->list);
		free(t);
	}
}

void pf_set_oom_hook(struct pf_machine *m, bool (*fn)(void *arg, pf_gfp_t gfp, unsigned order), void *arg)
{
	if (!m)
		return;
	pf_spin_lock(&m->oom_task_lock);
	m->oom_hook = fn;
	m->oom_hook_arg = fn ? arg : NULL;
	pf_spin_unlock(&m->oom_task_lock);
}

struct pf_oom_task *pf_oom_task_register(struct pf_machine *m, const char *comm, int pid, short oom_score_adj,
					 const struct pf_oom_task_ops *ops, void *arg)
{
	if (!m)
		return NULL;
	if (!comm)
		comm = "(unnamed)";
	if (!ops || !ops->get_mm || !ops->kill) {
		pf_printk(m, '3', "pageframe: pf_oom_task_register(%s): get_mm and kill are both required", comm);
		return NULL;
	}
	if (oom_score_adj < OOM_SCORE_ADJ_MIN || oom_score_adj > OOM_SCORE_ADJ_MAX) {
		pf_printk(m, '3', "pageframe: pf_oom_task_register(%s): oom_score_adj %hd is outside -1000..1000", comm,
			  oom_score_adj);
		return NULL;
	}
	struct pf_oom_task *t = calloc(1, sizeof *t);
	if (!t) {
		pf_printk(m, '3', "pageframe: pf_oom_task_register(%s): out of memory", comm);
		return NULL;
	}
	t->m = m;
	t->ops = *ops;
	t->arg = arg;
	t->pid = pid;
	/* a memcg of this machine only: another machine's may go away with it */
	struct mem_cgroup *cg = current_task()->active_memcg;
	t->memcg = cg && cg->machine == m ? cg : NULL;
	atomic_init(&t->oom_score_adj, oom_score_adj);
	snprintf(t->comm, sizeof t->comm, "%s", comm);
	pf_spin_lock(&m->oom_task_lock);
	list_add_tail(&t->list, &m->oom_tasks);
	pf_spin_unlock(&m->oom_task_lock);
	return t;
}

/* Find @t among the live tasks of every machine without reading it; its machine's oom_task_lock held. */
static struct pf_machine *oom_task_lookup_lock(const struct pf_oom_task *t)
{
	int used = atomic_load_explicit(&pf_machine_slots_used, memory_order_acquire);
	for (int i = 0; i < used; i++) {
		struct pf_machine *m = atomic_load_explicit(&pf_machine_table[i], memory_order_acquire);
		if (!m)
			continue;
		pf_spin_lock(&m->oom_task_lock);
		if (m->oom_tasks.next) {
			struct list_head *pos;
			list_for_each(pos, &m->oom_tasks)
				if (pos == &t->list && !atomic_load_explicit(&t->dead, memory_order_relaxed))
					return m;
		}
		pf_spin_unlock(&m->oom_task_lock);
	}
	return NULL;
}

void pf_oom_task_unregister(struct pf_oom_task *t)
{
	if (!t)
		return;
	struct pf_machine *m = oom_task_lookup_lock(t);
	if (!m) {
		pf_printk(NULL, '3', "pageframe: pf_oom_task_unregister(%p): not a registered task (never "
			  "registered, or already unregistered); ignored", (void *)t);
		return;
	}
	atomic_store_explicit(&t->dead, true, memory_order_release);
	int mine = oom_refs_here(t);
	for (unsigned spins = 0; t->refs > mine; spins++) {
		pf_spin_unlock(&m->oom_task_lock);
		pf_os_cpu_relax_or_yield(spins);
		pf_spin_lock(&m->oom_task_lock);
	}
	if (t->refs) {
		t->free_on_put = true;	/* this thread's own OOM lets it go when done with it */
		pf_spin_unlock(&m->oom_task_lock);
		return;
	}
	list_del(&t->list);
	pf_spin_unlock(&m->oom_task_lock);
	free(t);
}

int pf_oom_task_set_adj(struct pf_oom_task *t, short oom_score_adj)
{
	if (!t || oom_score_adj < OOM_SCORE_ADJ_MIN || oom_score_adj > OOM_SCORE_ADJ_MAX)
		return -EINVAL;
	struct pf_machine *m = oom_task_lookup_lock(t);
	if (!m)
		return -EINVAL;
	atomic_store_explicit(&t->oom_score_adj, oom_score_adj, memory_order_relaxed);
	if (trace_enabled(m, TRACE_OOM_SCORE_ADJ_UPDATE))
		__trace_oom_score_adj_update(m, t->pid, t->comm, oom_score_adj);
	pf_spin_unlock(&m->oom_task_lock);
	return 0;
}

struct pf_oom_task *pf_oom_task_attach(struct pf_oom_task *t)
{
	struct pf_oom_task *prev = current_task()->oom_task;
	current_task()->oom_task = t;
	return prev;
}

/*
 * pf_out_of_memory - moom_callback (drivers/tty/sysrq.c, 6.12): an OOM
 * with no allocation behind it (order -1, GFP_KERNEL, no zonelist), under
 * oom_lock.  Refused from inside a callback of an OOM in progress on this
 * thread, which holds oom_lock.
 */
bool pf_out_of_memory(struct pf_machine *m)
{
	if (!m)
		return false;
	if (current_task()->flags & PF_MEMALLOC) {
		pf_printk(m, '3', "pageframe: pf_out_of_memory: called while this thread reclaims or runs an OOM "
			  "callback; ignored");
		return false;
	}
	struct oom_control oc = { .m = m, .gfp_mask = PF_GFP_KERNEL, .order = -1 };
	pf_spin_lock(&m->oom_lock);
	bool ret = out_of_memory(&oc);
	pf_spin_unlock(&m->oom_lock);
	return ret;
}
