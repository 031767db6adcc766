#!/usr/bin/env bash
# What access rules cost a request: the same udsgate twice in one run, one listener without rules
# and one with 100 rules, on GET /_ping (answered by udsgate) and on a GET proxied to an upstream
# (nginx answering `return 200` on a Unix socket). Prints requests per second and udsgate's CPU
# time per request; the rules' cost is the difference (the issue's budget: at most 5%).
#
# The 100 rules are a realistic worst case: the request is allowed by the last rule, 96 rules are
# about other paths (each its own first segment, as a Docker policy's /containers, /images, ...),
# and 3 share the request's first segment but not its method, so an index by first segment alone
# would still have to try them.
#
# Usage: bench/access.sh [REQUESTS] [CONNECTIONS]
# Needs: target/udsgate.jar (mvn -q -DskipTests package), h2load (Debian nghttp2-client), nginx.
# As root, missing tools are installed with apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-200000}
connections=${2:-50}
jar=target/udsgate.jar

script=bench/access.sh
source bench/lib.sh
prepare

start_upstream

# config NAME RULES: a udsgate config whose one listener has the given rules text (or none).
config() {
  {
    echo "listeners:"
    echo "  - name: main"
    echo "    path: $dir/$1.sock"
    [ -n "$2" ] && printf '    rules:\n%s' "$2"
    echo "routes:"
    echo "  - name: app"
    echo "    pathPrefix: /app"
    echo "    upstreams: [\"unix:$dir/upstream.sock\"]"
  } >"$dir/$1.yaml"
}

rules=""
for i in $(seq 1 96); do
  rules+="      - deny: {methods: [GET, POST, DELETE], paths: [/segment$i/**]}"$'\n'
done
for prefix in /_ping /app; do
  rules+="      - deny: {methods: [POST, PUT, DELETE], paths: [$prefix/**]}"$'\n'
done
rules+="      - deny: {methods: [PATCH], anyApiVersion: true, paths: [/app/*/json]}"$'\n'
rules+="      - allow: {methods: [GET, HEAD], anyApiVersion: true, paths: [/_ping, /app/**]}"$'\n'
[ "$(grep -c -- '- ' <<<"$rules")" = 100 ] || { echo "$script: expected 100 rules" >&2; exit 1; }

config open ""
config ruled "$rules"
background java -jar "$jar" serve --config "$dir/open.yaml" >"$dir/open.log" 2>&1
open_pid=${pids[-1]}
background java -jar "$jar" serve --config "$dir/ruled.yaml" >"$dir/ruled.log" 2>&1
ruled_pid=${pids[-1]}
await_sockets "$dir/upstream.sock" "$dir/open.sock" "$dir/ruled.sock"

# compare TITLE URL: warm-up, three rounds alternating the two, then the medians.
compare() {
  local title=$1 url=$2
  for _ in 1 2; do
    load "$dir/open.sock" "$url" "$requests" >/dev/null
    load "$dir/ruled.sock" "$url" "$requests" >/dev/null
  done
  printf '%-44s %12s %16s\n' "$title" "requests/s" "CPU us/request"
  : >"$dir/results"
  for round in 1 2 3; do
    o=$(measured "$open_pid" "$dir/open.sock" "$url" "$requests")
    r=$(measured "$ruled_pid" "$dir/ruled.sock" "$url" "$requests")
    printf '%-44s %12s %16s\n' "round $round no rules" $o "round $round 100 rules" $r
    echo "${o% *} ${r% *} ${o#* } ${r#* }" >>"$dir/results"
  done
  awk -v o="$(median 1)" -v r="$(median 2)" -v co="$(median 3)" -v cr="$(median 4)" 'BEGIN {
    printf "median of 3: no rules %.0f req/s (%.1f us CPU), 100 rules %.0f req/s (%.1f us CPU)\n", o, co, r, cr
    printf "100 rules: %+.1f us CPU per request (%+.1f%%), throughput %.3f of no rules\n", cr - co, (cr - co) * 100 / co, r / o }'
}

compare "GET /_ping, $connections keep-alive conns" http://localhost/_ping
echo
compare "GET /app/x proxied, $connections keep-alive conns" http://localhost/app/x
