#!/usr/bin/env bash
# Check benchmark (issue 7): `mxray check good.lab.test` wall time against its critical-path
# bound, and the whole-domain check against testssl.sh on one port. Prints a table and ratios.
#
#  1. Critical path: `mxray check good.lab.test` with 50 ms added each way (scripts/lab delay)
#     to the good MX addresses 127.0.20.1, 127.0.20.2 and the resolver 127.0.10.54. The bound
#     is the dependent round trips a sender needs before it can deliver over TLS: MX and A at
#     the resolver (2 RTT), then on the MX: connect, greeting, EHLO, STARTTLS, TLS 1.3
#     handshake, EHLO (6 RTT) = 8 RTT. The RTT is measured (TCP connect time to 127.0.20.1:25
#     under the delay) and stated; the bound uses it. Rows: the default check (quick TLS
#     assessment) and the check with the full TLS scan (--tls-scan full).
#  2. mxray's whole-domain check (all hosts, ports, full TLS scan) against testssl.sh's default
#     run on the one port 127.0.20.1:25, no delay. Target: >= 20x.
#
# Usage: benchmarks/check/run.sh [--no-testssl] [--no-delay] [--runs N]
#   MXRAY=path/to/mxray (default .build/debug/mxray); needs the lab (scripts/lab up) and testssl.
# Each delay is removed at exit (scripts/lab delay ADDR off), never globally; the delayed burst
# is short (a few checks), since other tests use these addresses.
set -euo pipefail
cd "$(dirname "$0")/../.."
MXRAY=${MXRAY:-.build/debug/mxray}
TESTSSL=1
DELAY=1
RUNS=3
while [ $# -gt 0 ]; do
  case "$1" in
    --no-testssl) TESTSSL=0; shift ;;
    --no-delay) DELAY=0; shift ;;
    --runs) RUNS=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
eval "$(scripts/lab env)"
DELAYED=("$MXRAY_LAB_GOOD_MX1" "$MXRAY_LAB_GOOD_MX2" "$MXRAY_LAB_RESOLVER")
[ "${DELAYED[*]}" = "127.0.20.1 127.0.20.2 127.0.10.54" ] || { echo "unexpected lab addresses: ${DELAYED[*]}" >&2; exit 2; }
OUT=$(mktemp -d)
undelay() { for a in "${DELAYED[@]}"; do scripts/lab delay "$a" off >/dev/null 2>&1 || true; done; }
cleanup() { undelay; rm -rf "$OUT"; }
trap cleanup EXIT
now() { date +%s.%N; }
COMMON=(--resolver "$MXRAY_LAB_RESOLVER" --ca-file "$MXRAY_LAB_CA_FILE" --format json --fail-on critical)

run_check() {  # label extra-args…
  local label=$1; shift
  local t0 t1
  t0=$(now)
  "$MXRAY" check good.lab.test "${COMMON[@]}" "$@" > "$OUT/$label.json" || true
  t1=$(now)
  echo "$label $(python3 -c "print(f'{$t1-$t0:.3f}')")" >> "$OUT/times"
}

# Median TCP connect time to the MX: the round trip the bound is counted in.
connect_rtt() {
  python3 - "$MXRAY_LAB_GOOD_MX1" <<'PY'
import socket, statistics, sys, time
ts = []
for _ in range(7):
    s = socket.socket(); t0 = time.perf_counter(); s.connect((sys.argv[1], 25)); ts.append((time.perf_counter() - t0) * 1000); s.close()
print(f"{statistics.median(ts):.1f}")
PY
}

echo "mxray: $MXRAY ($("$MXRAY" version 2>/dev/null | head -1)); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ)"
echo

: > "$OUT/times"
run_check "default-nodelay"
run_check "full-nodelay" --tls-scan full
rtt=0
if [ "$DELAY" = 1 ]; then
  for a in "${DELAYED[@]}"; do scripts/lab delay "$a" 50 > /dev/null; done
  sleep 0.3
  rtt=$(connect_rtt)
  for i in $(seq 1 "$RUNS"); do run_check "default-delay50-$i"; done
  run_check "full-delay50" --tls-scan full
  echo "load after the delayed runs: $(cut -d' ' -f1-3 /proc/loadavg)"
  undelay
fi
if [ "$TESTSSL" = 1 ]; then
  t0=$(now)
  testssl --quiet --nodns none --warnings batch --starttls smtp "$MXRAY_LAB_GOOD_MX1:25" > /dev/null 2>&1 || true
  t1=$(now)
  echo "testssl $(python3 -c "print(f'{$t1-$t0:.3f}')")" >> "$OUT/times"
fi

python3 - "$OUT" "$rtt" "$DELAY" <<'PY'
import json, os, statistics, sys
out, rtt, delay = sys.argv[1], float(sys.argv[2]), sys.argv[3] == "1"
times = {}
for l in open(os.path.join(out, "times")):
    k, v = l.split(); times[k] = float(v)
def stages(label):
    try:
        r = json.load(open(os.path.join(out, label + ".json")))
    except Exception:
        return "no report"
    return ", ".join(f"{s['name']} {s['milliseconds']:.0f}" for s in r.get("stages", []))
print("| run | wall | bound | wall / bound |")
print("|---|---|---|---|")
print(f"| check good.lab.test, no delay (default, quick TLS) | {times['default-nodelay']:.2f} s | – | – |")
print(f"| check good.lab.test, no delay, --tls-scan full | {times['full-nodelay']:.2f} s | – | – |")
if delay:
    bound = 8 * rtt / 1000  # MX, A at the resolver; connect, greeting, EHLO, STARTTLS, TLS 1.3, EHLO on the MX
    runs = sorted(v for k, v in times.items() if k.startswith("default-delay50-"))
    med = statistics.median(runs)
    print(f"| check good.lab.test, +50 ms each way (default; median of {len(runs)}: {', '.join(f'{x:.2f}' for x in runs)}) | {med:.2f} s | {bound:.2f} s | {med/bound:.2f}x |")
    print(f"| same, --tls-scan full | {times['full-delay50']:.2f} s | {bound:.2f} s | {times['full-delay50']/bound:.2f}x |")
    print(f"\nmeasured RTT (median TCP connect to the MX under the delay): {rtt:.1f} ms; bound = 8 x RTT = {bound:.2f} s (target <= {1.5*bound:.2f} s)")
    print(f"stage ms, last default delayed run: {stages('default-delay50-' + str(len(runs)))}")
    print(f"stage ms, full-scan delayed run: {stages('full-delay50')}")
if "testssl" in times:
    ratio = times["testssl"] / times["full-nodelay"]
    print(f"\ntestssl.sh on one port (127.0.20.1:25, default run): {times['testssl']:.1f} s; mxray whole domain with the full TLS scan: {times['full-nodelay']:.2f} s; ratio {ratio:.1f}x (target >= 20x)")
PY
