#!/usr/bin/env bash
# Where a tracked connection's CPU goes: udsgate under a new connection per request (GET /_ping,
# Connection: close, as curl --unix-socket does), profiled with async-profiler, prints the share of
# its CPU samples spent reading the peer, in the registry's open and close, and in the connection
# limits, and what each share is in us per connection (times the CPU per connection measured in the
# same window).
#
# bench/ping.sh measures the same cost as a difference (tracked listener against untracked), which
# also holds what no frame shows (memory the JVM collects, caches); but a difference of two
# CPU times that each vary by a few us from round to round here needs many rounds to tell 1 us
# from 3. A share of samples taken in one window is steady whatever the machine does meanwhile.
#
# Usage: [PROFILE=FILE] bench/tracking.sh [REQUESTS] [LOADS]   (REQUESTS per load, default 30000;
#        LOADS profiled, default 10; PROFILE keeps the samples, as collapsed stacks for a flame graph)
# Needs: target/udsgate.jar, h2load, nginx (as bench/ping.sh), and Maven, which fetches
# async-profiler (tools.profiler:async-profiler, linux-x64) from Maven Central.
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-30000}
loads=${2:-10}
connections=50
jar=target/udsgate.jar
profiler_version=4.1

script=bench/tracking.sh
source bench/lib.sh
prepare

mvn -q dependency:copy -Dartifact="tools.profiler:async-profiler:$profiler_version:jar:linux-x64" \
  -DoutputDirectory="$dir" >"$dir/mvn.log" 2>&1 || { cat "$dir/mvn.log" >&2; exit 1; }
unzip -q -o "$dir/async-profiler-$profiler_version-linux-x64.jar" 'linux-x64/*' -d "$dir"
agent=$dir/linux-x64/libasyncProfiler.so

background java -jar "$jar" serve --socket "$dir/udsgate.sock" >"$dir/udsgate.log" 2>&1
udsgate_pid=${pids[-1]}
await_sockets "$dir/udsgate.sock"

# profiler COMMAND: an async-profiler command sent to udsgate (jcmd splits unquoted commas).
profiler() { jcmd "$udsgate_pid" JVMTI.agent_load "$agent" "\"$1\"" >/dev/null; }

# As bench/ping.sh: warmed up until its JIT has compiled the accept and close paths.
for _ in $(seq 8); do load "$dir/udsgate.sock" http://localhost/_ping "$requests" -H "Connection: close" >/dev/null; done

# CPU samples (the kernel's per-thread CPU timers: no hardware counters needed).
profiler start,event=ctimer,interval=1ms
before=$(cpu_ticks "$udsgate_pid")
for _ in $(seq "$loads"); do load "$dir/udsgate.sock" http://localhost/_ping "$requests" -H "Connection: close" >/dev/null; done
after=$(cpu_ticks "$udsgate_pid")
profiler "stop,collapsed,file=$dir/profile.txt"
[ -z "${PROFILE:-}" ] || cp "$dir/profile.txt" "$PROFILE"

# Each sample counts once, under the first of these it is in: the peer read wherever it is made
# (the registry makes it at accept), then the registry's own work, then the limits'.
awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n=$((requests * loads)) '
  {
    count = $NF; total += count
    if (index($0, "dev/udsgate/socket/ListenerEndPoint.peer")) peer += count
    else if ($0 ~ /dev\/udsgate\/connections\/ConnectionRegistry(\$[0-9]+)?\.opened/) opened += count
    else if ($0 ~ /dev\/udsgate\/connections\/ConnectionRegistry(\$[0-9]+)?\.closed/) closed += count
    else if (index($0, "dev/udsgate/connections/ConnectionLimiter.")) limits += count
  }
  function line(what, samples) {
    printf "%-44s %7d %7.2f%% %8.2f us\n", what, samples, samples * 100 / total, samples / total * per
  }
  END {
    per = ticks * 1e6 / hz / n
    printf "udsgate: %d new connections, %.1f us CPU each; %d CPU samples\n", n, per, total
    printf "%-44s %7s %8s %11s\n", "", "samples", "share", "per conn"
    line("peer read (getsockopt SO_PEERCRED)", peer)
    line("registry: connection opened (and its event)", opened)
    line("registry: connection closed (and its event)", closed)
    line("connection limits", limits)
    line("identity tracking in all", peer + opened + closed + limits)
  }' "$dir/profile.txt"
echo
uptime
