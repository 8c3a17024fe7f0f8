/* SPDX-License-Identifier: MIT */
/*
 * dlclose_live_thread - libpageframe.so loaded with dlopen, used, every machine destroyed,
 * unloaded with dlclose, and then threads that used it go on.  Two ways that went wrong:
 *
 * keys (no argument): a thread sets a memory policy (cpuset.c registers its thread-exit function
 *   through hosted.c's pthread key) and ends only after the unload.  The key must have left with
 *   the library (hosted.c pf_os_at_exit_fini); otherwise the C library calls the key's
 *   destructor, now unmapped code, and the program dies of SIGSEGV.  PAGEFRAME_NO_RSEQ is set
 *   so that this case checks the keys only.
 * "rseq": the unloading thread itself allocates and frees through the fast paths just before,
 *   then sleeps.  Its rseq area still names the descriptor of the library's last critical
 *   section; the kernel reads it (and the signature word before its abort address) when the
 *   thread comes back from the sleep, and kills the process when that memory is gone.  The
 *   descriptors are used from a copy, each with an abort stub, that the library leaves mapped
 *   (hosted.c rseq_cs_copy).  Where rseq is off (TSan, old kernels) this case shows nothing.
 * "rseq_other": as "rseq", but the thread that used the fast paths is another one, asleep on a
 *   condition variable while the library goes, woken after (before the copy, only the
 *   unloading thread's own area was cleared, and this case died of SIGSEGV).
 * "signals": pf_install_fault_handler put the library's SIGSEGV/SIGBUS handler in front of the
 *   program's own.  After the unload the program's handler must be back (hosted.c
 *   pf_os_fault_handler_fini): a raised SIGSEGV then reaches it, where the library's unmapped
 *   handler would kill the process.
 */
#include <pageframe/pageframe.h>
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/rseq.h>
#include <unistd.h>

static struct pf_machine *(*machine_create)(const char *, char *, size_t);
static void (*machine_destroy)(struct pf_machine *);
static int (*set_mempolicy)(struct pf_machine *, int, const char *);
static struct pf_page *(*alloc_pages)(struct pf_machine *, pf_gfp_t, unsigned);
static int (*install_fault_handler)(struct pf_machine *);
static void (*free_pages)(struct pf_page *, unsigned);

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static struct pf_machine *machine;
static int state;	/* 1: the policy is set (2: it could not be), 3: the thread may end */

static void *policy_then_park(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	state = set_mempolicy(machine, PF_MPOL_BIND, "0") == 0 ? 1 : 2;
	pthread_cond_broadcast(&cond);
	while (state != 3)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	return NULL;	/* ends with its policy set: the key's value is still there */
}

/*
 * Every case's end: destroy @m, unload the library, and make sure it is really gone (or what
 * follows proves nothing).  Return: 0, or 1 after printing what failed.
 */
static int destroy_and_unload(void *lib, struct pf_machine *m)
{
	machine_destroy(m);
	if (dlclose(lib)) {
		printf("FAIL: dlclose: %s\n", dlerror());
		return 1;
	}
	void *again = dlopen(PF_SHARED_LIB, RTLD_NOW | RTLD_NOLOAD);
	if (again) {
		printf("FAIL: %s is still loaded after dlclose\n", PF_SHARED_LIB);
		dlclose(again);
		return 1;
	}
	return 0;
}

/* The rseq case: fast-path traffic on this thread, destroy, unload, sleep. */
static int unload_after_fast_path(void *lib, struct pf_machine *m)
{
	for (int i = 0; i < 1000; i++) {
		struct pf_page *p = alloc_pages(m, PF_GFP_KERNEL, (unsigned)(i & 3));
		if (!p) {
			printf("FAIL: pf_alloc_pages\n");
			return 1;
		}
		free_pages(p, (unsigned)(i & 3));
	}
	if (destroy_and_unload(lib, m))
		return 1;
	usleep(1000);	/* a sleep: the kernel looks at the rseq area on the way back */
	printf("ok: the thread that used the fast paths slept after the library was unloaded\n");
	return 0;
}

/* The rseq_other case's thread: fast-path traffic, then asleep until the library is gone. */
/* The thread's rseq area's pointer to a critical-section descriptor (0: none, or rseq not registered). */
static uint64_t rseq_cs_word(void)
{
	if (__rseq_size == 0)
		return 0;
	return *(volatile uint64_t *)((char *)__builtin_thread_pointer() + __rseq_offset + 8);
}

static int armed;	/* rounds whose thread went to sleep with the pointer set */

static void *fast_path_then_park(void *arg)
{
	struct pf_machine *m = arg;
	int ok = 1;
	for (int i = 0; i < 1000 && ok; i++) {
		struct pf_page *p = alloc_pages(m, PF_GFP_KERNEL, (unsigned)(i & 3));
		if (!p)
			ok = 0;
		else
			free_pages(p, (unsigned)(i & 3));
	}
	/* a preemption since the last section clears the pointer, and the round proves nothing: try again */
	for (int tries = 0; ok && tries < 100 && !rseq_cs_word(); tries++) {
		struct pf_page *p = alloc_pages(m, PF_GFP_KERNEL, 0);
		if (p)
			free_pages(p, 0);
	}
	int set = rseq_cs_word() != 0;
	pthread_mutex_lock(&lock);
	armed += set;
	state = ok ? 1 : 2;
	pthread_cond_broadcast(&cond);
	while (state != 3)
		pthread_cond_wait(&cond, &lock);	/* a sleep: the kernel looks at the rseq area on waking */
	pthread_mutex_unlock(&lock);
	usleep(1000);
	return NULL;
}

/*
 * Both thread cases: start @fn, wait until it is parked (state 1 or 2), destroy @m, unload the
 * library, then let the thread go on (state 3) and join it.  Return: the state the thread
 * reported (1 when its library calls worked), or -1 when the unload failed or left the library
 * loaded (the thread is let go and joined either way: its end must not hang the test).
 */
static int park_unload_release(void *lib, struct pf_machine *m, void *(*fn)(void *))
{
	pthread_t t;
	if (pthread_create(&t, NULL, fn, m)) {
		printf("FAIL: pthread_create\n");
		return -1;
	}
	pthread_mutex_lock(&lock);
	while (!state)
		pthread_cond_wait(&cond, &lock);
	int st = state;
	pthread_mutex_unlock(&lock);
	if (m == machine)
		machine = NULL;
	int failed = destroy_and_unload(lib, m);
	pthread_mutex_lock(&lock);
	state = 3;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	pthread_join(t, NULL);	/* its end runs the destructors of its keys */
	return failed ? -1 : st;
}

static int unload_under_sleeping_thread(void *lib, struct pf_machine *m)
{
	int st = park_unload_release(lib, m, fast_path_then_park);
	if (st < 0)
		return 1;
	if (st != 1) {
		printf("FAIL: pf_alloc_pages in the thread\n");
		return 1;
	}
	return 0;
}

static int load_and_make_machine(void **lib, struct pf_machine **m);
static int keys_case(void *lib);

/* The rseq_other case, three times over: each time a new load, a new thread, an unload under it. */
static int unload_under_sleeping_threads(void *lib, struct pf_machine *m)
{
	for (int round = 0; round < 3; round++) {
		if (round && load_and_make_machine(&lib, &m))
			return 1;
		state = 0;
		if (unload_under_sleeping_thread(lib, m))
			return 1;
	}
	printf("ok: threads that used the fast paths woke after the library was unloaded (%d of 3 asleep "
	       "with their rseq area naming a section)\n", armed);
	return 0;
}

static volatile sig_atomic_t own_handler_calls;

static void own_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	own_handler_calls++;
}

/* The signals case: the program's handler, the library's in front of it, destroy, unload, a raised SIGSEGV. */
static int unload_after_fault_handler(void *lib, struct pf_machine *m)
{
	if (install_fault_handler(m)) {
		printf("FAIL: pf_install_fault_handler\n");
		return 1;
	}
	if (destroy_and_unload(lib, m))
		return 1;
	raise(SIGSEGV);
	raise(SIGBUS);
	if (own_handler_calls != 2) {
		printf("FAIL: the program's own handler ran %d times, not 2\n", (int)own_handler_calls);
		return 1;
	}
	printf("ok: the program's SIGSEGV and SIGBUS handlers are back after the library was unloaded\n");
	return 0;
}

int main(int argc, char **argv)
{
	int rseq_other_case = argc > 1 && !strcmp(argv[1], "rseq_other");
	int rseq_case = rseq_other_case || (argc > 1 && !strcmp(argv[1], "rseq"));
	int signals_case = argc > 1 && !strcmp(argv[1], "signals");

	if (!rseq_case)
		setenv("PAGEFRAME_NO_RSEQ", "1", 1);
	if (signals_case) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_sigaction = own_handler;
		sa.sa_flags = SA_SIGINFO;
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGSEGV, &sa, NULL) || sigaction(SIGBUS, &sa, NULL)) {
			printf("FAIL: sigaction\n");
			return 1;
		}
	}
	void *lib = NULL;
	if (load_and_make_machine(&lib, &machine))
		return 1;
	if (rseq_other_case)
		return unload_under_sleeping_threads(lib, machine);
	if (rseq_case)
		return unload_after_fast_path(lib, machine);
	if (signals_case)
		return unload_after_fault_handler(lib, machine);
	return keys_case(lib);
}

/* dlopen the library, look up what the cases call, make a machine */
static int load_and_make_machine(void **libp, struct pf_machine **mp)
{
	char err[256] = "";
	void *lib = dlopen(PF_SHARED_LIB, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		printf("FAIL: dlopen %s: %s\n", PF_SHARED_LIB, dlerror());
		return 1;
	}
	*(void **)&machine_create = dlsym(lib, "pf_machine_create");
	*(void **)&machine_destroy = dlsym(lib, "pf_machine_destroy");
	*(void **)&set_mempolicy = dlsym(lib, "pf_set_mempolicy");
	*(void **)&alloc_pages = dlsym(lib, "pf_alloc_pages");
	*(void **)&free_pages = dlsym(lib, "pf_free_pages");
	*(void **)&install_fault_handler = dlsym(lib, "pf_install_fault_handler");
	if (!machine_create || !machine_destroy || !set_mempolicy || !alloc_pages || !free_pages ||
	    !install_fault_handler) {
		printf("FAIL: dlsym: %s\n", dlerror());
		return 1;
	}
	*mp = machine_create("mem 0 0x1000-0xffffff\n", err, sizeof err);
	if (!*mp) {
		printf("FAIL: pf_machine_create: %s\n", err);
		return 1;
	}
	*libp = lib;
	return 0;
}

/* The keys case (no argument): a thread with a policy set ends after the unload. */
static int keys_case(void *lib)
{
	int st = park_unload_release(lib, machine, policy_then_park);
	if (st < 0)
		return 1;
	if (st != 1) {
		printf("FAIL: pf_set_mempolicy in the thread\n");
		return 1;
	}
	printf("ok: a thread with a policy set ended after the library was unloaded\n");
	return 0;
}
