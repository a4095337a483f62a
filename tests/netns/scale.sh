#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Hostile clients at scale (issue 14): slowloris, slow body and slow read from
# slowhttptest at SCALE_CONNS connections (2000 by default, well past the 512
# HTTP input buffers), against `unideck serve` on kernel sockets and on our own
# stack over a TAP, inside a network namespace of our own. Meanwhile an honest
# client opens a fresh connection with a one-packet request every 0.2 s, with a
# 2 s timeout; at least 95% of its requests must be served, and the server must
# serve at once after each attack. Each attack runs SCALE_SECONDS (12); on TAP
# slowloris and slow read also run at 5,000 (SCALE_TAP_BIG). The longer and
# larger forms run from scripts/soak.sh (make soak).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/netnslib.sh"
. "$(dirname "$0")/scale-lib.sh"

CONNS=${SCALE_CONNS:-2000}
SECS=${SCALE_SECONDS:-12}
ns_require scale
if ! command -v slowhttptest >/dev/null; then
	skip "scale: slowhttptest is not installed (scripts/deps.sh test installs it)"
	exit 0
fi
ns_up scale scale
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
ns_tap us0 10.67.0.1/24
# Thousands of connections from one address: the namespace's own ports.
"${NX[@]}" sysctl -qw net.ipv4.ip_local_port_range="10000 65000"
"$UNIDECK" build "$ROOT/decks" -o "$TMP/store" --no-pdf --quiet || { notok "build the store"; exit 1; }

# start LOG ARGS...: the server in the namespace; waits until it serves.
start() {
	local log=$1 i
	shift
	"${NX[@]}" "$UNIDECK" serve "$TMP/store" --stats "$@" >"$TMP/$log" 2>&1 &
	SRV=$!
	TARGET_PID=$SRV
	PIDS+=("$SRV")
	for i in $(seq 1 100); do
		grep -q '^serving ' "$TMP/$log" && return 0
		sleep 0.1
	done
	cat "$TMP/$log"
	return 1
}

# The honest client: a fresh connection every 0.2 s, 2 s to answer.
HONEST_WAIT=2 HONEST_PCT=95 HONEST_AFTER=2 TARGET=server

attack() { # NAME LOG slowhttptest-args...
	local name=$1 log=$2
	shift 2
	honest_start
	"${NX[@]}" timeout $((SECS + 20)) slowhttptest -c "$CONNS" -r 1000 -l "$SECS" -p 2 "$@" \
		-u "$URL" >"$TMP/$log" 2>&1
	honest_check "$name"
	attack_made "$name" "$log" "$CONNS"
}

run_all() { # TARGET
	attack "$1: slowloris, $CONNS connections" "$1-loris.log" -H -i 5 -x 24
	attack "$1: slow body, $CONNS connections" "$1-body.log" -B -i 5 -s 4000 -x 24
	attack "$1: slow read, $CONNS connections" "$1-read.log" -X -w 16 -y 64 -n 3 -z 16 -k 2
}

start sock.log --host 127.0.0.1 --port 8080 || { notok "serve on kernel sockets starts"; exit 1; }
URL=http://127.0.0.1:8080/unideck/
run_all "kernel sockets"
kill -INT "$SRV"
wait "$SRV"
sed 's/^/# /' "$TMP/sock.log" | grep -E 'pool_|timeout_header|shed|emfile|out_' || true

# Idle connections cost little (issue 14): IDLE of them held at once, half
# after a response (an output buffer lent and given back), half silent. The
# server's resident memory grows by at most IDLE_MAX_BYTES a connection (the
# 17 KiB send queue and copy area are lent only while sending), and an honest
# client is served meanwhile.
IDLE=${SCALE_IDLE:-10000}
IDLE_MAX_BYTES=4096
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
start idle.log --host 127.0.0.1 --port 8080 || { notok "serve on kernel sockets starts again"; exit 1; }
"${NX[@]}" curl -s -o /dev/null "$URL"
r0=$(rss "$SRV")
coproc IDLER { "${NX[@]}" python3 "$ROOT/tests/netns/idle_conns.py" 127.0.0.1 8080 "$IDLE" /unideck/; }
read -r -t 120 line <&"${IDLER[0]}"
echo "# $line"
expect_eq "$IDLE idle connections held, half after a response" \
	"held $IDLE answered $(((IDLE + 1) / 2)) of $(((IDLE + 1) / 2))" "$line"
r1=$(rss "$SRV")
per=$(((r1 - r0) * 1024 / IDLE))
echo "# RSS ${r0} kB before, ${r1} kB with $IDLE idle connections: $per bytes each"
if [ "$per" -le "$IDLE_MAX_BYTES" ]; then
	ok "an idle connection costs $per bytes of server memory (at most $IDLE_MAX_BYTES)"
else
	notok "an idle connection costs $per bytes of server memory (at most $IDLE_MAX_BYTES)"
fi
expect_eq "with $IDLE idle connections an honest client is served" 200 \
	"$("${NX[@]}" curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$URL")"
echo >&"${IDLER[1]}"
wait "$IDLER_PID" 2>/dev/null
kill -INT "$SRV"
wait "$SRV"
peak=$(awk '$1 == "sock.out_bufs_peak" {print $2}' "$TMP/idle.log")
sed 's/^/# /' "$TMP/idle.log" | grep -E 'sock\.(out_|conn_bytes|refused|accepted)' || true
if [ -n "$peak" ] && [ "$peak" -lt $((IDLE / 4)) ]; then
	ok "output buffers lent at once: $peak for $IDLE connections"
else
	notok "output buffers lent at once: ${peak:-?} for $IDLE connections"
fi

start tap.log --net tap:us0 --ip 10.67.0.2/24 --gw 10.67.0.1 --flows 4096 ||
	{ notok "serve on our stack over TAP starts"; exit 1; }
URL=http://10.67.0.2/unideck/
run_all "our stack on TAP"
# And past the flows' rings (lent while data moves, net/tcp_pool.c): slow
# heads and slow readers at 5,000 connections against 4,096 flows and 1,024
# rings of each kind, the attack long enough (1 s per 150) to open them all.
BIG=${SCALE_TAP_BIG:-5000}
SECS_SMALL=$SECS
SECS=$((BIG / 150 > SECS ? BIG / 150 : SECS))
CONNS_SMALL=$CONNS
CONNS=$BIG
attack "our stack on TAP: slowloris, $BIG connections" "tap-loris-big.log" -H -i 5 -x 24
attack "our stack on TAP: slow read, $BIG connections" "tap-read-big.log" -X -w 16 -y 64 -n 3 -z 16 -k 2
SECS=$SECS_SMALL
CONNS=$CONNS_SMALL
kill -INT "$SRV"
wait "$SRV"
sed 's/^/# /' "$TMP/tap.log" | grep -E 'http\.(refused|timeout)|tcp.syn_dropped' || true
finish
