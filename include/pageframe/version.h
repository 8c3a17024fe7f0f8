/* SPDX-License-Identifier: MIT */
/*
 * pageframe/version.h - the version of libpageframe these headers belong to.
 *
 * The one version source: CMakeLists.txt reads the three numbers below for
 * project(VERSION), the shared library's version, the pkg-config file and
 * the CMake package; raise them here (and add the map's node for new
 * symbols, src/libpageframe.map).  pf_version() returns PF_VERSION_STRING of
 * the library actually linked, which can differ from this header's with a
 * shared library.
 */
#ifndef PAGEFRAME_VERSION_H
#define PAGEFRAME_VERSION_H

#define PF_VERSION_MAJOR 0
#define PF_VERSION_MINOR 4
#define PF_VERSION_PATCH 0
#define PF_VERSION_STRING "0.4.0"

/*
 * PF_CHECK_VERSION - true when these headers are at least major.minor.patch.
 * A constant expression, usable in #if:
 *   #if PF_CHECK_VERSION(0, 2, 0)
 */
#define PF_CHECK_VERSION(major, minor, patch)					\
	(PF_VERSION_MAJOR > (major) ||						\
	 (PF_VERSION_MAJOR == (major) &&					\
	  (PF_VERSION_MINOR > (minor) ||					\
	   (PF_VERSION_MINOR == (minor) && PF_VERSION_PATCH >= (patch)))))

#endif /* PAGEFRAME_VERSION_H */
