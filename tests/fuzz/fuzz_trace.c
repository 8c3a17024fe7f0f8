/* SPDX-License-Identifier: MIT */
/*
 * fuzz_trace.c - libFuzzer target for the CLI's two text parsers.  The input
 * is read as a trace file: each line goes through `pageframe replay`'s parser
 * (tools/trace_parse.c) as the replay reads it.  A line is ignored (0), read (1)
 * or refused with a reason (-1); a read line must carry what its event needs,
 * within the bounds the parser promises, and a refusal must say why.  The same
 * input is then read as a scenario of `pageframe run` (tools/scenario.c): it is
 * accepted within the scenario's bounds or refused with "line N: ...".  Any
 * breach traps so the fuzzer reports it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "trace_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what, const char *line, size_t len)
{
	if (ok)
		return;
	fprintf(stderr, "fuzz_trace: %s on line '%.*s'\n", what, (int)(len > 200 ? 200 : len), line);
	__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		struct tp_record r;
		char err[160];
		memset(err, 'x', sizeof err);
		int rc = tp_parse_line(p, len, &r, err, sizeof err);
		check(rc >= -1 && rc <= 1, "return value out of range", p, len);
		/* the same line ended by CRLF (a trace copied through Windows) reads the same */
		if (len < 4000) {
			char crlf[4096];
			size_t body = len - (nl != NULL);
			memcpy(crlf, p, body);
			memcpy(crlf + body, "\r\n", 2);
			struct tp_record r2;
			char err2[160];
			int rc2 = tp_parse_line(crlf, body + 2, &r2, err2, sizeof err2);
			check(rc2 == rc, "CRLF changes the verdict", p, len);
			if (rc == 1)
				check(r2.event == r.event && r2.order == r.order && r2.pfn == r.pfn && r2.page == r.page &&
				      r2.gfp == r.gfp && r2.migratetype == r.migratetype && r2.cpu == r.cpu,
				      "CRLF changes the record", p, len);
		}
		if (rc == -1)
			check(memchr(err, '\0', sizeof err) && err[0], "a refusal without a reason", p, len);
		if (rc == 1) {
			check(r.event > TP_NONE && r.event < TP_NR_EVENTS, "no event", p, len);
			check(r.name && strstr(r.name, "mm_page"), "no event name", p, len);
			check(r.order >= 0 && r.order <= 40, "order out of bounds", p, len);
			check(r.migratetype >= -1 && r.migratetype <= 15, "migratetype out of bounds", p, len);
			check(r.has_pfn || r.has_page, "neither pfn nor page", p, len);
			check(r.event != TP_ALLOC || r.has_gfp, "an allocation without gfp", p, len);
			check(!r.gfp_text || (r.gfp_text >= p && r.gfp_text + r.gfp_len <= p + len),
			      "gfp text outside the line", p, len);
		}
		p += len;
	}

	static struct scenario sc;
	char err[256];
	memset(err, 'x', sizeof err);
	const char *t = (const char *)data;
	if (sc_parse(t, size, &sc, err, sizeof err)) {
		check(memchr(err, '\0', sizeof err) && err[0], "a refused scenario without a reason", t, size);
		/* "line N: ..." with N a line of the input, or one of the two that concern the whole */
		size_t lines = 0;
		for (size_t i = 0; i < size; i++)
			lines += t[i] == '\n';
		lines += size && t[size - 1] != '\n';
		unsigned long n = 0;
		if (!strncmp(err, "line ", 5)) {
			n = strtoul(err + 5, NULL, 10);
			check(n >= 1 && n <= lines, "a refusal naming a line the scenario does not have", t, size);
		} else {
			check(!strcmp(err, "no phase: nothing to run") || strstr(err, " ticks: more than "),
			      "a refusal naming no line", t, size);
		}
	} else {
		check(sc.nphases >= 1 && sc.nphases <= SC_MAX_PHASES, "phases out of bounds", t, size);
		/* the memcg tree: parents resolved, no cycle, depth within bounds */
		check(sc.nmemcgs >= 0 && sc.nmemcgs <= SC_MAX_MEMCGS, "memcgs out of bounds", t, size);
		for (int i = 0; i < sc.nmemcgs; i++) {
			const struct sc_memcg *cg = &sc.memcgs[i];
			check(cg->parent >= -1 && cg->parent < sc.nmemcgs && cg->parent != i, "a memcg's parent out of bounds",
			      t, size);
			check(cg->depth >= 1 && cg->depth <= SC_MAX_MEMCG_DEPTH, "a memcg's depth out of bounds", t, size);
			check(cg->parent < 0 ? cg->depth == 1 : cg->depth == sc.memcgs[cg->parent].depth + 1,
			      "a memcg's depth is not its parent's plus one", t, size);
			check(cg->name[0] && !strchr(cg->name, '/'), "a memcg without a name", t, size);
		}
		check(sc.tick_us >= 10 && sc.tick_us <= 1000000, "tick out of bounds", t, size);
		check(sc_total_us(&sc) / sc.tick_us <= 50000000ull, "too many ticks", t, size);
		for (int i = 0; i < sc.nphases; i++) {
			check(sc.phases[i].duration_us > 0, "an empty phase", t, size);
			check(sc.phases[i].duration_us % sc.tick_us == 0, "a phase of a fraction of a tick", t, size);
			check(sc.phases[i].nstreams >= 0 && sc.phases[i].nstreams <= SC_MAX_STREAMS, "streams out of bounds",
			      t, size);
			for (int k = 0; k < sc.phases[i].nstreams; k++) {
				const struct sc_stream *st = &sc.phases[i].streams[k];
				check(st->kind < SC_NR_KINDS && st->order <= 10 && st->rate > 0 && st->rate <= 1e7 &&
				      st->burst >= 1 && st->name[0], "a stream out of bounds", t, size);
				check(st->memcg >= -1 && st->memcg < sc.nmemcgs, "a stream in no memcg of the scenario", t,
				      size);
			}
		}
	}
	return 0;
}
