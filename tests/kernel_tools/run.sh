#!/bin/sh
# SPDX-License-Identifier: MIT
# kernel_tools: the kernel's own tools/mm/page_owner_sort and tools/mm/page-types (Linux 6.12,
# from Debian's linux-source-6.12, built here at test time) read pageframe's page_owner and
# kpageflags output, and what they count is what the machine holds.
#   run.sh KERNEL_TOOLS_SH TOOLS_DIR OWNER_WORKLOAD PAGEFRAME_CLI WORKDIR
# Expected figures, worked by hand (owner_workload.c's head comment has the allocations):
#   the machine: pfns 0..0x7fff (one 128 MiB section, 32768 words); pfn 0 and 0x9f..0xff are
#   holes, 1 + 97 = 98 reserved pages; 32768 - 98 = 32670 pages free after boot.
#   page_owner_sort --cull stacktrace: one entry per site:
#     site_a "5 times, 5 pages", site_b "3 times, 12 pages" (order 2), site_c "2 times, 4 pages";
#     sums 10 times, 21 pages (every record, nothing else allocated).
#   page-types -r (raw: compound and reserved bits shown):
#     0x0 (allocated, no flags): 5 + 12 = 17; H compound_head 2; T compound_tail 2;
#     r reserved (bit 32) 98; B buddy 32670 - 21 = 32649; total 32768.
#   page-types without -r hides the reserved bit and non-huge compound bits:
#     0x0: 17 + 4 + 98 = 119, buddy 32649.
#   pageframe kpageflags on the booted machine (the CLI): buddy 32670, reserved 98.
set -eu
kt_sh=$1 tools=$2 workload=$3 cli=$4 work=$5

status=0
"$kt_sh" "$tools" || status=$?
[ "$status" = 0 ] || exit "$status"
mm=$tools/linux-source-6.12/tools/mm
mkdir -p "$work"
fail() { echo "kernel_tools: FAIL: $*" >&2; exit 1; }

"$workload" "$work/page_owner.txt" "$work/kpageflags.bin"

# --- page_owner_sort -----------------------------------------------------------------------
"$mm/page_owner_sort" --cull stacktrace "$work/page_owner.txt" "$work/page_owner.sorted" >/dev/null
# one "N times, M pages:" header per distinct stack, then its frames, then a blank line
entry() {	# entry SITE: "times pages" of the entry whose frames name SITE
	awk -v site="$1" '
		/^[0-9]+ times, [0-9]+ pages:$/ { t = $1; p = $3; next }
		index($0, " " site "+0x") == 1 { print t, p; found++ }
		END { if (found != 1) print "none" }' "$work/page_owner.sorted"
}
[ "$(entry site_a)" = "5 5" ] || fail "page_owner_sort: site_a gives '$(entry site_a)', want 5 times, 5 pages"
[ "$(entry site_b)" = "3 12" ] || fail "page_owner_sort: site_b gives '$(entry site_b)', want 3 times, 12 pages"
[ "$(entry site_c)" = "2 4" ] || fail "page_owner_sort: site_c gives '$(entry site_c)', want 2 times, 4 pages"
sums=$(awk '/^[0-9]+ times, [0-9]+ pages:$/ { t += $1; p += $3 } END { print t + 0, p + 0 }' "$work/page_owner.sorted")
[ "$sums" = "10 21" ] || fail "page_owner_sort: totals '$sums', want 10 times, 21 pages"

# --- page-types -F ---------------------------------------------------------------------------
count() {	# count FILE FLAGS_HEX: the page-count of that flags row, 0 when absent
	awk -v f="$2" '$1 == f { print $2; found = 1 } END { if (!found) print 0 }' "$1"
}
"$mm/page-types" -r -F "$work/kpageflags.bin" >"$work/page-types.raw"
want_rows() {	# want_rows FILE "flags count" ...
	file=$1
	shift
	for pair in "$@"; do
		f=${pair% *} n=${pair#* }
		got=$(count "$file" "$f")
		[ "$got" = "$n" ] || fail "page-types ($file): $f counts $got pages, want $n"
	done
}
want_rows "$work/page-types.raw" "0x0000000000000000 17" "0x0000000000008000 2" "0x0000000000010000 2" \
	"0x0000000100000000 98" "0x0000000000000400 32649"
total=$(awk '$1 == "total" { print $2 }' "$work/page-types.raw")
[ "$total" = 32768 ] || fail "page-types -r: total $total, want 32768"
[ "$(grep -c '^0x' "$work/page-types.raw")" = 5 ] || fail "page-types -r: rows other than the five expected"
"$mm/page-types" -F "$work/kpageflags.bin" >"$work/page-types.txt"
want_rows "$work/page-types.txt" "0x0000000000000000 119" "0x0000000000000400 32649"

# --- the CLI's kpageflags of the booted machine ----------------------------------------------
printf 'cpus 1\nmem 0 0x1000-0x9efff\nmem 0 0x100000-0x7ffffff\n' >"$work/machine.txt"
"$cli" kpageflags -m "$work/machine.txt" -o "$work/cli.kpageflags"
"$mm/page-types" -r -F "$work/cli.kpageflags" >"$work/cli.page-types"
want_rows "$work/cli.page-types" "0x0000000000000400 32670" "0x0000000100000000 98"
echo "kernel_tools: page_owner_sort and page-types agree with the machine"
