/* SPDX-License-Identifier: MIT */
/*
 * tools/trace_parse.c - the kmem page events of a kernel's ftrace text, every
 * format printed since 2.6.33 (docs/REPLAY.md lists them with their versions).
 *
 * A line is looked at only if it names one of the events followed by ':'
 * (tracefs `trace`, `trace-cmd report`, `perf script` with its "kmem:" prefix,
 * or a function_graph comment "/ * mm_page_alloc: ... * /").  What follows the
 * name is a list of key=value fields; keys we do not need (call_site=, cold=,
 * cpu=...) are passed over, the ones an event needs must be there and be numbers.
 */
#include "trace_parse.h"

#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	enum tp_event event;
} event_names[] = {
	{ "mm_page_alloc", TP_ALLOC },
	{ "mm_page_free", TP_FREE },
	{ "mm_page_free_direct", TP_FREE },		/* 2.6.33 .. 3.2 */
	{ "mm_page_free_batched", TP_FREE_BATCHED },
	{ "mm_pagevec_free", TP_FREE_BATCHED },		/* 2.6.33 .. 3.2 */
	{ "mm_page_alloc_zone_locked", TP_ALLOC_ZONE_LOCKED },
	{ "mm_page_pcpu_drain", TP_PCPU_DRAIN },
	{ "mm_page_alloc_extfrag", TP_ALLOC_EXTFRAG },
};

const char *tp_event_name(enum tp_event e)
{
	static const char *const names[TP_NR_EVENTS] = {
		[TP_NONE] = "none", [TP_ALLOC] = "mm_page_alloc", [TP_FREE] = "mm_page_free",
		[TP_FREE_BATCHED] = "mm_page_free_batched", [TP_ALLOC_ZONE_LOCKED] = "mm_page_alloc_zone_locked",
		[TP_PCPU_DRAIN] = "mm_page_pcpu_drain", [TP_ALLOC_EXTFRAG] = "mm_page_alloc_extfrag",
	};
	return (unsigned)e < TP_NR_EVENTS ? names[e] : "?";
}

/*
 * gfp flag names.  Composite names (no leading "__") are the 6.12 composites
 * plus the ones older kernels printed; a modifier is looked up without its
 * leading underscores, because kernels before 4.6 printed "GFP_WAIT" for
 * __GFP_WAIT and later ones "__GFP_..." (mmflags.h).  What an old name means
 * today: see docs/REPLAY.md.
 */
enum { GFP_KNOWN, GFP_MAPPED, GFP_IGNORED };
struct gfp_name {
	const char *name;
	pf_gfp_t bits;
	int kind;
};

static const struct gfp_name gfp_composites[] = {
	{ "GFP_TRANSHUGE", PF_GFP_TRANSHUGE, GFP_KNOWN },
	{ "GFP_TRANSHUGE_LIGHT", PF_GFP_TRANSHUGE_LIGHT, GFP_KNOWN },
	{ "GFP_HIGHUSER_MOVABLE", PF_GFP_HIGHUSER_MOVABLE, GFP_KNOWN },
	{ "GFP_HIGHUSER", PF_GFP_HIGHUSER, GFP_KNOWN },
	{ "GFP_USER", PF_GFP_USER, GFP_KNOWN },
	{ "GFP_KERNEL_ACCOUNT", PF_GFP_KERNEL_ACCOUNT, GFP_KNOWN },
	{ "GFP_KERNEL", PF_GFP_KERNEL, GFP_KNOWN },
	{ "GFP_NOFS", PF_GFP_NOFS, GFP_KNOWN },
	{ "GFP_ATOMIC", PF_GFP_ATOMIC, GFP_KNOWN },
	{ "GFP_NOIO", PF_GFP_NOIO, GFP_KNOWN },
	{ "GFP_NOWAIT", PF_GFP_NOWAIT, GFP_KNOWN },	/* also what 2.6.33..4.5 printed for a mask of 0 */
	{ "GFP_DMA", PF_GFP_DMA, GFP_KNOWN },
	{ "GFP_DMA32", PF_GFP_DMA32, GFP_KNOWN },
	/* removed composites */
	{ "GFP_TEMPORARY", PF_GFP_KERNEL | PF___GFP_RECLAIMABLE, GFP_MAPPED },	/* until 4.14 */
	{ "GFP_IOFS", PF___GFP_IO | PF___GFP_FS, GFP_MAPPED },			/* until 4.3 */
};

/* Modifiers, named without their leading underscores. */
static const struct gfp_name gfp_modifiers[] = {
	{ "GFP_DMA", PF___GFP_DMA, GFP_KNOWN },
	{ "GFP_HIGHMEM", PF___GFP_HIGHMEM, GFP_KNOWN },
	{ "GFP_DMA32", PF___GFP_DMA32, GFP_KNOWN },
	{ "GFP_MOVABLE", PF___GFP_MOVABLE, GFP_KNOWN },
	{ "GFP_RECLAIMABLE", PF___GFP_RECLAIMABLE, GFP_KNOWN },
	{ "GFP_HIGH", PF___GFP_HIGH, GFP_KNOWN },
	{ "GFP_IO", PF___GFP_IO, GFP_KNOWN },
	{ "GFP_FS", PF___GFP_FS, GFP_KNOWN },
	{ "GFP_ZERO", PF___GFP_ZERO, GFP_KNOWN },
	{ "GFP_DIRECT_RECLAIM", PF___GFP_DIRECT_RECLAIM, GFP_KNOWN },
	{ "GFP_KSWAPD_RECLAIM", PF___GFP_KSWAPD_RECLAIM, GFP_KNOWN },
	{ "GFP_RECLAIM", PF___GFP_RECLAIM, GFP_KNOWN },
	{ "GFP_WRITE", PF___GFP_WRITE, GFP_KNOWN },
	{ "GFP_NOWARN", PF___GFP_NOWARN, GFP_KNOWN },
	{ "GFP_RETRY_MAYFAIL", PF___GFP_RETRY_MAYFAIL, GFP_KNOWN },
	{ "GFP_NOFAIL", PF___GFP_NOFAIL, GFP_KNOWN },
	{ "GFP_NORETRY", PF___GFP_NORETRY, GFP_KNOWN },
	{ "GFP_MEMALLOC", PF___GFP_MEMALLOC, GFP_KNOWN },
	{ "GFP_COMP", PF___GFP_COMP, GFP_KNOWN },
	{ "GFP_NOMEMALLOC", PF___GFP_NOMEMALLOC, GFP_KNOWN },
	{ "GFP_HARDWALL", PF___GFP_HARDWALL, GFP_KNOWN },
	{ "GFP_THISNODE", PF___GFP_THISNODE, GFP_KNOWN },
	{ "GFP_ACCOUNT", PF___GFP_ACCOUNT, GFP_KNOWN },
	{ "GFP_ZEROTAGS", PF___GFP_ZEROTAGS, GFP_KNOWN },
	{ "GFP_NO_OBJ_EXT", PF___GFP_NO_OBJ_EXT, GFP_KNOWN },
	{ "GFP_SKIP_ZERO", 0, GFP_KNOWN },		/* 0 without KASAN_HW_TAGS, as here */
	{ "GFP_SKIP_KASAN", 0, GFP_KNOWN },
	{ "GFP_SKIP_KASAN_POISON", 0, GFP_IGNORED },	/* 5.x name */
	{ "GFP_SKIP_KASAN_UNPOISON", 0, GFP_IGNORED },
	{ "GFP_NOLOCKDEP", 0, GFP_KNOWN },
	/* older kernels' modifiers */
	{ "GFP_WAIT", PF___GFP_RECLAIM, GFP_MAPPED },		/* until 4.3: may sleep, and kswapd was woken */
	{ "GFP_REPEAT", PF___GFP_RETRY_MAYFAIL, GFP_MAPPED },	/* until 4.12 */
	{ "GFP_COLD", 0, GFP_IGNORED },			/* until 4.14 */
	{ "GFP_NOTRACK", 0, GFP_IGNORED },			/* kmemcheck, until 4.14 */
	{ "GFP_NOTRACK_FALSE_POSITIVE", 0, GFP_IGNORED },
	{ "GFP_OTHER_NODE", 0, GFP_IGNORED },			/* until 4.10 */
	{ "GFP_NO_KSWAPD", 0, GFP_IGNORED },			/* until 4.3 */
	{ "GFP_NOACCOUNT", 0, GFP_IGNORED },			/* 4.2 .. 4.4 */
	{ "GFP_ATOMIC", 0, GFP_IGNORED },			/* __GFP_ATOMIC, 4.4 .. 6.2 */
	{ "GFP_UNUSED", 0, GFP_IGNORED },
};

static const struct gfp_name *gfp_lookup(const struct gfp_name *t, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(t[i].name) == len && !memcmp(t[i].name, s, len))
			return &t[i];
	return NULL;
}

/* A number: decimal, or hex with 0x.  Return: 0, or -1 when @s..@len is not wholly one. */
static int parse_num(const char *s, size_t len, unsigned long long *v)
{
	int base = 10;
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		len -= 2;
	}
	if (len == 0 || len > 20)
		return -1;
	unsigned long long x = 0;
	for (size_t i = 0; i < len; i++) {
		int d;
		if (s[i] >= '0' && s[i] <= '9')
			d = s[i] - '0';
		else if (base == 16 && isxdigit((unsigned char)s[i]))
			d = tolower((unsigned char)s[i]) - 'a' + 10;
		else
			return -1;
		if (x > (ULLONG_MAX - (unsigned)d) / (unsigned)base)
			return -1;
		x = x * (unsigned)base + (unsigned)d;
	}
	*v = x;
	return 0;
}

static int parse_int(const char *s, size_t len, long long lo, long long hi, int *out)
{
	bool neg = len > 0 && s[0] == '-';
	unsigned long long v;
	if (parse_num(s + neg, len - neg, &v) || v > (unsigned long long)LLONG_MAX)
		return -1;
	long long x = neg ? -(long long)v : (long long)v;
	if (x < lo || x > hi)
		return -1;
	*out = (int)x;
	return 0;
}

/* A pointer as %p prints it: hex digits with or without 0x (raw or hashed), or "(null)". */
static int parse_ptr(const char *s, size_t len, unsigned long long *v)
{
	if ((len == 6 && !memcmp(s, "(null)", 6)) || (len == 3 && !memcmp(s, "nil", 3))) {
		*v = 0;
		return 0;
	}
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		len -= 2;
	}
	if (len == 0 || len > 16)
		return -1;
	unsigned long long x = 0;
	for (size_t i = 0; i < len; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -1;
		x = x << 4 | (unsigned)(isdigit((unsigned char)s[i]) ? s[i] - '0' : tolower((unsigned char)s[i]) - 'a' + 10);
	}
	*v = x;
	return 0;
}

/* gfp_flags=: "none", a number, or NAME|NAME|0x... (the leftover bits __print_flags appends). */
static int parse_gfp(const char *s, size_t len, struct tp_record *r, char *err, size_t errlen)
{
	r->gfp = 0;
	if (len == 4 && !memcmp(s, "none", 4))
		return 0;
	size_t i = 0;
	while (i <= len) {
		size_t j = i;
		while (j < len && s[j] != '|')
			j++;
		const char *t = s + i;
		size_t tl = j - i;
		unsigned long long v;
		if (tl == 0) {
			snprintf(err, errlen, "empty name in gfp_flags '%.*s'", (int)(len > 80 ? 80 : len), s);
			return -1;
		}
		if (isdigit((unsigned char)t[0])) {
			/* a numeric mask: read in 6.12's bit layout (docs/REPLAY.md) */
			if (parse_num(t, tl, &v)) {
				snprintf(err, errlen, "bad number '%.*s' in gfp_flags", (int)(tl > 40 ? 40 : tl), t);
				return -1;
			}
			if (v & ~(unsigned long long)PF___GFP_BITS_MASK)
				r->gfp_ignored++;
			r->gfp |= (pf_gfp_t)(v & PF___GFP_BITS_MASK);
		} else {
			const struct gfp_name *g = NULL;
			if (tl > 2 && t[0] == '_' && t[1] == '_')
				g = gfp_lookup(gfp_modifiers, sizeof gfp_modifiers / sizeof gfp_modifiers[0], t + 2, tl - 2);
			else {
				g = gfp_lookup(gfp_composites, sizeof gfp_composites / sizeof gfp_composites[0], t, tl);
				if (!g)	/* 2.6.33 .. 4.5 printed modifiers without the "__" */
					g = gfp_lookup(gfp_modifiers, sizeof gfp_modifiers / sizeof gfp_modifiers[0], t, tl);
			}
			if (!g) {
				snprintf(err, errlen, "unknown gfp flag '%.*s'", (int)(tl > 40 ? 40 : tl), t);
				return -1;
			}
			r->gfp |= g->bits;
			if (g->kind == GFP_MAPPED)
				r->gfp_mapped++;
			else if (g->kind == GFP_IGNORED)
				r->gfp_ignored++;
		}
		i = j + 1;
	}
	return 0;
}

static bool is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* Where the event name is: "NAME:" preceded by a blank, "kmem:" or the line start. */
static const char *find_event(const char *s, size_t n, struct tp_record *r, int *truncated)
{
	const char *p = s;
	while ((p = strstr(p, "mm_page")) != NULL) {
		const char *q = p;
		while (q < s + n && is_ident(*q))
			q++;
		bool boundary = p == s || p[-1] == ' ' || p[-1] == '\t' || p[-1] == ':';
		if (boundary && *q == ':') {
			for (size_t i = 0; i < sizeof event_names / sizeof event_names[0]; i++)
				if ((size_t)(q - p) == strlen(event_names[i].name) &&
				    !memcmp(p, event_names[i].name, (size_t)(q - p))) {
					r->event = event_names[i].event;
					r->name = event_names[i].name;
					return q + 1;
				}
		}
		if (boundary && q == s + n) {
			/* the line ends inside a name: a truncated event line? */
			for (size_t i = 0; i < sizeof event_names / sizeof event_names[0]; i++)
				if (!strncmp(event_names[i].name, p, (size_t)(q - p)))
					*truncated = 1;
		}
		p = q;
	}
	return NULL;
}

/* The CPU and timestamp from what comes before the event name. */
static void parse_prefix(const char *s, const char *end, struct tp_record *r)
{
	/* "[001]" (trace, trace-cmd report, perf script) */
	for (const char *p = s; p + 2 < end; p++) {
		if (*p != '[')
			continue;
		const char *q = p + 1;
		int cpu = 0, digits = 0;
		while (q < end && isdigit((unsigned char)*q) && digits < 6)
			cpu = cpu * 10 + (*q++ - '0'), digits++;
		if (digits && q < end && *q == ']') {
			r->cpu = cpu;
			break;
		}
	}
	if (r->cpu < 0) {
		/* function_graph: " 1)  ..." */
		const char *p = s;
		while (p < end && *p == ' ')
			p++;
		int cpu = 0, digits = 0;
		while (p < end && isdigit((unsigned char)*p) && digits < 6)
			cpu = cpu * 10 + (*p++ - '0'), digits++;
		if (digits && p < end && *p == ')')
			r->cpu = cpu;
	}
	/* timestamp: the last "digits.digits" token before the name */
	for (const char *p = end; p > s; p--) {
		if (!isdigit((unsigned char)p[-1]))
			continue;
		const char *b = p;
		while (b > s && (isdigit((unsigned char)b[-1]) || b[-1] == '.'))
			b--;
		if (memchr(b, '.', (size_t)(p - b)) && (b == s || b[-1] == ' ' || b[-1] == '\t')) {
			char tmp[32];
			size_t l = (size_t)(p - b) < sizeof tmp - 1 ? (size_t)(p - b) : sizeof tmp - 1;
			memcpy(tmp, b, l);
			tmp[l] = '\0';
			r->ts = strtod(tmp, NULL);
		}
		break;
	}
}

int tp_parse_line(const char *line, size_t len, struct tp_record *r, char *err, size_t errlen)
{
	char buf[TP_MAX_LINE];
	if (errlen)
		err[0] = '\0';
	memset(r, 0, sizeof *r);
	r->cpu = -1;
	r->ts = -1;
	r->migratetype = -1;
	r->percpu_refill = -1;
	r->nr_free = -1;
	r->fallback_order = r->pageblock_order = r->fallback_migratetype = -1;
	r->fragmenting = r->change_ownership = -1;
	r->order = -1;

	size_t n = len < sizeof buf - 1 ? len : sizeof buf - 1;
	memcpy(buf, line, n);
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	bool has_nul = strlen(buf) != n;
	/* a '#' header line, or a line no kmem page event is named in */
	const char *first = buf;
	while (*first == ' ' || *first == '\t')
		first++;
	if (*first == '#')
		return 0;
	int truncated = 0;
	const char *f = find_event(buf, strlen(buf), r, &truncated);
	if (!f) {
		if (truncated) {
			snprintf(err, errlen, "truncated line: it ends inside an event name");
			return -1;
		}
		return 0;
	}
	if (has_nul) {
		snprintf(err, errlen, "binary data (a NUL byte) in the line");
		return -1;
	}
	parse_prefix(buf, f, r);

	/* the fields, up to a closing function_graph comment */
	const char *end = buf + strlen(buf);
	const char *cc = strstr(f, "*/");
	if (cc)
		end = cc;
	int have_order = 0, have_mt = 0, have_refill = 0, have_falls = 0;
	for (const char *p = f; p < end;) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p >= end)
			break;
		const char *q = p;
		while (q < end && *q != ' ' && *q != '\t')
			q++;
		const char *eq = memchr(p, '=', (size_t)(q - p));
		if (!eq) {
			snprintf(err, errlen, "%s: field '%.*s' has no '='", r->name, (int)(q - p > 40 ? 40 : q - p), p);
			return -1;
		}
		size_t kl = (size_t)(eq - p);
		const char *v = eq + 1;
		size_t vl = (size_t)(q - v);
#define KEY(k) (kl == sizeof(k) - 1 && !memcmp(p, k, kl))
		int bad = 0;
		unsigned long long u = 0;
		if (KEY("page")) {
			bad = parse_ptr(v, vl, &u);
			r->has_page = !bad;
			r->page = u;
			r->page_null = !bad && u == 0;
		} else if (KEY("pfn")) {
			bad = parse_num(v, vl, &u);
			if (!bad && u > ULONG_MAX / 2)
				bad = 1;
			r->pfn = (unsigned long)u;
			r->has_pfn = !bad;
		} else if (KEY("order") || KEY("alloc_order")) {
			bad = parse_int(v, vl, INT_MIN, INT_MAX, &r->order);
			have_order = !bad;
		} else if (KEY("migratetype") || KEY("alloc_migratetype")) {
			bad = parse_int(v, vl, INT_MIN, INT_MAX, &r->migratetype);
			have_mt = !bad;
		} else if (KEY("gfp_flags")) {
			if (parse_gfp(v, vl, r, err, errlen))
				return -1;
			r->has_gfp = true;
			r->gfp_text = line + (v - buf);
			r->gfp_len = vl;
		} else if (KEY("percpu_refill")) {
			bad = parse_int(v, vl, INT_MIN, INT_MAX, &r->percpu_refill);
			have_refill = !bad;
		} else if (KEY("nr_free")) {
			int x = 0;
			bad = parse_int(v, vl, 0, INT_MAX, &x);
			if (!bad)
				r->nr_free = x;
		} else if (KEY("fallback_order")) {
			bad = parse_int(v, vl, INT_MIN, INT_MAX, &r->fallback_order);
			have_falls |= !bad;
		} else if (KEY("pageblock_order")) {
			bad = parse_int(v, vl, INT_MIN, INT_MAX, &r->pageblock_order);
		} else if (KEY("fallback_migratetype")) {
			bad = parse_int(v, vl, INT_MIN, INT_MAX, &r->fallback_migratetype);
		} else if (KEY("fragmenting")) {
			bad = parse_int(v, vl, INT_MIN, INT_MAX, &r->fragmenting);
		} else if (KEY("change_ownership")) {
			bad = parse_int(v, vl, INT_MIN, INT_MAX, &r->change_ownership);
		} else if (KEY("cpu") && r->cpu < 0) {
			bad = parse_int(v, vl, 0, 1 << 20, &r->cpu);
		}	/* call_site=, cold=, ...: not needed */
#undef KEY
		if (bad) {
			snprintf(err, errlen, "%s: bad value in '%.*s'", r->name, (int)(q - p > 60 ? 60 : q - p), p);
			return -1;
		}
		p = q;
	}

	/* what each event must have */
	const char *missing = NULL;
	if (!r->has_pfn && !r->has_page)
		missing = "pfn=";
	else if (!have_order)
		missing = r->event == TP_ALLOC_EXTFRAG ? "alloc_order=" : "order=";
	else if ((r->event == TP_ALLOC || r->event == TP_ALLOC_ZONE_LOCKED || r->event == TP_PCPU_DRAIN) && !have_mt)
		missing = "migratetype=";
	else if (r->event == TP_ALLOC && !r->has_gfp)
		missing = "gfp_flags=";
	else if (r->event == TP_ALLOC_ZONE_LOCKED && !have_refill)
		missing = "percpu_refill=";
	else if (r->event == TP_ALLOC_EXTFRAG && (!have_falls || !have_mt))
		missing = "fallback_order=/alloc_migratetype=";
	if (missing) {
		snprintf(err, errlen, "%s: no %s field (truncated line?)", r->name, missing);
		return -1;
	}
	/* an alloc that failed prints page=(null) and pfn 0: no order check needed then */
	if (r->order < 0 || r->order > 40) {
		snprintf(err, errlen, "%s: absurd order %d", r->name, r->order);
		return -1;
	}
	if (r->migratetype < -1 || r->migratetype > 15) {
		snprintf(err, errlen, "%s: absurd migratetype %d", r->name, r->migratetype);
		return -1;
	}
	return 1;
}
