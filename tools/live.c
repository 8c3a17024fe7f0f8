/* SPDX-License-Identifier: MIT */
/*
 * tools/live.c - `pageframe report --live`: this host's own /proc/buddyinfo,
 * /proc/pagetypeinfo, /proc/zoneinfo and /proc/vmstat sampled into the report
 * the replay writes (docs/REPLAY.md).  The fragmentation indices are worked
 * out from each buddyinfo sample by the library (pf_frag_index_from_buddyinfo),
 * since debugfs is seldom mounted or readable.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "commands.h"
#include "report.h"

#include <pageframe/pageframe.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void usage_report(FILE *f)
{
	fprintf(f, "usage: pageframe report --live [--interval S] [--samples N] [--proc DIR] -o FILE.html\n"
		   "  samples this host's /proc/buddyinfo, pagetypeinfo, zoneinfo and vmstat N times (default 10),\n"
		   "  S seconds apart (default 1), into one HTML page\n");
}

static char *frag(const char *buddyinfo, const char *what)
{
	FILE *in = fmemopen((void *)buddyinfo, strlen(buddyinfo), "r");
	if (!in)
		return NULL;
	char *out = NULL;
	size_t len = 0;
	FILE *o = open_memstream(&out, &len);
	char err[128];
	int rc = o ? pf_frag_index_from_buddyinfo(in, what, o, err, sizeof err) : -1;
	fclose(in);
	if (o)
		fclose(o);
	if (rc) {
		free(out);
		return NULL;
	}
	return out;
}

static long vmstat_value(const char *vmstat, const char *name)
{
	size_t l = strlen(name);
	for (const char *p = vmstat; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, name, l) && p[l] == ' ')
			return strtol(p + l + 1, NULL, 10);
	return -1;
}

int cmd_report(int argc, char **argv)
{
	bool live = false;
	double interval = 1;
	long samples = 10;
	const char *out = NULL, *proc = "/proc";
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		bool more = i + 1 < argc;
		char *end = NULL;
		if (!strcmp(a, "--live"))
			live = true;
		else if (!strcmp(a, "--interval") && more) {
			interval = strtod(argv[++i], &end);
			if (*end || end == argv[i] || !(interval >= 0 && interval <= 86400)) {	/* NaN too */
				fprintf(stderr, "pageframe: --interval wants seconds (0 to 86400), not '%s'\n", argv[i]);
				return 2;
			}
		} else if (!strcmp(a, "--samples") && more) {
			samples = strtol(argv[++i], &end, 10);
			if (*end || samples < 1 || samples > 100000) {
				fprintf(stderr, "pageframe: --samples wants a count (1 to 100000), not '%s'\n", argv[i]);
				return 2;
			}
		} else if (!strcmp(a, "--proc") && more)
			proc = argv[++i];
		else if (!strcmp(a, "-o") && more)
			out = argv[++i];
		else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage_report(stdout);
			return 0;
		} else {
			fprintf(stderr, "pageframe: report: unexpected argument '%s'\n", a);
			usage_report(stderr);
			return 2;
		}
	}
	if (!live || !out) {
		fprintf(stderr, "pageframe: report: %s\n", !live ? "only --live reports exist here (a replay writes its "
				"own with replay --report)" : "-o FILE.html is needed");
		usage_report(stderr);
		return 2;
	}
	struct rp_report *rep = rp_new("pageframe report --live: this host", "live", "seconds");
	if (!rep)
		return 1;
	char note[256];
	snprintf(note, sizeof note, "%ld samples of %s/{buddyinfo,pagetypeinfo,zoneinfo,vmstat}, %g s apart; the "
		 "fragmentation indices are computed from buddyinfo.", samples, proc, interval);
	rp_note(rep, note);
	rp_run_begin(rep, "this host");
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = 0;
	for (long k = 0; k < samples && !rc; k++) {
		if (k && interval > 0) {
			struct timespec d = { (time_t)interval, (long)((interval - (double)(time_t)interval) * 1e9) };
			nanosleep(&d, NULL);
		}
		static const char *const files[] = { "buddyinfo", "pagetypeinfo", "zoneinfo", "vmstat" };
		char *text[4] = { 0 };
		for (int f = 0; f < 4 && !rc; f++) {
			char path[4096], err[512];
			snprintf(path, sizeof path, "%s/%s", proc, files[f]);
			text[f] = rp_slurp(path, NULL, err, sizeof err);
			if (!text[f]) {
				fprintf(stderr, "pageframe: report --live cannot read %s%s\n", err,
					errno == EACCES ? " (pagetypeinfo is readable by root only)" : "");
				rc = 1;
			} else if (!*text[f]) {
				fprintf(stderr, "pageframe: report --live: %s is empty\n", path);
				rc = 1;
			}
		}
		if (!rc) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			struct rp_snapshot s = { .t = (double)(now.tv_sec - t0.tv_sec) +
						      (double)(now.tv_nsec - t0.tv_nsec) / 1e9 };
			s.buddyinfo = text[0];
			s.pagetypeinfo = text[1];
			s.zoneinfo = text[2];
			char *ef = frag(text[0], "extfrag_index"), *un = frag(text[0], "unusable_index");
			if (!ef || !un) {
				fprintf(stderr, "pageframe: report --live: %s/buddyinfo is not in the kernel's layout\n", proc);
				rc = 1;
			}
			s.extfrag = ef;
			s.unusable = un;
			long st = 0, v;
			static const char *const stalls[] = { "allocstall_dma", "allocstall_dma32", "allocstall_normal",
							      "allocstall_movable", "allocstall_device" };
			for (size_t i = 0; i < sizeof stalls / sizeof stalls[0]; i++)
				if ((v = vmstat_value(text[3], stalls[i])) > 0)
					st += v;
			s.vm[RP_VM_KSWAPD] = vmstat_value(text[3], "pageoutrun");
			s.vm[RP_VM_KCOMPACTD] = vmstat_value(text[3], "compact_daemon_wake");
			s.vm[RP_VM_ALLOCSTALL] = st;
			s.vm[RP_VM_COMPACTSTALL] = vmstat_value(text[3], "compact_stall");
			if (!rc)
				rp_snapshot(rep, &s);
			free(ef);
			free(un);
		}
		for (int f = 0; f < 4; f++)
			free(text[f]);
	}
	if (!rc) {
		char err[512];
		if (rp_write(rep, out, err, sizeof err)) {
			fprintf(stderr, "pageframe: %s\n", err);
			rc = 1;
		} else
			printf("report: %ld samples written to %s\n", samples, out);
	}
	rp_free(rep);
	return rc;
}
