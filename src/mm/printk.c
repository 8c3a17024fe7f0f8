/* SPDX-License-Identifier: MIT */
/*
 * printk.c - a machine's kernel log and the helpers beneath it: pf_printk
 * splits a formatted message into lines and hands each to the machine's
 * report hook (stderr unless pf_set_report_hook chose another), the burst
 * limit bad_page uses, and the random source of fault injection.
 *
 * This file calls nothing above it: a report never passes through the
 * description parser or the allocator.
 */
#include "internal.h"

#include <string.h>

/* ---- kernel log ------------------------------------------------------------- */

void pf_report_default(void *arg, int level, const char *line)
{
	(void)arg;
	(void)level;
	fprintf(stderr, "%s\n", line);
}

void pf_printk(struct pf_machine *m, int level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	pf_report_fn fn = m && m->report ? m->report : pf_report_default;
	void *arg = m ? m->report_arg : NULL;
	char *s = buf;
	while (*s) {
		char *nl = strchr(s, '\n');
		if (nl)
			*nl = '\0';
		fn(arg, level, s);
		if (!nl)
			break;
		s = nl + 1;
	}
}

void pf_set_report_hook(struct pf_machine *m, pf_report_fn fn, void *arg)
{
	if (!m)
		return;
	m->report = fn ? fn : pf_report_default;
	m->report_arg = fn ? arg : NULL;
}

/* ---- burst limit ------------------------------------------------------------ */

/*
 * The bookkeeping of bad_page (6.12): once @burst reports have gone out,
 * the next ones are only counted until @interval seconds after the first
 * of the burst; the first report after that learns (through @suppressed)
 * how many were held back, and a new burst begins.
 */
bool pf_burst_limit_pass(struct pf_burst_limit *rs, unsigned long burst, unsigned long interval,
			 unsigned long now, unsigned long *suppressed)
{
	*suppressed = 0;
	if (atomic_load(&rs->nr_shown) >= burst) {	/* >=: two racing reports may both pass at burst - 1 */
		if (now < atomic_load(&rs->resume)) {
			atomic_fetch_add(&rs->nr_unshown, 1);
			return false;
		}
		*suppressed = atomic_exchange(&rs->nr_unshown, 0);
		atomic_store(&rs->nr_shown, 0);
	}
	if (atomic_fetch_add(&rs->nr_shown, 1) == 0)
		atomic_store(&rs->resume, now + interval);
	return true;
}

/* ---- random ----------------------------------------------------------------- */

/*
 * get_random_u32_below: the kernel draws from its CRNG; a per-thread
 * xorshift seeded from the clock is enough for fault injection here.
 */
unsigned int get_random_u32_below(unsigned int ceil)
{
	static _Thread_local unsigned long long s;
	if (!s)
		s = pf_os_now_ns() | 1;
	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return (unsigned int)((s >> 11) % ceil);
}
