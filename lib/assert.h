/* SPDX-License-Identifier: MIT */
/* UD_ASSERT: an always-on check of our own invariants (STYLE rule 12), in every
 * layer and every build. A false one panics through the platform with the file
 * and line (plat_panic: the fault report and a non-zero exit in a VM, a message
 * on stderr and abort() when hosted). Never for input: bad input is an error
 * the caller handles (STYLE rule 8); this is for "cannot happen". */
#ifndef UD_LIB_ASSERT_H
#define UD_LIB_ASSERT_H

#include "platform/platform.h"

#define UD_ASSERT(cond) ((cond) ? (void)0 : plat_panic(__FILE__, __LINE__, #cond))

#endif
