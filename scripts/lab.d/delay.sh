# shellcheck shell=bash
# Added latency / loss for lab addresses (tc netem substitute). Source this file.
#
#   lab_delay ADDR MS [LOSS]   delay every packet to and from ADDR by MS ms (RTT ≈ 2×MS),
#                              drop a fraction LOSS (0..1) of them (each direction).
#                              Calling it again for ADDR replaces ADDR's setting.
#   lab_delay_off              stop every delayer, remove every rule added here.
#                              Safe when nothing runs.
#
# How: one NFQUEUE per address, consumed by nfq-delay.py (raw netlink, stdlib only).
# Two rules per address in the *mangle* table's OUTPUT chain (on loopback every packet in
# both directions passes OUTPUT):
#   -d ADDR/32 -m comment --comment mxray-lab-delay -j NFQUEUE --queue-num Q --queue-bypass
#   -s ADDR/32 …same…
# mangle OUTPUT runs before filter OUTPUT, and an NF_ACCEPT verdict from the queue only ends
# the mangle chain, so fault rules other scripts put in filter OUTPUT (DROP, REJECT) still
# apply to delayed packets. A packet is delayed at most once (first matching rule), so between
# two delayed addresses A and B each packet gets A's or B's delay, not both.
# --queue-bypass: if a delayer dies, its packets pass undelayed instead of being black-holed.
# All IP protocols are delayed (TCP, UDP, ICMP).
#
# State in "$MXRAY_LAB_DIR/run" (default /tmp/mxray-lab/run):
#   delay-ADDR.pid / .queue / .log   per delayer
#   delay-rules                      one line per rule added: "ADDR TABLE CHAIN rule-args…"
#   delays                           one line per active delay: "ADDR=MSms[,loss=L]"
# Safe under `set -euo pipefail` (scripts/lab sources lab.d/*.sh with it). The delayer is
# disowned, so a bare `wait` in the caller does not block on it.
#
# Environment: MXRAY_LAB_DIR, MXRAY_PYTHON (default python3),
#   MXRAY_LAB_DELAY_QUEUE_BASE (first queue number tried, default 2700).

_lab_delay_dir() { printf '%s/run' "${MXRAY_LAB_DIR:-/tmp/mxray-lab}"; }
_lab_delay_py() {
    printf '%s/nfq-delay.py' "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
}
_lab_delay_comment=mxray-lab-delay

_lab_delay_err() { printf 'lab_delay: %s\n' "$*" >&2; }

# _lab_delay_valid_addr ADDR: dotted quad inside 127.0.0.0/8
_lab_delay_valid_addr() {
    local a=$1 o
    [[ $a =~ ^127\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$ ]] || return 1
    for o in "${BASH_REMATCH[@]:1}"; do
        ((10#$o <= 255)) || return 1
    done
}

# _lab_delay_stop ADDR: remove ADDR's rules (exactly those recorded), then stop its delayer.
_lab_delay_stop() {
    local addr=$1 dir rules line raddr table chain rc=0
    dir=$(_lab_delay_dir)
    rules=$dir/delay-rules
    if [[ -f $rules ]]; then
        local keep=()
        while IFS= read -r line; do
            [[ -n $line ]] || continue
            read -r raddr table chain _ <<<"$line"
            if [[ -z $addr || $raddr == "$addr" ]]; then
                local -a args
                read -r -a args <<<"$line"
                # args: ADDR TABLE CHAIN rule…
                if iptables -w -t "$table" -C "$chain" "${args[@]:3}" 2>/dev/null; then
                    iptables -w -t "$table" -D "$chain" "${args[@]:3}" || {
                        rc=1; keep+=("$line"); continue
                    }
                fi
            else
                keep+=("$line")
            fi
        done <"$rules"
        if ((${#keep[@]})); then
            printf '%s\n' "${keep[@]}" >"$rules.tmp" && mv -f "$rules.tmp" "$rules"
        else
            rm -f "$rules"
        fi
    fi
    # run/delays: one "ADDR=MSms[,loss=L]" line per active delay (shown by `scripts/lab status`)
    if [[ -f $dir/delays ]]; then
        if [[ -n $addr ]]; then
            grep -v "^$addr=" "$dir/delays" >"$dir/delays.tmp" || true
            mv -f "$dir/delays.tmp" "$dir/delays"
        fi
        [[ -n $addr && -s $dir/delays ]] || rm -f "$dir/delays"
    fi
    # Rules are gone, so no new packets reach the queue; the delayer accepts
    # what it still holds on SIGTERM before it unbinds.
    local pidf pid i
    for pidf in "$dir"/delay-*.pid; do
        [[ -f $pidf ]] || continue
        if [[ -n $addr && $pidf != "$dir/delay-$addr.pid" ]]; then continue; fi
        pid=$(<"$pidf")
        if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
            grep -qs nfq-delay "/proc/$pid/cmdline"; then
            kill -TERM "$pid" 2>/dev/null
            for ((i = 0; i < 50; i++)); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
            done
            if kill -0 "$pid" 2>/dev/null; then
                _lab_delay_err "delayer $pid did not stop on SIGTERM, killing it"
                kill -KILL "$pid" 2>/dev/null
            fi
        fi
        rm -f "$pidf" "${pidf%.pid}.queue"
    done
    return $rc
}

lab_delay() {
    if (($# < 2 || $# > 3)); then
        _lab_delay_err "usage: lab_delay ADDR MS [LOSS]"
        return 2
    fi
    local addr=$1 ms=$2 loss=${3:-0}
    if ! _lab_delay_valid_addr "$addr"; then
        _lab_delay_err "refusing '$addr': only addresses in 127.0.0.0/8 may be delayed"
        return 2
    fi
    if ! [[ $ms =~ ^[0-9]+(\.[0-9]+)?$ ]] || (( 10#${ms%%.*} > 60000 )); then
        _lab_delay_err "refusing delay '$ms': want milliseconds, 0-60000"
        return 2
    fi
    if ! [[ $loss =~ ^(0(\.[0-9]+)?|1(\.0+)?|\.[0-9]+)$ ]]; then
        _lab_delay_err "refusing loss '$loss': want a fraction 0..1"
        return 2
    fi
    local dir py python
    dir=$(_lab_delay_dir)
    py=$(_lab_delay_py)
    python=${MXRAY_PYTHON:-python3}
    mkdir -p "$dir" || return 1

    # Replace any earlier setting for this address.
    _lab_delay_stop "$addr" || return 1

    local pidf=$dir/delay-$addr.pid logf=$dir/delay-$addr.log q used f i rc= launcher=
    # Pick a queue number not used by our other delayers; skip numbers another
    # process holds (the delayer exits 3 when the kernel says EPERM/EBUSY).
    q=${MXRAY_LAB_DELAY_QUEUE_BASE:-2700}
    local tries
    for ((tries = 0; tries < 32; tries++, q++)); do
        used=
        for f in "$dir"/delay-*.queue; do
            [[ -f $f && $(<"$f") == "$q" ]] && used=1
        done
        [[ -n $used ]] && continue
        rm -f "$pidf"
        setsid -w "$python" "$py" --queue "$q" --delay-ms "$ms" --loss "$loss" \
            --pidfile "$pidf" </dev/null >>"$logf" 2>&1 &
        launcher=$!
        rc=
        for ((i = 0; i < 100; i++)); do
            [[ -s $pidf ]] && { rc=0; break; }
            if ! kill -0 "$launcher" 2>/dev/null; then
                rc=0   # setsid -w passes the delayer's exit status on
                wait "$launcher" 2>/dev/null || rc=$?
                ((rc == 0)) && rc=4   # exited cleanly without ever becoming ready
                break
            fi
            sleep 0.05
        done
        [[ -z $rc ]] && rc=5
        ((rc == 3)) && continue     # queue busy: try the next number
        break
    done
    if [[ $rc != 0 ]]; then
        _lab_delay_err "delayer for $addr failed to start (rc=$rc): $(tail -n 1 "$logf" 2>/dev/null)"
        [[ -s $pidf ]] && kill -TERM "$(<"$pidf")" 2>/dev/null
        rm -f "$pidf"
        return 1
    fi
    # Not a job of the caller: a bare `wait` in the lab script must not block on it.
    disown "$launcher" 2>/dev/null
    printf '%s\n' "$q" >"$dir/delay-$addr.queue"

    local sel rule
    for sel in -d -s; do
        rule="$addr mangle OUTPUT $sel $addr/32 -m comment --comment $_lab_delay_comment -j NFQUEUE --queue-num $q --queue-bypass"
        local -a args
        read -r -a args <<<"$rule"
        if ! iptables -w -t mangle -I OUTPUT "${args[@]:3}"; then
            _lab_delay_err "iptables refused the $sel rule for $addr"
            _lab_delay_stop "$addr"
            return 1
        fi
        printf '%s\n' "$rule" >>"$dir/delay-rules"
    done
    if [[ $loss =~ ^[0.]+$ ]]; then
        printf '%s=%sms\n' "$addr" "$ms" >>"$dir/delays"
    else
        printf '%s=%sms,loss=%s\n' "$addr" "$ms" "$loss" >>"$dir/delays"
    fi
    return 0
}

lab_delay_off() {
    _lab_delay_stop ""
}
