#!/usr/bin/env bash
# The gateway as a reverse proxy, Unix socket to Unix socket: udsgate next to nginx configured as the
# same proxy (upstream keep-alive), both in front of one upstream (nginx answering `return 200` on a
# Unix socket), driven by the same load generator in the same run.
#
# Usage: bench/proxy.sh [REQUESTS] [CONNECTIONS]
# Needs: target/udsgate.jar (mvn -q -DskipTests package), h2load (Debian nghttp2-client), nginx.
# As root, missing tools are installed with apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-200000}
connections=${2:-50}
jar=target/udsgate.jar

need() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
if ! need h2load || ! need nginx; then
  [ "$(id -u)" = 0 ] || { echo "bench/proxy.sh: needs h2load and nginx (apt-get install nghttp2-client nginx)" >&2; exit 1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nghttp2-client nginx >/dev/null
fi
[ -f "$jar" ] || { echo "bench/proxy.sh: $jar is missing; run: mvn -q -DskipTests package" >&2; exit 1; }

dir=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

# One nginx process: the upstream on one socket, the reference proxy on another.
cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
user root;
daemon off;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  upstream app { server unix:$dir/upstream.sock; keepalive 64; }
  server {
    listen unix:$dir/upstream.sock;
    location / { default_type text/plain; return 200 "hello from upstream"; }
  }
  server {
    listen unix:$dir/nginx-proxy.sock;
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_buffering on;
    }
  }
}
CONF
/usr/sbin/nginx -c "$dir/nginx.conf" -e "$dir/nginx-error.log" &
pids+=($!)

cat >"$dir/udsgate.yaml" <<CONF
routes:
  - name: app
    pathPrefix: /
    upstreams: ["unix:$dir/upstream.sock"]
CONF
java -jar "$jar" serve --socket "$dir/udsgate.sock" --config "$dir/udsgate.yaml" >"$dir/udsgate.log" 2>&1 &
pids+=($!)
for sock in "$dir/upstream.sock" "$dir/nginx-proxy.sock" "$dir/udsgate.sock"; do
  for _ in $(seq 500); do [ -S "$sock" ] && break; sleep 0.02; done
  [ -S "$sock" ] || { echo "bench/proxy.sh: $sock did not appear" >&2; cat "$dir"/*.log >&2; exit 1; }
done

load() { # socket requests -> requests per second; fails unless every answer was a 2xx
  h2load --h1 -n "$2" -c "$connections" -B "unix:$1" http://app/hello 2>&1 |
    awk -v want="$2" '/^finished in/ { rate = $4 } /^status codes:/ { ok = $3 }
      END { if (ok != want) { print "h2load: only " ok + 0 " of " want " answers were 2xx" > "/dev/stderr"; exit 1 } print rate }'
}

echo "warming up (JIT)..."
load "$dir/udsgate.sock" "$requests" >/dev/null
load "$dir/udsgate.sock" "$requests" >/dev/null
load "$dir/nginx-proxy.sock" $((requests / 4)) >/dev/null

printf '%-40s %12s\n' "GET through a proxy, $connections keep-alive conns" "requests/s"
: >"$dir/results"
for round in 1 2 3; do
  u=$(load "$dir/udsgate.sock" "$requests")
  n=$(load "$dir/nginx-proxy.sock" "$requests")
  d=$(load "$dir/upstream.sock" "$requests")
  printf '%-40s %12s\n' "round $round udsgate proxy" "$u" "round $round nginx proxy" "$n" "round $round upstream direct (nginx)" "$d"
  echo "$u $n $d" >>"$dir/results"
done
median() { cut -d' ' -f"$1" "$dir/results" | sort -n | sed -n 2p; }
mu=$(median 1); mn=$(median 2); md=$(median 3)
awk -v u="$mu" -v n="$mn" -v d="$md" 'BEGIN {
  printf "median of 3: udsgate %.0f req/s, nginx %.0f req/s, upstream direct %.0f req/s\n", u, n, d
  printf "udsgate/nginx = %.2f (nginx proxy/direct = %.2f)\n", u / n, n / d }'
