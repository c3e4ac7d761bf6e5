#!/usr/bin/env bash
# Check benchmark (issue 7): `mxray check` wall time against its critical-path bound, and the
# whole-domain check against testssl.sh on one port. Prints a table and the ratios.
#
#  1. Critical path: `mxray check weak.lab.test` with 50 ms added each way to the weak MX
#     (127.0.30.1: the only address this benchmark may delay; the resolver and the good MX
#     addresses are shared with other tests and stay undelayed). The bound is the dependent
#     round trips a sender needs before it can deliver over TLS: MX and A lookups (measured,
#     undelayed), then on the MX: connect, greeting, EHLO, STARTTLS, TLS handshake (1 RTT for
#     TLS 1.3, 2 for TLS 1.2 and older, read from the report), EHLO. The full check does much
#     more (every client port, the relay and VRFY tests, the 700 ms STARTTLS-injection wait,
#     the TLS scan); the "critical path only" row turns those off (--no-relay-test
#     --no-tls-scan) to show how close the engine gets to the bound.
#  2. mxray's whole-domain check (all hosts, ports, full TLS scan of 25) against testssl.sh's
#     default run on the one port 127.0.30.1:25, no delay. Target: >= 20x.
#
# Usage: benchmarks/check/run.sh [--no-testssl] [--no-delay]
#   MXRAY=path/to/mxray (default .build/debug/mxray); needs the lab (scripts/lab up) and testssl.
# The delay is always removed at exit (scripts/lab delay 127.0.30.1 off), never globally.
set -euo pipefail
cd "$(dirname "$0")/../.."
MXRAY=${MXRAY:-.build/debug/mxray}
TESTSSL=1
DELAY=1
while [ $# -gt 0 ]; do
  case "$1" in
    --no-testssl) TESTSSL=0; shift ;;
    --no-delay) DELAY=0; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
eval "$(scripts/lab env)"
WEAK=$MXRAY_LAB_WEAK_MX
[ "$WEAK" = 127.0.30.1 ] || { echo "expected the weak MX at 127.0.30.1, got $WEAK" >&2; exit 2; }
OUT=$(mktemp -d)
cleanup() { scripts/lab delay "$WEAK" off >/dev/null 2>&1 || true; rm -rf "$OUT"; }
trap cleanup EXIT
now() { date +%s.%N; }
COMMON=(--resolver "$MXRAY_LAB_RESOLVER" --ca-file "$MXRAY_LAB_CA_FILE" --format json --fail-on critical)

run_check() {  # label file extra-args…
  local label=$1 file=$2; shift 2
  local t0 t1
  t0=$(now)
  "$MXRAY" check weak.lab.test "${COMMON[@]}" "$@" > "$file" || true
  t1=$(now)
  echo "$label $(python3 -c "print(f'{$t1-$t0:.3f}')")" >> "$OUT/times"
}

# The resolver's own round trips for the two dependent lookups (undelayed).
dns_ms=$(python3 - "$MXRAY_LAB_RESOLVER" <<'PY'
import socket, struct, sys, time, random
def q(name, t):
    qid = random.randrange(65536)
    msg = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0" + struct.pack(">HH", t, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
    t0 = time.perf_counter(); s.sendto(msg, (sys.argv[1], 53)); s.recv(4096); return (time.perf_counter() - t0) * 1000
best = [min(q(n, t) for _ in range(5)) for n, t in (("weak.lab.test", 15), ("mx.weak.lab.test", 1))]
print(f"{sum(best):.2f}")
PY
)

echo "mxray: $MXRAY ($("$MXRAY" version 2>/dev/null | head -1)); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ)"
echo

: > "$OUT/times"
run_check "full-nodelay" "$OUT/full0.json"
if [ "$DELAY" = 1 ]; then
  scripts/lab delay "$WEAK" 50 > /dev/null
  sleep 0.5
  run_check "full-delay50" "$OUT/full50.json"
  run_check "critical-delay50" "$OUT/crit50.json" --no-relay-test --no-tls-scan
  scripts/lab delay "$WEAK" off > /dev/null
fi
if [ "$TESTSSL" = 1 ]; then
  t0=$(now)
  testssl --quiet --nodns none --warnings batch --starttls smtp "$WEAK:25" > /dev/null 2>&1 || true
  t1=$(now)
  echo "testssl $(python3 -c "print(f'{$t1-$t0:.3f}')")" >> "$OUT/times"
fi

python3 - "$OUT" "$dns_ms" "$DELAY" <<'PY'
import json, os, sys
out, dns_ms, delay = sys.argv[1], float(sys.argv[2]), sys.argv[3] == "1"
times = dict(l.split() for l in open(os.path.join(out, "times")))
times = {k: float(v) for k, v in times.items()}
def tls_rtts(path):
    try:
        r = json.load(open(path))
    except Exception:
        return 2, "?"
    v = next((p.get("tls", {}).get("version") for p in r.get("ports", []) if p["port"] == 25 and p.get("tls")), None)
    return (1 if v and "1.3" in v else 2), v or "?"
print("| run | wall | bound | wall / bound |")
print("|---|---|---|---|")
print(f"| check weak.lab.test, no delay | {times['full-nodelay']:.2f} s | – | – |")
if delay:
    rtt = 100.0  # 50 ms each way
    n, v = tls_rtts(os.path.join(out, "full50.json"))
    # connect, greeting, EHLO, STARTTLS, handshake (n), EHLO
    bound = (dns_ms + (5 + n) * rtt) / 1000
    print(f"| check weak.lab.test, +50 ms each way on the MX (full) | {times['full-delay50']:.2f} s | {bound:.2f} s | {times['full-delay50']/bound:.1f}x |")
    print(f"| same, critical path only (--no-relay-test --no-tls-scan) | {times['critical-delay50']:.2f} s | {bound:.2f} s | {times['critical-delay50']/bound:.1f}x |")
    print(f"\nbound = DNS {dns_ms:.1f} ms (MX + A, undelayed resolver) + {5+n} round trips of {rtt:.0f} ms (connect, greeting, EHLO, STARTTLS, {v} handshake = {n}, EHLO)")
if "testssl" in times:
    ratio = times["testssl"] / times["full-nodelay"]
    print(f"\ntestssl.sh on one port (127.0.30.1:25, default run): {times['testssl']:.1f} s; mxray whole domain: {times['full-nodelay']:.2f} s; ratio {ratio:.1f}x (target >= 20x)")
PY
