#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Hosted unit tests of the multiboot2 boot information parser, under ASan and UBSan.
. "$(dirname "$0")/pvhlib.sh"
if [ ! -x "$HOSTBIN/test_mb2" ]; then
	skip "multiboot2 unit tests: $HOSTBIN/test_mb2 missing (make kernel)"
	exit 0
fi
"$HOSTBIN/test_mb2"
