#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install what unideck needs on Debian 12, and nothing that is already there.
#
#   scripts/deps.sh [build|test|bench|all]   (default: test, which includes build)
#
# Debian packages through apt-get when run as root; otherwise prints the exact
# command to run. The npm packages (package.json) through `npm ci` from the committed
# package-lock.json, only when node_modules does not match the lock already.
set -eu
cd "$(dirname "$0")/.."
what=${1:-test}

build_pkgs="make gcc pkg-config libmd4c-dev libdeflate-dev libbrotli-dev libyaml-dev gcc-aarch64-linux-gnu libbearssl-dev"
# BearSSL for the arm64 image: Debian's arm64 archive through multiarch (the
# package is Multi-Arch: same), linked by platform/arm64/kernel.mk.
build_pkgs="$build_pkgs libbearssl-dev:arm64"
# Node.js may come from elsewhere (NodeSource ships npm inside its nodejs), so it
# is asked for only when the commands are absent.
command -v npm >/dev/null 2>&1 || build_pkgs="$build_pkgs nodejs npm"
test_pkgs="clang libclang-rt-14-dev libfuzzer-14-dev curl wget iproute2 iputils-ping
	netcat-openbsd python3 brotli dnsmasq-base haproxy qemu-system-x86 qemu-system-arm chromium tcpdump slowhttptest hping3
	clang-tidy cppcheck clang-format ffmpeg radvd thc-ipv6 libnss3-tools
	grub-common grub-pc-bin grub-efi-amd64-bin mtools qemu-utils ovmf skopeo umoci python3-yaml openssl testssl.sh"
bench_pkgs="nginx-light caddy libnginx-mod-http-brotli-static lighttpd wrk linux-image-amd64 busybox-static valgrind gdb
	linux-perf"

case $what in
build) want=$build_pkgs ;;
test) want="$build_pkgs $test_pkgs" ;;
bench|all) want="$build_pkgs $test_pkgs $bench_pkgs" ;;
*) echo "usage: scripts/deps.sh [build|test|bench|all]" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" = 0 ]; then
		echo "deps: installing$missing"
		export DEBIAN_FRONTEND=noninteractive
		case $missing in *:arm64*)
			if ! dpkg --print-foreign-architectures | grep -qx arm64; then
				dpkg --add-architecture arm64
				apt-get update >/tmp/unideck-apt.log 2>&1
			fi ;;
		esac
		if ! apt-get install -y --no-install-recommends $missing >/tmp/unideck-apt.log 2>&1; then
			apt-get update >>/tmp/unideck-apt.log 2>&1
			apt-get install -y --no-install-recommends $missing >>/tmp/unideck-apt.log 2>&1 || {
				tail -n 20 /tmp/unideck-apt.log >&2
				echo "deps: apt-get failed (log: /tmp/unideck-apt.log)" >&2
				exit 1
			}
		fi
	else
		echo "deps: missing Debian packages; run as root:" >&2
		echo "  apt-get install -y --no-install-recommends$missing" >&2
		exit 1
	fi
fi

# npm ci only when the installed tree does not match the lock file.
stamp=node_modules/.unideck-lock
if ! cmp -s package-lock.json "$stamp" 2>/dev/null; then
	echo "deps: npm ci (reveal.js, KaTeX, Marp, Mermaid and the test tools, pinned by package-lock.json)"
	# reveal-md (the tests' reference renderer) has puppeteer as an optional
	# dependency, which would download a Chrome of its own: the tests use
	# Debian's Chromium, and reveal-md's --static needs no browser.
	PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/tmp/unideck-npm.log 2>&1 || {
		tail -n 20 /tmp/unideck-npm.log >&2
		echo "deps: npm ci failed (log: /tmp/unideck-npm.log)" >&2
		exit 1
	}
	cp package-lock.json "$stamp"
fi
