/* SPDX-License-Identifier: MIT */
/*
 * hosted.c - platform.h for Linux user space: mmap / madvise for memory,
 * the current CPU from rseq (sched_getcpu without it), membarrier for the
 * remote pageset protocol, sched_yield for lock back-off, the clock, gettid,
 * the host's RAM and environment settings (PAGEFRAME_NO_RSEQ,
 * PAGEFRAME_MEMMAP_LIMIT), and pthreads for the kcompactd worker.  The only
 * file of the library that calls the OS.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "platform.h"
#include <errno.h>
#include <signal.h>

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <execinfo.h>
#include <link.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <sys/rseq.h>
#include <linux/membarrier.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <errno.h>
#include <unistd.h>

#if PF_DEBUG_VM >= 1
_Thread_local char pf_os_thread_token;	/* platform.h: names this thread as a lock owner */
#endif

void pf_os_cpu_relax_or_yield(unsigned spins)
{
	if (spins < 64) {
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
		return;
	}
	sched_yield();
}

void pf_os_yield(void)
{
	sched_yield();
}

void *pf_os_reserve(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

void pf_os_release(void *addr, size_t size)
{
	if (addr)
		munmap(addr, size);
}

int pf_os_protect(void *addr, size_t len, int prot)
{
	if (mprotect(addr, len, prot == PF_OS_PROT_RW ? PROT_READ | PROT_WRITE : PROT_NONE))
		return -errno;
	return 0;
}

/* The fault handler: one per process, chained to what was there before. */
static bool (*pf_os_fault_fn)(void *addr);
static struct sigaction pf_os_fault_prev[2];	/* SIGSEGV, SIGBUS */

static void pf_os_fault_signal(int sig, siginfo_t *si, void *uc)
{
	struct sigaction *prev = &pf_os_fault_prev[sig == SIGBUS];
	bool fn_took_it = pf_os_fault_fn && pf_os_fault_fn(si->si_addr);
	if (!fn_took_it && (prev->sa_flags & SA_SIGINFO) && prev->sa_sigaction) {
		prev->sa_sigaction(sig, si, uc);
		return;
	}
	if (!fn_took_it && !(prev->sa_flags & SA_SIGINFO) && prev->sa_handler != SIG_DFL) {
		if (prev->sa_handler != SIG_IGN)
			prev->sa_handler(sig);
		return;
	}
	/* the default action: the faulting instruction runs again and the signal kills the process */
	signal(sig, SIG_DFL);
}

int pf_os_fault_handler_install(bool (*fn)(void *addr))
{
	static atomic_int installed;
	if (atomic_exchange(&installed, 1))
		return 0;
	pf_os_fault_fn = fn;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = pf_os_fault_signal;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, &pf_os_fault_prev[0]) || sigaction(SIGBUS, &sa, &pf_os_fault_prev[1])) {
		atomic_store(&installed, 0);
		return -errno;
	}
	return 0;
}

/*
 * Unloaded (dlclose), the library must not leave the process's SIGSEGV and
 * SIGBUS handlers in unmapped code: the program's own handlers, or the
 * default, come back - unless someone installed another since, which then
 * owns the chain.  Also runs at process exit.
 */
__attribute__((destructor)) static void pf_os_fault_handler_fini(void)
{
	static const int sigs[2] = { SIGSEGV, SIGBUS };
	if (!pf_os_fault_fn)
		return;
	for (int i = 0; i < 2; i++) {
		struct sigaction now;
		if (!sigaction(sigs[i], NULL, &now) && (now.sa_flags & SA_SIGINFO) &&
		    now.sa_sigaction == pf_os_fault_signal)
			sigaction(sigs[i], &pf_os_fault_prev[i], NULL);
	}
}

unsigned long long pf_os_phys_bytes(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
	return pages > 0 && size > 0 ? (unsigned long long)pages * (unsigned long long)size : 0;
}

int pf_os_ncpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

/* struct rseq's cpu_id is the second 32-bit word (offset 4), as pf_os_current_cpu reads it. */
_Static_assert(offsetof(struct rseq, cpu_id) == 4, "struct rseq layout");
_Static_assert(offsetof(struct rseq, rseq_cs) == 8, "struct rseq layout (platform.h pf_os_rseq_trylock)");

static long rseq_offset_if_registered(void)
{
	if (__rseq_size == 0)
		return 0;
	const struct rseq *rs = (const struct rseq *)((const char *)__builtin_thread_pointer() + __rseq_offset);
	if ((int)rs->cpu_id < 0)	/* RSEQ_CPU_ID_REGISTRATION_FAILED / UNINITIALIZED */
		return 0;
	return (long)__rseq_offset;
}

long pf_os_rseq_offset;
__attribute__((constructor)) static void pf_os_init_rseq(void)
{
	/* set once before main(); read-only afterwards */
	pf_os_rseq_offset = rseq_offset_if_registered();
}

_Thread_local int pf_os_cpu_cached __attribute__((tls_model("initial-exec"))) = -1;
_Thread_local unsigned pf_os_cpu_calls __attribute__((tls_model("initial-exec")));

/* Without rseq: ask sched_getcpu, and let the next 63 calls reuse the answer (platform.h). */
int pf_os_current_cpu_slow(void)
{
	int cpu = sched_getcpu();
	pf_os_cpu_cached = cpu < 0 ? 0 : cpu;
	return pf_os_cpu_cached;
}

unsigned long long pf_os_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

void pf_os_sleep_ns(unsigned long long ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull) };
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int pf_os_tid(void)
{
	return (int)syscall(SYS_gettid);
}

const char *pf_os_comm(void)
{
	static _Thread_local char comm[17];
	if (!comm[0] && prctl(PR_GET_NAME, comm, 0, 0, 0) != 0)
		strcpy(comm, "unknown");
	return comm;
}

/* ---- thread exit ------------------------------------------------------------------------ */

enum { AT_EXIT_MAX = 4 };
static void (*at_exit_fns[AT_EXIT_MAX])(void);
static pthread_key_t at_exit_keys[AT_EXIT_MAX];
static pthread_mutex_t at_exit_lock = PTHREAD_MUTEX_INITIALIZER;
static bool at_exit_closed;	/* under at_exit_lock: the library is going away, no key is made any more */

/* Each registered function has its own key, whose destructor finds the function by the value stored. */
static void at_exit_run(void *fnp)
{
	void (**slot)(void) = fnp;
	(*slot)();
}

int pf_os_at_thread_exit(void (*fn)(void))
{
	int i;
	pthread_mutex_lock(&at_exit_lock);
	if (at_exit_closed) {
		pthread_mutex_unlock(&at_exit_lock);
		return -1;
	}
	for (i = 0; i < AT_EXIT_MAX && at_exit_fns[i] && at_exit_fns[i] != fn; i++)
		;
	if (i < AT_EXIT_MAX && !at_exit_fns[i]) {
		if (pthread_key_create(&at_exit_keys[i], at_exit_run) != 0)
			i = AT_EXIT_MAX;
		else
			__atomic_store_n(&at_exit_fns[i], fn, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&at_exit_lock);
	if (i >= AT_EXIT_MAX)
		return -1;
	return pthread_setspecific(at_exit_keys[i], &at_exit_fns[i]) ? -1 : 0;
}

/*
 * The keys leave with the library.  A shared library unloaded (dlclose)
 * while threads that registered a function still live would otherwise
 * leave those threads a destructor in unmapped code, called when they end.
 * The C library never runs the destructor of a deleted key, so such a
 * thread's function is skipped: what it would have handed back belongs to
 * machines that were destroyed before the unload (docs/ERRORS.md: unloading).
 * Also runs at process exit, where skipping changes nothing.
 */
__attribute__((destructor)) static void pf_os_at_exit_fini(void)
{
	pthread_mutex_lock(&at_exit_lock);
	for (int i = 0; i < AT_EXIT_MAX && at_exit_fns[i]; i++)
		pthread_key_delete(at_exit_keys[i]);
	at_exit_closed = true;
	pthread_mutex_unlock(&at_exit_lock);
}

int pf_os_tgid(void)
{
	return (int)getpid();
}

/* ---- call stacks (page_owner) ------------------------------------------------------------ */

__attribute__((noinline)) unsigned int pf_os_stack_save(unsigned long *entries, unsigned int max, unsigned int skip)
{
	enum { DEPTH = 64 };
	void *frames[DEPTH];
	int n = backtrace(frames, DEPTH);
	unsigned int out = 0;

	/* frames[0] is this function */
	for (int i = 1 + (int)skip; i < n && out < max; i++)
		entries[out++] = (unsigned long)frames[i];
	return out;
}

void pf_os_stack_prepare(void)
{
	void *one[1];
	(void)backtrace(one, 1);
}

/*
 * An object's full symbol table (.symtab), read once from its file, for the
 * functions the dynamic table does not name (static ones, and every hidden
 * one of the library).  Function symbols sorted by address; the file stays
 * mapped while the process lives.  Up to 16 objects.
 */
struct symtab_fn {
	unsigned long start, size;
	const char *name;
};
static struct symtab_obj {
	char path[256];
	unsigned long bias;		/* link_map l_addr: file addresses + bias = run addresses */
	struct symtab_fn *fn;
	size_t nfn;
} symtab_objs[16];
static int symtab_nobjs;
static pthread_mutex_t symtab_lock = PTHREAD_MUTEX_INITIALIZER;

static int symtab_fn_cmp(const void *a, const void *b)
{
	const struct symtab_fn *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* load an object's function symbols; Context: symtab_lock held */
static void symtab_load(struct symtab_obj *o, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return;
	if (fstat(fd, &st) || (size_t)st.st_size < sizeof(ElfW(Ehdr))) {
		close(fd);
		return;
	}
	const unsigned char *f = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (f == MAP_FAILED)
		return;
	size_t fsize = (size_t)st.st_size;
	const ElfW(Ehdr) *eh = (const void *)f;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_shentsize != sizeof(ElfW(Shdr)) || eh->e_shoff + (size_t)eh->e_shnum * sizeof(ElfW(Shdr)) > fsize)
		return;
	const ElfW(Shdr) *sh = (const void *)(f + eh->e_shoff);
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
			continue;
		const ElfW(Shdr) *strs = &sh[sh[i].sh_link];
		if (sh[i].sh_offset + sh[i].sh_size > fsize || strs->sh_offset + strs->sh_size > fsize ||
		    sh[i].sh_entsize != sizeof(ElfW(Sym)))
			return;
		const ElfW(Sym) *sym = (const void *)(f + sh[i].sh_offset);
		size_t n = sh[i].sh_size / sizeof(ElfW(Sym));
		struct symtab_fn *fn = malloc(n * sizeof *fn);
		size_t nfn = 0;
		if (!fn)
			return;
		for (size_t k = 0; k < n; k++) {
			if (ELF64_ST_TYPE(sym[k].st_info) != STT_FUNC || sym[k].st_shndx == SHN_UNDEF || !sym[k].st_size ||
			    sym[k].st_name >= strs->sh_size)
				continue;
			fn[nfn].start = (unsigned long)sym[k].st_value;
			fn[nfn].size = (unsigned long)sym[k].st_size;
			fn[nfn].name = (const char *)(f + strs->sh_offset + sym[k].st_name);
			nfn++;
		}
		qsort(fn, nfn, sizeof *fn, symtab_fn_cmp);
		o->fn = fn;
		o->nfn = nfn;
		return;
	}
}

/* the function of the object at @path (bias @bias) that covers @addr, or NULL */
static const struct symtab_fn *symtab_find(const char *path, unsigned long bias, unsigned long addr)
{
	struct symtab_obj *o = NULL;

	pthread_mutex_lock(&symtab_lock);
	for (int i = 0; i < symtab_nobjs; i++)
		if (symtab_objs[i].bias == bias && !strcmp(symtab_objs[i].path, path)) {
			o = &symtab_objs[i];
			break;
		}
	if (!o && symtab_nobjs < (int)(sizeof symtab_objs / sizeof symtab_objs[0]) && strlen(path) < sizeof o->path) {
		o = &symtab_objs[symtab_nobjs++];
		strcpy(o->path, path);
		o->bias = bias;
		symtab_load(o, path);
	}
	pthread_mutex_unlock(&symtab_lock);
	if (!o || !o->nfn)
		return NULL;
	unsigned long off = addr - bias;
	size_t lo = 0, hi = o->nfn;
	while (lo < hi) {	/* the last function starting at or below off */
		size_t mid = (lo + hi) / 2;
		if (o->fn[mid].start <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || off - o->fn[lo - 1].start >= o->fn[lo - 1].size)
		return NULL;
	return &o->fn[lo - 1];
}

int pf_os_symbolize(unsigned long addr, char *buf, size_t len)
{
	Dl_info info;
	struct link_map *map = NULL;

	if (!dladdr1((void *)addr, &info, (void **)&map, RTLD_DL_LINKMAP) || !map)
		return snprintf(buf, len, "0x%lx", addr);
	bool main_program = !map->l_name || !map->l_name[0];
	const char *name = NULL;
	unsigned long off = 0, size = 0;
	const struct symtab_fn *fn = symtab_find(main_program ? "/proc/self/exe" : map->l_name,
						 (unsigned long)map->l_addr, addr);
	if (fn) {
		name = fn->name;
		off = addr - (unsigned long)map->l_addr - fn->start;
		size = fn->size;
	} else {
		const ElfW(Sym) *sym = NULL;
		Dl_info info2;
		if (dladdr1((void *)addr, &info2, (void **)&sym, RTLD_DL_SYMENT) && info2.dli_sname && sym) {
			off = addr - (unsigned long)info2.dli_saddr;
			size = (unsigned long)sym->st_size;
			/* the nearest exported symbol may not cover the address */
			if (!size || off < size)
				name = info2.dli_sname;
		}
	}
	if (!name)
		return snprintf(buf, len, "0x%lx", addr);
	int n = snprintf(buf, len, "%s+0x%lx/0x%lx", name, off, size);	/* the kernel prints 0x0 for 0 */
	if (!main_program) {
		/* like a module name: the object's file name up to its first dot */
		const char *base = strrchr(map->l_name, '/');
		base = base ? base + 1 : map->l_name;
		size_t blen = strcspn(base, ".");
		size_t used = n > 0 && (size_t)n < len ? (size_t)n : len;
		n += snprintf(buf + used, len - used, " [%.*s]", (int)blen, base);
	}
	return n;
}

/* ---- rseq per-CPU ownership ---------------------------------------------------------- */

static bool rseq_fastpath;
static int host_ncpus_possible;
long pf_os_rseq_cs_shift;

#if defined(PF_HAVE_RSEQ_ASM)
/* the linker's bounds of the critical sections' descriptors (platform.h pf_os_rseq_trylock) */
extern const char __start___rseq_cs[] __attribute__((weak));
extern const char __stop___rseq_cs[] __attribute__((weak));

/* rseq's critical-section descriptor (struct rseq_cs of linux/rseq.h), as platform.h lays them out */
struct pf_os_rseq_cs {
	uint32_t version, flags;
	uint64_t start_ip, post_commit_offset, abort_ip;
};
_Static_assert(sizeof(struct pf_os_rseq_cs) == 32, "one descriptor per 32 bytes of __rseq_cs");

/*
 * An abort stub of the copy (rseq_cs_copy): the signature word the kernel
 * checks in front of an abort address, then a jump to the section's own
 * abort label: jmp *0(%rip), the absolute address following it.
 */
struct pf_os_rseq_stub {
	uint32_t sig;
	uint8_t jmp[6];
	uint64_t target;
	uint8_t pad[14];
} __attribute__((packed));
_Static_assert(sizeof(struct pf_os_rseq_stub) == 32, "one stub per 32 bytes");

/*
 * rseq_cs_copy - the descriptors copied, with an abort stub each, into
 * anonymous memory that is never unmapped, and the shift from each
 * descriptor to its copy (pf_os_rseq_cs_shift).  A thread's rseq area keeps
 * naming the descriptor of its last critical section until the kernel next
 * looks at it (after a preemption, a signal or a sleep), and the kernel then
 * reads the descriptor and the signature word in front of its abort address
 * before it even asks whether the thread is inside the section.  Had they
 * stayed in libpageframe.so, a thread asleep while it is unloaded would name
 * unmapped memory, and the kernel, unable to read it when the thread wakes,
 * would kill the process.  In the copy both stay readable for good: the
 * kernel finds the thread outside the section and clears the pointer.
 * While the library is loaded an abort lands on the stub, which jumps to
 * the section's own abort label.  One page per load of the library, left
 * behind on purpose.  Where the copy cannot be made (no memory, or memory
 * that may not be executed), the descriptors are used where they are: the
 * fast paths keep rseq, an unload is as unsafe for sleeping threads as it
 * was before the copy (docs/ERRORS.md).
 */
static void rseq_cs_copy(void)
{
	uintptr_t start = (uintptr_t)__start___rseq_cs, stop = (uintptr_t)__stop___rseq_cs;
	if (!start || !stop || stop <= start || (stop - start) % sizeof(struct pf_os_rseq_cs))
		return;
	size_t len = stop - start, n = len / sizeof(struct pf_os_rseq_cs);
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	/* at the same offset in its page as the original (the 32-byte alignment), the stubs after them */
	size_t lead = start % page;
	size_t size = (lead + len + n * sizeof(struct pf_os_rseq_stub) + page - 1) / page * page;
	char *copy = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (copy == MAP_FAILED)
		return;
	struct pf_os_rseq_cs *cs = (struct pf_os_rseq_cs *)(void *)(copy + lead);
	struct pf_os_rseq_stub *stub = (struct pf_os_rseq_stub *)(void *)(copy + lead + len);
	memcpy(cs, __start___rseq_cs, len);
	for (size_t i = 0; i < n; i++) {
		static const uint8_t jmp_rip[6] = { 0xff, 0x25, 0, 0, 0, 0 };
		stub[i].sig = 0x53053053;	/* RSEQ_SIG on x86, as glibc registers it (platform.h's abort label) */
		memcpy(stub[i].jmp, jmp_rip, sizeof jmp_rip);
		stub[i].target = cs[i].abort_ip;
		memset(stub[i].pad, 0xcc, sizeof stub[i].pad);	/* int3 */
		cs[i].abort_ip = (uint64_t)(uintptr_t)stub[i].jmp;
	}
	if (mprotect(copy, size, PROT_READ | PROT_EXEC) != 0) {
		munmap(copy, size);
		return;
	}
	pf_os_rseq_cs_shift = (long)((uintptr_t)cs - start);
}
#endif

__attribute__((constructor)) static void pf_os_init_fastpath(void)
{
	host_ncpus_possible = (int)sysconf(_SC_NPROCESSORS_CONF);
	if (host_ncpus_possible < 1)
		host_ncpus_possible = 1;
#if defined(PF_HAVE_RSEQ_ASM)
	if (!pf_os_rseq_offset || getenv("PAGEFRAME_NO_RSEQ"))
		return;
	long cmds = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
	if (cmds < 0 || !(cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ))
		return;
	if (syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ, 0, 0) != 0)
		return;
	rseq_cs_copy();
	rseq_fastpath = true;
#endif
}

bool pf_os_rseq_fastpath(void)
{
	return rseq_fastpath;
}

int pf_os_ncpus_possible(void)
{
	return host_ncpus_possible;
}

void pf_os_membarrier_rseq(int cpu)
{
	/* Restart every rseq critical section running on @cpu (Linux 5.10+). */
	if (syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ, MEMBARRIER_CMD_FLAG_CPU, cpu) != 0)
		syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ, 0, 0);
}

unsigned long long pf_os_memmap_limit(void)
{
	const char *env = getenv("PAGEFRAME_MEMMAP_LIMIT");
	if (env && *env)
		return strtoull(env, NULL, 0);
	return pf_os_phys_bytes() / 2;
}

/* ---- the worker thread (platform.h) ---- */

#include <pthread.h>
#include <errno.h>
#include <stdio.h>

struct pf_os_worker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* on CLOCK_MONOTONIC */
	bool woken;
	bool stop;
	void (*fn)(void *);
	void *arg;
	char name[16];
};

static void *pf_os_worker_main(void *p)
{
	struct pf_os_worker *w = p;
	prctl(PR_SET_NAME, w->name, 0, 0, 0);
	w->fn(w->arg);
	return NULL;
}

struct pf_os_worker *pf_os_worker_start(void (*fn)(void *), void *arg, const char *name)
{
	struct pf_os_worker *w = calloc(1, sizeof *w);
	pthread_condattr_t ca;
	if (!w)
		return NULL;
	w->fn = fn;
	w->arg = arg;
	snprintf(w->name, sizeof w->name, "%s", name);
	pthread_mutex_init(&w->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&w->thread, NULL, pf_os_worker_main, w)) {
		pthread_cond_destroy(&w->cond);
		pthread_mutex_destroy(&w->lock);
		free(w);
		return NULL;
	}
	return w;
}

bool pf_os_worker_wait(struct pf_os_worker *w, long timeout_ms)
{
	struct timespec ts;
	bool woken;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (timeout_ms >= 0) {
		ts.tv_sec += timeout_ms / 1000;
		ts.tv_nsec += (timeout_ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&w->lock);
	while (!w->woken && !w->stop) {
		int rc = timeout_ms >= 0 ? pthread_cond_timedwait(&w->cond, &w->lock, &ts)
					 : pthread_cond_wait(&w->cond, &w->lock);
		if (rc == ETIMEDOUT)
			break;
	}
	woken = w->woken && !w->stop;
	w->woken = false;
	pthread_mutex_unlock(&w->lock);
	return woken;
}

void pf_os_worker_wake(struct pf_os_worker *w)
{
	pthread_mutex_lock(&w->lock);
	w->woken = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

bool pf_os_worker_should_stop(struct pf_os_worker *w)
{
	pthread_mutex_lock(&w->lock);
	bool stop = w->stop;
	pthread_mutex_unlock(&w->lock);
	return stop;
}

void pf_os_worker_stop(struct pf_os_worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

/* ---- memory behind a machine's pages (platform.h pf_os_mem_*) ---- */

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#define PF_OS_HUGE_PAGE (2UL << 20)
#ifndef MFD_HUGE_SHIFT
#define MFD_HUGE_SHIFT 26	/* <linux/memfd.h>: the huge page size's log2 sits here in the flags */
#endif

bool pf_os_shm_name_ok(const char *name)
{
	if (!name)
		return false;
	const char *n = name[0] == '/' ? name + 1 : name;
	size_t len = strlen(n);
	if (!len || len > NAME_MAX || !strcmp(n, ".") || !strcmp(n, ".."))
		return false;
	for (const char *c = n; *c; c++)
		if (*c == '/' || (unsigned char)*c < 0x21 || *c == 0x7f)
			return false;
	return true;
}

/* Size the descriptor's file to @size (only ever growing it) and map it shared. */
static int mem_map_fd(struct pf_os_mem *mem, const char *what, size_t size, char *err, size_t errlen)
{
	struct stat st;
	if (fstat(mem->fd, &st) != 0) {
		snprintf(err, errlen, "cannot stat %s: %s", what, strerror(errno));
		return -errno;
	}
	if (mem->kind == PF_OS_MEM_FILE && !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s is not a regular file", what);
		return -EINVAL;
	}
	if ((unsigned long long)st.st_size > (unsigned long long)size) {
		snprintf(err, errlen,
			 "size mismatch: %s holds %llu bytes, more than this machine's %zu (pfn 0 up to its "
			 "last section): it was made for another machine",
			 what, (unsigned long long)st.st_size, size);
		return -EINVAL;
	}
	if ((unsigned long long)st.st_size < (unsigned long long)size && ftruncate(mem->fd, (off_t)size) != 0) {
		int e = errno;
		snprintf(err, errlen, "cannot extend %s to %zu bytes: %s", what, size, strerror(e));
		return -e;
	}
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, mem->fd, 0);
	if (p == MAP_FAILED) {
		int e = errno;
		if (mem->kind == PF_OS_MEM_HUGETLB)
			snprintf(err, errlen,
				 "cannot map %zu MiB of 2 MiB huge pages: %s (the host must have %zu free huge "
				 "pages reserved: /proc/sys/vm/nr_hugepages, HugePages_Free in /proc/meminfo)",
				 size >> 20, strerror(e), size / PF_OS_HUGE_PAGE);
		else
			snprintf(err, errlen, "cannot map %s (%zu MiB) shared: %s", what, size >> 20, strerror(e));
		return -e;
	}
	mem->base = p;
	return 0;
}

int pf_os_mem_map(struct pf_os_mem *mem, int kind, const char *name, size_t size, char *err, size_t errlen)
{
	char what[PATH_MAX + 32];
	int rc;

	memset(mem, 0, sizeof *mem);
	mem->kind = kind;
	mem->fd = -1;
	mem->size = size;
	mem->granule = (size_t)sysconf(_SC_PAGESIZE);
	switch (kind) {
	case PF_OS_MEM_ANON:
		mem->base = pf_os_reserve(size);
		if (!mem->base) {
			snprintf(err, errlen, "cannot reserve %zu MiB of address space", size >> 20);
			return -ENOMEM;
		}
		return 0;
	case PF_OS_MEM_MEMFD:
		mem->fd = memfd_create("pageframe", MFD_CLOEXEC);
		snprintf(what, sizeof what, "the memfd");
		break;
	case PF_OS_MEM_HUGETLB:
		mem->granule = PF_OS_HUGE_PAGE;
		if (size % PF_OS_HUGE_PAGE) {
			snprintf(err, errlen, "%zu bytes is not a whole number of 2 MiB huge pages", size);
			return -EINVAL;
		}
		mem->fd = memfd_create("pageframe-huge", MFD_CLOEXEC | MFD_HUGETLB | (21 << MFD_HUGE_SHIFT));
		snprintf(what, sizeof what, "the hugetlbfs memfd");
		break;
	case PF_OS_MEM_FILE:
		mem->fd = open(name, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		snprintf(what, sizeof what, "'%s'", name);
		break;
	case PF_OS_MEM_SHM:
		if (!pf_os_shm_name_ok(name)) {
			snprintf(err, errlen, "'%s' is not a POSIX shared memory name", name ? name : "");
			return -EINVAL;
		}
		mem->fd = shm_open(name, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		snprintf(what, sizeof what, "shared memory '%s'", name);
		break;
	default:
		snprintf(err, errlen, "unknown kind of memory %d", kind);
		return -EINVAL;
	}
	if (mem->fd < 0) {
		int e = errno;
		if (kind == PF_OS_MEM_FILE)
			snprintf(err, errlen, "cannot open or create %s for reading and writing: %s", what, strerror(e));
		else if (kind == PF_OS_MEM_SHM)
			snprintf(err, errlen, "cannot open or create %s (shm_open): %s", what, strerror(e));
		else
			snprintf(err, errlen, "cannot create %s: %s", what, strerror(e));
		return -e;
	}
	rc = mem_map_fd(mem, what, size, err, errlen);
	if (rc) {
		close(mem->fd);
		mem->fd = -1;
	}
	return rc;
}

void pf_os_mem_external(struct pf_os_mem *mem, void *base, size_t size)
{
	memset(mem, 0, sizeof *mem);
	mem->kind = PF_OS_MEM_EXTERNAL;
	mem->fd = -1;
	mem->base = base;
	mem->size = size;
	mem->granule = (size_t)sysconf(_SC_PAGESIZE);
}

void pf_os_mem_unmap(struct pf_os_mem *mem)
{
	if (mem->base && mem->kind != PF_OS_MEM_EXTERNAL)
		munmap(mem->base, mem->size);
	if (mem->fd >= 0)
		close(mem->fd);
	mem->base = NULL;
	mem->fd = -1;
}

int pf_os_mem_discard(struct pf_os_mem *mem, size_t off, size_t len, int how)
{
	size_t g = mem->granule, start = (off + g - 1) / g * g, end = (off + len) / g * g;
	if (!mem->base || start >= end || end > mem->size)
		return 0;
	if (mem->fd >= 0) {
		if (fallocate(mem->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)start, (off_t)(end - start)))
			return -errno;
		return 0;
	}
	if (madvise(mem->base + start, end - start, how == PF_OS_DISCARD_FREE ? MADV_FREE : MADV_DONTNEED))
		return -errno;
	return 0;
}
