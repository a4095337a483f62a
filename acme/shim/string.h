/* SPDX-License-Identifier: MIT */
/* BearSSL's headers include <string.h>; in acme/ (freestanding) it is lib/mem.h,
 * which declares all BearSSL calls: memcpy, memmove, memset, memcmp, strlen. */
#ifndef UD_ACME_SHIM_STRING_H
#define UD_ACME_SHIM_STRING_H
#include "lib/mem.h"
#endif
