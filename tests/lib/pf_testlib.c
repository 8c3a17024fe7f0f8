/* SPDX-License-Identifier: MIT */
/* pf_testlib.c - the shared test helpers declared in pf_testlib.h. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "pf_testlib.h"

struct pf_machine *pf_test_boot(const char *desc)
{
	char err[256] = "";
	struct pf_machine *m = pf_machine_create(desc, err, sizeof err);
	if (!m)
		fail_msg("pf_machine_create: %s", err);
	return m;
}

char *pf_test_show(struct pf_machine *m, const char *what)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	int rc = pf_show(m, what, f);
	fclose(f);
	if (rc != 0)
		fail_msg("pf_show(%s) returned %d", what, rc);
	return buf;
}

char *pf_test_show_drained(struct pf_machine *m, const char *what)
{
	pf_drain_all_pages(m);
	return pf_test_show(m, what);
}

long pf_test_vmstat(struct pf_machine *m, const char *name)
{
	long v = 0;
	if (pf_vmstat_get(m, name, &v) != 0)
		fail_msg("no vmstat item %s", name);
	return v;
}

void pf_test_check(struct pf_machine *m, const char *when)
{
	char err[512] = "";
	if (pf_check(m, err, sizeof err) != 0)
		fail_msg("pf_check %s: %s", when, err);
}

void pf_test_stamp_block(struct pf_page *page, unsigned order, uint64_t gen)
{
	char *base = pf_page_address(page);
	if (!base)
		return;
	unsigned long pfn = pf_page_to_pfn(page);
	for (unsigned long i = 0; i < (1UL << order); i++)
		if (pf_test_stamped(i, order))
			*(uint64_t *)(base + i * PF_PAGE_SIZE) = pf_test_stamp_of(pfn + i, gen);
}

long pf_test_stamp_check(struct pf_page *page, unsigned order, uint64_t gen)
{
	char *base = pf_page_address(page);
	if (!base)
		return -1;
	unsigned long pfn = pf_page_to_pfn(page);
	for (unsigned long i = 0; i < (1UL << order); i++) {
		if (!pf_test_stamped(i, order))
			continue;
		uint64_t got = *(uint64_t *)(base + i * PF_PAGE_SIZE), want = pf_test_stamp_of(pfn + i, gen);
		if (got != want) {
			fprintf(stderr, "block pfn %#lx order %u gen %llu: page %lu stamp %#llx, expected %#llx\n", pfn,
				order, (unsigned long long)gen, i, (unsigned long long)got, (unsigned long long)want);
			return (long)i;
		}
	}
	return -1;
}

/* ---- watchdog: everything the handler reads is prepared before the alarm can fire ---- */

static char wd_test[96] = "test";
static char wd_phase[2][160];
static atomic_int wd_cur;
static unsigned wd_seconds;

static size_t wd_strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

static void wd_put(const char *s)
{
	ssize_t r = write(STDERR_FILENO, s, wd_strlen(s));
	(void)r;
}

static void wd_fire(int sig)
{
	(void)sig;
	char num[24];
	int i = (int)sizeof num - 1;
	unsigned v = wd_seconds;
	num[i] = 0;
	do {
		num[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v && i > 0);
	wd_put("\nWATCHDOG: ");
	wd_put(wd_test);
	wd_put(" still running after ");
	wd_put(num + i);
	wd_put(" s, phase: ");
	wd_put(wd_phase[atomic_load(&wd_cur) & 1]);
	wd_put("\n");
	abort();
}

void pf_test_watchdog(const char *test, unsigned seconds)
{
	const char *e = getenv("PF_TEST_WATCHDOG");
	if (e && *e)
		seconds = (unsigned)strtoul(e, NULL, 10);
	snprintf(wd_test, sizeof wd_test, "%s", test);
	if (!wd_phase[atomic_load(&wd_cur) & 1][0])
		pf_test_phase("start");
	wd_seconds = seconds;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = wd_fire;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	alarm(seconds);
}

void pf_test_phase(const char *fmt, ...)
{
	int next = (atomic_load(&wd_cur) + 1) & 1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(wd_phase[next], sizeof wd_phase[next], fmt, ap);
	va_end(ap);
	atomic_store(&wd_cur, next);
}
