/* SPDX-License-Identifier: MIT */
/*
 * platform.h - the only interface between the allocator and the OS.
 *
 * The core (src/mm) calls these and nothing else of the host: memory
 * reservation for the memmap and the hosted window, locks, the current CPU.
 * hosted.c implements them for Linux user space.  A freestanding embedder
 * provides the same functions.  Nothing in here knows about pages or zones.
 */
#ifndef PF_PLATFORM_H
#define PF_PLATFORM_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdbool.h>

/*
 * pf_spinlock_t - a test-and-test-and-set lock standing in for spinlock_t.
 * User space cannot disable preemption: a waiter spins briefly, then yields.
 */
typedef struct {
	atomic_int locked;
} pf_spinlock_t;

void pf_os_cpu_relax_or_yield(unsigned spins);

static inline void pf_spin_lock_init(pf_spinlock_t *l)
{
	atomic_init(&l->locked, 0);
}

static inline bool pf_spin_trylock(pf_spinlock_t *l)
{
	return !atomic_load_explicit(&l->locked, memory_order_relaxed) &&
	       !atomic_exchange_explicit(&l->locked, 1, memory_order_acquire);
}

static inline void pf_spin_lock(pf_spinlock_t *l)
{
	unsigned spins = 0;
	while (!pf_spin_trylock(l))
		pf_os_cpu_relax_or_yield(spins++);
}

static inline void pf_spin_unlock(pf_spinlock_t *l)
{
	atomic_store_explicit(&l->locked, 0, memory_order_release);
}

/*
 * Per-CPU ownership without a locked instruction (x86-64 Linux with rseq
 * and membarrier; elsewhere, and under TSan or valgrind, it is off).
 *
 * A per-CPU structure has a lock word and a remote_pending word.  A thread
 * running on CPU c takes c's structure with pf_os_rseq_trylock: a
 * restartable sequence that checks it still runs on c, that both words are
 * 0, and commits by storing 1 to the lock word; preemption or migration
 * before the commit restarts it, so two threads can never both commit on c.
 * Anyone else (another CPU, a bound thread, a drain) first sets
 * remote_pending, then pf_os_membarrier_rseq(c) aborts any sequence in
 * flight on c, after which no local thread can take the lock and the lock
 * word only changes when the local holder releases it; then an ordinary
 * compare-and-swap takes it.
 *
 * pf_os_rseq_trylock returns 1 when taken, 0 when busy, -1 when the thread
 * is no longer on @cpu.
 */
bool pf_os_rseq_fastpath(void);
int pf_os_rseq_trylock(int *lock, const int *remote_pending, int cpu);
void pf_os_membarrier_rseq(int cpu);
int pf_os_ncpus_possible(void);

/* Reserve @size bytes of address space, readable and writable, committed
 * lazily (untouched pages cost nothing).  Returns NULL on failure. */
void *pf_os_reserve(size_t size);
/* Release a reservation made by pf_os_reserve. */
void pf_os_release(void *addr, size_t size);
/* The host's physical memory in bytes (0 if unknown). */
unsigned long long pf_os_phys_bytes(void);
/* The number of CPUs of the host (at least 1). */
int pf_os_ncpus(void);
/*
 * pf_os_current_cpu - the CPU the calling thread runs on (0 if unknown).
 * Reads the cpu_id the kernel keeps in the thread's rseq area (registered by
 * glibc 2.35+): a few instructions.  Without rseq (old kernels, valgrind)
 * it asks sched_getcpu every 64th call and reuses the answer in between: a
 * stale CPU costs locality, never correctness, since every per-CPU
 * structure is guarded by its own lock.
 */
int pf_os_current_cpu_slow(void);
extern long pf_os_rseq_offset;	/* 0 when rseq is not registered; set before main() */
static inline int pf_os_current_cpu(void)
{
	if (__builtin_expect(pf_os_rseq_offset != 0, 1)) {
		const int *cpu_id = (const int *)((const char *)__builtin_thread_pointer() + pf_os_rseq_offset + 4);
		int cpu = __atomic_load_n(cpu_id, __ATOMIC_RELAXED);
		if (__builtin_expect(cpu >= 0, 1))
			return cpu;
	}
	return pf_os_current_cpu_slow();
}
/* A monotonic clock in nanoseconds. */
unsigned long long pf_os_now_ns(void);
/* The calling thread's id and command name, for reports and traces. */
int pf_os_tid(void);
const char *pf_os_comm(void);

#endif /* PF_PLATFORM_H */
