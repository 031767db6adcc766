#!/usr/bin/env bash
# The gateway as a reverse proxy, Unix socket to Unix socket: udsgate next to nginx configured as the
# same proxy (upstream keep-alive), both in front of one upstream (nginx answering `return 200` on a
# Unix socket), driven by the same load generator in the same run. Prints requests per second and
# each proxy's own CPU time per request (the figure that decides throughput on a small machine).
#
# Usage: bench/proxy.sh [REQUESTS] [CONNECTIONS]
# Needs: target/udsgate.jar (mvn -q -DskipTests package), h2load (Debian nghttp2-client), nginx.
# As root, missing tools are installed with apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-200000}
connections=${2:-50}
jar=target/udsgate.jar

script=bench/proxy.sh
source bench/lib.sh
prepare

# Three processes, so that each proxy has the upstream's work off its own CPU time: the upstream
# (nginx answering `return 200` on a Unix socket, one worker), the reference proxy (nginx with
# upstream keep-alive, `worker_processes auto` as Debian ships it), and udsgate.
cat >"$dir/nginx-proxy.conf" <<CONF
worker_processes auto;
user root;
daemon off;
pid $dir/nginx-proxy.pid;
error_log $dir/nginx-proxy-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  upstream app { server unix:$dir/upstream.sock; keepalive 64; }
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
start_upstream
background /usr/sbin/nginx -c "$dir/nginx-proxy.conf" -e "$dir/nginx-proxy-error.log"

cat >"$dir/udsgate.yaml" <<CONF
routes:
  - name: app
    pathPrefix: /
    upstreams: ["unix:$dir/upstream.sock"]
CONF
background java -jar "$jar" serve --socket "$dir/udsgate.sock" --config "$dir/udsgate.yaml" >"$dir/udsgate.log" 2>&1
udsgate_pid=${pids[-1]}
# The same udsgate with its fast path off: every request through Jetty's proxy, to show what the
# fast path buys, in the same run.
background java -jar "$jar" serve --socket "$dir/udsgate-jetty.sock" --config "$dir/udsgate.yaml" --no-fast-path \
  >"$dir/udsgate-jetty.log" 2>&1
jetty_pid=${pids[-1]}
await_sockets "$dir/upstream.sock" "$dir/nginx-proxy.sock" "$dir/udsgate.sock" "$dir/udsgate-jetty.sock"


echo "warming up (JIT)..."
load "$dir/udsgate.sock" http://app/hello "$requests" >/dev/null
load "$dir/udsgate.sock" http://app/hello "$requests" >/dev/null
load "$dir/udsgate-jetty.sock" http://app/hello "$requests" >/dev/null
load "$dir/udsgate-jetty.sock" http://app/hello "$requests" >/dev/null
load "$dir/nginx-proxy.sock" http://app/hello $((requests / 4)) >/dev/null
nginx_proxy_pids() { pgrep -f "nginx: worker" | while read -r p; do
  [ "$(ps -o ppid= "$p" | tr -d ' ')" = "${pids[1]}" ] && echo "$p"; done; }

printf '%-40s %12s %16s\n' "GET through a proxy, $connections keep-alive conns" "requests/s" "CPU us/request"
: >"$dir/results"
for round in 1 2 3; do
  u=$(measured "$udsgate_pid" "$dir/udsgate.sock" http://app/hello "$requests")
  j=$(measured "$jetty_pid" "$dir/udsgate-jetty.sock" http://app/hello "$requests")
  n=$(measured "$(nginx_proxy_pids)" "$dir/nginx-proxy.sock" http://app/hello "$requests")
  d=$(load "$dir/upstream.sock" http://app/hello "$requests")
  printf '%-40s %12s %16s\n' "round $round udsgate proxy" $u "round $round udsgate, fast path off" $j \
    "round $round nginx proxy" $n "round $round upstream direct (nginx)" "$d" "-"
  echo "${u% *} ${n% *} $d ${u#* } ${n#* } ${j% *} ${j#* }" >>"$dir/results"
done
mu=$(median 1); mn=$(median 2); md=$(median 3); cu=$(median 4); cn=$(median 5); mj=$(median 6); cj=$(median 7)
awk -v u="$mu" -v n="$mn" -v d="$md" -v cu="$cu" -v cn="$cn" -v j="$mj" -v cj="$cj" 'BEGIN {
  printf "median of 3: udsgate %.0f req/s (%.1f us CPU/request), fast path off %.0f req/s (%.1f us), nginx %.0f req/s (%.1f us CPU/request), upstream direct %.0f req/s\n", u, cu, j, cj, n, cn, d
  printf "udsgate/nginx = %.2f, fast path off/on = %.2f (nginx proxy/direct = %.2f)\n", u / n, j / u, n / d }'
