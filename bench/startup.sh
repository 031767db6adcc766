#!/usr/bin/env bash
# Start-up time: from launching the jar to the first answered /_ping on its socket.
# Usage: bench/startup.sh [RUNS]   (needs target/udsgate.jar: mvn -q -DskipTests package)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
jar=target/udsgate.jar
[ -f "$jar" ] || { echo "bench/startup.sh: $jar is missing; run: mvn -q -DskipTests package" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
echo "jar: $(du -h "$jar" | cut -f1) ($(stat -c %s "$jar") bytes), java: $(java -version 2>&1 | head -1)"
for i in $(seq "$runs"); do
  sock="$dir/s$i.sock"
  start=$(date +%s%N)
  java -jar "$jar" serve --socket "$sock" >"$dir/log$i" 2>&1 &
  pid=$!
  until curl -sf --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { cat "$dir/log$i" >&2; exit 1; }
    sleep 0.005
  done
  end=$(date +%s%N)
  echo "run $i: first /_ping answered after $(( (end - start) / 1000000 )) ms"
  kill -TERM "$pid"; wait "$pid" || true
done
