#!/usr/bin/env bash
# Throughput of GET /_ping over a Unix socket: udsgate, udsgate without identity tracking, and nginx
# answering the same request on a Unix socket, measured in the same run with the same load generator,
# with the CPU time each server spent per request (steadier than a rate on a small, shared machine).
#
# "Identity tracking off" is a listener of the same udsgate named in -Dudsgate.untrackedListeners (no
# connection registry, no events, no peer read): the difference between the two udsgate lines is
# what the registry and the peer read cost. Every server is measured once a round, in an order that
# turns from round to round, so that a machine slowing down for a while weighs on each alike.
# bench/tracking.sh says where the difference goes.
#
# Usage: [ROUNDS=N] bench/ping.sh [REQUESTS] [CONNECTIONS]   (ROUNDS default 5)
# Needs: target/udsgate.jar (mvn -q -DskipTests package), h2load (Debian nghttp2-client), nginx.
# As root, missing tools are installed with apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-300000}
connections=${2:-50}
rounds=${ROUNDS:-5}
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

# One udsgate with two listeners, one of them untracked: the two differ in nothing else, not even
# their JVM (two JVMs started alike differ by up to 1.5 us CPU per connection here for their whole
# life, more than the cost measured). Both hold at most 1024 connections and 1024 per user, so
# that the untracked one never reads a peer (the tracked one reads it once, for the registry).
cat >"$dir/udsgate.yaml" <<CONF
maxConnections: 1024
maxConnectionsPerUser: 1024
listeners:
  - name: tracked
    path: $dir/tracked.sock
  - name: untracked
    path: $dir/untracked.sock
CONF
background java -Dudsgate.untrackedListeners=untracked -jar "$jar" serve --config "$dir/udsgate.yaml" \
  >"$dir/udsgate.log" 2>&1
udsgate_pid=${pids[-1]}
await_sockets "$dir/nginx.sock" "$dir/tracked.sock" "$dir/untracked.sock"
for _ in $(seq 100); do
  nginx_worker=$(pgrep -P "$(cat "$dir/nginx.pid" 2>/dev/null || echo 0)" | head -1) && break
  sleep 0.05
done
[ -n "$nginx_worker" ] || { echo "$script: nginx started no worker" >&2; exit 1; }
# The servers measured: kind, socket and the process whose CPU is counted.
kinds=(on off nginx)
sockets=("$dir/tracked.sock" "$dir/untracked.sock" "$dir/nginx.sock")
cpu_pids=("$udsgate_pid" "$udsgate_pid" "$nginx_worker")
count=${#kinds[@]}

# median_of KIND COLUMN: the median of a column (2: rate, 3: CPU) over the KIND lines of $dir/results.
median_of() {
  awk -v kind="$1" -v column="$2" '$1 == kind { print $column }' "$dir/results" | sort -n |
    awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# compare TITLE REQUESTS WARMUPS [h2load options]: $rounds rounds, each measuring every server once
# (starting one further along the list each round), then each one's medians of the rate and of the
# CPU time per request. Each udsgate is first loaded WARMUPS times: the process's CPU time includes
# its JIT compiler's, and a udsgate still compiling is charged for it (a new connection per request
# runs code the keep-alive case never did; after two warm-ups the tracked udsgate was still
# compiling, and seemed 3-8 us dearer).
compare() {
  local title=$1 n=$2 warmups=$3 round first i k
  shift 3
  for _ in $(seq "$warmups"); do
    for i in 0 1; do load "${sockets[$i]}" http://localhost/_ping "$n" "$@" >/dev/null; done
  done
  echo "$title: requests/s and CPU us/request of each server, per round"
  : >"$dir/results"
  for round in $(seq "$rounds"); do
    local measured_now=()
    for k in $(seq 0 $((count - 1))); do
      i=$(((k + round) % count))
      measured_now[$i]=$(measured "${cpu_pids[$i]}" "${sockets[$i]}" http://localhost/_ping "$n" "$@")
    done
    printf 'round %d:' "$round"
    for i in $(seq 0 $((count - 1))); do
      printf ' %s %s' "${kinds[$i]}" "${measured_now[$i]}"
      echo "${kinds[$i]} ${measured_now[$i]}" >>"$dir/results"
    done
    echo
  done
  awk -v u="$(median_of on 2)" -v t="$(median_of off 2)" -v n="$(median_of nginx 2)" -v cu="$(median_of on 3)" \
    -v ct="$(median_of off 3)" -v cn="$(median_of nginx 3)" -v rounds="$rounds" 'BEGIN {
    printf "medians of %d rounds:  tracking on %.0f req/s, %.1f us CPU | off %.0f req/s, %.1f us CPU | nginx %.0f req/s, %.1f us CPU\n", rounds, u, cu, t, ct, n, cn
    printf "identity tracking: %+.1f us CPU per request; udsgate/nginx = %.2f (on), %.2f (off)\n", cu - ct, u / n, t / n }'
}

compare "GET /_ping, $connections keep-alive conns" "$requests" 2
# Each listener must be what it is named, or the two lines would measure the same thing.
closed_on() { curl -s --unix-socket "$dir/tracked.sock" "http://localhost/v1/connections?state=closed&listener=$1"; }
[ "$(closed_on untracked)" = "[]" ] && [ "$(closed_on tracked)" != "[]" ] ||
  { echo "$script: the untracked listener's connections were tracked, or the tracked one's were not" >&2; exit 1; }
echo
# Identity tracking works once per connection, so its cost shows when every request opens one
# (Connection: close, as curl --unix-socket does): CPU us per request is then per connection.
compare "GET /_ping, a new connection each" $((requests / 10)) 8 -H "Connection: close"
echo
uptime
