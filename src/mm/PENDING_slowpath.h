/* BRANCH-ONLY placeholders until vmscan/shrinker/placement land. Never merged. */
#ifndef PENDING_H
#define PENDING_H
static inline unsigned long try_to_free_pages(struct pf_machine *m, struct zonelist *zl, int order, pf_gfp_t gfp, nodemask_t *nm)
{ (void)m; (void)zl; (void)order; (void)gfp; (void)nm; return 0; }
static inline unsigned long zone_reclaimable_pages(struct zone *zone) { (void)zone; return 0; }
static inline unsigned int read_mems_allowed_begin(void) { return 0; }
static inline bool check_retry_cpuset(unsigned int cookie, struct alloc_context *ac) { (void)cookie; (void)ac; return false; }
static inline bool zone_allowed_by_cpuset(struct zone *z, pf_gfp_t g, unsigned int f) { (void)z; (void)g; (void)f; return true; }
#endif
