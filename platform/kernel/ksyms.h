/* SPDX-License-Identifier: MIT */
/* Symbol names for backtraces: a table of the kernel's functions, built into the
 * image by a second link pass.
 *
 * The first link has an empty table; scripts/pvh-ksyms turns that ELF's text
 * symbols into an assembly table (sorted addresses, name offsets, names) and the
 * second link puts it in .ksyms, the last section of rodata, so no text address
 * moves. ksyms_lookup() checks once that the table knows itself at the right
 * address and otherwise reports nothing, so a stale table never lies.
 * Read-only, no allocation; safe in the exception handler. */
#ifndef UD_PVH_KSYMS_H
#define UD_PVH_KSYMS_H

#include <stdbool.h>
#include <stdint.h>

/* The function containing (addr): its (*name) and (*off)set. False when unknown. */
bool ksyms_lookup(uint64_t addr, const char **name, uint64_t *off);

#endif
