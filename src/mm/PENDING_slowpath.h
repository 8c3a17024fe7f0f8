/* BRANCH-ONLY placeholders until vmscan/shrinker/placement land. Never merged. */
#ifndef PENDING_H
#define PENDING_H
static inline unsigned long try_to_free_pages(struct pf_machine *m, struct zonelist *zl, int order, pf_gfp_t gfp, nodemask_t *nm)
{ (void)m; (void)zl; (void)order; (void)gfp; (void)nm; return 0; }
static inline unsigned long zone_reclaimable_pages(struct zone *zone) { (void)zone; return 0; }
#endif
