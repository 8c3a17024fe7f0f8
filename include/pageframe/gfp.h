/* SPDX-License-Identifier: MIT */
/*
 * pageframe/gfp.h - get-free-pages flags with the kernel's bit values.
 *
 * Mirrors include/linux/gfp_types.h of Linux 6.12 (x86-64, CONFIG_LOCKDEP,
 * CONFIG_KASAN_HW_TAGS off, CONFIG_MEMCG and so
 * CONFIG_SLAB_OBJ_EXT on) in three layers, as the
 * kernel does: raw bits (PF____GFP_*), the typed modifiers (PF___GFP_*), and
 * the documented composites (PF_GFP_*).  <pageframe/linux.h> maps the kernel's
 * own spellings onto these.
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
 */
#ifndef PAGEFRAME_GFP_H
#define PAGEFRAME_GFP_H

#ifdef __cplusplus
extern "C" {
#endif

/** The kernel's gfp_t: a bitmask of the flags below. */
typedef unsigned int pf_gfp_t;

/* Raw bit numbers, in gfp_types.h's enum order (6.12). */
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

/* Typed modifiers: one bit each. */
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

/* Documented composites (gfp_types.h). */
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

/* Short public spellings of single modifiers that the contract names. */
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
