/* SPDX-License-Identifier: MIT */
/*
 * printk.h - the ground floor every other file may call: the kernel log of
 * a machine (pf_printk and the report hook), the burst limit bad_page keeps,
 * and a small random source.  Nothing here calls up into the allocator or
 * the description parser.
 */
#ifndef PF_MM_PRINTK_H
#define PF_MM_PRINTK_H

#include <stdatomic.h>
#include <stdbool.h>

struct pf_machine;

/* pf_printk - printk for one machine; @level is the KERN_* digit ('0'..'7'). */
void pf_printk(struct pf_machine *m, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The hook a machine starts with: each line to stderr. */
void pf_report_default(void *arg, int level, const char *line);

/*
 * A burst limit in the manner of bad_page (mm/page_alloc.c, 6.12): up to
 * @burst reports, then silence until @interval seconds after the first of
 * them, counting what was held back.
 */
struct pf_burst_limit {
	atomic_ulong resume;		/* second at which reporting may start again */
	atomic_ulong nr_shown;
	atomic_ulong nr_unshown;
};
bool pf_burst_limit_pass(struct pf_burst_limit *rs, unsigned long burst, unsigned long interval,
			 unsigned long now, unsigned long *suppressed);

/* get_random_u32_below (include/linux/random.h, 6.12): uniform-ish in [0, ceil), ceil > 0. */
unsigned int get_random_u32_below(unsigned int ceil);

#endif /* PF_MM_PRINTK_H */
