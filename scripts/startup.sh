#!/usr/bin/env bash
# P7 (docs/BENCHMARKS.md): one start of nova-host, from exec to readiness UP; for hyperfine.
#
#   scripts/startup.sh JAR [JVM options...]
#   hyperfine -w 1 -r 10 'scripts/startup.sh target/nova-host-0.1.0-SNAPSHOT.jar'
#   hyperfine -w 1 -r 10 'scripts/startup.sh target/aot/nova-host-0.1.0-SNAPSHOT.jar -XX:AOTCache=target/aot/app.aot'
#
# Starts the jar on a free loopback port with a fresh data folder, polls /actuator/health/readiness
# every 10 ms, and as soon as it answers 200 (UP) kills the process (SIGKILL, so that no shutdown overlaps the
# next run) and exits; so the time hyperfine takes is start to readiness, to within one poll. It prints that
# time too ("ready in N ms, cpu M ms": from the JVM's launch, without this script's own set-up and clean-up,
# and the CPU time the JVM used to get there), which scripts/startup-ratio.sh reads. Any Spring Boot jar
# with the readiness probe on will do (the baseline in src/bench/baseline).
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 JAR [JVM options...]" >&2; exit 2; }
jar="$1"; shift
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
data_dir=$(mktemp -d /tmp/nova-startup.XXXXXX)
launched=$(date +%s%N)
"$java" "$@" -jar "$jar" --server.address=127.0.0.1 --server.port="$port" --nova.data-dir="$data_dir" \
    > "$data_dir/app.log" 2>&1 &
app=$!
trap 'kill -9 "$app" 2>/dev/null || true; wait "$app" 2>/dev/null || true; rm -rf "$data_dir"' EXIT
# Polls without starting a process each time: a curl every 10 ms took about 0.5 s of the 2 CPUs away
# from the JVM it was timing. One HTTP/1.0 GET over bash's /dev/tcp, as docker/healthcheck.sh does.
ready() {
    exec 3<>"/dev/tcp/127.0.0.1/$port" 2>/dev/null || return 1
    printf 'GET /actuator/health/readiness HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
    local _protocol status="" _reason
    read -r -t 2 _protocol status _reason <&3 || true
    exec 3<&-
    [ "$status" = "200" ]
}
until ready; do
    kill -0 "$app" 2>/dev/null || { cat "$data_dir/app.log" >&2; exit 1; }
    sleep 0.01
done
ready_at=$(date +%s%N)
# The JVM's CPU time (user + system, all its threads) to readiness: less moved by other load than wall time.
cpu_ms=$(awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' "/proc/$app/stat")
# A JVM that cannot use the AOT cache it was given (another class path, another JDK) says so and starts
# without it: that run would not measure what it claims to.
if grep -q '\[error *\]\[aot\]' "$data_dir/app.log"; then
    grep '\[aot\]' "$data_dir/app.log" >&2
    exit 1
fi
echo "ready in $(( (ready_at - launched) / 1000000 )) ms, cpu $cpu_ms ms"
