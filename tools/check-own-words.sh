#!/bin/sh
# SPDX-License-Identifier: MIT
#
# check-own-words.sh - our comments must be in our own words.
#
# pageframe follows Linux 6.12's algorithms and names, never its text.  This
# check compares every comment line in src/ and include/ with the kernel files
# we follow and fails on any line of 40 or more characters that the kernel has
# word for word.  Code lines and string literals are not checked: they share
# the kernel's names and output strings on purpose.
#
#   tools/check-own-words.sh [--kernel-dir DIR] [PATH...]
#
# PATH defaults to src include (files or directories, *.c and *.h).  Without
# --kernel-dir the kernel files come from Debian's linux-source-6.12 package,
# installed here when missing (as root, with apt-get; otherwise the package is
# named and the check fails), and are extracted once into
# build/kernel-words/ (re-extracted only when the list below changes).
#
# Run it from the top of the tree (make check-words does).
set -eu

PKG=linux-source-6.12
TARBALL=/usr/src/$PKG.tar.xz
CACHE=${CHECK_WORDS_CACHE:-build/kernel-words}
# The kernel files we follow, plus those our comments cite (lib/vsprintf.c for
# %pGp, fs/proc for the /proc views, the x86 files that shape a PC's zones, the
# sysctl parsing, the memory model).  The check notes any cited file missing here.
MEMBERS="mm include/linux include/trace/events lib/fault-inject.c lib/vsprintf.c
lib/ctype.c lib/kstrtox.c kernel/sysctl.c include/asm-generic/memory_model.h
fs/proc tools/mm arch/x86/mm/init.c arch/x86/mm/init_64.c arch/x86/kernel/e820.c
kernel/dma/contiguous.c lib/bitmap.c lib/cmdline.c kernel/cgroup/cpuset.c include/uapi/linux/mempolicy.h
fs/drop_caches.c lib/math/int_sqrt.c
lib/stackdepot.c kernel/stacktrace.c include/uapi/linux/kernel-page-flags.h"

kernel_dir=""
if [ "${1:-}" = "--kernel-dir" ]; then
	[ $# -ge 2 ] || { echo "check-words: --kernel-dir needs a directory" >&2; exit 2; }
	kernel_dir=$2
	shift 2
fi

# Install the Debian packages this check needs, or name them.
need_packages() {
	missing=""
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "check-words: installing$missing"
		# shellcheck disable=SC2086  # one argument per package
		(apt-get update -qq || true) &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
				$missing >/dev/null
	else
		echo "check-words: missing Debian packages:$missing (run: sudo apt-get install$missing)" >&2
		exit 1
	fi
}

command -v python3 >/dev/null 2>&1 || need_packages python3

if [ -z "$kernel_dir" ]; then
	[ -r "$TARBALL" ] || need_packages "$PKG"
	[ -r "$TARBALL" ] || { echo "check-words: $TARBALL not found (package $PKG)" >&2; exit 1; }
	kernel_dir=$CACHE/$PKG
	stamp=$CACHE/members
	# shellcheck disable=SC2086  # one line per member
	want=$(printf '%s\n' $MEMBERS)
	if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
		echo "check-words: extracting the kernel files we follow from $TARBALL into $CACHE"
		rm -rf "$CACHE"
		mkdir -p "$CACHE"
		# shellcheck disable=SC2046  # one argument per member
		tar -xJf "$TARBALL" -C "$CACHE" $(for m in $MEMBERS; do printf '%s/%s ' "$PKG" "$m"; done)
		printf '%s\n' "$want" >"$stamp"
	fi
fi

exec python3 "$(dirname "$0")/check-own-words.py" --kernel-dir "$kernel_dir" "$@"
