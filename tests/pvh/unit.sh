#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Hosted unit tests of platform/pvh (parsers, virtqueue checks, image patcher),
# under ASan and UBSan.
. "$(dirname "$0")/pvhlib.sh"
if [ ! -x "$HOSTBIN/test_pvh" ]; then
	skip "pvh unit tests: $HOSTBIN/test_pvh missing (make kernel)"
	exit 0
fi
"$HOSTBIN/test_pvh"
