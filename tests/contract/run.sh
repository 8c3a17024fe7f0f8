#!/bin/sh
# tests/contract/run.sh - the public contract, checked from an installed copy.
#
#   run.sh BUILD_DIR WORK_DIR CC CMAKE "SANITIZER_FLAGS"
#
# Installs BUILD_DIR into WORK_DIR/prefix (cmake --install), then builds
# contract.c against the installed headers and libraries only: through the
# prefix's pkg-config file (shared, and static with --static), and through
# find_package(pageframe) (pageframe::pageframe and pageframe::pageframe_static).
# Each program must print "contract ok".
set -eu
build=$1 work=$2 cc=$3 cmake=$4 san=${5:-}
here=$(cd "$(dirname "$0")" && pwd)
prefix=$work/prefix
fail() { echo "contract: $*"; exit 1; }

rm -rf "$work"
mkdir -p "$work"
"$cmake" --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "cmake --install failed"; }

pc=$(find "$prefix" -name pageframe.pc | head -1)
[ -n "$pc" ] || fail "no pageframe.pc installed under $prefix"
export PKG_CONFIG_PATH="$(dirname "$pc")"
unset PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR 2>/dev/null || true
command -v pkg-config >/dev/null || fail "pkg-config not found (Debian package pkg-config)"
incdir=$(pkg-config --variable=includedir pageframe)
libdir=$(pkg-config --variable=libdir pageframe)
for h in pageframe.h gfp.h page.h linux.h version.h; do
	[ -f "$incdir/pageframe/$h" ] || fail "$incdir/pageframe/$h not installed"
done
[ ! -e "$incdir/pageframe/version.h.in" ] || fail "a template was installed: $incdir/pageframe/version.h.in"
grep -q "PF_CHECK_VERSION" "$incdir/pageframe/version.h" || fail "installed version.h has no PF_CHECK_VERSION"

cflags=$(pkg-config --cflags pageframe)
libs=$(pkg-config --libs pageframe)
lname=$(printf '%s\n' $libs | sed -n 's/^-l\(pageframe.*\)$/\1/p' | head -1)
[ -n "$lname" ] || fail "pkg-config --libs names no pageframe library: $libs"
[ -f "$libdir/lib$lname.a" ] || fail "$libdir/lib$lname.a not installed"
[ -f "$libdir/lib$lname.so" ] || fail "$libdir/lib$lname.so not installed"
# The installed archive is the localised one: only pf_* names are global in it.
if command -v nm >/dev/null; then
	extra=$(nm -g --defined-only "$libdir/lib$lname.a" | awk 'NF == 3 && $3 !~ /^pf_/ { print $3 }')
	[ -z "$extra" ] || fail "the installed lib$lname.a exports non-API names: $(echo $extra)"
fi
ver=$(sed -n 's/^#define PF_VERSION_STRING "\(.*\)"$/\1/p' "$incdir/pageframe/version.h")
[ "$ver" = "$(pkg-config --modversion pageframe)" ] || fail "version.h says $ver, pageframe.pc $(pkg-config --modversion pageframe)"

# The installed headers compile as C++ too, when a C++ compiler is there (pageframe.h declares
# extern "C"; page.h names page->private private_ there, "private" being a C++ keyword).
if command -v c++ >/dev/null; then
	printf '#include <pageframe/pageframe.h>\n#include <pageframe/page.h>\n#include <pageframe/linux.h>\nint main() { struct pf_page p = {}; p.private_ = 1; return (int)p.private_ - 1; }\n' > "$work/cxx.cc"
	# shellcheck disable=SC2086
	c++ -std=c++17 -Wall -Wextra -Werror -fsyntax-only $cflags "$work/cxx.cc" || fail "the installed headers do not compile as C++"
fi

run() {
	out=$("$1" 2>&1) || { printf '%s\n' "$out"; fail "$1 failed"; }
	printf '%s\n' "$out" | grep -q "^contract ok" || { printf '%s\n' "$out"; fail "$1 did not say contract ok"; }
	echo "$(basename "$1"): $out"
}

# pkg-config, shared library (found through the rpath, not the build tree).
# shellcheck disable=SC2086
"$cc" -std=c11 -Wall -Wextra -Werror $san $cflags "$here/contract.c" -o "$work/contract_pc_shared" \
	$libs -Wl,-rpath,"$libdir" || fail "does not compile against the installed headers (pkg-config, shared)"
run "$work/contract_pc_shared"

# pkg-config --static, static archive: -lNAME becomes -l:libNAME.a so the .so cannot be picked.
slibs=$(pkg-config --static --libs pageframe | sed "s/-l$lname\\b/-l:lib$lname.a/")
# shellcheck disable=SC2086
"$cc" -std=c11 -Wall -Wextra -Werror $san $cflags "$here/contract.c" -o "$work/contract_pc_static" \
	$slibs || fail "does not link statically against the installed library (pkg-config --static)"
run "$work/contract_pc_static"

# find_package(pageframe) from the installed CMake package, both targets.
mkdir -p "$work/cmake-src"
cat >"$work/cmake-src/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.16)
project(pageframe_contract C)
find_package(pageframe 0.1 REQUIRED)
add_executable(contract_cmake_shared "$here/contract.c")
target_link_libraries(contract_cmake_shared PRIVATE pageframe::pageframe)
add_executable(contract_cmake_static "$here/contract.c")
target_link_libraries(contract_cmake_static PRIVATE pageframe::pageframe_static)
CMAKE
"$cmake" -S "$work/cmake-src" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" \
	-DCMAKE_C_FLAGS="$san" -DCMAKE_EXE_LINKER_FLAGS="$san" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
	>"$work/cmake.log" 2>&1 || { cat "$work/cmake.log"; fail "find_package(pageframe) from $prefix failed"; }
"$cmake" --build "$work/cmake-build" >>"$work/cmake.log" 2>&1 || { cat "$work/cmake.log"; fail "the find_package build failed"; }
run "$work/cmake-build/contract_cmake_shared"
run "$work/cmake-build/contract_cmake_static"
echo "contract: ok ($prefix)"
