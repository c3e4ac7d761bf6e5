#!/usr/bin/env bash
# TLS scan benchmark: mxray tls vs testssl.sh on the lab's STARTTLS ports, in one run, same
# machine, same ports. Prints wall times, the ratio, and whether both found the same accepted
# versions and suites (from both tools' JSON). Then repeats one port with 40 ms added each way
# (scripts/lab delay). Needs the lab up (scripts/lab up) and testssl (Debian testssl.sh).
#
# Usage: benchmarks/tls/run.sh [--testssl-mode pE|scope|full] [--no-delay] [--delay-only]
#   MXRAY=path/to/mxray (default .build/debug/mxray); MXRAY_ARGS="--per-host 32" adds options
#   pE (default): testssl -p -E, the versions and every suite per version, the strict
#     versions+suites comparison (a subset of what mxray's scan does);
#   scope: testssl asked for what mxray's full scan does: -p -E plus -P (server cipher order),
#     -f (forward secrecy: ECDHE curves, FFDHE groups), -S (certificate, extensions, tickets,
#     session ids, resumption, OCSP stapling), -R (secure renegotiation), -C (compression/CRIME),
#     -Z (fallback SCSV); the host name with --ip (SNI and the name check, as mxray's --host) and
#     --add-ca with the lab CA (as mxray's --ca-file). Adds a column comparing those findings.
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
case "$MODE" in
  pE) TESTSSL_FLAGS=(-p -E) ;;
  scope) TESTSSL_FLAGS=(-p -E -P -f -S -R -C -Z) ;;
  full) TESTSSL_FLAGS=() ;;
  *) echo "unknown testssl mode $MODE (pE, scope or full)" >&2; exit 2 ;;
esac
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
  local t0 t1 t2 target=("$a:$p")
  # scope: the name as mxray's --host (SNI, name check), the lab CA as mxray's --ca-file
  [ "$MODE" = scope ] && target=(--add-ca "$MXRAY_LAB_CA_FILE" --ip "$a" "$h:$p")
  # mxray runs MXRAY_RUNS times (default 3; the median is reported), testssl once.
  local times=() i
  for i in $(seq "${MXRAY_RUNS:-3}"); do
    t0=$(now)
    "$MXRAY" tls "$a:$p" --host "$h" --starttls "$s" --ca-file "$MXRAY_LAB_CA_FILE" --resolver "$MXRAY_LAB_RESOLVER" \
      --format json --fail-on critical ${MXRAY_ARGS:-} > "$OUT/m.json" || true
    t1=$(now)
    times+=("$(echo "$t1 - $t0" | bc)")
  done
  t1=$(now)
  rm -f "$OUT/t.json"
  testssl --quiet --nodns none --warnings batch --starttls "$s" "${TESTSSL_FLAGS[@]}" --jsonfile "$OUT/t.json" "${target[@]}" > /dev/null 2>&1 || true
  t2=$(now)
  python3 - "$OUT/m.json" "$OUT/t.json" "$label" "$MODE" "$t1" "$t2" "${times[@]}" <<'PY'
import json, statistics, sys
m, t, label, mode, t1, t2 = *sys.argv[1:5], *map(float, sys.argv[5:7])
runs = list(map(float, sys.argv[7:]))
mine = json.load(open(m))["scan"]
items = json.load(open(t))
ours = {v["version"]: set(v["suites"]) for v in mine["versions"] if v.get("accepted")}
vid = {"SSLv3": "SSLv3", "TLS1": "TLSv1.0", "TLS1_1": "TLSv1.1", "TLS1_2": "TLSv1.2", "TLS1_3": "TLSv1.3"}
pre = {"cipher-ssl3_x": "SSLv3", "cipher-tls1_x": "TLSv1.0", "cipher-tls1_1_x": "TLSv1.1", "cipher-tls1_2_x": "TLSv1.2", "cipher-tls1_3_x": "TLSv1.3"}
theirs = {}
for item in items:
    i, f = item["id"], item["finding"]
    if i in vid and f.startswith("offered"): theirs.setdefault(vid[i], set())
    for p, v in pre.items():
        if i.startswith(p): theirs.setdefault(v, set()).add(int(i[len(p):], 16))
same = ours == theirs
ms, ts = statistics.median(runs), t2 - t1
f = mine.get("features", {})
resumed = {True: "yes", False: "no"}.get(f.get("resumedWithTicket"), "-")
notes = []
if not same:
    for v in sorted(set(ours) | set(theirs)):
        if ours.get(v) != theirs.get(v):
            notes.append(f"{v}: mxray-only {sorted(hex(c) for c in ours.get(v, set()) - theirs.get(v, set()))} testssl-only {sorted(hex(c) for c in theirs.get(v, set()) - ours.get(v, set()))}")
scope = ""
if mode == "scope":
    # The rest of the scan, finding by finding, where testssl's JSON gives an answer.
    fd = {item["id"]: item["finding"] for item in items}
    def answer(i, yes, no):  # finding starts with one of yes (True) or no (False), else unknown
        v = fd.get(i, "").lower()
        return True if v.startswith(yes) else False if v.startswith(no) else None
    ext = fd.get("TLS_extensions")
    ticket = answer("sessionresumption_ticket", ("supported",), ("not supported",))
    resumed += " / " + {True: "yes", False: "no"}.get(ticket, "?")
    pairs = {  # mxray's feature: testssl's answer
        "secureRenegotiation": answer("secure_renego", ("supported",), ("vulnerable",)),
        "compression": answer("CRIME_TLS", ("vulnerable",), ("not vulnerable",)),
        "fallbackSCSV": answer("fallback_SCSV", ("supported",), ("not supported",)),
        "ocspStapling": answer("OCSP_stapling", ("offered",), ("not offered",)),
        "sessionIDs": answer("SSL_sessionID_support", ("yes",), ("no",)),
        "extendedMasterSecret": None if ext is None else "extended master secret/#23" in ext,
        "sessionTickets": None if ext is None else "session ticket/#35" in ext,
    }
    # testssl 3.0.8's groups (its names, the IANA codes): ECDHE curves and RFC 7919 groups
    names = "sect163k1 sect163r1 sect163r2 sect193r1 sect193r2 sect233k1 sect233r1 sect239k1 sect283k1 sect283r1 sect409k1 sect409r1 sect571k1 sect571r1 secp160k1 secp160r1 secp160r2 secp192k1 prime192v1 secp224k1 secp224r1 secp256k1 prime256v1 secp384r1 secp521r1 brainpoolP256r1 brainpoolP384r1 brainpoolP512r1 X25519 X448".split()
    code = {n: k + 1 for k, n in enumerate(names)} | {f"ffdhe{b}": 256 + k for k, b in enumerate((2048, 3072, 4096, 6144, 8192))}
    found = (fd.get("PFS_ECDHE_curves", "") + " " + fd.get("DH_groups", "")).split()
    tg = {code[n] for n in found if n in code}
    # the certificate: chain to a trusted CA (the lab CA through --add-ca) and the host name
    cert = mine.get("certificate") or {}
    for k, theirs_v in {"certificate.trusted": answer("cert_chain_of_trust", ("passed",), ("failed",)),
                        "certificate.nameMatches": answer("cert_trust", ("ok",), ("certificate does not match",))}.items():
        pairs[k] = theirs_v; f[k] = cert.get(k.split(".")[1])
    og = set(mine.get("groups") or []) | set(mine.get("groupsTLS12") or [])
    og_known = og & set(code.values())
    same_scope, differ, unknown = [], [], []
    for k, theirs_v in pairs.items():
        ours_v = f.get(k)
        if theirs_v is None or ours_v is None:
            unknown.append(k + ("" if theirs_v is None else " (mxray)"))
        elif ours_v == theirs_v: same_scope.append(k)
        else: differ.append(k); notes.append(f"{k}: mxray {ours_v} testssl {theirs_v}")
    if "PFS" not in fd: unknown.append("groups")
    elif og_known == tg: same_scope.append("groups")
    else:
        differ.append("groups")
        notes.append(f"groups: mxray-only {sorted(og_known - tg)} testssl-only {sorted(tg - og_known)}")
    if og - og_known: notes.append(f"groups testssl 3.0.8 does not know: {sorted(hex(g) for g in og - og_known)}")
    # server order: testssl -P's list per version (OpenSSL names, mapped by -E's findings) against
    # mxray's suites in the order it found, where both say the server imposes its order
    hexof = {}
    for i, v in fd.items():
        words, x = v.split(), "x" + i.rsplit("_x", 1)[-1]
        if i.startswith("cipher-") and x in words[:-1]:
            hexof[words[words.index(x) + 1]] = int(x[1:], 16)
    opv = {"TLSv1": "TLSv1.0", "TLSv1_1": "TLSv1.1", "TLSv1_2": "TLSv1.2", "TLSv1_3": "TLSv1.3", "SSLv3": "SSLv3"}
    server = fd.get("cipher_order", "").startswith("server")
    for v in mine["versions"]:
        if not v.get("accepted"): continue
        if "cipher_order" not in fd: unknown.append(f"order {v['version']}"); continue
        if not (server and v.get("serverOrder")):
            if server != bool(v.get("serverOrder")):
                differ.append(f"order {v['version']}"); notes.append(f"server order {v['version']}: mxray {v.get('serverOrder')} testssl {fd.get('cipher_order')}")
            continue
        key = next((k for k, w in opv.items() if w == v["version"]), None)
        listed = fd.get(f"cipherorder_{key}", "").split()
        if not listed: unknown.append(f"order {v['version']}"); continue
        theirs_o = [hexof.get(n) for n in listed]
        ours_o = [c for c in v["suites"] if c in set(theirs_o)]
        if None not in theirs_o and ours_o == theirs_o: same_scope.append(f"order {v['version']}")
        else:
            differ.append(f"order {v['version']}")
            notes.append(f"order {v['version']}: mxray {[hex(c) for c in ours_o]} testssl {[hex(c) if c is not None else n for c, n in zip(theirs_o, listed)]}")
    scope = (f"same {len(same_scope)}" + (f", DIFFERENT {', '.join(differ)}" if differ else "")
             + (f"; no answer: {', '.join(unknown)}" if unknown else "") + " | ")
print(f"| {label} | {ms:.2f} s ({min(runs):.2f}–{max(runs):.2f}) | {mine['connections']} | {ts:.1f} s | {ts/ms:.0f}x | {'same' if same else 'DIFFERENT'} | {scope}{resumed} |")
cols = "| | | | | | |" + (" |" if mode == "scope" else "")
for n in notes:
    print(f"|   {n} {cols}")
PY
}

TARGET="ADDR:PORT"
[ "$MODE" = scope ] && TARGET="--add-ca LAB_CA --ip ADDR HOST:PORT"
echo "mxray: $MXRAY ${MXRAY_ARGS:-}; load $(cut -d' ' -f1-3 /proc/loadavg); $(testssl --version 2>/dev/null | sed 's/\x1b\[[0-9;]*m//g' | grep -m1 -oE 'testssl(\.sh)? +[0-9][0-9.a-z-]*' | tr -s ' ' || echo 'testssl ?') mode $MODE: testssl --quiet --nodns none --warnings batch --starttls PROTO ${TESTSSL_FLAGS[*]} --jsonfile F $TARGET; $(nproc) cores; $(date -u +%FT%TZ)"
echo
if [ "$MODE" = scope ]; then
  echo "| port | mxray median (min–max) | connections | testssl | ratio | versions+suites | rest of the scope | resumed (ticket) mxray / testssl |"
  echo "|---|---|---|---|---|---|---|---|"
else
  echo "| port | mxray median (min–max) | connections | testssl | ratio | versions+suites | resumed (ticket) |"
  echo "|---|---|---|---|---|---|---|"
fi
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
echo
echo "load at the end $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ)"
