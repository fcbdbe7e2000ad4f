#!/usr/bin/env bash
# Soak test: many clients of mixed traffic against one running nova-host on loopback, for a fixed time.
# Passes when no request failed (no HTTP status >= 400, no socket error), nothing the sanitizer calls
# "occurred" was recorded, and the heap after a full GC ends where it started (docs/RELIABILITY.md).
#
#   scripts/soak.sh [--clients N] [--duration SECONDS] [--port PORT] [--devices N] [--jar PATH]
#
# Defaults: 64 clients, 60 s, port 18080, 4 GPUs. Without --jar it builds one (./mvnw package, tests
# skipped). Needs a JDK 25 (JAVA_HOME), wrk and curl; installs wrk with apt-get when missing and root.
# Traffic goes to 127.0.0.1 only; the service is stopped (SIGTERM) when the script ends.
set -euo pipefail
cd "$(dirname "$0")/.."

clients=64
duration=60
port=18080
devices=4
jar=""
heap_growth_limit_mb=16   # after-GC heap may end at most this much above the warmed-up baseline
while [ $# -gt 0 ]; do
    case "$1" in
        --clients) clients="$2"; shift 2 ;;
        --duration) duration="$2"; shift 2 ;;
        --port) port="$2"; shift 2 ;;
        --devices) devices="$2"; shift 2 ;;
        --jar) jar="$2"; shift 2 ;;
        *) echo "unknown option $1 (see the comment at the top of $0)" >&2; exit 2 ;;
    esac
done

JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
if [ ! -x "$JAVA_HOME/bin/java" ]; then
    echo "soak.sh needs a JDK 25: set JAVA_HOME" >&2
    exit 1
fi
export JAVA_HOME
if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
    else
        echo "soak.sh needs wrk (apt-get install wrk)" >&2
        exit 1
    fi
fi

if [ -z "$jar" ]; then
    ./mvnw -B -q -ntp -DskipTests package
    jar=$(ls target/nova-host-*.jar | grep -v original | head -1)
fi

base="http://127.0.0.1:$port"
work=$(mktemp -d /tmp/nova-soak.XXXXXX)
"$JAVA_HOME/bin/java" -Xmx512m -jar "$jar" --server.address=127.0.0.1 --server.port="$port" \
    --nova.requests-per-second=0 --nova.data-dir="$work/data" >"$work/service.log" 2>&1 &
pid=$!
stop() {
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
trap stop EXIT

for _ in $(seq 1 120); do
    if curl -fsS "$base/actuator/health/readiness" >/dev/null 2>&1; then
        break
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "nova-host did not start; its log:" >&2
        cat "$work/service.log" >&2
        exit 1
    fi
    sleep 0.5
done
curl -fsS "$base/actuator/health/readiness" >/dev/null

# a host to work on: nova-core loaded, GPUs plugged (and so bound)
api() { curl -fsS -X "$1" "$base/api/v1$2" -H 'content-type: application/json' ${3:+-d "$3"}; }
api POST /host/reset >/dev/null
api POST /modules/nova-core/load >/dev/null
addresses=""
for _ in $(seq 1 "$devices"); do
    address=$(api POST /devices '{"chipset":"GA102"}' | sed -n 's/.*"address":"\([^"]*\)".*/\1/p')
    addresses="$addresses $address"
done
export SOAK_DEVICES="$addresses"

# the JVM itself, should $! be a shell around it
if ! "$JAVA_HOME/bin/jcmd" "$pid" VM.version >/dev/null 2>&1; then
    pid=$(pgrep -P "$pid" -x java || echo "$pid")
fi

# used heap after a full GC, in KiB (G1: "garbage-first heap   total reserved ..K, committed ..K, used ..K")
heap_after_gc() {
    "$JAVA_HOME/bin/jcmd" "$pid" GC.run >/dev/null
    local used
    used=$("$JAVA_HOME/bin/jcmd" "$pid" GC.heap_info | sed -n 's/.*heap .* used \([0-9]*\)K.*/\1/p' | head -1)
    if [ -z "$used" ]; then
        echo "could not read the heap of pid $pid with jcmd" >&2
        exit 1
    fi
    echo "$used"
}
load() {
    wrk --threads 2 --connections "$clients" --duration "$1s" --timeout 10s --latency --script scripts/soak.lua \
        "$base" 2>&1
}

echo "warming up (10 s), then ${clients} clients for ${duration} s against $base (devices:$addresses)"
load 10 >"$work/warmup.txt"
before=$(heap_after_gc)
samples="$before"
load "$duration" >"$work/wrk.txt" &
wrk_pid=$!
step=$((duration / 4))
for _ in 1 2 3; do
    sleep "$step"
    samples="$samples $(heap_after_gc)"
done
wait "$wrk_pid"
after=$(heap_after_gc)
samples="$samples $after"

occurred=$(curl -fsS "$base/api/v1/violations?outcome=occurred")
errors_logged=$(grep -c ' ERROR ' "$work/service.log" || true)
result=$(grep '^SOAK' "$work/wrk.txt" || true)
cat "$work/wrk.txt"
echo "heap used after full GC (KiB): before $before, during/after: $samples"
echo "violations that occurred: $occurred; ERROR lines in the service log: $errors_logged"

failed=0
if [ -z "$result" ]; then
    echo "FAIL: wrk printed no summary" >&2
    failed=1
else
    http_errors=$(sed -n 's/.*http_errors=\([0-9]*\).*/\1/p' <<<"$result")
    socket_errors=$(sed -n 's/.*socket_errors=\([0-9]*\).*/\1/p' <<<"$result")
    if [ "$http_errors" != 0 ] || [ "$socket_errors" != 0 ]; then
        echo "FAIL: $http_errors HTTP errors, $socket_errors socket errors" >&2
        failed=1
    fi
fi
if [ "$occurred" != "[]" ] || [ "$errors_logged" != 0 ]; then
    echo "FAIL: the service recorded violations or logged errors (log: $work/service.log)" >&2
    failed=1
fi
if [ $((after - before)) -gt $((heap_growth_limit_mb * 1024)) ]; then
    echo "FAIL: heap after GC grew by $(((after - before) / 1024)) MiB over the run" >&2
    failed=1
fi
if [ "$failed" = 0 ]; then
    echo "PASS: $result heap_before_kib=$before heap_after_kib=$after"
    rm -rf "$work"
fi
exit "$failed"
