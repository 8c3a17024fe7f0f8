#!/usr/bin/env bash
# bench/run.sh - build the benchmark programs and run pageframe and its peers side by side.
#
# Every allocator runs the same workloads (bench/workloads.h) in its own process; the
# programs run alternately, REPS times each, and the table reports medians in ns and the
# ratio of each to pageframe (above 1: pageframe is faster).  Then callgrind counts the
# instructions of one order-0 alloc+free pair, and the fragmentation benchmark runs once
# (bench/frag.c, bench/frag_malloc.c: a second table), then the pressure benchmark (bench/pressure.c:
# reclaim under a working set 1.5x the machine, a third table), then the size and age benchmark
# (bench/scale.c: workloads a and b on 1 GiB to 1 TiB machines, fresh and aged, a fourth table).
# A benchmark, not a test: it never fails on speed.  pageframe-owner is pageframe with page_owner on
# (the cost of its stack captures).
# Usage: bench/run.sh [BUILD_DIR] (default build: make's Release, PF_DEBUG_VM=0 library, the one
# make install installs), env REPS (default 5), PRESSURE_MB (default 256), EXTRA_PEERS.
# EXTRA_PEERS: space-separated paths of more peer programs built outside this tree (an allocator
# that is not a Debian package, with an adapter of its own over bench/workloads.h); each runs in
# the alternation with the others and gets a column, headed by the name it prints.  Nothing of
# theirs is built or kept here.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=${1:-$root/build}
reps=${REPS:-5}
out=$build/bench
mkdir -p "$out"
cc=${CC:-gcc}
cflags="-O2 -g -std=gnu11 -Wall -Wextra -I$root/include"

"$cc" $cflags "$here/bench_pageframe.c" "$build/libpageframe.a" -lpthread -o "$out/pageframe"
"$cc" $cflags -DBENCH_NAME='"pageframe-pcp1"' -DBENCH_MACHINE_EXTRA='"pcp_high_max_fraction 1\n"' \
  "$here/bench_pageframe.c" "$build/libpageframe.a" -lpthread -o "$out/pageframe-pcp1"
# the arena profile (docs/MACHINE.md): pageframe tuned as a program's memory manager rather than as a kernel model
"$cc" $cflags -DBENCH_NAME='"pageframe-arena"' -DBENCH_MACHINE_EXTRA='"profile arena\n"' \
  "$here/bench_pageframe.c" "$build/libpageframe.a" -lpthread -o "$out/pageframe-arena"
# the same library on a machine with page poisoning on (cmdline page_poison=1): what the debugging aid costs
"$cc" $cflags -DBENCH_NAME='"pageframe-poison"' -DBENCH_MACHINE_EXTRA='"cmdline page_poison=1\n"' \
  "$here/bench_pageframe.c" "$build/libpageframe.a" -lpthread -o "$out/pageframe-poison"
# page_owner on (cmdline page_owner=on): a stack capture per allocation and free, the general path
# only; its bulk allocator hands out one page per call, as 6.12's does, so its e column is a batch of one
"$cc" $cflags -DBENCH_NAME='"pageframe-owner"' -DBENCH_MACHINE_EXTRA='"cmdline page_owner=on\n"' \
  "$here/bench_pageframe.c" "$build/libpageframe.a" -lpthread -o "$out/pageframe-owner"
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
progs="pageframe pageframe-pcp1 pageframe-arena pageframe-poison pageframe-owner $peers freelist"
runs=""
for p in $progs; do runs="$runs $out/$p"; done
for x in ${EXTRA_PEERS:-}; do
  [ -x "$x" ] || { echo "bench/run.sh: EXTRA_PEERS: $x is not an executable" >&2; exit 1; }
  runs="$runs $x"
done

raw=$out/raw.txt
: > "$raw"
for r in $(seq 1 "$reps"); do
  for p in $runs; do
    "$p" >> "$raw"
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
for name, _ in vals:          # EXTRA_PEERS: a column per name they print, after the built ones
    if name not in progs:
        progs.append(name)
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
load = "unknown"
try:
    load = " ".join(open("/proc/loadavg").read().split()[:3])
except OSError:
    pass
print(f"Machine: {cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}; "
      f"medians of {len(next(iter(vals.values())))} runs, run alternately; load average at the end {load}.\n")
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

# The fragmentation benchmark (bench/frag.c, bench/frag_malloc.c): fixed seeds, run once (its
# figures are counts, plus times that are not the point); each peer scenario in its own process.
"$cc" $cflags "$here/frag.c" "$build/libpageframe.a" -lpthread -o "$out/frag"
fragraw=$out/frag_raw.txt
"$out/frag" > "$fragraw"
for p in $peers; do
  case $p in
    glibc) lib="" ;; jemalloc) lib=-ljemalloc ;; mimalloc) lib=-lmimalloc ;; tcmalloc) lib=-ltcmalloc_minimal ;;
  esac
  "$cc" $cflags -DBENCH_NAME="\"$p\"" "$here/frag_malloc.c" $lib -o "$out/frag_$p"
  for s in 0 1 2; do "$out/frag_$p" $s >> "$fragraw"; done
done
python3 - "$fragraw" "$peers" >> "$out/RESULTS.md" <<'PY'
import sys, collections
raw, peers = sys.argv[1], sys.argv[2].split()
v = collections.defaultdict(dict)   # (prog, scenario) -> key -> value
nb = {}                              # (prog, scenario) -> what is not built
for line in open(raw):
    f = line.split()
    if len(f) < 4:
        continue
    prog, scn, key, val = f[0], f[1], f[2], f[3]
    if key == "status":
        nb[(prog, scn)] = val + (" " + f[4] if len(f) > 4 and f[4] != "-" else "")
        continue
    v[(prog, scn)][key] = float(val)
def cell(prog, scn, sfx="", time=False):
    d = v.get((prog, scn), {})
    if ("order9" + sfx) not in d:
        return "not built (%s)" % nb[(prog, scn)].split(None, 1)[-1] if (prog, scn) in nb else "-"
    c = "%d/%d (%.1f %%)" % (d["order9" + sfx], d["possible" + sfx], d["ratio" + sfx])
    if ("free_order9" + sfx) in d and d["possible" + sfx]:
        c += "; %d free (%.1f %%)" % (d["free_order9" + sfx], 100.0 * d["free_order9" + sfx] / d["possible" + sfx])
    if ("above_reserves" + sfx) in d:
        c += "; %d above the reserves" % d["above_reserves" + sfx]
    if time and "compact_time" in d:
        c += ", %.0f ms" % d["compact_time"]
    return c
print("\nFragmentation (bench/frag.c; order-9 blocks allocatable / free memory in 2 MiB, the free 2 MiB blocks "
      "buddyinfo shows (pollution alone, watermarks aside), and the blocks the "
      "watermarks and lowmem protection leave a movable request; peers: 2 MiB blocks built inside the address "
      "range their 4 KiB blocks used, no compaction):\n")
cols = ["pageframe", "pageframe, grouping off"] + peers
print("| scenario | " + " | ".join(cols) + " |")
print("|---|" + "---|" * len(cols))
rows = [("F0: 1 GiB, 10 % unmovable kept, movable freed", "F0", "", False),
        ("F0 with thp never (min_free_kbytes 4 sqrt(lowmem))", "F0-thpnever", "", False),
        ("F1: 4 GiB, 10 % unmovable, half the movable freed, before compaction", "F1", "_before", False),
        ("F1 after compact_memory (its time)", "F1", "_after", True),
        ("F2: 4 GiB, 25 % unmovable, half the movable freed, before compaction", "F2", "_before", False),
        ("F2 after compact_memory (its time)", "F2", "_after", True)]
for title, scn, sfx, t in rows:
    cells = [cell("pageframe", scn, sfx, t), cell("pageframe", scn + "-nogroup", sfx, t)]
    for p in peers:
        cells.append("no compaction" if sfx == "_after" else "-" if "-" in scn else cell(p, scn))
    print("| %s | %s |" % (title, " | ".join(cells)))
d = v.get(("pageframe", "F3"), {})
if d:
    print("\nF3, the Linux 5.9 proactive compaction test (1 GiB; fill, free 3 of 4 pages of every 2 MiB block, "
          "order-9 GFP_TRANSHUGE until failure):\n")
    print("| machine | blocks | p50 us | p90 us | p99 us | p50 / unfragmented | p99 / unfragmented |")
    print("|---|---|---|---|---|---|---|")
    for k, title in (("unfragmented", "unfragmented"), ("off", "fragmented, proactive compaction off"),
                     ("on", "fragmented, proactiveness 20, kcompactd run first")):
        b50, b99 = d["unfragmented_p50"], d["unfragmented_p99"]
        r50 = d[k + "_p50"] / b50 if b50 else 0
        r99 = d[k + "_p99"] / b99 if b99 else 0
        print("| %s | %d | %.1f | %.1f | %.1f | %.2fx | %.2fx |" % (title, d[k + "_blocks"], d[k + "_p50"],
                                                                d[k + "_p90"], d[k + "_p99"], r50, r99))
    print("\nkcompactd before the allocations: %d passes, %.0f ms." % (d["kcompactd_passes"], d["kcompactd_time"]))
elif ("pageframe", "F3") in nb:
    print("\nF3 (proactive compaction): not built (%s)." % nb[("pageframe", "F3")].split(None, 1)[-1])
PY

# The pressure benchmark (bench/pressure.c): fixed seed, run once; kswapd runs as a thread.
"$cc" $cflags "$here/pressure.c" "$build/libpageframe.a" -lpthread -o "$out/pressure"
"$out/pressure" "${PRESSURE_MB:-256}" > "$out/pressure_raw.txt"
python3 - "$out/pressure_raw.txt" >> "$out/RESULTS.md" <<'PY'
import sys
d = {}
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) >= 4 and f[1] == "P0":
        d[f[2]] = float(f[3])
def eff(scan, steal):
    return "%d / %d (%.1f %%)" % (d[steal], d[scan], 100.0 * d[steal] / d[scan]) if d[scan] else "%d / 0" % d[steal]
print("\nPressure (bench/pressure.c; %d-page machine, working set %d LRU pages (1.5x), a shrinker cache, "
      "memcgs a (memory.low), b (memory.max), c; %d accesses, %d faults, %d failed):\n"
      % (d["machine_pages"], d["working_set"], d["accesses"], d["faults"], d["fault_failures"]))
print("| figure | pageframe | kernel (published) |")
print("|---|---|---|")
for k, t in (("alloc", "pf_alloc_pages of a fault, us"), ("fault", "whole fault (alloc, charge, swap-in), us")):
    print("| %s p50 / p90 / p99 / max | %.2f / %.2f / %.2f / %.1f | none quoted |"
          % (t, d[k + "_p50"], d[k + "_p90"], d[k + "_p99"], d[k + "_max"]))
print("| kswapd pgsteal / pgscan | %s | none quoted |" % eff("pgscan_kswapd", "pgsteal_kswapd"))
print("| direct pgsteal / pgscan (global) | %s | none quoted |" % eff("pgscan_direct", "pgsteal_direct"))
print("| direct pgsteal / pgscan (memcgs' memory.stat, limit reclaim included) | %s | none quoted |"
      % eff("memcg_pgscan_direct", "memcg_pgsteal_direct"))
print("| shrinker objects freed | %d | none quoted |" % d["shrinker_freed"])
print("| kswapd CPU (%d thread) / main thread CPU / wall, ms | %.1f / %.1f / %.1f | none quoted |"
      % (d["kswapd_threads"], d["kswapd_cpu"], d["main_cpu"], d["wall"]))
PY

# The size and age benchmark (bench/scale.c): each row in its own process, the rows alternately,
# REPS times; medians, each against the fresh 1 GiB machine.
"$cc" $cflags "$here/scale.c" "$build/libpageframe.a" -lpthread -o "$out/scale"
scalerows=""
for sz in 1g 2g 4g 64g 1t; do scalerows="$scalerows $sz $sz-aged $sz-held"; done
: > "$out/scale_raw.txt"
for r in $(seq 1 "$reps"); do
  for row in $scalerows; do "$out/scale" "$row" >> "$out/scale_raw.txt"; done
done
python3 - "$out/scale_raw.txt" "$scalerows" >> "$out/RESULTS.md" <<'PY'
import sys, statistics, collections
raw, rows = sys.argv[1], sys.argv[2].split()
vals, skipped = collections.defaultdict(list), {}
for line in open(raw):
    f = line.split(None, 4)
    if f[2] == "status":
        skipped[f[1]] = f[4].strip() if len(f) > 4 else f[3]
    else:
        vals[(f[1], f[2])].append(float(f[3]))
med = {k: statistics.median(v) for k, v in vals.items()}
load = " ".join(open("/proc/loadavg").read().split()[:3])
print("\nSize and age (bench/scale.c; workloads a and b on memmap-only machines of 2 CPUs; aged: after a "
      "million steps of workload c's mixed-order churn, its blocks freed; held: the churn's blocks "
      "still allocated; ns per pair, medians of %d, in parentheses over the fresh 1 GiB machine's; "
      "load average at the end %s):\n" % (max(len(v) for v in vals.values()) if vals else 0, load))
print("| machine | a: LIFO | b: random free order |")
print("|---|---|---|")
names = {"1g": "1 GiB", "2g": "2 GiB", "4g": "4 GiB", "64g": "64 GiB", "1t": "1 TiB"}
for row in rows:
    sz, _, kind = row.partition("-")
    title = names[sz] + ({"": ", fresh", "aged": ", aged", "held": ", aged, churn held"}[kind])
    if row in skipped:
        print("| %s | skipped: %s | |" % (title, skipped[row]))
        continue
    cells = []
    for w in "ab":
        v, base = med.get((row, w)), med.get(("1g", w))
        cells.append("-" if v is None else "%.1f (%.2fx)" % (v, v / base) if base else "%.1f" % v)
    print("| %s | %s |" % (title, " | ".join(cells)))
PY

# Boot scale (bench/boot.c): 'backing none' machines of 1 GiB to 16 TiB, each booted in its own
# process three times (deferred struct page init on; 'eager' = deferred_struct_page_init off where
# the host can hold its memmap); medians of boot time and of the RSS after boot and after a small
# workload.  A few seconds in all.
"$cc" $cflags "$here/boot.c" "$build/libpageframe.a" -lpthread -o "$out/boot"
: > "$out/boot_raw.txt"
for run in 1 2 3; do
  for gib in 1 16 64 1024 16384; do "$out/boot" "$gib" >> "$out/boot_raw.txt" || true; done
  for gib in 1 16; do "$out/boot" "$gib" eager >> "$out/boot_raw.txt" || true; done
done
python3 - "$out/boot_raw.txt" >> "$out/RESULTS.md" <<'PY'
import sys, statistics, collections
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) >= 5 and f[2] != "-":
        runs[(int(f[0]), f[1])].append(tuple(float(x) for x in f[2:5]))
print("\nBoot scale (bench/boot.c; backing none; medians of 3):\n")
print("| memory | init | boot ms | RSS after boot, MiB | RSS after 4096 + 64 allocations, MiB |")
print("|---|---|---|---|---|")
for key in sorted(runs):
    v = runs[key]
    print("| %d GiB | %s | %.1f | %.1f | %.1f |" % (key[0], key[1], statistics.median(x[0] for x in v),
          statistics.median(x[1] for x in v), statistics.median(x[2] for x in v)))
PY
cat "$out/RESULTS.md"
