#!/bin/sh
# Benchmark: mxray logs vs pflogsumm on the same generated Postfix log, in one run.
# Prints lines/s, MB/s, wall time and peak RSS (from /usr/bin/time -v) of each, and the ratio.
#   benchmarks/logs/run.sh                # 2,000,000 lines, builds mxray in release mode
#   LINES=5000000 MXRAY=/path/to/mxray benchmarks/logs/run.sh
# Needs: python3, pflogsumm, /usr/bin/time (Debian package `time`).
set -eu
cd "$(dirname "$0")/../.."
LINES=${LINES:-2000000}
WORK=${WORK:-/tmp/mxray-bench}
mkdir -p "$WORK"
LOG="$WORK/mail.log"
if [ ! -f "$LOG" ] || [ "$(wc -l < "$LOG")" -lt "$LINES" ]; then
    python3 benchmarks/logs/generate.py --lines "$LINES" --out "$LOG" >/dev/null
fi
if [ -z "${MXRAY:-}" ]; then
    swift build -c release --scratch-path .build-logs-release --product mxray >/dev/null 2>&1
    MXRAY=.build-logs-release/release/mxray
    MXRAY_ARGS="logs"
fi
MXRAY_ARGS=${MXRAY_ARGS-logs}
# Warm the page cache so both read from memory.
cat "$LOG" > /dev/null
/usr/bin/time -v "$MXRAY" $MXRAY_ARGS --format json "$LOG" > "$WORK/mxray.json" 2> "$WORK/mxray.time"
/usr/bin/time -v pflogsumm "$LOG" > "$WORK/pflogsumm.txt" 2> "$WORK/pflogsumm.time"
python3 benchmarks/logs/report.py "$LOG" "$WORK"
