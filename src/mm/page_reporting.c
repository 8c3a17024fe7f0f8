/* SPDX-License-Identifier: MIT */
/*
 * page_reporting.c - free page reporting (mm/page_reporting.c, 6.12):
 * free blocks of page_reporting_order and up are taken off the buddy lists
 * in batches of PAGE_REPORTING_CAPACITY, handed to the machine's sink with
 * no lock held, and put back at the tail of their lists marked
 * PageReported, so a later pass skips them until they are allocated or
 * merged.  On a machine the sink gives the memory back to the host the way
 * its backing allows (pf_os_mem_discard: madvise for anonymous memory, a
 * punched hole for memfd, file, hugetlbfs and shm), so the process's RSS
 * falls after frees and rises again only when the pages are used.
 *
 * Turned on by the description's "free_page_reporting dontneed|free"
 * (off by default, as a kernel without a reporting driver).  The kernel's
 * delayed work is a thread of the machine started at boot that waits
 * PAGE_REPORTING_DELAY after a request; pf_page_reporting_stop turns it
 * into a step the caller takes (pf_page_reporting_run: one pass, the delay
 * taken to have passed), as kcompactd is stepped.  pf_report_free_pages
 * reports everything free now.
 *
 * The hooks in page_alloc.c: __free_one_page ends with
 * page_reporting_notify_free (one compare, page_reporting.h), and
 * __del_page_from_free_list clears PageReported as a block leaves a list.
 * Neither touches the per-CPU fast paths, which never reach the buddy
 * lists, so reporting needs no FAST_OFF_* bit.
 */
#include "page_reporting.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))

/* ---- the request and the delayed work --------------------------------------------------- */

/* queue_delayed_work: a pass becomes due PAGE_REPORTING_DELAY from now, unless one is queued already */
static void page_reporting_queue(struct page_reporting_dev_info *prdev)
{
	struct pf_os_worker *wake = NULL;

	pf_spin_lock(&prdev->work_lock);
	if (!prdev->queued) {
		prdev->queued = true;
		prdev->due_ns = pf_os_now_ns() + (unsigned long long)PAGE_REPORTING_DELAY_MS * 1000000ull;
		wake = prdev->worker;
	}
	pf_spin_unlock(&prdev->work_lock);
	if (wake)
		pf_os_worker_wake(wake);
}

/*
 * __page_reporting_request (6.12): move to REQUESTED; only the move from
 * IDLE queues the work (an ACTIVE pass sees the change at its end and
 * queues itself again).
 */
static void __page_reporting_request(struct page_reporting_dev_info *prdev)
{
	if (atomic_load(&prdev->state) == PAGE_REPORTING_REQUESTED)
		return;
	if (atomic_exchange(&prdev->state, PAGE_REPORTING_REQUESTED) != PAGE_REPORTING_IDLE)
		return;
	page_reporting_queue(prdev);
}

/* __page_reporting_notify (6.12): a large enough block was freed. Context: zone->lock held. */
void __page_reporting_notify(struct pf_machine *m)
{
	struct page_reporting_dev_info *prdev = __atomic_load_n(&m->pr_dev_info, __ATOMIC_ACQUIRE);
	if (likely(prdev))
		__page_reporting_request(prdev);
}

/* ---- one pass --------------------------------------------------------------------------- */

/*
 * page_reporting_drain (6.12): the batch goes back to the free lists (at
 * their tails); a block that came back whole, not merged into a larger
 * one, is marked reported when the sink succeeded.  Context: zone->lock.
 */
static void page_reporting_drain(struct page_reporting_sg *sgl, unsigned int nents, bool reported)
{
	for (unsigned int i = 0; i < nents; i++) {
		struct pf_page *page = sgl[i].page;
		unsigned int order = sgl[i].order;

		__putback_isolated_page(page, order, get_pageblock_migratetype(page));
		if (reported && PageBuddy(page) && buddy_order(page) == order)
			__SetPageReported(page);
		sgl[i].page = NULL;
	}
}

/* list_rotate_to_front: @entry becomes the first of @head, the order around the ring kept */
static void list_rotate_to_front(struct list_head *entry, struct list_head *head)
{
	/* take the head out and put it back just before @entry */
	__list_del(head->prev, head->next);
	__list_add(head, entry->prev, entry);
}

/* The sink, with the count kept by pageframe. */
static int page_reporting_report(struct page_reporting_dev_info *prdev, struct page_reporting_sg *sgl,
				 unsigned int nents)
{
	int err = prdev->report(prdev, sgl, nents);
	if (err) {
		atomic_fetch_add(&prdev->report_errors, 1);
		return err;
	}
	unsigned long pages = 0;
	for (unsigned int i = 0; i < nents; i++)
		pages += 1UL << sgl[i].order;
	atomic_fetch_add(&prdev->reported_pages, pages);
	atomic_fetch_add(&prdev->reports, 1);
	return 0;
}

/*
 * page_reporting_cycle (6.12): fill, report and drain batches from one
 * free list (@order, @mt) of @zone.  The batch fills from its end
 * (*@offset counts the free slots) and may carry over from the previous
 * list.  Each list gets a budget of report calls: enough for a sixteenth
 * of the order's free blocks, plus one for a batch begun elsewhere; a list
 * that runs out asks for another pass.  Before the lock is dropped for a
 * report the first unreported block is rotated to the front, and after
 * the drain the walk restarts from the front, since the list may have
 * changed meanwhile; reported blocks sit at the tail and are skipped.
 */
static int page_reporting_cycle(struct page_reporting_dev_info *prdev, struct zone *zone, unsigned int order,
				unsigned int mt, struct page_reporting_sg *sgl, unsigned int *offset)
{
	struct free_area *area = &zone->free_area[order];
	struct list_head *list = &area->free_list[mt];
	struct list_head *pos, *next;
	long budget;
	int err = 0;

	if (list_empty(list))
		return 0;

	pf_spin_lock(&zone->lock);
	budget = (long)DIV_ROUND_UP(area->nr_free, PAGE_REPORTING_CAPACITY * 16);

	for (pos = list->next, next = pos->next; pos != list; pos = next, next = pos->next) {
		struct pf_page *page = list_entry(pos, struct pf_page, buddy_list);

		if (PageReported(page))
			continue;

		/* out of budget: leave the rest to another pass */
		if (budget < 0) {
			atomic_store(&prdev->state, PAGE_REPORTING_REQUESTED);
			next = pos;
			break;
		}

		/* room in the batch: take the block off its list */
		if (*offset) {
			if (!__isolate_free_page(page, order)) {
				next = pos;
				break;
			}
			--(*offset);
			sgl[*offset].page = page;
			sgl[*offset].order = order;
			continue;
		}

		/* the batch is full: this block leads the list while the lock is dropped */
		if (list->next != pos)
			list_rotate_to_front(pos, list);
		pf_spin_unlock(&zone->lock);

		err = page_reporting_report(prdev, sgl, PAGE_REPORTING_CAPACITY);
		*offset = PAGE_REPORTING_CAPACITY;
		budget--;

		pf_spin_lock(&zone->lock);
		page_reporting_drain(sgl, PAGE_REPORTING_CAPACITY, !err);
		/* restart from the front: the old successor may be gone */
		next = list->next;
		if (err)
			break;
	}

	/* what was left unvisited leads the list for the next pass */
	if (next != list && list->next != next)
		list_rotate_to_front(next, list);
	pf_spin_unlock(&zone->lock);
	return err;
}

/*
 * page_reporting_process_zone (6.12): a zone is served only while its free
 * pages stay above the low watermark plus a full batch of the reporting
 * order (isolating a batch must not push it toward reclaim); then each
 * list from page_reporting_order up, every type but isolate, and what is
 * left in the batch at the end.
 */
static int page_reporting_process_zone(struct page_reporting_dev_info *prdev, struct page_reporting_sg *sgl,
				       struct zone *zone)
{
	struct pf_machine *m = prdev->machine;
	unsigned int order, mt, leftover, offset = PAGE_REPORTING_CAPACITY;
	unsigned int rorder = (unsigned int)m->page_reporting_order;
	unsigned long watermark;
	int err = 0;

	watermark = low_wmark_pages(zone) + ((unsigned long)PAGE_REPORTING_CAPACITY << rorder);
	if (!zone_watermark_ok(zone, 0, watermark, 0, ALLOC_CMA))
		return 0;

	for (order = rorder; order < NR_PAGE_ORDERS; order++) {
		for (mt = 0; mt < MIGRATE_TYPES; mt++) {
			if (is_migrate_isolate((int)mt))
				continue;
			err = page_reporting_cycle(prdev, zone, order, mt, sgl, &offset);
			if (err)
				return err;
		}
	}

	leftover = PAGE_REPORTING_CAPACITY - offset;
	if (leftover) {
		sgl = &sgl[offset];
		err = page_reporting_report(prdev, sgl, leftover);
		pf_spin_lock(&zone->lock);
		page_reporting_drain(sgl, leftover, !err);
		pf_spin_unlock(&zone->lock);
	}
	return err;
}

/*
 * page_reporting_process (6.12): the work item.  ACTIVE for the pass; a
 * request during it (or a list out of budget) leaves REQUESTED behind,
 * and the work is queued again, else the state returns to IDLE.
 * Context: prdev->pass_lock held.
 */
static void page_reporting_process(struct page_reporting_dev_info *prdev)
{
	struct pf_machine *m = prdev->machine;
	struct page_reporting_sg sgl[PAGE_REPORTING_CAPACITY];
	int state = PAGE_REPORTING_ACTIVE, err = 0;

	atomic_store(&prdev->state, state);
	memset(sgl, 0, sizeof sgl);
	for (int nid = 0; nid < m->nr_node_ids && !err; nid++)
		for (int z = 0; z < MAX_NR_ZONES && !err; z++) {
			struct zone *zone = &NODE_DATA(m, nid)->node_zones[z];
			if (populated_zone(zone))
				err = page_reporting_process_zone(prdev, sgl, zone);
		}

	if (!atomic_compare_exchange_strong(&prdev->state, &state, PAGE_REPORTING_IDLE) &&
	    state == PAGE_REPORTING_REQUESTED)
		page_reporting_queue(prdev);
}

/* ---- registration (6.12) ---------------------------------------------------------------- */

/*
 * page_reporting_register (6.12): one sink per machine.  An unset
 * page_reporting_order takes the sink's order when it gives one, else
 * pageblock_order.  A first pass is requested at once, so what is free at
 * boot is reported too.
 */
int page_reporting_register(struct pf_machine *m, struct page_reporting_dev_info *prdev)
{
	if (m->pr_dev_info)
		return -EBUSY;
	/*
	 * A sink reports the blocks on the free lists: write the deferred ones
	 * first, as the kernel's sinks register only after page_alloc_init_late
	 * (deferred_init.c).
	 */
	deferred_init_all(m);
	if (m->page_reporting_order == -1) {
		if (prdev->order > 0 && prdev->order <= MAX_PAGE_ORDER)
			m->page_reporting_order = (int)prdev->order;
		else
			m->page_reporting_order = pageblock_order;
	}
	prdev->machine = m;
	atomic_store(&prdev->state, PAGE_REPORTING_IDLE);
	pf_spin_lock_init(&prdev->work_lock);
	pf_spin_lock_init(&prdev->pass_lock);
	__page_reporting_request(prdev);
	__atomic_store_n(&m->pr_dev_info, prdev, __ATOMIC_RELEASE);
	__atomic_store_n(&m->page_reporting_notify_order, (unsigned int)m->page_reporting_order, __ATOMIC_RELAXED);
	return 0;
}

/* page_reporting_unregister (6.12): no more notifications; the worker is stopped first. */
void page_reporting_unregister(struct pf_machine *m)
{
	struct page_reporting_dev_info *prdev = m->pr_dev_info;
	if (!prdev)
		return;
	pf_page_reporting_stop(m);
	__atomic_store_n(&m->page_reporting_notify_order, NR_PAGE_ORDERS, __ATOMIC_RELAXED);
	__atomic_store_n(&m->pr_dev_info, NULL, __ATOMIC_RELEASE);
	/* a notifier that read the pointer before it was cleared holds a zone lock: wait them out */
	for (int nid = 0; nid < m->nr_node_ids; nid++)
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &NODE_DATA(m, nid)->node_zones[z];
			if (!populated_zone(zone))
				continue;
			pf_spin_lock(&zone->lock);
			pf_spin_unlock(&zone->lock);
		}
	free(prdev);
}

/* ---- the machine's sink: memory back to the host ---------------------------------------- */

/*
 * The machine's sink (pageframe's own, where the kernel has virtio_balloon
 * and hv_balloon): each block's memory is given back through the backing
 * (pf_os_mem_discard).  Backing none has no memory; the blocks still count
 * as reported.  A discard the host refuses fails the batch.
 */
static int page_reporting_host_report(struct page_reporting_dev_info *prdev, struct page_reporting_sg *sgl,
				      unsigned int nents)
{
	struct pf_machine *m = prdev->machine;
	int how = m->page_reporting_mode == PF_REPORTING_FREE ? PF_OS_DISCARD_FREE : PF_OS_DISCARD_DONTNEED;

	if (!m->base)
		return 0;
	for (unsigned int i = 0; i < nents; i++) {
		/* the window's offset of the block: m->base may start before the mapping (external) */
		size_t off = page_to_pfn(sgl[i].page) * PAGE_SIZE - ((uintptr_t)m->mem.base - (uintptr_t)m->base);
		int rc = pf_os_mem_discard(&m->mem, off, PAGE_SIZE << sgl[i].order, how);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- the worker ------------------------------------------------------------------------- */

/* The delayed work's thread: sleep until a pass is queued and due, run it, again. */
static void page_reporting_thread(void *arg)
{
	struct page_reporting_dev_info *prdev = arg;
	struct pf_os_worker *w;

	/* pf_page_reporting_start holds the lock until the handle is published */
	pf_spin_lock(&prdev->work_lock);
	w = prdev->worker;
	pf_spin_unlock(&prdev->work_lock);

	while (!pf_os_worker_should_stop(w)) {
		long wait_ms = -1;

		pf_spin_lock(&prdev->work_lock);
		if (prdev->queued) {
			unsigned long long now = pf_os_now_ns();
			if (now >= prdev->due_ns) {
				prdev->queued = false;
				wait_ms = 0;
			} else {
				wait_ms = (long)((prdev->due_ns - now + 999999ull) / 1000000ull);
			}
		}
		pf_spin_unlock(&prdev->work_lock);
		if (wait_ms) {
			pf_os_worker_wait(w, wait_ms);
			continue;
		}
		pf_spin_lock(&prdev->pass_lock);
		page_reporting_process(prdev);
		pf_spin_unlock(&prdev->pass_lock);
	}
}

/* ---- the machine's side ------------------------------------------------------------------- */

/* "free_page_reporting dontneed|free|off" (machine_desc.c) */
int page_reporting_parse(struct pf_machine *m, const char *s, int line, char *why, size_t len)
{
	char mode[16], extra[8];
	int n = 0, k = 0;

	if (sscanf(s, " %15s %n", mode, &n) != 1) {
		snprintf(why, len, "free_page_reporting: expected dontneed, free or off");
		return -EINVAL;
	}
	if (sscanf(s + n, " %7s %n", extra, &k) == 1) {
		snprintf(why, len, "free_page_reporting: unexpected text after '%s'", mode);
		return -EINVAL;
	}
	if (!strcmp(mode, "dontneed"))
		m->page_reporting_mode = PF_REPORTING_DONTNEED;
	else if (!strcmp(mode, "free"))
		m->page_reporting_mode = PF_REPORTING_FREE;
	else if (!strcmp(mode, "off"))
		m->page_reporting_mode = PF_REPORTING_OFF;
	else {
		snprintf(why, len, "free_page_reporting: expected dontneed, free or off, got '%.32s'", mode);
		return -EINVAL;
	}
	m->page_reporting_line = line;
	return 0;
}

/* At boot (machine.c): the order's initial value; no sink until page_reporting_init. */
void page_reporting_early_init(struct pf_machine *m)
{
	m->page_reporting_order = -1;
	m->page_reporting_notify_order = NR_PAGE_ORDERS;
}

/*
 * At the end of boot (machine.c), after the description's sysctl lines:
 * with reporting on, register the machine's sink and start its worker.
 */
int page_reporting_init(struct pf_machine *m, char *err, size_t errlen)
{
	if (m->page_reporting_mode == PF_REPORTING_OFF)
		return 0;
	/*
	 * Memory given back to the host comes back zeroed, not holding
	 * PAGE_POISON: every reported page would be found corrupted at its
	 * next allocation.  virtio_balloon (6.12) turns reporting off when the
	 * host cannot keep the poison value; here it is refused.
	 */
	if (m->page_poisoning) {
		snprintf(err, errlen, "line %d: free_page_reporting: not with page_poison=1 (pages given back would "
			 "come back zeroed, not poisoned)", m->page_reporting_line);
		return -EINVAL;
	}
	struct page_reporting_dev_info *prdev = calloc(1, sizeof *prdev);
	if (!prdev) {
		snprintf(err, errlen, "line %d: free_page_reporting: out of memory", m->page_reporting_line);
		return -ENOMEM;
	}
	prdev->report = page_reporting_host_report;
	/* hugetlbfs gives back whole 2 MiB pages: ask for that order, used when page_reporting_order is unset */
	prdev->order = m->mem.granule > PAGE_SIZE ? (unsigned int)__builtin_ctzl(m->mem.granule / PAGE_SIZE) : 0;
	int rc = page_reporting_register(m, prdev);
	if (!rc)
		rc = pf_page_reporting_start(m);
	if (rc) {
		snprintf(err, errlen, "line %d: free_page_reporting: %s", m->page_reporting_line,
			 rc == -EAGAIN ? "cannot create the reporting thread" : "cannot register the sink");
		if (m->pr_dev_info)
			page_reporting_unregister(m);
		else
			free(prdev);
		return rc;
	}
	return 0;
}

/*
 * page_reporting_order (the kernel's module parameter, written through
 * /sys/module/page_reporting/parameters): 0..MAX_PAGE_ORDER; it reads -1
 * until set or until a sink registers.  Takes effect at the next free
 * and the next pass.
 */
int page_reporting_order_sysctl_handler(struct pf_machine *m, const struct pf_ctl_table *table, const char *buffer)
{
	struct pf_ctl_table t = *table;
	int v = table->data ? *table->data : 0, ret;

	/* parsed into a copy: a running pass reads the order under pass_lock */
	t.data = &v;
	ret = proc_dointvec_minmax(m, &t, buffer);
	if (ret || !m)
		return ret;
	struct page_reporting_dev_info *prdev = m->pr_dev_info;
	if (prdev)
		pf_spin_lock(&prdev->pass_lock);
	m->page_reporting_order = v;
	if (prdev) {
		__atomic_store_n(&m->page_reporting_notify_order, (unsigned int)v, __ATOMIC_RELAXED);
		pf_spin_unlock(&prdev->pass_lock);
	}
	return 0;
}

/* ---- the public calls --------------------------------------------------------------------- */

int pf_page_reporting_start(struct pf_machine *m)
{
	if (!m)
		return -EINVAL;
	struct page_reporting_dev_info *prdev = m->pr_dev_info;
	if (!prdev)
		return -ENODEV;
	int rc = 0;
	pf_spin_lock(&prdev->work_lock);
	if (!prdev->worker) {
		prdev->worker = pf_os_worker_start(page_reporting_thread, prdev, "page_reporting");
		if (!prdev->worker)
			rc = -EAGAIN;
	}
	pf_spin_unlock(&prdev->work_lock);
	return rc;
}

void pf_page_reporting_stop(struct pf_machine *m)
{
	if (!m || !m->pr_dev_info)
		return;
	struct page_reporting_dev_info *prdev = m->pr_dev_info;
	pf_spin_lock(&prdev->work_lock);
	struct pf_os_worker *w = prdev->worker;
	pf_spin_unlock(&prdev->work_lock);
	if (!w)
		return;
	pf_os_worker_stop(w);
	pf_spin_lock(&prdev->work_lock);
	prdev->worker = NULL;
	pf_spin_unlock(&prdev->work_lock);
}

long pf_page_reporting_run(struct pf_machine *m)
{
	if (!m)
		return -EINVAL;
	struct page_reporting_dev_info *prdev = m->pr_dev_info;
	if (!prdev)
		return -ENODEV;
	pf_spin_lock(&prdev->work_lock);
	bool busy = prdev->worker != NULL, queued = prdev->queued;
	if (!busy)
		prdev->queued = false;
	pf_spin_unlock(&prdev->work_lock);
	if (busy)
		return -EBUSY;
	if (!queued)
		return 0;
	unsigned long before = atomic_load(&prdev->reported_pages);
	pf_spin_lock(&prdev->pass_lock);
	page_reporting_process(prdev);
	pf_spin_unlock(&prdev->pass_lock);
	return (long)(atomic_load(&prdev->reported_pages) - before);
}

long pf_report_free_pages(struct pf_machine *m)
{
	if (!m)
		return -EINVAL;
	struct page_reporting_dev_info *prdev = m->pr_dev_info;
	if (!prdev)
		return -ENODEV;
	/* freed pages waiting on per-CPU lists join the buddy lists first */
	drain_all_pages(m, NULL);
	unsigned long before = atomic_load(&prdev->reported_pages);
	pf_spin_lock(&prdev->pass_lock);
	/*
	 * Passes back to back while one leaves a request behind (a list ran
	 * out of budget, or a free asked meanwhile) and still reports something.
	 */
	for (;;) {
		unsigned long start = atomic_load(&prdev->reported_pages);
		page_reporting_process(prdev);
		if (atomic_load(&prdev->state) != PAGE_REPORTING_REQUESTED ||
		    atomic_load(&prdev->reported_pages) == start)
			break;
		pf_spin_lock(&prdev->work_lock);
		prdev->queued = false;	/* run now instead of after the delay */
		pf_spin_unlock(&prdev->work_lock);
	}
	pf_spin_unlock(&prdev->pass_lock);
	return (long)(atomic_load(&prdev->reported_pages) - before);
}
