/* SPDX-License-Identifier: MIT */
/*
 * tools/scenario.c - the scenario text of `pageframe run -m MACHINE SCENARIO`
 * (docs/SCENARIO.md): global settings, then phases, each with streams of
 * allocations of one kind.
 */
#include "scenario.h"

#include <pageframe/pageframe.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SC_MAX_TOTAL_US (86400ull * 1000000ull)	/* a simulated day */
#define SC_MAX_TICKS 50000000ull

static const struct {
	const char *name;
	pf_gfp_t gfp;
	unsigned order;
} kinds[SC_NR_KINDS] = {
	[SC_UNMOVABLE] = { "unmovable", PF_GFP_KERNEL, 0 },
	[SC_RECLAIMABLE] = { "reclaimable", PF_GFP_KERNEL | PF___GFP_RECLAIMABLE, 0 },
	[SC_PAGECACHE] = { "pagecache", PF_GFP_HIGHUSER_MOVABLE, 0 },
	[SC_ANON] = { "anon", PF_GFP_HIGHUSER_MOVABLE, 0 },
	[SC_THP] = { "thp", PF_GFP_TRANSHUGE_LIGHT, 9 },
	[SC_ATOMIC] = { "atomic", PF_GFP_ATOMIC, 0 },
};

const char *sc_kind_name(enum sc_kind k)
{
	return (unsigned)k < SC_NR_KINDS ? kinds[k].name : "?";
}

uint64_t sc_total_us(const struct scenario *sc)
{
	uint64_t t = 0;
	for (int i = 0; i < sc->nphases; i++)
		t += sc->phases[i].duration_us;
	return t;
}

/* "250us", "10ms", "2s", "1.5s", "3m". Return: 0, or -1. */
static int parse_duration(const char *s, uint64_t *us)
{
	char *end;
	if (!isdigit((unsigned char)*s))
		return -1;
	double v = strtod(s, &end);
	double mul;
	if (!strcmp(end, "us"))
		mul = 1;
	else if (!strcmp(end, "ms"))
		mul = 1e3;
	else if (!strcmp(end, "s"))
		mul = 1e6;
	else if (!strcmp(end, "m"))
		mul = 60e6;
	else
		return -1;
	v *= mul;
	if (!(v >= 0) || v > (double)SC_MAX_TOTAL_US)
		return -1;
	*us = (uint64_t)(v + 0.5);
	return 0;
}

/* A decimal number (a leading 0 is no octal: "order=010" is order 10), or 0x hex; beyond @max or 64 bits: -1. */
static int parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	if (!isdigit((unsigned char)*s))
		return -1;
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	if (hex && !isxdigit((unsigned char)s[2]))
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, hex ? 16 : 10);
	if (*end || errno == ERANGE || v > max)
		return -1;
	*out = v;
	return 0;
}

/*
 * A memcg file's value as the kernel's memory.max write reads it (page_counter_memparse): "max", or
 * a number of bytes with an optional K, M, G or T (powers of 1024).  At most 2^52 bytes (4 PiB, past
 * any machine here).  Return: 0, or -1.
 */
static int parse_size(const char *s, uint64_t *bytes)
{
	if (!strcmp(s, "max")) {
		*bytes = SC_UNLIMITED;
		return 0;
	}
	char num[32];
	size_t n = strlen(s);
	unsigned shift = 0;
	if (n && strchr("kKmMgGtT", s[n - 1])) {
		shift = (unsigned)(strchr("kmgt", tolower((unsigned char)s[n - 1])) - "kmgt" + 1) * 10;
		n--;
	}
	if (!n || n >= sizeof num)
		return -1;
	memcpy(num, s, n);
	num[n] = '\0';
	unsigned long long v;
	if (parse_uint(num, (1ull << 52) >> shift, &v))
		return -1;
	*bytes = (uint64_t)v << shift;
	return 0;
}

/* "all", "3", "0-3", "0,2,5-7" */
static int parse_cpus(const char *s, uint64_t *mask, int *max)
{
	if (!strcmp(s, "all")) {
		*mask = 0;
		return 0;
	}
	uint64_t m = 0;
	while (*s) {
		char *end;
		if (!isdigit((unsigned char)*s))
			return -1;
		unsigned long a = strtoul(s, &end, 10), b = a;
		if (*end == '-') {
			if (!isdigit((unsigned char)end[1]))
				return -1;
			b = strtoul(end + 1, &end, 10);
		}
		if (a > b || b >= SC_MAX_CPUS)
			return -1;
		for (unsigned long c = a; c <= b; c++)
			m |= 1ull << c;
		if ((int)b > *max)
			*max = (int)b;
		if (*end == ',')
			end++;
		else if (*end)
			return -1;
		s = end;
	}
	*mask = m;
	return 0;
}

static int set_name(char *dst, const char *src)
{
	size_t n = strlen(src);
	if (n == 0 || n >= SC_NAME)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!isgraph((unsigned char)src[i]))
			return -1;
	memcpy(dst, src, n + 1);
	return 0;
}

#define FAIL(...)                                          \
	do {                                               \
		int _n = lineno ? snprintf(err, errlen, "line %d: ", lineno) : 0; \
		if (_n >= 0 && (size_t)_n < errlen)        \
			snprintf(err + _n, errlen - (size_t)_n, __VA_ARGS__); \
		return -1;                                 \
	} while (0)

static int parse_stream(struct sc_stream *st, char **tok, int ntok, int lineno, int *maxcpu, char *err,
			size_t errlen)
{
	memset(st, 0, sizeof *st);
	st->line = lineno;
	st->burst = 1;
	st->memcg = -1;
	st->kind = SC_NR_KINDS;
	if (ntok < 2 || set_name(st->name, tok[1]))
		FAIL("stream needs a name (1 to %d characters)", SC_NAME - 1);
	bool has_rate = false, has_order = false;
	for (int i = 2; i < ntok; i++) {
		char *eq = strchr(tok[i], '=');
		if (!eq)
			FAIL("stream %s: '%.40s' is not key=value", st->name, tok[i]);
		*eq = '\0';
		const char *k = tok[i], *v = eq + 1;
		unsigned long long u;
		if (!strcmp(k, "kind")) {
			for (int j = 0; j < SC_NR_KINDS; j++)
				if (!strcmp(v, kinds[j].name))
					st->kind = (enum sc_kind)j;
			if (st->kind == SC_NR_KINDS)
				FAIL("stream %s: unknown kind '%.40s' (unmovable, reclaimable, pagecache, anon, thp, atomic)",
				     st->name, v);
		} else if (!strcmp(k, "rate")) {
			char *end;
			double r = strtod(v, &end);
			if (end == v || (*end && strcmp(end, "/s")) || !(r > 0) || r > 1e7)
				FAIL("stream %s: rate '%.40s' is not a number of allocations a second in (0, 10000000]",
				     st->name, v);
			st->rate = r;
			has_rate = true;
		} else if (!strcmp(k, "order")) {
			if (parse_uint(v, PF_MAX_PAGE_ORDER, &u))
				FAIL("stream %s: order '%.40s' is not 0..%d", st->name, v, PF_MAX_PAGE_ORDER);
			st->order = (unsigned)u;
			has_order = true;
		} else if (!strcmp(k, "lifetime")) {
			if (!strcmp(v, "forever"))
				st->lifetime_us = 0;
			else if (parse_duration(v, &st->lifetime_us) || !st->lifetime_us)
				FAIL("stream %s: lifetime '%.40s' is not a duration (10ms, 2s, ...) or 'forever'", st->name, v);
		} else if (!strcmp(k, "burst")) {
			if (parse_uint(v, 100000, &u) || !u)
				FAIL("stream %s: burst '%.40s' is not 1..100000", st->name, v);
			st->burst = (unsigned)u;
		} else if (!strcmp(k, "cpus")) {
			if (parse_cpus(v, &st->cpus, maxcpu))
				FAIL("stream %s: cpus '%.40s' is not all, N, A-B or a list of those (CPUs below %d)", st->name,
				     v, SC_MAX_CPUS);
		} else if (!strcmp(k, "memcg")) {
			if (set_name(st->memcg_name, v))	/* resolved at the end: memcgs may come later */
				FAIL("stream %s: memcg '%.40s' is no memcg name", st->name, v);
		} else
			FAIL("stream %s: unknown key '%.40s'", st->name, k);
	}
	if (st->kind == SC_NR_KINDS)
		FAIL("stream %s: no kind=", st->name);
	if (!has_rate)
		FAIL("stream %s: no rate=", st->name);
	st->gfp = kinds[st->kind].gfp;
	if (!has_order)
		st->order = kinds[st->kind].order;
	return 0;
}

/* memcg NAME [parent=NAME] [max=SIZE] [high=SIZE] [low=SIZE] [min=SIZE] */
static int parse_memcg(struct scenario *sc, char **tok, int ntok, int lineno, char *err, size_t errlen)
{
	if (sc->nmemcgs == SC_MAX_MEMCGS)
		FAIL("more than %d memcgs", SC_MAX_MEMCGS);
	struct sc_memcg *cg = &sc->memcgs[sc->nmemcgs];
	memset(cg, 0, sizeof *cg);
	cg->line = lineno;
	cg->parent = -1;
	cg->max = cg->high = SC_UNLIMITED;
	if (ntok < 2 || set_name(cg->name, tok[1]) || strchr(cg->name, '/'))
		FAIL("memcg needs a name (1 to %d characters, no '/')", SC_NAME - 1);
	for (int i = 0; i < sc->nmemcgs; i++)
		if (!strcmp(sc->memcgs[i].name, cg->name))
			FAIL("memcg %s: declared already on line %d", cg->name, sc->memcgs[i].line);
	for (int i = 2; i < ntok; i++) {
		char *eq = strchr(tok[i], '=');
		if (!eq)
			FAIL("memcg %s: '%.40s' is not key=value", cg->name, tok[i]);
		*eq = '\0';
		const char *k = tok[i], *v = eq + 1;
		uint64_t *size = !strcmp(k, "max") ? &cg->max : !strcmp(k, "high") ? &cg->high
			       : !strcmp(k, "low") ? &cg->low : !strcmp(k, "min") ? &cg->min : NULL;
		if (size) {
			if (parse_size(v, size))
				FAIL("memcg %s: %s '%.40s' is not a size (bytes, with K, M, G or T; at most 4 PiB; or max)",
				     cg->name, k, v);
		} else if (!strcmp(k, "parent")) {
			if (set_name(cg->parent_name, v))
				FAIL("memcg %s: parent '%.40s' is no memcg name", cg->name, v);
		} else
			FAIL("memcg %s: unknown key '%.40s' (parent, max, high, low, min)", cg->name, k);
	}
	sc->nmemcgs++;
	return 0;
}

static int find_memcg(const struct scenario *sc, const char *name)
{
	for (int i = 0; i < sc->nmemcgs; i++)
		if (!strcmp(sc->memcgs[i].name, name))
			return i;
	return -1;
}

/*
 * The memcg tree, once every line is read: each parent named is a memcg of the scenario, the parents
 * lead to the root (no cycle), at most SC_MAX_MEMCG_DEPTH levels deep; each stream's memcg is declared.
 */
static int resolve_memcgs(struct scenario *sc, char *err, size_t errlen)
{
	int lineno = 0;
	for (int i = 0; i < sc->nmemcgs; i++) {
		struct sc_memcg *cg = &sc->memcgs[i];
		if (cg->parent_name[0] && (cg->parent = find_memcg(sc, cg->parent_name)) < 0) {
			lineno = cg->line;
			FAIL("memcg %s: parent '%s' is not declared (memcg %s ...)", cg->name, cg->parent_name,
			     cg->parent_name);
		}
	}
	for (int i = 0; i < sc->nmemcgs; i++) {
		/* up from i: a path of more than nmemcgs steps goes round; i is on the cycle when it comes back */
		int depth = 1, p = sc->memcgs[i].parent;
		for (; p >= 0 && p != i && depth <= sc->nmemcgs; p = sc->memcgs[p].parent)
			depth++;
		if (p == i || depth > sc->nmemcgs) {
			if (p != i)
				continue;	/* it leads into a cycle it is not part of: named from the cycle's own */
			char path[160] = "";
			size_t n = 0;
			int q = i;
			do {
				int w = snprintf(path + n, sizeof path - n, "%s -> ", sc->memcgs[q].name);
				n = w > 0 && (size_t)w < sizeof path - n ? n + (size_t)w : sizeof path - 1;
				q = sc->memcgs[q].parent;
			} while (q != i);
			snprintf(path + n, sizeof path - n, "%s", sc->memcgs[i].name);
			lineno = sc->memcgs[i].line;
			FAIL("memcg %s: its parents go round in a cycle (%s)", sc->memcgs[i].name, path);
		}
		sc->memcgs[i].depth = depth;
	}
	for (int i = 0; i < sc->nmemcgs; i++)
		if (sc->memcgs[i].depth > SC_MAX_MEMCG_DEPTH) {
			lineno = sc->memcgs[i].line;
			FAIL("memcg %s: %d levels below the root, more than %d", sc->memcgs[i].name, sc->memcgs[i].depth,
			     SC_MAX_MEMCG_DEPTH);
		}
	for (int i = 0; i < sc->nphases; i++)
		for (int k = 0; k < sc->phases[i].nstreams; k++) {
			struct sc_stream *st = &sc->phases[i].streams[k];
			if (st->memcg_name[0] && (st->memcg = find_memcg(sc, st->memcg_name)) < 0) {
				lineno = st->line;
				FAIL("stream %s: memcg '%s' is not declared (memcg %s ...)", st->name, st->memcg_name,
				     st->memcg_name);
			}
		}
	return 0;
}

int sc_parse(const char *text, size_t len, struct scenario *sc, char *err, size_t errlen)
{
	memset(sc, 0, sizeof *sc);
	sc->seed = 1;
	sc->tick_us = 1000;
	sc->kcompactd_us = 500000;
	sc->vmstat_us = 1000000;
	sc->reclaim = true;
	sc->max_cpu = -1;
	if (errlen)
		err[0] = '\0';
	int lineno = 0;
	size_t pos = 0;
	while (pos < len) {
		const char *p = text + pos;
		const char *nl = memchr(p, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - p) : len - pos;
		pos += l + 1;
		lineno++;
		char line[512];
		if (memchr(p, '\0', l))
			FAIL("binary data (a NUL byte)");
		if (l >= sizeof line)
			FAIL("longer than %zu characters", sizeof line - 1);
		memcpy(line, p, l);
		line[l] = '\0';
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *tok[24];
		int ntok = 0;
		for (char *t = strtok(line, " \t\r\v\f"); t; t = strtok(NULL, " \t\r\v\f")) {
			if (ntok == 24)
				FAIL("more than 24 words");
			tok[ntok++] = t;
		}
		if (!ntok)
			continue;
		const char *d = tok[0];
		unsigned long long u;
		if (!strcmp(d, "phase")) {
			if (sc->nphases == SC_MAX_PHASES)
				FAIL("more than %d phases", SC_MAX_PHASES);
			struct sc_phase *ph = &sc->phases[sc->nphases];
			memset(ph, 0, sizeof *ph);
			ph->line = lineno;
			if (ntok != 3 || set_name(ph->name, tok[1]) || parse_duration(tok[2], &ph->duration_us) ||
			    !ph->duration_us)
				FAIL("phase NAME DURATION (a duration such as 10s, 500ms)");
			sc->nphases++;
			if (sc_total_us(sc) > SC_MAX_TOTAL_US)
				FAIL("the scenario runs longer than a simulated day");
		} else if (!strcmp(d, "stream")) {
			if (!sc->nphases)
				FAIL("a stream before any phase");
			struct sc_phase *ph = &sc->phases[sc->nphases - 1];
			if (ph->nstreams == SC_MAX_STREAMS)
				FAIL("more than %d streams in phase %s", SC_MAX_STREAMS, ph->name);
			int before = sc->max_cpu;
			if (parse_stream(&ph->streams[ph->nstreams], tok, ntok, lineno, &sc->max_cpu, err, errlen))
				return -1;
			if (sc->max_cpu != before)
				sc->max_cpu_line = lineno;
			ph->nstreams++;
		} else if (!strcmp(d, "memcg")) {
			if (parse_memcg(sc, tok, ntok, lineno, err, errlen))
				return -1;
		} else if (!strcmp(d, "seed")) {
			if (ntok != 2 || parse_uint(tok[1], ~0ull, &u))
				FAIL("seed N");
			sc->seed = u;
		} else if (!strcmp(d, "tick")) {
			if (ntok != 2 || parse_duration(tok[1], &sc->tick_us) || sc->tick_us < 10 || sc->tick_us > 1000000)
				FAIL("tick DURATION, from 10us to 1s");
		} else if (!strcmp(d, "snapshot")) {
			if (ntok != 2 || parse_duration(tok[1], &sc->snapshot_us) || !sc->snapshot_us)
				FAIL("snapshot DURATION");
		} else if (!strcmp(d, "kcompactd") || !strcmp(d, "vmstat")) {
			uint64_t *v = d[0] == 'k' ? &sc->kcompactd_us : &sc->vmstat_us;
			if (ntok != 2)
				FAIL("%s DURATION|off", d);
			if (!strcmp(tok[1], "off"))
				*v = 0;
			else if (parse_duration(tok[1], v) || !*v)
				FAIL("%s DURATION|off", d);
		} else if (!strcmp(d, "reclaim")) {
			if (ntok != 2 || (strcmp(tok[1], "on") && strcmp(tok[1], "off")))
				FAIL("reclaim on|off");
			sc->reclaim = tok[1][1] == 'n';
		} else
			FAIL("unknown directive '%.40s' (seed, tick, snapshot, kcompactd, vmstat, reclaim, memcg, phase, stream)", d);
	}
	if (resolve_memcgs(sc, err, errlen))
		return -1;
	/* the clock runs in whole ticks: a phase that is no whole number of them would run shorter or longer
	 * (or not at all) than it says */
	for (int i = 0; i < sc->nphases; i++)
		if (sc->phases[i].duration_us % sc->tick_us) {
			lineno = sc->phases[i].line;
			FAIL("phase %s: %lluus is not a whole number of ticks of %lluus", sc->phases[i].name,
			     (unsigned long long)sc->phases[i].duration_us, (unsigned long long)sc->tick_us);
		}
	lineno = 0;
	if (!sc->nphases)
		FAIL("no phase: nothing to run");
	if (sc_total_us(sc) / sc->tick_us > SC_MAX_TICKS)
		FAIL("%llu ticks: more than %llu (a longer tick?)", (unsigned long long)(sc_total_us(sc) / sc->tick_us),
		     SC_MAX_TICKS);
	return 0;
}
