#!/usr/bin/env python3
"""nfq-delay: hold packets from an NFQUEUE for a fixed delay, drop a fraction.

Userspace stand-in for `tc netem delay/loss` on kernels without sch_netem.
Speaks raw netlink (AF_NETLINK / NETLINK_NETFILTER, nfnetlink_queue); stdlib only.

    nfq-delay.py --queue N --delay-ms MS [--loss FRACTION] [--pidfile PATH]

Pair it with an iptables rule such as
    iptables -t mangle -I OUTPUT -d 127.0.99.7 -j NFQUEUE --queue-num N --queue-bypass
(--queue-bypass: while no process is bound to queue N, packets pass untouched).

Behaviour:
  * Every queued packet gets a release time (arrival + delay) in a heap; the
    main loop issues NF_ACCEPT verdicts as release times fall due, so packets
    are held concurrently and throughput is not serialised.
  * With probability FRACTION a packet gets NF_DROP on arrival.
  * Copy mode is copy-meta (no payload is copied to userspace); GSO packets are
    queued whole (NFQA_CFG_F_GSO) and the queue fails open when full.
  * At most --max-held packets are held (the kernel queue length is set to the
    same); beyond that, packets are accepted at once and counted as overflow.
  * The pidfile is written only once the queue is bound and configured, so its
    appearance means "ready". SIGTERM/SIGINT: every held packet is accepted,
    the queue is unbound, the pidfile removed, exit 0.
  * Unexpected netlink messages are counted and ignored.

Exit codes: 0 clean exit, 2 usage, 3 queue busy (bound by another socket: EPERM),
4 other netlink setup failure (e.g. nfnetlink_queue missing: EPROTONOSUPPORT
or EINVAL on bind).
"""

import argparse
import errno
import heapq
import os
import random
import select
import signal
import socket
import struct
import sys
import time

# --- netlink / nfnetlink_queue constants (linux/netlink.h, linux/netfilter/nfnetlink_queue.h)
NETLINK_NETFILTER = 12
SOL_NETLINK = 270
NETLINK_NO_ENOBUFS = 5
SO_RCVBUFFORCE = 33

NLMSG_NOOP, NLMSG_ERROR, NLMSG_DONE, NLMSG_OVERRUN = 1, 2, 3, 4
NLM_F_REQUEST, NLM_F_ACK = 0x1, 0x4

NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET, NFQNL_MSG_VERDICT, NFQNL_MSG_CONFIG = 0, 1, 2

NFQA_CFG_CMD, NFQA_CFG_PARAMS, NFQA_CFG_QUEUE_MAXLEN, NFQA_CFG_MASK, NFQA_CFG_FLAGS = 1, 2, 3, 4, 5
NFQNL_CFG_CMD_BIND, NFQNL_CFG_CMD_UNBIND = 1, 2
NFQNL_CFG_CMD_PF_BIND, NFQNL_CFG_CMD_PF_UNBIND = 3, 4
NFQNL_COPY_META = 1
NFQA_CFG_F_FAIL_OPEN, NFQA_CFG_F_GSO = 0x1, 0x4

NFQA_PACKET_HDR, NFQA_VERDICT_HDR = 1, 2
NLA_TYPE_MASK = 0x3FFF

NF_DROP, NF_ACCEPT = 0, 1

NLMSG_HDR = struct.Struct("=IHHII")      # len, type, flags, seq, portid (host order)
NFGENMSG = struct.Struct("!BBH")         # family, version, res_id (big endian)
NLATTR = struct.Struct("=HH")            # len, type (host order)


def log(msg):
    sys.stderr.write("nfq-delay[%d]: %s\n" % (os.getpid(), msg))
    sys.stderr.flush()


def nla(atype, payload):
    hdr = NLATTR.pack(NLATTR.size + len(payload), atype)
    pad = b"\0" * ((4 - len(payload) % 4) % 4)
    return hdr + payload + pad


def nfq_msg(msg, queue, attrs, flags=NLM_F_REQUEST, seq=0, family=socket.AF_UNSPEC):
    body = NFGENMSG.pack(family, 0, queue) + b"".join(attrs)
    mtype = (NFNL_SUBSYS_QUEUE << 8) | msg
    return NLMSG_HDR.pack(NLMSG_HDR.size + len(body), mtype, flags, seq, 0) + body


def iter_msgs(data):
    """Yield (type, flags, seq, payload) for each netlink message in a datagram."""
    off = 0
    while off + NLMSG_HDR.size <= len(data):
        mlen, mtype, mflags, mseq, _pid = NLMSG_HDR.unpack_from(data, off)
        if mlen < NLMSG_HDR.size or off + mlen > len(data):
            return  # truncated / garbage: stop parsing this datagram
        yield mtype, mflags, mseq, data[off + NLMSG_HDR.size: off + mlen]
        off += (mlen + 3) & ~3


def iter_attrs(buf, off):
    while off + NLATTR.size <= len(buf):
        alen, atype = NLATTR.unpack_from(buf, off)
        if alen < NLATTR.size or off + alen > len(buf):
            return
        yield atype & NLA_TYPE_MASK, buf[off + NLATTR.size: off + alen]
        off += (alen + 3) & ~3


class SetupError(Exception):
    def __init__(self, what, err):
        super().__init__("%s: %s" % (what, os.strerror(err) if err else "no answer"))
        self.err = err


class Delayer:
    def __init__(self, queue, delay_s, loss, max_held):
        self.queue = queue
        self.delay = delay_s
        self.loss = loss
        self.max_held = max_held
        self.held = []           # heap of (release_time, seq, packet_id)
        self.seq = 0
        self.out = []            # pending verdict messages, sent in one datagram
        self.stats = dict(packets=0, accepted=0, dropped=0, overflow=0, odd=0, errors=0, enobufs=0)
        self.nlseq = 1000
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
        for opt, val in ((SO_RCVBUFFORCE, 8 << 20), (socket.SO_RCVBUF, 8 << 20)):
            try:
                self.sock.setsockopt(socket.SOL_SOCKET, opt, val)
                break
            except OSError:
                pass
        try:
            self.sock.setsockopt(SOL_NETLINK, NETLINK_NO_ENOBUFS, 1)
        except OSError:
            pass
        self.sock.bind((0, 0))

    # --- configuration (synchronous, acked)
    def request(self, what, msg_attrs, family=socket.AF_UNSPEC, queue=None, fatal=True):
        self.nlseq += 1
        seq = self.nlseq
        q = self.queue if queue is None else queue
        self.sock.send(nfq_msg(NFQNL_MSG_CONFIG, q, msg_attrs, NLM_F_REQUEST | NLM_F_ACK, seq, family))
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            r, _, _ = select.select([self.sock], [], [], max(0.0, deadline - time.monotonic()))
            if not r:
                break
            data = self.sock.recv(65536)
            for mtype, _f, mseq, payload in iter_msgs(data):
                if mtype == NLMSG_ERROR and mseq == seq and len(payload) >= 4:
                    err = -struct.unpack_from("=i", payload, 0)[0]
                    if err and fatal:
                        raise SetupError(what, err)
                    return err
                # anything else (e.g. an early packet) is ignored during setup
        if fatal:
            raise SetupError(what, 0)
        return -1

    def cmd(self, command, pf=socket.AF_UNSPEC):
        return nla(NFQA_CFG_CMD, struct.pack("!BxH", command, pf))

    def setup(self):
        # PF (un)bind is a no-op on kernels >= 3.8 but harmless; errors ignored.
        self.request("pf unbind", [self.cmd(NFQNL_CFG_CMD_PF_UNBIND, socket.AF_INET)],
                     socket.AF_INET, queue=0, fatal=False)
        self.request("pf bind", [self.cmd(NFQNL_CFG_CMD_PF_BIND, socket.AF_INET)],
                     socket.AF_INET, queue=0, fatal=False)
        self.request("bind queue %d" % self.queue, [self.cmd(NFQNL_CFG_CMD_BIND)])
        self.request("copy mode", [nla(NFQA_CFG_PARAMS, struct.pack("!IB", 0, NFQNL_COPY_META))])
        self.request("queue maxlen", [nla(NFQA_CFG_QUEUE_MAXLEN, struct.pack("!I", self.max_held))],
                     fatal=False)
        flags = NFQA_CFG_F_FAIL_OPEN | NFQA_CFG_F_GSO
        err = self.request("flags", [nla(NFQA_CFG_FLAGS, struct.pack("!I", flags)),
                                     nla(NFQA_CFG_MASK, struct.pack("!I", flags))], fatal=False)
        if err:
            log("queue flags (fail-open, gso) not accepted: %s" % os.strerror(abs(err)))

    def unbind(self):
        try:
            self.request("unbind", [self.cmd(NFQNL_CFG_CMD_UNBIND)], fatal=False)
        except OSError:
            pass

    # --- verdicts
    def verdict(self, pkt_id, verdict):
        attr = nla(NFQA_VERDICT_HDR, struct.pack("!II", verdict, pkt_id))
        self.out.append(nfq_msg(NFQNL_MSG_VERDICT, self.queue, [attr]))
        if verdict == NF_ACCEPT:
            self.stats["accepted"] += 1
        else:
            self.stats["dropped"] += 1

    def flush(self):
        # Several netlink messages per datagram; keep datagrams well under 64 KiB.
        while self.out:
            chunk, self.out = self.out[:1024], self.out[1024:]
            try:
                self.sock.send(b"".join(chunk))
            except OSError as e:
                self.stats["errors"] += 1
                if self.stats["errors"] <= 10:
                    log("verdict send failed: %s" % e)

    # --- packets
    def on_packet(self, payload, now):
        pkt_id = None
        for atype, val in iter_attrs(payload, NFGENMSG.size):
            if atype == NFQA_PACKET_HDR and len(val) >= 4:
                pkt_id = struct.unpack_from("!I", val, 0)[0]
                break
        if pkt_id is None:
            self.stats["odd"] += 1
            return
        self.stats["packets"] += 1
        if self.loss > 0 and random.random() < self.loss:
            self.verdict(pkt_id, NF_DROP)
        elif self.delay <= 0:
            self.verdict(pkt_id, NF_ACCEPT)
        elif len(self.held) >= self.max_held:
            self.stats["overflow"] += 1
            self.verdict(pkt_id, NF_ACCEPT)
        else:
            self.seq += 1
            heapq.heappush(self.held, (now + self.delay, self.seq, pkt_id))

    def on_datagram(self, data, now):
        for mtype, _flags, _seq, payload in iter_msgs(data):
            try:
                if mtype == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
                    self.on_packet(payload, now)
                elif mtype == NLMSG_ERROR:
                    err = -struct.unpack_from("=i", payload, 0)[0] if len(payload) >= 4 else 0
                    if err:  # e.g. ENOENT for a verdict on a packet the kernel already let go
                        self.stats["errors"] += 1
                        if self.stats["errors"] <= 10:
                            log("netlink error: %s" % os.strerror(err))
                elif mtype in (NLMSG_NOOP, NLMSG_DONE, NLMSG_OVERRUN):
                    pass
                else:
                    self.stats["odd"] += 1
            except Exception as e:  # never die on a malformed message
                self.stats["odd"] += 1
                if self.stats["odd"] <= 10:
                    log("ignored odd message type %#x: %r" % (mtype, e))

    def release_due(self, now):
        held = self.held
        while held and held[0][0] <= now:
            self.verdict(heapq.heappop(held)[2], NF_ACCEPT)

    def run(self, stop_fd, stopping):
        self.sock.setblocking(False)
        rlist = [self.sock, stop_fd]
        while not stopping():
            now = time.monotonic()
            self.release_due(now)
            self.flush()
            timeout = max(0.0, self.held[0][0] - now) if self.held else None
            try:
                r, _, _ = select.select(rlist, [], [], timeout)
            except InterruptedError:
                continue
            if stop_fd in r:
                try:
                    os.read(stop_fd, 512)
                except OSError:
                    pass
            if self.sock in r:
                # drain everything that is readable now, stamping arrival times
                for _ in range(4096):
                    try:
                        data = self.sock.recv(1 << 16)
                    except BlockingIOError:
                        break
                    except OSError as e:
                        if e.errno == errno.ENOBUFS:
                            self.stats["enobufs"] += 1
                            continue
                        raise
                    self.on_datagram(data, time.monotonic())
        # shutting down: let every held packet go now
        while self.held:
            self.verdict(heapq.heappop(self.held)[2], NF_ACCEPT)
        self.flush()


def main(argv=None):
    ap = argparse.ArgumentParser(description="NFQUEUE delay/loss consumer (netem substitute)")
    ap.add_argument("--queue", type=int, required=True, help="NFQUEUE number (0-65535)")
    ap.add_argument("--delay-ms", type=float, required=True, help="delay per packet, ms")
    ap.add_argument("--loss", type=float, default=0.0, help="fraction of packets to drop (0..1)")
    ap.add_argument("--pidfile", help="written once the queue is bound; removed on exit")
    ap.add_argument("--max-held", type=int, default=8192, help="max packets held at once")
    a = ap.parse_args(argv)
    if not 0 <= a.queue <= 65535 or a.delay_ms < 0 or not 0.0 <= a.loss <= 1.0 or a.max_held < 1:
        ap.error("queue 0-65535, delay-ms >= 0, loss 0..1, max-held >= 1")

    stop = []
    rfd, wfd = os.pipe()
    os.set_blocking(wfd, False)
    signal.set_wakeup_fd(wfd)

    def on_signal(signum, _frame):
        stop.append(signum)

    for s in (signal.SIGTERM, signal.SIGINT):
        signal.signal(s, on_signal)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)

    try:
        d = Delayer(a.queue, a.delay_ms / 1000.0, a.loss, a.max_held)
        d.setup()
    except SetupError as e:
        log("setup failed: %s" % e)
        # another netlink socket owns the queue: the kernel answers EPERM (EBUSY on some)
        busy = str(e).startswith("bind queue") and e.err in (errno.EPERM, errno.EBUSY)
        return 3 if busy else 4
    except OSError as e:
        log("netlink socket failed: %s" % e)
        return 4

    if a.pidfile:
        tmp = "%s.%d.tmp" % (a.pidfile, os.getpid())
        with open(tmp, "w") as f:
            f.write("%d\n" % os.getpid())
        os.replace(tmp, a.pidfile)
    log("queue %d bound: delay %.1f ms, loss %.3f" % (a.queue, a.delay_ms, a.loss))

    rc = 0
    try:
        d.run(rfd, lambda: bool(stop))
    except Exception as e:  # last resort: release what we hold, then report
        log("fatal: %r" % e)
        try:
            while d.held:
                d.verdict(heapq.heappop(d.held)[2], NF_ACCEPT)
            d.flush()
        except Exception:
            pass
        rc = 1
    d.unbind()
    if a.pidfile:
        try:
            with open(a.pidfile) as f:
                if f.read().strip() == str(os.getpid()):
                    os.unlink(a.pidfile)
        except OSError:
            pass
    log("exit: " + ", ".join("%s=%d" % kv for kv in d.stats.items()))
    return rc


if __name__ == "__main__":
    sys.exit(main())
