#!/usr/bin/env bash
# P7 and P7b (docs/BENCHMARKS.md): nova-host's start to readiness as a ratio against the baseline's
# (src/bench/baseline), both measured in the same run, in turn: A B A B ... for N pairs.
#
#   scripts/startup-ratio.sh [--pairs 5] [--image] NOVA_JAR BASELINE_JAR
#
# Both start the same way, through scripts/startup.sh: `java -jar`, a free loopback port, a fresh data
# folder, readiness polled every 10 ms. With --image (P7b) nova-host starts the way docker/Dockerfile
# starts it: the jar extracted into its layers (one folder, application.jar beside lib/), a JDK AOT cache
# trained as the Dockerfile trains it, and the image's java options; the baseline still starts plainly.
# The cache and the extracted jar are made once, in target/p7b/ next to NOVA_JAR.
# Prints each pair's wall and CPU times to readiness and their ratios (nova-host / baseline), the
# medians, and the load average. Under load the CPU ratio is the steadier of the two.
set -euo pipefail
pairs=5 image=false
while [ $# -gt 0 ]; do
    case "$1" in
        --pairs) pairs="$2"; shift 2 ;;
        --image) image=true; shift ;;
        -*) echo "usage: $0 [--pairs 5] [--image] NOVA_JAR BASELINE_JAR" >&2; exit 2 ;;
        *) break ;;
    esac
done
[ $# -eq 2 ] || { echo "usage: $0 [--pairs 5] [--image] NOVA_JAR BASELINE_JAR" >&2; exit 2; }
nova_jar=$(realpath "$1") baseline_jar=$(realpath "$2")
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
startup="$(dirname "$0")/startup.sh"
nova=("$nova_jar")
if $image; then
    # As docker/Dockerfile: extract --layers, the four layers copied into one folder, a training run that
    # exits at refresh, then -XX:AOTCache with -Dspring.aot.enabled=true. The cache records the class
    # path, so it is trained and used with the same absolute path.
    work="$(dirname "$nova_jar")/p7b"
    if [ ! -f "$work/app.aot" ] || [ "$nova_jar" -nt "$work/app.aot" ]; then
        rm -rf "$work" && mkdir -p "$work/app"
        cp "$nova_jar" "$work/application.jar"
        "$java" -Djarmode=tools -jar "$work/application.jar" extract --layers --destination "$work/extracted"
        for layer in dependencies spring-boot-loader snapshot-dependencies application; do
            cp -r "$work/extracted/$layer/." "$work/app/"
        done
        training=$(mktemp -d /tmp/nova-aot-training.XXXXXX)
        NOVA_DATA_DIR="$training" "$java" -XX:AOTCacheOutput="$work/app.aot" -Dspring.aot.enabled=true \
            -Dspring.context.exit=onRefresh -jar "$work/app/application.jar" > "$work/training.log" 2>&1
        rm -rf "$training"
    fi
    nova=("$work/app/application.jar" -XX:AOTCache="$work/app.aot" -Dspring.aot.enabled=true -XX:MaxRAMPercentage=75)
fi

# One start; prints its milliseconds to readiness and the JVM's CPU milliseconds to get there.
# startup.sh's stderr (a refused connection per poll before the port opens, the log of a start that
# failed) goes to a file, shown if the start failed.
errors=$(mktemp /tmp/startup-ratio.XXXXXX)
trap 'rm -f "$errors"' EXIT
start_ms() {
    local ms
    ms=$("$startup" "$@" 2>"$errors" | awk '/^ready in/ {print $3, $6}')
    [ -n "$ms" ] || { grep -v 'Connection refused' "$errors" >&2; echo "start failed: $*" >&2; return 1; }
    echo "$ms"
}

echo "A: ${nova[*]}"
echo "B: $baseline_jar"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
start_ms "${nova[@]}" >/dev/null        # one warm-up each: page cache, JIT-less first reads of the jars
start_ms "$baseline_jar" >/dev/null
results=""
for pair in $(seq 1 "$pairs"); do
    read -r a a_cpu < <(start_ms "${nova[@]}")
    read -r b b_cpu < <(start_ms "$baseline_jar")
    [ -n "${a:-}" ] && [ -n "${b:-}" ] || exit 1
    results+="$a $b $a_cpu $b_cpu"$'\n'
    awk -v pair="$pair" -v a="$a" -v b="$b" -v ac="$a_cpu" -v bc="$b_cpu" -v load="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {
        printf "pair %d: nova-host %5d ms (cpu %5d ms)   baseline %5d ms (cpu %5d ms)   ratio %.2f (cpu %.2f)   load %s\n",
            pair, a, ac, b, bc, a / b, ac / bc, load }'
done
printf '%s' "$results" | python3 -c '
import statistics, sys
rows = [tuple(map(int, line.split())) for line in sys.stdin if line.strip()]
med = lambda xs: statistics.median(list(xs))
ratios = [r[0] / r[1] for r in rows]
print("median: nova-host %d ms (cpu %d ms), baseline %d ms (cpu %d ms), ratio %.2f (pairs %.2f-%.2f), cpu ratio %.2f" % (
    med(r[0] for r in rows), med(r[2] for r in rows), med(r[1] for r in rows), med(r[3] for r in rows),
    med(ratios), min(ratios), max(ratios), med(r[2] / r[3] for r in rows)))'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
