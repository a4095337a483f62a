#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The preview server: rebuild on change, reload over server-sent events, build
# errors in the browser, recovery, and a clean Ctrl-C.
. "$(dirname "$0")/../lib.sh"

mkdir -p "$TMP/decks/talk"
printf -- '---\ntitle: Live\n---\n# First version\n' >"$TMP/decks/talk/deck.md"
start_server "$TMP/decks" || exit 1
B=http://127.0.0.1:$PORT

# wait_for FILE REGEX [SECONDS]: until FILE matches.
wait_for() {
	local i
	for i in $(seq 1 $((${3:-10} * 10))); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

expect_match "serves the deck" 'First version' "$(curl -s $B/talk/)"
expect_match "preview pages load the live-reload script" '/_unideck/live.js' "$(curl -s $B/talk/)"
h=$(curl -s -m 1 -D - -o /dev/null $B/_unideck/events)
expect_match "the event stream is text/event-stream" 'Content-Type: text/event-stream' "$h"

curl -s -N $B/_unideck/events >"$TMP/events" &
PIDS+=($!)
check "the event stream opens" wait_for "$TMP/events" 'unideck events'

printf -- '---\ntitle: Live\n---\n# Second version\n' >"$TMP/decks/talk/deck.md"
check "an edit sends reload" wait_for "$TMP/events" '^event: reload'
check "and the new deck is served" wait_for <(for i in $(seq 1 50); do curl -s $B/talk/; sleep 0.1; done) 'Second version'
check "the server said it rebuilt" wait_for "$TMP/server.log" 'rebuilt in [0-9]+ ms'

printf -- '---\ntitle: Broken\n# the front matter never ends\n' >"$TMP/decks/talk/deck.md"
reloads() { [ "$(grep -c '^event: reload' "$TMP/events")" -ge "$1" ]; }
for i in $(seq 1 50); do reloads 2 && break; sleep 0.1; done
check "a broken edit sends reload too" reloads 2
for i in $(seq 1 50); do
	st=$(status $B/talk/)
	[ "$st" = 500 ] && break
	sleep 0.1
done
expect_eq "a broken deck answers 500" 500 "$st"
page=$(curl -s $B/talk/)
expect_match "the page shows file and line" 'talk/deck.md:1: front matter is not terminated' "$page"
expect_match "and reloads itself when fixed" '/_unideck/live.js' "$page"
expect_match "the error is on the console too" 'deck.md:1: error: front matter is not terminated' "$(cat "$TMP/server.log")"
expect_eq "assets keep being served meanwhile" 200 "$(status $B/_unideck/live.js)"

mkdir -p "$TMP/decks/second"
printf -- '---\ntitle: Fixed\n---\n# Third version\n' >"$TMP/decks/talk/deck.md"
printf -- '# A new deck\n' >"$TMP/decks/second/deck.md"
for i in $(seq 1 50); do
	st=$(status $B/second/)
	[ "$st" = 200 ] && break
	sleep 0.1
done
expect_eq "a new folder is watched and built" 200 "$st"
expect_match "the fixed deck is back" 'Third version' "$(curl -s $B/talk/)"

# Issue 14 bug 8: the presenter link carries the token in the fragment, which
# no browser sends; tokens are 128 bits at least.
expect_match "the presenter link puts a 128-bit token in the fragment" \
	'present a deck at http://[^ ]*/DECK/#present=[0-9a-f]{32}$' "$(cat "$TMP/server.log")"
stop_server
expect_eq "Ctrl-C exits 0" 0 "$?"
for cmd in "serve $TMP/decks --port 0" "build $TMP/decks -o $TMP/x.elf --quiet --no-pdf"; do
	out=$("$UNIDECK" ${cmd} --token 0123456789abcdef0123456789abcde 2>&1)
	expect_eq "${cmd%% *} refuses a 31-character token (exit 2)" 2 "$?"
	expect_match "and says what a token must be" '32 to 63 characters.*openssl rand -hex 16' "$out"
	out=$("$UNIDECK" ${cmd} --token 'a token with spaces in it, long enough' 2>&1)
	expect_eq "${cmd%% *} refuses characters a fragment would escape" 2 "$?"
done
expect_match "and says it stopped" 'stopped' "$(cat "$TMP/server.log")"

# Issue 14 bug 6: out of descriptors, serve shed idle connections so that a
# newcomer gets in, and stopped listening for a while when nothing could be
# shed, instead of spinning on a listener it could not accept from.
printf '#!/bin/sh\nulimit -n 64\nexec "%s" "$@"\n' "$UNIDECK" >"$TMP/lim.sh"
chmod +x "$TMP/lim.sh"
UNIDECK=$TMP/lim.sh start_server "$TMP/decks" --stats || exit 1
cat >"$TMP/hold.py" <<'PY'
import socket, subprocess, sys, time
port, kind = int(sys.argv[1]), sys.argv[2]
held = []
for i in range(100):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=2)
        if kind == "events":
            s.sendall(b"GET /_unideck/events HTTP/1.1\r\nHost: a\r\n\r\n")
        held.append(s)
    except OSError:
        pass
time.sleep(2)
r = subprocess.run(["curl", "-s", "-m", "5", "-o", "/dev/null", "-w", "%{http_code}",
                    f"http://127.0.0.1:{port}/talk/"], capture_output=True, text=True)
print(r.stdout)
PY
expect_eq "100 idle connections past a 64-descriptor limit: a newcomer is still served" 200 \
	"$(python3 "$TMP/hold.py" "$PORT" idle)"
expect_eq "100 event streams on 64 descriptors: page loads keep their reserve (issue 14 bug 7)" 200 \
	"$(python3 "$TMP/hold.py" "$PORT" events)"
stop_server
st=$(cat "$TMP/server.log")
expect_match "idle connections were shed for it" 'sock.shed_idle [1-9]' "$st"
n=$(echo "$st" | sed -n 's/^sock.accept_emfile //p')
expect_match "streams that cannot be shed: the listener backs off (EMFILE seen $n times in 2 s, not spinning)" \
	'^[1-9][0-9]{0,2}$' "$n"


# Issue 14 bug 7: one client address holds at most 256 event streams; the
# rest get 503 with Retry-After, and everyone else is still served.
start_server "$TMP/decks" || exit 1
B=http://127.0.0.1:$PORT
cat >"$TMP/subs.py" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
held, ok, busy = [], 0, 0
for i in range(300):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"GET /_unideck/follow/talk HTTP/1.1\r\nHost: a\r\n\r\n")
    head = s.recv(4096)
    ok += head.startswith(b"HTTP/1.1 200") and b"text/event-stream" in head
    busy += head.startswith(b"HTTP/1.1 503") and b"Retry-After: 30" in head
    held.append(s)
print(ok, busy)
sys.stdout.flush()
time.sleep(3)
PY
python3 "$TMP/subs.py" "$PORT" >"$TMP/subs.out" &
PIDS+=($!)
wait_for "$TMP/subs.out" '^[0-9]+ [0-9]+$' 30
expect_eq "256 streams from one address, 44 refused with 503 and Retry-After" "256 44" "$(cat "$TMP/subs.out")"
expect_eq "a page load meanwhile is served" 200 "$(status $B/talk/ -m 5)"
stop_server

# A port in use is a clear error.
python3 -c 'import socket,time; s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(30)' >"$TMP/port" &
PIDS+=($!)
wait_for "$TMP/port" '^[0-9]+$'
busy=$(cat "$TMP/port")
out=$("$UNIDECK" serve "$TMP/decks" --port "$busy" 2>&1)
rc=$?
expect_eq "a busy port exits 1" 1 "$rc"
expect_match "and says what to do" "port $busy is in use" "$out"
finish
