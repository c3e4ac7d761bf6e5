#!/usr/bin/env python3
"""Captures real answers from the lab resolver as DNSWire test fixtures.

For each (name, type): `<name>_<TYPE>.bin` holds the reply exactly as received (wire format,
names compressed by Unbound) and `<name>_<TYPE>.txt` the records as dnspython prints them — an
independent parser, so the DNSWire test compares its own reading with another implementation's.
Run with the lab up:  python3 Tests/Fixtures/dns/capture.py [RESOLVER]
"""
import os, sys
import socket
import dns.flags, dns.message, dns.rcode, dns.rdatatype

HERE = os.path.dirname(os.path.abspath(__file__))
RESOLVER = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("MXRAY_LAB_RESOLVER", "127.0.10.54")
QUERIES = [
    ("good.lab.test", "MX"), ("good.lab.test", "TXT"), ("good.lab.test", "CAA"), ("good.lab.test", "SOA"),
    ("mx1.good.lab.test", "A"), ("_25._tcp.mx1.good.lab.test", "TLSA"), ("_imaps._tcp.good.lab.test", "SRV"),
    ("sel1._domainkey.good.lab.test", "TXT"), ("mail.good.lab.test", "A"), ("lab.test", "DNSKEY"),
    ("lab.test", "NS"), ("1.20.0.127.in-addr.arpa", "PTR"), ("broken.lab.test", "MX"),
    ("mx-missing.broken.lab.test", "A"), ("weak.lab.test", "AAAA"), ("nullmx.lab.test", "MX"),
]

for name, rtype in QUERIES:
    q = dns.message.make_query(name, rtype, want_dnssec=True, payload=1232)
    q.id = 0x1234
    # Keep the exact octets the server sent (dnspython would re-compress on to_wire).
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    s.sendto(q.to_wire(), (RESOLVER, 53))
    raw, _ = s.recvfrom(65535)
    s.close()
    m = dns.message.from_wire(raw)
    base = os.path.join(HERE, f"{name}_{rtype}")
    with open(base + ".bin", "wb") as f:
        f.write(raw)
    lines = []
    for section in (m.answer, m.authority, m.additional):
        for rrset in section:
            for rr in rrset:
                lines.append(f"{rrset.name} {rrset.ttl} IN {dns.rdatatype.to_text(rrset.rdtype)} {rr.to_text()}")
    with open(base + ".txt", "w") as f:
        f.write(f"rcode {dns.rcode.to_text(m.rcode())}\nflags {dns.flags.to_text(m.flags).lower()}\n")
        f.write("\n".join(lines) + ("\n" if lines else ""))
    print(base, len(raw), "octets,", len(lines), "records")
