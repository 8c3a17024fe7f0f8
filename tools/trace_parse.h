/* SPDX-License-Identifier: MIT */
/*
 * tools/trace_parse.h - one line of a kernel's ftrace text output -> one kmem
 * page event (mm_page_alloc, mm_page_free, ...), for `pageframe replay`.
 *
 * A pure function over one line: no allocation, no global state, so the
 * fuzzer (tests/fuzz/fuzz_trace.c) links it alone.  The formats accepted,
 * era by era, are listed in docs/REPLAY.md.
 */
#ifndef PAGEFRAME_TOOLS_TRACE_PARSE_H
#define PAGEFRAME_TOOLS_TRACE_PARSE_H

#include <pageframe/gfp.h>
#include <stdbool.h>
#include <stddef.h>

enum tp_event {
	TP_NONE,			/* not a kmem page event: ignored */
	TP_ALLOC,			/* mm_page_alloc */
	TP_FREE,			/* mm_page_free (mm_page_free_direct before 3.3) */
	TP_FREE_BATCHED,		/* mm_page_free_batched (mm_pagevec_free before 3.3) */
	TP_ALLOC_ZONE_LOCKED,		/* mm_page_alloc_zone_locked */
	TP_PCPU_DRAIN,			/* mm_page_pcpu_drain */
	TP_ALLOC_EXTFRAG,		/* mm_page_alloc_extfrag */
	TP_NR_EVENTS
};

/* The longest line looked at; the rest of a longer line is cut off (and then usually not understood). */
#define TP_MAX_LINE 4096

struct tp_record {
	enum tp_event event;
	const char *name;		/* the event name as the trace spelled it (static string) */
	int cpu;			/* from "[001]", " 1)" or "cpu=": -1 when the line has none */
	double ts;			/* seconds, -1 when the line has none */
	bool has_pfn, has_page, page_null;
	unsigned long pfn;		/* pfn= (decimal or 0x hex) */
	unsigned long long page;	/* page= (raw or hashed pointer; 0 for "(null)") */
	int order;			/* order= (alloc_order= for extfrag) */
	int migratetype;		/* migratetype= (alloc_migratetype= for extfrag); -1 absent */
	bool has_gfp;
	pf_gfp_t gfp;			/* gfp_flags= mapped to today's (6.12) bits */
	int gfp_ignored;		/* flag names of older kernels that have no 6.12 bit (dropped) */
	int gfp_mapped;			/* flag names of older kernels mapped to a 6.12 bit */
	const char *gfp_text;		/* the gfp_flags= value as written (points into @line) */
	size_t gfp_len;
	int percpu_refill;		/* mm_page_alloc_zone_locked; -1 absent */
	long nr_free;			/* nr_free= when the line has it; -1 absent */
	/* mm_page_alloc_extfrag */
	int fallback_order, pageblock_order, fallback_migratetype, fragmenting, change_ownership;
};

/*
 * tp_parse_line - read one line (@len bytes, need not be NUL-terminated, may hold any bytes).
 * Return: 0 when the line is no kmem page event (headers, other tracers, comments); 1 with @r
 * filled; -1 when it is a kmem page event that cannot be read, with the reason in @err.
 */
int tp_parse_line(const char *line, size_t len, struct tp_record *r, char *err, size_t errlen);

/* tp_event_name - the current (6.12) name of an event kind. */
const char *tp_event_name(enum tp_event e);

#endif
