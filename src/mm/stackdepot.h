/* SPDX-License-Identifier: MIT */
/*
 * stackdepot.h - a store of call stacks, each kept once (lib/stackdepot.c,
 * Linux 6.12): page_owner saves the stack of every allocation and free,
 * and most of them repeat, so a record holds the frames and a handle names
 * it.  One depot per machine, as one kernel has one.
 *
 * Glossary: a "handle" is a small non-zero number naming one stored stack
 * (0: none); a "record" is the stored frames with their hash and a
 * reference count its user keeps (page_owner: pages allocated from there).
 */
#ifndef PF_MM_STACKDEPOT_H
#define PF_MM_STACKDEPOT_H

#include <stdatomic.h>
#include <stddef.h>

typedef unsigned int depot_stack_handle_t;

/* CONFIG_STACKDEPOT_MAX_FRAMES: frames kept per record */
#define STACKDEPOT_MAX_FRAMES 64

/*
 * REFCOUNT_SATURATED (include/linux/refcount.h): the count a record starts
 * with when its saver asked for no reference (page_owner counts its own).
 */
#define REFCOUNT_SATURATED (0x7fffffff - 0x3fffffff)

struct stack_record {
	struct stack_record *_Atomic next;	/* hash chain; written once, before the record is published */
	unsigned int hash;
	unsigned int size;			/* frames stored */
	depot_stack_handle_t handle;
	atomic_int count;
	char *_Atomic text;			/* the frames symbolised, made at the first print (pageframe's own) */
	unsigned long entries[STACKDEPOT_MAX_FRAMES];
};

struct stack_depot;

/* A machine's depot: created when page_owner is on, freed with the machine. */
struct stack_depot *stack_depot_create(void);
void stack_depot_destroy(struct stack_depot *d);

/*
 * stack_depot_save (6.12): the handle of @entries, stored on first sight.
 * Lock-free for a stack already stored; a new one is added under the
 * depot's lock.  Return: 0 when @nr_entries is 0 or the depot is full.
 */
depot_stack_handle_t stack_depot_save(struct stack_depot *d, const unsigned long *entries, unsigned int nr_entries);
/* __stack_depot_get_stack_record: the record of @handle, or NULL for 0 or a handle never given */
struct stack_record *__stack_depot_get_stack_record(struct stack_depot *d, depot_stack_handle_t handle);
/* stack_depot_fetch: the frames of @handle; return: how many (0 for none) */
unsigned int stack_depot_fetch(struct stack_depot *d, depot_stack_handle_t handle, const unsigned long **entries);
/*
 * stack_depot_snprint (6.12): one line per frame, "%*c%pS\n" with
 * 1 + @spaces leading spaces.  Return: the length (snprintf's).
 */
int stack_depot_snprint(struct stack_depot *d, depot_stack_handle_t handle, char *buf, size_t size, int spaces);
/* how many distinct stacks are stored */
unsigned int stack_depot_nr_records(struct stack_depot *d);

#endif /* PF_MM_STACKDEPOT_H */
