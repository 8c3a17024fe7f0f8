/* SPDX-License-Identifier: MIT */
/*
 * machine_desc.c - reading a machine description (docs/MACHINE.md): one
 * directive a line, each found in the directives[] table below with its
 * handler and a line of help.
 *
 * The parser only fills in: struct pf_machine's memblock tables and boot
 * settings, and a struct pf_desc with the sysctl lines, which the machine
 * writes once it has booted (machine.c), as the kernel applies sysctl.*=
 * boot parameters and sysctl.conf after its initcalls.  It never touches
 * a zone; mm_init.c turns the tables into nodes and zones, as the kernel's
 * e820 / memblock code hands over to free_area_init().  A bad line is an
 * error naming the line: nothing is guessed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "internal.h"
#include "vmscan.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* ---- number parsing ---------------------------------------------------------- */

/*
 * pf_parse_size - a decimal or 0x-hex number with an optional K, M, G or T
 * (binary) suffix, as memparse().  Return: 0, or -ERANGE on overflow,
 * -EINVAL when there is no number.
 */
int pf_parse_size(const char *s, unsigned long long *out, const char **end)
{
	const char *p = s;
	unsigned long long v = 0;
	int base = 10, digits = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	for (;; p++) {
		int d;
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			break;
		if (v > (ULLONG_MAX - (unsigned)d) / (unsigned)base)
			return -ERANGE;
		v = v * (unsigned)base + (unsigned)d;
		digits++;
	}
	if (!digits)
		return -EINVAL;
	int shift = 0;
	switch (*p) {
	case 'T': case 't': shift = 40; p++; break;
	case 'G': case 'g': shift = 30; p++; break;
	case 'M': case 'm': shift = 20; p++; break;
	case 'K': case 'k': shift = 10; p++; break;
	default: break;
	}
	if (shift && v > (ULLONG_MAX >> shift))
		return -ERANGE;
	*out = v << shift;
	if (end)
		*end = p;
	return 0;
}

/* ---- the parser's state and its small readers ---------------------------------- */

struct parser {
	struct pf_machine *m;
	struct pf_desc *d;
	int lineno;
	char *err;
	size_t errlen;
	bool have_cpus;
	bool have_node_cpus;
	bool node_declared[MAX_NUMNODES];
	int node_line[MAX_NUMNODES];	/* first line naming the node */
	bool cpu_assigned[NR_CPUS_MAX];
	bool distance_set[MAX_NUMNODES][MAX_NUMNODES];
	struct pf_region e820[PF_MAX_REGIONS];
	int nr_e820;
	bool have_mem;		/* mem or node-range lines seen: e820 lines are then only a cross-check */
	unsigned long long mem_limit;	/* mem= in bytes, 0 if none */
	bool have_pcp_high_max_fraction;	/* a pcp_high_max_fraction line: the profile leaves it alone */
	int profile_line;		/* the profile line, 0 if none */
};

__attribute__((format(printf, 2, 3)))
static int perr(struct parser *p, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (p->err && p->errlen) {
		if (p->lineno > 0)
			snprintf(p->err, p->errlen, "line %d: %s", p->lineno, msg);
		else
			snprintf(p->err, p->errlen, "%s", msg);
	}
	return -EINVAL;
}

static const char *skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* A token: up to whitespace. */
static const char *next_token(const char *s, char *tok, size_t len)
{
	s = skip_ws(s);
	size_t n = 0;
	while (*s && *s != ' ' && *s != '\t') {
		if (n + 1 < len)
			tok[n++] = *s;
		s++;
	}
	tok[n] = '\0';
	return s;
}

static int parse_uint(struct parser *p, const char *tok, const char *what, long max, long *out)
{
	unsigned long long v;
	const char *end;
	int rc = pf_parse_size(tok, &v, &end);
	if (rc == -ERANGE || (!rc && v > (unsigned long long)max))
		return perr(p, "%s '%s' is too large (at most %ld)", what, tok, max);
	if (rc || *end)
		return perr(p, "%s '%s' is not a number", what, tok);
	*out = (long)v;
	return 0;
}

/* "A-B" byte range with an inclusive end → page-aligned pfn range [start, end). */
static int parse_range(struct parser *p, const char *tok, struct pf_region *r)
{
	unsigned long long a, b;
	const char *end;
	if (pf_parse_size(tok, &a, &end) || *end != '-')
		return perr(p, "range '%s' must be START-END (inclusive end), e.g. 0x1000-0x9efff", tok);
	const char *s2 = end + 1;
	int rc = pf_parse_size(s2, &b, &end);
	if (rc == -ERANGE)
		return perr(p, "range '%s': end overflows", tok);
	if (rc || *end)
		return perr(p, "range '%s' must be START-END (inclusive end), e.g. 0x1000-0x9efff", tok);
	if (b < a)
		return perr(p, "range '%s' ends before it starts", tok);
	if (b >= (1ULL << 52))
		return perr(p, "range '%s' goes past the 52-bit physical address limit", tok);
	/* memblock keeps whole pages: round the start up and the end down. */
	unsigned long long start = (a + PAGE_SIZE - 1) >> PAGE_SHIFT;
	unsigned long long stop = (b + 1) >> PAGE_SHIFT;
	r->start_pfn = (unsigned long)start;
	r->end_pfn = (unsigned long)(stop > start ? stop : start);
	return 0;
}

static int parse_cpulist(struct parser *p, const char *s, int node)
{
	char tok[128];
	next_token(s, tok, sizeof tok);
	if (!tok[0])
		return perr(p, "node %d: 'cpus' needs a CPU list such as 0-3,8", node);
	char *save = NULL;
	for (char *part = strtok_r(tok, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
		char *dash = strchr(part, '-');
		long a = 0, b = 0;
		if (dash)
			*dash = '\0';
		if (parse_uint(p, part, "CPU", NR_CPUS_MAX - 1, &a))
			return -EINVAL;
		b = a;
		if (dash && parse_uint(p, dash + 1, "CPU", NR_CPUS_MAX - 1, &b))
			return -EINVAL;
		if (b < a)
			return perr(p, "CPU range %ld-%ld ends before it starts", a, b);
		for (long c = a; c <= b; c++) {
			if (p->cpu_assigned[c])
				return perr(p, "CPU %ld is given to two nodes", c);
			p->cpu_assigned[c] = true;
			if (c >= p->m->nr_cpus)
				return perr(p, "CPU %ld is beyond 'cpus %d'", c, p->m->nr_cpus);
			p->m->cpu_to_node[c] = (short)node;
		}
	}
	p->have_node_cpus = true;
	return 0;
}

static int add_region(struct parser *p, struct pf_region *tab, int *nr, struct pf_region r, const char *what)
{
	if (r.start_pfn == r.end_pfn)
		return 0;	/* less than a page: memblock drops it */
	if (*nr >= PF_MAX_REGIONS)
		return perr(p, "too many %s ranges (at most %d)", what, PF_MAX_REGIONS);
	if (!r.line)	/* e820 ranges keep the line they were read from */
		r.line = p->lineno;
	tab[(*nr)++] = r;
	return 0;
}

static int parse_cmdline(struct parser *p, const char *s)
{
	char tok[128];
	struct pf_machine *m = p->m;
	for (;;) {
		s = next_token(s, tok, sizeof tok);
		if (!tok[0])
			return 0;
		char *eq = strchr(tok, '=');
		if (!eq)
			return perr(p, "cmdline: '%s' is not name=value (kernelcore=, movablecore=, mem=)", tok);
		*eq = '\0';
		const char *val = eq + 1;
		unsigned long long v;
		const char *end;
		if (!strcmp(tok, "kernelcore") || !strcmp(tok, "movablecore")) {
			bool kc = tok[0] == 'k';
			int rc = pf_parse_size(val, &v, &end);
			if (rc == -ERANGE)
				return perr(p, "cmdline: %s=%s overflows", tok, val);
			if (rc)
				return perr(p, "cmdline: %s=%s is not a size or a percentage", tok, val);
			if (*end == '%' && !end[1]) {
				/* cmdline_parse_core: nn% of total memory */
				if (v > 100)
					return perr(p, "cmdline: %s=%s is over 100%%", tok, val);
				if (kc)
					m->required_kernelcore_percent = (int)v;
				else
					m->required_movablecore_percent = (int)v;
			} else if (*end) {
				return perr(p, "cmdline: %s=%s is not a size or a percentage", tok, val);
			} else if (kc) {
				m->required_kernelcore = (unsigned long)(v >> PAGE_SHIFT);
			} else {
				m->required_movablecore = (unsigned long)(v >> PAGE_SHIFT);
			}
		} else if (!strcmp(tok, "mem")) {
			int rc = pf_parse_size(val, &v, &end);
			if (rc || *end)
				return perr(p, "cmdline: mem=%s is not a size", val);
			if (v < PAGE_SIZE)
				return perr(p, "cmdline: mem=%s is less than a page", val);
			p->mem_limit = v;
		} else if (!strcmp(tok, "page_owner")) {
			/* early_page_owner_param (page_owner.c): kstrtobool's on/off, y/n, 1/0 */
			if (early_page_owner_param(m, val))
				return perr(p, "cmdline: page_owner=%s is not a boolean (on, off, 1, 0, y, n)", val);
		} else {
			/* the page debugging parameters (page_poison.c, debug_page_alloc.c) */
			char why[160];
			int rc = page_poison_param(m, tok, val, why, sizeof why);
			if (rc > 0)
				rc = debug_pagealloc_param(m, tok, val, why, sizeof why);
			if (rc < 0)
				return perr(p, "cmdline: %s", why);
			if (rc > 0)
				return perr(p, "cmdline: unknown parameter '%s' (kernelcore=, movablecore=, mem=, page_owner=, "
					    "page_poison=, init_on_alloc=, init_on_free=, debug_pagealloc=, "
					    "debug_guardpage_minorder=)", tok);
		}
	}
}

/* Parse "[mem 0xA-0xB]" at s. */
static int parse_bracket_mem(struct parser *p, const char *s, struct pf_region *r)
{
	const char *b = strstr(s, "[mem ");
	if (!b)
		return perr(p, "expected '[mem START-END]'");
	b += 5;
	const char *close = strchr(b, ']');
	if (!close || close - b >= 64)
		return perr(p, "expected '[mem START-END]'");
	char tok[64];
	memcpy(tok, b, (size_t)(close - b));
	tok[close - b] = '\0';
	return parse_range(p, tok, r);
}

/* ---- the directives ------------------------------------------------------------ */

/* Nothing may follow a directive's last word but a comment. */
static int end_of_line(struct parser *p, const char *s)
{
	char tok[128];
	next_token(s, tok, sizeof tok);
	if (tok[0])
		return perr(p, "unexpected '%s' at the end of the line", tok);
	return 0;
}

static int d_cpus(struct parser *p, const char *dir, const char *s)
{
	char tok[128];
	long a = 0;
	(void)dir;
	if (p->have_node_cpus)
		return perr(p, "'cpus' must come before 'node ... cpus'");
	s = next_token(s, tok, sizeof tok);
	if (parse_uint(p, tok, "cpus", NR_CPUS_MAX, &a))
		return -EINVAL;
	if (a < 1)
		return perr(p, "a machine needs at least one CPU");
	p->m->nr_cpus = (int)a;
	p->have_cpus = true;
	return end_of_line(p, s);
}

static void declare_node(struct parser *p, long nid)
{
	if (!p->node_declared[nid])
		p->node_line[nid] = p->lineno;
	p->node_declared[nid] = true;
}

/* "node N cpus LIST", or a kernel log line "node   0: [mem 0x...-0x...]" */
static int d_node(struct parser *p, const char *dir, const char *s)
{
	char tok[128], tok2[128];
	long a = 0;
	(void)dir;
	s = next_token(s, tok2, sizeof tok2);
	size_t l2 = strlen(tok2);
	if (l2 > 1 && tok2[l2 - 1] == ':')
		tok2[l2 - 1] = '\0';
	if (parse_uint(p, tok2, "node", MAX_NUMNODES - 1, &a))
		return -EINVAL;
	const char *rest = skip_ws(s);
	if (!strncmp(rest, "[mem", 4)) {
		struct pf_region r = { 0, 0, (int)a, 0 };
		if (parse_bracket_mem(p, rest, &r))
			return -EINVAL;
		r.nid = (int)a;
		declare_node(p, a);
		p->have_mem = true;
		return add_region(p, p->m->memory, &p->m->nr_memory, r, "memory");
	}
	s = next_token(s, tok, sizeof tok);
	declare_node(p, a);
	if (!tok[0])
		return 0;
	if (strcmp(tok, "cpus"))
		return perr(p, "node %ld: expected 'cpus LIST', got '%s'", a, tok);
	return parse_cpulist(p, s, (int)a);
}

static int d_distance(struct parser *p, const char *dir, const char *s)
{
	char tok[128];
	long a = 0, b = 0, c = 0;
	struct pf_machine *m = p->m;
	(void)dir;
	s = next_token(s, tok, sizeof tok);
	if (parse_uint(p, tok, "node", MAX_NUMNODES - 1, &a))
		return -EINVAL;
	s = next_token(s, tok, sizeof tok);
	if (parse_uint(p, tok, "node", MAX_NUMNODES - 1, &b))
		return -EINVAL;
	s = next_token(s, tok, sizeof tok);
	if (parse_uint(p, tok, "distance", 254, &c))
		return -EINVAL;
	if (a == b && c != LOCAL_DISTANCE)
		return perr(p, "the distance of node %ld to itself must be %d", a, LOCAL_DISTANCE);
	if (a != b && c <= LOCAL_DISTANCE)
		return perr(p, "the distance between nodes %ld and %ld must exceed %d", a, b, LOCAL_DISTANCE);
	m->node_distance[a][b] = (unsigned char)c;
	p->distance_set[a][b] = true;
	if (!p->distance_set[b][a])
		m->node_distance[b][a] = (unsigned char)c;
	return end_of_line(p, s);
}

static int d_mem(struct parser *p, const char *dir, const char *s)
{
	char tok[128], tok2[128];
	long a = 0;
	(void)dir;
	s = next_token(s, tok, sizeof tok);
	if (parse_uint(p, tok, "node", MAX_NUMNODES - 1, &a))
		return -EINVAL;
	s = next_token(s, tok2, sizeof tok2);
	struct pf_region r = { 0, 0, (int)a, 0 };
	if (!tok2[0])
		return perr(p, "mem: expected 'mem NODE START-END'");
	if (parse_range(p, tok2, &r))
		return -EINVAL;
	r.nid = (int)a;
	declare_node(p, a);
	p->have_mem = true;
	if (add_region(p, p->m->memory, &p->m->nr_memory, r, "memory"))
		return -EINVAL;
	return end_of_line(p, s);
}

static int d_reserve(struct parser *p, const char *dir, const char *s)
{
	char tok2[128];
	(void)dir;
	s = next_token(s, tok2, sizeof tok2);
	struct pf_region r = { 0, 0, -1, 0 };
	if (!tok2[0])
		return perr(p, "reserve: expected 'reserve START-END'");
	if (parse_range(p, tok2, &r))
		return -EINVAL;
	/* a reservation covers every page it touches: round outwards */
	unsigned long long lo, hi;
	const char *end;
	pf_parse_size(tok2, &lo, &end);
	pf_parse_size(end + 1, &hi, &end);
	r.start_pfn = (unsigned long)(lo >> PAGE_SHIFT);
	r.end_pfn = (unsigned long)((hi >> PAGE_SHIFT) + 1);
	if (add_region(p, p->m->reserved, &p->m->nr_reserved, r, "reserved"))
		return -EINVAL;
	return end_of_line(p, s);
}

/*
 * "sysctl vm.NAME=VALUE": checked here (name known, value one that
 * proc_dointvec_minmax takes), kept in the description, and written by
 * machine.c after boot.  Spaces around the name and the value are dropped,
 * as sysctl(8) drops them from sysctl.conf.
 */
static int d_sysctl(struct parser *p, const char *dir, const char *s)
{
	(void)dir;
	s = skip_ws(s);
	const char *eq = strchr(s, '=');
	if (!eq)
		return perr(p, "sysctl: expected 'sysctl vm.NAME=VALUE'");
	size_t nl = (size_t)(eq - s);
	while (nl && isspace((unsigned char)s[nl - 1]))
		nl--;
	const char *v = eq + 1;
	while (isspace((unsigned char)*v))
		v++;
	size_t vl = strlen(v);
	while (vl && isspace((unsigned char)v[vl - 1]))
		vl--;
	char *name = strndup(s, nl), *value = strndup(v, vl);
	struct pf_desc_sysctl *grown = NULL;
	int rc = -ENOMEM;
	if (!name || !value)
		goto fail;
	rc = pf_sysctl_check(name, value);
	if (rc == -ENOENT)
		rc = perr(p, "sysctl: unknown '%s' (min_free_kbytes, watermark_scale_factor, "
			  "watermark_boost_factor, lowmem_reserve_ratio, percpu_pagelist_high_fraction, "
			  "compact_memory, compaction_proactiveness, extfrag_threshold, "
			  "compact_unevictable_allowed, defrag_mode, drop_caches, panic_on_oom, "
			  "oom_kill_allocating_task, oom_dump_tasks, page_reporting_order, swappiness, zone_reclaim_mode)", name);
	else if (rc)
		rc = perr(p, "sysctl: bad value '%s' for %s", value, name);
	if (rc)
		goto fail;
	grown = realloc(p->d->sysctl, (size_t)(p->d->nr_sysctl + 1) * sizeof *grown);
	if (!grown) {
		rc = perr(p, "out of memory");
		goto fail;
	}
	p->d->sysctl = grown;
	p->d->sysctl[p->d->nr_sysctl++] = (struct pf_desc_sysctl){ p->lineno, name, value };
	return 0;
fail:
	free(name);
	free(value);
	return rc;
}

static int d_cmdline(struct parser *p, const char *dir, const char *s)
{
	(void)dir;
	return parse_cmdline(p, s);
}

static int d_thp(struct parser *p, const char *dir, const char *s)
{
	char tok2[128];
	(void)dir;
	s = next_token(s, tok2, sizeof tok2);
	if (!strcmp(tok2, "always"))
		p->m->thp = PF_THP_ALWAYS;
	else if (!strcmp(tok2, "madvise"))
		p->m->thp = PF_THP_MADVISE;
	else if (!strcmp(tok2, "never"))
		p->m->thp = PF_THP_NEVER;
	else
		return perr(p, "thp: expected always, madvise or never, got '%s'", tok2);
	return end_of_line(p, s);
}

/* backing KIND [PATH|NAME]: read by backing.c, which knows the kinds */
static int d_backing(struct parser *p, const char *dir, const char *s)
{
	char why[400];
	(void)dir;
	if (backing_parse(p->m, s, p->lineno, why, sizeof why))
		return perr(p, "%s", why);
	return 0;
}

/* free_page_reporting dontneed|free|off: read by page_reporting.c */
static int d_free_page_reporting(struct parser *p, const char *dir, const char *s)
{
	char why[200];
	(void)dir;
	if (page_reporting_parse(p->m, s, p->lineno, why, sizeof why))
		return perr(p, "%s", why);
	return 0;
}

/* fail_page_alloc probability=10 interval=1 times=-1 ... (the debugfs attribute names) */
static int d_fail_page_alloc(struct parser *p, const char *dir, const char *s)
{
	char tok2[128];
	(void)dir;
	for (;;) {
		s = next_token(s, tok2, sizeof tok2);
		if (!tok2[0])
			return 0;
		char *eq = strchr(tok2, '=');
		if (!eq)
			return perr(p, "fail_page_alloc: '%s' is not name=value", tok2);
		*eq = '\0';
		int rc = pf_fail_page_alloc_set(p->m, tok2, eq + 1);
		if (rc == -ENOENT)
			return perr(p, "fail_page_alloc: unknown attribute '%s' (probability, interval, times, space, "
				    "verbose, ignore-gfp-wait, ignore-gfp-highmem, min-order)", tok2);
		if (rc)
			return perr(p, "fail_page_alloc: bad value '%s' for %s", eq + 1, tok2);
	}
}

/* init_on_alloc / init_on_free 0|1 */
static int d_init_on(struct parser *p, const char *dir, const char *s)
{
	char tok2[128];
	next_token(s, tok2, sizeof tok2);
	if (strcmp(tok2, "0") && strcmp(tok2, "1"))
		return perr(p, "%s: expected 0 or 1", dir);
	if (dir[8] == 'a')
		p->m->init_on_alloc = tok2[0] == '1';
	else
		p->m->init_on_free = tok2[0] == '1';
	return 0;
}

/* pageframe's own: how large the per-CPU lists may grow (the kernel fixes 8) */
static int d_pcp_high_max_fraction(struct parser *p, const char *dir, const char *s)
{
	char tok2[128];
	(void)dir;
	s = next_token(s, tok2, sizeof tok2);
	char *end;
	long v = strtol(tok2, &end, 0);
	if (!tok2[0] || *end || v < 1 || v > 1000000)
		return perr(p, "pcp_high_max_fraction: expected a number from 1 to 1000000, got '%s'", tok2);
	p->m->pcp_high_max_fraction = (int)v;
	p->have_pcp_high_max_fraction = true;
	return end_of_line(p, s);
}

/*
 * pageframe's own: profile kernel|arena.  "kernel" (the default) is the
 * kernel's per-CPU list sizing; "arena" tunes pageframe as a program's
 * memory manager: every order below pageblock order on the per-CPU lists,
 * and pcp_high_max_fraction 1 unless a pcp_high_max_fraction line says
 * otherwise, wherever that line is (pf_parse_machine applies the profile
 * after the last line).  One profile line at most.
 */
static int d_profile(struct parser *p, const char *dir, const char *s)
{
	char tok2[128];
	(void)dir;
	s = next_token(s, tok2, sizeof tok2);
	if (p->profile_line)
		return perr(p, "profile: given twice (first on line %d)", p->profile_line);
	if (!strcmp(tok2, "kernel"))
		p->m->profile = PF_PROFILE_KERNEL;
	else if (!strcmp(tok2, "arena"))
		p->m->profile = PF_PROFILE_ARENA;
	else
		return perr(p, "profile: expected kernel or arena, got '%s'", tok2);
	p->profile_line = p->lineno;
	return end_of_line(p, s);
}

/* The profile's settings, once every line is read: a directive that sets the same thing wins. */
static void apply_profile(struct parser *p)
{
	struct pf_machine *m = p->m;
	if (m->profile != PF_PROFILE_ARENA)
		return;
	m->pcp_max_order = pageblock_order - 1;
	if (!p->have_pcp_high_max_fraction)
		m->pcp_high_max_fraction = 1;
}

/*
 * pageframe's own: mobility_grouping on|off.  "off" sets the kernel's
 * page_group_by_mobility_disabled whatever the memory size; "on" (the
 * default) leaves the kernel's decision (off below pageblock_nr_pages *
 * MIGRATE_TYPES pages).
 */
static int d_mobility_grouping(struct parser *p, const char *dir, const char *s)
{
	char tok2[128];
	(void)dir;
	s = next_token(s, tok2, sizeof tok2);
	if (!strcmp(tok2, "on"))
		p->m->mobility_grouping_off = false;
	else if (!strcmp(tok2, "off"))
		p->m->mobility_grouping_off = true;
	else
		return perr(p, "mobility_grouping: expected on or off, got '%s'", tok2);
	return end_of_line(p, s);
}

/* "deferred_struct_page_init on|off": off writes every struct page at boot (deferred_init.c) */
static int d_deferred_init(struct parser *p, const char *dir, const char *s)
{
	char tok2[128];
	(void)dir;
	s = next_token(s, tok2, sizeof tok2);
	if (!strcmp(tok2, "on"))
		p->m->deferred_init_off = false;
	else if (!strcmp(tok2, "off"))
		p->m->deferred_init_off = true;
	else
		return perr(p, "deferred_struct_page_init: expected on or off, got '%s'", tok2);
	return end_of_line(p, s);
}

/* "cma SIZE[@START[-LIMIT]]": a CMA area as the kernel's cma= parameter declares it (cma.c). */
static int d_cma(struct parser *p, const char *dir, const char *s)
{
	char tok[128], why[300];
	(void)dir;
	s = next_token(s, tok, sizeof tok);
	if (cma_parse(p->m, tok, p->lineno, why, sizeof why))
		return perr(p, "%s", why);
	return end_of_line(p, s);
}

/* swap SIZE: the machine's swap area (swapfile.c) */
static int d_swap(struct parser *p, const char *dir, const char *s)
{
	char tok[128], why[300];
	(void)dir;
	s = next_token(s, tok, sizeof tok);
	if (swap_parse(p->m, tok, why, sizeof why))
		return perr(p, "%s", why);
	return end_of_line(p, s);
}

/* workers threads|stepped: kswapd as threads from boot, or stepped by the caller (pf_kswapd_run) */
static int d_workers(struct parser *p, const char *dir, const char *s)
{
	char tok[128];
	(void)dir;
	s = next_token(s, tok, sizeof tok);
	if (!strcmp(tok, "threads"))
		p->m->kswapd_threads = true;
	else if (!strcmp(tok, "stepped"))
		p->m->kswapd_threads = false;
	else
		return perr(p, "workers: expected threads or stepped, got '%s'", tok);
	return end_of_line(p, s);
}

/* The directives, in the order the error for an unknown one lists them. */
static const struct directive {
	const char *name;
	int (*handler)(struct parser *p, const char *dir, const char *rest);
	const char *help;
} directives[] = {
	{ "cpus", d_cpus, "cpus N: logical CPUs, before any 'node ... cpus'" },
	{ "node", d_node, "node N cpus LIST, or a kernel log 'node N: [mem A-B]' line" },
	{ "distance", d_distance, "distance A B D: node distance, B to A as well unless given" },
	{ "mem", d_mem, "mem N START-END: present memory of node N (inclusive end)" },
	{ "reserve", d_reserve, "reserve START-END: memblock-reserved, never given to the buddy allocator" },
	{ "sysctl", d_sysctl, "sysctl vm.NAME=VALUE: written once the machine has booted" },
	{ "cmdline", d_cmdline, "cmdline kernelcore=... movablecore=... mem=... page_poison=1 debug_pagealloc=on ...: boot parameters" },
	{ "thp", d_thp, "thp always|madvise|never: transparent hugepage mode" },
	{ "backing", d_backing, "backing hosted|none|memfd|file PATH|hugetlbfs|shm NAME|external: the memory behind the pages" },
	{ "fail_page_alloc", d_fail_page_alloc, "fail_page_alloc NAME=VALUE ...: fault injection at boot" },
	{ "init_on_alloc", d_init_on, "init_on_alloc 0|1: zero pages when handed out" },
	{ "init_on_free", d_init_on, "init_on_free 0|1: zero pages when freed" },
	{ "pcp_high_max_fraction", d_pcp_high_max_fraction, "pcp_high_max_fraction N: per-CPU lists up to managed / N" },
	{ "profile", d_profile, "profile kernel|arena: the kernel's per-CPU list sizing, or pageframe's as a memory manager" },
	{ "cma", d_cma, "cma SIZE[@START[-LIMIT]]: a CMA area, placed as the kernel's cma= places it" },
	{ "free_page_reporting", d_free_page_reporting, "free_page_reporting dontneed|free|off: give freed memory back to the host" },
	{ "mobility_grouping", d_mobility_grouping, "mobility_grouping on|off: off groups no pages by mobility" },
	{ "deferred_struct_page_init", d_deferred_init, "deferred_struct_page_init on|off: off writes every struct page at boot" },
	{ "swap", d_swap, "swap SIZE: a swap area for anonymous LRU pages" },
	{ "workers", d_workers, "workers threads|stepped: kswapd runs as threads, or when pf_kswapd_run steps it" },
};

#define NR_DIRECTIVES (sizeof directives / sizeof directives[0])

static int unknown_directive(struct parser *p, const char *tok)
{
	char names[400];
	size_t n = 0;
	if (!strncmp(tok, "node", 4) && strchr(tok, ':'))
		return perr(p, "unrecognised node line");
	names[0] = '\0';
	for (size_t i = 0; i < NR_DIRECTIVES && n < sizeof names; i++)
		n += (size_t)snprintf(names + n, sizeof names - n, i ? ", %s" : "%s", directives[i].name);
	return perr(p, "unknown directive '%s' (%s)", tok, names);
}

static int parse_line(struct parser *p, char *line)
{
	char *hash = strchr(line, '#');
	char tok[128];
	const char *s;

	/* Kernel log lines: "[    0.000000] BIOS-e820: [mem ...] usable", "  node   0: [mem ...]" */
	const char *e820 = strstr(line, "BIOS-e820:");
	if (e820) {
		struct pf_region r = { 0, 0, 0, 0 };
		if (parse_bracket_mem(p, e820, &r))
			return -EINVAL;
		const char *type = strchr(e820, ']');
		type = skip_ws(type + 1);
		if (!strncmp(type, "usable", 6))
			return add_region(p, p->e820, &p->nr_e820, r, "e820");
		return 0;	/* reserved, ACPI data, ...: not RAM */
	}
	if (hash)
		*hash = '\0';
	/* drop a printk timestamp */
	s = skip_ws(line);
	if (*s == '[' && strchr(s, ']') && strncmp(s, "[mem", 4)) {
		const char *close = strchr(s, ']');
		bool ts = true;
		for (const char *q = s + 1; q < close; q++)
			if (!isdigit((unsigned char)*q) && *q != '.' && *q != ' ')
				ts = false;
		if (ts)
			s = close + 1;
	}
	s = next_token(s, tok, sizeof tok);
	if (!tok[0])
		return 0;
	for (size_t i = 0; i < NR_DIRECTIVES; i++)
		if (!strcmp(tok, directives[i].name))
			return directives[i].handler(p, directives[i].name, s);
	return unknown_directive(p, tok);
}

static int cmp_region(const void *a, const void *b)
{
	const struct pf_region *x = a, *y = b;
	if (x->start_pfn != y->start_pfn)
		return x->start_pfn < y->start_pfn ? -1 : 1;
	return 0;
}

/* Merge sorted reserved regions that touch or overlap (memblock_reserve merges). */
static void merge_regions(struct pf_region *tab, int *nr)
{
	int n = 0;
	for (int i = 0; i < *nr; i++) {
		if (n && tab[i].start_pfn <= tab[n - 1].end_pfn) {
			if (tab[i].end_pfn > tab[n - 1].end_pfn)
				tab[n - 1].end_pfn = tab[i].end_pfn;
		} else {
			tab[n++] = tab[i];
		}
	}
	*nr = n;
}

/*
 * pf_parse_machine - read @text into @m's tables and settings and @d's
 * sysctl lines.  On an error, @err holds "line N: ..." (or a reason
 * naming no line) and @d may hold lines already read: pf_desc_release
 * frees them either way.
 */
int pf_parse_machine(struct pf_machine *m, struct pf_desc *d, const char *text, char *err, size_t errlen)
{
	struct parser *p = calloc(1, sizeof *p);
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	p->m = m;
	p->d = d;
	p->err = err;
	p->errlen = errlen;
	int rc = 0;

	/* Line by line; the cross-line checks follow once every line is read. */
	const char *t = text;
	while (*t && !rc) {
		const char *nl = strchr(t, '\n');
		size_t len = nl ? (size_t)(nl - t) : strlen(t);
		char *line = malloc(len + 1);
		if (!line) {
			rc = -ENOMEM;
			break;
		}
		memcpy(line, t, len);
		line[len] = '\0';
		/* a NUL inside the line (only possible when the text came with a length) is refused first */
		bool has_nul = strlen(line) != len;
		if (len && line[len - 1] == '\r')	/* CRLF text */
			line[len - 1] = '\0';
		p->lineno++;
		if (has_nul)
			rc = perr(p, "the line holds a NUL byte");
		else
			rc = parse_line(p, line);
		free(line);
		t = nl ? nl + 1 : t + len;
	}
	p->lineno = 0;
	if (rc)
		goto out;
	apply_profile(p);

	/* Memory: mem/node lines, else e820 usable ranges as node 0. */
	if (!p->have_mem) {
		for (int i = 0; i < p->nr_e820; i++) {
			p->e820[i].nid = 0;
			if ((rc = add_region(p, m->memory, &m->nr_memory, p->e820[i], "memory")))
				goto out;
		}
		if (p->nr_e820)
			p->node_declared[0] = true;
	}
	if (m->nr_memory == 0) {
		rc = perr(p, "the machine has no memory: add 'mem NODE START-END' or e820 'usable' lines");
		goto out;
	}
	qsort(m->memory, (size_t)m->nr_memory, sizeof m->memory[0], cmp_region);
	for (int i = 1; i < m->nr_memory; i++) {
		if (m->memory[i].start_pfn < m->memory[i - 1].end_pfn) {
			p->lineno = m->memory[i].line > m->memory[i - 1].line ? m->memory[i].line : m->memory[i - 1].line;
			rc = perr(p, "memory ranges overlap: [mem %#llx-%#llx] and [mem %#llx-%#llx]",
				  (unsigned long long)m->memory[i - 1].start_pfn << PAGE_SHIFT,
				  ((unsigned long long)m->memory[i - 1].end_pfn << PAGE_SHIFT) - 1,
				  (unsigned long long)m->memory[i].start_pfn << PAGE_SHIFT,
				  ((unsigned long long)m->memory[i].end_pfn << PAGE_SHIFT) - 1);
			goto out;
		}
	}
	/* mem=: x86 removes RAM above the address (parse_memopt → e820__range_remove). */
	if (p->mem_limit) {
		unsigned long limit = (unsigned long)(p->mem_limit >> PAGE_SHIFT);
		int n = 0;
		for (int i = 0; i < m->nr_memory; i++) {
			if (m->memory[i].start_pfn >= limit)
				continue;
			if (m->memory[i].end_pfn > limit)
				m->memory[i].end_pfn = limit;
			m->memory[n++] = m->memory[i];
		}
		m->nr_memory = n;
		if (!n) {
			rc = perr(p, "mem= leaves the machine no memory");
			goto out;
		}
	}
	/* Node memory must not interleave: each node's ranges form one span. */
	for (int i = 0; i < m->nr_memory; i++)
		for (int j = i + 1; j < m->nr_memory; j++)
			for (int k = i + 1; k < j; k++)
				if (m->memory[i].nid == m->memory[j].nid && m->memory[k].nid != m->memory[i].nid) {
					p->lineno = m->memory[j].line;
					rc = perr(p, "node %d's memory interleaves with node %d's; "
						  "each node must span one address range",
						  m->memory[i].nid, m->memory[k].nid);
					goto out;
				}
	qsort(m->reserved, (size_t)m->nr_reserved, sizeof m->reserved[0], cmp_region);
	merge_regions(m->reserved, &m->nr_reserved);

	/* Nodes: 0..highest declared; every node needs memory or CPUs. */
	int highest = 0;
	for (int n = 0; n < MAX_NUMNODES; n++)
		if (p->node_declared[n])
			highest = n;
	m->nr_node_ids = highest + 1;
	for (int n = 0; n < m->nr_node_ids; n++) {
		bool has_mem = false;
		for (int i = 0; i < m->nr_memory; i++)
			if (m->memory[i].nid == n)
				has_mem = true;
		if (!has_mem) {
			p->lineno = p->node_line[n];
			rc = perr(p, "node %d has no memory: nodes must be numbered 0..%d and each given memory",
				  n, m->nr_node_ids - 1);
			goto out;
		}
	}
	/* CPUs without a node line belong to node 0. */
	if (!p->have_node_cpus)
		for (int c = 0; c < m->nr_cpus; c++)
			m->cpu_to_node[c] = 0;
	for (int c = 0; c < m->nr_cpus; c++)
		if (m->cpu_to_node[c] >= m->nr_node_ids) {
			rc = perr(p, "CPU %d is on node %d, which has no memory", c, m->cpu_to_node[c]);
			goto out;
		}
	/* Default distances: 10 local, 20 remote. */
	for (int a = 0; a < m->nr_node_ids; a++)
		for (int b = 0; b < m->nr_node_ids; b++)
			if (!m->node_distance[a][b])
				m->node_distance[a][b] = a == b ? LOCAL_DISTANCE : REMOTE_DISTANCE;
out:
	free(p);
	return rc;
}

void pf_desc_release(struct pf_desc *d)
{
	for (int i = 0; i < d->nr_sysctl; i++) {
		free(d->sysctl[i].name);
		free(d->sysctl[i].value);
	}
	free(d->sysctl);
	d->sysctl = NULL;
	d->nr_sysctl = 0;
}
