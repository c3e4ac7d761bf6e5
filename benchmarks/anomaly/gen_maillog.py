#!/usr/bin/env python3
"""Seeded synthetic Postfix + Dovecot syslog (RFC 3339 timestamps, as rsyslog writes them) with
injected incidents, and the ground truth beside it.

usage: gen_maillog.py --seed N --days D --out mail.log --truth truth.json [--incidents K] [--only KIND]

Background: inbound SMTP with a daily cycle (about 3 connections a minute at night, 15 at the
busiest hour), local delivery over LMTP, outbound mail from submission to remote relays, spam
rejected by an RBL, greylisting deferrals that succeed on retry, the odd mistyped password and a
phone that keeps retrying a stale one. Not incidents, but there to tempt a detector: the load
drifts up and down by up to a third over hours, and each weekday a newsletter sends 150-300
messages within ten minutes (with its share of greylisting deferrals). Incidents (ground truth = [start, end) in minutes):
  brute-force       one address guessing passwords (SMTP AUTH and IMAP), 6-40 attempts a minute
  connection-flood  6-12 times the normal connection rate, connections dropped after CONNECT
  relay-outage      the outbound relay times out: every delivery and retry is deferred, the queue grows
  dns-failure       the resolver fails: deliveries deferred "Host or domain name not found",
                    senders rejected 450 4.1.8 "Domain not found"
"""
import argparse, json, math, random

KINDS = ["brute-force", "connection-flood", "relay-outage", "dns-failure"]
START = 1_793_491_200  # 2026-11-01T00:00:00Z; days 5 and 6 of each week are quiet (a weekend)


def iso(t):
    # RFC 3339 with microseconds, UTC offset, as rsyslog's RSYSLOG_FileFormat writes.
    s = int(t)
    us = int(round((t - s) * 1e6))
    if us >= 1_000_000:
        s, us = s + 1, us - 1_000_000
    days, rem = divmod(s, 86400)
    y, m, d = civil(days)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%06d+00:00" % (y, m, d, rem // 3600, rem // 60 % 60, rem % 60, us)


def civil(z):
    z += 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return (y + 1 if m <= 2 else y), m, d


class Gen:
    def __init__(self, seed, days, n_incidents, only):
        self.r = random.Random(seed)
        self.days = days
        self.lines = []  # (time, text)
        self.qn = 0
        self.pid = 1000
        self.deferred = []  # [next_try, qid, rcpt, relay, tries, first]
        self.incidents = self.schedule(n_incidents, only)

    def schedule(self, n, only):
        r = self.r
        out = []
        total = self.days * 1440
        tries = 0
        while len(out) < n and tries < 10000:
            tries += 1
            kind = only or r.choice(KINDS)
            dur = {"brute-force": r.randint(8, 45), "connection-flood": r.randint(5, 20),
                   "relay-outage": r.randint(30, 120), "dns-failure": r.randint(15, 60)}[kind]
            start = r.randint(120, total - dur - 90)
            # Keep incidents apart (3 h) so each episode is scored on its own.
            if any(abs(start - o["startMinute"]) < 180 for o in out):
                continue
            out.append({"kind": kind, "startMinute": start, "endMinute": start + dur})
        return sorted(out, key=lambda o: o["startMinute"])

    def active(self, minute, kind):
        return next((i for i in self.incidents if i["kind"] == kind and i["startMinute"] <= minute < i["endMinute"]), None)

    def qid(self):
        self.qn += 1
        return "%010X" % (0x4A00000000 + self.qn * 7919)

    def emit(self, t, prog, text):
        self.pid = self.pid % 30000 + 1
        self.lines.append((t, "%s mx1 %s[%d]: %s" % (iso(t), prog, self.pid, text)))

    def ip(self, net="198.51.100"):
        return "%s.%d" % (net, self.r.randint(2, 254))

    def inbound(self, t, dns_fail):
        r = self.r
        ip = self.ip("192.0.2") if r.random() < 0.7 else self.ip("203.0.113")
        host = "mail%d.example.net" % r.randint(1, 400)
        self.emit(t, "postfix/smtpd", "connect from %s[%s]" % (host, ip))
        t += r.uniform(0.05, 0.4)
        if ip.startswith("203.0.113") and r.random() < 0.6:
            self.emit(t, "postfix/smtpd", "NOQUEUE: reject: RCPT from unknown[%s]: 554 5.7.1 Service unavailable; Client host [%s] blocked using zen.spamhaus.org; from=<x@spam.example> to=<bob@good.lab.test> proto=ESMTP helo=<spam>" % (ip, ip))
            self.emit(t + 0.2, "postfix/smtpd", "disconnect from unknown[%s] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4" % ip)
            return
        sender_dom = "sender%d.example.org" % r.randint(1, 300)
        if dns_fail and r.random() < 0.7:
            self.emit(t, "postfix/smtpd", "NOQUEUE: reject: RCPT from %s[%s]: 450 4.1.8 <ann@%s>: Sender address rejected: Domain not found; from=<ann@%s> to=<bob@good.lab.test> proto=ESMTP helo=<%s>" % (host, ip, sender_dom, sender_dom, host))
            self.emit(t + 0.2, "postfix/smtpd", "disconnect from %s[%s] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4" % (host, ip))
            return
        q = self.qid()
        self.emit(t, "postfix/smtpd", "%s: client=%s[%s]" % (q, host, ip))
        self.emit(t + 0.1, "postfix/cleanup", "%s: message-id=<%d@%s>" % (q, self.qn, sender_dom))
        self.emit(t + 0.15, "postfix/qmgr", "%s: from=<ann@%s>, size=%d, nrcpt=1 (queue active)" % (q, sender_dom, r.randint(900, 90000)))
        self.emit(t + 0.3, "postfix/smtpd", "disconnect from %s[%s] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5" % (host, ip))
        self.emit(t + 0.4, "postfix/lmtp", "%s: to=<bob@good.lab.test>, relay=mx1.good.lab.test[private/dovecot-lmtp], delay=0.4, delays=0.1/0.01/0.1/0.2, dsn=2.0.0, status=sent (250 2.0.0 <bob@good.lab.test> Saved)" % q)
        self.emit(t + 0.45, "postfix/qmgr", "%s: removed" % q)

    def attempt(self, t, q, rcpt, relay, outage, dns_fail, first):
        """One outbound delivery attempt; returns True when delivered."""
        dom = rcpt.split("@")[1]
        if outage:
            self.emit(t, "postfix/smtp", "connect to %s[%s]:25: Connection timed out" % (relay[0], relay[1]))
            self.emit(t + 0.01, "postfix/smtp", "%s: to=<%s>, relay=none, delay=%d, delays=0.1/0/30/0, dsn=4.4.1, status=deferred (connect to %s[%s]:25: Connection timed out)" % (q, rcpt, int(t - first) + 30, relay[0], relay[1]))
            return False
        if dns_fail:
            self.emit(t, "postfix/smtp", "%s: to=<%s>, relay=none, delay=%d, delays=0.1/0/0/0, dsn=4.4.3, status=deferred (Host or domain name not found. Name service error for name=%s type=MX: Host not found, try again)" % (q, rcpt, int(t - first) + 1, dom))
            return False
        if first == t and self.r.random() < 0.03:
            self.emit(t, "postfix/smtp", "%s: to=<%s>, relay=%s[%s]:25, delay=1.1, delays=0.1/0/0.5/0.5, dsn=4.7.1, status=deferred (host %s[%s] said: 450 4.7.1 Greylisted, try again later (in reply to RCPT TO command))" % (q, rcpt, relay[0], relay[1], relay[0], relay[1]))
            return False
        self.emit(t, "postfix/smtp", "%s: to=<%s>, relay=%s[%s]:25, delay=%.1f, delays=0.1/0/0.3/0.4, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as %s)" % (q, rcpt, relay[0], relay[1], t - first + 0.8, self.qid()))
        self.emit(t + 0.01, "postfix/qmgr", "%s: removed" % q)
        return True

    def outbound(self, t, minute):
        r = self.r
        q = self.qid()
        user = r.choice(["alice", "carol", "dave", "erin"])
        ip = "192.0.2.%d" % r.randint(100, 120)
        self.emit(t, "postfix/submission/smtpd", "connect from client%d.good.lab.test[%s]" % (r.randint(1, 40), ip))
        self.emit(t + 0.2, "postfix/submission/smtpd", "%s: client=client.good.lab.test[%s], sasl_method=PLAIN, sasl_username=%s" % (q, ip, user))
        self.emit(t + 0.3, "postfix/qmgr", "%s: from=<%s@good.lab.test>, size=%d, nrcpt=1 (queue active)" % (q, user, r.randint(900, 200000)))
        rcpt = "user%d@remote%d.example" % (r.randint(1, 50), r.randint(1, 60))
        relay = ("relay.isp.example", "198.51.100.25")
        ok = self.attempt(t + 0.5, q, rcpt, relay, self.active(minute, "relay-outage"), self.active(minute, "dns-failure"), t)
        if not ok:
            self.deferred.append([t + 300, q, rcpt, relay, 1, t])

    def retries(self, t0, minute):
        due = [d for d in self.deferred if d[0] < t0 + 60]
        self.deferred = [d for d in self.deferred if d[0] >= t0 + 60]
        for d in due:
            t = max(d[0], t0) + self.r.uniform(0, 1)
            ok = self.attempt(t, d[1], d[2], d[3], self.active(minute, "relay-outage"), self.active(minute, "dns-failure"), d[5])
            if not ok:
                d[4] += 1
                d[0] = t + min(300 * 2 ** (d[4] - 1), 4000)   # Postfix backoff: minimal → maximal_backoff_time
                self.deferred.append(d)

    def run(self):
        r = self.r
        phone_until = -1
        drift = 1.0
        newsletter = {}
        for minute in range(self.days * 1440):
            t0 = START + minute * 60
            hour = (minute % 1440) / 60.0
            day = (minute // 1440) % 7
            cycle = 0.5 - 0.5 * math.cos(2 * math.pi * (hour - 3) / 24)   # lowest at 03:00, highest at 15:00
            weekend = 0.5 if day >= 5 else 1.0
            drift = min(1.33, max(0.75, drift * math.exp(r.gauss(0, 0.02))))
            rate_in = (3 + 12 * cycle) * weekend * drift
            rate_out = (0.3 + 3 * cycle) * weekend * drift
            if day < 5 and minute % 1440 == 0:
                newsletter = {"start": minute + r.randint(9 * 60, 16 * 60), "n": r.randint(150, 300)}
            if newsletter and newsletter["start"] <= minute < newsletter["start"] + 10:
                rate_out += newsletter["n"] / 10.0
            dns_fail = self.active(minute, "dns-failure")
            for _ in range(poisson(r, rate_in)):
                self.inbound(t0 + r.uniform(0, 59), dns_fail)
            for _ in range(poisson(r, rate_out)):
                self.outbound(t0 + r.uniform(0, 58), minute)
            self.retries(t0, minute)
            # Mistyped passwords, and now and then a phone retrying a stale one every couple of minutes.
            if r.random() < 0.04:
                self.emit(t0 + r.uniform(0, 59), "dovecot", "imap-login: Disconnected (auth failed, 1 attempts in 4 secs): user=<carol>, method=PLAIN, rip=192.0.2.%d, lip=127.0.20.1, TLS, session=<x%d>" % (r.randint(100, 120), minute))
            if phone_until < minute and r.random() < 1 / 1440:
                phone_until = minute + r.randint(60, 240)
            if minute < phone_until and minute % 2 == 0:
                self.emit(t0 + 5, "dovecot", "imap-login: Disconnected (auth failed, 2 attempts in 12 secs): user=<dave>, method=PLAIN, rip=192.0.2.111, lip=127.0.20.1, TLS, session=<p%d>" % minute)
            bf = self.active(minute, "brute-force")
            if bf:
                attacker = bf.setdefault("address", self.ip("203.0.113"))
                for _ in range(r.randint(6, 40)):
                    t = t0 + r.uniform(0, 59)
                    if r.random() < 0.5:
                        self.emit(t, "postfix/submission/smtpd", "warning: unknown[%s]: SASL LOGIN authentication failed: UGFzc3dvcmQ6" % attacker)
                    else:
                        self.emit(t, "dovecot", "imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<admin>, method=PLAIN, rip=%s, lip=127.0.20.1, session=<b%d>" % (attacker, r.randint(0, 10**9)))
            fl = self.active(minute, "connection-flood")
            if fl:
                src = fl.setdefault("net", "203.0.113")
                for _ in range(poisson(r, rate_in * r.uniform(6, 12))):
                    t = t0 + r.uniform(0, 59)
                    ip = self.ip(src)
                    self.emit(t, "postfix/smtpd", "connect from unknown[%s]" % ip)
                    self.emit(t + 0.5, "postfix/smtpd", "lost connection after CONNECT from unknown[%s]" % ip)
                    self.emit(t + 0.5, "postfix/smtpd", "disconnect from unknown[%s] commands=0/0" % ip)
        self.lines.sort(key=lambda x: x[0])
        return self.lines


def poisson(r, lam):
    # Knuth's method is fine for the small rates here.
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, int(round(r.gauss(lam, math.sqrt(lam)))))
    L, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= r.random()
        if p <= L:
            return k
        k += 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--incidents", type=int, default=None)
    ap.add_argument("--only", choices=KINDS)
    ap.add_argument("--out", required=True)
    ap.add_argument("--truth", required=True)
    a = ap.parse_args()
    g = Gen(a.seed, a.days, a.incidents if a.incidents is not None else 2 * a.days, a.only)
    lines = g.run()
    with open(a.out, "w") as f:
        f.write("\n".join(l for _, l in lines) + "\n")
    truth = {"seed": a.seed, "days": a.days, "start": iso(START), "lines": len(lines),
             "incidents": [dict(i, start=iso(START + i["startMinute"] * 60), end=iso(START + i["endMinute"] * 60)) for i in g.incidents]}
    with open(a.truth, "w") as f:
        json.dump(truth, f, indent=1)


if __name__ == "__main__":
    main()
