#!/usr/bin/env bash
# Runs one JMH benchmark against two builds in turn (A B A B ...), each side in its own JVM, so that a
# figure can be given as a ratio against a baseline measured in the same run.
#
#   scripts/ab-bench.sh BASELINE_DIR CANDIDATE_DIR ROUNDS BENCHMARK [JMH ARGUMENTS...]
#
# Each directory is a checkout built for benchmarks:
#   ./mvnw -q test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
# e.g. a second worktree of the commit to compare with: git worktree add --detach ../before <commit>
# With AB_JSON_DIR set, each run also writes JMH's JSON there (ROUND-baseline.json, ROUND-candidate.json), whose
# raw iterations give medians: under load a mean is pulled by the few iterations another process slowed.
set -euo pipefail
if [ $# -lt 4 ]; then
  sed -n '2,11p' "$0" >&2
  exit 2
fi
baseline=$1 candidate=$2 rounds=$3 bench=$4
shift 4
for round in $(seq 1 "$rounds"); do
  for side in baseline candidate; do
    dir=$baseline
    [ "$side" = candidate ] && dir=$candidate
    cp="$dir/target/test-classes:$dir/target/classes:$(cat "$dir/target/bench.classpath")"
    echo "== round $round $side ($dir)"
    json=()
    [ -n "${AB_JSON_DIR:-}" ] && json=(-rf json -rff "$(realpath "$AB_JSON_DIR")/$round-$side.json")
    (cd "$dir" && java -Xmx1g -cp "$cp" org.openjdk.jmh.Main "$bench" "$@" "${json[@]}" 2>&1 | grep -E '^[A-Za-z]+Bench\.')
  done
done
