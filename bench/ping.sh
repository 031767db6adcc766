#!/usr/bin/env bash
# Throughput of GET /_ping over a Unix socket: udsgate, udsgate without its connection registry
# (-Dudsgate.trackConnections=false, to show what the registry costs), and nginx answering the same
# request on a Unix socket, measured in the same run with the same load generator.
#
# Usage: bench/ping.sh [REQUESTS] [CONNECTIONS]
# Needs: target/udsgate.jar (mvn -q -DskipTests package), h2load (Debian nghttp2-client), nginx.
# As root, missing tools are installed with apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-300000}
connections=${2:-50}
jar=target/udsgate.jar

need() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
if ! need h2load || ! need nginx; then
  [ "$(id -u)" = 0 ] || { echo "bench/ping.sh: needs h2load and nginx (apt-get install nghttp2-client nginx)" >&2; exit 1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nghttp2-client nginx >/dev/null
fi
[ -f "$jar" ] || { echo "bench/ping.sh: $jar is missing; run: mvn -q -DskipTests package" >&2; exit 1; }

dir=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
user root;
daemon off;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen unix:$dir/nginx.sock;
    location = /_ping { default_type text/plain; return 200 "OK"; }
  }
}
CONF
/usr/sbin/nginx -c "$dir/nginx.conf" -e "$dir/nginx-error.log" &
pids+=($!)
java -jar "$jar" serve --socket "$dir/udsgate.sock" >"$dir/udsgate.log" 2>&1 &
pids+=($!)
java -Dudsgate.trackConnections=false -jar "$jar" serve --socket "$dir/untracked.sock" >"$dir/untracked.log" 2>&1 &
pids+=($!)
for sock in "$dir/nginx.sock" "$dir/udsgate.sock" "$dir/untracked.sock"; do
  for _ in $(seq 500); do [ -S "$sock" ] && break; sleep 0.02; done
  [ -S "$sock" ] || { echo "bench/ping.sh: $sock did not appear" >&2; cat "$dir"/*.log >&2; exit 1; }
done

load() { # socket requests [h2load options] -> requests per second; fails unless every answer was a 2xx
  h2load --h1 -n "$2" -c "$connections" "${@:3}" -B "unix:$1" http://localhost/_ping 2>&1 |
    awk -v want="$2" '/^finished in/ { rate = $4 } /^status codes:/ { ok = $3 }
      END { if (ok != want) { print "h2load: only " ok + 0 " of " want " answers were 2xx" > "/dev/stderr"; exit 1 } print rate }'
}

echo "warming up (JIT)..."
load "$dir/udsgate.sock" "$requests" >/dev/null
load "$dir/untracked.sock" "$requests" >/dev/null
load "$dir/nginx.sock" $((requests / 10)) >/dev/null

printf '%-34s %12s\n' "GET /_ping, $connections keep-alive conns" "requests/s"
for round in 1 2 3; do
  u=$(load "$dir/udsgate.sock" "$requests")
  t=$(load "$dir/untracked.sock" "$requests")
  n=$(load "$dir/nginx.sock" "$requests")
  printf '%-34s %12s\n' "round $round udsgate" "$u" "round $round udsgate, no registry" "$t" \
    "round $round nginx (return 200)" "$n"
  echo "$u $t $n" >>"$dir/results"
done
median() { cut -d' ' -f"$1" "$dir/results" | sort -n | sed -n 2p; }
mu=$(median 1); mt=$(median 2); mn=$(median 3)
awk -v u="$mu" -v t="$mt" -v n="$mn" 'BEGIN {
  printf "median of 3: udsgate %.0f req/s, without registry %.0f req/s (registry costs %.1f%%), nginx %.0f req/s\n", u, t, (t - u) * 100 / t, n
  printf "udsgate/nginx = %.2f\n", u / n }'

# The registry works once per connection, so its cost shows when every request opens one.
churn=$((requests / 10))
load "$dir/udsgate.sock" "$churn" -H "Connection: close" >/dev/null
load "$dir/untracked.sock" "$churn" -H "Connection: close" >/dev/null
echo
printf '%-34s %12s\n' "GET /_ping, a new connection each" "requests/s"
: >"$dir/results"
for round in 1 2 3; do
  u=$(load "$dir/udsgate.sock" "$churn" -H "Connection: close")
  t=$(load "$dir/untracked.sock" "$churn" -H "Connection: close")
  n=$(load "$dir/nginx.sock" "$churn" -H "Connection: close")
  printf '%-34s %12s\n' "round $round udsgate" "$u" "round $round udsgate, no registry" "$t" \
    "round $round nginx (return 200)" "$n"
  echo "$u $t $n" >>"$dir/results"
done
mu=$(median 1); mt=$(median 2); mn=$(median 3)
awk -v u="$mu" -v t="$mt" -v n="$mn" 'BEGIN {
  printf "median of 3: udsgate %.0f req/s, without registry %.0f req/s (registry costs %.1f%%), nginx %.0f req/s\n", u, t, (t - u) * 100 / t, n
  printf "udsgate/nginx = %.2f\n", u / n }'
