#!/usr/bin/env bash
# TLS scan benchmark: mxray tls vs testssl.sh on the lab's STARTTLS ports, in one run, same
# machine, same ports. Prints wall times, the ratio, and whether both found the same accepted
# versions and suites (from both tools' JSON). Then repeats one port with 40 ms added each way
# (scripts/lab delay). Needs the lab up (scripts/lab up) and testssl (Debian testssl.sh).
#
# Usage: benchmarks/tls/run.sh [--testssl-mode pE|full] [--no-delay] [--delay-only]
#   MXRAY=path/to/mxray (default .build/debug/mxray); MXRAY_ARGS="--per-host 32" adds options
#   pE (default): testssl -p -E, the versions and every suite per version, the scope both tools must agree on;
#   full: testssl's default run (what an admin types; its JSON has no per-version suite list, so the
#   comparison column then reports only what it can)
set -euo pipefail
cd "$(dirname "$0")/../.."
MXRAY=${MXRAY:-.build/debug/mxray}
MODE=pE
DELAY=1
ONLY_DELAY=0
while [ $# -gt 0 ]; do
  case "$1" in
    --testssl-mode) MODE=$2; shift 2 ;;
    --no-delay) DELAY=0; shift ;;
    --delay-only) ONLY_DELAY=1; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
eval "$(scripts/lab env)"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
# address port starttls host
PORTS=(
  "$MXRAY_LAB_GOOD_MX1 25 smtp mx1.good.lab.test"
  "$MXRAY_LAB_GOOD_MX1 587 smtp mx1.good.lab.test"
  "$MXRAY_LAB_GOOD_MX1 143 imap mx1.good.lab.test"
  "$MXRAY_LAB_GOOD_MX1 110 pop3 mx1.good.lab.test"
  "$MXRAY_LAB_WEAK_MX 25 smtp mx.weak.lab.test"
  "$MXRAY_LAB_WEAK_MX 587 smtp mx.weak.lab.test"
  "$MXRAY_LAB_WEAK_MX 143 imap mx.weak.lab.test"
  "$MXRAY_LAB_WEAK_MX 110 pop3 mx.weak.lab.test"
  "$MXRAY_LAB_BROKEN_REAL 25 smtp mx-real.broken.lab.test"
)

now() { date +%s.%N; }

one() {  # address port starttls host label
  local a=$1 p=$2 s=$3 h=$4 label=$5
  local t0 t1 t2 extra=()
  [ "$MODE" = pE ] && extra=(-p -E)
  t0=$(now)
  "$MXRAY" tls "$a:$p" --host "$h" --starttls "$s" --ca-file "$MXRAY_LAB_CA_FILE" --resolver "$MXRAY_LAB_RESOLVER" \
    --format json --fail-on critical ${MXRAY_ARGS:-} > "$OUT/m.json" || true
  t1=$(now)
  rm -f "$OUT/t.json"
  testssl --quiet --nodns none --warnings batch --starttls "$s" "${extra[@]}" --jsonfile "$OUT/t.json" "$a:$p" > /dev/null 2>&1 || true
  t2=$(now)
  python3 - "$OUT/m.json" "$OUT/t.json" "$label" "$t0" "$t1" "$t2" <<'PY'
import json, sys
m, t, label, t0, t1, t2 = sys.argv[1], sys.argv[2], sys.argv[3], *map(float, sys.argv[4:7])
mine = json.load(open(m))["scan"]
ours = {v["version"]: set(v["suites"]) for v in mine["versions"] if v.get("accepted")}
vid = {"SSLv3": "SSLv3", "TLS1": "TLSv1.0", "TLS1_1": "TLSv1.1", "TLS1_2": "TLSv1.2", "TLS1_3": "TLSv1.3"}
pre = {"cipher-ssl3_x": "SSLv3", "cipher-tls1_x": "TLSv1.0", "cipher-tls1_1_x": "TLSv1.1", "cipher-tls1_2_x": "TLSv1.2", "cipher-tls1_3_x": "TLSv1.3"}
theirs = {}
for item in json.load(open(t)):
    i, f = item["id"], item["finding"]
    if i in vid and f.startswith("offered"): theirs.setdefault(vid[i], set())
    for p, v in pre.items():
        if i.startswith(p): theirs.setdefault(v, set()).add(int(i[len(p):], 16))
same = ours == theirs
ms, ts = t1 - t0, t2 - t1
print(f"| {label} | {ms:.2f} s | {mine['connections']} | {ts:.1f} s | {ts/ms:.0f}x | {'same' if same else 'DIFFERENT'} |")
if not same:
    for v in sorted(set(ours) | set(theirs)):
        if ours.get(v) != theirs.get(v):
            print(f"|   {v}: mxray-only {sorted(hex(c) for c in ours.get(v, set()) - theirs.get(v, set()))} testssl-only {sorted(hex(c) for c in theirs.get(v, set()) - ours.get(v, set()))} | | | | | |")
PY
}

echo "mxray: $MXRAY ${MXRAY_ARGS:-}; load $(cut -d' ' -f1-3 /proc/loadavg); testssl $(testssl --version 2>/dev/null | grep -m1 -o 'testssl.sh[^ ]* [0-9.a-z-]*' || echo '?') mode $MODE; $(nproc) cores; $(date -u +%FT%TZ)"
echo
echo "| port | mxray | handshakes | testssl | ratio | versions+suites |"
echo "|---|---|---|---|---|---|"
for line in "${PORTS[@]}"; do
  [ "$ONLY_DELAY" = 1 ] && break
  set -- $line
  one "$1" "$2" "$3" "$4" "$4:$2 ($3)"
done
if [ "$DELAY" = 1 ]; then
  set -- $MXRAY_LAB_BROKEN_REAL 25 smtp mx-real.broken.lab.test
  DELAYED=$1
  # Only this address's delay is removed: other users of the lab may have their own.
  trap 'scripts/lab delay "$DELAYED" off > /dev/null; rm -rf "$OUT"' EXIT
  scripts/lab delay "$1" 40 > /dev/null
  one "$1" "$2" "$3" "$4" "$4:$2 ($3) +40 ms each way"
  scripts/lab delay "$1" off > /dev/null
fi
