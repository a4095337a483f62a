#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Helpers of tests/netns/relay.sh and bench/relay.sh over relay_follow.py's state.

    relay_check.py sign TOKEN NONCE SLUG N H V F     the presenter's form body
    relay_check.py wait STATE H V F N SECS [TARGET]  every follower (of TARGET)
                                                     at that position; exit 1
                                                     with the laggards if not
    relay_check.py upstream STATE OK SECS TARGET     every follower of TARGET
                                                     was told upstream OK (1/0)
    relay_check.py spread STATE                      followers per X-Served-By
    relay_check.py last STATE NONCE N T0             seconds from T0 (monotonic)
                                                     until the last follower had
                                                     update N (all of them must)
    relay_check.py now                               the monotonic clock
The waits poll until true or SECS pass: a bound for a failure, not a timing
assertion."""
import hashlib
import hmac
import json
import sys
import time


def load(path):
    for _ in range(20):
        try:
            with open(path) as fh:
                return json.load(fh)
        except (OSError, ValueError):
            time.sleep(0.05)
    return []


def mine(fs, target):
    return [f for f in fs if not target or f["target"] == target]


def main():
    cmd = sys.argv[1]
    if cmd == "sign":
        tok, nonce, slug, n, h, v, f = sys.argv[2:9]
        mac = hmac.new(tok.encode(), f"{nonce}/{slug}/{n}/{h}/{v}/{f}".encode(),
                       hashlib.sha256).hexdigest()
        print(f"n={n}&h={h}&v={v}&f={f}&mac={mac}")
    elif cmd == "wait":
        path, want, secs = sys.argv[2], [int(x) for x in sys.argv[3:7]], float(sys.argv[7])
        target = sys.argv[8] if len(sys.argv) > 8 else None
        end = time.monotonic() + secs
        while True:
            fs = mine(load(path), target)
            bad = [f for f in fs if f["pos"] != want]
            if fs and not bad:
                print(f"{len(fs)} followers at {want}")
                return 0
            if time.monotonic() > end:
                print(f"{len(bad)} of {len(fs)} followers not at {want}:")
                for f in bad[:10]:
                    print(f"  #{f['i']} via {f['target']} ({f['served_by']}): {f['pos']}"
                          f" connected={f['connected']}")
                return 1
            time.sleep(0.05)
    elif cmd == "upstream":
        path, want, secs, target = sys.argv[2], sys.argv[3] == "1", float(sys.argv[4]), sys.argv[5]
        end = time.monotonic() + secs
        while True:
            fs = mine(load(path), target)
            bad = [f for f in fs if f["upstream_ok"] is not want]
            if fs and not bad:
                print(f"{len(fs)} followers of {target} told upstream ok={want}")
                return 0
            if time.monotonic() > end:
                print(f"{len(bad)} of {len(fs)} followers of {target} not told ok={want}")
                return 1
            time.sleep(0.05)
    elif cmd == "spread":
        fs = load(sys.argv[2])
        counts = {}
        for f in fs:
            counts[f["served_by"]] = counts.get(f["served_by"], 0) + 1
        print(" ".join(f"{k}={v}" for k, v in sorted(counts.items(), key=str)))
    elif cmd == "last":
        path, key, t0 = sys.argv[2], f"{sys.argv[3]}/{sys.argv[4]}", float(sys.argv[5])
        fs = load(path)
        ts = [f["arrivals"].get(key) for f in fs]
        if not fs or any(t is None for t in ts):
            print(f"missing {sum(t is None for t in ts)} of {len(fs)}")
            return 1
        print(f"{max(ts) - t0:.4f} {min(ts) - t0:.4f} {len(fs)}")
    elif cmd == "now":
        print(f"{time.monotonic():.6f}")
    return 0


sys.exit(main())
