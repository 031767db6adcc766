#!/usr/bin/env bash
# Throughput of GET /_ping over a Unix socket: udsgate, udsgate without identity tracking, and nginx
# answering the same request on a Unix socket, measured in the same run with the same load generator,
# with the CPU time each server spent per request (steadier than a rate on a small, shared machine).
#
# "Identity tracking off" is -Dudsgate.trackConnections=false (no connection registry, no events) and
# --max-connections 1024, no more than the per-user limit, so that no peer is read at accept either:
# the difference between the two udsgate lines is what the registry and the peer read cost.
#
# Usage: [ROUNDS=N] bench/ping.sh [REQUESTS] [CONNECTIONS]   (ROUNDS: alternating rounds, default 3)
# Needs: target/udsgate.jar (mvn -q -DskipTests package), h2load (Debian nghttp2-client), nginx.
# As root, missing tools are installed with apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-300000}
connections=${2:-50}
jar=target/udsgate.jar

script=bench/ping.sh
source bench/lib.sh
prepare

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
background /usr/sbin/nginx -c "$dir/nginx.conf" -e "$dir/nginx-error.log"
background java -jar "$jar" serve --socket "$dir/udsgate.sock" >"$dir/udsgate.log" 2>&1
background java -Dudsgate.trackConnections=false -jar "$jar" serve --socket "$dir/untracked.sock" \
  --max-connections 1024 >"$dir/untracked.log" 2>&1
await_sockets "$dir/nginx.sock" "$dir/udsgate.sock" "$dir/untracked.sock"


for _ in $(seq 100); do
  nginx_worker=$(pgrep -P "$(cat "$dir/nginx.pid" 2>/dev/null || echo 0)" | head -1) && break
  sleep 0.05
done
[ -n "$nginx_worker" ] || { echo "$script: nginx started no worker" >&2; exit 1; }
udsgate_pid=${pids[1]}
untracked_pid=${pids[2]}

# compare TITLE REQUESTS WARMUPS [h2load options]: $ROUNDS rounds (default 3) on each server,
# alternating, then the medians of the rate and of the CPU time per request of each. Each udsgate is
# first loaded WARMUPS times: the process's CPU time includes its JIT compiler's, and a udsgate still
# compiling is charged for it (a new connection per request runs code the keep-alive case never
# did; after two warm-ups the tracked udsgate was still compiling, and seemed 3-8 us dearer).
compare() {
  local title=$1 n=$2 warmups=$3
  shift 3
  for _ in $(seq "$warmups"); do
    load "$dir/udsgate.sock" http://localhost/_ping "$n" "$@" >/dev/null
    load "$dir/untracked.sock" http://localhost/_ping "$n" "$@" >/dev/null
  done
  printf '%-44s %12s %16s\n' "$title" "requests/s" "CPU us/request"
  : >"$dir/results"
  for round in $(seq "${ROUNDS:-3}"); do
    u=$(measured "$udsgate_pid" "$dir/udsgate.sock" http://localhost/_ping "$n" "$@")
    t=$(measured "$untracked_pid" "$dir/untracked.sock" http://localhost/_ping "$n" "$@")
    c=$(measured "$nginx_worker" "$dir/nginx.sock" http://localhost/_ping "$n" "$@")
    printf '%-44s %12s %16s\n' "round $round udsgate, identity tracking on" $u \
      "round $round udsgate, identity tracking off" $t "round $round nginx (return 200)" $c
    echo "${u% *} ${t% *} ${c% *} ${u#* } ${t#* } ${c#* }" >>"$dir/results"
  done
  awk -v u="$(median 1)" -v t="$(median 2)" -v n="$(median 3)" -v cu="$(median 4)" -v ct="$(median 5)" \
    -v cn="$(median 6)" -v rounds="${ROUNDS:-3}" 'BEGIN {
    printf "median of %d:  tracking on %.0f req/s, %.1f us CPU | off %.0f req/s, %.1f us CPU | nginx %.0f req/s, %.1f us CPU\n", rounds, u, cu, t, ct, n, cn
    printf "identity tracking: %+.1f us CPU per request; udsgate/nginx = %.2f (on), %.2f (off)\n", cu - ct, u / n, t / n }'
}

compare "GET /_ping, $connections keep-alive conns" "$requests" 2
echo
# Identity tracking works once per connection, so its cost shows when every request opens one
# (Connection: close, as curl --unix-socket does): CPU us per request is then per connection.
compare "GET /_ping, a new connection each" $((requests / 10)) 8 -H "Connection: close"
echo
uptime
