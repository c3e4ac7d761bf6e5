#!/usr/bin/env python3
"""Generates a Postfix log in the lab's real line shapes (Postfix 3.7 on Debian, as the lab's
postlogd writes them): inbound sessions with and without TLS, submission with SASL, local
pickup, smtp/lmtp deliveries with delays=a/b/c/d, deferrals to a dead relay, bounces, smtpd
rejects (relay denied, unknown user, RBL), reject_warning, postscreen, anvil statistics, SASL
brute force. Deterministic for a given --seed.

usage: generate.py --lines N --out FILE [--seed S]
"""
import argparse
import random


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=2_000_000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    users = [f"user{i}" for i in range(2000)]
    domains = ["good.lab.test", "weak.lab.test", "example.org", "example.net", "example.com", "corp.example", "mail.example.de"]
    remote = [("mx.example.net", "198.51.100.2"), ("mx.example.com", "203.0.113.5"), ("mail.example.org", "192.0.2.10"),
              ("mx1.good.lab.test", "127.0.20.1"), ("mx2.good.lab.test", "127.0.20.2")]
    clients = [(f"host{i}.client{i % 50}.example", f"10.{i % 250}.{i // 250 % 250}.{i % 7 + 1}") for i in range(5000)]
    qid_n = [0x100000]

    def qid():
        qid_n[0] += rnd.randint(1, 37)
        return f"{qid_n[0]:X}"[-10:].rjust(10, "4")

    sec = [0]
    written = [0]
    out = open(a.out, "w", buffering=1 << 20)

    def ts():
        s = sec[0]
        day = 27 + min(s // 86400, 3)
        t = s % 86400
        return f"Nov {day:2d} {t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}"

    def w(prog, pid, msg):
        out.write(f"{ts()} mx1 postfix/{prog}[{pid}]: {msg}\n")
        written[0] += 1

    pid = 20000
    while written[0] < a.lines:
        sec[0] += rnd.choice((0, 0, 0, 1))
        pid += 1
        r = rnd.random()
        host, ip = rnd.choice(clients)
        if r < 0.62:  # inbound message
            q = qid()
            sender = f"{rnd.choice(users)}@{rnd.choice(domains)}"
            n = rnd.choice((1, 1, 1, 2, 3))
            rcpts = [f"{rnd.choice(users)}@good.lab.test" for _ in range(n)]
            size = rnd.randint(800, 200000)
            w("smtpd", pid, f"connect from {host}[{ip}]")
            tls = rnd.random() < 0.7
            if tls:
                w("smtpd", pid, f"Anonymous TLS connection established from {host}[{ip}]: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256")
            w("smtpd", pid, f"{q}: client={host}[{ip}]")
            w("cleanup", pid + 1, f"{q}: message-id=<{q}.{pid}@{sender.split('@')[1]}>")
            w("qmgr", 900, f"{q}: from=<{sender}>, size={size}, nrcpt={n} (queue active)")
            cmds = f"ehlo={2 if tls else 1}{' starttls=1' if tls else ''} mail=1 rcpt={n} data=1 quit=1 commands={(5 if tls else 4) + n}"
            w("smtpd", pid, f"disconnect from {host}[{ip}] {cmds}")
            for rc in rcpts:
                d = [round(rnd.uniform(0.01, 0.3), 2), round(rnd.uniform(0, 0.05), 2), round(rnd.uniform(0, 0.1), 2), round(rnd.uniform(0.01, 0.5), 2)]
                w("lmtp", pid + 2, f"{q}: to=<{rc}>, relay=mx1.good.lab.test[private/dovecot-lmtp], delay={round(sum(d), 2)}, delays={d[0]}/{d[1]}/{d[2]}/{d[3]}, dsn=2.0.0, status=sent (250 2.0.0 <{rc}> {q}Saved)")
            w("qmgr", 900, f"{q}: removed")
        elif r < 0.72:  # outbound via smtp, sometimes deferred / bounced
            q = qid()
            sender = f"{rnd.choice(users)}@good.lab.test"
            rhost, rip = rnd.choice(remote)
            rcpt = f"{rnd.choice(users)}@{rnd.choice(domains[2:])}"
            size = rnd.randint(500, 50000)
            w("pickup", 905, f"{q}: uid=1000 from=<{sender.split('@')[0]}>")
            w("cleanup", pid, f"{q}: message-id=<{q}@mx1.good.lab.test>")
            w("qmgr", 900, f"{q}: from=<{sender}>, size={size}, nrcpt=1 (queue active)")
            x = rnd.random()
            if x < 0.8:
                w("smtp", pid + 1, f"Untrusted TLS connection established to {rhost}[{rip}]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)")
                w("smtp", pid + 1, f"{q}: to=<{rcpt}>, relay={rhost}[{rip}]:25, delay=0.{rnd.randint(10, 99)}, delays=0.01/0.01/0.1/0.{rnd.randint(10, 60)}, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as {qid()})")
                w("qmgr", 900, f"{q}: removed")
            elif x < 0.93:
                w("smtp", pid + 1, "connect to mx-dropped.broken.lab.test[127.0.40.2]:25: Connection timed out")
                w("smtp", pid + 1, f"{q}: to=<user@broken.lab.test>, relay=none, delay=30, delays=0.01/0/30/0, dsn=4.4.1, status=deferred (connect to mx-dropped.broken.lab.test[127.0.40.2]:25: Connection timed out)")
            else:
                w("smtp", pid + 1, f"{q}: to=<{rcpt}>, relay={rhost}[{rip}]:25, delay=0.3, delays=0.01/0/0.1/0.19, dsn=5.1.1, status=bounced (host {rhost}[{rip}] said: 550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown (in reply to RCPT TO command))")
                b = qid()
                w("cleanup", pid, f"{b}: message-id=<{b}@mx1.good.lab.test>")
                w("bounce", pid + 2, f"{q}: sender non-delivery notification: {b}")
                w("qmgr", 900, f"{q}: removed")
        elif r < 0.90:  # rejected session
            w("smtpd", pid, f"connect from unknown[{ip}]")
            k = rnd.random()
            if k < 0.4:
                msg = f"554 5.7.1 <x@example.biz>: Relay access denied; from=<spam@example.biz> to=<x@example.biz> proto=ESMTP helo=<spam>"
            elif k < 0.75:
                msg = f"550 5.1.1 <nobody{rnd.randint(1, 999)}@good.lab.test>: Recipient address rejected: User unknown in virtual mailbox table; from=<spam@example.biz> to=<nobody@good.lab.test> proto=ESMTP helo=<spam>"
            else:
                msg = f"554 5.7.1 Service unavailable; Client host [{ip}] blocked using zen.example; from=<spam@example.biz> to=<user1@good.lab.test> proto=ESMTP helo=<spam>"
            act = "reject_warning" if rnd.random() < 0.05 else "reject"
            w("smtpd", pid, f"NOQUEUE: {act}: RCPT from unknown[{ip}]: {msg}")
            w("smtpd", pid, f"disconnect from unknown[{ip}] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4")
        elif r < 0.95:  # postscreen
            port = rnd.randint(1024, 65000)
            w("postscreen", 700, f"CONNECT from [{ip}]:{port} to [127.0.20.1]:25")
            w("postscreen", 700, rnd.choice([f"PASS OLD [{ip}]:{port}", f"PASS NEW [{ip}]:{port}", f"DNSBL rank 3 for [{ip}]:{port}", f"PREGREET 11 after 0.2 from [{ip}]:{port}: EHLO x\\r\\n"]))
            w("postscreen", 700, f"DISCONNECT [{ip}]:{port}")
        elif r < 0.99:  # SASL failures (brute force)
            bad = f"198.51.100.{rnd.randint(1, 20)}"
            w("submission/smtpd", pid, f"connect from unknown[{bad}]")
            for _ in range(rnd.randint(1, 4)):
                w("submission/smtpd", pid, f"warning: unknown[{bad}]: SASL LOGIN authentication failed: UGFzc3dvcmQ6")
            w("submission/smtpd", pid, f"disconnect from unknown[{bad}] ehlo=1 auth=0/1 quit=1 commands=2/3")
        else:
            w("anvil", 800, f"statistics: max connection rate 3/60s for (smtpd:{ip}) at {ts()}")
    out.close()
    print(written[0])


if __name__ == "__main__":
    main()
