#!/usr/bin/env python3
"""Prints the benchmark figures from /usr/bin/time -v outputs and checks the Grand Totals agree."""
import json
import os
import re
import sys

log, work = sys.argv[1], sys.argv[2]
size = os.path.getsize(log)
with open(log, "rb") as f:
    lines = sum(1 for _ in f)


def timing(name):
    text = open(os.path.join(work, name + ".time")).read()
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", text)
    wall = int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    cpu = float(re.search(r"User time \(seconds\): ([\d.]+)", text).group(1)) + float(re.search(r"System time \(seconds\): ([\d.]+)", text).group(1))
    return wall, rss, cpu


rows = {}
for name in ("mxray", "pflogsumm"):
    wall, rss, cpu = timing(name)
    rows[name] = (wall, rss, cpu)
    print(f"{name:10s} {lines / wall:12,.0f} lines/s {size / wall / 1e6:8.1f} MB/s  wall {wall:7.2f} s  cpu {cpu:7.2f} s  peak RSS {rss / 1024:7.1f} MB")
ratio = rows["pflogsumm"][0] / rows["mxray"][0]
print(f"input: {lines:,} lines, {size / 1e6:.1f} MB; throughput ratio mxray/pflogsumm = {ratio:.1f}x (target >= 20x, RSS < 200 MB)")
# CPU seconds (user + system) are far less sensitive to other load on the machine than wall time;
# mxray spreads its CPU over the cores, so this ratio is about half the wall ratio on two free cores.
print(f"cpu-seconds ratio pflogsumm/mxray = {rows['pflogsumm'][2] / rows['mxray'][2]:.1f}x (load-robust; wall ratio on N free cores is up to N times this)")

totals = json.load(open(os.path.join(work, "mxray.json")))["totals"]
pf = {}
for line in open(os.path.join(work, "pflogsumm.txt")):
    m = re.match(r"\s+(\d+)([km ])\s+([a-z /]+?)(?:\s+\(|$)", line)
    if m and m.group(3).strip() not in pf:
        mult = {"k": 1024, "m": 1 << 20, " ": 1}[m.group(2)]
        pf[m.group(3).strip()] = int(m.group(1)) * mult
    if line.startswith("Per-"):
        break
bad = []
for k, v in pf.items():
    mine = totals.get(k)
    if mine is None:
        continue
    unit = 1 << 20 if v >= 512 << 20 else 1024 if v >= 512 << 10 else 1
    if mine // unit != v // unit:
        bad.append(f"{k}: mxray {mine} pflogsumm {v}")
print("grand totals: " + ("all equal to pflogsumm's" if not bad else "DIFFER: " + "; ".join(bad)))
