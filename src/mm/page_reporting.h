/* SPDX-License-Identifier: MIT */
/*
 * page_reporting.h - free page reporting (mm/page_reporting.h and
 * include/linux/page_reporting.h, 6.12): the sink a machine registers, the
 * batch it is handed, and the check __free_one_page makes.
 */
#ifndef PF_MM_PAGE_REPORTING_H
#define PF_MM_PAGE_REPORTING_H

#include "internal.h"

/* a power of 2: the per-pass budget divides by it */
#define PAGE_REPORTING_CAPACITY		32
/* how long a request waits before a pass runs, letting a batch build up (2 * HZ) */
#define PAGE_REPORTING_DELAY_MS		2000

enum {
	PAGE_REPORTING_IDLE = 0,
	PAGE_REPORTING_REQUESTED,
	PAGE_REPORTING_ACTIVE,
};

/* the description's free_page_reporting line */
enum pf_reporting_mode {
	PF_REPORTING_OFF = 0,
	PF_REPORTING_DONTNEED,
	PF_REPORTING_FREE,
};

/* one entry of a batch: the scatterlist entry's page and length, kept as the block's order */
struct page_reporting_sg {
	struct pf_page *page;
	unsigned int order;
};

/*
 * struct page_reporting_dev_info (6.12) - a reporting sink.  @report is
 * called without any lock held with @nents isolated free blocks; 0 means
 * they were reported (they go back marked PageReported), an error leaves
 * them unmarked and ends the pass.  The delayed work is pageframe's:
 * @queued / @due_ns under @work_lock, run by @worker when a thread runs it,
 * else by pf_page_reporting_run; @pass_lock keeps passes one at a time, as
 * a work item never runs twice at once.
 */
struct page_reporting_dev_info {
	int (*report)(struct page_reporting_dev_info *prdev, struct page_reporting_sg *sg, unsigned int nents);
	struct pf_machine *machine;
	atomic_int state;
	unsigned int order;
	pf_spinlock_t work_lock;
	bool queued;
	unsigned long long due_ns;
	struct pf_os_worker *worker;
	pf_spinlock_t pass_lock;
	/* pageframe's own counts: pages and calls reported, calls failed */
	atomic_ulong reported_pages;
	atomic_ulong reports;
	atomic_ulong report_errors;
};

void __page_reporting_notify(struct pf_machine *m);

/*
 * page_reporting_notify_free (6.12) - __free_one_page's last step: a merged
 * block of page_reporting_order or more asks for a reporting pass.  The
 * kernel tests a static key, then the order; here one compare does both,
 * as page_reporting_notify_order lies past MAX_PAGE_ORDER while no sink is
 * registered.
 */
static inline void page_reporting_notify_free(struct pf_machine *m, unsigned int order)
{
	if (unlikely(order >= __atomic_load_n(&m->page_reporting_notify_order, __ATOMIC_RELAXED)))
		__page_reporting_notify(m);
}

int page_reporting_register(struct pf_machine *m, struct page_reporting_dev_info *prdev);
void page_reporting_unregister(struct pf_machine *m);

#endif /* PF_MM_PAGE_REPORTING_H */
