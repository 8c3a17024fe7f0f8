/* SPDX-License-Identifier: MIT */
/*
 * tools/report.c - the HTML report: snapshots kept as JSON, written into one
 * page with the charting library (Chart.js, Debian's libjs-chart.js) and the
 * page's own script (tools/report_js.h) embedded, so it opens without network.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_page.h"

#ifndef PF_CHARTJS_DEFAULT
#define PF_CHARTJS_DEFAULT "/usr/share/javascript/chart.js/chart.min.js"
#endif

struct rp_run {
	char *name;
	char *snaps;		/* JSON objects, comma-separated */
	size_t slen;
	FILE *sf;
	int nsnap;
	char *evs;
	size_t elen;
	FILE *ef;
	int nev;
};

struct rp_report {
	char *title, *source, *xlabel;
	char *notes;
	size_t nlen;
	FILE *nf;
	int nnotes;
	struct rp_run **runs;	/* pointers: each run's memstreams point into it */
	int nruns;
};

char *rp_slurp(const char *path, size_t *lenp, char *err, size_t errlen)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	size_t cap = 8192, len = 0, n;
	char *buf = malloc(cap);
	while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 2) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	int bad = ferror(f) ? (errno ? errno : EIO) : 0;	/* EISDIR for a directory */
	if (f != stdin)
		fclose(f);
	if (!buf || bad) {
		snprintf(err, errlen, "%s: %s", path, buf ? strerror(bad) : "out of memory");
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

const char *rp_chartjs_path(void)
{
	const char *p = getenv("PAGEFRAME_CHARTJS");
	return p && *p ? p : PF_CHARTJS_DEFAULT;
}

/* A JSON string; '<' escaped so the data never closes its <script> element. */
static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

struct rp_report *rp_new(const char *title, const char *source, const char *xlabel)
{
	struct rp_report *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->title = strdup(title);
	r->source = strdup(source);
	r->xlabel = strdup(xlabel);
	r->nf = open_memstream(&r->notes, &r->nlen);
	if (!r->title || !r->source || !r->xlabel || !r->nf) {
		rp_free(r);
		return NULL;
	}
	return r;
}

void rp_free(struct rp_report *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->nruns; i++) {
		struct rp_run *run = r->runs[i];
		if (run->sf)
			fclose(run->sf);
		if (run->ef)
			fclose(run->ef);
		free(run->snaps);
		free(run->evs);
		free(run->name);
		free(run);
	}
	free(r->runs);
	if (r->nf)
		fclose(r->nf);
	free(r->notes);
	free(r->title);
	free(r->source);
	free(r->xlabel);
	free(r);
}

int rp_run_begin(struct rp_report *r, const char *name)
{
	struct rp_run **nr = realloc(r->runs, (size_t)(r->nruns + 1) * sizeof *nr);
	if (!nr)
		return -1;
	r->runs = nr;
	struct rp_run *run = calloc(1, sizeof *run);
	if (!run)
		return -1;
	r->runs[r->nruns] = run;
	run->name = strdup(name);
	run->sf = open_memstream(&run->snaps, &run->slen);
	run->ef = open_memstream(&run->evs, &run->elen);
	r->nruns++;
	return run->name && run->sf && run->ef ? 0 : -1;
}

void rp_note(struct rp_report *r, const char *text)
{
	if (r->nnotes++)
		fputc(',', r->nf);
	json_str(r->nf, text);
}

/* zoneinfo without the per-node and per-zone counters: what the charts read. */
static void zoneinfo_lines(FILE *f, const char *zi)
{
	static const char *const keep[] = { "Node ", "pages free", "min ", "low ", "high ", "spanned", "present",
					    "managed", "cpu:", "count:", "high:" };
	char *out = NULL;
	size_t len = 0;
	FILE *o = open_memstream(&out, &len);
	if (!o)
		return;
	for (const char *p = zi; p && *p;) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		const char *s = p;
		while (s < p + l && *s == ' ')
			s++;
		for (size_t k = 0; k < sizeof keep / sizeof keep[0]; k++)
			if (!strncmp(s, keep[k], strlen(keep[k]))) {
				fprintf(o, "%.*s\n", (int)(p + l - s), s);
				break;
			}
		p = e ? e + 1 : p + l;
	}
	fclose(o);
	json_str(f, out);
	free(out);
}

/*
 * The pageblocks view in two characters a block: the type's letter (lower case
 * when the block is mixed) and how full it is, '0'..'9' (or 'x': no page of it
 * is the allocator's); zone segments alongside.
 */
static void pageblocks_json(FILE *f, const char *pb)
{
	char *cells = NULL;
	size_t clen = 0;
	FILE *c = open_memstream(&cells, &clen);
	if (!c)
		return;
	fputs("{\"z\":[", f);
	char lastzone[32] = "";
	int lastnode = -1, nz = 0;
	long idx = 0;
	unsigned long nextpfn = 0;	/* where the block after the last one would start */
	const char *p = pb;
	const char *nl = strchr(p, '\n');	/* the header line */
	p = nl ? nl + 1 : p + strlen(p);
	while (*p) {
		nl = strchr(p, '\n');
		char line[256];
		size_t l = nl ? (size_t)(nl - p) : strlen(p);
		snprintf(line, sizeof line, "%.*s", (int)(l < sizeof line ? l : sizeof line - 1), p);
		p = nl ? nl + 1 : p + l;
		int node;
		char zone[32], type[32], mixed[16];
		unsigned long pfn;
		unsigned fr, mv, um, rc, ha, cma, iso, res;
		if (sscanf(line, "%d %31s %lx %31s %u %u %u %u %u %u %u %u %15s", &node, zone, &pfn, type, &fr, &mv, &um,
			   &rc, &ha, &cma, &iso, &res, mixed) != 13)
			continue;
		/* a segment for each run of contiguous blocks: the page works out a cell's pfn from its
		 * segment's first, so a hole inside a zone starts a new one */
		if (node != lastnode || strcmp(zone, lastzone) || pfn != nextpfn) {
			fprintf(f, "%s[%d,\"%s\",%ld,%lu]", nz++ ? "," : "", node, zone, idx, pfn);
			lastnode = node;
			snprintf(lastzone, sizeof lastzone, "%s", zone);
		}
		nextpfn = pfn + 512;
		char t = type[0] == 'U' ? 'U' : type[0] == 'M' ? 'M' : type[0] == 'R' ? 'R' : type[0] == 'H' ? 'H'
		       : type[0] == 'C' ? 'C' : 'I';
		if (!strcmp(mixed, "mixed"))
			t = (char)(t - 'A' + 'a');
		unsigned own = 512 > res ? 512 - res : 0;
		char occ = 'x';
		if (own) {
			unsigned used = own > fr ? own - fr : 0;
			occ = (char)('0' + (used * 9 + own - 1) / own);
		}
		fputc(t, c);
		fputc(occ, c);
		idx++;
	}
	fclose(c);
	fputs("],\"c\":", f);
	json_str(f, cells);
	fputc('}', f);
	free(cells);
}

/* pagetypeinfo: only the "Number of blocks type" table. */
static void pagetypeinfo_blocks(FILE *f, const char *pt)
{
	const char *s = strstr(pt, "Number of blocks type");
	if (!s) {
		fputs("null", f);
		return;
	}
	const char *e = strstr(s, "\n\n");
	char *copy = strndup(s, e ? (size_t)(e - s) : strlen(s));
	json_str(f, copy);
	free(copy);
}

int rp_snapshot(struct rp_report *r, const struct rp_snapshot *s)
{
	if (!r->nruns && rp_run_begin(r, "base"))
		return -1;
	struct rp_run *run = r->runs[r->nruns - 1];
	FILE *f = run->sf;
	/* x with 15 digits: an event count stays exact (1234567, not 1.23457e+06) */
	fprintf(f, "%s{\"t\":%.15g,\"bi\":", run->nsnap++ ? ",\n" : "", s->t);
	json_str(f, s->buddyinfo);
	fputs(",\"zi\":", f);
	zoneinfo_lines(f, s->zoneinfo);
	fputs(",\"ef\":", f);
	if (s->extfrag)
		json_str(f, s->extfrag);
	else
		fputs("null", f);
	fputs(",\"un\":", f);
	if (s->unusable)
		json_str(f, s->unusable);
	else
		fputs("null", f);
	fputs(",\"pb\":", f);
	if (s->pageblocks)
		pageblocks_json(f, s->pageblocks);
	else
		fputs("null", f);
	fputs(",\"pt\":", f);
	if (s->pagetypeinfo)
		pagetypeinfo_blocks(f, s->pagetypeinfo);
	else
		fputs("null", f);
	fprintf(f, ",\"vm\":[%ld,%ld,%ld,%ld]", s->vm[0], s->vm[1], s->vm[2], s->vm[3]);
	if (s->nmemcgs) {
		/* [path, current, max, high, low, min, events low, high, max, oom, oom_kill] a memcg */
		fputs(",\"mc\":[", f);
		for (int i = 0; i < s->nmemcgs; i++) {
			const struct rp_memcg *c = &s->memcgs[i];
			fputs(i ? ",[" : "[", f);
			json_str(f, c->path);
			fprintf(f, ",%lld,%lld,%lld,%lld,%lld", c->current, c->max, c->high, c->low, c->min);
			for (int e = 0; e < RP_NR_MCE; e++)
				fprintf(f, ",%ld", c->events[e]);
			fputc(']', f);
		}
		fputc(']', f);
	}
	fputc('}', f);
	return ferror(f) ? -1 : 0;
}

int rp_extfrag_event(struct rp_report *r, double t, unsigned long pfn, int alloc_order, int fallback_order,
		     int alloc_mt, int fallback_mt, int change_ownership, const char *gfp)
{
	if (!r->nruns && rp_run_begin(r, "base"))
		return -1;
	struct rp_run *run = r->runs[r->nruns - 1];
	if (run->nev >= 5000)	/* the table keeps the first 5000 */
		return 0;
	fprintf(run->ef, "%s[%.15g,%lu,%d,%d,%d,%d,%d,", run->nev++ ? "," : "", t, pfn, alloc_order, fallback_order,
		alloc_mt, fallback_mt, change_ownership);
	json_str(run->ef, gfp);
	fputc(']', run->ef);
	return 0;
}

long rp_order9_blocks(const char *bi)
{
	long n = 0;
	for (const char *p = bi; p && *p;) {
		const char *z = strstr(p, "zone");
		if (!z)
			break;
		char name[32];
		long c[16];
		int k = sscanf(z, "zone %31s %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld", name, &c[0], &c[1], &c[2],
			       &c[3], &c[4], &c[5], &c[6], &c[7], &c[8], &c[9], &c[10]);
		if (k == 12)
			n += c[9] + 2 * c[10];
		p = strchr(z, '\n');
	}
	return n;
}

int rp_zones_below_low(const char *zi)
{
	int n = 0;
	for (const char *p = zi; p && (p = strstr(p, "pages free")) != NULL;) {
		long fr = 0, mn = 0, lo = 0, managed = 0;
		sscanf(p, "pages free %ld", &fr);
		const char *q = strstr(p, "\n        low");
		const char *m = strstr(p, "managed");
		if (q)
			sscanf(q, "\n        low %ld", &lo);
		if (m)
			sscanf(m, "managed %ld", &managed);
		(void)mn;
		if (managed > 0 && fr < lo)
			n++;
		p += 10;
	}
	return n;
}

int rp_write(struct rp_report *r, const char *path, char *err, size_t errlen)
{
	size_t cl;
	char cerr[256];
	char *chart = rp_slurp(rp_chartjs_path(), &cl, cerr, sizeof cerr);
	if (!chart) {
		snprintf(err, errlen,
			 "the report needs Chart.js: %s (install Debian's libjs-chart.js: make deps-report, "
			 "or set PAGEFRAME_CHARTJS to a chart.min.js)", cerr);
		return -1;
	}
	if (strstr(chart, "</script")) {
		snprintf(err, errlen, "%s: holds '</script', cannot be embedded", rp_chartjs_path());
		free(chart);
		return -1;
	}
	/* the library's version from its banner ("Chart.js v3.9.1") */
	char version[32] = "?";
	const char *v = strstr(chart, "Chart.js v");
	if (v)
		sscanf(v + 10, "%31[0-9.]", version);
	FILE *f = fopen(path, "w");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(chart);
		return -1;
	}
	fputs(report_page_head, f);
	fputs("<script>", f);
	fputs(chart, f);
	fputs("</script>\n", f);
	free(chart);
	fputs("<script type=\"application/json\" id=\"data\">{\"title\":", f);
	json_str(f, r->title);
	fputs(",\"source\":", f);
	json_str(f, r->source);
	fputs(",\"xlabel\":", f);
	json_str(f, r->xlabel);
	fputs(",\"chartjs\":", f);
	json_str(f, version);
	fflush(r->nf);
	/* fwrite, not "%.*s": a run's snapshots may pass INT_MAX bytes */
	fputs(",\"notes\":[", f);
	fwrite(r->notes ? r->notes : "", 1, r->notes ? r->nlen : 0, f);
	fputs("],\"runs\":[", f);
	for (int i = 0; i < r->nruns; i++) {
		struct rp_run *run = r->runs[i];
		fflush(run->sf);
		fflush(run->ef);
		fprintf(f, "%s{\"name\":", i ? "," : "");
		json_str(f, run->name);
		fputs(",\"snaps\":[", f);
		fwrite(run->snaps ? run->snaps : "", 1, run->snaps ? run->slen : 0, f);
		fputs("],\"extfrag\":[", f);
		fwrite(run->evs ? run->evs : "", 1, run->evs ? run->elen : 0, f);
		fputs("]}", f);
	}
	fputs("]}</script>\n", f);
	fputs(report_page_body, f);
	if (fclose(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}
