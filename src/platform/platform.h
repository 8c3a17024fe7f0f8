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

/* the debug level (internal.h explains it); the lock layout below depends on it */
#ifndef PF_DEBUG_VM
#define PF_DEBUG_VM 1
#endif

/*
 * pf_spinlock_t - a test-and-test-and-set lock standing in for spinlock_t.
 * User space cannot disable preemption: a waiter spins briefly, then yields.
 */
typedef struct {
	atomic_int locked;
#if PF_DEBUG_VM >= 1
	/* debug builds: the holding thread (pf_spin_held), when taken through pf_spin_lock / trylock */
	_Atomic(const void *) owner;
#endif
} pf_spinlock_t;

void pf_os_cpu_relax_or_yield(unsigned spins);
/* the most memmap a machine may ask for, in bytes: PAGEFRAME_MEMMAP_LIMIT if set, else half the host's RAM */
unsigned long long pf_os_memmap_limit(void);

#if PF_DEBUG_VM >= 1
/* one byte per thread; its address names the thread (hosted.c) */
extern _Thread_local char pf_os_thread_token;
#define PF_SPIN_SET_OWNER(l, who) atomic_store_explicit(&(l)->owner, (who), memory_order_relaxed)
#else
#define PF_SPIN_SET_OWNER(l, who) ((void)(l))
#endif

static inline void pf_spin_lock_init(pf_spinlock_t *l)
{
	atomic_init(&l->locked, 0);
	PF_SPIN_SET_OWNER(l, NULL);
}

static inline __attribute__((always_inline)) bool pf_spin_trylock(pf_spinlock_t *l)
{
	if (atomic_load_explicit(&l->locked, memory_order_relaxed) ||
	    atomic_exchange_explicit(&l->locked, 1, memory_order_acquire))
		return false;
	PF_SPIN_SET_OWNER(l, &pf_os_thread_token);
	return true;
}

static inline __attribute__((always_inline)) void pf_spin_lock(pf_spinlock_t *l)
{
	unsigned spins = 0;
	while (!pf_spin_trylock(l))
		pf_os_cpu_relax_or_yield(spins++);
}

static inline __attribute__((always_inline)) void pf_spin_unlock(pf_spinlock_t *l)
{
	PF_SPIN_SET_OWNER(l, NULL);
	atomic_store_explicit(&l->locked, 0, memory_order_release);
}

/*
 * pf_spin_held - for lockdep_assert_held (internal.h): true when the lock
 * is held by this thread.  A lock taken by a restartable sequence (a
 * pageset's) has no owner recorded; held then means held by anyone.
 * Only meaningful in debug builds.
 */
static inline bool pf_spin_held(pf_spinlock_t *l)
{
	if (!atomic_load_explicit(&l->locked, memory_order_relaxed))
		return false;
#if PF_DEBUG_VM >= 1
	const void *who = atomic_load_explicit(&l->owner, memory_order_relaxed);
	return !who || who == &pf_os_thread_token;
#else
	return true;
#endif
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
 * atomic exchange (pf_spin_trylock) takes it.
 *
 * pf_os_rseq_trylock returns 1 when taken, 0 when busy, -1 when the thread
 * is no longer on @cpu.
 */
bool pf_os_rseq_fastpath(void);
void pf_os_membarrier_rseq(int cpu);
int pf_os_ncpus_possible(void);

/* Reserve @size bytes of address space, readable and writable, committed
 * lazily (untouched pages cost nothing).  Returns NULL on failure. */
void *pf_os_reserve(size_t size);
/* Release a reservation made by pf_os_reserve. */
void pf_os_release(void *addr, size_t size);
/*
 * pf_os_protect - make [addr, addr + len) of a reservation inaccessible
 * (@prot PF_OS_PROT_NONE) or readable and writable again (PF_OS_PROT_RW):
 * debug_pagealloc's unmapping (debug_page_alloc.c).  Page-aligned.
 * Returns 0, or -errno (the host may refuse: too many mappings).
 */
#define PF_OS_PROT_NONE	0
#define PF_OS_PROT_RW	1
int pf_os_protect(void *addr, size_t len, int prot);
/*
 * pf_os_fault_handler_install - call @fn(fault address) on SIGSEGV/SIGBUS
 * (once per process; later calls change nothing).  @fn returns true when
 * the fault was its own: the signal's default action follows (the
 * faulting instruction runs again and the process dies of the signal);
 * otherwise the handler the process had before is called.  Returns 0 or -errno.
 */
int pf_os_fault_handler_install(bool (*fn)(void *addr));
/* The host's physical memory in bytes (0 if unknown). */
unsigned long long pf_os_phys_bytes(void);
/* The number of CPUs of the host (at least 1). */
int pf_os_ncpus(void);
/*
 * pf_os_at_thread_exit - have @fn called once in the calling thread when it
 * ends (a pthread key's destructor on a hosted machine); a second call for
 * the same @fn in the same thread adds nothing.  Up to 4 functions in all.
 * The keys are deleted when the library is unloaded (threads that live on
 * then skip their functions); later calls return -1.
 * Return: 0, or -1 when they cannot be registered (the caller's state then
 * simply outlives the thread).
 */
int pf_os_at_thread_exit(void (*fn)(void));

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
/* from the library's __rseq_cs descriptors to their copy that is never unmapped (hosted.c) */
extern long pf_os_rseq_cs_shift;
extern _Thread_local int pf_os_cpu_cached __attribute__((tls_model("initial-exec")));	/* -1: not asked yet */
extern _Thread_local unsigned pf_os_cpu_calls __attribute__((tls_model("initial-exec")));
/* The cpu_id of the thread's rseq area, or -1 when rseq is not registered. */
static inline __attribute__((always_inline)) int pf_os_rseq_cpu(void)
{
	if (__builtin_expect(pf_os_rseq_offset != 0, 1)) {
		const int *cpu_id = (const int *)((const char *)__builtin_thread_pointer() + pf_os_rseq_offset + 4);
		return __atomic_load_n(cpu_id, __ATOMIC_RELAXED);
	}
	return -1;
}

static inline __attribute__((always_inline)) int pf_os_current_cpu(void)
{
	int cpu = pf_os_rseq_cpu();
	if (__builtin_expect(cpu >= 0, 1))
		return cpu;
	if (__builtin_expect((++pf_os_cpu_calls & 63) != 0 && pf_os_cpu_cached >= 0, 1))
		return pf_os_cpu_cached;
	return pf_os_current_cpu_slow();
}

/* pf_os_current_cpu without a call: -1 when only pf_os_current_cpu_slow can tell. */
static inline __attribute__((always_inline)) int pf_os_current_cpu_nocall(void)
{
	int cpu = pf_os_rseq_cpu();
	if (__builtin_expect(cpu >= 0, 1))
		return cpu;
	if (__builtin_expect((++pf_os_cpu_calls & 63) != 0, 1))
		return pf_os_cpu_cached;	/* -1 until asked once */
	return -1;
}

#if defined(__SANITIZE_THREAD__)
#define PF_RSEQ_DISABLED 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define PF_RSEQ_DISABLED 1
#endif
#endif

#if defined(__x86_64__) && defined(__linux__) && !defined(PF_RSEQ_DISABLED)
#define PF_HAVE_RSEQ_ASM 1
/*
 * pf_os_rseq_trylock: the critical section [1, 2) compares the thread's
 * rseq cpu_id with @cpu, checks the lock word and remote_pending, and
 * commits the lock word with one plain store; if the kernel preempts,
 * migrates or signals the thread inside it, it restarts at 4 (after the
 * signature glibc registered rseq with), which reports -1.  Inline, so the
 * fast paths pay no call; each copy has its own descriptor in __rseq_cs.
 * The thread's rseq area is pointed at that descriptor's copy in memory
 * the library never unmaps (pf_os_rseq_cs_shift, hosted.c rseq_cs_copy):
 * the pointer stays set after the section, until the kernel next looks,
 * and a thread asleep across a dlclose must find a descriptor there (and a
 * signature before its abort address) when it wakes.
 */
static inline __attribute__((always_inline)) int pf_os_rseq_trylock(int *lock, const int *remote_pending, int cpu)
{
	struct pf_os_rseq_area {
		unsigned int cpu_id_start, cpu_id;
		unsigned long long rseq_cs;
	} *rs = (struct pf_os_rseq_area *)((char *)__builtin_thread_pointer() + pf_os_rseq_offset);

	__asm__ __volatile__ goto(
		".pushsection __rseq_cs, \"aw\"\n\t"
		".balign 32\n\t"
		"3:\n\t"
		".long 0x0, 0x0\n\t"
		".quad 1f, (2f - 1f), 4f\n\t"
		".popsection\n\t"
		"leaq 3b(%%rip), %%rax\n\t"
		"addq %[shift], %%rax\n\t"
		"movq %%rax, %[rseq_cs]\n\t"
		"1:\n\t"
		"cmpl %[cpu], %[cpu_id]\n\t"
		"jnz %l[migrated]\n\t"
		"cmpl $0, %[lock]\n\t"
		"jnz %l[busy]\n\t"
		"cmpl $0, %[pending]\n\t"
		"jnz %l[busy]\n\t"
		"movl $1, %[lock]\n\t"
		"2:\n\t"
		".pushsection __rseq_failure, \"ax\"\n\t"
		".long 0x53053053\n\t"
		"4:\n\t"
		"jmp %l[migrated]\n\t"
		".popsection\n\t"
		:
		: [rseq_cs] "m"(rs->rseq_cs), [cpu_id] "m"(rs->cpu_id), [cpu] "r"(cpu), [lock] "m"(*lock),
		  [pending] "m"(*remote_pending), [shift] "m"(pf_os_rseq_cs_shift)
		: "memory", "cc", "rax"
		: migrated, busy);
	return 1;
busy:
	return 0;
migrated:
	return -1;
}
#else
static inline __attribute__((always_inline)) int pf_os_rseq_trylock(int *lock, const int *remote_pending, int cpu)
{
	(void)lock;
	(void)remote_pending;
	(void)cpu;
	return -1;
}
#endif
/*
 * A worker thread that sleeps until woken or a timeout passes (kcompactd's
 * wait_event_freezable_timeout).  pf_os_worker_start runs @fn(@arg) in a new
 * thread; pf_os_worker_wait returns true when woken (the wake is consumed),
 * false when @timeout_ms (< 0: none) ran out or the worker is asked to stop;
 * pf_os_worker_should_stop is kthread_should_stop; pf_os_worker_stop asks,
 * wakes, joins and frees.
 */
struct pf_os_worker;
struct pf_os_worker *pf_os_worker_start(void (*fn)(void *), void *arg, const char *name);
bool pf_os_worker_wait(struct pf_os_worker *w, long timeout_ms);
void pf_os_worker_wake(struct pf_os_worker *w);
bool pf_os_worker_should_stop(struct pf_os_worker *w);
void pf_os_worker_stop(struct pf_os_worker *w);

/* A monotonic clock in nanoseconds. */
unsigned long long pf_os_now_ns(void);
/* pf_os_yield - give the CPU to another thread (cond_resched) */
void pf_os_yield(void);
/* pf_os_sleep_ns - the calling thread sleeps for @ns nanoseconds (memory.high's throttling) */
void pf_os_sleep_ns(unsigned long long ns);
/* The calling thread's id and command name, for reports and traces. */
int pf_os_tid(void);
const char *pf_os_comm(void);
/* The process id (the kernel's tgid of the calling thread). */
int pf_os_tgid(void);

/*
 * Call stacks, for page_owner (stack_trace_save and %pS): pf_os_stack_save
 * stores up to @max return addresses of the calling thread, innermost
 * first, leaving out the @skip innermost (pf_os_stack_save's own frame is
 * never stored); return: how many were stored.  pf_os_stack_prepare makes
 * the first capture's lazy set-up happen now (glibc loads its unwinder on
 * first use).  pf_os_symbolize writes @addr as "name+0xoff/0xsize", with
 * " [object]" after it for code outside the main program, or "0x<addr>"
 * when no symbol covers it (the object's .symtab, read from its file once,
 * else its dynamic symbols); return: the length (snprintf's).
 */
unsigned int pf_os_stack_save(unsigned long *entries, unsigned int max, unsigned int skip);
void pf_os_stack_prepare(void);
int pf_os_symbolize(unsigned long addr, char *buf, size_t len);

/*
 * Memory behind a machine's pages (the description's backing line; hosted.c).
 * pf_os_mem_map maps @size bytes of the kind asked for, readable and
 * writable: PF_OS_MEM_ANON private anonymous memory committed lazily (the
 * pf_os_reserve of "backing hosted"); PF_OS_MEM_MEMFD an anonymous file
 * (memfd_create) mapped shared; PF_OS_MEM_FILE the file @name, created if
 * absent and extended to @size, mapped shared so what is written stays in
 * it; PF_OS_MEM_HUGETLB a hugetlbfs memfd of 2 MiB pages, mapped shared
 * with its huge pages reserved at once; PF_OS_MEM_SHM the POSIX shared
 * memory object @name (shm_open), created if absent, mapped shared.  A file
 * or object larger than @size is refused (it was made for another
 * machine).  On failure @err says what and why, and nothing stays mapped
 * or open.  PF_OS_MEM_EXTERNAL is memory the caller mapped:
 * pf_os_mem_external records it, and unmap leaves it alone.
 *
 * pf_os_mem_discard gives [@off, @off + @len) back to the host, the way
 * the kind allows: fallocate(PUNCH_HOLE | KEEP_SIZE) for a file descriptor
 * (memfd, file, hugetlbfs, shm), otherwise madvise with MADV_DONTNEED
 * (@how PF_OS_DISCARD_DONTNEED) or MADV_FREE (PF_OS_DISCARD_FREE).  Only
 * whole granules (mem->granule bytes, aligned) are given back; the part of
 * the range outside them is left as it is.  Return: 0 or -errno.
 */
enum pf_os_mem_kind {
	PF_OS_MEM_ANON,
	PF_OS_MEM_MEMFD,
	PF_OS_MEM_FILE,
	PF_OS_MEM_HUGETLB,
	PF_OS_MEM_SHM,
	PF_OS_MEM_EXTERNAL,
};
#define PF_OS_DISCARD_DONTNEED	0
#define PF_OS_DISCARD_FREE	1
struct pf_os_mem {
	int kind;
	int fd;			/* -1 when there is none */
	char *base;
	size_t size;
	size_t granule;		/* what discard gives back at least: the host page, or the huge page */
};
int pf_os_mem_map(struct pf_os_mem *mem, int kind, const char *name, size_t size, char *err, size_t errlen);
void pf_os_mem_external(struct pf_os_mem *mem, void *base, size_t size);
void pf_os_mem_unmap(struct pf_os_mem *mem);
int pf_os_mem_discard(struct pf_os_mem *mem, size_t off, size_t len, int how);
/* pf_os_shm_name_ok - @name is a POSIX shared memory name shm_open takes: "/x" or "x", no other '/' */
bool pf_os_shm_name_ok(const char *name);

#endif /* PF_PLATFORM_H */
