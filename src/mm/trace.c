/* SPDX-License-Identifier: MIT */
/*
 * trace.c - the kmem trace events (include/trace/events/kmem.h, Linux 6.12)
 * formatted as lines of the ftrace "trace" file, handed to the caller's sink.
 *
 * Line: "%16s-%-7d [%03d] ..... %5lu.%06lu: <event>: <TP_printk text>",
 * with the gfp names of include/trace/events/mmflags.h (6.12 order).
 * Deliberate differences: %p prints the struct pf_page address unhashed
 * (as with the no_hash_pointers boot option), and the five context flag
 * characters are always "....." (user space has no irq or preempt state).
 * The time is seconds since the machine booted.
 */
#include "internal.h"

#include <string.h>

static const struct {
	pf_gfp_t mask;
	const char *name;
} gfpflag_names[] = {
	{ PF_GFP_TRANSHUGE, "GFP_TRANSHUGE" },
	{ PF_GFP_TRANSHUGE_LIGHT, "GFP_TRANSHUGE_LIGHT" },
	{ PF_GFP_HIGHUSER_MOVABLE, "GFP_HIGHUSER_MOVABLE" },
	{ PF_GFP_HIGHUSER, "GFP_HIGHUSER" },
	{ PF_GFP_USER, "GFP_USER" },
	{ PF_GFP_KERNEL_ACCOUNT, "GFP_KERNEL_ACCOUNT" },
	{ PF_GFP_KERNEL, "GFP_KERNEL" },
	{ PF_GFP_NOFS, "GFP_NOFS" },
	{ PF_GFP_ATOMIC, "GFP_ATOMIC" },
	{ PF_GFP_NOIO, "GFP_NOIO" },
	{ PF_GFP_NOWAIT, "GFP_NOWAIT" },
	{ PF_GFP_DMA, "GFP_DMA" },
	{ PF___GFP_HIGHMEM, "__GFP_HIGHMEM" },
	{ PF_GFP_DMA32, "GFP_DMA32" },
	{ PF___GFP_HIGH, "__GFP_HIGH" },
	{ PF___GFP_IO, "__GFP_IO" },
	{ PF___GFP_FS, "__GFP_FS" },
	{ PF___GFP_NOWARN, "__GFP_NOWARN" },
	{ PF___GFP_RETRY_MAYFAIL, "__GFP_RETRY_MAYFAIL" },
	{ PF___GFP_NOFAIL, "__GFP_NOFAIL" },
	{ PF___GFP_NORETRY, "__GFP_NORETRY" },
	{ PF___GFP_COMP, "__GFP_COMP" },
	{ PF___GFP_ZERO, "__GFP_ZERO" },
	{ PF___GFP_NOMEMALLOC, "__GFP_NOMEMALLOC" },
	{ PF___GFP_MEMALLOC, "__GFP_MEMALLOC" },
	{ PF___GFP_HARDWALL, "__GFP_HARDWALL" },
	{ PF___GFP_THISNODE, "__GFP_THISNODE" },
	{ PF___GFP_RECLAIMABLE, "__GFP_RECLAIMABLE" },
	{ PF___GFP_MOVABLE, "__GFP_MOVABLE" },
	{ PF___GFP_ACCOUNT, "__GFP_ACCOUNT" },
	{ PF___GFP_WRITE, "__GFP_WRITE" },
	{ PF___GFP_RECLAIM, "__GFP_RECLAIM" },
	{ PF___GFP_DIRECT_RECLAIM, "__GFP_DIRECT_RECLAIM" },
	{ PF___GFP_KSWAPD_RECLAIM, "__GFP_KSWAPD_RECLAIM" },
	{ PF___GFP_ZEROTAGS, "__GFP_ZEROTAGS" },
};

/*
 * pf_format_gfp_flags - show_gfp_flags / trace_print_flags_seq: names whose
 * bits are all still set, in table order, joined by '|'; leftovers once as
 * 0x%x; "none" for 0.  Return: the length written (snprintf style).
 */
int pf_format_gfp_flags(pf_gfp_t gfp, char *buf, size_t len)
{
	size_t n = 0;
	int first = 1;
	if (!gfp)
		return snprintf(buf, len, "none");
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof gfpflag_names / sizeof gfpflag_names[0] && gfp; i++) {
		pf_gfp_t mask = gfpflag_names[i].mask;
		if ((gfp & mask) != mask)
			continue;
		gfp &= ~mask;
		n += (size_t)snprintf(buf + (n < len ? n : len), n < len ? len - n : 0, "%s%s", first ? "" : "|",
				      gfpflag_names[i].name);
		first = 0;
	}
	if (gfp)
		n += (size_t)snprintf(buf + (n < len ? n : len), n < len ? len - n : 0, "%s0x%x", first ? "" : "|",
				      gfp);
	return (int)n;
}

static const char *const event_names[TRACE_NR_EVENTS] = {
	[TRACE_MM_PAGE_ALLOC] = "mm_page_alloc",
	[TRACE_MM_PAGE_FREE] = "mm_page_free",
	[TRACE_MM_PAGE_ALLOC_ZONE_LOCKED] = "mm_page_alloc_zone_locked",
	[TRACE_MM_PAGE_ALLOC_EXTFRAG] = "mm_page_alloc_extfrag",
	[TRACE_MM_PAGE_PCPU_DRAIN] = "mm_page_pcpu_drain",
};

__attribute__((format(printf, 3, 4)))
static void emit(struct pf_machine *m, enum pf_trace_event ev, const char *fmt, ...)
{
	char body[512], line[640];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(body, sizeof body, fmt, ap);
	va_end(ap);
	unsigned long long ns = pf_os_now_ns() - m->boot_ns;
	unsigned long usecs = (unsigned long)(ns / 1000);
	snprintf(line, sizeof line, "%16s-%-7d [%03d] ..... %5lu.%06lu: %s: %s", pf_os_comm(), pf_os_tid(),
		 pf_os_current_cpu() % m->nr_cpus, usecs / 1000000, usecs % 1000000, event_names[ev], body);
	m->trace(m->trace_arg, line);
}

/* The allocation event needs the machine even when the page is NULL. */
void pf_trace_mm_page_alloc(struct pf_machine *m, struct pf_page *page, unsigned int order, pf_gfp_t gfp,
			    int migratetype)
{
	char flags[512];
	pf_format_gfp_flags(gfp, flags, sizeof flags);
	emit(m, TRACE_MM_PAGE_ALLOC, "page=%016lx pfn=0x%lx order=%d migratetype=%d gfp_flags=%s", (unsigned long)page,
	     page ? page_to_pfn(page) : 0UL, (int)order, migratetype, flags);
}

void __trace_mm_page_free(struct pf_page *page, unsigned int order)
{
	emit(page_machine(page), TRACE_MM_PAGE_FREE, "page=%016lx pfn=0x%lx order=%d", (unsigned long)page,
	     page_to_pfn(page), (int)order);
}

void __trace_mm_page_alloc_zone_locked(struct pf_page *page, unsigned int order, int migratetype, int percpu_refill)
{
	emit(page_machine(page), TRACE_MM_PAGE_ALLOC_ZONE_LOCKED,
	     "page=%016lx pfn=0x%lx order=%u migratetype=%d percpu_refill=%d", (unsigned long)page, page_to_pfn(page),
	     order, migratetype, percpu_refill);
}

void __trace_mm_page_alloc_extfrag(struct pf_page *page, unsigned int alloc_order, int fallback_order,
				   int alloc_migratetype, int fallback_migratetype)
{
	emit(page_machine(page), TRACE_MM_PAGE_ALLOC_EXTFRAG,
	     "page=%016lx pfn=0x%lx alloc_order=%d fallback_order=%d pageblock_order=%d alloc_migratetype=%d "
	     "fallback_migratetype=%d fragmenting=%d change_ownership=%d",
	     (unsigned long)page, page_to_pfn(page), (int)alloc_order, fallback_order, pageblock_order,
	     alloc_migratetype, fallback_migratetype, fallback_order < pageblock_order,
	     alloc_migratetype == get_pageblock_migratetype(page));
}

void __trace_mm_page_pcpu_drain(struct pf_page *page, unsigned int order, int migratetype)
{
	emit(page_machine(page), TRACE_MM_PAGE_PCPU_DRAIN, "page=%016lx pfn=0x%lx order=%d migratetype=%d",
	     (unsigned long)page, page_to_pfn(page), (int)order, migratetype);
}

int pf_set_trace(struct pf_machine *m, const char *events, pf_trace_fn fn, void *arg)
{
	if (!m)
		return -EINVAL;
	if (!fn) {
		m->trace = NULL;
		m->trace_mask = 0;
		pf_fast_update(m);
		return 0;
	}
	unsigned mask = 0;
	if (!events || !strcmp(events, "all")) {
		mask = (1u << TRACE_NR_EVENTS) - 1;
	} else {
		const char *p = events;
		while (*p) {
			const char *comma = strchr(p, ',');
			size_t len = comma ? (size_t)(comma - p) : strlen(p);
			int found = 0;
			for (int i = 0; i < TRACE_NR_EVENTS; i++)
				if (strlen(event_names[i]) == len && !strncmp(event_names[i], p, len)) {
					mask |= 1u << i;
					found = 1;
				}
			if (!found)
				return -ENOENT;
			p += len + (comma ? 1 : 0);
		}
	}
	m->trace_arg = arg;
	m->trace_mask = mask;
	m->trace = fn;
	pf_fast_update(m);
	return 0;
}
