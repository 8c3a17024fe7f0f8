#!/bin/sh
# SPDX-License-Identifier: MIT
# kernel-tools.sh DEST [--install] - build the kernel's own readers of our views,
# tools/mm/page_owner_sort and tools/mm/page-types of Linux 6.12, from Debian's
# linux-source-6.12 into DEST/linux-source-6.12/tools/mm, as the kernel's tools/mm/Makefile
# builds them (page-types links tools/lib/api's libapi.a).  Only what that Makefile needs is
# extracted: tools/{mm,lib,include,scripts,build,arch/x86/include} and the two uapi headers
# page-types includes.  Nothing is committed; make kernel-tools and the kernel_tools test call it.
# --install: install the package with apt-get when it is missing (as root), else name it.
# Exit status 77 (CTest's skip) when the tarball is absent and --install was not given.
set -eu

PKG=linux-source-6.12
TARBALL=/usr/src/$PKG.tar.xz
dest=${1:?usage: kernel-tools.sh DEST [--install]}
install=${2:-}

if [ ! -r "$TARBALL" ]; then
	if [ "$install" = --install ]; then
		if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
			echo "kernel-tools: installing $PKG"
			(apt-get update -qq || true) &&
				DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PKG >/dev/null
		else
			echo "kernel-tools: missing Debian package $PKG (run: sudo apt-get install $PKG)" >&2
			exit 1
		fi
	else
		echo "kernel-tools: $TARBALL not found: run 'make kernel-tools' (installs $PKG)" >&2
		exit 77
	fi
fi

mm=$dest/$PKG/tools/mm
if [ -x "$mm/page-types" ] && [ -x "$mm/page_owner_sort" ] && [ "$mm/page-types" -nt "$TARBALL" ]; then
	exit 0
fi
command -v make >/dev/null && command -v gcc >/dev/null ||
	{ echo "kernel-tools: make and gcc are needed" >&2; exit 1; }
rm -rf "$dest/$PKG"
mkdir -p "$dest"
echo "kernel-tools: extracting tools/mm and what it builds with from $TARBALL into $dest"
tar -xJf "$TARBALL" -C "$dest" --wildcards \
	"$PKG/tools/mm/*" "$PKG/tools/lib/api/*" "$PKG/tools/lib/*.c" "$PKG/tools/lib/*.h" \
	"$PKG/tools/include/*" "$PKG/tools/scripts/*" "$PKG/tools/build/*" "$PKG/tools/arch/x86/include/*" \
	"$PKG/include/uapi/linux/magic.h" "$PKG/include/uapi/linux/kernel-page-flags.h"
# tools/mm/Makefile's own rules (libapi first); -j1 keeps the output readable and the load low
if ! make -s -C "$mm" page-types page_owner_sort >"$dest/build.log" 2>&1; then
	cat "$dest/build.log" >&2
	echo "kernel-tools: building page-types and page_owner_sort failed" >&2
	exit 1
fi
echo "kernel-tools: built $mm/page-types and $mm/page_owner_sort"
