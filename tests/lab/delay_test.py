#!/usr/bin/env python3
"""Lab test for scripts/lab.d/delay.sh + nfq-delay.py (NFQUEUE netem substitute).

Needs root (iptables, NFQUEUE). Stdlib only. Uses a private MXRAY_LAB_DIR, so the
lab_delay_off it calls only touches delayers this test started.
Prints "delay: N passed, N failed"; exit status 1 on any failure.
"""

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ADDR = "127.0.99.7"
HERE = os.path.dirname(os.path.abspath(__file__))
DELAY_SH = os.path.normpath(os.path.join(HERE, "..", "..", "scripts", "lab.d", "delay.sh"))
COMMENT = "mxray-lab-delay"

passed = 0
failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("  ok    %s %s" % (name, detail))
    else:
        failed += 1
        print("  FAIL  %s %s" % (name, detail))
    sys.stdout.flush()


def lab(env, *args):
    """Run a delay.sh function through bash; returns CompletedProcess."""
    script = 'source "$1" || exit 99; shift; "$@"'
    return subprocess.run(["bash", "-c", script, "bash", DELAY_SH] + list(args),
                          env=env, capture_output=True, text=True, timeout=60)


class Server:
    """Listener on ADDR: accepts connections, echoes whatever it receives."""

    def __init__(self, addr):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((addr, 0))
        self.sock.listen(256)
        self.port = self.sock.getsockname()[1]
        self.stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stop:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._echo, args=(c,), daemon=True).start()

    @staticmethod
    def _echo(c):
        try:
            c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            c.settimeout(30)
            while True:
                d = c.recv(65536)
                if not d:
                    break
                if d.startswith(b"SINK"):   # bulk mode: swallow, answer once at the end
                    total, tail = len(d), d[-3:]
                    while tail != b"END":
                        d = c.recv(1 << 20)
                        if not d:
                            return
                        total += len(d)
                        tail = (tail + d)[-3:]
                    c.sendall(b"%d\n" % total)
                    continue
                c.sendall(d)
        except OSError:
            pass
        finally:
            c.close()

    def close(self):
        self.stop = True
        self.sock.close()


def connect_time(port, timeout=3.0):
    """Seconds for one TCP connect to ADDR:port (timeout counts as `timeout`)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    t0 = time.perf_counter()
    try:
        s.connect((ADDR, port))
        return time.perf_counter() - t0
    except (socket.timeout, OSError):
        return timeout
    finally:
        s.close()


def median_connect_ms(port, n=20):
    return statistics.median(connect_time(port) * 1000 for _ in range(n))


def median_roundtrip_ms(port, n=10):
    s = socket.create_connection((ADDR, port), timeout=5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        s.sendall(b"x")           # warm up (first exchange)
        s.recv(16)
        ts = []
        for _ in range(n):
            t0 = time.perf_counter()
            s.sendall(b"ping")
            got = b""
            while len(got) < 4:
                d = s.recv(16)
                if not d:
                    raise OSError("server closed")
                got += d
            ts.append((time.perf_counter() - t0) * 1000)
        return statistics.median(ts)
    finally:
        s.close()


def bulk_seconds(port, nbytes):
    s = socket.create_connection((ADDR, port), timeout=30)
    try:
        t0 = time.perf_counter()
        s.sendall(b"SINK" + b"\0" * nbytes + b"END")
        ans = s.makefile("rb").readline()
        dt = time.perf_counter() - t0
        return dt, int(ans or 0)
    finally:
        s.close()


def rules_left():
    out = []
    for table in ("filter", "mangle"):
        r = subprocess.run(["iptables", "-w", "-t", table, "-S", "OUTPUT"],
                           capture_output=True, text=True)
        out += ["%s: %s" % (table, l) for l in r.stdout.splitlines() if COMMENT in l]
    return out


def main():
    if os.geteuid() != 0:
        print("delay: needs root (iptables, NFQUEUE)")
        print("delay: 0 passed, 1 failed")
        return 1
    labdir = tempfile.mkdtemp(prefix="mxray-lab-delaytest-")
    env = dict(os.environ, MXRAY_LAB_DIR=labdir)
    srv = None
    try:
        srv = Server(ADDR)
        port = srv.port

        base = median_connect_ms(port)
        check("baseline connect", base < 5, "median %.2f ms" % base)

        r = lab(env, "lab_delay", "10.1.2.3", "40")
        err = r.stderr.strip()
        check("refuses non-127/8 address", r.returncode != 0 and len(err.splitlines()) == 1
              and "127.0.0.0/8" in err, repr(err))

        r = lab(env, "lab_delay", ADDR, "40")
        check("lab_delay %s 40" % ADDR, r.returncode == 0, r.stderr.strip())
        if r.returncode == 0:
            m = median_connect_ms(port)
            check("connect RTT ~80 ms", abs(m - 80) <= 8, "median %.2f ms" % m)
            m = median_roundtrip_ms(port)
            check("data round trip ~80 ms", abs(m - 80) <= 8, "median %.2f ms" % m)
            # 20 connects in parallel must still each take ~80 ms (packets are not serialised)
            res = []
            ths = [threading.Thread(target=lambda: res.append(connect_time(port))) for _ in range(20)]
            t0 = time.perf_counter()
            for t in ths:
                t.start()
            for t in ths:
                t.join()
            wall = (time.perf_counter() - t0) * 1000
            check("20 parallel connects not serialised", wall < 300 and max(res) < 0.2,
                  "wall %.0f ms, slowest %.0f ms" % (wall, max(res) * 1000))
            dt, got = bulk_seconds(port, 8 << 20)
            check("bulk 8 MiB through 80 ms RTT", got == (8 << 20) + 7 and dt < 5,
                  "%.2f s, %.1f MiB/s" % (dt, 8 / dt))

        r = lab(env, "lab_delay", ADDR, "0", "0.1")
        check("lab_delay %s 0 0.1 (replaces)" % ADDR, r.returncode == 0, r.stderr.strip())
        if r.returncode == 0:
            ts = [connect_time(port, timeout=3.0) for _ in range(40)]
            slow = sum(1 for t in ts if t >= 1.0)
            fast = sum(1 for t in ts if t < 0.1)
            timeouts = sum(1 for t in ts if t >= 3.0)
            detail = "of 40: %d fast (<100 ms), %d slow (>=1 s, %d timed out at 3 s)" % (
                fast, slow, timeouts)
            check("10% loss gives SYN retransmits", slow >= 1, detail)
            check("10% loss: most connects fast", fast >= 24, detail)

        r = lab(env, "lab_delay_off")
        check("lab_delay_off", r.returncode == 0, r.stderr.strip())
        m = median_connect_ms(port)
        check("connect RTT back to normal", m < 5, "median %.2f ms" % m)
        left = rules_left()
        check("no %s rules left" % COMMENT, not left, "; ".join(left))
        run = os.path.join(labdir, "run")
        pids = [f for f in os.listdir(run) if f.endswith(".pid")] if os.path.isdir(run) else []
        check("no delayer pidfiles left", not pids, " ".join(pids))
        r = lab(env, "lab_delay_off")
        check("lab_delay_off again (nothing running)", r.returncode == 0, r.stderr.strip())
    except Exception as e:  # report, still clean up
        check("unexpected exception", False, repr(e))
    finally:
        try:
            lab(env, "lab_delay_off")
        except Exception as e:
            print("  cleanup: lab_delay_off failed: %r" % e)
        if srv:
            srv.close()
        shutil.rmtree(labdir, ignore_errors=True)
    print("delay: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
