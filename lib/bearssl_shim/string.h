/* SPDX-License-Identifier: MIT */
/* BearSSL's headers include <string.h>; in the freestanding layers (http/tls.c,
 * acme/, the images) it is our own lib/mem.h (memcpy, memmove, memset, memcmp,
 * strlen), which is all BearSSL uses. */
#ifndef UD_BEARSSL_SHIM_STRING_H
#define UD_BEARSSL_SHIM_STRING_H
#include "lib/mem.h"
#endif
