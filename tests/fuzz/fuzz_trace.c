/* SPDX-License-Identifier: MIT */
/*
 * fuzz_trace.c - libFuzzer target: the input is a trace file; each line goes
 * through `pageframe replay`'s parser (tools/trace_parse.c) as the replay reads
 * it.  A line is ignored (0), read (1) or refused with a reason (-1); a read
 * line must carry what its event needs, within the bounds the parser promises,
 * and a refusal must say why.  Any breach traps so the fuzzer reports it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	return 0;
}
