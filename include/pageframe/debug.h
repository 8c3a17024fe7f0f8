/* SPDX-License-Identifier: MIT */
/*
 * pageframe/debug.h - help for finding misuse of pages (included by
 * <pageframe/pageframe.h>).
 *
 * The checks themselves are switched on per machine in its description,
 * as boot parameters switch them on in the kernel (docs/MACHINE.md):
 *   cmdline page_poison=1        freed pages are filled with 0xaa and
 *                                checked when handed out again: a write
 *                                into a free page is reported
 *                                ("pagealloc: memory corruption")
 *   cmdline debug_pagealloc=on   freed pages are made inaccessible (hosted
 *                                memory): a use after free faults at once
 *   cmdline debug_guardpage_minorder=N   with debug_pagealloc, split-off
 *                                blocks below order N become guard pages
 *   cmdline init_on_alloc=1 / init_on_free=1   pages zeroed when handed
 *                                out / freed
 * In an AddressSanitizer build of the library, and under Valgrind's
 * memcheck, free pages are poisoned for the sanitizer as well.
 */
#ifndef PAGEFRAME_DEBUG_H
#define PAGEFRAME_DEBUG_H

#include <pageframe/pageframe.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * pf_install_fault_handler - explain faults in @m's memory (opt-in).
 *
 * Installs a SIGSEGV/SIGBUS handler for the process (once; the handler the
 * process had before is kept and called for faults that are not in a
 * machine's memory).  A fault inside the hosted memory of @m (typically a
 * use after free with debug_pagealloc=on) is reported through @m's report
 * hook: "BUG: unable to handle page fault for address: ...", then
 * "pageframe: the address is in pfn P of machine N, a free page
 * (debug_pagealloc unmapped it)" (or an allocated or guard page), then the
 * page's dump_page; then the signal's default action kills the process.
 * The report is made from the signal handler: the report hook must expect
 * that.  Return: 0; -EINVAL when @m is NULL or has no memory behind its
 * pages (backing none); -errno when the handler could not be installed.
 */
PF_API int pf_install_fault_handler(struct pf_machine *m);

#ifdef __cplusplus
}
#endif
#endif /* PAGEFRAME_DEBUG_H */
