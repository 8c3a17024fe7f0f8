/* SPDX-License-Identifier: MIT */
/*
 * bench/boot.c - boot time and resident memory of one 'backing none'
 * machine of SIZE GiB: pf_machine_create timed, the process's resident set
 * (/proc/self/statm) read after boot and after a small workload (4096
 * order-0 and 64 order-9 allocations freed again), then pf_machine_destroy.
 * One machine per process, so the RSS is that machine's.
 * Usage: boot SIZE_GIB [lazy|eager]   (eager: deferred_struct_page_init off)
 * Prints: SIZE_GIB MODE BOOT_MS RSS_BOOT_MIB RSS_USED_MIB
 */
#define _GNU_SOURCE
#include <pageframe/pageframe.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double rss_mib(void)
{
	unsigned long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (!f || fscanf(f, "%lu %lu", &size, &resident) != 2)
		resident = 0;
	if (f)
		fclose(f);
	return (double)resident * (double)sysconf(_SC_PAGESIZE) / (1 << 20);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s SIZE_GIB [lazy|eager]\n", argv[0]);
		return 2;
	}
	unsigned long long gib = strtoull(argv[1], NULL, 0);
	int eager = argc > 2 && !strcmp(argv[2], "eager");
	char desc[512], err[512];
	/* below 4 GiB the usual PC hole; above it one range up to the size */
	unsigned long long end = gib << 30;
	if (end <= (4ULL << 30))
		snprintf(desc, sizeof desc, "cpus 2\nmem 0 0x1000-0x9efff\nmem 0 0x100000-%#llx\nbacking none\n%s",
			 end - 1, eager ? "deferred_struct_page_init off\n" : "");
	else
		snprintf(desc, sizeof desc,
			 "cpus 2\nmem 0 0x1000-0x9efff\nmem 0 0x100000-0xbfffffff\nmem 0 0x100000000-%#llx\n"
			 "backing none\n%s",
			 end + (1ULL << 30) - 1, eager ? "deferred_struct_page_init off\n" : "");
	double t0 = now_ms();
	struct pf_machine *m = pf_machine_create(desc, err, sizeof err);
	double t1 = now_ms();
	if (!m) {
		printf("%llu %s - - - (%s)\n", gib, eager ? "eager" : "lazy", err);
		return 1;
	}
	double rss_boot = rss_mib();
	static struct pf_page *pages[4096], *huge[64];
	for (int i = 0; i < 4096; i++)
		pages[i] = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
	for (int i = 0; i < 64; i++)
		huge[i] = pf_alloc_pages(m, PF_GFP_KERNEL, 9);
	double rss_used = rss_mib();
	for (int i = 0; i < 4096; i++)
		if (pages[i])
			pf_free_pages(pages[i], 0);
	for (int i = 0; i < 64; i++)
		if (huge[i])
			pf_free_pages(huge[i], 9);
	printf("%llu %s %.1f %.1f %.1f\n", gib, eager ? "eager" : "lazy", t1 - t0, rss_boot, rss_used);
	pf_machine_destroy(m);
	return 0;
}
