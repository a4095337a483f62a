#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Decks carrying their own copy of the reveal.js releases that package.json's
# aliases do not cover: 2.4.0 (not on npm: the copy mirage-decks carries, when
# a snapshot of that archive is here, MIRAGE_DECKS as for mirage-archive.sh),
# 2.5.0, 2.6.0, 3.0.0, 3.1.0, 3.2.0, 3.3.0 and 3.4.1 (`npm pack` into
# build/cache/reveal.js/ at test time, kept there, never committed). Each deck
# is laid out as that release's own index.html lays one out, built with its
# PDF, served, and driven in Chromium by tests/browser/ownreveal.mjs: its own
# copy loads, 5 slides, slides turn, fragments, live follow, U, live reload,
# no console error or failed request. A release that cannot be had says skip.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/ownreveal-lib.sh"
UNIDECK=$ROOT/build/unideck
if ! command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null || [ ! -d "$ROOT/node_modules/playwright-core" ]; then
	skip "reveal.js releases: Chromium or playwright-core is not installed"
	exit 0
fi
cache=$ROOT/build/cache/reveal.js
mkdir -p "$cache" "$TMP/pkg" "$TMP/decks"
mirage=${MIRAGE_DECKS:-/work/.mirror/mirage+mirage-decks/repo}
versions=()
get() { # VERSION: its package in $TMP/pkg/VERSION, or false
	local v=$1 t=$cache/reveal.js-$1.tgz
	mkdir -p "$TMP/pkg/$v"
	if [ "$v" = 2.4.0 ]; then
		if [ -d "$mirage/assets/reveal-2.4.0" ]; then
			cp -r "$mirage/assets/reveal-2.4.0/." "$TMP/pkg/$v/"
		elif git -C "$mirage" cat-file -e HEAD:assets/reveal-2.4.0 2>/dev/null; then
			git -C "$mirage" ls-tree -r HEAD assets/reveal-2.4.0 | while read -r _ _ sha path; do
				mkdir -p "$TMP/pkg/$v/$(dirname "${path#assets/reveal-2.4.0/}")"
				git -C "$mirage" cat-file blob "$sha" >"$TMP/pkg/$v/${path#assets/reveal-2.4.0/}"
			done
		else
			return 1
		fi
		head -c 40 "$TMP/pkg/$v/js/reveal.min.js" | grep -q 'reveal.js 2.4.0' || return 1
		return 0
	fi
	[ -s "$t" ] || (cd "$cache" && timeout 120 npm pack "reveal.js@$v" --silent >/dev/null 2>&1) || return 1
	tar xzf "$t" -C "$TMP/pkg/$v" --strip-components=1
}
for v in 2.4.0 2.5.0 2.6.0 3.0.0 3.1.0 3.2.0 3.3.0 3.4.1; do
	if ! get "$v"; then
		skip "reveal.js $v: $([ "$v" = 2.4.0 ] && echo "not on npm, and no mirage-decks snapshot at $mirage carries it" || echo "npm pack reveal.js@$v failed (offline?)")"
		continue
	fi
	p=$TMP/pkg/$v slug=reveal-${v//./-} d=$TMP/decks/reveal-${v//./-}
	mkdir -p "$d/css/theme" "$d/lib/js" "$d/plugin" "$d/js"
	cp -r "$p/css/print" "$d/css/"
	cp "$p/css/theme/serif.css" "$d/css/theme/" # it loads no web fonts
	cp "$p/lib/js/head.min.js" "$p/lib/js/classList.js" "$d/lib/js/"
	cp -r "$p/plugin/notes" "$d/plugin/"
	case $v in
	2.*)
		cp "$p/js/reveal.min.js" "$d/js/"
		cp "$p/css/reveal.min.css" "$d/css/"
		script=js/reveal.min.js css=css/reveal.min.css major=2
		;;
	*)
		cp "$p/js/reveal.js" "$d/js/"
		cp "$p/css/reveal.css" "$d/css/"
		script=js/reveal.js css=css/reveal.css major=3
		;;
	esac
	own_page_headjs "reveal.js $v deck" "$css" "$script" "$v" >"$d/index.html"
	versions+=("{\"slug\":\"$slug\",\"major\":$major,\"version\":\"$v\",\"script\":\"/$slug/$script\"}")
done
if [ ${#versions[@]} = 0 ]; then
	finish
	exit 0
fi
own_build "decks with their own reveal.js of each release build with PDFs" "$TMP/decks"
for d in "$TMP/decks"/*/; do
	s=$(basename "$d")
	own_served "$s" "$d" "$s"
	expect_eq "$s: its PDF, through its own print sheet, has one page per slide" 5 "$(own_pdf_pages "$s")"
done
token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
start_server "$TMP/decks" --token "$token" || exit 1
mkdir -p "$ROOT/build/screenshots"
OWNREVEAL_VERSIONS="[$(IFS=,; echo "${versions[*]}")]" \
	node "$ROOT/tests/browser/ownreveal.mjs" "http://127.0.0.1:$PORT" "$token" "$TMP/decks" "$ROOT/build/screenshots"
rc=$?
stop_server
finish && exit $rc
