# SPDX-License-Identifier: MIT
# Shell helpers for integration tests: results, a server under test, cleanup.
#
# Source it from a test script. Results are lines "ok - NAME" / "not ok - NAME"
# / "skip - NAME: why", which tests/run counts. UNIDECK names the binary under
# test (default: the sanitised build, so every integration test also runs under
# ASan and UBSan).

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
UNIDECK=${UNIDECK:-$ROOT/build/san/unideck}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export NO_COLOR=1
TMP=$(mktemp -d /tmp/unideck-test.XXXXXX)
FAILS=0
PIDS=()

cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; FAILS=$((FAILS + 1)); }
skip() { echo "skip - $*"; }

# check NAME COMMAND...: ok when the command succeeds.
check() {
	local name=$1
	shift
	if "$@" >"$TMP/check.out" 2>&1; then
		ok "$name"
	else
		notok "$name"
		sed 's/^/#   /' "$TMP/check.out" | head -n 20
	fi
}

# expect_eq NAME WANT GOT
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else notok "$1: want '$2', got '$3'"; fi
}

# expect_match NAME REGEX TEXT
expect_match() {
	if printf '%s' "$3" | grep -Eq -- "$2"; then
		ok "$1"
	else
		notok "$1: no match for /$2/ in:"
		printf '%s\n' "$3" | head -n 20 | sed 's/^/#   /'
	fi
}

# start_server ARGS...: run `unideck serve ARGS --port 0`, set PORT and SERVER_PID,
# and wait until it prints its address. Its output goes to $TMP/server.log.
start_server() {
	local i
	: >"$TMP/server.log"
	"$UNIDECK" serve "$@" --port 0 >"$TMP/server.log" 2>&1 &
	SERVER_PID=$!
	PIDS+=("$SERVER_PID")
	for i in $(seq 1 300); do
		PORT=$(sed -n 's|.*http://[^ ]*:\([0-9][0-9]*\)/.*|\1|p' "$TMP/server.log" | head -n 1)
		[ -n "$PORT" ] && return 0
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "# server did not start:"
	sed 's/^/#   /' "$TMP/server.log"
	return 1
}

# free_port: a port on 127.0.0.1 nothing holds now, picked by the kernel (for
# a QEMU started directly; `unideck run --port 0` and `serve --port 0` pick
# their own).
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# boot_image LOG IMAGE [ARGS...]: `unideck run IMAGE ARGS --port 0` in the
# background, its output in LOG. Sets RUN_PID (and RUN), PORT (the forward QEMU got, from
# the first line) and HPORT (with --http-port 0), then waits until the guest
# says it is serving (BOOT_WAIT seconds, default 180: TCG on a loaded machine).
# Returns 1, showing the log, when QEMU stops first or the wait runs out. The
# port is the kernel's pick, so two tests never guess the same one.
boot_image() {
	local log=$1 img=$2 i
	shift 2
	: >"$log"
	"$UNIDECK" run "$img" "$@" --port 0 >"$log" 2>&1 &
	RUN_PID=$!
	RUN=$RUN_PID
	PIDS+=("$RUN_PID")
	PORT="" HPORT=""
	for i in $(seq 1 $((${BOOT_WAIT:-180} * 10))); do
		if [ -z "$PORT" ]; then
			PORT=$(sed -n 's|^unideck: booting .*): https\{0,1\}://127\.0\.0\.1:\([0-9][0-9]*\)/.*|\1|p' "$log" | head -n 1)
			HPORT=$(sed -n 's|^unideck: booting .* and http://127\.0\.0\.1:\([0-9][0-9]*\)/.*|\1|p' "$log" | head -n 1)
		fi
		[ -n "$PORT" ] && grep -q 'unideck: serving at' "$log" && return 0
		kill -0 "$RUN_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "# the image did not come up ($log):"
	tail -n 20 "$log" | sed 's/^/#   /'
	return 1
}

# stop_server: SIGINT, as Ctrl-C would; returns the server's exit status.
stop_server() {
	kill -INT "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID"
}

# The status code of a request: status URL [curl args...]
status() {
	local url=$1
	shift
	curl -s -o /dev/null -w '%{http_code}' "$@" "$url"
}

finish() {
	[ "$FAILS" = 0 ]
}
