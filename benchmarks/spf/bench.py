#!/usr/bin/env python3
"""SPF benchmark: mxray's SPFEvaluator vs pyspf on the same (domain, ip) pairs, same lab resolver,
in one run. Prints both wall times, the ratio and whether every result is identical.

Usage: benchmarks/spf/bench.py [--pairs 10000] [--resolver 127.0.10.54] [--bench PATH-TO-SPFBench]
Needs: pip install pyspf dnspython; the lab up (scripts/lab up); SPFBench built
(swift build -c release --scratch-path .build-bench --product SPFBench).
"""
import argparse, random, subprocess, sys, tempfile, time

import dns.resolver
import spf

LAB_DOMAINS = ["good.lab.test", "weak.lab.test", "broken.lab.test", "nullmx.lab.test"]
LAB_IPS = ["127.0.20.1", "127.0.20.2", "127.0.20.77", "127.0.30.1", "127.0.40.1", "127.0.40.4",
           "127.0.40.11", "192.0.2.1", "198.51.100.7", "127.0.0.1"]


def pairs(n, seed=7208):
    rnd = random.Random(seed)
    return [(rnd.choice(LAB_DOMAINS), rnd.choice(LAB_IPS)) for _ in range(n)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=10000)
    ap.add_argument("--resolver", default="127.0.10.54")
    ap.add_argument("--bench", default=".build-bench/release/SPFBench")
    ap.add_argument("--concurrency", type=int, default=1)
    ap.add_argument("--cache", action="store_true", help="let mxray's resolver cache answers across evaluations (its default)")
    a = ap.parse_args()

    # pyspf through dnspython, pointed at the lab resolver only (never the host's resolv.conf).
    r = dns.resolver.Resolver(configure=False)
    r.nameservers = [a.resolver]
    r.cache = None
    r.lifetime = 4
    dns.resolver.default_resolver = r

    ps = pairs(a.pairs)
    with tempfile.NamedTemporaryFile("w", suffix=".pairs", delete=False) as f:
        f.write("".join(f"{d} {ip}\n" for d, ip in ps))
        path = f.name

    t0 = time.perf_counter()
    py = [spf.check2(i=ip, s="postmaster@" + d, h=d)[0] for d, ip in ps]
    t_py = time.perf_counter() - t0

    t0 = time.perf_counter()
    out = subprocess.run([a.bench, path, a.resolver, str(a.concurrency)] + (["cache"] if a.cache else []), capture_output=True, text=True, check=True)
    t_mx = time.perf_counter() - t0
    mx = [line.split(" ")[2] for line in out.stdout.splitlines()]

    diff = [(p, x, y) for p, x, y in zip(ps, py, mx) if x != y]
    print(f"pairs: {len(ps)}  distinct results: {sorted(set(py))}")
    print(f"pyspf {spf.__version__}: {t_py:.2f} s ({len(ps) / t_py:.0f}/s)")
    print(f"mxray SPFEvaluator (concurrency {a.concurrency}): {t_mx:.2f} s ({len(ps) / t_mx:.0f}/s)  [{out.stderr.strip()}]")
    print(f"speed ratio mxray/pyspf: {t_py / t_mx:.1f}x")
    print(f"identical results: {len(ps) - len(diff)}/{len(ps)}")
    for p, x, y in diff[:10]:
        print(f"  DIFF {p[0]} {p[1]}: pyspf {x}, mxray {y}")
    return 0 if not diff else 1


if __name__ == "__main__":
    sys.exit(main())
