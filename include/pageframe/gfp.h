/* SPDX-License-Identifier: MIT */
/*
 * pageframe/gfp.h - get-free-pages flags with the kernel's bit values.
 *
 * Mirrors include/linux/gfp_types.h of Linux 6.12 (x86-64, CONFIG_LOCKDEP,
 * CONFIG_KASAN_HW_TAGS off, CONFIG_MEMCG and so CONFIG_SLAB_OBJ_EXT on).
 *
 * Three layers, built one on the other as the kernel builds them:
 *
 *   1. Bit numbers, PF____GFP_x_BIT (the kernel's ___GFP_x_BIT): an enum
 *      that only fixes where each flag lives.  Nobody passes these.
 *   2. Modifiers, PF___GFP_x (the kernel's __GFP_x): one bit each, of type
 *      pf_gfp_t.  Each answers one question about a request - which zone,
 *      which mobility, how far into the reserves, may it sleep, may it do
 *      I/O, what to do on failure - and callers add or remove them on top
 *      of a composite.
 *   3. Composites, PF_GFP_x (the kernel's GFP_x): the usual answers to all
 *      of those questions at once, for one kind of caller.  Start from the
 *      composite that describes the calling context and adjust with
 *      modifiers; the block before their definitions says what each is for.
 *
 * PF_GFP_ZERO, PF_GFP_COMP, ... at the end are short public spellings of
 * single modifiers, not composites.  <pageframe/linux.h> maps the kernel's
 * own spellings (GFP_KERNEL, __GFP_ZERO, ...) onto these.
 *
 * Glossary
 *   zone modifier    DMA, HIGHMEM, DMA32, MOVABLE: choose the highest zone
 *                    an allocation may come from (gfp_zone()).
 *   mobility         MOVABLE / RECLAIMABLE: choose the migratetype, the free
 *                    list a page comes from (gfp_migratetype()).
 *   watermark        HIGH / MEMALLOC / NOMEMALLOC: how deep into the
 *                    reserves an allocation may dig.
 *   reclaim          DIRECT_RECLAIM / KSWAPD_RECLAIM: whether the caller may
 *                    sleep and whether kswapd is woken.
 *   sleep            only a request with DIRECT_RECLAIM may block (reclaim,
 *                    compaction, retries); without it the allocator answers
 *                    at once from what is free.
 */
#ifndef PAGEFRAME_GFP_H
#define PAGEFRAME_GFP_H

#ifdef __cplusplus
extern "C" {
#endif

/** The kernel's gfp_t: a bitmask of the flags below. */
typedef unsigned int pf_gfp_t;

/* Layer 1: bit numbers, in the order of gfp_types.h's enum (6.12). */
enum {
	PF____GFP_DMA_BIT,
	PF____GFP_HIGHMEM_BIT,
	PF____GFP_DMA32_BIT,
	PF____GFP_MOVABLE_BIT,
	PF____GFP_RECLAIMABLE_BIT,
	PF____GFP_HIGH_BIT,
	PF____GFP_IO_BIT,
	PF____GFP_FS_BIT,
	PF____GFP_ZERO_BIT,
	PF____GFP_UNUSED_BIT,		/* 0x200u unused (was __GFP_ATOMIC) */
	PF____GFP_DIRECT_RECLAIM_BIT,
	PF____GFP_KSWAPD_RECLAIM_BIT,
	PF____GFP_WRITE_BIT,
	PF____GFP_NOWARN_BIT,
	PF____GFP_RETRY_MAYFAIL_BIT,
	PF____GFP_NOFAIL_BIT,
	PF____GFP_NORETRY_BIT,
	PF____GFP_MEMALLOC_BIT,
	PF____GFP_COMP_BIT,
	PF____GFP_NOMEMALLOC_BIT,
	PF____GFP_HARDWALL_BIT,
	PF____GFP_THISNODE_BIT,
	PF____GFP_ACCOUNT_BIT,
	PF____GFP_ZEROTAGS_BIT,
	PF____GFP_NO_OBJ_EXT_BIT,	/* CONFIG_SLAB_OBJ_EXT (on with CONFIG_MEMCG) */
	PF____GFP_LAST_BIT
};

/* Layer 2: the modifiers, one bit each, typed pf_gfp_t. */
#define PF___GFP_DMA		(1u << PF____GFP_DMA_BIT)
#define PF___GFP_HIGHMEM	(1u << PF____GFP_HIGHMEM_BIT)
#define PF___GFP_DMA32		(1u << PF____GFP_DMA32_BIT)
#define PF___GFP_MOVABLE	(1u << PF____GFP_MOVABLE_BIT)
#define PF___GFP_RECLAIMABLE	(1u << PF____GFP_RECLAIMABLE_BIT)
#define PF___GFP_HIGH		(1u << PF____GFP_HIGH_BIT)
#define PF___GFP_IO		(1u << PF____GFP_IO_BIT)
#define PF___GFP_FS		(1u << PF____GFP_FS_BIT)
#define PF___GFP_ZERO		(1u << PF____GFP_ZERO_BIT)
#define PF___GFP_DIRECT_RECLAIM	(1u << PF____GFP_DIRECT_RECLAIM_BIT)
#define PF___GFP_KSWAPD_RECLAIM	(1u << PF____GFP_KSWAPD_RECLAIM_BIT)
#define PF___GFP_WRITE		(1u << PF____GFP_WRITE_BIT)
#define PF___GFP_NOWARN		(1u << PF____GFP_NOWARN_BIT)
#define PF___GFP_RETRY_MAYFAIL	(1u << PF____GFP_RETRY_MAYFAIL_BIT)
#define PF___GFP_NOFAIL		(1u << PF____GFP_NOFAIL_BIT)
#define PF___GFP_NORETRY	(1u << PF____GFP_NORETRY_BIT)
#define PF___GFP_MEMALLOC	(1u << PF____GFP_MEMALLOC_BIT)
#define PF___GFP_COMP		(1u << PF____GFP_COMP_BIT)
#define PF___GFP_NOMEMALLOC	(1u << PF____GFP_NOMEMALLOC_BIT)
#define PF___GFP_HARDWALL	(1u << PF____GFP_HARDWALL_BIT)
#define PF___GFP_THISNODE	(1u << PF____GFP_THISNODE_BIT)
#define PF___GFP_ACCOUNT	(1u << PF____GFP_ACCOUNT_BIT)
#define PF___GFP_ZEROTAGS	(1u << PF____GFP_ZEROTAGS_BIT)
#define PF___GFP_NO_OBJ_EXT	(1u << PF____GFP_NO_OBJ_EXT_BIT)
/* KASAN_HW_TAGS is off: these are 0 as in such a kernel. */
#define PF___GFP_SKIP_ZERO	0u
#define PF___GFP_SKIP_KASAN	0u
#define PF___GFP_NOLOCKDEP	0u

#define PF___GFP_RECLAIM	(PF___GFP_DIRECT_RECLAIM | PF___GFP_KSWAPD_RECLAIM)
#define PF___GFP_BITS_SHIFT	PF____GFP_LAST_BIT
#define PF___GFP_BITS_MASK	((pf_gfp_t)((1u << PF___GFP_BITS_SHIFT) - 1))

/* Masks (include/linux/gfp_types.h, gfp.h). */
#define PF_GFP_ZONEMASK		(PF___GFP_DMA | PF___GFP_HIGHMEM | PF___GFP_DMA32 | PF___GFP_MOVABLE)
#define PF_GFP_MOVABLE_MASK	(PF___GFP_RECLAIMABLE | PF___GFP_MOVABLE)
#define PF_GFP_MOVABLE_SHIFT	3

/*
 * Composites (the flag combinations gfp_types.h documents).
 *
 * "Sleeps" below means the request carries PF___GFP_DIRECT_RECLAIM: the
 * caller may block while the allocator reclaims and compacts, so it must be
 * in a context that may schedule.  "Wakes kswapd" means it carries
 * PF___GFP_KSWAPD_RECLAIM: below the low watermark it asks the background
 * reclaimer to start, without waiting for it.  (pageframe has nothing to
 * reclaim or compact, and its kswapd only resets the watermark boost, so
 * the flags change which reserves and fallbacks the slow path may use, not
 * how long a call waits; docs/FIDELITY.md, "slow path" and "kswapd".)
 *
 * PF_GFP_ATOMIC   callers that must not sleep but really need the page:
 *                 interrupt handlers, code under a spinlock.  No direct
 *                 reclaim; wakes kswapd; __GFP_HIGH lets it go below the min
 *                 watermark into a share of the reserves kept for such
 *                 callers.  Not for NMI or similarly strict contexts.
 * PF_GFP_KERNEL   the everyday choice for the kernel's own data: sleeps,
 *                 reclaims directly, may start I/O and call into
 *                 filesystems.  The memory must be addressable by the
 *                 kernel, so Normal or a lower zone.
 * PF_GFP_KERNEL_ACCOUNT  PF_GFP_KERNEL, and the pages are charged to the
 *                 caller's memory cgroup (accounting is not modelled here).
 * PF_GFP_NOWAIT   a try that must not stall: no direct reclaim, no I/O, no
 *                 filesystem calls; wakes kswapd and does not warn when it
 *                 fails, which is likely once free memory runs low.
 * PF_GFP_NOIO     sleeps and reclaims, but only memory that frees without
 *                 starting I/O (clean page cache, slab): for the block layer
 *                 and others that would deadlock on their own I/O.  The
 *                 kernel prefers marking such a section with
 *                 memalloc_noio_save() over passing this flag.
 * PF_GFP_NOFS     sleeps, reclaims and may start I/O, but never re-enters a
 *                 filesystem: for filesystem code holding its own locks.
 *                 The scoped memalloc_nofs_save() is again the preferred
 *                 kernel style.
 * PF_GFP_USER     memory for user space that the kernel or a device must
 *                 also reach directly (buffers mapped into a process and
 *                 written by DMA): as PF_GFP_KERNEL, plus the cpuset limit
 *                 (__GFP_HARDWALL).
 * PF_GFP_DMA      the lowest zone only (ZONE_DMA, below 16 MiB on x86-64).
 *                 A leftover from ISA-era devices; new code should not need
 *                 it.  Neither sleeps nor wakes kswapd by itself: combine it
 *                 with one of the composites above.
 * PF_GFP_DMA32    ZONE_DMA32 or lower: memory below 4 GiB, for devices with
 *                 32-bit addressing.  Also a bare zone modifier.
 * PF_GFP_HIGHUSER user memory the kernel need not address directly (on
 *                 64-bit there is no highmem, so this is PF_GFP_USER in
 *                 effect) and that stays put while in use.
 * PF_GFP_HIGHUSER_MOVABLE  user memory that reclaim or migration can move
 *                 or evict: anonymous and page-cache pages, what ends up on
 *                 the LRU lists.  Sleeps; served from the movable free lists
 *                 and ZONE_MOVABLE when the machine has one.
 * PF_GFP_TRANSHUGE_LIGHT  transparent huge pages on the page-fault path:
 *                 movable compound blocks, no reclaim of any kind (neither
 *                 direct nor kswapd), no warning, no emergency reserves.
 *                 Fails fast and lets the fault fall back to small pages.
 * PF_GFP_TRANSHUGE  the same with direct reclaim and compaction allowed:
 *                 what khugepaged uses, where waiting is acceptable.  Still
 *                 does not wake kswapd.
 */
#define PF_GFP_ATOMIC		(PF___GFP_HIGH | PF___GFP_KSWAPD_RECLAIM)
#define PF_GFP_KERNEL		(PF___GFP_RECLAIM | PF___GFP_IO | PF___GFP_FS)
#define PF_GFP_KERNEL_ACCOUNT	(PF_GFP_KERNEL | PF___GFP_ACCOUNT)
#define PF_GFP_NOWAIT		(PF___GFP_KSWAPD_RECLAIM | PF___GFP_NOWARN)
#define PF_GFP_NOIO		(PF___GFP_RECLAIM)
#define PF_GFP_NOFS		(PF___GFP_RECLAIM | PF___GFP_IO)
#define PF_GFP_USER		(PF___GFP_RECLAIM | PF___GFP_IO | PF___GFP_FS | PF___GFP_HARDWALL)
#define PF_GFP_DMA		PF___GFP_DMA
#define PF_GFP_DMA32		PF___GFP_DMA32
#define PF_GFP_HIGHUSER		(PF_GFP_USER | PF___GFP_HIGHMEM)
#define PF_GFP_HIGHUSER_MOVABLE	(PF_GFP_HIGHUSER | PF___GFP_MOVABLE | PF___GFP_SKIP_KASAN)
#define PF_GFP_TRANSHUGE_LIGHT	((PF_GFP_HIGHUSER_MOVABLE | PF___GFP_COMP | PF___GFP_NOMEMALLOC | \
				  PF___GFP_NOWARN) & ~PF___GFP_RECLAIM)
#define PF_GFP_TRANSHUGE	(PF_GFP_TRANSHUGE_LIGHT | PF___GFP_DIRECT_RECLAIM)

/* Short public spellings of single modifiers (not composites). */
#define PF_GFP_ZERO		PF___GFP_ZERO
#define PF_GFP_COMP		PF___GFP_COMP
#define PF_GFP_NOWARN		PF___GFP_NOWARN
#define PF_GFP_HIGH		PF___GFP_HIGH
#define PF_GFP_MOVABLE		PF___GFP_MOVABLE
#define PF_GFP_RECLAIMABLE	PF___GFP_RECLAIMABLE
#define PF_GFP_THISNODE		PF___GFP_THISNODE
#define PF_GFP_MEMALLOC		PF___GFP_MEMALLOC
#define PF_GFP_NOMEMALLOC	PF___GFP_NOMEMALLOC
#define PF_GFP_NOFAIL		PF___GFP_NOFAIL
#define PF_GFP_NORETRY		PF___GFP_NORETRY
#define PF_GFP_RETRY_MAYFAIL	PF___GFP_RETRY_MAYFAIL
#define PF_GFP_HARDWALL		PF___GFP_HARDWALL
#define PF_GFP_ACCOUNT		PF___GFP_ACCOUNT
#define PF_GFP_HIGHMEM		PF___GFP_HIGHMEM

#ifdef __cplusplus
}
#endif
#endif /* PAGEFRAME_GFP_H */
