# SPDX-License-Identifier: MIT
# Sourced (not run) by the TLS tests: a test CA made by openssl for this run, and
# certificates from it. Everything goes under $TMP, which lib.sh removes.
#
#   tls_make_ca                      $TMP/tls/ca.pem (+ ca.key): ECDSA P-256
#   tls_make_leaf NAME TYPE SANS     $TMP/tls/NAME.pem and NAME.key; TYPE ec or rsa;
#                                    SANS like "DNS:deck.test,DNS:slides.test"
#   tls_ports LOG                    sets TLS_PORT and HTTP_PORT from a serve log

tls_make_ca() {
	mkdir -p "$TMP/tls"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$TMP/tls/ca.key" -out "$TMP/tls/ca.pem" -days 2 \
		-subj "/CN=unideck test CA $$" \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign \
		>/dev/null 2>&1
}

tls_make_leaf() {
	local name=$1 type=$2 sans=$3 newkey
	case $type in
	ec) newkey=(-newkey ec -pkeyopt ec_paramgen_curve:P-256) ;;
	rsa) newkey=(-newkey rsa:2048) ;;
	esac
	printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature%s\nextendedKeyUsage=serverAuth\n' \
		"$sans" "$([ "$type" = rsa ] && echo ,keyEncipherment)" >"$TMP/tls/$name.ext"
	openssl req "${newkey[@]}" -nodes -keyout "$TMP/tls/$name.key" -out "$TMP/tls/$name.csr" \
		-subj "/CN=${sans#DNS:}" >/dev/null 2>&1 &&
		openssl x509 -req -in "$TMP/tls/$name.csr" -CA "$TMP/tls/ca.pem" -CAkey "$TMP/tls/ca.key" \
			-CAcreateserial -out "$TMP/tls/$name.pem" -days 2 -extfile "$TMP/tls/$name.ext" \
			>/dev/null 2>&1
}

tls_ports() {
	TLS_PORT=$(sed -n 's|^serving .* at https://[^ ]*:\([0-9][0-9]*\)/.*|\1|p' "$1" | head -n 1)
	HTTP_PORT=$(sed -n 's|^redirecting http://[^ ]*:\([0-9][0-9]*\)/.*|\1|p' "$1" | head -n 1)
}

# start_tls_server LOG ARGS...: unideck serve ARGS (with --port 0), wait for its
# banner, set TLS_PORT/HTTP_PORT and TLS_PID.
start_tls_server() {
	local log=$1 i
	shift
	"$UNIDECK" serve "$@" --port 0 >"$log" 2>&1 &
	TLS_PID=$!
	PIDS+=("$TLS_PID")
	for i in $(seq 1 300); do
		tls_ports "$log"
		[ -n "$TLS_PORT" ] && return 0
		kill -0 "$TLS_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "# server did not start:"
	sed 's/^/#   /' "$log"
	return 1
}

# s_client PORT ARGS...: one handshake by openssl, its summary on stdout.
s_client() {
	local port=$1
	shift
	timeout 10 openssl s_client -connect "127.0.0.1:$port" "$@" </dev/null 2>&1
}
