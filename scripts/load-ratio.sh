#!/usr/bin/env bash
# P5 (docs/BENCHMARKS.md): nova-host's GET of a register as a ratio against the baseline's GET
# (src/bench/baseline), with wrk on loopback only, bounded in time, alternating A B A B ... for N pairs.
#
#   scripts/load-ratio.sh [--pairs 3] [--duration 10s] [--warmup 10s] [--connections 64] [--threads 2] NOVA_JAR BASELINE_JAR
#
# Starts both jars with `java -jar` on free loopback ports with fresh data folders (nova-host without its
# per-client rate limit, as scripts/load.sh does), creates a GA102 with nova-core bound, warms both up, then
# runs wrk against GET /api/v1/devices/{a}/mmio/0x9400 (A) and the baseline's GET /api/v1/value (B) in turn.
# Both JVMs stay up for the whole run; the one not under load is idle. Prints per pair both sides'
# requests/s, p99 and server CPU per request, the ratios (nova-host / baseline), their medians, and the
# load average.
set -euo pipefail
pairs=3 duration=10s warmup=10s connections=64 threads=2
usage="usage: $0 [--pairs 3] [--duration 10s] [--warmup 10s] [--connections 64] [--threads 2] NOVA_JAR BASELINE_JAR"
while [ $# -gt 0 ]; do
    case "$1" in
        --pairs) pairs="$2"; shift 2 ;;
        --duration) duration="$2"; shift 2 ;;
        --warmup) warmup="$2"; shift 2 ;;
        --connections) connections="$2"; shift 2 ;;
        --threads) threads="$2"; shift 2 ;;
        -*) echo "$usage" >&2; exit 2 ;;
        *) break ;;
    esac
done
[ $# -eq 2 ] || { echo "$usage" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

pids=() dirs=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    for dir in "${dirs[@]}"; do rm -rf "$dir"; done
}
trap cleanup EXIT

# Starts JAR [args...] on a free loopback port; sets url to its base URL once readiness answers 200.
# (Not in a command substitution: that subshell would keep pids and dirs to itself.)
url=""
serve() {
    local jar="$1" port dir pid; shift
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    dir=$(mktemp -d /tmp/nova-load-ratio.XXXXXX)
    "$java" -jar "$jar" --server.address=127.0.0.1 --server.port="$port" --nova.data-dir="$dir" "$@" \
        > "$dir/app.log" 2>&1 &
    pid=$!
    pids+=("$pid") dirs+=("$dir")
    for _ in $(seq 1 600); do
        url="http://127.0.0.1:$port"
        curl -sf "$url/actuator/health/readiness" >/dev/null 2>&1 && return
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    cat "$dir/app.log" >&2; echo "$jar did not become ready" >&2; return 1
}
serve "$1" --nova.requests-per-second=0; nova_url="$url"
serve "$2"; baseline_url="$url"

device=$(curl -sf -X POST -H 'Content-Type: application/json' -d '{"chipset":"GA102"}' "$nova_url/api/v1/devices")
address=$(printf '%s' "$device" | sed -n 's/.*"address" *: *"\([0-9a-f:.]*\)".*/\1/p')
[ -n "$address" ] || { echo "could not create a device: $device" >&2; exit 1; }
curl -sf -X POST "$nova_url/api/v1/modules/nova-core/load" >/dev/null || true # already loaded is fine
a="$nova_url/api/v1/devices/$address/mmio/0x9400"
b="$baseline_url/api/v1/value"
curl -sf "$a" >/dev/null || { echo "MMIO read failed on $address: is nova-core bound?" >&2; exit 1; }
curl -sf "$b" >/dev/null

# The CPU milliseconds (user + system) a process has used so far.
cpu_ms() {
    awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' "/proc/$1/stat"
}
# One wrk run against URL served by PID; prints: requests/s  p99 in ms  non-2xx/3xx  server CPU µs per request.
# The server's CPU per request is what the two stacks cost, less moved by what else runs than req/s.
run() {
    local before out
    before=$(cpu_ms "$2")
    out=$(wrk -t"$threads" -c"$connections" -d"$duration" --latency "$1")
    printf '%s\n' "$out" | awk -v cpu="$(( $(cpu_ms "$2") - before ))" '
        /^ *[0-9]+ requests in/ { requests = $1 }
        /Requests\/sec/ { rps = $2 }
        $1 == "99%" { v = $2; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
                      p99 = v * (unit == "us" ? 0.001 : unit == "s" ? 1000 : unit == "m" ? 60000 : 1) }
        /Non-2xx/ { bad = $5 }
        END { printf "%s %.2f %d %.1f\n", rps, p99, bad, cpu * 1000 / requests }'
}

echo "A: nova-host GET $a"
echo "B: baseline GET $b"
echo "wrk -t$threads -c$connections -d$duration --latency, warm-up $warmup each; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
wrk -t"$threads" -c"$connections" -d"$warmup" "$a" >/dev/null
wrk -t"$threads" -c"$connections" -d"$warmup" "$b" >/dev/null
results=""
for pair in $(seq 1 "$pairs"); do
    read -r a_rps a_p99 a_bad a_cpu < <(run "$a" "${pids[0]}")
    read -r b_rps b_p99 b_bad b_cpu < <(run "$b" "${pids[1]}")
    results+="$a_rps $a_p99 $b_rps $b_p99 $a_cpu $b_cpu"$'\n'
    awk -v pair="$pair" -v ar="$a_rps" -v ap="$a_p99" -v ab="$a_bad" -v ac="$a_cpu" -v br="$b_rps" -v bp="$b_p99" -v bb="$b_bad" -v bc="$b_cpu" \
        -v load="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {
        printf "pair %d: nova-host %6.0f req/s p99 %6.2f ms %5.1f us cpu/req (non-2xx %d)   baseline %6.0f req/s p99 %6.2f ms %5.1f us cpu/req (non-2xx %d)   throughput %.2fx  p99 %.2fx  cpu/req %.2fx   load %s\n",
            pair, ar, ap, ac, ab, br, bp, bc, bb, ar / br, ap / bp, ac / bc, load }'
done
printf '%s' "$results" | python3 -c '
import statistics, sys
rows = [tuple(map(float, line.split())) for line in sys.stdin if line.strip()]
med = lambda xs: statistics.median(list(xs))
print("median: nova-host %.0f req/s p99 %.2f ms %.1f us cpu/req, baseline %.0f req/s p99 %.2f ms %.1f us cpu/req; throughput %.2fx, p99 %.2fx, cpu/req %.2fx" % (
    med(r[0] for r in rows), med(r[1] for r in rows), med(r[4] for r in rows),
    med(r[2] for r in rows), med(r[3] for r in rows), med(r[5] for r in rows),
    med(r[0] / r[2] for r in rows), med(r[1] / r[3] for r in rows), med(r[4] / r[5] for r in rows)))'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
