/* SPDX-License-Identifier: MIT */
/*
 * fail_page_alloc.c - fault injection for page allocations, as the kernel's
 * mm/fail_page_alloc.c over lib/fault-inject.c (Linux 6.12): an allocation
 * that passes the filters fails on purpose, by probability, every
 * interval-th time, a limited number of times, after a space budget.
 *
 * Settable on a live machine (pf_fail_page_alloc_set, as writing
 * /sys/kernel/debug/fail_page_alloc/<param>) and in the machine description
 * ("fail_page_alloc probability=10 times=-1 ...").  Deliberate differences:
 * task-filter, require-start/end, stacktrace-depth and fail_nth are not
 * modelled; the random source is printk.c's per-thread xorshift seeded
 * from the clock; the injected failures are counted (shown by pf_show
 * "fail_page_alloc" and vmstat's pageframe_fail_page_alloc).
 */
#include "internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* FAULT_ATTR_INITIALIZER and fail_page_alloc's defaults. */
void fail_page_alloc_init(struct fail_page_alloc_attr *f)
{
	memset(f, 0, sizeof *f);
	f->interval = 1;
	atomic_init(&f->times, 1);
	atomic_init(&f->space, 0);
	f->verbose = 2;
	f->ignore_gfp_reclaim = true;
	f->ignore_gfp_highmem = true;
	f->min_order = 1;
	atomic_init(&f->count, 0);
	atomic_init(&f->injected, 0);
}

/* should_fail_ex (lib/fault-inject.c, 6.12), without task filter and stack checks. */
static bool should_fail_ex(struct pf_machine *m, struct fail_page_alloc_attr *attr, long size, bool nowarn)
{
	/* Probability 0 never fails; skip the times/space/interval bookkeeping. */
	if (attr->probability == 0)
		return false;
	if (atomic_load(&attr->times) == 0)
		return false;
	if (atomic_load(&attr->space) > size) {
		atomic_fetch_sub(&attr->space, (int)size);
		return false;
	}
	if (attr->interval > 1) {
		unsigned long count = atomic_fetch_add(&attr->count, 1) + 1;
		if (count % attr->interval)
			return false;
	}
	if (attr->probability <= get_random_u32_below(100))
		return false;

	if (!nowarn && attr->verbose > 0)
		pf_printk(m, '5', "FAULT_INJECTION: forcing a failure.\n"
			  "name fail_page_alloc, interval %lu, probability %lu, space %d, times %d",
			  attr->interval, attr->probability, atomic_load(&attr->space), atomic_load(&attr->times));
	/* atomic_dec_not_zero unless times is -1 (unlimited) */
	int t = atomic_load(&attr->times);
	while (t != -1 && t != 0 && !atomic_compare_exchange_weak(&attr->times, &t, t - 1))
		;
	atomic_fetch_add(&attr->injected, 1);
	return true;
}

/* should_fail_alloc_page (mm/fail_page_alloc.c, 6.12). */
bool should_fail_alloc_page(struct pf_machine *m, pf_gfp_t gfp_mask, unsigned int order)
{
	struct fail_page_alloc_attr *f = &m->fail_page_alloc;

	if (order < f->min_order)
		return false;
	if (gfp_mask & PF___GFP_NOFAIL)
		return false;
	if (f->ignore_gfp_highmem && (gfp_mask & PF___GFP_HIGHMEM))
		return false;
	if (f->ignore_gfp_reclaim && (gfp_mask & PF___GFP_DIRECT_RECLAIM))
		return false;
	return should_fail_ex(m, f, 1L << order, gfp_mask & PF___GFP_NOWARN);
}

static int parse_long(const char *v, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long x = strtol(v, &end, 10);
	while (*end == ' ' || *end == '\t' || *end == '\n')
		end++;
	if (errno || end == v || *end || x < lo || x > hi)
		return -EINVAL;
	*out = x;
	return 0;
}

/*
 * pf_fail_page_alloc_set - one attribute, named as the debugfs files are.
 * Return: 0, -ENOENT for an unknown name, -EINVAL for a bad value.
 */
int pf_fail_page_alloc_set(struct pf_machine *m, const char *param, const char *value)
{
	struct fail_page_alloc_attr *f;
	long v;

	if (!m || !param || !value)
		return -EINVAL;
	f = &m->fail_page_alloc;
	if (!strcmp(param, "probability")) {
		if (parse_long(value, 0, 100, &v))
			return -EINVAL;
		__atomic_store_n(&f->probability, (unsigned long)v, __ATOMIC_RELAXED);
		pf_fast_update(m);
	} else if (!strcmp(param, "interval")) {
		if (parse_long(value, 1, LONG_MAX, &v))
			return -EINVAL;
		f->interval = (unsigned long)v;
	} else if (!strcmp(param, "times")) {
		if (parse_long(value, -1, INT_MAX, &v))
			return -EINVAL;
		atomic_store(&f->times, (int)v);
	} else if (!strcmp(param, "space")) {
		if (parse_long(value, 0, INT_MAX, &v))
			return -EINVAL;
		atomic_store(&f->space, (int)v);
	} else if (!strcmp(param, "verbose")) {
		if (parse_long(value, 0, 2, &v))
			return -EINVAL;
		f->verbose = (int)v;
	} else if (!strcmp(param, "ignore-gfp-wait") || !strcmp(param, "ignore-gfp-highmem")) {
		/* debugfs bools take what kstrtobool takes: Y/N, 1/0, on/off */
		bool b;
		if (!strcasecmp(value, "y") || !strcmp(value, "1") || !strcasecmp(value, "on"))
			b = true;
		else if (!strcasecmp(value, "n") || !strcmp(value, "0") || !strcasecmp(value, "off"))
			b = false;
		else
			return -EINVAL;
		if (param[11] == 'w')
			f->ignore_gfp_reclaim = b;
		else
			f->ignore_gfp_highmem = b;
	} else if (!strcmp(param, "min-order")) {
		if (parse_long(value, 0, 63, &v))
			return -EINVAL;
		f->min_order = (unsigned int)v;
	} else {
		return -ENOENT;
	}
	return 0;
}

/* The attributes as their debugfs files read, then pageframe's count of injected failures. */
int fail_page_alloc_show(struct pf_machine *m, FILE *out)
{
	struct fail_page_alloc_attr *f = &m->fail_page_alloc;
	fprintf(out, "probability %lu\n", __atomic_load_n(&f->probability, __ATOMIC_RELAXED));
	fprintf(out, "interval %lu\n", f->interval);
	fprintf(out, "times %d\n", atomic_load(&f->times));
	fprintf(out, "space %d\n", atomic_load(&f->space));
	fprintf(out, "verbose %d\n", f->verbose);
	fprintf(out, "ignore-gfp-wait %c\n", f->ignore_gfp_reclaim ? 'Y' : 'N');
	fprintf(out, "ignore-gfp-highmem %c\n", f->ignore_gfp_highmem ? 'Y' : 'N');
	fprintf(out, "min-order %u\n", f->min_order);
	fprintf(out, "injected %lu\n", atomic_load(&f->injected));
	return ferror(out) ? -EIO : 0;
}
