#!/usr/bin/env bash
# The gateway's cost in the number of routes: udsgate with one route next to udsgate with a generated
# table of ROUTES routes (mixed host and path-prefix routes, Unix-socket and loopback TCP upstreams),
# the same measured route in both, in the same run. Prints, for each: the time from launch to the
# first answered /_ping, threads, resident memory, requests per second through the measured route
# (h2load, keep-alive), and the median latency of PUT /v1/routes/{name}; then the ratios.
#
# Usage: bench/routes.sh [ROUTES] [REQUESTS] [CONNECTIONS]
# Needs: target/udsgate.jar (mvn -q -DskipTests package), h2load (Debian nghttp2-client), nginx, curl.
# As root, missing tools are installed with apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
routes=${1:-10000}
requests=${2:-100000}
connections=${3:-50}
puts=41
jar=target/udsgate.jar

script=bench/routes.sh
source bench/lib.sh
prepare

# The measured route's upstream: nginx answering `return 200` on a Unix socket, one worker.
start_upstream
await_sockets "$dir/upstream.sock"

# config FILE COUNT: the measured route `app` (host app), after COUNT-1 generated ones: every other
# one by host, the rest by path prefix; every third upstream on loopback TCP (nothing listens there:
# the table's size is what is measured, not its upstreams).
config() {
  awk -v n="$2" -v dir="$dir" 'BEGIN {
    print "routes:"
    for (i = 1; i < n; i++) {
      up = (i % 3 == 0) ? "http://127.0.0.1:" (20000 + i % 40000) : "unix:" dir "/up" i ".sock"
      if (i % 2 == 0) printf "  - {name: r%d, host: h%d.local, upstreams: [\"%s\"]}\n", i, i, up
      else printf "  - {name: r%d, pathPrefix: /p%d/, upstreams: [\"%s\"]}\n", i, i, up
    }
    printf "  - {name: app, host: app, upstreams: [\"unix:%s/upstream.sock\"]}\n", dir
  }' >"$1"
}

now_ms() { date +%s%3N; }

# measure NAME COUNT: starts udsgate on a table of COUNT routes and prints one line of figures.
measure() {
  local name=$1 count=$2 sock="$dir/$1.sock" began ready pid threads rss rate put
  config "$dir/$name.yaml" "$count"
  began=$(now_ms)
  java -jar "$jar" serve --socket "$sock" --config "$dir/$name.yaml" >"$dir/$name.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  until curl -sf --unix-socket "$sock" -o /dev/null http://localhost/_ping 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null || [ $(($(now_ms) - began)) -gt 120000 ]; then
      printf '%-12s %8s  did not start: %s\n' "$name" "$count" "$(grep -m1 -i 'udsgate:\|cannot\|error' "$dir/$name.log" || true)"
      kill "$pid" 2>/dev/null || true
      return 0
    fi
    sleep 0.01
  done
  ready=$(($(now_ms) - began))
  load "$sock" http://app/hello "$requests" >/dev/null # warm-up (JIT)
  rate=$(load "$sock" http://app/hello "$requests")
  threads=$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status")
  rss=$(awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status")
  put=$(for i in $(seq "$puts"); do
    curl -s -o /dev/null -w '%{time_total}\n' --unix-socket "$sock" -X PUT -H 'Content-Type: application/json' \
      -d "{\"host\":\"put$((i % 2)).local\",\"upstreams\":[\"unix:$dir/put.sock\"]}" "http://localhost/v1/routes/put$((i % 2))"
  done | sort -n | sed -n "$(((puts + 1) / 2))p")
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  printf '%-12s %8s %10s %8s %8s %12.0f %10.2f\n' "$name" "$count" "$ready" "$threads" "$rss" "$rate" "$(awk -v s="$put" 'BEGIN { print s * 1000 }')"
  echo "$name $ready $threads $rss $rate $put" >>"$dir/results"
}

printf '%-12s %8s %10s %8s %8s %12s %10s\n' "table" "routes" "ready ms" "threads" "RSS MiB" "requests/s" "PUT ms"
: >"$dir/results"
measure one 1
measure many "$routes"

if [ "$(wc -l <"$dir/results")" = 2 ]; then
  awk 'NR == 1 { r = $2; t = $3; q = $5; p = $6 } NR == 2 {
    printf "many/one: ready %.2fx (target <= 2), threads %+d (target <= +4), throughput %.2fx (target >= 0.95), PUT %.2fx (target <= 3)\n",
      $2 / r, $3 - t, $5 / q, $6 / p }' "$dir/results"
fi
