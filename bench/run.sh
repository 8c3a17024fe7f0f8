#!/usr/bin/env bash
# bench/run.sh - build the benchmark programs and run pageframe and its peers side by side.
#
# Every allocator runs the same workloads (bench/workloads.h) in its own process; the
# programs run alternately, REPS times each, and the table reports medians in ns and the
# ratio of each to pageframe (above 1: pageframe is faster).  Then callgrind counts the
# instructions of one order-0 alloc+free pair.  A benchmark, not a test: it never fails on
# speed.  Usage: bench/run.sh [BUILD_DIR] (default build), env REPS (default 5).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=${1:-$root/build}
reps=${REPS:-5}
out=$build/bench
mkdir -p "$out"
cc=${CC:-gcc}
cflags="-O2 -g -std=gnu11 -Wall -Wextra -I$root/include -I$build/include"  # build/include: generated pageframe/version.h

"$cc" $cflags "$here/bench_pageframe.c" "$build/libpageframe.a" -lpthread -o "$out/pageframe"
"$cc" $cflags -DBENCH_NAME='"pageframe-pcp1"' -DBENCH_MACHINE_EXTRA='"pcp_high_max_fraction 1\n"' \
  "$here/bench_pageframe.c" "$build/libpageframe.a" -lpthread -o "$out/pageframe-pcp1"
"$cc" $cflags "$here/bench_freelist.c" -lpthread -o "$out/freelist"
"$cc" $cflags -DBENCH_NAME='"glibc"' "$here/bench_malloc.c" -lpthread -o "$out/glibc"
peers="glibc"
if [ -e /usr/lib/x86_64-linux-gnu/libjemalloc.so ]; then
  "$cc" $cflags -DBENCH_NAME='"jemalloc"' "$here/bench_malloc.c" -ljemalloc -lpthread -o "$out/jemalloc"; peers="$peers jemalloc"
fi
if [ -e /usr/lib/x86_64-linux-gnu/libmimalloc.so ]; then
  "$cc" $cflags -DBENCH_NAME='"mimalloc"' "$here/bench_malloc.c" -lmimalloc -lpthread -o "$out/mimalloc"; peers="$peers mimalloc"
fi
if [ -e /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so ]; then
  "$cc" $cflags -DBENCH_NAME='"tcmalloc"' "$here/bench_malloc.c" -ltcmalloc_minimal -lpthread -o "$out/tcmalloc"; peers="$peers tcmalloc"
fi
progs="pageframe pageframe-pcp1 $peers freelist"

raw=$out/raw.txt
: > "$raw"
for r in $(seq 1 "$reps"); do
  for p in $progs; do
    "$out/$p" >> "$raw"
  done
done

# callgrind: instructions of one order-0 pair through the per-CPU list (difference of two run lengths)
cat > "$out/cg.c" <<'CG'
#include <pageframe/pageframe.h>
#include <stdlib.h>
int main(int argc, char **argv)
{
	char err[256];
	int n = argc > 1 ? atoi(argv[1]) : 1000;
	struct pf_machine *m = pf_machine_create("cpus 2\nmem 0 0x1000-0x9efff\nmem 0 0x100000-0x3fffffff\n", err, sizeof err);
	if (!m)
		return 1;
	for (int i = 0; i < n; i++) {
		struct pf_page *p = pf_alloc_pages(m, PF_GFP_KERNEL, 0);
		pf_free_pages(p, 0);
	}
	pf_machine_destroy(m);
	return 0;
}
CG
"$cc" $cflags "$out/cg.c" "$build/libpageframe.a" -lpthread -o "$out/cg"
instr=""
if command -v valgrind >/dev/null; then
  i1=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$out/cg" 10000 2>&1 | awk '/Collected/ {print $4}')
  i2=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$out/cg" 20000 2>&1 | awk '/Collected/ {print $4}')
  instr=$(( (i2 - i1) / 10000 ))
fi

python3 - "$raw" "$instr" "$progs" > "$out/RESULTS.md" <<'PY'
import sys, statistics, collections, platform, os, subprocess
raw, instr, progs = sys.argv[1], sys.argv[2], sys.argv[3].split()
vals = collections.defaultdict(list)
units = {}
for line in open(raw):
    name, w, v, unit = line.split()
    vals[(name, w)].append(float(v))
    units[w] = unit
med = {k: statistics.median(v) for k, v in vals.items()}
rows = [("a", "order-0 churn, LIFO"), ("b", "order-0 churn, random free order"),
        ("c", "mixed orders 0-4, ~50% occupancy"), ("d", "2 threads x (a), per thread"),
        ("d_total", "2 threads x (a), total"), ("e", "bulk 64 x order-0 + frees")]
cpu = "unknown"
try:
    for l in open("/proc/cpuinfo"):
        if l.startswith("model name"):
            cpu = l.split(":", 1)[1].strip(); break
except OSError:
    pass
print(f"Machine: {cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}; "
      f"medians of {len(next(iter(vals.values())))} runs, run alternately.\n")
print("| workload | unit | " + " | ".join(progs) + " |")
print("|---|---|" + "---|" * len(progs))
for w, desc in rows:
    if ("pageframe", w) not in med:
        continue
    cells = []
    pf = med[("pageframe", w)]
    for p in progs:
        v = med.get((p, w))
        if v is None:
            cells.append("-")
        elif p == "pageframe":
            cells.append(f"**{v:.1f}**")
        else:
            # ratio of the peer to pageframe: >1 means pageframe is faster (throughput: inverted)
            r = (pf / v) if w == "d_total" else (v / pf)
            cells.append(f"{v:.1f} ({r:.2f}x)")
    print(f"| {w}: {desc} | {units[w]} | " + " | ".join(cells) + " |")
if instr:
    print(f"\nInstructions per order-0 alloc+free pair through the per-CPU list (callgrind): **{instr}**")
print("\nIn parentheses: the peer's time over pageframe's (for d_total, pageframe's throughput over the "
      "peer's); above 1 means pageframe is faster. freelist is the bare lower bound (thread-local lists, "
      "no locks, no accounting).")
PY
cat "$out/RESULTS.md"
