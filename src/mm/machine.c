/* SPDX-License-Identifier: MIT */
/*
 * machine.c - the machine description: parsing, validation and the public
 * machine life cycle (create, destroy, sysctls, report hook).
 *
 * The text format is DESIGN.md's (docs/MACHINE.md): one directive a line.
 * Parsing fills struct pf_machine's memblock tables and settings and never
 * touches zones; mm_init.c turns them into nodes and zones, as the kernel's
 * e820 / memblock code hands over to free_area_init().  A bad line is an
 * error naming the line: nothing is guessed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "internal.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

struct pf_machine *_Atomic pf_machine_table[PF_MAX_MACHINES];
/* One past the highest slot ever used: bounds the scan in pf_page_machine. */
atomic_int pf_machine_slots_used;

/* ---- kernel log ------------------------------------------------------------- */

static void default_report(void *arg, int level, const char *line)
{
	(void)arg;
	(void)level;
	fprintf(stderr, "%s\n", line);
}

/* pf_printk - printk for a machine: formats and splits into lines for the report hook. */
void pf_printk(struct pf_machine *m, int level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	pf_report_fn fn = m && m->report ? m->report : default_report;
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
	m->report = fn ? fn : default_report;
	m->report_arg = fn ? arg : NULL;
}

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

/* ---- sysctls ---------------------------------------------------------------- */

static int parse_int_value(const char *v, long lo, long hi, int *out)
{
	char *end;
	errno = 0;
	long x = strtol(v, &end, 10);
	while (*end && isspace((unsigned char)*end))
		end++;
	if (errno || end == v || *end || x < lo || x > hi)
		return -EINVAL;
	*out = (int)x;
	return 0;
}

/*
 * pf_sysctl_apply - set one vm sysctl and redo what the kernel's handler
 * redoes (min_free_kbytes_sysctl_handler, watermark_scale_factor_sysctl_handler,
 * lowmem_reserve_ratio_sysctl_handler, percpu_pagelist_high_fraction_sysctl_handler).
 * @boot: the machine is not set up yet; only store the value.
 */
int pf_sysctl_apply(struct pf_machine *m, const char *name, const char *value, bool boot)
{
	int v, rc;

	if (!strncmp(name, "vm.", 3))
		name += 3;
	if (!strcmp(name, "min_free_kbytes")) {
		if ((rc = parse_int_value(value, 0, INT_MAX, &v)))
			return rc;
		m->min_free_kbytes = v;
		m->user_min_free_kbytes = v;
		if (!boot)
			setup_per_zone_wmarks(m);
	} else if (!strcmp(name, "watermark_scale_factor")) {
		if ((rc = parse_int_value(value, 1, 3000, &v)))
			return rc;
		m->watermark_scale_factor = v;
		if (!boot)
			setup_per_zone_wmarks(m);
	} else if (!strcmp(name, "watermark_boost_factor")) {
		if ((rc = parse_int_value(value, 0, INT_MAX, &v)))
			return rc;
		m->watermark_boost_factor = v;
	} else if (!strcmp(name, "lowmem_reserve_ratio")) {
		int ratio[MAX_NR_ZONES];
		const char *p = value;
		int n = 0;
		while (*p) {
			while (*p && (isspace((unsigned char)*p) || *p == ','))
				p++;
			if (!*p)
				break;
			char *end;
			errno = 0;
			long x = strtol(p, &end, 10);
			if (errno || end == p || x < 0 || x > INT_MAX || n == MAX_NR_ZONES)
				return -EINVAL;
			ratio[n++] = (int)x;
			p = end;
		}
		if (n == 0)
			return -EINVAL;
		/* proc_dointvec writes as many entries as given and keeps the rest. */
		for (int i = 0; i < n; i++)
			m->lowmem_reserve_ratio[i] = ratio[i];
		if (!boot)
			setup_per_zone_lowmem_reserve(m);
	} else if (!strcmp(name, "percpu_pagelist_high_fraction")) {
		if ((rc = parse_int_value(value, 0, INT_MAX, &v)))
			return rc;
		/* 0 means the default sizing */
		if (v && v < MIN_PERCPU_PAGELIST_HIGH_FRACTION)
			return -EINVAL;
		m->percpu_pagelist_high_fraction = v;
		if (!boot) {
			for (int nid = 0; nid < m->nr_node_ids; nid++)
				for (int z = 0; z < MAX_NR_ZONES; z++)
					zone_pcp_update(&m->node_data[nid]->node_zones[z], 0);
		}
	} else {
		return -ENOENT;
	}
	return 0;
}

int pf_sysctl_set(struct pf_machine *m, const char *name, const char *value)
{
	if (!m || !name || !value)
		return -EINVAL;
	pf_spin_lock(&m->setup_lock);
	int rc = pf_sysctl_apply(m, name, value, false);
	pf_spin_unlock(&m->setup_lock);
	return rc;
}

int pf_sysctl_get(struct pf_machine *m, const char *name, char *buf, size_t len)
{
	int n;
	if (!m || !name || !buf)
		return -EINVAL;
	if (!strncmp(name, "vm.", 3))
		name += 3;
	if (!strcmp(name, "min_free_kbytes"))
		n = snprintf(buf, len, "%d", m->min_free_kbytes);
	else if (!strcmp(name, "watermark_scale_factor"))
		n = snprintf(buf, len, "%d", m->watermark_scale_factor);
	else if (!strcmp(name, "watermark_boost_factor"))
		n = snprintf(buf, len, "%d", m->watermark_boost_factor);
	else if (!strcmp(name, "percpu_pagelist_high_fraction"))
		n = snprintf(buf, len, "%d", m->percpu_pagelist_high_fraction);
	else if (!strcmp(name, "lowmem_reserve_ratio")) {
		/* proc_dointvec separates entries with a tab. */
		char tmp[MAX_NR_ZONES * 12 + 1];
		size_t t = 0;
		for (int i = 0; i < MAX_NR_ZONES; i++)
			t += (size_t)snprintf(tmp + t, sizeof tmp - t, i ? "\t%d" : "%d", m->lowmem_reserve_ratio[i]);
		n = snprintf(buf, len, "%s", tmp);
	} else
		return -ENOENT;
	return (size_t)n < len ? 0 : -ERANGE;
}

/* ---- the description --------------------------------------------------------- */

struct parser {
	struct pf_machine *m;
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
		} else {
			return perr(p, "cmdline: unknown parameter '%s' (kernelcore=, movablecore=, mem=)", tok);
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

static int parse_line(struct parser *p, char *line)
{
	struct pf_machine *m = p->m;
	char *hash = strchr(line, '#');
	char tok[128], tok2[128];
	const char *s;
	long a = 0, b = 0, c = 0;

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
	s = line;
	/* drop a printk timestamp */
	s = skip_ws(s);
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

	if (!strcmp(tok, "cpus")) {
		if (p->have_node_cpus)
			return perr(p, "'cpus' must come before 'node ... cpus'");
		s = next_token(s, tok2, sizeof tok2);
		if (parse_uint(p, tok2, "cpus", NR_CPUS_MAX, &a))
			return -EINVAL;
		if (a < 1)
			return perr(p, "a machine needs at least one CPU");
		m->nr_cpus = (int)a;
		p->have_cpus = true;
	} else if (!strcmp(tok, "node")) {
		s = next_token(s, tok2, sizeof tok2);
		size_t l2 = strlen(tok2);
		if (l2 > 1 && tok2[l2 - 1] == ':')	/* "node   0: [mem ...]" from the kernel log */
			tok2[l2 - 1] = '\0';
		if (parse_uint(p, tok2, "node", MAX_NUMNODES - 1, &a))
			return -EINVAL;
		const char *rest = skip_ws(s);
		if (!strncmp(rest, "[mem", 4)) {
			/* "node   0: [mem 0x...-0x...]" from the kernel log */
			struct pf_region r = { 0, 0, (int)a, 0 };
			if (parse_bracket_mem(p, rest, &r))
				return -EINVAL;
			r.nid = (int)a;
			if (!p->node_declared[a])
				p->node_line[a] = p->lineno;
			p->node_declared[a] = true;
			p->have_mem = true;
			return add_region(p, m->memory, &m->nr_memory, r, "memory");
		}
		s = next_token(s, tok, sizeof tok);
		if (!p->node_declared[a])
			p->node_line[a] = p->lineno;
		p->node_declared[a] = true;
		if (!tok[0])
			return 0;
		if (strcmp(tok, "cpus"))
			return perr(p, "node %ld: expected 'cpus LIST', got '%s'", a, tok);
		return parse_cpulist(p, s, (int)a);
	} else if (!strcmp(tok, "node:") || (tok[0] == 'n' && !strncmp(tok, "node", 4) && strchr(tok, ':'))) {
		return perr(p, "unrecognised node line");
	} else if (!strcmp(tok, "distance")) {
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
	} else if (!strcmp(tok, "mem")) {
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
		if (!p->node_declared[a])
			p->node_line[a] = p->lineno;
		p->node_declared[a] = true;
		p->have_mem = true;
		if (add_region(p, m->memory, &m->nr_memory, r, "memory"))
			return -EINVAL;
	} else if (!strcmp(tok, "reserve")) {
		s = next_token(s, tok2, sizeof tok2);
		struct pf_region r = { 0, 0, -1, 0 };
		if (!tok2[0])
			return perr(p, "reserve: expected 'reserve START-END'");
		if (parse_range(p, tok2, &r))
			return -EINVAL;
		/* a reservation covers every page it touches: round outwards */
		{
			unsigned long long lo, hi;
			const char *end;
			pf_parse_size(tok2, &lo, &end);
			pf_parse_size(end + 1, &hi, &end);
			r.start_pfn = (unsigned long)(lo >> PAGE_SHIFT);
			r.end_pfn = (unsigned long)((hi >> PAGE_SHIFT) + 1);
		}
		if (add_region(p, m->reserved, &m->nr_reserved, r, "reserved"))
			return -EINVAL;
	} else if (!strcmp(tok, "sysctl")) {
		s = skip_ws(s);
		char buf[256];
		snprintf(buf, sizeof buf, "%s", s);
		char *eq = strchr(buf, '=');
		if (!eq)
			return perr(p, "sysctl: expected 'sysctl vm.NAME=VALUE'");
		*eq = '\0';
		char *name = buf;
		size_t nl = strlen(name);
		while (nl && isspace((unsigned char)name[nl - 1]))
			name[--nl] = '\0';
		char *val = eq + 1;
		while (isspace((unsigned char)*val))
			val++;
		size_t vl = strlen(val);
		while (vl && isspace((unsigned char)val[vl - 1]))
			val[--vl] = '\0';
		int rc = pf_sysctl_apply(m, name, val, true);
		if (rc == -ENOENT)
			return perr(p, "sysctl: unknown '%s' (min_free_kbytes, watermark_scale_factor, "
				    "watermark_boost_factor, lowmem_reserve_ratio, percpu_pagelist_high_fraction)", name);
		if (rc)
			return perr(p, "sysctl: bad value '%s' for %s", val, name);
		return 0;
	} else if (!strcmp(tok, "cmdline")) {
		return parse_cmdline(p, s);
	} else if (!strcmp(tok, "thp")) {
		s = next_token(s, tok2, sizeof tok2);
		if (!strcmp(tok2, "always"))
			m->thp = PF_THP_ALWAYS;
		else if (!strcmp(tok2, "madvise"))
			m->thp = PF_THP_MADVISE;
		else if (!strcmp(tok2, "never"))
			m->thp = PF_THP_NEVER;
		else
			return perr(p, "thp: expected always, madvise or never, got '%s'", tok2);
	} else if (!strcmp(tok, "backing")) {
		s = next_token(s, tok2, sizeof tok2);
		if (!strcmp(tok2, "hosted"))
			m->backing = PF_BACKING_HOSTED;
		else if (!strcmp(tok2, "none"))
			m->backing = PF_BACKING_NONE;
		else
			return perr(p, "backing: expected hosted or none, got '%s'", tok2);
	} else if (!strcmp(tok, "fail_page_alloc")) {
		/* fail_page_alloc probability=10 interval=1 times=-1 ... (the debugfs attribute names) */
		for (;;) {
			s = next_token(s, tok2, sizeof tok2);
			if (!tok2[0])
				return 0;
			char *eq = strchr(tok2, '=');
			if (!eq)
				return perr(p, "fail_page_alloc: '%s' is not name=value", tok2);
			*eq = '\0';
			int rc = pf_fail_page_alloc_set(m, tok2, eq + 1);
			if (rc == -ENOENT)
				return perr(p, "fail_page_alloc: unknown attribute '%s' (probability, interval, times, space, "
					    "verbose, ignore-gfp-wait, ignore-gfp-highmem, min-order)", tok2);
			if (rc)
				return perr(p, "fail_page_alloc: bad value '%s' for %s", eq + 1, tok2);
		}
	} else if (!strcmp(tok, "pcp_high_max_fraction")) {
		/* pageframe's own: how large the per-CPU lists may grow (the kernel fixes 8) */
		s = next_token(s, tok2, sizeof tok2);
		char *end;
		long v = strtol(tok2, &end, 0);
		if (!tok2[0] || *end || v < 1 || v > 1000000)
			return perr(p, "pcp_high_max_fraction: expected a number from 1 to 1000000, got '%s'", tok2);
		m->pcp_high_max_fraction = (int)v;
	} else if (!strcmp(tok, "init_on_alloc") || !strcmp(tok, "init_on_free")) {
		s = next_token(s, tok2, sizeof tok2);
		if (strcmp(tok2, "0") && strcmp(tok2, "1"))
			return perr(p, "%s: expected 0 or 1", tok);
		if (tok[8] == 'a')
			m->init_on_alloc = tok2[0] == '1';
		else
			m->init_on_free = tok2[0] == '1';
		return 0;
	} else {
		return perr(p, "unknown directive '%s' (cpus, node, distance, mem, reserve, sysctl, cmdline, thp, backing, "
			    "fail_page_alloc, init_on_alloc, init_on_free, pcp_high_max_fraction)", tok);
	}
	s = next_token(s, tok, sizeof tok);
	if (tok[0])
		return perr(p, "unexpected '%s' at the end of the line", tok);
	return 0;
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

int pf_parse_machine(struct pf_machine *m, const char *text, char *err, size_t errlen)
{
	struct parser *p = calloc(1, sizeof *p);
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	p->m = m;
	p->err = err;
	p->errlen = errlen;
	int rc = 0;

	/* First pass: 'cpus' may appear anywhere before node lines; it sizes cpu_to_node. */
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
		if (len && line[len - 1] == '\r')	/* CRLF text */
			line[len - 1] = '\0';
		p->lineno++;
		if (memchr(line, '\0', len) != NULL && strlen(line) != len)
			rc = perr(p, "the line holds a NUL byte");
		else
			rc = parse_line(p, line);
		free(line);
		t = nl ? nl + 1 : t + len;
	}
	p->lineno = 0;
	if (rc)
		goto out;

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

/* ---- life cycle ------------------------------------------------------------- */

static const char default_description[] =
	"# the default machine: one node, 1 GiB, the host's CPUs\n"
	"mem 0 0x1000-0x3fffffff\n";

struct pf_machine *pf_machine_create(const char *description, char *err, size_t errlen)
{
	char dummy[8];
	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof dummy;
	}
	err[0] = '\0';
	if (!description || !*description)
		description = default_description;

	struct pf_machine *m = aligned_alloc(64, (sizeof(struct pf_machine) + 63) & ~(size_t)63);
	if (m)
		memset(m, 0, sizeof *m);
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	m->report = default_report;
	m->user_min_free_kbytes = -1;
	m->watermark_scale_factor = 10;
	m->watermark_boost_factor = 15000;
	/* sysctl_lowmem_reserve_ratio defaults (page_alloc.c): DMA 256, DMA32 256, Normal 32, Movable 0. */
	m->lowmem_reserve_ratio[ZONE_DMA] = 256;
	m->lowmem_reserve_ratio[ZONE_DMA32] = 256;
	m->lowmem_reserve_ratio[ZONE_NORMAL] = 32;
	m->lowmem_reserve_ratio[ZONE_MOVABLE] = 0;
	m->lowmem_reserve_ratio[ZONE_DEVICE] = 0;
	m->thp = PF_THP_MADVISE;
	m->required_kernelcore_percent = -1;
	m->required_movablecore_percent = -1;
	m->gfp_allowed_mask = PF___GFP_BITS_MASK;
	m->check_pages = true;
	m->pcp_high_max_fraction = MIN_PERCPU_PAGELIST_HIGH_FRACTION;	/* the kernel's high_max */
	fail_page_alloc_init(&m->fail_page_alloc);
	m->nr_cpus = pf_os_ncpus();
	if (m->nr_cpus > NR_CPUS_MAX)
		m->nr_cpus = NR_CPUS_MAX;
	pf_spin_lock_init(&m->setup_lock);
	m->cpu_to_node = calloc(NR_CPUS_MAX, sizeof *m->cpu_to_node);
	if (!m->cpu_to_node) {
		snprintf(err, errlen, "out of memory");
		free(m);
		return NULL;
	}

	/* Find a slot in the machine table. */
	m->id = -1;
	for (int i = 0; i < PF_MAX_MACHINES; i++) {
		struct pf_machine *expected = NULL;
		if (atomic_compare_exchange_strong(&pf_machine_table[i], &expected, m)) {
			m->id = i;
			int used = atomic_load(&pf_machine_slots_used);
			while (used < i + 1 && !atomic_compare_exchange_weak(&pf_machine_slots_used, &used, i + 1))
				;
			break;
		}
	}
	if (m->id < 0) {
		snprintf(err, errlen, "too many machines in this process (at most %d live at once)", PF_MAX_MACHINES);
		free(m->cpu_to_node);
		free(m);
		return NULL;
	}

	if (pf_parse_machine(m, description, err, errlen)) {
		pf_machine_destroy(m);
		return NULL;
	}
	/*
	 * rseq pagesets need one pageset per host CPU: on a machine with fewer
	 * CPUs than the host, threads on the other CPUs would take a folded
	 * pageset through the membarrier protocol on every call, so such a
	 * machine uses plain spinlocks instead.
	 */
	m->pcp_rseq = pf_os_rseq_fastpath() && m->nr_cpus >= pf_os_ncpus_possible();
	pf_fast_update(m);
	if (pf_free_area_init(m, err, errlen)) {
		pf_machine_destroy(m);
		return NULL;
	}
	m->boot_ns = pf_os_now_ns();
	return m;
}

void pf_machine_destroy(struct pf_machine *m)
{
	if (!m)
		return;
	for (int nid = 0; nid < MAX_NUMNODES; nid++) {
		pg_data_t *pgdat = m->node_data[nid];
		if (!pgdat)
			continue;
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			free(pgdat->node_zones[z].per_cpu_pageset);
			free(pgdat->node_zones[z].per_cpu_zonestats);
		}
		free(pgdat);
	}
	free(m->pageblock_flags);
	pf_os_release(m->alloc_order, m->memmap_pfns);
	pf_os_release(m->mem_map, m->memmap_bytes);
	pf_os_release(m->base, m->base_bytes);
	if (m->id >= 0)
		atomic_store(&pf_machine_table[m->id], NULL);
	free(m->cpu_to_node);
	free(m);
}

struct pf_machine *pf_page_machine(const struct pf_page *page)
{
	if (!page)
		return NULL;
	/* Find the machine whose memmap holds the pointer without reading it. */
	int used = atomic_load_explicit(&pf_machine_slots_used, memory_order_acquire);
	for (int i = 0; i < used; i++) {
		struct pf_machine *m = atomic_load_explicit(&pf_machine_table[i], memory_order_acquire);
		if (!m || !m->mem_map)
			continue;
		const char *lo = (const char *)m->mem_map;
		const char *hi = lo + m->memmap_pfns * sizeof(struct pf_page);
		const char *pp = (const char *)page;
		if (pp >= lo && pp < hi && (size_t)(pp - lo) % sizeof(struct pf_page) == 0)
			return m;
	}
	return NULL;
}

const char *pf_version(void)
{
	return PF_VERSION_STRING;
}
