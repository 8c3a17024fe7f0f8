/* SPDX-License-Identifier: MIT */
/*
 * stackdepot.c - the stack depot (lib/stackdepot.c, Linux 6.12): call
 * stacks stored once, named by a handle, found again by hash.
 *
 * Records live in chunks that are never freed or moved while the machine
 * lives, so a handle stays valid and a reader needs no lock: a record is
 * fully written before it is published at the head of its hash chain
 * (release), and readers walk chains with acquire loads.  Writers of new
 * records take the depot's lock and look once more before adding.
 *
 * Deliberate differences from 6.12: a handle is the record's index + 1
 * (the kernel packs a pool index, an offset and extra bits); records are
 * never evicted (the kernel may free records saved with
 * STACK_DEPOT_FLAG_GET; page_owner never does); the hash is our own mix of
 * the frame words (the kernel's is jhash2).  Must not call into the page
 * allocator: its memory comes from malloc.
 */
#include "internal.h"
#include "stackdepot.h"

#include <stdlib.h>
#include <string.h>

#define DEPOT_HASH_BITS		16
#define DEPOT_CHUNK_SHIFT	10
#define DEPOT_CHUNK_RECORDS	(1u << DEPOT_CHUNK_SHIFT)
#define DEPOT_MAX_CHUNKS	1024u	/* at most 1M distinct stacks, about 550 MB of records */

struct stack_depot {
	struct stack_record *_Atomic table[1u << DEPOT_HASH_BITS];
	struct stack_record *_Atomic chunks[DEPOT_MAX_CHUNKS];
	atomic_uint nr_records;		/* records handed out; handle = index + 1 */
	pf_spinlock_t lock;		/* adding a record */
};

struct stack_depot *stack_depot_create(void)
{
	struct stack_depot *d = calloc(1, sizeof *d);
	if (d)
		pf_spin_lock_init(&d->lock);
	return d;
}

void stack_depot_destroy(struct stack_depot *d)
{
	if (!d)
		return;
	unsigned int n = atomic_load_explicit(&d->nr_records, memory_order_relaxed);
	for (unsigned int i = 0; i < DEPOT_MAX_CHUNKS; i++) {
		struct stack_record *c = atomic_load_explicit(&d->chunks[i], memory_order_relaxed);
		for (unsigned int k = 0; c && k < DEPOT_CHUNK_RECORDS && i * DEPOT_CHUNK_RECORDS + k < n; k++)
			free(atomic_load_explicit(&c[k].text, memory_order_relaxed));
		free(c);
	}
	free(d);
}

/* hash_stack: a multiply-xorshift mix of every frame word, seeded as the kernel seeds its own */
static unsigned int hash_stack(const unsigned long *entries, unsigned int n)
{
	unsigned long long h = 0x9747b28cULL ^ n;

	for (unsigned int i = 0; i < n; i++) {
		h ^= entries[i];
		h *= 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	return (unsigned int)h;
}

static struct stack_record *find_stack(struct stack_record *rec, unsigned int hash, const unsigned long *entries,
				       unsigned int n)
{
	for (; rec; rec = atomic_load_explicit(&rec->next, memory_order_acquire))
		if (rec->hash == hash && rec->size == n && !memcmp(rec->entries, entries, n * sizeof(*entries)))
			return rec;
	return NULL;
}

/* depot_alloc_stack: a fresh record; Context: d->lock held. */
static struct stack_record *depot_alloc_stack(struct stack_depot *d)
{
	unsigned int idx = atomic_load_explicit(&d->nr_records, memory_order_relaxed);
	unsigned int chunk = idx >> DEPOT_CHUNK_SHIFT;

	if (chunk >= DEPOT_MAX_CHUNKS)
		return NULL;
	struct stack_record *c = atomic_load_explicit(&d->chunks[chunk], memory_order_relaxed);
	if (!c) {
		c = calloc(DEPOT_CHUNK_RECORDS, sizeof *c);
		if (!c)
			return NULL;
		atomic_store_explicit(&d->chunks[chunk], c, memory_order_release);
	}
	struct stack_record *rec = &c[idx & (DEPOT_CHUNK_RECORDS - 1)];
	rec->handle = idx + 1;
	atomic_store_explicit(&d->nr_records, idx + 1, memory_order_release);
	return rec;
}

depot_stack_handle_t stack_depot_save(struct stack_depot *d, const unsigned long *entries, unsigned int nr_entries)
{
	if (!d || !nr_entries)
		return 0;
	if (nr_entries > STACKDEPOT_MAX_FRAMES)
		nr_entries = STACKDEPOT_MAX_FRAMES;

	unsigned int hash = hash_stack(entries, nr_entries);
	struct stack_record *_Atomic *bucket = &d->table[hash & ((1u << DEPOT_HASH_BITS) - 1)];
	struct stack_record *found = find_stack(atomic_load_explicit(bucket, memory_order_acquire), hash, entries,
						nr_entries);
	if (found)
		return found->handle;

	pf_spin_lock(&d->lock);
	found = find_stack(atomic_load_explicit(bucket, memory_order_acquire), hash, entries, nr_entries);
	if (!found) {
		found = depot_alloc_stack(d);
		if (found) {
			found->hash = hash;
			found->size = nr_entries;
			memcpy(found->entries, entries, nr_entries * sizeof(*entries));
			atomic_store_explicit(&found->count, REFCOUNT_SATURATED, memory_order_relaxed);
			atomic_store_explicit(&found->next, atomic_load_explicit(bucket, memory_order_relaxed),
					      memory_order_relaxed);
			atomic_store_explicit(bucket, found, memory_order_release);
		}
	}
	pf_spin_unlock(&d->lock);
	return found ? found->handle : 0;
}

struct stack_record *__stack_depot_get_stack_record(struct stack_depot *d, depot_stack_handle_t handle)
{
	if (!d || !handle || handle > atomic_load_explicit(&d->nr_records, memory_order_acquire))
		return NULL;
	unsigned int idx = handle - 1;
	struct stack_record *c = atomic_load_explicit(&d->chunks[idx >> DEPOT_CHUNK_SHIFT], memory_order_acquire);
	return c ? &c[idx & (DEPOT_CHUNK_RECORDS - 1)] : NULL;
}

unsigned int stack_depot_fetch(struct stack_depot *d, depot_stack_handle_t handle, const unsigned long **entries)
{
	struct stack_record *rec = __stack_depot_get_stack_record(d, handle);

	*entries = NULL;
	if (!rec)
		return 0;
	*entries = rec->entries;
	return rec->size;
}

/* stack_trace_snprint (kernel/stacktrace.c, 6.12), over frames */
static size_t stack_trace_snprint(char *buf, size_t size, const unsigned long *entries, unsigned int n, int spaces)
{
	size_t total = 0;
	char none;

	if (!buf) {	/* measuring only */
		buf = &none;
		size = 0;
	}
	for (unsigned int i = 0; i < n; i++) {
		char sym[512];
		pf_os_symbolize(entries[i], sym, sizeof sym);
		size_t used = total < size ? total : size;
		total += (size_t)snprintf(buf + used, size - used, "%*c%s\n", 1 + spaces, ' ', sym);
	}
	return total;
}

/*
 * stack_depot_snprint (6.12).  A record's text with one leading space is
 * made once and kept with it (a view prints the same few stacks for many
 * pages, and symbolising is the slow part); made by whoever prints first,
 * published with a compare-and-swap.
 */
int stack_depot_snprint(struct stack_depot *d, depot_stack_handle_t handle, char *buf, size_t size, int spaces)
{
	struct stack_record *rec = __stack_depot_get_stack_record(d, handle);

	if (!rec)
		return 0;
	if (spaces)
		return (int)stack_trace_snprint(buf, size, rec->entries, rec->size, spaces);
	char *text = atomic_load_explicit(&rec->text, memory_order_acquire);
	if (!text) {
		size_t len = stack_trace_snprint(NULL, 0, rec->entries, rec->size, 0);
		char *mine = malloc(len + 1);
		if (!mine)
			return (int)stack_trace_snprint(buf, size, rec->entries, rec->size, 0);
		stack_trace_snprint(mine, len + 1, rec->entries, rec->size, 0);
		char *expected = NULL;
		if (atomic_compare_exchange_strong_explicit(&rec->text, &expected, mine, memory_order_acq_rel,
							    memory_order_acquire)) {
			text = mine;
		} else {
			free(mine);
			text = expected;
		}
	}
	return snprintf(buf, size, "%s", text);
}

unsigned int stack_depot_nr_records(struct stack_depot *d)
{
	return d ? atomic_load_explicit(&d->nr_records, memory_order_acquire) : 0;
}
