#!/usr/bin/env python3
"""Scores `mxray logs --anomalies --format json` on generated logs against their ground truth.

usage: synthetic_score.py <mxray> <workdir> <seed> [<seed> ...]   (days per seed: $DAYS, default 7)

An incident counts as detected when an alert opens in [start, end + 10 min) (any series: a
relay outage may show first in deferrals, 4xx replies or the queue size). Every alert that opens
outside all such intervals is a false alert. Per-episode precision = alerts inside incidents /
all alerts; time to detect = first matching alert's start − incident start, in minutes.
"""
import json, os, statistics, subprocess, sys, time

GRACE = 10 * 60
HERE = os.path.dirname(os.path.abspath(__file__))


def epoch(s):
    # "2026-11-01T03:33:00Z" / "...+00:00" / with fractions → seconds (UTC only, as both writers use)
    d, t = s[:10], s[11:19]
    y, m, dd = map(int, d.split("-"))
    hh, mm, ss = map(int, t.split(":"))
    if m <= 2:
        y -= 1; m += 12
    days = 365 * y + y // 4 - y // 100 + y // 400 + (153 * (m - 3) + 2) // 5 + dd - 719469
    return days * 86400 + hh * 3600 + mm * 60 + ss


def run_seed(mxray, work, seed, days):
    log = os.path.join(work, "synthetic-%d-%dd.log" % (seed, days))
    truth_path = os.path.join(work, "synthetic-%d-%dd.json" % (seed, days))
    # The same seed and length give the same log: generate it once per work folder (REGENERATE=1 forces it).
    if os.environ.get("REGENERATE") == "1" or not (os.path.exists(log) and os.path.exists(truth_path)):
        subprocess.run([sys.executable, os.path.join(HERE, "gen_maillog.py"), "--seed", str(seed), "--days", str(days),
                        "--out", log, "--truth", truth_path], check=True)
    t0 = time.time()
    detector = ["--detector", os.environ["DETECTOR"]] if os.environ.get("DETECTOR") else []
    out = subprocess.run([mxray, "logs", "--anomalies", "--format", "json"] + detector + [log],
                         check=True, capture_output=True, text=True).stdout
    elapsed = time.time() - t0
    report = json.loads(out)
    truth = json.load(open(truth_path))
    incidents = [dict(i, s=epoch(i["start"]), e=epoch(i["end"])) for i in truth["incidents"]]
    alerts = [dict(a, s=epoch(a["start"])) for a in report["alerts"]]
    rows = []
    for inc in incidents:
        hits = [a for a in alerts if inc["s"] <= a["s"] < inc["e"] + GRACE]
        first = min(hits, key=lambda a: a["s"]) if hits else None
        rows.append((inc["kind"], first is not None, (first["s"] - inc["s"]) / 60 if first else None, first["series"] if first else "-"))
    false = [a for a in alerts if not any(i["s"] <= a["s"] < i["e"] + GRACE for i in incidents)]
    return rows, alerts, false, elapsed, truth["lines"]


def main(argv):
    if len(argv) < 4:
        print(__doc__)
        return 2
    mxray, work, seeds = argv[1], argv[2], [int(s) for s in argv[3:]]
    days = int(os.environ.get("DAYS", "7"))
    os.makedirs(work, exist_ok=True)
    all_rows, n_alerts, n_false, total_days, lines, secs = [], 0, [], 0, 0, 0.0
    for seed in seeds:
        rows, alerts, false, elapsed, nl = run_seed(mxray, work, seed, days)
        all_rows += rows; n_alerts += len(alerts); n_false += false; total_days += days; lines += nl; secs += elapsed
    print("Synthetic mail logs: %d seeds x %d days, %d lines, %d incidents; mxray logs --anomalies --detector %s took %.1f s in all"
          % (len(seeds), days, lines, len(all_rows), os.environ.get("DETECTOR") or "(default)", secs))
    print("%-18s %9s %9s %12s   %s" % ("incident", "episodes", "recall", "median TTD", "first series to alert"))
    for kind in ["brute-force", "connection-flood", "relay-outage", "dns-failure"]:
        rs = [r for r in all_rows if r[0] == kind]
        if not rs:
            continue
        det = [r for r in rs if r[1]]
        ttd = statistics.median([r[2] for r in det]) if det else float("nan")
        series = sorted({r[3] for r in det})
        print("%-18s %9d %9.2f %9.1f min   %s" % (kind, len(rs), len(det) / len(rs), ttd, ", ".join(series)))
    det = [r for r in all_rows if r[1]]
    recall = len(det) / len(all_rows) if all_rows else float("nan")
    precision = (n_alerts - len(n_false)) / n_alerts if n_alerts else float("nan")
    ttd = statistics.median([r[2] for r in det]) if det else float("nan")
    print("%-18s %9d %9.2f %9.1f min   precision %.2f (%d of %d alerts inside an incident), %.2f false alerts per day"
          % ("all", len(all_rows), recall, ttd, precision, n_alerts - len(n_false), n_alerts, len(n_false) / total_days))
    for a in n_false[:10]:
        print("  false alert: %s %s %s: %s" % (a["start"], a["series"], a["detector"], a["reason"][:110]))
    target = recall >= 0.9 and len(n_false) / total_days <= 1.0
    print("target (recall >= 0.9, <= 1 false alert per day): %s" % ("met" if target else "NOT met"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
