/* SPDX-License-Identifier: MIT */
/*
 * hosted.c - platform.h for Linux user space: mmap for memory, sched_getcpu
 * for the current CPU, sched_yield for lock back-off.  The only file of the
 * library that calls the OS.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "platform.h"

#include <sched.h>
#include <stddef.h>
#include <sys/rseq.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

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

int pf_os_ncpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

/* struct rseq's cpu_id is the second 32-bit word (offset 4), as pf_os_current_cpu reads it. */
_Static_assert(offsetof(struct rseq, cpu_id) == 4, "struct rseq layout");

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

int pf_os_current_cpu_slow(void)
{
	static _Thread_local int cached = -1;
	static _Thread_local unsigned calls;
	if (cached < 0 || (calls++ & 63) == 0) {
		int cpu = sched_getcpu();
		cached = cpu < 0 ? 0 : cpu;
	}
	return cached;
}

unsigned long long pf_os_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
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
