/* SPDX-License-Identifier: MIT */
/*
 * page_counter.c - hierarchical counting and limiting of pages, as Linux
 * 6.12's mm/page_counter.c: a charge is added at every level from a memcg
 * up to the root, and refused at the first level it would take over its
 * max; the min/low protection each level has in use is summed into its
 * parent, from which reclaim works out effective protection.
 *
 * Lock-free: usage and the protection sums are atomics; the settings are
 * written by one writer at a time (the memcg's set_lock) and read racily.
 * This file knows nothing of memcgs, pages or reclaim.
 */
#include "memcontrol.h"

#include <stdlib.h>
#include <string.h>

/*
 * propagate_protected_usage (6.12): the part of @usage that min and low
 * protect at this level, with the change passed to the parent's sums of
 * its children's protected usage.
 */
static void propagate_protected_usage(struct page_counter *c, unsigned long usage)
{
	unsigned long protected, old_protected;
	long delta;

	if (!c->parent)
		return;

	protected = min_t(unsigned long, usage, PC_READ(c->min));
	old_protected = (unsigned long)atomic_load_explicit(&c->min_usage, memory_order_relaxed);
	if (protected != old_protected) {
		old_protected = (unsigned long)atomic_exchange(&c->min_usage, (long)protected);
		delta = (long)(protected - old_protected);
		if (delta)
			atomic_fetch_add(&c->parent->children_min_usage, delta);
	}

	protected = min_t(unsigned long, usage, PC_READ(c->low));
	old_protected = (unsigned long)atomic_load_explicit(&c->low_usage, memory_order_relaxed);
	if (protected != old_protected) {
		old_protected = (unsigned long)atomic_exchange(&c->low_usage, (long)protected);
		delta = (long)(protected - old_protected);
		if (delta)
			atomic_fetch_add(&c->parent->children_low_usage, delta);
	}
}

/*
 * page_counter_cancel (6.12): take @nr_pages off this level only.  An
 * underflow (more uncharged than charged) is clamped to zero; the caller's
 * bookkeeping is broken then, so debug builds stop.
 */
void page_counter_cancel(struct page_counter *counter, unsigned long nr_pages)
{
	long new = atomic_fetch_sub(&counter->usage, (long)nr_pages) - (long)nr_pages;

	if (unlikely(new < 0)) {
		VM_BUG_ON(new < 0);
		new = 0;
		atomic_store(&counter->usage, 0);
	}
	if (counter->protection_support)
		propagate_protected_usage(counter, (unsigned long)new);
}

/* raise the peak marks after a charge took a level to @new */
static inline void page_counter_update_watermark(struct page_counter *c, long new)
{
	if ((unsigned long)new > PC_READ(c->local_watermark)) {
		PC_WRITE(c->local_watermark, (unsigned long)new);
		if ((unsigned long)new > PC_READ(c->watermark))
			PC_WRITE(c->watermark, (unsigned long)new);
	}
}

/* page_counter_charge (6.12): charge every level up, whatever the limits say. */
void page_counter_charge(struct page_counter *counter, unsigned long nr_pages)
{
	bool protection = counter->protection_support;

	for (struct page_counter *c = counter; c; c = c->parent) {
		long new = atomic_fetch_add(&c->usage, (long)nr_pages) + (long)nr_pages;
		if (protection)
			propagate_protected_usage(c, (unsigned long)new);
		page_counter_update_watermark(c, new);
	}
}

/*
 * page_counter_try_charge (6.12): charge every level up; at the first level
 * the charge would take over its max, undo what was charged below it and
 * report that level in @fail.  Each level is added first and compared
 * after (a sequentially consistent add, so a concurrent
 * page_counter_set_max sees either our charge or we its new max); a
 * concurrent smaller charge may fail against our addition meanwhile, as
 * in the kernel.  Return: true when charged.
 */
bool page_counter_try_charge(struct page_counter *counter, unsigned long nr_pages, struct page_counter **fail)
{
	struct page_counter *c;
	bool protection = counter->protection_support;

	for (c = counter; c; c = c->parent) {
		long new = atomic_fetch_add(&c->usage, (long)nr_pages) + (long)nr_pages;
		if ((unsigned long)new > PC_READ(c->max)) {
			atomic_fetch_sub(&c->usage, (long)nr_pages);
			__atomic_fetch_add(&c->failcnt, 1, __ATOMIC_RELAXED);
			*fail = c;
			goto failed;
		}
		if (protection)
			propagate_protected_usage(c, (unsigned long)new);
		page_counter_update_watermark(c, new);
	}
	return true;

failed:
	for (c = counter; c != *fail; c = c->parent)
		page_counter_cancel(c, nr_pages);
	return false;
}

/* page_counter_uncharge (6.12): take @nr_pages off every level up. */
void page_counter_uncharge(struct page_counter *counter, unsigned long nr_pages)
{
	for (struct page_counter *c = counter; c; c = c->parent)
		page_counter_cancel(c, nr_pages);
}

/* page_counter_set_min (6.12): a new memory.min, its protected usage passed up. */
void page_counter_set_min(struct page_counter *counter, unsigned long nr_pages)
{
	PC_WRITE(counter->min, nr_pages);
	for (struct page_counter *c = counter; c; c = c->parent)
		propagate_protected_usage(c, (unsigned long)atomic_load(&c->usage));
}

/* page_counter_set_low (6.12): a new memory.low, its protected usage passed up. */
void page_counter_set_low(struct page_counter *counter, unsigned long nr_pages)
{
	PC_WRITE(counter->low, nr_pages);
	for (struct page_counter *c = counter; c; c = c->parent)
		propagate_protected_usage(c, (unsigned long)atomic_load(&c->usage));
}

/*
 * memparse (lib/cmdline.c, 6.12): a number in C's notation (decimal, 0x
 * hex, 0 octal) with an optional K, M, G, T, P or E suffix (either case)
 * multiplying by 1024 per step.  *@retptr is left after what was read.
 */
static unsigned long long memparse(const char *ptr, char **retptr)
{
	char *endptr;
	unsigned long long ret = strtoull(ptr, &endptr, 0);
	unsigned shift = 0;

	if (endptr == ptr) {
		*retptr = (char *)ptr;
		return 0;
	}
	switch (*endptr) {
	case 'E': case 'e': shift += 10; /* fall through */
	case 'P': case 'p': shift += 10; /* fall through */
	case 'T': case 't': shift += 10; /* fall through */
	case 'G': case 'g': shift += 10; /* fall through */
	case 'M': case 'm': shift += 10; /* fall through */
	case 'K': case 'k': shift += 10;
		endptr++;
		break;
	default:
		break;
	}
	*retptr = endptr;
	return ret << shift;
}

/*
 * page_counter_memparse (6.12): @buf is @max (the largest value) or a
 * memparse byte count, rounded down to pages and capped at
 * PAGE_COUNTER_MAX.  Return: 0, or -EINVAL when anything follows the
 * number.
 *
 * Deliberate difference: a sign or nothing at all is refused (-EINVAL);
 * the kernel's simple_strtoull reads "" as 0 and "-1" as a huge number.
 */
int page_counter_memparse(const char *buf, const char *max, unsigned long *nr_pages)
{
	char *end;
	unsigned long long bytes;

	if (!strcmp(buf, max)) {
		*nr_pages = PAGE_COUNTER_MAX;
		return 0;
	}
	if (!*buf || *buf == '-' || *buf == '+' || *buf == ' ' || *buf == '\t')
		return -EINVAL;
	bytes = memparse(buf, &end);
	if (*end != '\0' || end == buf)
		return -EINVAL;
	*nr_pages = bytes / PAGE_SIZE < (unsigned long long)PAGE_COUNTER_MAX ? (unsigned long)(bytes / PAGE_SIZE)
									      : (unsigned long)PAGE_COUNTER_MAX;
	return 0;
}

/*
 * effective_protection (mm/page_counter.c, 6.12) - how much of a counter's
 * usage reclaim leaves alone, from its own setting (min or low), its
 * parent's effective protection and what its siblings claim:
 *
 *   - the counter protects at most min(usage, setting);
 *   - when the siblings together use more protection than the parent has,
 *     each gets the parent's amount in proportion to its protected usage;
 *   - otherwise each keeps its own protected usage, and with
 *     memory_recursiveprot the parent's unclaimed rest is shared out in
 *     proportion to the unprotected part of each sibling's usage.
 */
unsigned long effective_protection(unsigned long usage, unsigned long parent_usage, unsigned long setting,
				   unsigned long parent_effective, unsigned long siblings_protected,
				   bool recursive_protection)
{
	unsigned long protected = min_t(unsigned long, usage, setting);
	unsigned long ep;

	/* overcommitted: shares of the parent's protection */
	if (siblings_protected > parent_effective)
		return protected * parent_effective / siblings_protected;

	ep = protected;
	if (!recursive_protection)
		return ep;

	/* the parent's protection nobody claimed, by unprotected usage */
	if (parent_effective > siblings_protected && parent_usage > siblings_protected && usage > protected) {
		unsigned long unclaimed = parent_effective - siblings_protected;
		unclaimed *= usage - protected;
		unclaimed /= parent_usage - siblings_protected;
		ep += unclaimed;
	}
	return ep;
}

/*
 * page_counter_calculate_protection (6.12) - a counter's emin and elow for
 * a reclaim of the subtree under @root.  Valid only inside a top-down walk
 * (the parent's values were computed just before); @root itself and
 * counters with no usage keep what they had.  The children of @root get
 * their settings as they are.
 */
void page_counter_calculate_protection(struct page_counter *root, struct page_counter *counter,
				       bool recursive_protection)
{
	unsigned long usage, parent_usage;
	struct page_counter *parent = counter->parent;

	if (root == counter)
		return;
	usage = page_counter_read(counter);
	if (!usage)
		return;
	if (parent == root) {
		PC_WRITE(counter->emin, PC_READ(counter->min));
		PC_WRITE(counter->elow, PC_READ(counter->low));
		return;
	}
	parent_usage = page_counter_read(parent);
	PC_WRITE(counter->emin,
		 effective_protection(usage, parent_usage, PC_READ(counter->min), PC_READ(parent->emin),
				      (unsigned long)atomic_load(&parent->children_min_usage), recursive_protection));
	PC_WRITE(counter->elow,
		 effective_protection(usage, parent_usage, PC_READ(counter->low), PC_READ(parent->elow),
				      (unsigned long)atomic_load(&parent->children_low_usage), recursive_protection));
}
