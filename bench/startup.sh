#!/usr/bin/env bash
# Start-up time: from launching the jar to the first answered /_ping on its socket, without and
# with the AppCDS archive the Dockerfile makes (docker/cds-archive.sh), in the same run.
# Usage: bench/startup.sh [RUNS]   (needs target/udsgate.jar: mvn -q -DskipTests package; curl)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
jar=target/udsgate.jar
[ -f "$jar" ] || { echo "bench/startup.sh: $jar is missing; run: mvn -q -DskipTests package" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
echo "jar: $(du -h "$jar" | cut -f1) ($(stat -c %s "$jar") bytes), java: $(java -version 2>&1 | head -1)"
docker/cds-archive.sh "$jar" "$dir/udsgate.jsa" >/dev/null

# first_ping NAME [java options]: milliseconds from launch to the first answered /_ping.
first_ping() {
  local name=$1 sock="$dir/$1.sock" start end pid
  shift
  start=$(date +%s%N)
  java "$@" -jar "$jar" serve --socket "$sock" >"$dir/$name.log" 2>&1 &
  pid=$!
  until curl -sf --unix-socket "$sock" -o /dev/null http://localhost/_ping 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { cat "$dir/$name.log" >&2; exit 1; }
    sleep 0.005
  done
  end=$(date +%s%N)
  kill -TERM "$pid"
  wait "$pid" || true
  echo $(((end - start) / 1000000))
}

printf '%-6s %12s %12s\n' "run" "plain ms" "AppCDS ms"
for i in $(seq "$runs"); do
  printf '%-6s %12s %12s\n' "$i" "$(first_ping "p$i")" "$(first_ping "c$i" -XX:SharedArchiveFile="$dir/udsgate.jsa")"
done
