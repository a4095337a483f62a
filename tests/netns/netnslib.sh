# SPDX-License-Identifier: MIT
# Helpers for the tests that run on a TAP device in a network namespace of
# their own: the namespace and its teardown, TAP devices, booting the image
# with `unideck run --tap`, and the checks image.sh and arm64-tap.sh both make
# of an image. Sourced after tests/lib.sh; not a test by itself (not
# executable, so tests/run leaves it alone). Namespace names carry $$, so
# parallel runs never collide.

# ns_require WHAT [QEMU KERNEL]: skip the whole script unless QEMU is installed
# and KERNEL built (when given), we are root and a namespace can be made.
ns_require() {
	if [ -n "${2:-}" ] && { ! command -v "$2" >/dev/null || [ ! -f "$3" ]; }; then
		skip "$1: needs $2 and $3"
		exit 0
	fi
	if [ "$(id -u)" != 0 ] || ! ip netns add "ud-probe-$$" 2>/dev/null; then
		skip "$1: needs root and network namespaces"
		exit 0
	fi
	ip netns del "ud-probe-$$"
	PATH=$PATH:/usr/sbin
}

# ns_up NAME KEEP [GLOB]: the namespace ud-NAME-$$ (NS; "${NX[@]}" CMD runs CMD
# in it) with its loopback up, removed with all in it at exit. When a check
# failed, the files of $TMP matching GLOB (*.log) are kept in
# build/test-logs/KEEP/.
ns_up() {
	NS=ud-$1-$$
	NS_KEEP=$2
	NS_KEEP_GLOB=${3:-*.log}
	ip netns add "$NS"
	NX=(ip netns exec "$NS")
	trap ns_teardown EXIT
	"${NX[@]}" ip link set lo up
}
ns_teardown() {
	local f
	if [ "$FAILS" != 0 ]; then
		mkdir -p "$ROOT/build/test-logs/$NS_KEEP"
		for f in "$TMP"/$NS_KEEP_GLOB; do
			[ -f "$f" ] && cp "$f" "$ROOT/build/test-logs/$NS_KEEP/"
		done
	fi
	ip netns pids "$NS" 2>/dev/null | xargs -r kill 2>/dev/null
	sleep 0.3
	ip netns del "$NS" 2>/dev/null
	cleanup
}

# ns_tap DEV ADDR/N [ADDR6/N]: a TAP device in the namespace with those
# addresses (the IPv6 one without DAD), up.
ns_tap() {
	"${NX[@]}" ip tuntap add dev "$1" mode tap
	"${NX[@]}" ip addr add "$2" dev "$1"
	if [ -n "${3:-}" ]; then
		"${NX[@]}" ip -6 addr add "$3" dev "$1" nodad
	fi
	"${NX[@]}" ip link set "$1" up
}

# image_boot LOG WANT TENTHS RUN-ARGS...: `unideck run RUN-ARGS` in the
# namespace, its console in $TMP/LOG and its pid in RUN; true once the console
# matches WANT (an ERE), false when it exits or TENTHS tenths of a second pass.
image_boot() {
	local log=$1 want=$2 tenths=$3 i
	shift 3
	"${NX[@]}" "$UNIDECK" run "$@" >"$TMP/$log" 2>&1 &
	RUN=$!
	PIDS+=("$RUN")
	for i in $(seq 1 "$tenths"); do
		grep -Eq "$want" "$TMP/$log" && return 0
		kill -0 "$RUN" 2>/dev/null || break
		sleep 0.1
	done
	return 1
}

# image_up NAME LOG WANT TENTHS RUN-ARGS...: image_boot, or "not ok - NAME"
# with the console and the script ends; on success "ok - NAME (under kvm|tcg)".
image_up() {
	local name=$1
	shift
	if ! image_boot "$@"; then
		notok "$name"
		sed 's/^/#   /' "$TMP/$1"
		exit 1
	fi
	ok "$name (under $(image_accel "$1"))"
}

# image_accel LOG: the accelerator the runner chose (kvm or tcg), or ?.
image_accel() {
	local a
	a=$(sed -n 's/^unideck: booting .* on [a-z0-9]* (\([a-z]*\)[,)].*/\1/p' "$TMP/$1")
	echo "${a:-?}"
}

# image_stop: Ctrl-C to the runner, which must stop the VM cleanly.
image_stop() {
	kill -INT "$RUN"
	wait "$RUN"
	expect_eq "Ctrl-C stops the VM cleanly" 0 "$?"
}

# image_http_checks BASE BIG: what image.sh and arm64-tap.sh ask of a booted
# image at BASE (console in $TMP/run.log, booted with stats=1) serving the
# 16 MB file BIG of $TMP/decks at /features/media/big.bin: the index, the file
# by curl and wget by hash, a range of it, the store bytes sent by reference
# in stats=1's line, 50 concurrent clients ($TMP/c1 is the index after).
image_http_checks() {
	local base=$1 big=$2 sum out got want line n i
	sum=$(sha256sum <"$big" | cut -d' ' -f1)
	out=$("${NX[@]}" curl -s --max-time 30 "$base/")
	expect_match "the index lists the decks" 'unideck: a unikernel' "$out"
	got=$("${NX[@]}" curl -sf --max-time 120 "$base/features/media/big.bin" | sha256sum | cut -d' ' -f1)
	expect_eq "16 MB file by curl: sha256 matches" "$sum" "$got"
	got=$("${NX[@]}" wget -q -T 120 -O - "$base/features/media/big.bin" | sha256sum | cut -d' ' -f1)
	expect_eq "16 MB file by wget: sha256 matches" "$sum" "$got"
	got=$("${NX[@]}" curl -sf --max-time 60 -r 3000000-4999999 "$base/features/media/big.bin" |
		sha256sum | cut -d' ' -f1)
	want=$(tail -c +3000001 "$big" | head -c 2000000 | sha256sum | cut -d' ' -f1)
	expect_eq "a ranged 2 MB slice of it" "$want" "$got"

	# stats=1: the image's own counters on its console each second. The
	# store's bytes of the 34 MB just sent went by reference; what was copied
	# (response heads) is a sliver of it.
	line=""
	for _ in $(seq 1 50); do
		line=$(grep '^stats: http ' "$TMP/run.log" | tail -n 1)
		[[ $line =~ store\ bytes\ ([0-9]+)\ by\ reference,\ ([0-9]+)\ copied ]] &&
			[ "${BASH_REMATCH[1]}" -ge 34000000 ] && break
		sleep 0.1
	done
	if [[ $line =~ store\ bytes\ ([0-9]+)\ by\ reference,\ ([0-9]+)\ copied ]] &&
		[ "${BASH_REMATCH[1]}" -ge 34000000 ] && [ $((BASH_REMATCH[2] * 1000)) -lt "${BASH_REMATCH[1]}" ]; then
		ok "stats=1: the image counts ${BASH_REMATCH[1]} store bytes sent by reference, ${BASH_REMATCH[2]} copied"
	else
		notok "stats=1: a line with 34 MB or more of store bytes by reference, under 0.1% copied: '$line'"
	fi
	expect_match "stats=1: requests and frames counted" \
		'^stats: http [1-9][0-9]* requests \([1-9][0-9]* 2xx.*net rx [1-9][0-9]* frames' "$line"

	# 50 clients at once, each reading the whole index.
	n=0
	for i in $(seq 1 50); do
		"${NX[@]}" curl -s --max-time 60 -o "$TMP/c$i" -w '%{http_code}\n' "$base/" >"$TMP/code$i" &
	done
	for i in $(seq 1 50); do
		for _ in $(seq 1 600); do [ -s "$TMP/code$i" ] && break; sleep 0.1; done
		[ "$(cat "$TMP/code$i")" = 200 ] && cmp -s "$TMP/c$i" "$TMP/c1" && n=$((n + 1))
	done
	expect_eq "50 concurrent clients all get the same index" 50 "$n"
}

# image_large_frames DUMP: tcpdump (pid DUMP, writing $TMP/large.pcap, started
# before the boot with "greater 3000") saw frames larger than the MTU cross
# the TAP: the device cut the image's large frames for Linux.
image_large_frames() {
	local large
	for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	large=$(tcpdump -r "$TMP/large.pcap" -n 2>/dev/null | grep -c 'length [0-9]')
	expect_match "frames larger than the MTU on the TAP ($large): segmentation offload in use" \
		'^[1-9]' "$large"
}

# image_attacks BASE ADDR DEV MAC: the cheap attacks of attacks.sh against the
# image at ADDR (BASE its URL) on TAP DEV: a SYN flood from random sources,
# then 5000 malformed frames to MAC, while honest requests keep getting the
# index ($TMP/c1); then the image must still run.
image_attacks() {
	local base=$1 addr=$2 dev=$3 mac=$4
	if command -v hping3 >/dev/null; then
		"${NX[@]}" timeout 3 hping3 -q -S -p 80 -i u100 --rand-source "$addr" >"$TMP/hping.log" 2>&1 &
		image_honest "$base" "SYN flood from random sources (10000 a second for 3 s)"
		wait $!
	else
		skip "SYN flood: hping3 is not installed"
	fi
	"${NX[@]}" python3 "$ROOT/tests/netns/inject.py" fuzz "$dev" "$mac" "$addr" 20261128 5000 \
		>"$TMP/inject.log" 2>&1 &
	image_honest "$base" "5000 malformed frames from seed 20261128 (to $mac)"
	wait $!
	kill -0 "$RUN" 2>/dev/null && ok "the image is still serving" || notok "the image died"
}

# image_honest BASE LABEL: five requests for the index spread over an attack;
# all must succeed with the right bytes.
image_honest() {
	local good=0 i
	for i in 1 2 3 4 5; do
		"${NX[@]}" curl -s --max-time 15 -o "$TMP/h" "$1/" && cmp -s "$TMP/h" "$TMP/c1" &&
			good=$((good + 1))
		sleep 0.4
	done
	expect_eq "$2: honest requests all answered" 5 "$good"
}
