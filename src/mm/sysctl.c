/* SPDX-License-Identifier: MIT */
/*
 * sysctl.c - /proc/sys/vm for a machine: the table of the vm sysctls
 * pageframe models (as kernel/sysctl.c and mm/page_alloc.c's
 * page_alloc_sysctl_table register them, 6.12), the integer-vector parser
 * their handlers call (proc_dointvec_minmax and its helpers), and
 * pf_sysctl_set / pf_sysctl_get.
 *
 * The handlers themselves live beside what they recompute, in
 * page_alloc.c.  A write is one write(2) of the whole value at offset 0.
 */
#include "internal.h"
#include "vmscan.h"

#include <limits.h>
#include <stddef.h>
#include <string.h>

/* ---- proc_dointvec_minmax (kernel/sysctl.c, 6.12) --------------------------- */

/* The kernel's isspace (lib/ctype.c): \t \n \v \f \r, the space, and Latin-1 NBSP 0xa0. */
static bool kernel_isspace(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0;
}

/* proc_skip_spaces (6.12). */
static void proc_skip_spaces(const char **buf, size_t *size)
{
	while (*size) {
		if (!kernel_isspace((unsigned char)**buf))
			break;
		(*size)--;
		(*buf)++;
	}
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 16;
}

/*
 * strtoul_lenient (6.12) with base 0, as _parse_integer_fixup_radix picks
 * it: "0x" before a hex digit is hex, another leading 0 is octal, else
 * decimal.  Stops at the first character that is no digit of the base.
 */
static int strtoul_lenient(const char *cp, const char **endp, unsigned long *res)
{
	unsigned int base = 10;
	unsigned long long result = 0;
	bool overflow = false;

	if (cp[0] == '0') {
		if ((cp[1] == 'x' || cp[1] == 'X') && hexval((unsigned char)cp[2]) < 16) {
			base = 16;
			cp += 2;
		} else {
			base = 8;
		}
	}
	for (;; cp++) {
		unsigned int d = (unsigned int)hexval((unsigned char)*cp);
		if (d >= base)
			break;
		if (result > (ULLONG_MAX - d) / base)
			overflow = true;
		result = result * base + d;
	}
	if (overflow || result != (unsigned long)result)
		return -ERANGE;
	*endp = cp;
	*res = (unsigned long)result;
	return 0;
}

#define TMPBUFLEN 22
static const char proc_wspace_sep[] = { ' ', '\t', '\n' };

/*
 * proc_get_long (6.12): an optional '-', a digit, a number of fewer than
 * 21 characters, then the end of the write or one of @perm_tr.
 */
static int proc_get_long(const char **buf, size_t *size, unsigned long *val, bool *neg,
			 const char *perm_tr, unsigned perm_tr_len)
{
	char tmp[TMPBUFLEN];
	const char *p;
	size_t len = *size;

	if (!len)
		return -EINVAL;
	if (len > TMPBUFLEN - 1)
		len = TMPBUFLEN - 1;
	memcpy(tmp, *buf, len);
	tmp[len] = 0;
	p = tmp;
	if (*p == '-' && *size > 1) {
		*neg = true;
		p++;
	} else {
		*neg = false;
	}
	if (!(*p >= '0' && *p <= '9'))
		return -EINVAL;
	if (strtoul_lenient(p, &p, val))
		return -EINVAL;
	len = (size_t)(p - tmp);
	/* As long as the copy: it may run on past the copy, so refuse it. */
	if (len == TMPBUFLEN - 1)
		return -EINVAL;
	if (len < *size && perm_tr_len && !memchr(perm_tr, *p, perm_tr_len))
		return -EINVAL;
	*buf += len;
	*size -= len;
	return 0;
}

/* do_proc_dointvec_minmax_conv (6.12): into an int, then within extra1..extra2. */
static int do_proc_dointvec_minmax_conv(const struct pf_ctl_table *table, bool neg, unsigned long lval, int *valp)
{
	int tmp;

	if (neg) {
		if (lval > (unsigned long)INT_MAX + 1)
			return -EINVAL;
		tmp = (int)-(long)lval;
	} else {
		if (lval > (unsigned long)INT_MAX)
			return -EINVAL;
		tmp = (int)lval;
	}
	if ((table->extra1 && *table->extra1 > tmp) || (table->extra2 && *table->extra2 < tmp))
		return -EINVAL;
	*valp = tmp;
	return 0;
}

/*
 * proc_dointvec_minmax - the write half of __do_proc_dointvec (6.12) with
 * the minmax conversion.  Whitespace first; then up to table->nr numbers,
 * each stored as soon as it passes (a later bad one leaves the earlier
 * ones written); what follows the last wanted number is not looked at.
 * Only the first PAGE_SIZE - 1 bytes count.  An empty write does nothing
 * and succeeds; a write with no number in it is -EINVAL.
 */
int proc_dointvec_minmax(struct pf_machine *m, const struct pf_ctl_table *table, const char *buffer)
{
	size_t left = strlen(buffer);
	const char *p = buffer;
	int vleft = table->nr, err = 0;
	bool first = true;

	(void)m;
	if (!left)
		return 0;
	if (left > PAGE_SIZE - 1)
		left = PAGE_SIZE - 1;
	for (int *i = table->data; left && vleft--; i++, first = false) {
		unsigned long lval;
		bool neg;

		proc_skip_spaces(&p, &left);
		if (!left)
			break;
		err = proc_get_long(&p, &left, &lval, &neg, proc_wspace_sep, sizeof proc_wspace_sep);
		if (err)
			break;
		if (do_proc_dointvec_minmax_conv(table, neg, lval, i)) {
			err = -EINVAL;
			break;
		}
	}
	if (first)
		return err ? err : -EINVAL;
	return err;
}

/*
 * proc_doulongvec_minmax (kernel/sysctl.c, 6.12) for one unsigned long:
 * blanks, a number (0x / 0 prefixes as strtoul), blanks; a minus sign or
 * a value below @min is -EINVAL.
 */
int proc_doulongvec_minmax(const char *buffer, unsigned long min, unsigned long *out)
{
	size_t left = strlen(buffer);
	const char *p = buffer;
	unsigned long val;
	bool neg;
	int err;

	if (left > PAGE_SIZE - 1)
		left = PAGE_SIZE - 1;
	proc_skip_spaces(&p, &left);
	if (!left)
		return -EINVAL;
	err = proc_get_long(&p, &left, &val, &neg, proc_wspace_sep, sizeof proc_wspace_sep);
	if (err)
		return err;
	if (neg || val < min)
		return -EINVAL;
	*out = val;
	return 0;
}

/* ---- the vm table ------------------------------------------------------------ */

static const int zero = 0, one = 1, two = 2, four = 4, one_hundred = 100, two_hundred = 200, one_thousand = 1000,
		 three_thousand = 3000;
static const int max_page_order = MAX_PAGE_ORDER;

/* page_alloc_sysctl_table (mm/page_alloc.c, 6.12), with offsets into the machine for .data. */
static const struct vm_sysctl {
	struct pf_ctl_table t;
	size_t offset;
} vm_table[] = {
	{ { "min_free_kbytes", NULL, 1, &zero, NULL, min_free_kbytes_sysctl_handler },
	  offsetof(struct pf_machine, min_free_kbytes) },
	{ { "watermark_boost_factor", NULL, 1, &zero, NULL, proc_dointvec_minmax },
	  offsetof(struct pf_machine, watermark_boost_factor) },
	{ { "watermark_scale_factor", NULL, 1, &one, &three_thousand, watermark_scale_factor_sysctl_handler },
	  offsetof(struct pf_machine, watermark_scale_factor) },
	{ { "percpu_pagelist_high_fraction", NULL, 1, &zero, NULL, percpu_pagelist_high_fraction_sysctl_handler },
	  offsetof(struct pf_machine, percpu_pagelist_high_fraction) },
	{ { "lowmem_reserve_ratio", NULL, MAX_NR_ZONES, NULL, NULL, lowmem_reserve_ratio_sysctl_handler },
	  offsetof(struct pf_machine, lowmem_reserve_ratio) },
	/* vm_compaction (mm/compaction.c, 6.12); compact_memory is write-only there */
	{ { "compact_memory", NULL, 1, NULL, NULL, sysctl_compaction_handler },
	  offsetof(struct pf_machine, sysctl_compact_memory) },
	{ { "compaction_proactiveness", NULL, 1, &zero, &one_hundred, compaction_proactiveness_sysctl_handler },
	  offsetof(struct pf_machine, sysctl_compaction_proactiveness) },
	{ { "extfrag_threshold", NULL, 1, &zero, &one_thousand, proc_dointvec_minmax },
	  offsetof(struct pf_machine, sysctl_extfrag_threshold) },
	{ { "compact_unevictable_allowed", NULL, 1, &zero, &one, proc_dointvec_minmax },
	  offsetof(struct pf_machine, sysctl_compact_unevictable_allowed) },
	/* vm_table (kernel/sysctl.c, 6.12) and mm/vmscan.c's: reclaim */
	{ { "swappiness", NULL, 1, &zero, &two_hundred, swappiness_sysctl_handler },
	  offsetof(struct pf_machine, vm_swappiness) },
	{ { "zone_reclaim_mode", NULL, 1, &zero, NULL, proc_dointvec_minmax },
	  offsetof(struct pf_machine, node_reclaim_mode) },
	/* Linux 6.15 (page_alloc.c), a later kernel than the one followed: see compaction.c */
	{ { "defrag_mode", NULL, 1, &zero, &one, proc_dointvec_minmax },
	  offsetof(struct pf_machine, defrag_mode) },
	/* fs/drop_caches.c (kernel/sysctl.c's vm_table, 6.12): 1..4, write-only there */
	{ { "drop_caches", NULL, 1, &one, &four, drop_caches_sysctl_handler },
	  offsetof(struct pf_machine, sysctl_drop_caches) },
	/* vm_oom_kill_table (mm/oom_kill.c, 6.12) */
	{ { "panic_on_oom", NULL, 1, &zero, &two, proc_dointvec_minmax },
	  offsetof(struct pf_machine, sysctl_panic_on_oom) },
	{ { "oom_kill_allocating_task", NULL, 1, NULL, NULL, proc_dointvec_minmax },
	  offsetof(struct pf_machine, sysctl_oom_kill_allocating_task) },
	{ { "oom_dump_tasks", NULL, 1, NULL, NULL, proc_dointvec_minmax },
	  offsetof(struct pf_machine, sysctl_oom_dump_tasks) },
	/* mm/page_reporting.c's module parameter page_reporting_order (0..MAX_PAGE_ORDER; -1 while unset) */
	{ { "page_reporting_order", NULL, 1, &zero, &max_page_order, page_reporting_order_sysctl_handler },
	  offsetof(struct pf_machine, page_reporting_order) },
	/* vm_page_writeback_sysctls (mm/page-writeback.c, 6.12) */
	{ { "dirty_background_ratio", NULL, 1, &zero, &one_hundred, dirty_background_ratio_handler },
	  offsetof(struct pf_machine, dirty_background_ratio) },
	{ { "dirty_background_bytes", NULL, 1, NULL, NULL, dirty_background_bytes_handler },
	  offsetof(struct pf_machine, dirty_background_bytes) },
	{ { "dirty_ratio", NULL, 1, &zero, &one_hundred, dirty_ratio_handler },
	  offsetof(struct pf_machine, dirty_ratio) },
	{ { "dirty_bytes", NULL, 1, NULL, NULL, dirty_bytes_handler },
	  offsetof(struct pf_machine, dirty_bytes) },
};

/* the entries whose .data is one unsigned long (proc_doulongvec_minmax), not ints */
static bool vm_sysctl_ulong(const struct vm_sysctl *e)
{
	return e->t.proc_handler == dirty_bytes_handler || e->t.proc_handler == dirty_background_bytes_handler;
}

static const struct vm_sysctl *vm_sysctl_find(const char *name)
{
	if (!strncmp(name, "vm.", 3))
		name += 3;
	for (size_t i = 0; i < sizeof vm_table / sizeof vm_table[0]; i++)
		if (!strcmp(name, vm_table[i].t.procname))
			return &vm_table[i];
	return NULL;
}

/* The table entry bound to @m's variable. */
static struct pf_ctl_table vm_sysctl_bind(const struct vm_sysctl *e, struct pf_machine *m)
{
	struct pf_ctl_table t = e->t;
	t.data = (int *)((char *)m + e->offset);
	return t;
}

/* pf_sysctl_write - one write to /proc/sys/vm/@name; the caller holds setup_lock. */
int pf_sysctl_write(struct pf_machine *m, const char *name, const char *value)
{
	const struct vm_sysctl *e = vm_sysctl_find(name);
	if (!e)
		return -ENOENT;
	struct pf_ctl_table t = vm_sysctl_bind(e, m);
	return t.proc_handler(m, &t, value);
}

/*
 * pf_sysctl_check - would proc_dointvec_minmax take @value for @name?
 * For the description parser: nothing is written.  Unlike the kernel's
 * lowmem_reserve_ratio handler, which ignores a parse error, a value the
 * parser refuses is refused here for every name.
 */
int pf_sysctl_check(const char *name, const char *value)
{
	const struct vm_sysctl *e = vm_sysctl_find(name);
	if (!e)
		return -ENOENT;
	int scratch[MAX_NR_ZONES] = { 0 };
	struct pf_ctl_table t = e->t;
	t.data = scratch;
	if (!*value)
		return -EINVAL;	/* process_sysctl_arg refuses an empty value */
	if (vm_sysctl_ulong(e)) {
		unsigned long v;
		return proc_doulongvec_minmax(value, 0, &v);	/* the minimum is the handler's, at write */
	}
	return proc_dointvec_minmax(NULL, &t, value);
}

int pf_sysctl_set(struct pf_machine *m, const char *name, const char *value)
{
	if (!m || !name || !value)
		return -EINVAL;
	pf_spin_lock(&m->setup_lock);
	int rc = pf_sysctl_write(m, name, value);
	pf_spin_unlock(&m->setup_lock);
	return rc;
}

/* The read side: the values as proc_dointvec prints them, tab-separated (without the newline). */
int pf_sysctl_get(struct pf_machine *m, const char *name, char *buf, size_t len)
{
	if (!m || !name || !buf)
		return -EINVAL;
	const struct vm_sysctl *e = vm_sysctl_find(name);
	if (!e)
		return -ENOENT;
	struct pf_ctl_table t = vm_sysctl_bind(e, m);
	char tmp[MAX_NR_ZONES * 12 + 1];
	size_t n = 0;
	if (vm_sysctl_ulong(e)) {
		int w = snprintf(buf, len, "%lu", __atomic_load_n((unsigned long *)(void *)t.data, __ATOMIC_RELAXED));
		return (size_t)w < len ? 0 : -ERANGE;
	}
	for (int i = 0; i < t.nr; i++)
		n += (size_t)snprintf(tmp + n, sizeof tmp - n, i ? "\t%d" : "%d", t.data[i]);
	int w = snprintf(buf, len, "%s", tmp);
	return (size_t)w < len ? 0 : -ERANGE;
}
