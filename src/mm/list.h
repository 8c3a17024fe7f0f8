/* SPDX-License-Identifier: MIT */
/*
 * list.h - the kernel's doubly linked list (include/linux/list.h), on
 * struct pf_list_head.  Only what the allocator uses.
 */
#ifndef PF_MM_LIST_H
#define PF_MM_LIST_H

#include <stddef.h>
#include <stdbool.h>
#include <pageframe/page.h>

#define list_head pf_list_head

#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))
#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(ptr, type, member) list_entry((ptr)->next, type, member)
#define list_last_entry(ptr, type, member) list_entry((ptr)->prev, type, member)
#define list_first_entry_or_null(ptr, type, member) \
	(!list_empty(ptr) ? list_first_entry(ptr, type, member) : NULL)
#define list_for_each(pos, head) for (pos = (head)->next; pos != (head); pos = pos->next)

/*
 * As the kernel's, pointer stores are WRITE_ONCE and list_empty is
 * READ_ONCE: free lists are peeked at without their lock (the watermark
 * check), so those accesses are relaxed atomics (plain moves on x86).
 */
#define WRITE_ONCE_PTR(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
/*
 * PEEKED_STORE_PTR: a store to a word that only lock-free peeks of other threads read (an entry's
 * own ->next, which shares its word with compound_head: compaction's scanners peek at it, as the
 * kernel's do, and validate under the lock).  ThreadSanitizer builds make it atomic so those peeks
 * are not reported; other builds keep the plain store, which the compiler may combine with its
 * neighbours (this is the hot per-CPU list push and pop).
 */
#if defined(__SANITIZE_THREAD__)
#define PEEKED_STORE_PTR(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define PEEKED_STORE_PTR(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#endif
#endif
#ifndef PEEKED_STORE_PTR
#define PEEKED_STORE_PTR(x, v) ((x) = (v))
#endif

static inline void INIT_LIST_HEAD(struct list_head *list)
{
	WRITE_ONCE_PTR(list->next, list);
	list->prev = list;
}

static inline bool list_empty(const struct list_head *head)
{
	return __atomic_load_n(&head->next, __ATOMIC_RELAXED) == head;
}

static inline void __list_add(struct list_head *new, struct list_head *prev, struct list_head *next)
{
	next->prev = new;
	PEEKED_STORE_PTR(new->next, next);	/* page->lru.next shares its word with compound_head */
	new->prev = prev;
	WRITE_ONCE_PTR(prev->next, new);
}

static inline void list_add(struct list_head *new, struct list_head *head)
{
	__list_add(new, head, head->next);
}

static inline void list_add_tail(struct list_head *new, struct list_head *head)
{
	__list_add(new, head->prev, head);
}

/* Poison values as LIST_POISON1/2 (without the kernel's delta): a deleted
 * entry that is used again faults instead of corrupting a list. */
#define LIST_POISON1 ((struct list_head *)0x100)
#define LIST_POISON2 ((struct list_head *)0x122)

static inline void __list_del(struct list_head *prev, struct list_head *next)
{
	next->prev = prev;
	WRITE_ONCE_PTR(prev->next, next);
}

static inline void list_del(struct list_head *entry)
{
	__list_del(entry->prev, entry->next);
	PEEKED_STORE_PTR(entry->next, LIST_POISON1);
	entry->prev = LIST_POISON2;
}

static inline void list_move_tail(struct list_head *list, struct list_head *head)
{
	__list_del(list->prev, list->next);
	list_add_tail(list, head);
}

#endif /* PF_MM_LIST_H */
