/* SPDX-License-Identifier: MIT */
/* Moved to platform/kernel/balloc.h (shared by the VM targets); this forward stays
 * until every includer (boot.c) names the new place. */
#include "platform/kernel/balloc.h"
