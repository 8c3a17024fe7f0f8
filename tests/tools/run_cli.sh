#!/bin/sh
# pageframe run -m MACHINE SCENARIO, as a user runs it: the shipped scenarios are deterministic
# (the same seed gives the same output, buddyinfo included), a scenario counted by hand, the
# progress bar on a terminal and plain lines elsewhere, and bad scenarios named by their line.
# usage: run_cli.sh PAGEFRAME SOURCE_DIR WORK_DIR
set -u
CLI=$1 SRC=$2 WORK=$3
mkdir -p "$WORK"
fail() { echo "FAIL: $*"; exit 1; }
M=$SRC/examples/scenarios/small.machine

for scn in "$SRC"/examples/scenarios/*.scn; do
  name=$(basename "$scn" .scn)
  "$CLI" run --no-progress -m "$M" "$scn" >"$WORK/$name.1" 2>"$WORK/$name.err" || fail "$name: exit $?: $(cat "$WORK/$name.err")"
  "$CLI" run --no-progress -m "$M" "$scn" >"$WORK/$name.2" 2>/dev/null || fail "$name: second run failed"
  cmp -s "$WORK/$name.1" "$WORK/$name.2" || fail "$name: two runs with the same seed differ: $(diff "$WORK/$name.1" "$WORK/$name.2" | head -5)"
  grep -q '^Node 0, zone' "$WORK/$name.1" || fail "$name: no buddyinfo"
  tail -n 1 "$WORK/$name.1" | grep -q '^run: .*, pf_check clean$' || fail "$name: last line $(tail -n 1 "$WORK/$name.1")"
done
# another seed, another run (the seed is used)
"$CLI" run --no-progress --seed 99 -m "$M" "$SRC/examples/scenarios/desktop.scn" >"$WORK/seed99" 2>/dev/null
cmp -s "$WORK/desktop.1" "$WORK/seed99" && fail "--seed 99 gave the output of seed 1"

# counted by hand (see the scenario's comment)
out=$("$CLI" run --no-progress -m "$M" "$SRC/tests/data/scenarios/counted.scn" 2>"$WORK/counted.err") || fail "counted: exit $?"
[ "$(printf '%s\n' "$out" | tail -n 1)" = "run: 1.000 simulated seconds, 3000 allocations, 0 failed, 0 pages reclaimed, pf_check clean" ] ||
  fail "counted: $(printf '%s\n' "$out" | tail -n 1)"
printf '%s\n' "$out" | grep -q '^one  *a  *unmovable  *0  *1000  *0  *0  *0$' || fail "counted: stream a: $out"
printf '%s\n' "$out" | grep -q '^one  *b  *anon  *2  *2000  *0  *0  *0$' || fail "counted: stream b: $out"
printf '%s\n' "$out" | grep -q 'pages held at the end: 9000$' || fail "counted: pages held"

# the library's reclaim serves (see the scenario's comment): none failed, at least 838 112 pages
# reclaimed through release_folio and the shrinker, allocated - reclaimed held, direct reclaims seen
out=$("$CLI" run --no-progress -m "$M" "$SRC/tests/data/scenarios/flood.scn" 2>"$WORK/flood.err") || fail "flood: exit $?"
last=$(printf '%s\n' "$out" | tail -n 1)
rec=$(printf '%s\n' "$last" | sed -n 's/^run: 1.000 simulated seconds, 1100000 allocations, 0 failed, \([0-9]*\) pages reclaimed, pf_check clean$/\1/p')
[ -n "$rec" ] && [ "$rec" -ge 838112 ] || fail "flood: $last"
held=$(printf '%s\n' "$out" | sed -n 's/.*pages held at the end: \([0-9]*\)$/\1/p')
[ "$held" = $((1100000 - rec)) ] || fail "flood: held $held, reclaimed $rec"
files=$(printf '%s\n' "$out" | awk '$2 == "files" { print $8 }')
dcache=$(printf '%s\n' "$out" | awk '$2 == "dcache" { print $8 }')
[ "$files" -gt 0 ] && [ "$dcache" -gt 0 ] && [ $((files + dcache)) -eq "$rec" ] || fail "flood: reclaimed by stream $files + $dcache"
dr=$(printf '%s\n' "$out" | sed -n 's/^reclaim: [0-9]* kswapd passes, \([0-9]*\) direct reclaims (allocstall \([0-9]*\)).*/\1 \2/p')
set -- $dr
[ "${1:-0}" -gt 0 ] && [ "${2:-0}" -ge "$1" ] || fail "flood: no direct reclaim: $dr"

# a phase's stream starts afresh: y's 1000 a second on one CPU in ticks of 1 ms is exactly 1.0 a tick,
# 1000 in its 1 s whatever x, stream 0 of the phase before, left over (x's 300 a second leave fractions)
printf 'seed 2\ntick 1ms\nkcompactd off\nvmstat off\nreclaim off\nphase a 1001ms\n  stream x kind=unmovable rate=300 cpus=0\nphase b 1s\n  stream y kind=unmovable rate=1000 cpus=0\n' >"$WORK/phases.scn"
out=$("$CLI" run --no-progress -m "$M" "$WORK/phases.scn" 2>"$WORK/phases.err") || fail "phases: exit $?"
printf '%s\n' "$out" | grep -q '^b  *y  *unmovable  *0  *1000  *0  *0  *0$' || fail "phases: stream y: $out"

# a machine of more CPUs than a stream's 64-bit CPU set holds: the simulator says it uses the first 64
printf 'cpus 80\nmem 0 0x100000-0x3fffffff\nbacking none\n' >"$WORK/cpus80.machine"
"$CLI" run --no-progress -m "$WORK/cpus80.machine" "$SRC/tests/data/scenarios/counted.scn" >"$WORK/cpus80.out" 2>"$WORK/cpus80.err" ||
  fail "cpus80: exit $?: $(cat "$WORK/cpus80.err")"
grep -q 'counted.scn: the machine has 80 CPUs; the simulator runs streams on the first 64' "$WORK/cpus80.err" ||
  fail "cpus80: no word of the 16 CPUs left out: $(cat "$WORK/cpus80.err")"

# memcgs (examples/scenarios/memcg.scn): the run above gave its figures twice alike; here the numbers
# reasoned out in the scenario's comment, read from the summary and from every snapshot of the report
# (the page's data block: one snapshot a line; a stand-in for Chart.js is enough to write it)
grep -q '^== memcgs at the end (bytes)$' "$WORK/memcg.1" || fail "memcg: no memcg section: $(cat "$WORK/memcg.1")"
printf '/*! Chart.js v0 stand-in */\n' >"$WORK/chart-stub.js"
PAGEFRAME_CHARTJS="$WORK/chart-stub.js" "$CLI" run --no-progress -m "$M" --report "$WORK/memcg.html" \
  "$SRC/examples/scenarios/memcg.scn" >"$WORK/memcg.rep" 2>"$WORK/memcg.rep.err" || fail "memcg --report: exit $?: $(cat "$WORK/memcg.rep.err")"
# the snapshots' view reads change nothing: the same output as the run without --report
# (report_unperturbed.sh compares every shipped scenario so)
cmp -s "$WORK/memcg.1" "$WORK/memcg.rep" || fail "memcg: --report changed the run: $(diff "$WORK/memcg.1" "$WORK/memcg.rep" | head -5)"
# web's memory.max: 64M = 64 * 1048576 = 67108864 bytes.  A charge that finds no room for a batch of 64
# retries for its one page, so web's 60000 pages of demand fill the counter to exactly max: peak = max.
line=$(grep '^memcg /apps/web: ' "$WORK/memcg.1")
[ "$line" = "$(printf '%s\n' "$line" | sed -n 's/^\(memcg \/apps\/web: current [0-9]* peak 67108864 max 67108864 high max low 0 min 0\)$/\1/p')" ] ||
  fail "memcg: web: $line"
cur=$(printf '%s\n' "$line" | sed 's/.* current \([0-9]*\) .*/\1/')
[ "$cur" -le 67108864 ] || fail "memcg: web's current $cur over its max"
ev=$(grep -A1 '^memcg /apps/web: ' "$WORK/memcg.1" | sed -n 's/^  memory.events: low 0 high 0 max \([0-9]*\) oom 0 oom_kill 0 oom_group_kill 0$/\1/p')
[ -n "$ev" ] && [ "$ev" -gt 0 ] || fail "memcg: web's max events: $(grep -A1 '^memcg /apps/web: ' "$WORK/memcg.1")"
# web stays within its limit by reclaiming its own page cache, and nothing fails
awk '$2 == "web-files" && $5 == 60000 && $6 == 0 && $8 > 0 { ok = 1 } END { exit !ok }' "$WORK/memcg.1" ||
  fail "memcg: web-files: $(grep web-files "$WORK/memcg.1")"
# in every snapshot (the start, then 30 of 100 ms): web at most its max, /apps (no stream of its own)
# exactly its only child; the protected db holds what its stream made: 8000 a second for 3 s on two CPUs
# is 4 a tick on each, 24000 pages = 98304000 bytes, plus at most a batch of 64 a CPU in the stocks
awk -v db=98304000 -v stock=$((2 * 64 * 4096)) '
  /"mc":\[\[/ {
    s = $0; sub(/.*"mc":\[\[/, "", s); sub(/\]\]\}.*/, "", s)
    n = split(s, cg, /\],\[/); delete cur
    for (i = 1; i <= n; i++) { split(cg[i], f, ","); gsub(/"/, "", f[1]); cur[f[1]] = f[2] + 0; mx[f[1]] = f[3] }
    if (cur["/apps/web"] > 67108864 || mx["/apps/web"] != 67108864) { print "web over max: " cur["/apps/web"]; bad = 1 }
    if (cur["/apps"] != cur["/apps/web"]) { print "/apps " cur["/apps"] " is not web " cur["/apps/web"]; bad = 1 }
    last = cur["/db"]; snaps++
  }
  END {
    if (snaps != 31) { print snaps " snapshots with memcgs, expected 31"; bad = 1 }
    if (last < db || last > db + stock) { print "db at the end: " last; bad = 1 }
    exit bad
  }' "$WORK/memcg.html" >"$WORK/memcg.snaps" || fail "memcg snapshots: $(head -5 "$WORK/memcg.snaps")"
# db (memory.low 128M, using 94M) loses no page to the global reclaim that takes the flood's; the
# same run without its protection loses some: the protection is what keeps them
awk '$2 == "db-files" && $5 == 24000 && $8 == 0 { ok = 1 } $2 == "flood" && $8 > 0 { fl = 1 } END { exit !(ok && fl) }' \
  "$WORK/memcg.1" || fail "memcg: db or flood: $(grep -E 'db-files|flood' "$WORK/memcg.1")"
sed 's/^memcg db   low=128M$/memcg db/' "$SRC/examples/scenarios/memcg.scn" >"$WORK/nolow.scn"
grep -q '^memcg db$' "$WORK/nolow.scn" || fail "nolow: the sed did not match the example"
"$CLI" run --no-progress -m "$M" "$WORK/nolow.scn" >"$WORK/nolow.out" 2>&1 || fail "nolow: exit $?"
awk '$2 == "db-files" && $8 > 0 { ok = 1 } END { exit !ok }' "$WORK/nolow.out" ||
  fail "nolow: db lost nothing without memory.low: $(grep db-files "$WORK/nolow.out")"

# memory.high on the simulated clock (the numbers of tests/api/test_memcg_throttle.c): one CPU, 100 kernel
# pages a tick charged to x (high 4M = 1024 pages) in batches of 64.  Page 1025 (tick 10) takes x to
# 1088 pages: a penalty of 62 jiffies = 248 ms, slept as 248 ticks of 1 ms from tick 11 (17 high
# events: a round of reclaim and 16 retries).  At tick 259 pages 1026..1088 come from the stock and 1089
# takes x to 1152: 250 jiffies = 1 s, past the run's end (17 more events).  1089 pages, 18 batches.
printf 'tick 1ms\nkcompactd off\nvmstat off\nmemcg x high=4M\nphase a 500ms\n  stream s kind=unmovable rate=100000 cpus=0 memcg=x\n' >"$WORK/high.scn"
out=$("$CLI" run --no-progress -m "$M" "$WORK/high.scn" 2>"$WORK/high.err") || fail "high: exit $?"
printf '%s\n' "$out" | grep -q '^a  *s  *unmovable  *0  *1089  *0  *0  *0$' || fail "high: stream s: $out"
printf '%s\n' "$out" | grep -q "^memcg /x: current $((1152 * 4096)) peak $((1152 * 4096)) max max high 4194304 low 0 min 0\$" || fail "high: $out"
printf '%s\n' "$out" | grep -q '^  memory.events: low 0 high 34 max 0 oom 0 oom_kill 0 oom_group_kill 0$' || fail "high: events: $out"
printf '%s\n' "$out" | grep -q '^  memory.high throttling: 2 sleeps, 1.248 simulated seconds$' || fail "high: throttling: $out"
printf '%s\n' "$out" | grep -q "^  memory.stat: kernel $((1089 * 4096))\$" || fail "high: stat: $out"

# progress: plain lines when standard error is no terminal, a bar on one
"$CLI" run -m "$M" "$SRC/tests/data/scenarios/counted.scn" 2>"$WORK/plain.err" >/dev/null
grep -q '^run:  10% (0.10 of 1.00 simulated s)' "$WORK/plain.err" || fail "no plain progress lines: $(cat "$WORK/plain.err")"
grep -q '^run: 100% (1.00 of 1.00 simulated s)' "$WORK/plain.err" || fail "no 100% line"
if command -v script >/dev/null 2>&1; then
  script -qc "'$CLI' run -m '$M' '$SRC/tests/data/scenarios/counted.scn'" /dev/null >"$WORK/tty.out" 2>&1
  grep -q '100% \[##############################\] .* simulated s/s, ETA' "$WORK/tty.out" || fail "no progress bar on a terminal: $(head -c 300 "$WORK/tty.out")"
fi

# bad scenarios: the file and the line
# bad NAME EXPECTED-MESSAGE FORMAT: the scenario is printf FORMAT (octal escapes: sh's printf has no \x).
# Not in a pipeline: a pipeline's last command runs in a subshell, where fail would end only the subshell.
bad() {
  printf "$3" >"$WORK/$1.scn"
  "$CLI" run -m "$M" "$WORK/$1.scn" >/dev/null 2>"$WORK/$1.err"
  rc=$?
  [ $rc -eq 1 ] || fail "$1: exit $rc"
  grep -qF "$1.scn: $2" "$WORK/$1.err" || fail "$1: expected '$2', got: $(cat "$WORK/$1.err")"
}
"$CLI" run -m "$M" "$WORK" >/dev/null 2>"$WORK/dir.err"
[ $? -eq 1 ] || fail "a directory as the scenario: exit not 1"
grep -q "cli_run_scenario: Is a directory" "$WORK/dir.err" || fail "a directory as the scenario: $(cat "$WORK/dir.err")"
bad truncated "line 3: stream t: unknown kind 'unmov'" 'phase a 1s\n  stream s kind=unmovable rate=10\n  stream t kind=unmov'
bad kind "line 2: stream s: unknown kind 'slab'" 'phase a 1s\n  stream s kind=slab rate=10\n'
bad order "line 3: stream s: order '99' is not 0..10" 'phase a 1s\n\n  stream s kind=thp rate=10 order=99\n'
bad cpu "line 2: CPU 5, but the machine has 2 CPUs" 'phase a 1s\n  stream s kind=anon rate=10 cpus=5\n'
bad binary "line 3: binary data (a NUL byte)" 'seed 1\nphase a 1s\n  stream s kind=anon rate=10\000\001\377\n'
bad junk "line 1: unknown directive" '\377\376\001junk\n'
bad nophase "line 1: a stream before any phase" '  stream s kind=anon rate=10\n'
bad empty "no phase: nothing to run" 'tick 1s\n'
bad rate "line 2: stream s: rate '1e9' is not a number" 'phase a 1s\n  stream s kind=anon rate=1e9\n'
bad ticks "100000000 ticks: more than 50000000" 'tick 10us\nphase a 1000s\n'
# the clock runs whole ticks: a phase of 1.5 ticks ran 1 or 2 of them, one shorter than a tick none
bad partial "line 2: phase a: 1500us is not a whole number of ticks of 1000us" 'tick 1ms\nphase a 1500us\n  stream s kind=anon rate=1000\nphase b 1500us\n'
bad short "line 1: phase a: 500000us is not a whole number of ticks of 1000000us" 'phase a 500ms\n  stream s kind=anon rate=1000\ntick 1s\n'
bad seed "line 1: seed N" 'seed 99999999999999999999\nphase a 1s\n'
# memcg lines
bad mcstream "line 3: stream s: memcg 'web' is not declared (memcg web ...)" 'memcg db\nphase a 1s\n  stream s kind=anon rate=10 memcg=web\n'
bad mcparent "line 2: memcg b: parent 'nope' is not declared" 'memcg a\nmemcg b parent=nope\nphase a 1s\n'
bad mccycle "line 2: memcg b: its parents go round in a cycle (b -> c -> b)" 'memcg a\nmemcg b parent=c\nmemcg c parent=b\nphase a 1s\n'
bad mcself "line 1: memcg a: its parents go round in a cycle (a -> a)" 'memcg a parent=a\nphase a 1s\n'
bad mcsize "line 1: memcg a: max '64X' is not a size" 'memcg a max=64X\nphase a 1s\n'
bad mcbig "line 2: memcg a: low '5P' is not a size" '\nmemcg a low=5P\nphase a 1s\n'
bad mcdeep "line 9: memcg l9: 9 levels below the root, more than 8" 'memcg l1\nmemcg l2 parent=l1\nmemcg l3 parent=l2\nmemcg l4 parent=l3\nmemcg l5 parent=l4\nmemcg l6 parent=l5\nmemcg l7 parent=l6\nmemcg l8 parent=l7\nmemcg l9 parent=l8\nphase a 1s\n'
bad mcdup "line 3: memcg a: declared already on line 1" 'memcg a\nmemcg b\nmemcg a\nphase a 1s\n'
bad mckey "line 1: memcg a: unknown key 'swap.max'" 'memcg a swap.max=1G\nphase a 1s\n'
bad mcslash "line 1: memcg needs a name" 'memcg a/b\nphase a 1s\n'

# numbers are decimal: order=010 is order 10 (not octal 8), burst=010 ten a burst
printf 'tick 1ms\nkcompactd off\nvmstat off\nreclaim off\nphase a 1ms\n  stream s kind=unmovable rate=10000/s burst=010 order=010 cpus=0\n' >"$WORK/decimal.scn"
out=$("$CLI" run --no-progress -m "$M" "$WORK/decimal.scn" 2>"$WORK/decimal.err") || fail "decimal: exit $?: $(cat "$WORK/decimal.err")"
# 10000 a second in bursts of 10 = 1000 bursts a second = 1.0 burst in the one tick: 10 allocations of order 10
printf '%s\n' "$out" | grep -q '^a  *s  *unmovable  *10  *10  *0  *0  *0$' || fail "decimal: $out"
echo "ok"
