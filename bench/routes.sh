#!/usr/bin/env bash
# The gateway's cost in the number of routes: udsgate on a one-route table next to udsgate on a
# generated table of ROUTES routes, the same measured route in both, in the same run. Prints, for
# each: the time from launch to the first answered /_ping (median of STARTS starts), threads and
# resident memory once started and after the load, requests per second through the measured route
# (h2load, keep-alive, median of 3 rounds of SECONDS each, after a warm-up of two, with the upstream
# measured directly as the reference) and the CPU time per request, and the latency of
# PUT /v1/routes/{name} (median and p90 of PUTS sequential PUTs); then the ratios against the targets
# of issue 12.
#
# The generated table mixes exact hosts, *.wildcard hosts, path prefixes and host + prefix routes,
# with Unix-socket and loopback TCP upstreams (nothing listens on those: the table's size is what is
# measured). The measured route matches on path prefix /m alone, the least specific kind with the
# shortest prefix, so a table tried in order tries it after every other route; it sits mid-file so that
# the file's order decides nothing. It proxies to nginx answering `return 200` on a Unix socket.
#
# A server that fails to start or to answer is reported with its error line, and the script carries
# on with what it can measure and exits 1 at the end. Targets are shown, not enforced (exit 0 when
# everything was measured): figures on a small shared machine are noisy.
#
# Usage: bench/routes.sh [ROUTES] [SECONDS] [CONNECTIONS] [STARTS] [PUTS]
#   (defaults 10000 5 50 5 200; START_TIMEOUT=seconds a start may take, default 60)
# Needs: target/udsgate.jar (mvn -q -DskipTests package), h2load (Debian nghttp2-client), nginx, curl.
# As root, missing tools are installed with apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
routes=${1:-10000}
seconds=${2:-5}
connections=${3:-50}
starts=${4:-5}
puts=${5:-200}
start_timeout=${START_TIMEOUT:-60}
warm_puts=20
url=http://measured.bench/m/hello
jar=target/udsgate.jar

script=bench/routes.sh
source bench/lib.sh
prepare
failed=0

start_upstream
await_sockets "$dir/upstream.sock"

# config FILE COUNT: a table of COUNT routes, the measured route among COUNT-1 generated ones.
config() {
  awk -v n="$2" -v dir="$dir" '
    function measured() { printf "  - {name: measured, pathPrefix: /m, upstreams: [\"unix:%s/upstream.sock\"]}\n", dir }
    BEGIN {
      print "routes:"
      for (i = 1; i < n; i++) {
        if (i == int(n / 2)) measured()
        tcp = "http://127.0.0.1:" (20000 + i % 40000)
        up = (i % 3 == 0) ? tcp : "unix:" dir "/up" i ".sock"
        other = (i % 3 == 0) ? "unix:" dir "/up" i "b.sock" : tcp
        ups = (i % 10 == 5) ? "\"" up "\", \"" other "\"" : "\"" up "\""
        k = i % 4
        if (k == 0) match_on = "host: h" i ".bench"
        else if (k == 1) match_on = "host: \"*.w" i ".bench\""
        else if (k == 2) match_on = "pathPrefix: /p" i
        else if (i % 8 == 3) match_on = "host: b" i ".bench, pathPrefix: /p" i "/api"
        else match_on = "host: \"*.b" i ".bench\", pathPrefix: /p" i "/api"
        printf "  - {name: r%d, %s, upstreams: [%s]}\n", i, match_on, ups
      }
      if (n < 2) measured()
    }' >"$1"
}

now_ms() { date +%s%3N; }

# status PID FIELD: a field of /proc/PID/status (Threads, or VmRSS in MiB).
status() { awk -v f="$2:" '$1 == f { print (f == "VmRSS:") ? int($2 / 1024 + 0.5) : $2 }' "/proc/$1/status"; }

# error_line LOG: the line that says why a server stopped.
error_line() { grep -m1 '^udsgate:' "$1" || grep -v "Couldn't stop" "$1" | grep -m1 -i 'exception\|error' || tail -n1 "$1"; }

# cause LOG: the first root cause of a stack trace in LOG ("Caused by:" and the next line), if any.
cause() { grep -m1 -A1 '^Caused by' "$1" | tr '\n' ' ' | cut -c1-240; }

# start NAME CONFIG: launches udsgate on CONFIG at $dir/NAME.sock and sets server_pid and ready_ms
# (launch to the first answered /_ping); or says why not, stops it, and returns 1.
start() {
  local name=$1 sock="$dir/$1.sock" began rc
  began=$(now_ms)
  java -jar "$jar" serve --socket "$sock" --config "$2" >"$dir/$name.log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  until curl -sf --max-time 5 --unix-socket "$sock" -o /dev/null http://localhost/_ping 2>/dev/null; do
    if ! alive "$server_pid"; then
      wait "$server_pid" && rc=0 || rc=$?
      echo "$script: $name did not start (exit $rc after $(($(now_ms) - began)) ms): $(error_line "$dir/$name.log") $(cause "$dir/$name.log")" >&2
      return 1
    fi
    if [ $(($(now_ms) - began)) -gt $((start_timeout * 1000)) ]; then
      echo "$script: $name did not answer /_ping within $start_timeout s; stopping it. Its log ends: $(tail -n1 "$dir/$name.log")" >&2
      stop "$server_pid"
      return 1
    fi
    sleep 0.01
  done
  ready_ms=$(($(now_ms) - began))
}

# quantile FILE Q: the Q-quantile (0.5, 0.9) of the numbers in FILE, nearest rank.
quantile() { sort -n "$1" | awk -v q="$2" '{ v[NR] = $1 } END { r = int(q * NR + 0.999999); print v[r < 1 ? 1 : r] }'; }

# put_latencies SOCKET FILE: PUT /v1/routes/bench-put, created first, then replaced with its
# upstream alternating so that every PUT is a change, one after another on one kept-alive
# connection; the first $warm_puts are JIT warm-up; writes the milliseconds of the others that were
# answered 2xx to FILE. Returns 1, having said which answers were not, if any was not.
put_latencies() {
  local sock=$1 i
  for i in 0 1; do printf '{"pathPrefix":"/bench-put","upstreams":["unix:%s/put%d.sock"]}' "$dir" "$i" >"$dir/put$i.json"; done
  for i in $(seq 0 $((warm_puts + puts - 1))); do
    [ "$i" = 0 ] || echo next
    printf 'unix-socket = "%s"\nurl = "http://localhost/v1/routes/bench-put"\nrequest = PUT\n' "$sock"
    printf 'header = "Content-Type: application/json"\ndata = "@%s/put%d.json"\n' "$dir" $((i % 2))
    printf 'silent\noutput = "%s/put%d.body"\nmax-time = 30\n' "$dir" "$i"
    printf 'write-out = "%%{http_code} %%{time_total}\\n"\n'
  done >"$dir/put.curl"
  curl -K "$dir/put.curl" >"$dir/put.out" || true
  tail -n +$((warm_puts + 1)) "$dir/put.out" | awk '$1 ~ /^2/ { printf "%.3f\n", $2 * 1000 }' >"$2"
  if [ "$(wc -l <"$2")" = "$puts" ]; then return 0; fi
  echo "$script: PUT /v1/routes/bench-put on $(basename "$sock"), $(wc -l <"$dir/put.out") answers of" \
    "$((warm_puts + puts)) (the first $warm_puts untimed), status codes: $(cut -d' ' -f1 "$dir/put.out" | sort | uniq -c | tr -s ' \n' ' ')" >&2
  i=$(awk '$1 !~ /^2/ { print NR - 1; exit }' "$dir/put.out")
  [ -z "$i" ] || echo "$script:   PUT $((i + 1)) answered: $(head -c 300 "$dir/put$i.body")" >&2
  echo "$script:   the server's log: $(grep -m1 -A1 'PUT /v1/routes/bench-put failed' "${sock%.sock}.log" | tail -n1)" \
    "$(cause "${sock%.sock}.log")" >&2
  [ -s "$2" ] || rm -f "$2"
  return 1
}

config "$dir/one.yaml" 1
config "$dir/many.yaml" "$routes"
declare -A one many pid
up=(one)

# Start-up: the two tables alternately, so that a busy moment of the machine falls on both; each
# start is stopped but the last, which the rest measures.
echo "udsgate on 1 route and on $routes routes ($(java -version 2>&1 | head -1), $(nproc) cores, loadavg $(cut -d' ' -f1 /proc/loadavg))"
for run in $(seq "$starts"); do
  for name in one many; do
    [ "$name" = many ] && [ -n "${many_failed:-}" ] && continue
    if start "$name-$run" "$dir/$name.yaml"; then
      echo "$ready_ms" >>"$dir/$name.ready"
      if [ "$run" -lt "$starts" ]; then stop "$server_pid"; else pid[$name]=$server_pid; fi
    elif [ "$name" = one ]; then
      echo "$script: the one-route server must start for anything to be compared" >&2
      exit 1
    else
      many_failed=1
      failed=1
    fi
  done
done
[ -n "${pid[many]:-}" ] && up+=(many)
for name in "${up[@]}"; do
  declare -n v=$name
  v[start]=$(quantile "$dir/$name.ready" 0.5)
  echo "  $name: start-up ms $(tr '\n' ' ' <"$dir/$name.ready")"
done
sleep 1 # let the last starts settle before reading threads and memory
for name in "${up[@]}"; do
  declare -n v=$name
  v[threads]=$(status "${pid[$name]}" Threads)
  v[rss]=$(status "${pid[$name]}" VmRSS)
  served=$(curl -s --max-time 30 --unix-socket "$dir/$name-$starts.sock" http://localhost/v1/routes |
    python3 -c 'import json, sys; d = json.load(sys.stdin); print(len(d if isinstance(d, list) else d["routes"]))' 2>/dev/null || echo "?")
  code=$(curl -s --max-time 10 --unix-socket "$dir/$name-$starts.sock" -o /dev/null -w '%{http_code}' "$url" || true)
  echo "  $name: serves $served routes; GET $url through it: $code"
done

# Throughput: a warm-up of two rounds' time each (JIT), then three rounds of one, many, and the
# upstream direct.
for name in "${up[@]}"; do measured_for "" "$dir/$name-$starts.sock" "$url" $((2 * seconds)) >/dev/null || true; done
: >"$dir/results"
for round in 1 2 3; do
  line="" shown=""
  for name in "${up[@]}"; do
    r=$(measured_for "${pid[$name]}" "$dir/$name-$starts.sock" "$url" "$seconds" || true)
    [[ $r =~ ^[0-9.]+\ [0-9.]+$ ]] || { r="0 0"; echo "$script: round $round through $name failed" >&2; failed=1; }
    line="$line $r" shown="$shown; $name ${r% *} req/s ${r#* } us CPU/req"
  done
  d=$(measured_for "" "$dir/upstream.sock" "$url" "$seconds" || echo "0 0")
  d=${d% *}
  echo "  round $round: ${shown#; }; upstream direct $d req/s"
  echo "${line# } $d" >>"$dir/results"
done
one[rate]=$(printf '%.0f' "$(median 1)")
one[cpu]=$(median 2)
if [ -n "${pid[many]:-}" ]; then
  many[rate]=$(printf '%.0f' "$(median 3)")
  many[cpu]=$(median 4)
  direct=$(printf '%.0f' "$(median 5)")
else
  direct=$(printf '%.0f' "$(median 3)")
fi
for name in "${up[@]}"; do
  declare -n v=$name
  v[threads_after]=$(status "${pid[$name]}" Threads)
  v[rss_after]=$(status "${pid[$name]}" VmRSS)
done

# PUT latency, on each server in turn.
for name in "${up[@]}"; do
  declare -n v=$name
  put_latencies "$dir/$name-$starts.sock" "$dir/$name.put" || failed=1
  if [ -f "$dir/$name.put" ]; then
    v[puts]=$(wc -l <"$dir/$name.put")
    v[put50]=$(quantile "$dir/$name.put" 0.5)
    v[put90]=$(quantile "$dir/$name.put" 0.9)
  fi
done
stop "${pid[@]}"

# row TITLE KEY HOW TARGET: one line of the table; HOW is ratio or diff, TARGET such as "<=2" or ">=0.95".
row() {
  awk -v t="$1" -v a="${one[$2]:-}" -v b="${many[$2]:-}" -v how="$3" -v target="${4:-}" 'BEGIN {
    if (a == "" || b == "") { c = "-"; verdict = (target == "") ? "" : "not measured" }
    else {
      x = (how == "ratio") ? (a > 0 ? b / a : 0) : b - a
      c = (how == "ratio") ? sprintf("%.2fx", x) : sprintf("%+d", x)
      if (target != "") {
        limit = substr(target, 3) + 0
        ok = (substr(target, 1, 2) == "<=") ? x <= limit : x >= limit
        verdict = ok ? "ok" : "MISSED"
      }
    }
    shown = target == "" ? "" : ((how == "ratio") ? target "x" : substr(target, 1, 2) "+" substr(target, 3))
    printf "%-34s %12s %12s %9s %9s  %s\n", t, a == "" ? "-" : a, b == "" ? "-" : b, c, shown, verdict }'
}

echo
printf '%-34s %12s %12s %9s %9s\n' "" "1 route" "$routes routes" "N vs 1" "target"
row "start-up ms, median of $starts" start ratio "<=2"
row "threads once started" threads diff "<=4"
row "threads after the load" threads_after diff
row "RSS MiB once started" rss ratio
row "RSS MiB after the load" rss_after ratio
row "requests/s, median of 3" rate ratio ">=0.95"
row "CPU us/request, median of 3" cpu ratio
row "PUTs answered 2xx, of $puts" puts diff
row "PUT ms, median of those" put50 ratio "<=3"
row "PUT ms, p90 of those" put90 ratio
printf '%-34s %12s   (the upstream direct, same load: the reference ceiling)\n' "requests/s, nginx upstream direct" "$direct"
echo "h2load --h1, $connections keep-alive connections, $seconds s a round, $url"
[ "$failed" = 0 ] || { echo "$script: not everything could be measured (see above)" >&2; exit 1; }
