#!/bin/sh
# pageframe run --report FILE.html samples the machine's views during the run (buddyinfo, zoneinfo,
# extfrag_index, unusable_index, pageblocks, a vmstat counter, the memcgs' files); reading them must
# change nothing the run decides on.  Each shipped scenario, on the default machine and on
# small.machine, with two seeds: the output with --report must be the output without it, line for
# line (standard error too, but for the wall-clock "N ticks in S s" line).
# usage: report_unperturbed.sh PAGEFRAME SOURCE_DIR WORK_DIR
set -u
CLI=$1 SRC=$2 WORK=$3
mkdir -p "$WORK"
fail() { echo "FAIL: $*"; exit 1; }
# the report's page wants Chart.js; a stand-in is enough to write it
printf '/*! Chart.js v0 stand-in */\n' >"$WORK/chart-stub.js"
export PAGEFRAME_CHARTJS="$WORK/chart-stub.js"
n=0 bad=0
for scn in "$SRC"/examples/scenarios/*.scn; do
  name=$(basename "$scn" .scn)
  for machine in default small; do
    for seed in 3 7; do
      set -- run --no-progress --seed "$seed"
      [ "$machine" = small ] && set -- "$@" -m "$SRC/examples/scenarios/small.machine"
      out=$WORK/$name.$machine.$seed
      "$CLI" "$@" "$scn" >"$out.plain" 2>&1 || fail "$name ($machine, seed $seed): exit $?: $(tail -n 3 "$out.plain")"
      "$CLI" "$@" --report "$out.html" "$scn" >"$out.report" 2>&1 ||
        fail "$name ($machine, seed $seed) --report: exit $?: $(tail -n 3 "$out.report")"
      [ -s "$out.html" ] || fail "$name ($machine, seed $seed): no report written"
      tail -n 1 "$out.plain" | grep -q '^run: .*, pf_check clean$' || fail "$name ($machine, seed $seed): $(tail -n 1 "$out.plain")"
      grep -v '^pageframe: [0-9]* ticks in [0-9.]* s$' "$out.plain" >"$out.plain.cmp"
      grep -v '^pageframe: [0-9]* ticks in [0-9.]* s$' "$out.report" >"$out.report.cmp"
      if ! cmp -s "$out.plain.cmp" "$out.report.cmp"; then
        echo "$name ($machine, seed $seed): --report changed the run:"
        diff "$out.plain.cmp" "$out.report.cmp" | head -n 12
        bad=$((bad + 1))
      fi
      n=$((n + 1))
    done
  done
done
[ "$bad" -eq 0 ] || fail "$bad of $n runs changed by --report"
[ "$n" -ge 12 ] || fail "only $n runs compared"
echo "ok: $n runs alike with and without --report"
