/* SPDX-License-Identifier: MIT */
/* Moved to lib/cmdline.h (shared by the VM targets); this forward stays
 * until every includer (boot.c) names the new place. */
#include "lib/cmdline.h"
