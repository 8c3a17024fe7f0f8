#!/bin/sh
# tests/install/run.sh - what `make install` installs, checked from a temporary prefix.
#
#   run.sh BUILD_DIR CC CMAKE
#
# Installs BUILD_DIR (make's build/) into a fresh temporary prefix with cmake --install, then:
#  - builds tests/install/consumer.c against that prefix only, through pkg-config (pageframe and
#    pageframe-debug, shared and --static) and through find_package(pageframe)
#    (pageframe::pageframe, pageframe::pageframe_static, pageframe::pageframe_debug,
#    pageframe::pageframe_debug_static), runs each and reads the pf_build_info() it prints:
#    libpageframe must say "debug_vm=0 build=Release optimized=1 sanitize=none" (the optimised
#    library make bench measures), libpageframe-debug "debug_vm=2";
#  - checks the binaries themselves, apart from what they say: the optimised .so and .a hold none
#    of the strings a VM_BUG_ON carries (its condition, "lockdep_assert_held("), the debug ones do;
#  - runs the public contract (tests/contract/run.sh) against the same installed library.
# The prefix is removed at the end.
set -eu
build=$1 cc=$2 cmake=$3
here=$(cd "$(dirname "$0")" && pwd)
fail() { echo "install: $*"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/pageframe-install.XXXXXX")
work=$(cd "$work" && pwd -P)
trap 'rm -rf "$work"' EXIT INT TERM
prefix=$work/prefix
"$cmake" --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1 ||
	{ cat "$work/install.log"; fail "cmake --install $build failed"; }

[ -x "$prefix/bin/pageframe" ] || fail "the CLI was not installed ($prefix/bin/pageframe)"
pcdir=$(dirname "$(find "$prefix" -name pageframe.pc | head -1)")
[ -f "$pcdir/pageframe.pc" ] || fail "no pageframe.pc under $prefix"
[ -f "$pcdir/pageframe-debug.pc" ] || fail "no pageframe-debug.pc beside $pcdir/pageframe.pc"
export PKG_CONFIG_PATH="$pcdir"
unset PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR 2>/dev/null || true
command -v pkg-config >/dev/null || fail "pkg-config not found (Debian package pkg-config)"
libdir=$(cd "$(pkg-config --variable=libdir pageframe)" && pwd -P)

# check PROGRAM WANT: run it; it must say "consumer ok" and print a build_info line starting WANT.
check() {
	out=$("$1" 2>&1) || { printf '%s\n' "$out"; fail "$1 failed"; }
	printf '%s\n' "$out" | grep -q '^consumer ok$' || { printf '%s\n' "$out"; fail "$1 did not say consumer ok"; }
	info=$(printf '%s\n' "$out" | sed -n 's/^build_info: //p')
	case "$info" in
	"$2"*) ;;
	*) fail "$(basename "$1"): pf_build_info() says \"$info\", want \"$2...\"" ;;
	esac
	echo "$(basename "$1"): $info"
}
release="debug_vm=0 build=Release optimized=1 sanitize=none"
debug="debug_vm=2 "

for pc in pageframe pageframe-debug; do
	if [ $pc = pageframe ]; then want=$release; else want=$debug; fi
	lname=$(pkg-config --libs-only-l $pc | sed -n 's/.*-l\(pageframe[^ ]*\).*/\1/p')
	[ "$lname" = $pc ] || fail "pkg-config --libs $pc names -l$lname, want -l$pc"
	# shellcheck disable=SC2046
	"$cc" -std=c11 -Wall -Wextra -Werror $(pkg-config --cflags $pc) "$here/consumer.c" -o "$work/pc_$pc" \
		$(pkg-config --libs $pc) -Wl,-rpath,"$libdir" || fail "consumer does not build through pkg-config $pc"
	check "$work/pc_$pc" "$want"
	# --static: -lNAME as -l:libNAME.a, so the .so cannot be picked
	# shellcheck disable=SC2046
	"$cc" -std=c11 -Wall -Wextra -Werror $(pkg-config --cflags $pc) "$here/consumer.c" -o "$work/pc_${pc}_static" \
		$(pkg-config --static --libs $pc | sed "s/-l$pc\\b/-l:lib$pc.a/") ||
		fail "consumer does not link statically through pkg-config --static $pc"
	check "$work/pc_${pc}_static" "$want"
done

mkdir -p "$work/cmake-src"
cat >"$work/cmake-src/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.16)
project(pageframe_install_check C)
find_package(pageframe 0.3 REQUIRED)
foreach(t pageframe pageframe_static pageframe_debug pageframe_debug_static)
  add_executable(cm_\${t} "$here/consumer.c")
  target_link_libraries(cm_\${t} PRIVATE pageframe::\${t})
endforeach()
CMAKE
"$cmake" -S "$work/cmake-src" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" \
	-DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF >"$work/cmake.log" 2>&1 ||
	{ cat "$work/cmake.log"; fail "find_package(pageframe) from $prefix failed"; }
"$cmake" --build "$work/cmake-build" >>"$work/cmake.log" 2>&1 || { cat "$work/cmake.log"; fail "the find_package build failed"; }
check "$work/cmake-build/cm_pageframe" "$release"
check "$work/cmake-build/cm_pageframe_static" "$release"
check "$work/cmake-build/cm_pageframe_debug" "$debug"
check "$work/cmake-build/cm_pageframe_debug_static" "$debug"
# the shared targets really use the installed .so files (not a static copy)
for t in pageframe pageframe_debug; do
	so=$(echo "lib$t.so" | tr _ -)
	ldd "$work/cmake-build/cm_$t" | grep -q "$libdir/$so" || fail "cm_$t is not linked against $libdir/$so"
done

# The binaries, apart from what pf_build_info() says: a VM_BUG_ON at level >= 1 keeps its condition
# text for the report; at level 0 the compiler drops it with the dead branch.
for f in libpageframe.so libpageframe.a libpageframe-debug.so libpageframe-debug.a; do
	n=$(grep -a -c 'lockdep_assert_held(' "$libdir/$f" || true)
	case $f in
	*debug*) [ "$n" -gt 0 ] || fail "$libdir/$f carries no VM_BUG_ON text: not a checked build" ;;
	*) [ "$n" -eq 0 ] || fail "$libdir/$f carries VM_BUG_ON text: its checks are compiled in" ;;
	esac
done
echo "install: the VM_BUG_ON texts are in libpageframe-debug only"

# The public contract against the installed optimised library (its own prefix, same build).
sh "$here/../contract/run.sh" "$build" "$work/contract" "$cc" "$cmake" "" || fail "the contract fails on $build"
echo "install: ok ($build: libpageframe optimised, libpageframe-debug checked)"
