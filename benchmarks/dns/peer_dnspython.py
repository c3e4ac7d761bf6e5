#!/usr/bin/env python3
"""The peer: dnspython's asyncio resolution of the same names, same resolver, same concurrency.

Prints one JSON line like BenchDNS. With --answers FILE writes "name status sorted-addresses" lines.
Each query is a plain UDP query (dns.asyncquery.udp) with one retry after a 2 s timeout, no cache,
so both tools put the same queries on the wire.
"""
import argparse, asyncio, json, resource, time
import dns.asyncquery, dns.exception, dns.message, dns.rcode, dns.rdatatype

async def one(name, rdtype, resolver, sem):
    async with sem:
        q = dns.message.make_query(name, rdtype)
        for _ in range(2):
            try:
                r = await dns.asyncquery.udp(q, resolver, timeout=2)
                break
            except dns.exception.Timeout:
                r = None
        if r is None:
            return name, "timeout", []
        rc = r.rcode()
        if rc == dns.rcode.NXDOMAIN:
            return name, "nxdomain", []
        if rc == dns.rcode.SERVFAIL:
            return name, "servfail", []
        values = sorted(rd.to_text() for rrset in r.answer if rrset.rdtype == rdtype for rd in rrset)
        return name, ("answer" if values else "nodata"), values

async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--resolver", required=True)
    p.add_argument("--concurrency", type=int, default=100)
    p.add_argument("--type", default="A")
    p.add_argument("--answers")
    p.add_argument("names")
    a = p.parse_args()
    names = [l.strip() for l in open(a.names) if l.strip()]
    rdtype = dns.rdatatype.from_text(a.type)
    sem = asyncio.Semaphore(a.concurrency)
    start = time.perf_counter()
    results = await asyncio.gather(*(one(n, rdtype, a.resolver, sem) for n in names))
    seconds = time.perf_counter() - start
    statuses = {}
    for _, s, _ in results:
        statuses[s] = statuses.get(s, 0) + 1
    if a.answers:
        with open(a.answers, "w") as f:
            for n, s, v in results:
                f.write(f"{n} {s} {','.join(v)}\n")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"tool": "dnspython " + dns.version.version, "queries": len(names), "concurrency": a.concurrency,
                      "seconds": round(seconds, 3), "qps": round(len(names) / seconds), "peak_rss_mb": round(rss, 1),
                      "statuses": dict(sorted(statuses.items()))}))

import dns.version
asyncio.run(main())
