/* SPDX-License-Identifier: MIT */
/*
 * fuzz_api.c - libFuzzer target: the input bytes drive a sequence of public
 * API calls on a small hosted machine (64 MiB) booted once per input.
 *
 * A model of the live blocks (pfn, order, compound, refcount, content
 * stamp) is kept beside the allocator.  After every step pf_check must be 0
 * and the report/bad-page counters must have moved exactly as the step
 * predicts (one "BUG: Bad page state" report and one pageframe_bad_pages
 * for each deliberate bad operation, none otherwise); periodically every
 * live block must still carry its stamp.  At the end every block is freed,
 * the per-CPU lists drained, and buddyinfo must equal the boot buddyinfo.
 * Any violation prints what was wrong and traps so the fuzzer reports it.
 *
 * Movable pages, compaction and contiguous ranges: a live block can be
 * made movable with an owner whose callbacks find the block by its page in
 * the model and switch it to dst when migrate_page moves it (the stamps
 * follow the contents: they depend on the block, not on its pfn); some
 * owners refuse (isolate_page false, migrate_page -EAGAIN / -EBUSY).
 * Every pgmigrate_success page must be a move the owner saw.  Contiguous
 * ranges (pf_alloc_contig_range, pf_alloc_contig_pages, pf_cma_alloc) are
 * kept in a second table and given back whole (pf_free_contig_range,
 * pf_cma_release, or page by page).
 *
 * Shrinkers and the OOM killer (op_misc's selectors 0xf0..0xff): a
 * shrinker whose cache is pages of its own, honest or lying in one of the
 * ways docs/ERRORS.md lists (a count beyond what it holds, SHRINK_STOP
 * forever, more freed than scanned, nr_scanned 0), driven by drop_caches:
 * every call must end and free only what the cache holds.  OOM tasks hold
 * pages of their own with a random oom_score_adj; pf_out_of_memory must
 * kill the task oom_badness ranks first (ties to the later one) and its
 * kill frees its pages.  Neither touches the block model.
 *
 * Placement: the thread's cpuset, policy, interleave weights and atomic
 * scope change at random (op_misc); a hardwall request of a thread with a
 * cpuset must land inside it.
 *
 * Input layout: byte 0 picks the machine; then each step is an opcode byte
 * followed by the operands it reads (missing bytes read as 0).  Opcodes
 * 0xc0..0xff are the movable/compaction/contiguous family.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pageframe/pageframe.h>
#include <pageframe/page.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_STEPS	4096
#define MAX_BLOCKS	4096
#define MAX_PFN		(1UL << 15)	/* above every machine's last pfn (64 MiB = 0x4000) */
#define MAX_BAD_OPS	50		/* bad_page shows 60 reports a minute per machine */
#define MAX_RANGES	64
#define MAX_SWAPPED	256

static const char *const machines[] = {
	/* one node, two CPUs, 64 MiB, as DMA + DMA32 */
	"cpus 2\nmem 0 0x1000-0x9efff\nmem 0 0x100000-0x3ffffff\nbacking hosted\nswap 2M\n",
	/* two nodes of 32 MiB */
	"cpus 2\nnode 0 cpus 0\nnode 1 cpus 1\nmem 0 0x1000-0x9efff\nmem 0 0x100000-0x1ffffff\n"
	"mem 1 0x2000000-0x3ffffff\nbacking hosted\nswap 1M\n",
	/* reserved ranges, init_on_alloc/init_on_free, four CPUs, THP never */
	"cpus 4\nmem 0 0x1000-0x9efff\nmem 0 0x100000-0x3ffffff\nreserve 0x100000-0x1fffff\n"
	"reserve 0x3000000-0x3000fff\ninit_on_alloc 1\ninit_on_free 1\nthp never\nbacking hosted\n",
	/* one CPU, a movable zone from kernelcore, page_owner on */
	"cpus 1\nmem 0 0x1000-0x9efff\nmem 0 0x100000-0x3ffffff\ncmdline kernelcore=50% page_owner=on\nbacking hosted\n",
	/* two CMA areas: 8 MiB placed top-down, 4 MiB at 16 MiB */
	"cpus 2\nmem 0 0x1000-0x9efff\nmem 0 0x100000-0x3ffffff\ncma 8M\ncma 4M@0x1000000\nbacking hosted\n",
};
#define NR_MACHINES (sizeof machines / sizeof machines[0])

struct block {
	unsigned long pfn;
	unsigned order;
	int compound;
	int refcount;
	uint64_t stamp;
	int movable;			/* 0 never, 1 pf_set_page_movable in force, 2 cleared (the free path then keeps it whole) */
	int refuse;			/* the owner's answer: see owner_refuses() */
	unsigned calls;			/* callbacks the owner answered for it */
	int lru;			/* 0 not on the LRU, else PF_LRU_ANON / PF_LRU_FILE + 1 */
};

/* A contiguous range handed out: order-0 pages, or one compound page. */
struct range {
	unsigned long pfn, nr;
	int compound;
	int cma;			/* the CMA area it came from, or -1 */
	uint64_t stamp;
};

struct state {
	struct pf_machine *m;
	const uint8_t *in;
	size_t len, pos;
	int init_on_alloc;
	int page_owner;			/* the machine was booted with page_owner=on */
	unsigned long max_pfn;		/* one past the last pfn the machine has memory at */
	struct block blocks[MAX_BLOCKS];
	int nr_blocks;
	int32_t owner[MAX_PFN];		/* block index + 1 for every pfn of a live block, -(range index + 1) for a range, else 0 */
	struct range ranges[MAX_RANGES];
	int nr_ranges;
	int nr_cma;			/* CMA areas of the machine */
	int nr_nodes;
	unsigned mems;			/* the thread's cpuset as a node bit mask, 0: every node */
	int atomic_depth;		/* pf_enter_atomic calls not yet matched */
	long migrated_pages;		/* pages the owner saw move */
	long migrated0;			/* pgmigrate_success at boot */
	long ranges_taken, cma_taken, movable_set;	/* what the input reached (FUZZ_API_VERBOSE prints them) */
	struct swapped { unsigned long entry; uint64_t stamp; } swapped[MAX_SWAPPED];	/* data the owner has in swap */
	int nr_swapped;
	unsigned long shadows[16];	/* shadows released file pages left */
	int nr_shadows;
	long lru_added, lru_reclaimed, swapped_in;
	int no_zero_check;		/* adopt: the page holds read-back contents */
	uint64_t gen;
	long reports;			/* "BUG: Bad page state in process" lines */
	long suppressed;		/* "BUG: Bad page state: N messages suppressed" lines */
	long lines;
	int bad_ops;
	int step;
	const char *op;
	/* memory cgroups: [i] made by op_memcg (NULL: none or destroyed), the parent's index or -1 for the root */
	struct pf_memcg *memcg[6];
	int memcg_parent[6];
	long memcg_ops;
};

static struct state S;

__attribute__((noreturn, format(printf, 1, 2)))
static void die(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "fuzz_api: step %d (%s): ", S.step, S.op ? S.op : "-");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	__builtin_trap();
}

#define CHECK(cond, ...) do { if (!(cond)) die(__VA_ARGS__); } while (0)

static void hook(void *arg, int level, const char *line)
{
	(void)arg;
	(void)level;
	S.lines++;
	if (strncmp(line, "BUG: Bad page state in process", 30) == 0)
		S.reports++;
	else if (strncmp(line, "BUG: Bad page state", 19) == 0)
		S.suppressed++;
}

/* ---- input ------------------------------------------------------------- */

static unsigned u8(void)
{
	return S.pos < S.len ? S.in[S.pos++] : 0;
}

static unsigned u16(void)
{
	unsigned lo = u8();
	return lo | (u8() << 8);
}

static uint32_t u32(void)
{
	uint32_t lo = u16();
	return lo | ((uint32_t)u16() << 16);
}

/* ---- helpers ----------------------------------------------------------- */

static long bad_pages(void)
{
	long v = -1;
	CHECK(pf_vmstat_get(S.m, "pageframe_bad_pages", &v) == 0, "pf_vmstat_get(pageframe_bad_pages) failed");
	return v;
}

static char *show(const char *what)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	CHECK(f, "open_memstream");
	CHECK(pf_show(S.m, what, f) == 0, "pf_show(%s) failed", what);
	fclose(f);
	return buf;
}

/* Independent of the pfn: a migrated block carries its stamps to dst. */
static uint64_t stamp_at(uint64_t stamp, unsigned long i)
{
	return (stamp ^ ((i + 1) * 0x9E3779B97F4A7C15ull)) | 1;
}

static uint64_t stamp_of(const struct block *b, unsigned long i)
{
	return stamp_at(b->stamp, i);
}

static uint64_t *word0(unsigned long pfn)
{
	struct pf_page *p = pf_pfn_to_page(S.m, pfn);
	CHECK(p, "pf_pfn_to_page(%#lx) of a live block is NULL", pfn);
	uint64_t *w = pf_page_address(p);
	CHECK(w, "pf_page_address(pfn %#lx) is NULL on a hosted machine", pfn);
	return w;
}

static void stamp_block(struct block *b)
{
	b->stamp = ++S.gen * 0xD6E8FEB86659FD93ull;
	for (unsigned long i = 0; i < (1UL << b->order); i++)
		*word0(b->pfn + i) = stamp_of(b, i);
}

static void check_block_stamp(const struct block *b)
{
	for (unsigned long i = 0; i < (1UL << b->order); i++) {
		uint64_t w = *word0(b->pfn + i);
		CHECK(w == stamp_of(b, i), "live block pfn %#lx order %u: page %lu lost its stamp (%#llx, want %#llx)",
		      b->pfn, b->order, i, (unsigned long long)w, (unsigned long long)stamp_of(b, i));
	}
}

static void check_range(const struct range *r);

static void check_all_stamps(void)
{
	for (int i = 0; i < S.nr_blocks; i++)
		check_block_stamp(&S.blocks[i]);
	for (int i = 0; i < S.nr_ranges; i++)
		check_range(&S.ranges[i]);
}

static struct pf_page *page_of(unsigned long pfn)
{
	return pf_pfn_to_page(S.m, pfn);
}

/* Take a freshly allocated block into the model, checking what the allocator promised. */
static void adopt(struct pf_page *page, unsigned order, pf_gfp_t gfp)
{
	unsigned long pfn = pf_page_to_pfn(page);
	unsigned long n = 1UL << order;

	CHECK(pfn != ~0UL, "allocated page %p belongs to no machine", (void *)page);
	CHECK(pf_pfn_to_page(S.m, pfn) == page, "pfn_to_page(page_to_pfn(p)) != p for pfn %#lx", pfn);
	CHECK((pfn & (n - 1)) == 0, "order-%u block at pfn %#lx is not aligned", order, pfn);
	CHECK(pfn + n <= S.max_pfn, "order-%u block at pfn %#lx lies past the machine's memory", order, pfn);
	for (unsigned long i = 0; i < n; i++)
		CHECK(!S.owner[pfn + i], "order-%u block at pfn %#lx overlaps live block %d at pfn %#lx", order, pfn,
		      S.owner[pfn + i] - 1, S.blocks[S.owner[pfn + i] - 1].pfn);
	if (S.nr_blocks >= MAX_BLOCKS) {
		/* the model is full (a big bulk allocation): give the page back at once */
		pf_free_pages(page, order);
		return;
	}
	CHECK(pf_page_count(page) == 1, "new block pfn %#lx has refcount %d", pfn, pf_page_count(page));

	int compound = order > 0 && (gfp & PF___GFP_COMP);
	CHECK(!!(page->flags & (1UL << PF_PG_head)) == compound, "block pfn %#lx order %u gfp %#x: PG_head is %d",
	      pfn, order, gfp, !!(page->flags & (1UL << PF_PG_head)));
	if (compound) {
		for (unsigned long i = 1; i < n; i++)
			CHECK(page[i].compound_head == ((unsigned long)page | 1), "tail %lu of compound pfn %#lx: bad compound_head",
			      i, pfn);
	}
	if (((gfp & PF___GFP_ZERO) || S.init_on_alloc) && !S.no_zero_check) {
		for (unsigned long i = 0; i < n; i++) {
			const uint64_t *w = word0(pfn + i);
			unsigned long words = (i == 0 && order <= 2) ? PF_PAGE_SIZE / 8 : 1;
			for (unsigned long k = 0; k < words; k++)
				CHECK(w[k] == 0, "zeroed block pfn %#lx order %u: page %lu word %lu is %#llx", pfn, order, i,
				      k, (unsigned long long)w[k]);
		}
	}

	struct block *b = &S.blocks[S.nr_blocks++];
	b->pfn = pfn;
	b->order = order;
	b->compound = compound;
	b->refcount = 1;
	b->movable = 0;
	b->refuse = 0;
	b->calls = 0;
	b->lru = 0;
	for (unsigned long i = 0; i < n; i++)
		S.owner[pfn + i] = S.nr_blocks;
	stamp_block(b);
}

static void set_owner(int idx)
{
	struct block *b = &S.blocks[idx];
	for (unsigned long i = 0; i < (1UL << b->order); i++)
		S.owner[b->pfn + i] = idx + 1;
}

static void forget(int idx)
{
	struct block *b = &S.blocks[idx];
	for (unsigned long i = 0; i < (1UL << b->order); i++)
		S.owner[b->pfn + i] = 0;
	S.nr_blocks--;
	if (idx != S.nr_blocks) {
		S.blocks[idx] = S.blocks[S.nr_blocks];
		set_owner(idx);
	}
}

/* a live block for the general operations; LRU blocks are left to op_lru */
static int pick_block(void)
{
	if (!S.nr_blocks)
		return -1;
	int idx = (int)(u16() % (unsigned)S.nr_blocks);
	return S.blocks[idx].lru ? -1 : idx;
}

/* Expect the counters to move by @bad reports and bad pages across a step. */
struct expect {
	long reports, bad;
};

static struct expect snap(void)
{
	struct expect e = { S.reports + S.suppressed * 0, bad_pages() };
	return e;
}

static void expect_bad2(struct expect before, long nreports, long nbad)
{
	long r = S.reports - before.reports, b = bad_pages() - before.bad;
	CHECK(r == nreports, "expected %ld \"BUG: Bad page state\" reports, got %ld", nreports, r);
	CHECK(b == nbad, "expected pageframe_bad_pages to grow by %ld, it grew by %ld", nbad, b);
}

static void expect_bad(struct expect before, long n)
{
	expect_bad2(before, n, n);
}

static void check_count(const struct block *b)
{
	int c = pf_page_count(page_of(b->pfn));
	CHECK(c == b->refcount, "block pfn %#lx order %u: page_count %d, model %d", b->pfn, b->order, c, b->refcount);
}

/* The model's view of one reference dropped through __free_pages(head, order). */
static void model_free_ref(int idx)
{
	struct block *b = &S.blocks[idx];
	if (--b->refcount == 0) {
		forget(idx);
	} else if (!b->compound && b->order && !b->movable) {
		/* __free_pages: the first page lives on at order 0, the rest is freed now */
		for (unsigned long i = 1; i < (1UL << b->order); i++)
			S.owner[b->pfn + i] = 0;
		b->order = 0;
	}
}

/* Drop every reference of every live block: the model must end empty. */
static void free_everything(void)
{
	while (S.nr_blocks) {
		struct block *b = &S.blocks[S.nr_blocks - 1];
		check_block_stamp(b);
		struct pf_page *p = page_of(b->pfn);
		unsigned order = b->order;
		if (b->lru) {
			CHECK(pf_lru_del(p) == 0, "pf_lru_del of LRU block %#lx", b->pfn);
			b->lru = 0;
		}
		pf_free_pages(p, order);
		model_free_ref(S.nr_blocks - 1);
	}
}

/* ---- operations ---------------------------------------------------------- */

static unsigned pick_order(unsigned sel)
{
	/* mostly small orders; all of 0..15 reachable */
	switch (sel & 3) {
	case 0: case 1: return (sel >> 2) & 1 ? 0 : (sel >> 3) & 3;
	case 2: return (sel >> 2) % 11;
	default: return (sel >> 2) & 15;
	}
}

static const pf_gfp_t common_gfps[] = {
	PF_GFP_KERNEL, PF_GFP_ATOMIC, PF_GFP_NOWAIT, PF_GFP_USER, PF_GFP_HIGHUSER_MOVABLE,
	PF_GFP_KERNEL | PF___GFP_COMP, PF_GFP_KERNEL | PF___GFP_ZERO, PF_GFP_DMA | PF_GFP_KERNEL,
	PF_GFP_DMA32 | PF_GFP_KERNEL, PF_GFP_TRANSHUGE, PF_GFP_TRANSHUGE_LIGHT, PF_GFP_KERNEL | PF___GFP_RECLAIMABLE,
	PF_GFP_KERNEL | PF___GFP_DMA | PF___GFP_DMA32, PF_GFP_KERNEL | PF___GFP_MOVABLE | PF___GFP_RECLAIMABLE,
	PF_GFP_ATOMIC | PF___GFP_MEMALLOC, PF_GFP_KERNEL | PF___GFP_THISNODE | PF___GFP_COMP,
};

/*
 * A request with __GFP_NOFAIL and __GFP_DIRECT_RECLAIM never fails: on a machine the fuzzer has
 * filled with blocks it holds it waits for memory for good (6.12's contract; the corpus seed
 * nofail_full_machine hung the run so).  Random gfps keep __GFP_NOFAIL only without direct
 * reclaim, where it must fail at once.
 */
static pf_gfp_t no_waiting_forever(pf_gfp_t gfp)
{
	if ((gfp & PF___GFP_NOFAIL) && (gfp & PF___GFP_DIRECT_RECLAIM))
		gfp &= ~PF___GFP_NOFAIL;
	return gfp;
}

static pf_gfp_t pick_gfp(void)
{
	unsigned sel = u8();
	if (sel < 160)
		return common_gfps[sel % (sizeof common_gfps / sizeof common_gfps[0])] | (sel & 0x80 ? PF___GFP_NOWARN : 0);
	if (sel < 224)
		return no_waiting_forever(u32() & PF___GFP_BITS_MASK);
	return no_waiting_forever(u32());	/* raw 32-bit value, bits above __GFP_BITS_MASK included */
}

static int gfp_valid_zone(pf_gfp_t gfp)
{
	unsigned z = gfp & (PF___GFP_DMA | PF___GFP_HIGHMEM | PF___GFP_DMA32 | PF___GFP_MOVABLE);
	unsigned zone_bits = z & (PF___GFP_DMA | PF___GFP_HIGHMEM | PF___GFP_DMA32);
	/* more than one of DMA/HIGHMEM/DMA32, or MOVABLE|DMA|..., see GFP_ZONE_BAD */
	if (zone_bits & (zone_bits - 1))
		return 0;
	if ((gfp & (PF___GFP_MOVABLE | PF___GFP_RECLAIMABLE)) == (PF___GFP_MOVABLE | PF___GFP_RECLAIMABLE))
		return 0;
	return 1;
}

static void op_alloc(int node)
{
	unsigned order = pick_order(u8());
	pf_gfp_t gfp = pick_gfp();
	int nid = -1;
	if (node) {
		unsigned s = u8();
		nid = s < 200 ? (int)(s % 2) : s < 240 ? -1 : (int)(s - 240) - 8;
	}
	struct expect e = snap();
	struct pf_page *p = node ? pf_alloc_pages_node(S.m, nid, gfp, order) : pf_alloc_pages(S.m, gfp, order);
	expect_bad(e, 0);
	if (order > PF_MAX_PAGE_ORDER)
		CHECK(!p, "order %u allocation succeeded", order);
	if (!gfp_valid_zone(gfp & PF___GFP_BITS_MASK))
		CHECK(!p, "contradictory gfp %#x allocation succeeded", gfp);
	/*
	 * A cpuset holds a hardwall order-0 request on every attempt, except in the
	 * atomic scope, for non-blocking __GFP_HIGH (no ALLOC_CPUSET) and
	 * __GFP_MEMALLOC (the reserves' attempt drops ALLOC_CPUSET), as 6.12.  Higher
	 * orders may get a block direct compaction captured in any zone of the
	 * zonelist (try_to_compact_pages does not ask the cpuset, in 6.12 either).
	 */
	if (p && order == 0 && S.mems && !S.atomic_depth && (gfp & PF___GFP_HARDWALL) && !(gfp & PF___GFP_MEMALLOC) &&
	    ((gfp & PF___GFP_DIRECT_RECLAIM) || !(gfp & PF___GFP_HIGH)))
		CHECK((S.mems >> pf_page_to_nid(p)) & 1, "hardwall gfp %#x got node %d outside the cpuset %#x", gfp,
		      pf_page_to_nid(p), S.mems);
	if (p)
		adopt(p, order, gfp & PF___GFP_BITS_MASK);
}

static void op_bulk(void)
{
	struct pf_page *arr[64];
	unsigned nr = u8() % 65;
	pf_gfp_t gfp = pick_gfp();
	unsigned prefill = u8();
	/* some slots already filled with pages we own: bulk must skip them */
	unsigned keep = 0;
	memset(arr, 0, sizeof arr);
	/*
	 * Only a leading run of slots is prefilled: when the bulk path falls
	 * back to one __alloc_pages, the return value counts the leading run
	 * plus that page and not filled slots after a hole (as 6.12 does).
	 */
	for (unsigned i = 0; i < nr && i < (prefill & 7); i++)
		if (S.nr_blocks > (int)i) {
			arr[i] = page_of(S.blocks[i].pfn);
			keep |= 1u << i;
		}
	unsigned had = (unsigned)__builtin_popcount(keep);
	struct expect e = snap();
	unsigned long got = pf_alloc_pages_bulk(S.m, gfp, nr, arr);
	expect_bad(e, 0);
	CHECK(got <= nr, "bulk of %u returned %lu", nr, got);
	CHECK(got >= had, "bulk returned %lu, below the %u prefilled slots", got, had);
	unsigned long filled = 0;
	for (unsigned i = 0; i < nr; i++) {
		if (i < 8 && ((keep >> i) & 1)) {
			CHECK(arr[i] == page_of(S.blocks[i].pfn), "bulk overwrote a filled slot %u", i);
			filled++;
			continue;
		}
		if (arr[i]) {
			adopt(arr[i], 0, 0);
			filled++;
		}
	}
	CHECK(filled == got, "bulk returned %lu but the array holds %lu pages", got, filled);
}

static void op_free(void)
{
	int idx = pick_block();
	if (idx < 0)
		return;
	struct block *b = &S.blocks[idx];
	check_block_stamp(b);
	struct pf_page *p = page_of(b->pfn);
	unsigned order = b->order;
	int last = b->refcount == 1;
	unsigned long pfn = b->pfn;
	struct expect e = snap();
	pf_free_pages(p, order);
	expect_bad(e, 0);
	model_free_ref(idx);
	/* sometimes free it again at once: a double free */
	if (last && (u8() & 3) == 0 && S.bad_ops < MAX_BAD_OPS) {
		S.op = "double free";
		S.bad_ops++;
		e = snap();
		pf_free_pages(page_of(pfn), order);
		expect_bad(e, 1);
	}
}

static void op_put(void)
{
	int idx = pick_block();
	if (idx < 0)
		return;
	struct block *b = &S.blocks[idx];
	unsigned long n = 1UL << b->order;
	/* any page of a compound block; the head of any other */
	unsigned long pfn = b->pfn + (b->compound ? u16() % n : 0);
	int last = b->refcount == 1;
	unsigned long head = b->pfn;
	struct expect e = snap();
	pf_put_page(page_of(pfn));
	expect_bad(e, 0);
	if (--b->refcount == 0)
		forget(idx);
	if (last && (u8() & 3) == 0 && S.bad_ops < MAX_BAD_OPS) {
		S.op = "put past zero";
		S.bad_ops++;
		e = snap();
		pf_put_page(page_of(head));
		expect_bad(e, 1);
	}
}

/*
 * pf_release_pages over up to 16 entries: heads of live blocks (a block as often as it has
 * references), empty slots, and now and then one reference too many (a double free: one report).
 * The model drops a reference per entry, as pf_put_page does.
 */
static void op_release(void)
{
	struct pf_page *arr[17];
	unsigned long pfns[17];
	unsigned nr = 1 + u8() % 16, n = 0;
	for (unsigned k = 0; k < nr; k++) {
		if ((u8() & 7) == 0) {
			arr[n] = NULL;
			pfns[n++] = ~0UL;
			continue;
		}
		int idx = pick_block();
		if (idx < 0)
			break;
		struct block *b = &S.blocks[idx];
		int times = 0;
		for (unsigned j = 0; j < n; j++)
			times += pfns[j] == b->pfn;
		if (times >= b->refcount)
			continue;
		arr[n] = page_of(b->pfn);
		pfns[n++] = b->pfn;
	}
	int bad = 0;
	if (n && pfns[n - 1] != ~0UL && (u8() & 7) == 0 && S.bad_ops < MAX_BAD_OPS) {
		/* the last block once more: a double free if the array drops all its references already */
		int times = 0;
		for (unsigned j = 0; j < n; j++)
			times += pfns[j] == pfns[n - 1];
		bad = times >= S.blocks[S.owner[pfns[n - 1]] - 1].refcount;
		if (bad)
			S.bad_ops++;
		arr[n] = arr[n - 1];
		pfns[n] = bad ? ~0UL : pfns[n - 1];	/* the model skips the refused one */
		n++;
	}
	struct expect e = snap();
	pf_release_pages(arr, (int)n);
	expect_bad(e, bad);
	for (unsigned j = 0; j < n; j++) {
		if (pfns[j] == ~0UL)
			continue;
		int idx = S.owner[pfns[j]] - 1;
		CHECK(idx >= 0, "pf_release_pages: pfn %#lx is not live in the model", pfns[j]);
		if (--S.blocks[idx].refcount == 0)
			forget(idx);
	}
	/* then the counts of the blocks still live (a block may appear more than once) */
	for (unsigned j = 0; j < n; j++)
		if (pfns[j] != ~0UL && S.owner[pfns[j]] > 0)
			check_count(&S.blocks[S.owner[pfns[j]] - 1]);
}

static void op_get(void)
{
	int idx = pick_block();
	if (idx < 0)
		return;
	struct block *b = &S.blocks[idx];
	if (b->refcount >= 8)
		return;
	unsigned long n = 1UL << b->order;
	unsigned long pfn = b->pfn + (b->compound ? u16() % n : 0);
	struct expect e = snap();
	pf_get_page(page_of(pfn));
	expect_bad(e, 0);
	b->refcount++;
	check_count(b);
}

static void op_wrong_order(void)
{
	int idx = pick_block();
	if (idx < 0 || S.bad_ops >= MAX_BAD_OPS)
		return;
	struct block *b = &S.blocks[idx];
	unsigned order = u8() % 16;
	if (order == b->order)
		order = (order + 1) % 16;
	S.bad_ops++;
	struct expect e = snap();
	pf_free_pages(page_of(b->pfn), order);
	expect_bad(e, 1);
	check_count(b);
	check_block_stamp(b);
}

/* A page inside a live block that is not its head: a compound tail, or any non-head page. */
static void op_tail(void)
{
	int idx = pick_block();
	if (idx < 0 || S.bad_ops >= MAX_BAD_OPS)
		return;
	struct block *b = &S.blocks[idx];
	if (!b->order)
		return;
	unsigned long n = 1UL << b->order;
	unsigned long pfn = b->pfn + 1 + u16() % (n - 1);
	unsigned how = u8() % 4;
	struct pf_page *p = page_of(pfn);
	if (b->compound && how >= 2)
		return;	/* get/put of a compound tail act on the head: valid */
	S.bad_ops++;
	struct expect e = snap();
	switch (how) {
	case 0: pf_free_pages(p, 0); break;
	case 1: pf_free_pages(p, b->order); break;
	case 2: pf_put_page(p); break;
	default: pf_get_page(p); break;
	}
	expect_bad(e, 1);
	check_count(b);
	check_block_stamp(b);
}

/* A random pfn: pfn_to_page must be consistent; a page of no live block may not be freed. */
static void op_random_pfn(void)
{
	unsigned sel = u8();
	unsigned long pfn;
	if (sel < 200)
		pfn = u16() % S.max_pfn;
	else if (sel < 230)
		pfn = S.max_pfn + u16();
	else
		pfn = ((unsigned long)u32() << 20) | u16();
	struct pf_page *p = pf_pfn_to_page(S.m, pfn);
	if (pfn >= MAX_PFN) {
		CHECK(!p, "pf_pfn_to_page(%#lx) past the memmap returned a page", pfn);
		return;
	}
	if (!p)
		return;
	CHECK(pf_page_to_pfn(p) == pfn, "page_to_pfn(pfn_to_page(%#lx)) = %#lx", pfn, pf_page_to_pfn(p));
	if (S.owner[pfn] || S.bad_ops >= MAX_BAD_OPS)
		return;
	unsigned how = u8() % 4;
	int count = pf_page_count(p);
	/* a reserved page (refcount 1, never handed out) can be got: only free/put are bad on it */
	if (count != 0 && how == 3)
		return;
	if (count != 0 && how == 2) {
		/* put_page of a compound head? only when it is not a buddy/pcp page of ours: skip */
		return;
	}
	S.bad_ops++;
	struct expect e = snap();
	switch (how) {
	case 0: pf_free_pages(p, 0); break;
	case 1: pf_free_pages(p, u8() % 16); break;
	case 2: pf_put_page(p); break;
	default: pf_get_page(p); break;
	}
	expect_bad(e, 1);
	CHECK(pf_page_count(p) == count, "bad operation on pfn %#lx changed its count %d -> %d", pfn, count,
	      pf_page_count(p));
}

static void op_sysctl(void)
{
	static const char *const names[] = { "min_free_kbytes", "watermark_scale_factor", "lowmem_reserve_ratio",
					     "percpu_pagelist_high_fraction", "watermark_boost_factor", "nosuch" };
	unsigned which = u8() % (sizeof names / sizeof names[0]);
	char val[96];
	unsigned kind = u8() % 8;
	switch (kind) {
	case 0: snprintf(val, sizeof val, "%u", u8()); break;
	case 1: snprintf(val, sizeof val, "%u", u16()); break;
	case 2: snprintf(val, sizeof val, "%u", u32()); break;
	case 3: snprintf(val, sizeof val, "-%u", u16()); break;
	case 4: snprintf(val, sizeof val, "%u %u %u %u %u", u8(), u16(), u8(), u16() % 300, u8()); break;
	case 5: snprintf(val, sizeof val, "%llu", (unsigned long long)u32() * u32() * 1000003ull); break;
	case 6: {
		/* raw bytes, NUL-terminated */
		unsigned n = u8() % 24, i;
		for (i = 0; i < n; i++)
			val[i] = (char)(u8() | 1);
		val[i] = 0;
		break;
	}
	default: snprintf(val, sizeof val, "%u\n", u16() % 4096); break;
	}
	struct expect e = snap();
	int r = pf_sysctl_set(S.m, names[which], val);
	expect_bad(e, 0);
	if (which == 5)
		CHECK(r == -ENOENT, "unknown sysctl returned %d", r);
	else
		CHECK(r == 0 || r == -EINVAL, "pf_sysctl_set(%s, \"%s\") returned %d", names[which], val, r);
	char buf[128];
	if (which != 5)
		CHECK(pf_sysctl_get(S.m, names[which], buf, sizeof buf) == 0, "pf_sysctl_get(%s)", names[which]);
}

/* ---- shrinkers and OOM tasks: pages of their own, outside the block model ---------- */

#define FZ_CACHE	64
#define FZ_TASKS	4
static struct fz_cache {
	struct pf_shrinker *s;
	struct pf_page *pages[FZ_CACHE];
	unsigned nr;
	unsigned lie;		/* 0 honest, 1 counts more, 2 SHRINK_STOP, 3 frees more than scanned, 4 scanned 0 */
	int seeks;
	bool memcg_aware;	/* registered with PF_SHRINKER_MEMCG_AWARE (its count ignores the memcg) */
	unsigned long scans;
	long freed_by_drop, kills;	/* what the input reached (FUZZ_API_VERBOSE) */
} FC;

static struct fz_task {
	struct pf_oom_task *t;
	struct pf_page *pages[16];
	unsigned nr;
	short adj;
	unsigned kills;
	unsigned seq;		/* registration order: the OOM's walk order */
} FT[FZ_TASKS];
static unsigned fz_seq;

/*
 * Pages held outside the block model are marked in the owner map, so the
 * operations that look for a free pfn (bad frees, movable on a free page)
 * leave them alone.
 */
#define FZ_FOREIGN INT32_MIN

static struct pf_page *fz_alloc(void)
{
	struct pf_page *p = pf_alloc_pages(S.m, PF_GFP_KERNEL | PF___GFP_NOWARN, 0);
	if (p) {
		unsigned long pfn = pf_page_to_pfn(p);
		CHECK(pfn < MAX_PFN && !S.owner[pfn], "a cache page at pfn %#lx, which the model holds", pfn);
		S.owner[pfn] = FZ_FOREIGN;
	}
	return p;
}

static void fz_free(struct pf_page *p)
{
	unsigned long pfn = pf_page_to_pfn(p);
	CHECK(pfn < MAX_PFN && S.owner[pfn] == FZ_FOREIGN, "freeing cache page %#lx, not marked", pfn);
	S.owner[pfn] = 0;
	pf_free_pages(p, 0);
}

static unsigned long fz_count(void *arg, struct pf_shrink_control *sc)
{
	(void)arg;
	(void)sc;
	if (FC.lie == 1)
		return FC.nr + 1000;
	return FC.nr ? FC.nr : PF_SHRINK_EMPTY;
}

static unsigned long fz_scan(void *arg, struct pf_shrink_control *sc)
{
	(void)arg;
	CHECK(sc->nr_to_scan > 0 && sc->nr_scanned == sc->nr_to_scan, "scan_objects asked for %lu, scanned %lu",
	      sc->nr_to_scan, sc->nr_scanned);
	CHECK(++FC.scans < 10000000, "a shrinker walk does not end");
	if (FC.lie == 2)
		return PF_SHRINK_STOP;
	unsigned long n = 0;
	while (n < sc->nr_to_scan && FC.nr) {
		fz_free(FC.pages[--FC.nr]);
		n++;
	}
	if (FC.lie == 4)
		sc->nr_scanned = 0;
	return FC.lie == 3 ? n + 500 : n;
}

static const struct pf_shrinker_ops fz_shrinker_ops = { fz_count, fz_scan };

static void fz_task_get_mm(void *arg, struct pf_oom_task_mm *mm)
{
	struct fz_task *t = arg;
	mm->total_vm = mm->rss_anon = t->nr;
}

static void fz_task_kill(void *arg)
{
	struct fz_task *t = arg;
	t->kills++;
	while (t->nr)
		fz_free(t->pages[--t->nr]);
}

static const struct pf_oom_task_ops fz_task_ops = { fz_task_get_mm, fz_task_kill };

static void fz_cache_teardown(void)
{
	if (FC.s)
		pf_shrinker_unregister(FC.s);
	while (FC.nr)
		fz_free(FC.pages[--FC.nr]);
	for (int i = 0; i < FZ_TASKS; i++) {
		if (FT[i].t)
			pf_oom_task_unregister(FT[i].t);
		while (FT[i].nr)
			fz_free(FT[i].pages[--FT[i].nr]);
	}
	memset(&FC, 0, sizeof FC);
	memset(FT, 0, sizeof FT);
	fz_seq = 0;
}

/* The machine's managed pages: meminfo's MemTotal in kB / 4 (totalram_pages) */
static unsigned long fz_totalram(void)
{
	char *mi = show("meminfo");
	unsigned long kb = 0;
	CHECK(sscanf(mi, "MemTotal: %lu kB", &kb) == 1, "meminfo without MemTotal");
	free(mi);
	return kb / 4;
}

static void op_shrinker_oom(unsigned what)
{
	switch (what % 6) {
	case 0:	/* (re)register the shrinker with a lie from the input, and fill its cache */
		if (FC.s)
			pf_shrinker_unregister(FC.s);
		FC.seeks = (int)(u8() % 5);
		{
			/* flags from the input: an unknown one is refused, the two known ones taken */
			unsigned fl = u8();
			unsigned flags = fl & (PF_SHRINKER_NUMA_AWARE | PF_SHRINKER_MEMCG_AWARE);
			if (fl & 1)
				CHECK(pf_shrinker_register_flags(S.m, "fuzz", &fz_shrinker_ops, NULL, FC.seeks,
								 flags | 1u) == NULL, "an unknown shrinker flag was taken");
			FC.s = pf_shrinker_register_flags(S.m, "fuzz", &fz_shrinker_ops, NULL, FC.seeks, flags);
			FC.memcg_aware = flags & PF_SHRINKER_MEMCG_AWARE;
		}
		CHECK(FC.s != NULL, "pf_shrinker_register failed");
		FC.lie = u8() % 5;
		/* fall through */
	case 1: {
		unsigned k = u8() % 32;
		while (k-- && FC.nr < FZ_CACHE) {
			struct pf_page *p = fz_alloc();
			if (!p)
				break;
			FC.pages[FC.nr++] = p;
		}
		/* the objects are some memcg's too: marked for a memcg-aware shrinker, refused otherwise */
		int i = (int)(u8() % 6), nid = (int)(u8() % 3) - 1;
		if (FC.s && nid <= 0) {
			int rc = pf_shrinker_mark_memcg(FC.s, S.memcg[i], nid);
			CHECK(rc == (FC.memcg_aware ? 0 : -EINVAL), "pf_shrinker_mark_memcg: %d", rc);
		}
		break;
	}
	case 2: {
		/*
		 * drop_caches: every walk ends; a shrinker that frees what it scans
		 * ends empty when seeks > 0 (priority 0 asks for count * 4 / seeks,
		 * at least its whole cache of at most 64); with seeks 0 the request
		 * is count / 2, below the cache and a batch, so it is only deferred
		 */
		unsigned before = FC.nr;
		FC.scans = 0;
		CHECK(pf_sysctl_set(S.m, "drop_caches", "2") == 0, "drop_caches 2 refused");
		if (FC.s && FC.seeks && (FC.lie == 0 || FC.lie == 3 || FC.lie == 4))
			CHECK(FC.nr == 0, "drop_caches left %u of %u objects of a shrinker that frees", FC.nr, before);
		FC.freed_by_drop += before - FC.nr;
		break;
	}
	case 3:
		if (FC.s) {
			pf_shrinker_unregister(FC.s);
			FC.s = NULL;
		}
		break;
	case 4: {	/* a task holding pages */
		int i = (int)(u8() % FZ_TASKS);
		struct fz_task *t = &FT[i];
		if (!t->t) {
			t->adj = (short)((int)(u16() % 2001) - 1000);
			t->t = pf_oom_task_register(S.m, "fuzz", 100 + i, t->adj, &fz_task_ops, t);
			t->seq = ++fz_seq;
			CHECK(t->t != NULL, "pf_oom_task_register failed");
		}
		unsigned k = u8() % 16;
		while (k-- && t->nr < 16) {
			struct pf_page *p = fz_alloc();
			if (!p)
				break;
			t->pages[t->nr++] = p;
		}
		break;
	}
	default: {	/* SysRq-f: the victim is the one oom_badness ranks first, a tie going to the later one */
		long per = (long)(fz_totalram() / 1000), best = LONG_MIN;
		int want = -1;
		for (int i = 0; i < FZ_TASKS; i++) {
			struct fz_task *t = &FT[i];
			if (!t->t || t->kills || t->adj == -1000)
				continue;
			long points = (long)t->nr + t->adj * per;
			if (points > best || (want >= 0 && points == best && t->seq > FT[want].seq)) {
				best = points;
				want = i;
			}
		}
		unsigned kills[FZ_TASKS];
		for (int i = 0; i < FZ_TASKS; i++)
			kills[i] = FT[i].kills;
		bool r = pf_out_of_memory(S.m);
		int got = -1;
		for (int i = 0; i < FZ_TASKS; i++)
			if (FT[i].kills != kills[i]) {
				CHECK(got < 0, "one OOM killed two tasks");
				got = i;
			}
		CHECK(r == (got >= 0), "pf_out_of_memory returned %d, killed task %d", r, got);
		CHECK(got == want, "OOM killed task %d, oom_badness ranks task %d first", got, want);
		if (got >= 0)
			CHECK(FT[got].nr == 0, "the victim still holds %u pages", FT[got].nr);
		FC.kills += got >= 0;
		break;
	}
	}
}

/* the number in each "PREFIX<n>" line of @text, summed */
static long sum_after(const char *text, const char *prefix)
{
	long n = 0;
	size_t len = strlen(prefix);
	for (const char *p = text; (p = strstr(p, prefix)); p += len)
		if (p == text || p[-1] == '\n')
			n += strtol(p + len, NULL, 10);
	return n;
}

/*
 * page_owner: one record per live block the model holds (a contiguous
 * range is one per page, or one for a __GFP_COMP range), and show_stacks'
 * page counts add up to every page held; off, the views do not exist.
 */
static void op_page_owner(void)
{
	char buf[16];
	FILE *f = fmemopen(buf, sizeof buf, "w");
	unsigned sel = u8();
	if (!S.page_owner) {
		CHECK(pf_show(S.m, sel & 1 ? "page_owner" : "page_owner_stacks", f) == -ENOENT,
		      "a page_owner view of a machine without page_owner");
		CHECK(pf_page_owner_set(S.m, "count_threshold", "1") == -ENOENT, "pf_page_owner_set without page_owner");
		fclose(f);
		return;
	}
	fclose(f);
	if (sel >= 250)
		CHECK(pf_page_owner_set(S.m, "count_threshold", sel & 1 ? "-1" : "x") == -EINVAL,
		      "pf_page_owner_set took a bad value");
	long records = S.nr_blocks, pages = 0;
	for (int i = 0; i < S.nr_blocks; i++)
		pages += 1L << S.blocks[i].order;
	/* the shrinker cache's and the OOM tasks' order-0 pages */
	long own = FC.nr;
	for (int i = 0; i < FZ_TASKS; i++)
		own += FT[i].nr;
	records += own;
	pages += own;
	for (int i = 0; i < S.nr_ranges; i++) {
		records += S.ranges[i].compound ? 1 : (long)S.ranges[i].nr;
		pages += (long)S.ranges[i].nr;
	}
	char *view = show("page_owner");
	long seen = 0;
	for (const char *p = view; (p = strstr(p, "Page allocated via order ")); p++)
		seen++;
	CHECK(seen == records, "page_owner shows %ld records, the model holds %ld blocks", seen, records);
	free(view);
	char *stacks = show("page_owner_stacks");
	long counted = sum_after(stacks, "nr_base_pages: ");
	CHECK(counted == pages, "show_stacks counts %ld pages, the model holds %ld", counted, pages);
	free(stacks);
}

/* a node list for the placement calls: good ones, nodes past the machine, and malformed text */
static const char *pick_nodelist(unsigned *mask, int *need)
{
	static const char *const lists[] = { "", "0", "1", "0-1", "1,0", " 0 - 1 ", "2", "0,2", "63", "64",
					     "1-0", "0,", "x", "-1", NULL };
	static const unsigned masks[] = { 0, 1, 2, 3, 3, 3, 4, 5, 0, 0, 0, 0, 0, 0, 0 };
	/* nodes the machine must have for the list to name only real ones (99: malformed) */
	static const int needs[] = { 0, 1, 2, 2, 2, 2, 3, 3, 64, 99, 99, 99, 99, 99, 0 };
	unsigned i = u8() % (sizeof lists / sizeof lists[0]);
	*mask = masks[i];
	*need = needs[i];
	return lists[i];
}

/* the thread's placement: cpuset, policy, interleave weights, the atomic scope */
static void op_placement(unsigned what)
{
	unsigned mask;
	int need;
	const char *list = pick_nodelist(&mask, &need);
	switch (what) {
	case 0: {
		static const int modes[] = { 0, 1, 2, 3, 4, 5, 6, 7, -1, 2 | (1 << 15), 3 | (1 << 14),
					     2 | (1 << 13), 3 | (1 << 13), 1 | (3 << 14) };
		int mode = modes[u8() % (sizeof modes / sizeof modes[0])];
		int r = pf_set_mempolicy(S.m, mode, list);
		CHECK(r == 0 || r == -EINVAL, "pf_set_mempolicy(%d, \"%s\") returned %d", mode, list ? list : "(null)", r);
		if (need == 99)
			CHECK(r == -EINVAL, "pf_set_mempolicy took the malformed list \"%s\"", list);
		int got;
		char buf[32];
		CHECK(pf_get_mempolicy(S.m, &got, buf, sizeof buf) == 0, "pf_get_mempolicy");
		if (r == 0 && (mode & 0xff) != 1)
			CHECK(got == mode, "pf_get_mempolicy gave mode %#x after setting %#x", got, mode);
		if (r == 0 && (mode & 0xff) == 1)
			CHECK((got & 0xff) == 1 || (got & 0xff) == 4, "pf_get_mempolicy gave mode %#x after PREFERRED", got);
		break;
	}
	case 1: {
		int r = pf_set_mems_allowed(S.m, list);
		CHECK(r == (need <= S.nr_nodes ? 0 : -EINVAL), "pf_set_mems_allowed(\"%s\") returned %d",
		      list ? list : "(null)", r);
		if (r == 0)
			S.mems = (mask == 0 || mask == (1u << S.nr_nodes) - 1) ? 0 : mask;
		break;
	}
	case 2: {
		int nid = (int)(u8() % 4) - 1;
		unsigned w = u16() % 300;
		int r = pf_set_interleave_weight(S.m, nid, w);
		CHECK(r == ((nid >= 0 && nid < S.nr_nodes && w <= 255) ? 0 : -EINVAL),
		      "pf_set_interleave_weight(%d, %u) returned %d", nid, w, r);
		break;
	}
	default:
		if ((u8() & 1) || !S.atomic_depth) {
			pf_enter_atomic();
			S.atomic_depth++;
		} else {
			CHECK(pf_exit_atomic() == 0, "pf_exit_atomic at depth %d", S.atomic_depth);
			S.atomic_depth--;
		}
		break;
	}
}

static void op_misc(void)
{
	unsigned sel = u8(), what = sel % 11;
	struct expect e = snap();
	if (sel >= 0xf0) {
		op_shrinker_oom(sel - 0xf0);
		expect_bad(e, 0);
		return;
	}
	switch (what) {
	case 0: pf_drain_all_pages(S.m); break;
	case 1: pf_drain_local_pages(S.m); break;
	case 2: pf_vmstat_refresh(S.m); break;
	case 3: {
		unsigned c = u8();
		int cpu = c < 250 ? (int)(c % 8) : -(int)(c - 248);	/* -2 .. -7: invalid */
		int r = pf_bind_cpu(cpu);
		CHECK(cpu >= 0 ? r == 0 : r == -EINVAL, "pf_bind_cpu(%d) returned %d", cpu, r);
		break;
	}
	case 4: {
		static const char *const views[] = { "buddyinfo", "pagetypeinfo", "zoneinfo", "vmstat",
						     "extfrag_index", "unusable_index", "kpageflags", "kpagecount" };
		free(show(views[u8() % 8]));
		break;
	}
	case 6: case 7: case 8: case 9: op_placement(what - 6); break;
	case 10: op_page_owner(); break;
	default: check_all_stamps(); break;
	}
	expect_bad(e, 0);
}

/* ---- movable pages: the owner's callbacks (the model is the owner) ------------ */

static int block_of_page(const struct pf_page *page)
{
	CHECK(pf_page_machine(page) == S.m, "a callback got page %p of another machine", (const void *)page);
	unsigned long pfn = pf_page_to_pfn(page);
	CHECK(pfn < MAX_PFN && S.owner[pfn] > 0, "a callback got pfn %#lx, which is no live block", pfn);
	int idx = S.owner[pfn] - 1;
	CHECK(S.blocks[idx].pfn == pfn, "a callback got pfn %#lx, inside block %#lx", pfn, S.blocks[idx].pfn);
	CHECK(S.blocks[idx].movable == 1, "a callback for block %#lx, which is not movable (%d)", pfn,
	      S.blocks[idx].movable);
	return idx;
}

/*
 * refuse: 0 never; 1 isolate_page always false; 2 isolate_page false every
 * other call; 3 migrate_page -EAGAIN always; 4 every other call; 5 -EBUSY
 * always; 6 -EBUSY every third call.
 */
static bool fz_isolate(struct pf_page *page, int mode)
{
	CHECK(!(mode & ~(PF_ISOLATE_ASYNC_MIGRATE | PF_ISOLATE_UNEVICTABLE)), "isolate_page mode %#x", mode);
	struct block *b = &S.blocks[block_of_page(page)];
	b->calls++;
	return !(b->refuse == 1 || (b->refuse == 2 && (b->calls & 1)));
}

static int fz_migrate(struct pf_page *dst, struct pf_page *src, int mode)
{
	CHECK(mode >= PF_MIGRATE_ASYNC && mode <= PF_MIGRATE_SYNC, "migrate_page mode %d", mode);
	int idx = block_of_page(src);
	struct block *b = &S.blocks[idx];
	b->calls++;
	if (b->refuse == 3 || (b->refuse == 4 && (b->calls & 1)))
		return -EAGAIN;
	if (b->refuse == 5 || (b->refuse == 6 && b->calls % 3 == 0))
		return -EBUSY;
	unsigned long dpfn = pf_page_to_pfn(dst), n = 1UL << b->order;
	CHECK(dpfn != ~0UL && pf_page_machine(dst) == S.m, "migrate_page: dst %p is none of the machine's",
	      (void *)dst);
	CHECK((dpfn & (n - 1)) == 0 && dpfn + n <= S.max_pfn, "migrate_page: dst pfn %#lx for an order-%u block",
	      dpfn, b->order);
	for (unsigned long i = 0; i < n; i++)
		CHECK(!S.owner[dpfn + i], "migrate_page: dst pfn %#lx overlaps a live block or range", dpfn + i);
	/* the library copied the block: the stamps must already be at dst */
	for (unsigned long i = 0; i < n; i++) {
		uint64_t w = *word0(dpfn + i);
		CHECK(w == stamp_of(b, i), "migrate_page: dst pfn %#lx page %lu has %#llx, src's stamp is %#llx", dpfn,
		      i, (unsigned long long)w, (unsigned long long)stamp_of(b, i));
	}
	CHECK(!!(dst->flags & (1UL << PF_PG_head)) == b->compound, "migrate_page: dst PG_head differs from src's");
	for (unsigned long i = 0; i < n; i++)
		S.owner[b->pfn + i] = 0;
	b->pfn = dpfn;
	set_owner(idx);
	S.migrated_pages += (long)n;
	return 0;
}

static void fz_putback(struct pf_page *page)
{
	S.blocks[block_of_page(page)].calls++;
}

static const struct pf_movable_operations fz_ops = { fz_isolate, fz_migrate, fz_putback };
static const struct pf_movable_operations fz_ops_incomplete = { fz_isolate, fz_migrate, NULL };

static long vmstat(const char *name)
{
	long v = -1;
	CHECK(pf_vmstat_get(S.m, name, &v) == 0, "pf_vmstat_get(%s) failed", name);
	return v;
}

/* Every page migration counted is a move an owner saw (the model's owner never frees an isolated page). */
static void check_migrations(void)
{
	long v = vmstat("pgmigrate_success") - S.migrated0;
	CHECK(v == S.migrated_pages, "pgmigrate_success grew by %ld, the owners saw %ld pages move", v,
	      S.migrated_pages);
}

static void make_movable(int idx, int refuse)
{
	struct block *b = &S.blocks[idx];
	struct expect e = snap();
	b->refuse = refuse;
	b->movable = 1;
	S.movable_set++;
	pf_set_page_movable(page_of(b->pfn), &fz_ops);
	expect_bad(e, 0);
}

static void op_movable(int refusing)
{
	int idx = pick_block();
	if (idx < 0)
		return;
	make_movable(idx, refusing ? 1 + (int)(u8() % 6) : 0);
}

static void op_movable_all(void)
{
	unsigned refusing = u8();
	for (int i = 0; i < S.nr_blocks; i++)
		if (S.blocks[i].movable != 1 && !S.blocks[i].lru)
			make_movable(i, (refusing & 7) == 7 ? 1 + (int)(i % 6) : 0);
}

/* Wrong pages and operations for pf_set_page_movable / pf_clear_page_movable: reported, nothing changes. */
static void op_movable_bad(void)
{
	if (S.bad_ops >= MAX_BAD_OPS)
		return;
	unsigned how = u8() % 4;
	struct expect e = snap();
	if (how == 0 || how == 1) {
		/* a tail of a live block, or a page that is no live block's */
		struct pf_page *p;
		int idx = pick_block();
		if (how == 0 && idx >= 0 && S.blocks[idx].order) {
			struct block *b = &S.blocks[idx];
			p = page_of(b->pfn + 1 + u16() % ((1UL << b->order) - 1));
		} else {
			unsigned long pfn = u16() % S.max_pfn;
			p = page_of(pfn);
			if (!p || S.owner[pfn])
				return;
		}
		S.bad_ops++;
		if (u8() & 1)
			pf_set_page_movable(p, &fz_ops);
		else
			pf_clear_page_movable(p);
		expect_bad(e, 1);
		return;
	}
	int idx = pick_block();
	if (idx < 0)
		return;
	struct block *b = &S.blocks[idx];
	S.bad_ops++;
	if (how == 2) {
		/* operations without putback_page: refused, counted, no bad page report */
		pf_set_page_movable(page_of(b->pfn), &fz_ops_incomplete);
	} else {
		if (b->movable == 1)
			return (void)S.bad_ops--;
		pf_clear_page_movable(page_of(b->pfn));	/* not movable: a line, counted */
	}
	expect_bad2(e, 0, 1);
}

static void op_clear_movable(void)
{
	int idx = pick_block();
	if (idx < 0 || S.blocks[idx].movable != 1)
		return;
	struct expect e = snap();
	pf_clear_page_movable(page_of(S.blocks[idx].pfn));
	expect_bad(e, 0);
	S.blocks[idx].movable = 2;
}

static void op_compact(void)
{
	unsigned sel = u8();
	struct expect e = snap();
	char val[16];
	int r;
	switch (sel % 4) {
	case 0:
		snprintf(val, sizeof val, "%u", u8() % 110);
		r = pf_sysctl_set(S.m, "compaction_proactiveness", val);
		CHECK(r == 0 || r == -EINVAL, "compaction_proactiveness %s: %d", val, r);
		break;
	case 1:
		snprintf(val, sizeof val, "%u", u16() % 1100);
		r = pf_sysctl_set(S.m, "extfrag_threshold", val);
		CHECK(r == 0 || r == -EINVAL, "extfrag_threshold %s: %d", val, r);
		break;
	default:
		snprintf(val, sizeof val, "%u", (sel & 0x80) ? u8() % 3 : 1);
		r = pf_sysctl_set(S.m, "compact_memory", val);
		CHECK(strcmp(val, "1") == 0 ? r == 0 : r == -EINVAL, "compact_memory %s: %d", val, r);
		break;
	}
	expect_bad(e, 0);
}

static void op_kcompactd(void)
{
	unsigned sel = u8();
	int nid = sel < 240 ? (int)(sel % 2) : (int)(sel - 240) - 4;
	struct expect e = snap();
	unsigned n = 1 + u8() % 4;
	for (unsigned i = 0; i < n; i++) {
		int r = pf_kcompactd_run(S.m, nid);
		if (nid >= 0 && nid < S.nr_nodes)
			CHECK(r >= PF_KCOMPACTD_IDLE && r <= PF_KCOMPACTD_PROACTIVE, "pf_kcompactd_run(%d): %d", nid, r);
		else
			CHECK(r == -EINVAL, "pf_kcompactd_run(%d) of no node: %d", nid, r);
	}
	expect_bad(e, 0);
}

/* ---- contiguous ranges ---------------------------------------------------------- */

static void adopt_range(struct pf_page *page, unsigned long nr, int compound, int cma, pf_gfp_t gfp)
{
	unsigned long pfn = pf_page_to_pfn(page);
	CHECK(pfn != ~0UL && pfn + nr <= S.max_pfn, "contiguous range at %#lx + %lu is not the machine's", pfn, nr);
	for (unsigned long i = 0; i < nr; i++) {
		CHECK(!S.owner[pfn + i], "contiguous range [%#lx, +%lu) holds pfn %#lx of a live block or range", pfn,
		      nr, pfn + i);
		struct pf_page *p = page_of(pfn + i);
		CHECK(pf_page_count(p) == 1 || (compound && i), "contiguous page %#lx has count %d", pfn + i,
		      pf_page_count(p));
		CHECK(!!(p->flags & (1UL << PF_PG_head)) == (compound && i == 0), "contiguous page %#lx: PG_head", pfn + i);
		if (gfp & PF___GFP_ZERO)
			CHECK(*word0(pfn + i) == 0, "contiguous page %#lx with __GFP_ZERO is not zero", pfn + i);
	}
	if (S.nr_ranges >= MAX_RANGES) {
		/* the table is full: give it back at once */
		struct expect e = snap();
		if (cma >= 0)
			CHECK(pf_cma_release(S.m, cma, page, nr), "pf_cma_release of a fresh range refused");
		else
			pf_free_contig_range(S.m, pfn, nr);
		expect_bad(e, 0);
		return;
	}
	if (cma >= 0)
		S.cma_taken++;
	else
		S.ranges_taken++;
	struct range *r = &S.ranges[S.nr_ranges++];
	r->pfn = pfn;
	r->nr = nr;
	r->compound = compound;
	r->cma = cma;
	r->stamp = ++S.gen * 0xA24BAED4963EE407ull;
	for (unsigned long i = 0; i < nr; i++) {
		S.owner[pfn + i] = -S.nr_ranges;
		*word0(pfn + i) = stamp_at(r->stamp, i);
	}
}

static void check_range(const struct range *r)
{
	for (unsigned long i = 0; i < r->nr; i++) {
		uint64_t w = *word0(r->pfn + i);
		CHECK(w == stamp_at(r->stamp, i), "range [%#lx, +%lu): page %lu lost its stamp", r->pfn, r->nr, i);
		CHECK(S.owner[r->pfn + i] == -(int)(r - S.ranges) - 1, "range [%#lx, +%lu): owner map", r->pfn, r->nr);
	}
}

static void forget_range(int ri)
{
	struct range *r = &S.ranges[ri];
	for (unsigned long i = 0; i < r->nr; i++)
		S.owner[r->pfn + i] = 0;
	S.nr_ranges--;
	if (ri != S.nr_ranges) {
		S.ranges[ri] = S.ranges[S.nr_ranges];
		r = &S.ranges[ri];
		for (unsigned long i = 0; i < r->nr; i++)
			S.owner[r->pfn + i] = -(ri + 1);
	}
}

/* Give back range @ri whole. */
static void free_range(int ri, unsigned how)
{
	struct range *r = &S.ranges[ri];
	check_range(r);
	struct expect e = snap();
	if (r->cma >= 0) {
		CHECK(pf_cma_release(S.m, r->cma, page_of(r->pfn), r->nr), "pf_cma_release of [%#lx, +%lu) refused",
		      r->pfn, r->nr);
	} else if (how & 1) {
		/* page by page */
		if (r->compound)
			pf_put_page(page_of(r->pfn + u16() % r->nr));
		else
			for (unsigned long i = 0; i < r->nr; i++)
				pf_free_pages(page_of(r->pfn + i), 0);
	} else {
		pf_free_contig_range(S.m, r->pfn, r->nr);
	}
	expect_bad(e, 0);
	forget_range(ri);
}

static void contig_result(int rc, unsigned long start, unsigned long end, pf_gfp_t gfp)
{
	CHECK(rc == 0 || rc == -EBUSY || rc == -ENOMEM || rc == -EINVAL, "pf_alloc_contig_range [%#lx, %#lx): %d",
	      start, end, rc);
	if (start >= end)
		CHECK(rc == -EINVAL, "pf_alloc_contig_range of a bad range [%#lx, %#lx): %d", start, end, rc);
	/* past the memory: -EINVAL, or -EBUSY for pfns in the memmap of its last section (reserved pages) */
	if (end > S.max_pfn)
		CHECK(rc == -EINVAL || rc == -EBUSY, "pf_alloc_contig_range past the memory [%#lx, %#lx): %d", start,
		      end, rc);
	if (rc)
		return;
	adopt_range(page_of(start), end - start, !!(gfp & PF___GFP_COMP), -1, gfp);
}

static pf_gfp_t pick_contig_gfp(void)
{
	unsigned sel = u8();
	static const pf_gfp_t g[] = { PF_GFP_KERNEL, PF_GFP_KERNEL | PF___GFP_NOWARN, PF_GFP_KERNEL | PF___GFP_ZERO,
				      PF_GFP_KERNEL | PF___GFP_RETRY_MAYFAIL, PF_GFP_HIGHUSER_MOVABLE, PF_GFP_DMA32 | PF_GFP_KERNEL };
	if (sel < 240)
		return g[sel % 6] | PF___GFP_NOWARN;
	return u32() & PF___GFP_BITS_MASK;	/* anything: mostly refused */
}

static void op_contig_range(int near_block)
{
	unsigned sel = u8();
	unsigned long start, end;
	pf_gfp_t gfp = pick_contig_gfp() & ~PF___GFP_COMP;
	int idx;
	if (near_block && (idx = pick_block()) >= 0) {
		/* over a live (movable or not) block and a few pages around it */
		struct block *b = &S.blocks[idx];
		start = b->pfn - (b->pfn < 8 ? b->pfn : sel % 8);
		end = b->pfn + (1UL << b->order) + (sel >> 3) % 8;
	} else if (sel < 160) {
		start = u16() % S.max_pfn;
		end = start + 1 + u16() % 1100;
	} else if (sel < 220) {
		/* 2^k at a 2^k boundary, as one compound page */
		unsigned k = u8() % 11;
		start = (u16() % S.max_pfn) & ~((1UL << k) - 1);
		end = start + (1UL << k);
		if (sel & 1)
			gfp |= PF___GFP_COMP;
	} else {
		/* bad: empty, backwards, past memory, huge */
		start = u16();
		end = sel < 235 ? start : sel < 245 ? start - 1 - u8() : S.max_pfn + u16();
		if (sel == 255)
			end = ~0UL;
	}
	struct expect e = snap();
	int rc = pf_alloc_contig_range(S.m, start, end, gfp);
	expect_bad(e, 0);
	contig_result(rc, start, end, gfp);
}

static void op_contig_pages(void)
{
	unsigned sel = u8();
	unsigned long nr = sel < 200 ? 1 + u16() % 1100 : sel < 250 ? 1UL << (u8() % 13) : sel == 250 ? 0 : u32();
	pf_gfp_t gfp = pick_contig_gfp();
	unsigned ns = u8();
	int nid = ns < 240 ? -1 : (int)(ns - 240) - 4;
	struct expect e = snap();
	struct pf_page *p = pf_alloc_contig_pages(S.m, nr, gfp, nid);
	expect_bad(e, 0);
	if (!nr)
		CHECK(!p, "pf_alloc_contig_pages(0) returned a page");
	if (p)
		adopt_range(p, nr, !!(gfp & PF___GFP_COMP) && nr > 1 && !(nr & (nr - 1)), -1, gfp);
}

static void op_free_range(void)
{
	if (!S.nr_ranges)
		return;
	int ri = (int)(u8() % (unsigned)S.nr_ranges);
	free_range(ri, u8());
}

/* Bad frees of contiguous ranges: reported (or a line), nothing freed. */
static void op_free_range_bad(void)
{
	if (!S.nr_ranges || S.bad_ops >= MAX_BAD_OPS)
		return;
	struct range *r = &S.ranges[u8() % (unsigned)S.nr_ranges];
	unsigned how = u8() % 4;
	struct expect e = snap();
	switch (how) {
	case 0: {
		/* one page more, which is free or not handed out: a bad page */
		unsigned long next = r->pfn + r->nr;
		if (r->compound || next >= S.max_pfn || S.owner[next] || !page_of(next))
			return;
		if (r->cma >= 0) {
			/* refused by the area's bitmap or its end: a line, not counted */
			CHECK(!pf_cma_release(S.m, r->cma, page_of(r->pfn), r->nr + 1), "pf_cma_release of one page more");
			expect_bad(e, 0);
		} else {
			S.bad_ops++;
			pf_free_contig_range(S.m, r->pfn, r->nr + 1);
			expect_bad(e, 1);
		}
		break;
	}
	case 1:
		/* past the machine's memmap (its last 128 MiB section ends at MAX_PFN): a line */
		pf_free_contig_range(S.m, MAX_PFN + u16(), 1 + u8());
		expect_bad(e, 0);
		break;
	case 2:
		if (r->compound) {
			/* a compound page of another size: a warning */
			pf_free_contig_range(S.m, r->pfn, r->nr * 2);
			expect_bad(e, 0);
		} else if (r->cma < 0) {
			/* a contiguous range is not the CMA area's */
			for (int a = 0; a < S.nr_cma; a++)
				CHECK(!pf_cma_release(S.m, a, page_of(r->pfn), r->nr), "pf_cma_release of a non-CMA range");
			CHECK(!pf_cma_release(S.m, S.nr_cma + (int)(u8() % 3), page_of(r->pfn), r->nr),
			      "pf_cma_release of no area");
			expect_bad(e, 0);
		}
		break;
	default: {
		/* the range, then the same range again: a double free (for CMA: a bitmap refusal, a line) */
		unsigned long pfn = r->pfn, nr = r->nr;
		int cma = r->cma;
		free_range((int)(r - S.ranges), 0);
		e = snap();
		if (cma >= 0) {
			CHECK(!pf_cma_release(S.m, cma, page_of(pfn), nr), "pf_cma_release twice");
			expect_bad(e, 0);
		} else {
			S.bad_ops++;
			pf_free_contig_range(S.m, pfn, nr);
			expect_bad(e, 1);
		}
		break;
	}
	}
	check_all_stamps();
}

static void op_cma_alloc(void)
{
	unsigned sel = u8();
	int area = sel < 240 ? (S.nr_cma ? (int)(sel % (unsigned)S.nr_cma) : 0) : (int)(sel - 240) - 8;
	unsigned long count = 1 + u16() % 1200;
	unsigned align = u8();
	align = align < 200 ? align % 10 : align < 250 ? align % 64 : align;
	if (u8() == 255)
		count = 0;
	struct expect e = snap();
	struct pf_page *p = pf_cma_alloc(S.m, area, count, align, true);
	expect_bad(e, 0);
	if (area < 0 || area >= S.nr_cma || !count || align >= 64) {
		CHECK(!p, "pf_cma_alloc(area %d, %lu, align %u) of a bad request returned a page", area, count, align);
		return;
	}
	if (!p)
		return;
	unsigned long base, size, pfn = pf_page_to_pfn(p);
	CHECK(pf_cma_area(S.m, area, &base, &size) == 0, "pf_cma_area(%d)", area);
	CHECK(pfn >= base && pfn + count <= base + size, "pf_cma_alloc: [%#lx, +%lu) outside area %d", pfn, count, area);
	CHECK(((pfn - base) & ((1UL << align) - 1)) == 0 || align > 9, "pf_cma_alloc: pfn %#lx not at 2^%u", pfn, align);
	adopt_range(p, count, 0, area, 0);
}

/* ---- memory cgroups ------------------------------------------------------------- */

#define NR_FUZZ_MEMCGS 6

/* the value of memory.stat's "kernel" line of a memcg (its subtree's charged kmem pages, in bytes) */
static unsigned long long memcg_kernel(struct pf_memcg *cg)
{
	char *buf = NULL, *k;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	CHECK(f, "open_memstream");
	CHECK(pf_memcg_show(cg, "memory.stat", f) == 0, "memory.stat of a live memcg");
	fclose(f);
	k = strstr(buf, "\nkernel ");
	CHECK(k, "memory.stat without a kernel line:\n%s", buf);
	unsigned long long v = strtoull(k + 8, NULL, 10);
	free(buf);
	return v;
}

static int memcg_has_children(int i)
{
	for (int j = 0; j < NR_FUZZ_MEMCGS; j++)
		if (S.memcg[j] && S.memcg_parent[j] == i)
			return 1;
	return 0;
}

/*
 * Memcgs made, written, read, attached and destroyed at random; the thread's
 * allocations (op_alloc's gfps include __GFP_ACCOUNT often) charge the
 * attached one.  memory.high only ever gets "max" or 1G: above it the
 * allocating thread would sleep for real.  Checked: the set and show
 * results, a subtree's kernel stat at least each child's, and at teardown
 * every charge back (memcg_teardown).
 */
static void op_memcg(void)
{
	static const char *const files[] = { "memory.max", "memory.low", "memory.min", "memory.oom.group",
					     "memory.current", "memory.stat", "memory.nope", "memory.high" };
	static const char *const values[] = { "max", "0", "4K", "64K", "1M", "16M", "1", "abc", "", "-1", "2",
					       "0x10000", "12k\n" };
	unsigned sel = u8();
	int i = (int)(u8() % NR_FUZZ_MEMCGS);
	struct pf_memcg *cg = S.memcg[i];

	S.memcg_ops++;
	switch (sel % 6) {
	case 0: {
		if (cg)
			break;
		int p = (int)(u8() % (NR_FUZZ_MEMCGS + 1));
		struct pf_memcg *parent = p < NR_FUZZ_MEMCGS ? S.memcg[p] : NULL;
		S.memcg[i] = pf_memcg_create(S.m, parent, (sel & 0x80) ? "f" : "fuzz");
		S.memcg_parent[i] = parent ? p : -1;
		CHECK(S.memcg[i], "pf_memcg_create failed");
		break;
	}
	case 1: {
		if (!cg)
			break;
		unsigned f = u8() % (sizeof files / sizeof files[0]);
		const char *v = values[u8() % (sizeof values / sizeof values[0])];
		if (f == 7)
			v = (sel & 0x40) ? "max" : "1G";
		int rc = pf_memcg_set(cg, files[f], v);
		int bad_file = f >= 4 && f != 7;
		int bad_value = f == 3 ? strcmp(v, "0") && strcmp(v, "1")
				       : !strcmp(v, "abc") || !*v || !strcmp(v, "-1");
		CHECK(rc == ((bad_file || bad_value) ? -EINVAL : 0), "pf_memcg_set(%s, '%s') = %d", files[f], v, rc);
		break;
	}
	case 2: {
		if (!cg)
			break;
		static const char *const shown[] = { "memory.current", "memory.max", "memory.events", "memory.stat",
						     "memory.numa_stat", "memory.events.local", "memory.peak", "x" };
		unsigned f = u8() % 8;
		FILE *null = fopen("/dev/null", "w");
		CHECK(null, "/dev/null");
		int rc = pf_memcg_show(cg, shown[f], null);
		fclose(null);
		CHECK(rc == (f == 7 ? -EINVAL : 0), "pf_memcg_show(%s) = %d", shown[f], rc);
		break;
	}
	case 3:
		pf_memcg_attach((sel & 0x40) ? NULL : cg);
		break;
	case 4:
		if (!cg)
			break;
		pf_memcg_destroy(cg);	/* refused while it has children */
		if (!memcg_has_children(i))
			S.memcg[i] = NULL;
		break;
	default:
		for (int j = 0; j < NR_FUZZ_MEMCGS; j++) {
			int p = S.memcg_parent[j];
			if (S.memcg[j] && p >= 0 && S.memcg[p])
				CHECK(memcg_kernel(S.memcg[p]) >= memcg_kernel(S.memcg[j]),
				      "a parent's kernel stat below its child's");
		}
		break;
	}
}

/* after free_everything: nothing charged anywhere; then every memcg goes, children first */
static void memcg_teardown(void)
{
	pf_memcg_attach(NULL);
	for (int j = 0; j < NR_FUZZ_MEMCGS; j++)
		if (S.memcg[j])
			CHECK(memcg_kernel(S.memcg[j]) == 0, "memcg %d still has %llu bytes of kmem charged after every free",
			      j, memcg_kernel(S.memcg[j]));
	for (int left = 1; left;) {
		left = 0;
		for (int j = 0; j < NR_FUZZ_MEMCGS; j++) {
			if (!S.memcg[j])
				continue;
			if (memcg_has_children(j)) {
				left = 1;
				continue;
			}
			pf_memcg_destroy(S.memcg[j]);
			S.memcg[j] = NULL;
		}
	}
}

/* ---- LRU pages: the model is their owner too ------------------------------------ */

static int lru_block_of(const struct pf_page *page)
{
	CHECK(pf_page_machine(page) == S.m, "an LRU callback got page %p of another machine", (const void *)page);
	unsigned long pfn = pf_page_to_pfn(page);
	CHECK(pfn < MAX_PFN && S.owner[pfn] > 0, "an LRU callback got pfn %#lx, which is no live block", pfn);
	int idx = S.owner[pfn] - 1;
	CHECK(S.blocks[idx].pfn == pfn && S.blocks[idx].lru, "an LRU callback for pfn %#lx, which is no LRU block", pfn);
	return idx;
}

/* refuse: bit 0 release_folio / try_to_unmap say no, bit 1 writepage fails */
static bool fz_release(struct pf_address_space *mapping, struct pf_page *page, unsigned long shadow)
{
	(void)mapping;
	int idx = lru_block_of(page);
	struct block *b = &S.blocks[idx];
	CHECK(b->lru == PF_LRU_FILE + 1, "release_folio for anonymous block %#lx", b->pfn);
	CHECK(shadow & 1, "release_folio's shadow %#lx is not a value entry", shadow);
	if (b->refuse & 1)
		return false;
	check_block_stamp(b);
	if (S.nr_shadows < 16)
		S.shadows[S.nr_shadows++] = shadow;
	S.lru_reclaimed++;
	forget(idx);
	return true;
}

static int fz_writepage(struct pf_address_space *mapping, struct pf_page *page)
{
	(void)mapping;
	struct block *b = &S.blocks[lru_block_of(page)];
	CHECK(b->lru == PF_LRU_FILE + 1, "writepage for anonymous block %#lx", b->pfn);
	return (b->refuse & 2) ? -EIO : 0;
}

static bool fz_unmap(struct pf_address_space *mapping, struct pf_page *page, unsigned long entry)
{
	(void)mapping;
	int idx = lru_block_of(page);
	struct block *b = &S.blocks[idx];
	CHECK(b->lru == PF_LRU_ANON + 1, "try_to_unmap for file block %#lx", b->pfn);
	CHECK(entry != 0, "try_to_unmap with swap entry 0");
	for (int i = 0; i < S.nr_swapped; i++)
		CHECK(S.swapped[i].entry != entry, "swap entry %#lx handed out twice", entry);
	if ((b->refuse & 1) || S.nr_swapped >= MAX_SWAPPED)
		return false;
	check_block_stamp(b);
	S.swapped[S.nr_swapped].entry = entry;
	S.swapped[S.nr_swapped].stamp = b->stamp;
	S.nr_swapped++;
	S.lru_reclaimed++;
	forget(idx);
	return true;
}

static const struct pf_address_space_operations fz_a_ops = { fz_release, fz_writepage, fz_unmap };
static struct pf_address_space fz_as = { &fz_a_ops, NULL };

static int pick_lru_block(void)
{
	if (!S.nr_blocks)
		return -1;
	int idx = (int)(u16() % (unsigned)S.nr_blocks);
	return S.blocks[idx].lru ? idx : -1;
}

static void lru_add(void)
{
	unsigned sel = u8();
	int idx = S.nr_blocks ? (int)(u16() % (unsigned)S.nr_blocks) : -1;
	if (idx < 0)
		return;
	struct block *b = &S.blocks[idx];
	int type = sel & 1 ? PF_LRU_ANON : PF_LRU_FILE;
	struct pf_page *p = page_of(b->pfn);
	struct expect e = snap();
	if (b->order || b->compound) {
		/* the LRU holds order-0 pages: a bad page report */
		if (S.bad_ops >= MAX_BAD_OPS)
			return;
		S.bad_ops++;
		CHECK(pf_lru_cache_add(p, &fz_as, type) == -EINVAL, "pf_lru_cache_add of an order-%u block", b->order);
		expect_bad(e, 1);
		return;
	}
	if (b->lru || b->movable) {
		/* in use already: refused, no report */
		int rc = pf_lru_cache_add(p, &fz_as, type);
		CHECK(rc == -EBUSY, "pf_lru_cache_add of a block in use (lru %d, movable %d): %d", b->lru, b->movable, rc);
		expect_bad(e, 0);
		return;
	}
	if ((sel & 6) == 6 && S.nr_shadows)
		pf_workingset_refault(p, type, S.shadows[--S.nr_shadows]);
	CHECK(pf_lru_cache_add(p, &fz_as, type) == 0, "pf_lru_cache_add of block %#lx", b->pfn);
	expect_bad(e, 0);
	b->lru = type + 1;
	b->refuse = (sel >> 3) & 3;
	S.lru_added++;
}

static void lru_use(void)
{
	int idx = pick_lru_block();
	if (idx < 0)
		return;
	struct block *b = &S.blocks[idx];
	struct pf_page *p = page_of(b->pfn);
	struct expect e = snap();
	bool file = b->lru == PF_LRU_FILE + 1, was = pf_PageDirty(p);
	switch (u8() % 4) {
	case 0: case 1: pf_mark_page_accessed(p); break;
	case 2: CHECK(pf_set_page_dirty(p) == (file && !was), "pf_set_page_dirty of %#lx", b->pfn); break;
	default: CHECK(pf_clear_page_dirty(p) == (file && was), "pf_clear_page_dirty of %#lx", b->pfn); break;
	}
	expect_bad(e, 0);
	check_block_stamp(b);
}

static void lru_remove(void)
{
	int idx = pick_lru_block();
	if (idx < 0)
		return;
	struct block *b = &S.blocks[idx];
	struct pf_page *p = page_of(b->pfn);
	struct expect e = snap();
	if ((u8() & 7) == 0 && b->refcount == 1 && S.bad_ops < MAX_BAD_OPS) {
		/* freed while still on the LRU: the free check's bad page, nothing changes */
		S.bad_ops++;
		pf_free_pages(p, 0);
		expect_bad(e, 1);
		CHECK(pf_page_count(p) == b->refcount, "a refused free of LRU block %#lx changed its count", b->pfn);
		e = snap();
	}
	CHECK(pf_lru_del(p) == 0, "pf_lru_del of LRU block %#lx", b->pfn);
	expect_bad(e, 0);
	b->lru = 0;
	b->refuse = 0;
	CHECK(!pf_PageLRU(p) && !pf_PageActive(p) && !pf_PageDirty(p), "pf_lru_del left LRU flags on %#lx", b->pfn);
}

static void lru_reclaim(void)
{
	unsigned sel = u8();
	static const pf_gfp_t g[] = { PF_GFP_KERNEL, PF_GFP_NOFS, PF_GFP_NOIO, PF_GFP_HIGHUSER_MOVABLE };
	struct expect e = snap();
	long before = S.lru_reclaimed;
	unsigned long n = pf_try_to_free_pages(S.m, g[sel % 4], (sel >> 2) % 4, (int)((sel >> 4) % 3) - 1);
	expect_bad(e, 0);
	CHECK((long)n <= S.lru_reclaimed - before + 1, "pf_try_to_free_pages returned %lu, owners let go of %ld", n,
	      S.lru_reclaimed - before);
	if (sel >= 0xf0) {
		e = snap();
		for (int nid = 0; nid < S.nr_nodes; nid++)
			CHECK(pf_kswapd_run(S.m, nid) >= 0, "pf_kswapd_run(%d)", nid);
		expect_bad(e, 0);
	}
}

static void lru_swapin(void)
{
	if (!S.nr_swapped || S.nr_blocks >= MAX_BLOCKS)
		return;
	int i = (int)(u8() % (unsigned)S.nr_swapped);
	unsigned sel = u8();
	unsigned long entry = S.swapped[i].entry;
	uint64_t stamp = S.swapped[i].stamp;
	struct expect e = snap();
	if (sel & 1) {
		CHECK(pf_swap_free(S.m, entry) == 0, "pf_swap_free(%#lx)", entry);
	} else {
		struct pf_page *p = pf_swap_readpage(S.m, entry, PF_GFP_HIGHUSER_MOVABLE | PF___GFP_NOWARN,
						     (sel & 2) ? &fz_as : NULL, 0);
		expect_bad(e, 0);
		if (!p)
			return;	/* no memory: still in swap */
		uint64_t *w = pf_page_address(p);
		CHECK(*w == stamp_at(stamp, 0), "swapped-in pfn %#lx lost its stamp (%#llx, want %#llx)",
		      pf_page_to_pfn(p), (unsigned long long)*w, (unsigned long long)stamp_at(stamp, 0));
		S.no_zero_check = 1;
		adopt(p, 0, 0);
		S.no_zero_check = 0;
		S.swapped_in++;
		if (sel & 2)
			S.blocks[S.nr_blocks - 1].lru = PF_LRU_ANON + 1;
	}
	expect_bad(e, 0);
	S.swapped[i] = S.swapped[--S.nr_swapped];
	/* the entry is gone now: a second use is refused and counted (not a bad page report) */
	if ((sel & 0xf0) == 0xf0 && S.bad_ops < MAX_BAD_OPS) {
		S.bad_ops++;
		e = snap();
		CHECK(pf_swap_free(S.m, entry) == -EINVAL, "pf_swap_free of a used-up entry");
		expect_bad2(e, 0, 1);
	}
}

static void op_lru(void)
{
	switch (u8() % 8) {
	case 0: case 1: S.op = "lru add"; lru_add(); break;
	case 2: case 3: S.op = "lru use"; lru_use(); break;
	case 4: S.op = "lru del"; lru_remove(); break;
	case 5: case 6: S.op = "reclaim"; lru_reclaim(); break;
	default: S.op = "swap in"; lru_swapin(); break;
	}
}

static void check_step(void)
{
	char err[256];
	err[0] = 0;
	if (pf_check(S.m, err, sizeof err) != 0)
		die("pf_check: %s", err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	memset(&S, 0, sizeof S);
	S.in = data;
	S.len = size;
	unsigned which = u8() % NR_MACHINES;
	S.m = pf_machine_create(machines[which], err, sizeof err);
	CHECK(S.m, "pf_machine_create: %s", err);
	S.init_on_alloc = which == 2;
	S.page_owner = which == 3;
	S.max_pfn = 0x4000;
	S.nr_nodes = which == 1 ? 2 : 1;
	unsigned long cbase, csize;
	while (pf_cma_area(S.m, S.nr_cma, &cbase, &csize) == 0)
		S.nr_cma++;
	S.migrated0 = vmstat("pgmigrate_success");
	pf_set_report_hook(S.m, hook, NULL);
	pf_bind_cpu(0);
	char *boot_buddyinfo = show("buddyinfo");
	long boot_bad = bad_pages();
	check_step();

	for (S.step = 0; S.step < MAX_STEPS && S.pos < S.len; S.step++) {
		unsigned op = u8();
		if (op >= 0xc0) {
			switch ((op - 0xc0) % 16) {
			case 0: S.op = "movable"; op_movable(0); break;
			case 1: S.op = "movable, refusing"; op_movable(1); break;
			case 2: S.op = "movable, bad"; op_movable_bad(); break;
			case 3: S.op = "clear movable"; op_clear_movable(); break;
			case 4: S.op = "compact"; op_compact(); break;
			case 5: S.op = "kcompactd"; op_kcompactd(); break;
			case 6: case 7: S.op = "contig range"; op_contig_range(0); break;
			case 8: S.op = "contig range over a block"; op_contig_range(1); break;
			case 9: S.op = "contig pages"; op_contig_pages(); break;
			case 10: case 11: S.op = "free range"; op_free_range(); break;
			case 12: S.op = "cma alloc"; op_cma_alloc(); break;
			case 13: S.op = "free range, bad"; op_free_range_bad(); break;
			case 14: S.op = "movable, all"; op_movable_all(); break;
			default: S.op = "memcg"; op_memcg(); break;
			}
			check_step();
			check_migrations();
			if ((S.step & 15) == 15)
				check_all_stamps();
			continue;
		}
		switch (op % 16) {
		case 0: case 1: case 2: S.op = "alloc"; op_alloc(0); break;
		case 3: S.op = "alloc_node"; op_alloc(1); break;
		case 4: S.op = "bulk"; op_bulk(); break;
		case 5: case 6: case 7: S.op = "free"; op_free(); break;
		case 8:
			if (u8() & 1) {
				S.op = "put";
				op_put();
			} else {
				S.op = "release";
				op_release();
			}
			break;
		case 9: S.op = "get"; op_get(); break;
		case 10: S.op = "wrong order"; op_wrong_order(); break;
		case 11: S.op = "tail"; op_tail(); break;
		case 12: S.op = "random pfn"; op_random_pfn(); break;
		case 13: S.op = "sysctl"; op_sysctl(); break;
		case 15: op_lru(); break;
		default: S.op = "misc"; op_misc(); break;
		}
		check_step();
		if ((S.step & 15) == 15)
			check_all_stamps();
	}

	S.op = "teardown";
	check_all_stamps();
	check_migrations();
	if (getenv("FUZZ_API_VERBOSE"))
		fprintf(stderr, "fuzz_api: machine %u, %d steps: %ld made movable, %ld pages migrated, %ld ranges and %ld CMA "
			"ranges taken, %ld LRU pages added, %ld reclaimed, %ld swapped in, %d bad operations, %ld memcg "
			"operations\n", which, S.step, S.movable_set, S.migrated_pages, S.ranges_taken, S.cma_taken,
			S.lru_added, S.lru_reclaimed, S.swapped_in, S.bad_ops, S.memcg_ops);
	if (getenv("FUZZ_API_VERBOSE"))
		fprintf(stderr, "fuzz_api: %ld cache objects dropped, %ld OOM kills\n", FC.freed_by_drop, FC.kills);
	fz_cache_teardown();
	pf_set_mempolicy(S.m, 0, NULL);
	pf_set_mems_allowed(S.m, NULL);
	while (S.atomic_depth-- > 0)
		pf_exit_atomic();
	free_everything();
	while (S.nr_swapped)
		CHECK(pf_swap_free(S.m, S.swapped[--S.nr_swapped].entry) == 0, "pf_swap_free at teardown");
	unsigned long swap_total, swap_free;
	pf_swap_info(S.m, &swap_total, &swap_free);
	CHECK(swap_total == swap_free, "swap slots lost: %lu of %lu free", swap_free, swap_total);
	CHECK(vmstat("nr_inactive_file") + vmstat("nr_active_file") + vmstat("nr_inactive_anon") +
	      vmstat("nr_active_anon") == 0, "LRU pages left after freeing every block");
	while (S.nr_ranges)
		free_range(S.nr_ranges - 1, 0);
	memcg_teardown();
	pf_drain_all_pages(S.m);
	check_step();
	char *end_buddyinfo = show("buddyinfo");
	if (strcmp(boot_buddyinfo, end_buddyinfo) != 0)
		die("buddyinfo after freeing everything differs from boot:\n--- boot\n%s--- end\n%s", boot_buddyinfo,
		    end_buddyinfo);
	CHECK(bad_pages() - boot_bad == S.bad_ops, "pageframe_bad_pages grew by %ld for %d bad operations",
	      bad_pages() - boot_bad, S.bad_ops);
	free(boot_buddyinfo);
	free(end_buddyinfo);
	pf_bind_cpu(-1);
	pf_machine_destroy(S.m);
	S.m = NULL;
	return 0;
}
