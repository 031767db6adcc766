# Shared by the benchmark scripts: tools, a scratch folder cleaned on exit, servers started in the
# background and awaited, and one h2load run over a Unix socket. Source it; set $script first.

need() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }

# Installs h2load and nginx when missing (as root), and checks the jar is built.
prepare() {
  if ! need h2load || ! need nginx; then
    [ "$(id -u)" = 0 ] || { echo "$script: needs h2load and nginx (apt-get install nghttp2-client nginx)" >&2; exit 1; }
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nghttp2-client nginx >/dev/null
  fi
  [ -f "$jar" ] || { echo "$script: $jar is missing; run: mvn -q -DskipTests package" >&2; exit 1; }
  dir=$(mktemp -d)
  pids=()
  trap cleanup EXIT
}

cleanup() { stop "${pids[@]}"; rm -rf "$dir"; }

# alive PID: whether the process runs (an exited child not yet waited for is a zombie, and `kill -0`
# still succeeds on it).
alive() { [ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" != Z ] && [ -e "/proc/$1" ]; }

# stop PID...: SIGTERM, then SIGKILL for any still running after $stop_timeout seconds (default 15),
# so that a server stuck in its shutdown never holds the script.
stop() {
  local p waited=0
  [ $# -gt 0 ] || return 0
  kill -TERM "$@" 2>/dev/null || true
  for p in "$@"; do
    while alive "$p" && [ "$waited" -lt $((${stop_timeout:-15} * 10)) ]; do sleep 0.1; waited=$((waited + 1)); done
    alive "$p" && { echo "$script: process $p ignored SIGTERM for ${stop_timeout:-15} s; killing it" >&2; kill -KILL "$p" 2>/dev/null; }
    wait "$p" 2>/dev/null || true
  done
}

# background COMMAND...: starts it and remembers it for cleanup.
background() { "$@" & pids+=($!); }

# await_sockets PATH...: waits until each socket exists.
await_sockets() {
  for sock in "$@"; do
    for _ in $(seq 500); do [ -S "$sock" ] && break; sleep 0.02; done
    [ -S "$sock" ] || { echo "$script: $sock did not appear" >&2; cat "$dir"/*.log >&2; exit 1; }
  done
}

# load SOCKET URL REQUESTS [h2load options]: prints requests per second; fails unless every answer was a 2xx,
# or if h2load takes more than $load_timeout seconds (default 300).
load() {
  timeout "${load_timeout:-300}" h2load --h1 -n "$3" -c "$connections" "${@:4}" -B "unix:$1" "$2" 2>&1 |
    awk -v want="$3" '/^finished in/ { rate = $4 } /^status codes:/ { ok = $3 }
      END { if (ok != want) { print "h2load: only " ok + 0 " of " want " answers were 2xx" > "/dev/stderr"; exit 1 } print rate }'
}

# cpu_ticks PID...: user+system CPU of the processes so far, in clock ticks.
cpu_ticks() { local total=0 pid; for pid in "$@"; do total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done; echo "$total"; }

# measured PIDS SOCKET URL REQUESTS [h2load options]: prints requests per second and the CPU
# microseconds the processes PIDS (a space-separated list) spent per request.
measured() {
  local before after rate
  before=$(cpu_ticks $1)
  rate=$(load "$2" "$3" "$4" "${@:5}")
  after=$(cpu_ticks $1)
  echo "$rate $(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$4" 'BEGIN { printf "%.1f", t * 1e6 / hz / n }')"
}

# measured_for PIDS SOCKET URL SECONDS [h2load options]: as measured, for SECONDS of load (h2load -D)
# instead of a number of requests, so that a slow server does not stretch the run; fails unless every
# answer was a 2xx.
measured_for() {
  local before after out
  before=$(cpu_ticks $1)
  out=$(timeout $(($4 + ${load_timeout:-300})) h2load --h1 -D "$4" -c "$connections" "${@:5}" -B "unix:$2" "$3" 2>&1) || true
  after=$(cpu_ticks $1)
  awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" '/^finished in/ { rate = $4 } /^requests:/ { done = $6 }
    /^status codes:/ { ok = $3 }
    END { if (done == 0 || ok != done) { print "h2load: only " ok + 0 " of " done + 0 " answers were 2xx" > "/dev/stderr"; exit 1 }
      printf "%s %.1f\n", rate, t * 1e6 / hz / done }' <<<"$out"
}

# median COLUMN: the median of the rounds in $dir/results (of an even number, the mean of the two
# middle ones).
median() {
  cut -d' ' -f"$1" "$dir/results" | sort -n |
    awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# start_upstream: the upstream the gateway benchmarks proxy to, nginx answering `return 200` on
# $dir/upstream.sock with one worker, in a process of its own.
start_upstream() {
  cat >"$dir/upstream.conf" <<CONF
  worker_processes 1;
  user root;
  daemon off;
  pid $dir/upstream.pid;
  error_log $dir/upstream-error.log warn;
  events { worker_connections 4096; }
  http {
    access_log off;
    keepalive_requests 1000000;
    server {
      listen unix:$dir/upstream.sock;
      location / { default_type text/plain; return 200 "hello from upstream"; }
    }
  }
CONF
  background /usr/sbin/nginx -c "$dir/upstream.conf" -e "$dir/upstream-error.log"
}
