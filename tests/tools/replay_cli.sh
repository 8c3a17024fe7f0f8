#!/bin/sh
# pageframe replay, as a user runs it: the real 6.18 excerpt on the machine it was recorded on,
# the handwritten bad lines, --vary, --stats, and the usage errors.
# usage: replay_cli.sh PAGEFRAME DATA_DIR WORK_DIR
set -u
CLI=$1 DATA=$2/replay WORK=$3
mkdir -p "$WORK"
fail() { echo "FAIL: $*"; exit 1; }

# --- the excerpt: the expected counts come from the trace itself, with awk, not from pageframe:
# N: every kmem page event line; A: its mm_page_alloc lines (each with a page: the recorded machine
# had far more memory free than the trace uses, none fails here either); F: the frees whose pfn a
# replayed allocation of the trace still holds; S = N - A - F.
TRACE=$DATA/trace-6.18-excerpt.txt
exp=$(awk '
  / mm_page_(alloc|free|free_batched|alloc_zone_locked|pcpu_drain|alloc_extfrag): / {
    n++
    match($0, /pfn=0x[0-9a-f]+/); pfn = substr($0, RSTART + 4, RLENGTH - 4)
    if ($0 ~ / mm_page_alloc: /) { a++; live[pfn] = 1 }
    else if ($0 ~ / mm_page_free(_batched)?: /) { if (pfn in live) { f++; delete live[pfn] } }
  }
  END { printf "replay: %d events, %d allocations, %d frees, %d skipped, 0 lines not understood, pf_check clean", n, a, f, n - a - f }' "$TRACE")
out=$("$CLI" replay -m "$DATA/host-6.18.machine" "$TRACE" 2>"$WORK/excerpt.err") || fail "excerpt: exit $?: $(cat "$WORK/excerpt.err")"
last=$(printf '%s\n' "$out" | tail -n 1)
[ "$last" = "$exp" ] || fail "excerpt: last line
  got:      $last
  expected: $exp"
# the README of the data: 3000 events
case "$last" in "replay: 3000 events,"*) ;; *) fail "excerpt: not 3000 events: $last";; esac
grep -q 'events replayed on 1 machine' "$WORK/excerpt.err" || fail "excerpt: no timing line"

# --- bad lines: each named with its line number; the good lines still replayed
out=$("$CLI" replay -m "$DATA/host-6.18.machine" "$DATA/malformed.txt" 2>"$WORK/bad.err")
rc=$?
[ $rc -eq 0 ] || fail "malformed: exit $rc (pf_check is clean, so 0)"
last=$(printf '%s\n' "$out" | tail -n 1)
[ "$last" = "replay: 2 events, 1 allocations, 1 frees, 0 skipped, 7 lines not understood, pf_check clean" ] ||
  fail "malformed: $last"
for want in "malformed.txt:3: not understood: mm_page_alloc: field 'migra' has no '='" \
            "malformed.txt:4: not understood: unknown gfp flag '__GFP_BOGUS'" \
            "malformed.txt:5: not understood: mm_page_alloc: absurd order 99" \
            "malformed.txt:6: not understood: mm_page_alloc: order 11 is beyond the largest order, 10" \
            "malformed.txt:7: not understood: mm_page_alloc: pfn 0x7fffffffff is beyond the machine's memory map" \
            "2 more lines not understood"; do
  grep -qF "$want" "$WORK/bad.err" || fail "malformed: no '$want' in: $(cat "$WORK/bad.err")"
done

# --- --vary: one column per machine, and the last line still the base machine's
out=$("$CLI" replay -m "$DATA/host-6.18.machine" --vary 'sysctl vm.watermark_boost_factor=0' \
      --vary 'sysctl vm.min_free_kbytes=200000' --stats "$TRACE" 2>"$WORK/vary.err") || fail "vary: exit $?: $(cat "$WORK/vary.err")"
printf '%s\n' "$out" | head -n 1 | grep -q 'base.*vm.watermark_boost_factor=0.*vm.min_free_kbytes=200000' ||
  fail "vary: no column per machine: $(printf '%s\n' "$out" | head -n 1)"
[ "$(printf '%s\n' "$out" | tail -n 1)" = "$exp" ] || fail "vary: last line $(printf '%s\n' "$out" | tail -n 1)"
# --stats: the trace's allocations by order, from grep
o0=$(grep -c ' mm_page_alloc: .* order=0 ' "$TRACE")
printf '%s\n' "$out" | grep -q "^  order 0  *$o0\$" || fail "stats: order 0 is not $o0"
printf '%s\n' "$out" | grep -q '^== mm_page_alloc_extfrag: 0 in the trace' || fail "stats: extfrag line"

# --- --report without --every: about 40 snapshots over the kmem page events, whatever else the trace
# holds (80 events among 8000 sched_switch lines: after boot, one every 2 events (40), at the end)
{ i=0; while [ $i -lt 80 ]; do
    j=0; while [ $j -lt 100 ]; do echo "  bash-1 [000] ..... 1.0: sched_switch: prev_comm=bash"; j=$((j + 1)); done
    echo "  bash-1 [000] ..... 1.0: mm_page_alloc: page=0000000024234eb1 pfn=$((0x10000 + 2 * i)) order=0 migratetype=0 gfp_flags=GFP_KERNEL"
    i=$((i + 1))
  done; } >"$WORK/mixed.txt"
printf '/*! Chart.js v3.9.1 */ var Chart = {};\n' >"$WORK/chart.js"
PAGEFRAME_CHARTJS="$WORK/chart.js" "$CLI" replay -m "$2/../../examples/scenarios/small.machine" --report "$WORK/mixed.html" "$WORK/mixed.txt" \
  >"$WORK/mixed.out" 2>&1 || fail "mixed: exit $?: $(cat "$WORK/mixed.out")"
n=$(grep -o '{"t":' "$WORK/mixed.html" | wc -l)
[ "$n" -eq 42 ] || fail "mixed: $n snapshots in the report, expected 42 (after boot, every 2 of the 80 events, at the end)"

# --- usage errors
"$CLI" replay -m "$DATA/host-6.18.machine" >/dev/null 2>&1 && fail "replay without a trace succeeded"
"$CLI" replay -m "$DATA/host-6.18.machine" "$WORK/nonexistent.txt" 2>"$WORK/none.err" && fail "missing trace succeeded"
grep -q 'nonexistent.txt: No such file' "$WORK/none.err" || fail "missing trace: $(cat "$WORK/none.err")"
# a trace that cannot be read to its end (here a directory) is no empty trace
"$CLI" replay -m "$2/../../examples/scenarios/small.machine" "$WORK" >/dev/null 2>"$WORK/dir.err"
[ $? -eq 1 ] || fail "a directory as the trace: exit not 1"
grep -q "cli_replay: line 1: Is a directory" "$WORK/dir.err" || fail "a directory as the trace: $(cat "$WORK/dir.err")"
"$CLI" replay --every 0 "$TRACE" 2>/dev/null && fail "--every 0 accepted"
"$CLI" replay --vary 'sysctl vm.nonsense=1' "$TRACE" 2>"$WORK/vbad.err" && fail "a bad --vary directive accepted"
[ -s "$WORK/vbad.err" ] || fail "bad --vary: no message"
# report --live's usage errors (before anything is read): NaN is no interval, nor is an empty one
"$CLI" report --live --interval nan --samples 1 -o "$WORK/nan.html" 2>"$WORK/nan.err"
[ $? -eq 2 ] || fail "report --live --interval nan: exit not 2"
grep -q "interval wants seconds (0 to 86400), not 'nan'" "$WORK/nan.err" || fail "interval nan: $(cat "$WORK/nan.err")"
"$CLI" report --live --interval '' --samples 1 -o "$WORK/nan.html" 2>/dev/null
[ $? -eq 2 ] || fail "report --live --interval '': exit not 2"
echo "ok"
