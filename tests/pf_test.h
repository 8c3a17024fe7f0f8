/* SPDX-License-Identifier: MIT */
/* pf_test.h - kept for files not yet moved: the shared helpers now live in tests/lib/pf_testlib.h. */
#ifndef PF_TEST_H
#define PF_TEST_H
#include "pf_testlib.h"
#endif /* PF_TEST_H */
