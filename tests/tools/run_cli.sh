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

# progress: plain lines when standard error is no terminal, a bar on one
"$CLI" run -m "$M" "$SRC/tests/data/scenarios/counted.scn" 2>"$WORK/plain.err" >/dev/null
grep -q '^run:  10% (0.10 of 1.00 simulated s)' "$WORK/plain.err" || fail "no plain progress lines: $(cat "$WORK/plain.err")"
grep -q '^run: 100% (1.00 of 1.00 simulated s)' "$WORK/plain.err" || fail "no 100% line"
if command -v script >/dev/null 2>&1; then
  script -qc "'$CLI' run -m '$M' '$SRC/tests/data/scenarios/counted.scn'" /dev/null >"$WORK/tty.out" 2>&1
  grep -q '100% \[##############################\] .* simulated s/s, ETA' "$WORK/tty.out" || fail "no progress bar on a terminal: $(head -c 300 "$WORK/tty.out")"
fi

# bad scenarios: the file and the line
bad() {  # bad NAME EXPECTED-MESSAGE (the scenario on standard input)
  cat >"$WORK/$1.scn"
  "$CLI" run -m "$M" "$WORK/$1.scn" >/dev/null 2>"$WORK/$1.err"
  rc=$?
  [ $rc -eq 1 ] || fail "$1: exit $rc"
  grep -qF "$1.scn: $2" "$WORK/$1.err" || fail "$1: expected '$2', got: $(cat "$WORK/$1.err")"
}
printf 'phase a 1s\n  stream s kind=unmovable rate=10\n  stream t kind=unmov' | bad truncated "line 3: stream t: unknown kind 'unmov'"
printf 'phase a 1s\n  stream s kind=slab rate=10\n' | bad kind "line 2: stream s: unknown kind 'slab'"
printf 'phase a 1s\n\n  stream s kind=thp rate=10 order=99\n' | bad order "line 3: stream s: order '99' is not 0..10"
printf 'phase a 1s\n  stream s kind=anon rate=10 cpus=5\n' | bad cpu "line 2: CPU 5, but the machine has 2 CPUs"
printf 'seed 1\nphase a 1s\n  stream s kind=anon rate=10\x00\x01\xff\n' | bad binary "line 3: binary data (a NUL byte)"
printf '\xff\xfe\x01junk\n' | bad junk "line 1: unknown directive"
printf '  stream s kind=anon rate=10\n' | bad nophase "line 1: a stream before any phase"
printf 'tick 1s\n' | bad empty "no phase: nothing to run"
printf 'phase a 1s\n  stream s kind=anon rate=1e9\n' | bad rate "line 2: stream s: rate '1e9' is not a number"
printf 'tick 10us\nphase a 1000s\n' | bad ticks "100000000 ticks: more than 50000000"
echo "ok"
