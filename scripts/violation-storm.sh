#!/usr/bin/env bash
# P9 (docs/BENCHMARKS.md): the violation storm of issue 13 (item 6) against a live nova-host, loopback only,
# bounded in rounds. Under fenced + forgetTimerCancel, each round binds nova-core, arms a 1 ms one-shot timer
# that touches BAR0 and unbinds: remove() forgets the timer (timer_free_active) and it fires into the freed
# driver data (timer_after_remove), two new violation groups a round. The service's retained heap (jcmd GC.run
# then GC.heap_info, the least of three reads) is read after the warm-up and after each batch.
#
#   scripts/violation-storm.sh --jar target/nova-host-0.1.0-SNAPSHOT.jar   # starts the jar on a free loopback port
#   scripts/violation-storm.sh --url http://127.0.0.1:8080 --pid 12345     # a running nova-host and its JVM's pid
#
# Options: --rounds N (20000), --warmup N (1000, then on until the 1000-group store is full, then 1000 more), --batches N (4).
set -euo pipefail

jar="" url="" pid="" rounds=20000 warmup=1000 batches=4
while [ $# -gt 0 ]; do
    case "$1" in
        --jar) jar="$2"; shift 2 ;;
        --url) url="$2"; shift 2 ;;
        --pid) pid="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        --warmup) warmup="$2"; shift 2 ;;
        --batches) batches="$2"; shift 2 ;;
        *) echo "usage: $0 (--jar JAR | --url http://127.0.0.1:PORT --pid PID) [--rounds 20000] [--warmup 1000] [--batches 4]" >&2; exit 2 ;;
    esac
done
jcmd="${JAVA_HOME:+$JAVA_HOME/bin/}jcmd"

app_pid="" work_dir=$(mktemp -d /tmp/nova-storm.XXXXXX)
cleanup() {
    if [ -n "$app_pid" ]; then kill "$app_pid" 2>/dev/null || true; wait "$app_pid" 2>/dev/null || true; fi
    rm -rf "$work_dir"
}
trap cleanup EXIT

if [ -n "$jar" ]; then
    java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    mkdir "$work_dir/data"
    # the per-client rate limit would answer most of one client's rounds with 429: it is off here
    "$java" -jar "$jar" --server.address=127.0.0.1 --server.port="$port" --nova.data-dir="$work_dir/data" \
        --nova.requests-per-second=0 > "$work_dir/app.log" 2>&1 &
    app_pid=$! pid=$!
    url="http://127.0.0.1:$port"
fi
[ -n "$url" ] && [ -n "$pid" ] || { echo "give --jar, or --url and --pid" >&2; exit 2; }
case "$url" in
    http://127.*|http://localhost:*|http://\[::1\]:*) ;;
    *) echo "refusing to storm $url: loopback only" >&2; exit 2 ;;
esac

for _ in $(seq 1 600); do
    curl -sf "$url/actuator/health/readiness" >/dev/null 2>&1 && break
    if [ -n "$app_pid" ] && ! kill -0 "$app_pid" 2>/dev/null; then cat "$work_dir/app.log" >&2; exit 1; fi
    sleep 0.1
done
curl -sf "$url/actuator/health/readiness" >/dev/null

json='Content-Type: application/json'
device=$(curl -sf -X POST -H "$json" -d '{"chipset":"GA102"}' "$url/api/v1/devices")
address=$(printf '%s' "$device" | sed -n 's/.*"address" *: *"\([0-9a-f:.]*\)".*/\1/p')
[ -n "$address" ] || { echo "could not create a device: $device" >&2; exit 1; }
curl -sf -X POST "$url/api/v1/modules/nova-core/load" >/dev/null || true # already loaded is fine
curl -sf -X PUT -H "$json" -d '{"policy":"fenced"}' "$url/api/v1/drivers/nova-core/policy" >/dev/null
curl -sf -X PUT -H "$json" -d '{"forgetTimerCancel":true}' "$url/api/v1/drivers/nova-core/faults" >/dev/null

# One curl process per batch, every request on its kept-alive connection; prints one status code a line.
storm() {
    local n="$1" config="$work_dir/rounds.curl"
    : > "$config"
    for _ in $(seq 1 "$n"); do
        printf 'url = "%s"\nrequest = "POST"\nheader = "%s"\ndata = "%s"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\nnext\n' \
            "$url/api/v1/drivers/nova-core/bind" "$json" "{\\\"device\\\":\\\"$address\\\"}" \
            "$url/api/v1/devices/$address/timers" "$json" '{\"mode\":\"oneshot\",\"delayNs\":1000000,\"action\":\"touch-bar\"}' \
            "$url/api/v1/drivers/nova-core/unbind" "$json" "{\\\"device\\\":\\\"$address\\\"}" >> "$config"
    done
    sed -i '$d' "$config" # no "next" after the last request
    curl -s --config "$config" >> "$work_dir/codes"
}

# Heap in use after a full collection, MiB: the least of three reads.
heap() {
    local least="" used
    for _ in 1 2 3; do
        "$jcmd" "$pid" GC.run >/dev/null
        used=$("$jcmd" "$pid" GC.heap_info | sed -n 's/.* used \([0-9]*\)K.*/\1/p' | head -1)
        if [ -z "$least" ] || [ "$used" -lt "$least" ]; then least=$used; fi
    done
    awk -v k="$least" 'BEGIN { printf "%.1f", k / 1024 }'
}

# Reports the full store counted and dropped (X-Nova-Violations-Dropped).
dropped() {
    local n
    n=$(curl -s -D - -o /dev/null "$url/api/v1/violations?limit=1" | tr -d '\r' \
        | awk -F': ' 'tolower($1) == "x-nova-violations-dropped" {print $2}')
    echo "${n:-0}"
}

echo "nova-host at $url (pid $pid), device $address; fenced + forgetTimerCancel; load: $(cut -d' ' -f1-3 /proc/loadavg)"
# Warm-up: at least --warmup rounds, then until the store is full (a timer that fired before its unbind made
# no report, which a loaded machine makes common), then 1000 more, in which the kernel log's ring (10,000
# lines, about 17 a round) turns over and stops sharing its lines with the kept groups' timelines: so that
# neither the store's own growth nor that of the timelines is counted as the storm's.
storm "$warmup"
for _ in $(seq 1 20); do
    [ "$(dropped)" -gt 0 ] && break
    storm 250
    warmup=$((warmup + 250))
done
storm 1000
warmup=$((warmup + 1000))
warm=$(heap)
echo "warm-up: $warmup rounds; retained heap $warm MiB; reports dropped so far $(dropped)"
start=$(date +%s.%N) most=""
for batch in $(seq 1 "$batches"); do
    storm $((rounds / batches))
    now=$(heap)
    over=$(awk -v a="$now" -v b="$warm" 'BEGIN { printf "%+.1f", a - b }')
    most=$(awk -v m="${most:--1e9}" -v o="$over" 'BEGIN { print (o > m ? o : m) }')
    echo "  + $((rounds / batches * batch)) rounds: $now MiB ($over MiB over warm-up); dropped $(dropped); load $(cut -d' ' -f1 /proc/loadavg)"
done
seconds=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.0f", e - s }')
failed=$(grep -c '^5' "$work_dir/codes" || true)
echo "P9 live: $rounds rounds past warm-up in $seconds s, $(wc -l < "$work_dir/codes") requests ($failed answered 5xx);" \
     "most retained over warm-up ${most} MiB (target <= 64 MiB: $(awk -v m="$most" 'BEGIN { print (m <= 64 ? "met" : "not met") }'))"
