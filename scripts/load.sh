#!/usr/bin/env bash
# P5 (docs/BENCHMARKS.md): HTTP load with wrk against loopback only, bounded in time.
#
#   scripts/load.sh --jar target/nova-host-0.1.0-SNAPSHOT.jar   # starts the jar on a free loopback port
#   scripts/load.sh --url http://127.0.0.1:8080                  # uses a running nova-host
#
# Creates a GA102 and loads nova-core, warms up, then runs wrk (64 connections, 2 threads by default)
# against GET /api/v1/devices/{a}/mmio/0x9400 and against trivial GETs of the same app, alternating, and
# prints requests/s, p50/p99 latency and non-2xx counts for each run.
set -euo pipefail

jar="" url="" duration="${DURATION:-20s}" warmup="${WARMUP:-5s}" connections=64 threads=2 rounds=2
while [ $# -gt 0 ]; do
    case "$1" in
        --jar) jar="$2"; shift 2 ;;
        --url) url="$2"; shift 2 ;;
        --duration) duration="$2"; shift 2 ;;
        --connections) connections="$2"; shift 2 ;;
        --threads) threads="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        *) echo "usage: $0 (--jar JAR | --url http://127.0.0.1:PORT) [--duration 20s] [--connections 64] [--threads 2] [--rounds 2]" >&2; exit 2 ;;
    esac
done
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

app_pid=""
data_dir=""
cleanup() {
    if [ -n "$app_pid" ]; then kill "$app_pid" 2>/dev/null || true; wait "$app_pid" 2>/dev/null || true; fi
    if [ -n "$data_dir" ]; then rm -rf "$data_dir"; fi
}
trap cleanup EXIT

if [ -n "$jar" ]; then
    java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    data_dir=$(mktemp -d /tmp/nova-load.XXXXXX)
    # The per-client rate limit (nova.requests-per-second) would answer most of one client's load with
    # 429: this measures the endpoints, so it is off here (a running host given with --url keeps its own).
    "$java" -jar "$jar" --server.address=127.0.0.1 --server.port="$port" --nova.data-dir="$data_dir" \
        --nova.requests-per-second=0 > "$data_dir/app.log" 2>&1 &
    app_pid=$!
    url="http://127.0.0.1:$port"
fi
case "$url" in
    http://127.*|http://localhost:*|http://\[::1\]:*) ;;
    *) echo "refusing to load $url: loopback only" >&2; exit 2 ;;
esac

for _ in $(seq 1 600); do
    curl -sf "$url/actuator/health/readiness" >/dev/null 2>&1 && break
    if [ -n "$app_pid" ] && ! kill -0 "$app_pid" 2>/dev/null; then cat "$data_dir/app.log" >&2; exit 1; fi
    sleep 0.1
done
curl -sf "$url/actuator/health/readiness" >/dev/null

device=$(curl -sf -X POST -H 'Content-Type: application/json' -d '{"chipset":"GA102"}' "$url/api/v1/devices")
address=$(printf '%s' "$device" | sed -n 's/.*"address" *: *"\([0-9a-f:.]*\)".*/\1/p')
[ -n "$address" ] || { echo "could not create a device: $device" >&2; exit 1; }
curl -sf -X POST "$url/api/v1/modules/nova-core/load" >/dev/null || true # already loaded is fine
curl -sf "$url/api/v1/devices/$address/mmio/0x9400" >/dev/null \
    || { echo "MMIO read failed on $address: is nova-core bound?" >&2; exit 1; }

mmio="$url/api/v1/devices/$address/mmio/0x9400"
trivial="$url/actuator/health/liveness"
host="$url/api/v1/host"

# One wrk run; prints: name  req/s  p50  p99  non-2xx/3xx  socket-errors
run() {
    local name="$1" target="$2" out
    out=$(wrk -t"$threads" -c"$connections" -d"$duration" --latency "$target")
    printf '%-10s %10s req/s   p50 %8s   p99 %8s   non-2xx/3xx %s   socket errors %s\n' "$name" \
        "$(printf '%s\n' "$out" | awk '/Requests\/sec/ {print $2}')" \
        "$(printf '%s\n' "$out" | awk '$1 == "50%" {print $2}')" \
        "$(printf '%s\n' "$out" | awk '$1 == "99%" {print $2}')" \
        "$(printf '%s\n' "$out" | awk '/Non-2xx/ {print $5}' | grep . || echo 0)" \
        "$(printf '%s\n' "$out" | awk -F'Socket errors: ' '/Socket errors/ {print $2}' | grep . || echo none)"
}

echo "nova-host at $url, device $address; wrk -t$threads -c$connections -d$duration, warm-up $warmup per endpoint"
for target in "$trivial" "$host" "$mmio"; do
    wrk -t"$threads" -c"$connections" -d"$warmup" "$target" >/dev/null
done
for round in $(seq 1 "$rounds"); do
    run liveness "$trivial"
    run host "$host"
    run mmio "$mmio"
done
