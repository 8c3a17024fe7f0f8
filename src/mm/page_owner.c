/* SPDX-License-Identifier: MIT */
/*
 * page_owner.c - who allocated each block, and who freed it last
 * (mm/page_owner.c, Linux 6.12).  Turned on per machine at boot by
 * `cmdline page_owner=on`; then every allocation records its order, gfp
 * mask, the thread (pid, tgid, comm), a timestamp and its call stack in
 * the page's extension (page_ext.c), every free its stack, thread and
 * time, and migration carries the record to the new block.  The views:
 * /sys/kernel/debug/page_owner ("page_owner", print_page_owner's format,
 * read by the kernel's tools/mm/page_owner_sort) and page_owner_stacks
 * (show_stacks with its count_threshold).  dump_page adds the record.
 *
 * The hooks run on the general allocation and free paths only: while
 * page_owner is on the machine's FAST_OFF_OWNER bit keeps the fast paths
 * away (internal.h), and while it is off they cost nothing.
 *
 * Deliberate differences from 6.12 (docs/FIDELITY.md): stacks are the
 * calling program's (backtrace(3)), symbolised from the dynamic symbol
 * table (pf_os_symbolize); pid is the thread id, tgid the process id;
 * timestamps are nanoseconds since the machine booted; a successful move
 * of a movable page copies the record (6.12 copies it for pages moved
 * through folio_migrate_flags only); no memcg line (no memcg yet).
 * Must not allocate from the machine (the stack depot uses malloc).
 */
#include "internal.h"
#include "migrate.h"
#include "page_ext.h"
#include "sched.h"
#include "stackdepot.h"

#include <stdlib.h>
#include <string.h>

/* PAGE_OWNER_STACK_DEPTH (6.12): frames saved per stack */
#define PAGE_OWNER_STACK_DEPTH 16
#define TASK_COMM_LEN 16

struct page_owner {
	unsigned short order;
	short last_migrate_reason;
	pf_gfp_t gfp_mask;
	depot_stack_handle_t handle;
	depot_stack_handle_t free_handle;
	unsigned long long ts_nsec;
	unsigned long long free_ts_nsec;
	char comm[TASK_COMM_LEN];
	int pid;
	int tgid;
	int free_pid;
	int free_tgid;
};

/* struct stack (6.12): the list show_stacks walks, one entry per counted stack record */
struct stack {
	struct stack_record *stack_record;
	struct stack *_Atomic next;
};

/* what 6.12 keeps in file-scope variables, per machine */
struct page_owner_state {
	depot_stack_handle_t dummy_handle;	/* a stack saved while saving one */
	depot_stack_handle_t failure_handle;	/* the depot was full */
	depot_stack_handle_t early_handle;	/* pages found allocated when page_owner started */
	struct stack dummy_stack, failure_stack;
	struct stack *_Atomic stack_list;
	pf_spinlock_t stack_list_lock;
	atomic_ulong page_owner_pages_threshold;	/* page_owner_stacks/count_threshold */
};

static const char *const migrate_reason_names[MR_TYPES] = {
	"compaction", "memory_failure", "memory_hotplug", "syscall_or_cpuset", "mempolicy_mbind",
	"numa_misplaced", "contig_range", "longterm_pin", "demotion", "damon",
};

/* kstrtobool (lib/kstrtox.c, 6.12): y/t/1/on true, n/f/0/off false, by the first letters */
static int kstrtobool(const char *s, bool *res)
{
	switch (s[0]) {
	case 'y': case 'Y': case 't': case 'T': case '1':
		*res = true;
		return 0;
	case 'n': case 'N': case 'f': case 'F': case '0':
		*res = false;
		return 0;
	case 'o': case 'O':
		if (s[1] == 'n' || s[1] == 'N') {
			*res = true;
			return 0;
		}
		if (s[1] == 'f' || s[1] == 'F') {
			*res = false;
			return 0;
		}
		break;
	}
	return -EINVAL;
}

/* early_page_owner_param (6.12): the `page_owner=` boot parameter. Return: 0 or -EINVAL. */
int early_page_owner_param(struct pf_machine *m, const char *value)
{
	bool on;
	int rc = kstrtobool(value, &on);

	if (!rc)
		m->page_owner_enabled = on;
	return rc;
}

static bool need_page_owner(struct pf_machine *m)
{
	return m->page_owner_enabled;
}

static void init_page_owner(struct pf_machine *m);

const struct page_ext_operations page_owner_ops = {
	.index = 0,
	.size = sizeof(struct page_owner),
	.need = need_page_owner,
	.init = init_page_owner,
	.need_shared_flags = true,
};

static inline struct page_owner *get_page_owner(const struct pf_machine *m, struct page_ext *page_ext)
{
	return page_ext_data(m, page_ext, &page_owner_ops);
}

/* local_clock, as the machine sees it: nanoseconds since it booted */
static unsigned long long machine_clock(const struct pf_machine *m)
{
	unsigned long long now = pf_os_now_ns();
	return now > m->boot_ns ? now - m->boot_ns : 0;
}

/* create_dummy_stack (6.12): a short stack of the caller, saved to stand for something else */
static __attribute__((noinline)) depot_stack_handle_t create_dummy_stack(struct pf_machine *m)
{
	unsigned long entries[4];
	unsigned int nr_entries = pf_os_stack_save(entries, 4, 0);

	return stack_depot_save(m->stack_depot, entries, nr_entries);
}

static __attribute__((noinline)) void register_dummy_stack(struct pf_machine *m)
{
	m->page_owner->dummy_handle = create_dummy_stack(m);
}

static __attribute__((noinline)) void register_failure_stack(struct pf_machine *m)
{
	m->page_owner->failure_handle = create_dummy_stack(m);
}

static __attribute__((noinline)) void register_early_stack(struct pf_machine *m)
{
	m->page_owner->early_handle = create_dummy_stack(m);
}

static void __update_page_owner_handle(struct pf_machine *m, struct page_ext *page_ext, depot_stack_handle_t handle,
				       unsigned short order, pf_gfp_t gfp_mask, short last_migrate_reason,
				       unsigned long long ts_nsec, int pid, int tgid, const char *comm);

/*
 * init_pages_in_zone (6.12): pages that are neither free nor reserved when
 * page_owner starts were allocated before it; they get the early stack.
 * (A machine boots with every such page free, so this finds none; the
 * kernel's "found early allocated" message is not printed.)
 */
static void init_pages_in_zone(struct pf_machine *m, struct zone *zone)
{
	unsigned long end_pfn = zone_end_pfn(zone);

	for (unsigned long pfn = zone->zone_start_pfn; pfn < end_pfn; pfn++) {
		if (!pfn_valid(m, pfn)) {
			pfn = ((pfn + MAX_ORDER_NR_PAGES) & ~(MAX_ORDER_NR_PAGES - 1)) - 1;
			continue;
		}
		/* an unwritten deferred block is free (deferred_init.c) */
		if (!(pfn & (MAX_ORDER_NR_PAGES - 1)) && deferred_pfn(m, pfn)) {
			pfn += MAX_ORDER_NR_PAGES - 1;
			continue;
		}
		struct pf_page *page = pfn_to_page(m, pfn);
		if (page_zone(page) != zone)
			continue;
		if (PageBuddy(page)) {
			unsigned long order = buddy_order(page);
			if (order > 0 && order <= MAX_PAGE_ORDER)
				pfn += (1UL << order) - 1;
			continue;
		}
		if (PageReserved(page))
			continue;
		struct page_ext *page_ext = page_ext_get(page);
		if (!page_ext || (page_ext->flags & (1UL << PAGE_EXT_OWNER)))
			continue;
		__update_page_owner_handle(m, page_ext, m->page_owner->early_handle, 0, 0, -1, machine_clock(m),
					   pf_os_tid(), pf_os_tgid(), pf_os_comm());
	}
}

/* init_page_owner (6.12): the dummy, failure and early stacks, early pages, then on */
static void init_page_owner(struct pf_machine *m)
{
	struct page_owner_state *po = calloc(1, sizeof *po);

	m->stack_depot = stack_depot_create();
	if (!po || !m->stack_depot) {
		/* no room for the records: page_owner stays off, as when need() said no */
		free(po);
		stack_depot_destroy(m->stack_depot);
		m->stack_depot = NULL;
		m->page_owner_enabled = false;
		return;
	}
	pf_spin_lock_init(&po->stack_list_lock);
	m->page_owner = po;
	pf_os_stack_prepare();
	register_dummy_stack(m);
	register_failure_stack(m);
	register_early_stack(m);
	for (int nid = 0; nid < m->nr_node_ids; nid++)
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &m->node_data[nid]->node_zones[z];
			if (populated_zone(zone))
				init_pages_in_zone(m, zone);
		}
	po->dummy_stack.stack_record = __stack_depot_get_stack_record(m->stack_depot, po->dummy_handle);
	po->failure_stack.stack_record = __stack_depot_get_stack_record(m->stack_depot, po->failure_handle);
	if (po->dummy_stack.stack_record)
		atomic_store(&po->dummy_stack.stack_record->count, 1);
	if (po->failure_stack.stack_record)
		atomic_store(&po->failure_stack.stack_record->count, 1);
	po->dummy_stack.next = &po->failure_stack;
	atomic_store(&po->stack_list, &po->dummy_stack);
	pf_fast_update(m);	/* FAST_OFF_OWNER */
}

void page_owner_release(struct pf_machine *m)
{
	struct page_owner_state *po = m->page_owner;

	if (po) {
		struct stack *s = atomic_load(&po->stack_list);
		while (s) {
			struct stack *next = atomic_load(&s->next);
			if (s != &po->dummy_stack && s != &po->failure_stack)
				free(s);
			s = next;
		}
		free(po);
		m->page_owner = NULL;
	}
	stack_depot_destroy(m->stack_depot);
	m->stack_depot = NULL;
}

/*
 * save_stack (6.12): the caller's stack without save_stack's and its
 * caller's frames, in the depot; the dummy stack while already saving one
 * on this thread (a program whose malloc allocates from a machine).
 */
static __attribute__((noinline)) depot_stack_handle_t save_stack(struct pf_machine *m)
{
	unsigned long entries[PAGE_OWNER_STACK_DEPTH];
	struct pf_task *current = current_task();
	depot_stack_handle_t handle;

	if (current->in_page_owner)
		return m->page_owner->dummy_handle;
	current->in_page_owner = true;
	unsigned int nr_entries = pf_os_stack_save(entries, PAGE_OWNER_STACK_DEPTH, 2);
	handle = stack_depot_save(m->stack_depot, entries, nr_entries);
	if (!handle)
		handle = m->page_owner->failure_handle;
	current->in_page_owner = false;
	return handle;
}

/* add_stack_record_to_list (6.12): a stack counted for the first time joins show_stacks' list */
static void add_stack_record_to_list(struct pf_machine *m, struct stack_record *stack_record)
{
	struct page_owner_state *po = m->page_owner;
	struct pf_task *current = current_task();

	current->in_page_owner = true;
	struct stack *stack = malloc(sizeof *stack);
	current->in_page_owner = false;
	if (!stack)
		return;
	stack->stack_record = stack_record;
	pf_spin_lock(&po->stack_list_lock);
	atomic_store_explicit(&stack->next, atomic_load_explicit(&po->stack_list, memory_order_relaxed),
			      memory_order_relaxed);
	/* pairs with the acquire in stacks_show: the entry is complete before it is seen */
	atomic_store_explicit(&po->stack_list, stack, memory_order_release);
	pf_spin_unlock(&po->stack_list_lock);
}

/* inc_stack_record_count (6.12): pages allocated from this stack, the first count starting it at 1 */
static void inc_stack_record_count(struct pf_machine *m, depot_stack_handle_t handle, int nr_base_pages)
{
	struct stack_record *stack_record = __stack_depot_get_stack_record(m->stack_depot, handle);

	if (!stack_record)
		return;
	if (atomic_load_explicit(&stack_record->count, memory_order_relaxed) == REFCOUNT_SATURATED) {
		int old = REFCOUNT_SATURATED;
		if (atomic_compare_exchange_strong_explicit(&stack_record->count, &old, 1, memory_order_relaxed,
							    memory_order_relaxed))
			add_stack_record_to_list(m, stack_record);
	}
	atomic_fetch_add_explicit(&stack_record->count, nr_base_pages, memory_order_relaxed);
}

static void dec_stack_record_count(struct pf_machine *m, depot_stack_handle_t handle, int nr_base_pages)
{
	struct stack_record *stack_record = __stack_depot_get_stack_record(m->stack_depot, handle);

	if (!stack_record)
		return;
	if (atomic_fetch_sub_explicit(&stack_record->count, nr_base_pages, memory_order_relaxed) == nr_base_pages)
		pf_printk(m, '4', "dec_stack_record_count: refcount went to 0 for %u handle", handle);
}

static void __update_page_owner_handle(struct pf_machine *m, struct page_ext *page_ext, depot_stack_handle_t handle,
				       unsigned short order, pf_gfp_t gfp_mask, short last_migrate_reason,
				       unsigned long long ts_nsec, int pid, int tgid, const char *comm)
{
	for (unsigned long i = 0; i < (1UL << order); i++) {
		struct page_owner *page_owner = get_page_owner(m, page_ext);

		page_owner->handle = handle;
		page_owner->order = order;
		page_owner->gfp_mask = gfp_mask;
		page_owner->last_migrate_reason = last_migrate_reason;
		page_owner->pid = pid;
		page_owner->tgid = tgid;
		page_owner->ts_nsec = ts_nsec;
		strncpy(page_owner->comm, comm, sizeof page_owner->comm - 1);
		page_owner->comm[sizeof page_owner->comm - 1] = '\0';
		page_ext->flags |= (1UL << PAGE_EXT_OWNER) | (1UL << PAGE_EXT_OWNER_ALLOCATED);
		page_ext = page_ext_next(m, page_ext);
	}
}

static void __update_page_owner_free_handle(struct pf_machine *m, struct page_ext *page_ext,
					    depot_stack_handle_t handle, unsigned short order, int pid, int tgid,
					    unsigned long long free_ts_nsec)
{
	for (unsigned long i = 0; i < (1UL << order); i++) {
		struct page_owner *page_owner = get_page_owner(m, page_ext);

		/* a free clears the allocated bit; a copy (handle 0) keeps it */
		if (handle) {
			page_ext->flags &= ~(1UL << PAGE_EXT_OWNER_ALLOCATED);
			page_owner->free_handle = handle;
		}
		page_owner->free_ts_nsec = free_ts_nsec;
		page_owner->free_pid = pid;
		page_owner->free_tgid = tgid;
		page_ext = page_ext_next(m, page_ext);
	}
}

/* __reset_page_owner (6.12): the free's stack, thread and time; the allocation's stack counts fewer pages */
void __reset_page_owner(struct pf_page *page, unsigned short order)
{
	struct pf_machine *m = page_machine(page);
	unsigned long long free_ts_nsec = machine_clock(m);
	struct page_ext *page_ext = page_ext_get(page);

	if (unlikely(!page_ext))
		return;
	depot_stack_handle_t alloc_handle = get_page_owner(m, page_ext)->handle;
	depot_stack_handle_t handle = save_stack(m);
	__update_page_owner_free_handle(m, page_ext, handle, order, pf_os_tid(), pf_os_tgid(), free_ts_nsec);
	page_ext_put(page_ext);
	/* pages found at start-up were never counted */
	if (alloc_handle != m->page_owner->early_handle)
		dec_stack_record_count(m, alloc_handle, 1 << order);
}

/* __set_page_owner (6.12): the allocation's stack, thread, gfp and time on every page of the block */
__attribute__((noinline)) void __set_page_owner(struct pf_page *page, unsigned short order, pf_gfp_t gfp_mask)
{
	struct pf_machine *m = page_machine(page);
	unsigned long long ts_nsec = machine_clock(m);
	depot_stack_handle_t handle = save_stack(m);
	struct page_ext *page_ext = page_ext_get(page);

	if (unlikely(!page_ext))
		return;
	__update_page_owner_handle(m, page_ext, handle, order, gfp_mask, -1, ts_nsec, pf_os_tid(), pf_os_tgid(),
				   pf_os_comm());
	page_ext_put(page_ext);
	inc_stack_record_count(m, handle, 1 << order);
}

void __set_page_owner_migrate_reason(struct pf_page *page, int reason)
{
	struct page_ext *page_ext = page_ext_get(page);

	if (unlikely(!page_ext))
		return;
	get_page_owner(page_machine(page), page_ext)->last_migrate_reason = (short)reason;
	page_ext_put(page_ext);
}

/* __split_page_owner (6.12): a block split into smaller ones; each page's record gets the new order */
void __split_page_owner(struct pf_page *page, int old_order, int new_order)
{
	struct pf_machine *m = page_machine(page);
	struct page_ext *page_ext = page_ext_get(page);

	if (unlikely(!page_ext))
		return;
	for (unsigned long i = 0; i < (1UL << old_order); i++) {
		get_page_owner(m, page_ext)->order = (unsigned short)new_order;
		page_ext = page_ext_next(m, page_ext);
	}
	page_ext_put(page_ext);
}

/*
 * __folio_copy_owner (6.12): the moved block takes the old block's record
 * (allocated bits kept: the old block is freed soon), and the old block
 * takes the new one's allocation stack, so each stack's page count stays
 * right when the old block is freed.
 *
 * Deliberate difference: the pages written and the order recorded are the
 * block's own @order, not the old record's.  They differ for what is left
 * of a non-compound block that __free_pages freed in part (its head keeps
 * the record of the whole block, as in 6.12); the kernel never migrates
 * such a page, but an owner here may make it movable, and copying the
 * recorded order would overwrite the records of the new block's neighbours.
 */
void __folio_copy_owner(struct pf_page *newpage, struct pf_page *old, unsigned int order)
{
	struct pf_machine *m = page_machine(old);
	struct page_ext *old_ext = page_ext_get(old);
	struct page_ext *new_ext;

	if (unlikely(!old_ext))
		return;
	new_ext = page_ext_get(newpage);
	if (unlikely(!new_ext))
		return;
	struct page_owner *old_page_owner = get_page_owner(m, old_ext);
	struct page_owner *new_page_owner = get_page_owner(m, new_ext);
	depot_stack_handle_t migrate_handle = new_page_owner->handle;
	__update_page_owner_handle(m, new_ext, old_page_owner->handle, (unsigned short)order, old_page_owner->gfp_mask,
				   old_page_owner->last_migrate_reason, old_page_owner->ts_nsec, old_page_owner->pid,
				   old_page_owner->tgid, old_page_owner->comm);
	__update_page_owner_free_handle(m, new_ext, 0, (unsigned short)order, old_page_owner->free_pid,
					old_page_owner->free_tgid, old_page_owner->free_ts_nsec);
	for (unsigned long i = 0; i < (1UL << order); i++) {
		old_page_owner->handle = migrate_handle;
		old_ext = page_ext_next(m, old_ext);
		old_page_owner = get_page_owner(m, old_ext);
	}
}

/* %pGg: the gfp flag names, nothing for 0 (format_flags) */
static void format_gfp(pf_gfp_t gfp, char *buf, size_t len)
{
	if (gfp)
		pf_format_gfp_flags(gfp, buf, len);
	else
		buf[0] = '\0';
}

static const char *mt_name(int mt)
{
	return mt >= 0 && mt < MIGRATE_TYPES ? migratetype_names[mt] : "Unmovable";
}

/* __dump_page_owner (6.12): dump_page's page_owner lines */
void __dump_page_owner(const struct pf_page *page)
{
	struct pf_machine *m = page_machine(page);
	struct page_ext *page_ext = page_ext_get(page);
	char gfp[512];

	if (unlikely(!page_ext)) {
		pf_printk(m, '1', "There is not page extension available.");
		return;
	}
	struct page_owner *page_owner = get_page_owner(m, page_ext);
	pf_gfp_t gfp_mask = page_owner->gfp_mask;
	int mt = gfp_migratetype(gfp_mask);

	if (!(page_ext->flags & (1UL << PAGE_EXT_OWNER))) {
		pf_printk(m, '1', "page_owner info is not present (never set?)");
		return;
	}
	if (page_ext->flags & (1UL << PAGE_EXT_OWNER_ALLOCATED))
		pf_printk(m, '1', "page_owner tracks the page as allocated");
	else
		pf_printk(m, '1', "page_owner tracks the page as freed");
	format_gfp(gfp_mask, gfp, sizeof gfp);
	pf_printk(m, '1',
		  "page last allocated via order %u, migratetype %s, gfp_mask 0x%x(%s), pid %d, tgid %d (%s), ts %llu, free_ts %llu",
		  page_owner->order, mt_name(mt), gfp_mask, gfp, page_owner->pid, page_owner->tgid, page_owner->comm,
		  page_owner->ts_nsec, page_owner->free_ts_nsec);

	char *stack = malloc(16384);
	depot_stack_handle_t handle = page_owner->handle;
	if (!handle) {
		pf_printk(m, '1', "page_owner allocation stack trace missing");
	} else if (stack) {
		stack_depot_snprint(m->stack_depot, handle, stack, 16384, 0);
		pf_printk(m, '4', "%s", stack);
	}
	handle = page_owner->free_handle;
	if (!handle) {
		pf_printk(m, '1', "page_owner free stack trace missing");
	} else {
		pf_printk(m, '1', "page last free pid %d tgid %d stack trace:", page_owner->free_pid,
			  page_owner->free_tgid);
		if (stack) {
			stack_depot_snprint(m->stack_depot, handle, stack, 16384, 0);
			pf_printk(m, '4', "%s", stack);
		}
	}
	free(stack);
	if (page_owner->last_migrate_reason != -1)
		pf_printk(m, '1', "page has been migrated, last migrate reason: %s",
			  migrate_reason_names[page_owner->last_migrate_reason]);
	page_ext_put(page_ext);
}

/* print_page_owner (6.12): one allocated block's record, as the debugfs file gives it */
static void print_page_owner(struct pf_machine *m, FILE *out, unsigned long pfn, struct pf_page *page,
			     const struct pf_page *copy, const struct page_owner *page_owner, depot_stack_handle_t handle)
{
	char gfp[512], flags[256];
	char *stack = malloc(16384);
	int page_mt = gfp_migratetype(page_owner->gfp_mask);

	format_gfp(page_owner->gfp_mask, gfp, sizeof gfp);
	format_page_flags(copy->flags, flags, sizeof flags);
	fprintf(out, "Page allocated via order %u, mask 0x%x(%s), pid %d, tgid %d (%s), ts %llu ns\n",
		page_owner->order, page_owner->gfp_mask, gfp, page_owner->pid, page_owner->tgid, page_owner->comm,
		page_owner->ts_nsec);
	fprintf(out, "PFN 0x%lx type %s Block %lu type %s Flags %s\n", pfn, mt_name(page_mt), pfn >> pageblock_order,
		mt_name(get_pfnblock_migratetype(page, pfn)), flags);
	if (stack) {
		stack_depot_snprint(m->stack_depot, handle, stack, 16384, 0);
		fputs(stack, out);
		free(stack);
	}
	if (page_owner->last_migrate_reason != -1)
		fprintf(out, "Page has been migrated, last migrate reason: %s\n",
			migrate_reason_names[page_owner->last_migrate_reason]);
	fputc('\n', out);
}

/*
 * read_page_owner (6.12): every allocated block's record in pfn order,
 * skipping free blocks, tails of larger blocks and pages never recorded.
 * The kernel reads one record per read() without the zone lock; here the
 * whole walk is one call, equally without locks: a block allocated or
 * freed meanwhile may be missed, never misread (each record is copied
 * before it is printed).
 */
static __data_race void read_page_owner(struct pf_machine *m, FILE *out)
{
	for (unsigned long pfn = 0; pfn < m->max_pfn; pfn++) {
		if ((pfn & (MAX_ORDER_NR_PAGES - 1)) == 0 && !pfn_valid(m, pfn)) {
			pfn += MAX_ORDER_NR_PAGES - 1;
			continue;
		}
		if (!pfn_valid(m, pfn))
			continue;
		/* an unwritten deferred block is free (deferred_init.c) */
		if (!(pfn & (MAX_ORDER_NR_PAGES - 1)) && deferred_pfn(m, pfn)) {
			pfn += MAX_ORDER_NR_PAGES - 1;
			continue;
		}
		struct pf_page *page = pfn_to_page(m, pfn), copy;
		page_peek(page, &copy);
		if (PageBuddy(&copy)) {
			unsigned long freepage_order = buddy_order(&copy);
			if (freepage_order <= MAX_PAGE_ORDER)
				pfn += (1UL << freepage_order) - 1;
			continue;
		}
		struct page_ext *page_ext = page_ext_get(page);
		if (unlikely(!page_ext))
			continue;
		unsigned long ext_flags = page_ext->flags;
		if (!(ext_flags & (1UL << PAGE_EXT_OWNER)) || !(ext_flags & (1UL << PAGE_EXT_OWNER_ALLOCATED)))
			continue;
		struct page_owner page_owner_tmp = *get_page_owner(m, page_ext);
		/* tails of larger blocks would count them twice */
		if (page_owner_tmp.order > MAX_PAGE_ORDER || (pfn & ((1UL << page_owner_tmp.order) - 1)))
			continue;
		if (!page_owner_tmp.handle)
			continue;
		page_ext_put(page_ext);
		print_page_owner(m, out, pfn, page, &copy, &page_owner_tmp, page_owner_tmp.handle);
	}
}

/* stack_print over stack_start / stack_next (6.12): page_owner_stacks/show_stacks */
static void show_stacks(struct pf_machine *m, FILE *out)
{
	struct page_owner_state *po = m->page_owner;
	unsigned long threshold = atomic_load_explicit(&po->page_owner_pages_threshold, memory_order_relaxed);

	for (struct stack *stack = atomic_load_explicit(&po->stack_list, memory_order_acquire); stack;
	     stack = atomic_load_explicit(&stack->next, memory_order_relaxed)) {
		struct stack_record *stack_record = stack->stack_record;
		if (!stack_record)
			continue;
		int nr_base_pages = atomic_load_explicit(&stack_record->count, memory_order_relaxed) - 1;
		if (nr_base_pages < 1 || (unsigned long)nr_base_pages < threshold)
			continue;
		/* " %pS\n" per frame: the depot's text of the record */
		char text[16384];
		stack_depot_snprint(m->stack_depot, stack_record->handle, text, sizeof text, 0);
		fprintf(out, "%snr_base_pages: %d\n\n", text, nr_base_pages);
	}
}

/*
 * page_owner_show - pf_show's page_owner views: "page_owner",
 * "page_owner_stacks" (or "page_owner_stacks/show_stacks") and
 * "page_owner_stacks/count_threshold".  Return: 0, -ENOENT for another
 * name or while page_owner is off (the kernel creates no such files then).
 */
int page_owner_show(struct pf_machine *m, const char *what, FILE *out)
{
	if (strcmp(what, "page_owner") && strcmp(what, "page_owner_stacks") &&
	    strcmp(what, "page_owner_stacks/show_stacks") && strcmp(what, "page_owner_stacks/count_threshold"))
		return -ENOENT;
	if (!m->page_owner_enabled || !m->page_owner)
		return -ENOENT;
	if (!strcmp(what, "page_owner"))
		read_page_owner(m, out);
	else if (!strcmp(what, "page_owner_stacks/count_threshold"))
		fprintf(out, "%lu\n", atomic_load(&m->page_owner->page_owner_pages_threshold));
	else
		show_stacks(m, out);
	return ferror(out) ? -EIO : 0;
}

/* page_owner_threshold_set (6.12), as writing page_owner_stacks/count_threshold */
int pf_page_owner_set(struct pf_machine *m, const char *param, const char *value)
{
	if (!m || !param || !value)
		return -EINVAL;
	if (strcmp(param, "count_threshold"))
		return -ENOENT;
	if (!m->page_owner_enabled || !m->page_owner)
		return -ENOENT;
	char *end;
	errno = 0;
	if (value[0] == '-' || value[0] < '0' || value[0] > '9')
		return -EINVAL;
	unsigned long long v = strtoull(value, &end, 0);
	if (errno || (*end && strcmp(end, "\n")))
		return -EINVAL;
	atomic_store(&m->page_owner->page_owner_pages_threshold, (unsigned long)v);
	return 0;
}

/*
 * pagetypeinfo_showmixedcount_print (6.12): per zone, the pageblocks that
 * hold a block allocated with another mobility than the pageblock's,
 * counted by the pageblock's type.  Read without locks, as the kernel's.
 */
static __data_race void pagetypeinfo_showmixedcount_print(struct pf_machine *m, FILE *out, pg_data_t *pgdat,
							  struct zone *zone)
{
	unsigned long end_pfn = zone_end_pfn(zone);
	unsigned long count[MIGRATE_TYPES] = { 0 };
	unsigned long pfn = zone->zone_start_pfn;

	while (pfn < end_pfn) {
		if (!pfn_valid(m, pfn)) {
			pfn = (pfn + MAX_ORDER_NR_PAGES) & ~(MAX_ORDER_NR_PAGES - 1);
			continue;
		}
		/* an unwritten deferred block is free (deferred_init.c) */
		if (!(pfn & (MAX_ORDER_NR_PAGES - 1)) && deferred_pfn(m, pfn)) {
			pfn += MAX_ORDER_NR_PAGES;
			continue;
		}
		unsigned long block_end_pfn = (pfn + pageblock_nr_pages) & ~(pageblock_nr_pages - 1);
		if (block_end_pfn > end_pfn)
			block_end_pfn = end_pfn;
		int pageblock_mt = get_pfnblock_migratetype(pfn_to_page(m, pfn), pfn);

		for (; pfn < block_end_pfn; pfn++) {
			struct pf_page *page = pfn_to_page(m, pfn), copy;
			page_peek(page, &copy);
			if (page_zone(&copy) != zone)
				continue;
			if (PageBuddy(&copy)) {
				unsigned long freepage_order = buddy_order(&copy);
				if (freepage_order <= MAX_PAGE_ORDER)
					pfn += (1UL << freepage_order) - 1;
				continue;
			}
			if (copy.flags & (1UL << PG_reserved))
				continue;
			struct page_ext *page_ext = page_ext_get(page);
			if (unlikely(!page_ext))
				continue;
			if (!(page_ext->flags & (1UL << PAGE_EXT_OWNER_ALLOCATED)))
				continue;
			struct page_owner *page_owner = get_page_owner(m, page_ext);
			int page_mt = gfp_migratetype(page_owner->gfp_mask);
			if (pageblock_mt != page_mt) {
				if (is_migrate_cma(pageblock_mt))
					count[MIGRATE_MOVABLE]++;
				else
					count[pageblock_mt]++;
				pfn = block_end_pfn;
				break;
			}
			pfn += (1UL << page_owner->order) - 1;
		}
	}
	fprintf(out, "Node %d, zone %8s ", pgdat->node_id, zone->name);
	for (int i = 0; i < MIGRATE_TYPES; i++)
		fprintf(out, "%12lu ", count[i]);
	fputc('\n', out);
}

/* pagetypeinfo_showmixedcount (mm/vmstat.c, 6.12): a node's last pagetypeinfo table, with page_owner on */
void pagetypeinfo_showmixedcount(struct pf_machine *m, FILE *out, pg_data_t *pgdat)
{
	if (!m->page_owner_enabled || !m->page_ext_base)
		return;
	drain_all_pages(m, NULL);
	fprintf(out, "\n%-23s", "Number of mixed blocks ");
	for (int mtype = 0; mtype < MIGRATE_TYPES; mtype++)
		fprintf(out, "%12s ", migratetype_names[mtype]);
	fputc('\n', out);
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &pgdat->node_zones[z];
		if (populated_zone(zone))
			pagetypeinfo_showmixedcount_print(m, out, pgdat, zone);
	}
}
