#!/usr/bin/env bash
# Makes an AppCDS archive for udsgate: starts the jar once with -XX:ArchiveClassesAtExit, lets it
# answer the requests a start and a health check make, stops it with SIGTERM, and leaves the
# classes it loaded in ARCHIVE. A later `java -XX:SharedArchiveFile=ARCHIVE -jar JAR` maps them
# instead of loading and verifying them again: about 1.6 s to 1.1 s to the first /_ping here
# (bench/startup.sh prints both). The archive belongs to the JVM that made it: make it with the
# java the image runs. The Dockerfile runs exactly this.
#
# Usage: docker/cds-archive.sh JAR ARCHIVE   (needs curl; JAVA=/path/to/java to choose the JVM)
set -euo pipefail
java=${JAVA:-java}
jar=$1
archive=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sock="$work/udsgate.sock"

"$java" -XX:ArchiveClassesAtExit="$archive" -jar "$jar" serve --socket "$sock" >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 600); do
  curl -sf --unix-socket "$sock" -o /dev/null http://localhost/_ping && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/log" >&2; exit 1; }
  sleep 0.05
done
for path in /_ping /v1/version /v1/info /v1/socket /v1/connections/self /v1/routes /v1/upstreams; do
  curl -sf --unix-socket "$sock" -o /dev/null "http://localhost$path"
done
kill -TERM "$pid"
wait "$pid"
[ -s "$archive" ] || { echo "cds-archive.sh: no archive was written" >&2; cat "$work/log" >&2; exit 1; }
echo "cds-archive.sh: $archive ($(du -h "$archive" | cut -f1))"
