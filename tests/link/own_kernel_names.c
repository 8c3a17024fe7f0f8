/* SPDX-License-Identifier: MIT */
/*
 * own_kernel_names - a program that defines the kernel's names itself, with its
 * own meaning, and links libpageframe statically (or dynamically).
 *
 * libpageframe keeps the kernel's function names inside (put_page, __free_pages,
 * bad_page, ...) but must not export them: this program would then fail to link
 * ("multiple definition of `put_page'"), or one side would call the other's
 * function.  It checks that its own functions are the ones it calls, that the
 * library's pf_* calls still work, and that the library never calls into the
 * program's functions (a bad free is reported by the library's bad_page).
 */
#include <pageframe/pageframe.h>
#include <stdio.h>
#include <string.h>

/* The program's own functions, named as the kernel's (and as the library's insides). */
static int calls[16];
enum { C_PUT, C_GET, C_FREE, C_DUMP, C_BAD, C_VALID, C_ALLOC, C_BULK, C_DRAIN, C_ZONE,
       C_ZONELISTS, C_MEMBLOCK, C_FAIL, C_STATS, C_PRINTK };

/* Not the kernel's prototypes on purpose: another program's meaning of the names. */
int put_page(int x);
int get_page(int x);
const char *__free_pages(const char *s);
void dump_page(void);
double bad_page(double d);
int pfn_valid(unsigned long pfn);
void *__alloc_pages(void);
long alloc_pages_bulk(long n);
void drain_all_pages(void);
int gfp_zone(int z);
void build_all_zonelists(void);
void memblock_free_all(void);
int should_fail_alloc_page(void);
void zone_statistics(void);
int pf_printk(int x);			/* a library-internal pf_ name, not public API */
int pf_machine_table[3] = { 7, 8, 9 };	/* data: a library-internal pf_ array */
_Thread_local int pf_bound_cpu = 42;	/* thread-local: a library-internal pf_ variable */

int put_page(int x) { calls[C_PUT]++; return x + 1; }
int get_page(int x) { calls[C_GET]++; return x * 2; }
const char *__free_pages(const char *s) { calls[C_FREE]++; return s; }
void dump_page(void) { calls[C_DUMP]++; }
double bad_page(double d) { calls[C_BAD]++; return d / 2; }
int pfn_valid(unsigned long pfn) { calls[C_VALID]++; return pfn == 12345; }
void *__alloc_pages(void) { calls[C_ALLOC]++; return calls; }
long alloc_pages_bulk(long n) { calls[C_BULK]++; return -n; }
void drain_all_pages(void) { calls[C_DRAIN]++; }
int gfp_zone(int z) { calls[C_ZONE]++; return z + 100; }
void build_all_zonelists(void) { calls[C_ZONELISTS]++; }
void memblock_free_all(void) { calls[C_MEMBLOCK]++; }
int should_fail_alloc_page(void) { calls[C_FAIL]++; return 0; }
void zone_statistics(void) { calls[C_STATS]++; }
int pf_printk(int x) { calls[C_PRINTK]++; return x - 1; }

static int failures;
#define CHECK(cond) do { if (!(cond)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)

static int reports;
static char first_report[256];
static void report(void *arg, int level, const char *line)
{
	(void)arg;
	(void)level;
	if (!reports++)
		snprintf(first_report, sizeof first_report, "%s", line);
}

static int total_calls(void)
{
	int n = 0;
	for (unsigned i = 0; i < sizeof calls / sizeof calls[0]; i++)
		n += calls[i];
	return n;
}

int main(void)
{
	/* 1. The library at work: none of the program's functions may run. */
	char err[256] = "";
	struct pf_machine *m = pf_machine_create("cpus 2\nmem 0 0x100000-0x3fffffff\n", err, sizeof err);
	if (!m) {
		printf("pf_machine_create: %s\n", err);
		return 1;
	}
	pf_set_report_hook(m, report, NULL);
	struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL | PF_GFP_ZERO, 0);
	CHECK(p != NULL);
	if (p) {
		CHECK(pf_page_machine(p) == m);
		CHECK(pf_pfn_to_page(m, pf_page_to_pfn(p)) == p);
		memset(pf_page_address(p), 0xa5, PF_PAGE_SIZE);
		pf_get_page(p);
		CHECK(pf_page_count(p) == 2);
		pf_put_page(p);
		CHECK(pf_page_count(p) == 1);
		pf_free_pages(p, 0);
		pf_free_pages(p, 0);	/* a double free: the library's bad_page reports it */
		CHECK(reports > 0);
		CHECK(strstr(first_report, "Bad page") != NULL || strstr(first_report, "BUG") != NULL);
	}
	struct pf_page *pages[8] = { 0 };
	CHECK(pf_alloc_pages_bulk(m, PF_GFP_KERNEL, 8, pages) == 8);
	for (int i = 0; i < 8; i++)
		if (pages[i])
			pf_free_pages(pages[i], 0);
	struct pf_page *big = pf_alloc_pages(m, PF_GFP_KERNEL | PF_GFP_COMP, 3);
	CHECK(big != NULL);
	if (big)
		pf_put_page(big);	/* the last reference frees the compound page */
	pf_drain_all_pages(m);
	CHECK(pf_check(m, err, sizeof err) == 0);
	pf_machine_destroy(m);
	CHECK(total_calls() == 0);
	CHECK(pf_machine_table[0] == 7 && pf_machine_table[2] == 9);
	CHECK(pf_bound_cpu == 42);
	CHECK(strcmp(pf_version(), PF_VERSION_STRING) == 0);

	/* 2. The program's own functions, called by name, are its own. */
	CHECK(put_page(41) == 42 && calls[C_PUT] == 1);
	CHECK(get_page(21) == 42 && calls[C_GET] == 1);
	CHECK(strcmp(__free_pages("mine"), "mine") == 0 && calls[C_FREE] == 1);
	dump_page();
	CHECK(calls[C_DUMP] == 1);
	CHECK(bad_page(3.0) == 1.5 && calls[C_BAD] == 1);
	CHECK(pfn_valid(12345) && !pfn_valid(1) && calls[C_VALID] == 2);
	CHECK(__alloc_pages() == (void *)calls);
	CHECK(alloc_pages_bulk(5) == -5);
	drain_all_pages();
	CHECK(gfp_zone(1) == 101);
	build_all_zonelists();
	memblock_free_all();
	CHECK(should_fail_alloc_page() == 0);
	zone_statistics();
	CHECK(pf_printk(1) == 0);
	CHECK(total_calls() == 16);

	if (failures)
		return 1;
	printf("own kernel names: ok (library %s)\n", pf_version());
	return 0;
}
