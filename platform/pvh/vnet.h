/* SPDX-License-Identifier: MIT */
/* Moved to platform/virtio/vnet.h (shared by x86_64 and arm64); this forward
 * stays until every includer (boot.c) names the new place. */
#include "platform/virtio/vnet.h"
