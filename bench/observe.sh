#!/usr/bin/env bash
# Benchmark `walls observe` against DuckDB doing the equivalent GROUP BY over
# the same file, and gzip input against `gzip -dc` alone. Prints every command
# it runs, so each figure can be reproduced by hand.
#
#   bench/observe.sh                 # 1 GiB v5 text, page-cached
#   SIZE=5G bench/observe.sh         # the peak-memory target (5 GB input)
#   GZ_FILES=8 bench/observe.sh      # gzip corpus of that many files
#   SKIP_DUCKDB=1 SKIP_GZIP=1 ...    # parts can be skipped
#
# Needs: Go, node + npm (DuckDB comes from npm: @duckdb/node-api), gzip.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${SIZE:-1G}
GZ_FILES=${GZ_FILES:-8}
GZ_SIZE=${GZ_SIZE:-1G}
THREADS=${THREADS:-2}
out=bench/out
mkdir -p "$out/bin"

say() { printf '\n== %s\n' "$*"; }
cmd() { printf '$ %s\n' "$*"; }

# peak_anon PID: highest RssAnon (the process's own anonymous pages, not the
# page cache of mapped input files) while PID runs, in MiB.
peak_anon() {
  local pid=$1 peak=0 v
  while kill -0 "$pid" 2>/dev/null; do
    v=$(awk '/^RssAnon:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ -n "$v" ] && [ "$v" -gt "$peak" ] && peak=$v
    sleep 0.05
  done
  echo $((peak / 1024))
}

# timed NAME CMD...: runs CMD with stdout to /dev/null, records wall/user/sys
# seconds and peak anonymous memory in $out/NAME.time.
timed() {
  local name=$1; shift
  cmd "$* > /dev/null"
  /usr/bin/time -f '%e %U %S' -o "$out/$name.time" "$@" > /dev/null 2> "$out/$name.err" &
  local tpid=$!
  sleep 0.02
  local child
  child=$(pgrep -P "$tpid" | head -1 || true)
  local mem=0
  [ -n "$child" ] && mem=$(peak_anon "$child")
  wait "$tpid"
  echo "$mem" >> "$out/$name.time"
}

field() { sed -n "${2}p" "$out/$1.time" | cut -d' ' -f"$3"; }

say "build"
cmd go build -o $out/bin/walls ./cmd/walls; go build -o $out/bin/walls ./cmd/walls
cmd go build -o $out/bin/flowgen ./bench/flowgen; go build -o $out/bin/flowgen ./bench/flowgen
nproc_=$(nproc)
echo "machine: $nproc_ cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB; load average: $(cut -d' ' -f1-3 /proc/loadavg)"

text=$out/v5-$SIZE.log
if [ ! -s "$text" ]; then
  say "corpus"
  cmd $out/bin/flowgen -version 5 -size "$SIZE" -o "$text" -truth "$out/v5-$SIZE.truth.csv"
  $out/bin/flowgen -version 5 -size "$SIZE" -o "$text" -truth "$out/v5-$SIZE.truth.csv"
fi
bytes=$(stat -c %s "$text")
say "page cache"
cmd cat "$text" \> /dev/null; cat "$text" > /dev/null

say "walls observe, v5 text ($bytes bytes)"
timed walls $out/bin/walls observe --flows "$text" --format csv
cat "$out/walls.err"
w_wall=$(field walls 1 1); w_user=$(field walls 1 2); w_sys=$(field walls 1 3); w_mem=$(sed -n 2p $out/walls.time)
awk -v b="$bytes" -v t="$w_wall" -v u="$w_user" -v s="$w_sys" -v m="$w_mem" 'BEGIN {
  printf "walls: %.2f s wall, %.2f s user, %.2f s sys: %.2f GB/s wall, %.2f GB/s per CPU-second x 2 cores; peak anon memory %d MiB\n",
    t, u, s, b/t/1e9, b/(u+s)/1e9*2, m }'

if [ -z "${SKIP_DUCKDB:-}" ]; then
  say "DuckDB ($THREADS threads), same GROUP BY"
  if [ ! -d bench/node_modules/@duckdb/node-api ]; then
    cmd "(cd bench && npm ci --no-audit --no-fund)"; (cd bench && npm ci --no-audit --no-fund)
  fi
  timed duckdb node bench/duckdb-observe.mjs "$text" "$THREADS"
  d_wall=$(field duckdb 1 1); d_user=$(field duckdb 1 2); d_sys=$(field duckdb 1 3)
  awk -v b="$bytes" -v t="$d_wall" -v u="$d_user" -v s="$d_sys" -v wt="$w_wall" -v wu="$w_user" -v ws="$w_sys" 'BEGIN {
    printf "duckdb: %.2f s wall, %.2f s user, %.2f s sys: %.2f GB/s wall\n", t, u, s, b/t/1e9
    printf "ratio: walls is %.2fx faster than DuckDB (wall), %.2fx (CPU seconds)\n", t/wt, (u+s)/(wu+ws) }'
fi

if [ -z "${SKIP_GZIP:-}" ]; then
  gzdir=$out/v5-gz-$GZ_SIZE-$GZ_FILES
  if [ ! -d "$gzdir" ]; then
    say "gzip corpus"
    cmd $out/bin/flowgen -version 5 -size "$GZ_SIZE" -files "$GZ_FILES" -gzip -o "$gzdir"
    $out/bin/flowgen -version 5 -size "$GZ_SIZE" -files "$GZ_FILES" -gzip -o "$gzdir"
  fi
  cat "$gzdir"/* > /dev/null
  ubytes=$(gzip -dc "$gzdir"/* | wc -c)
  say "gzip -dc alone (1 core), $GZ_FILES files, $ubytes bytes uncompressed"
  timed gunzip gzip -dc "$gzdir"/*
  g_wall=$(field gunzip 1 1)
  say "walls observe on the same gzip files"
  timed wallsgz $out/bin/walls observe --flows "$gzdir" --format csv
  z_wall=$(field wallsgz 1 1); z_user=$(field wallsgz 1 2); z_sys=$(field wallsgz 1 3)
  awk -v b="$ubytes" -v g="$g_wall" -v t="$z_wall" -v u="$z_user" -v s="$z_sys" 'BEGIN {
    printf "gzip -dc: %.2f s: %.0f MB/s on one core\n", g, b/g/1e6
    printf "walls:    %.2f s wall, %.2f s CPU: %.0f MB/s, %.0f MB/s per CPU-second\n", t, u+s, b/t/1e6, b/(u+s)/1e6
    printf "per-core ratio walls/gzip: %.2f\n", (b/(u+s)) / (b/g) }'
fi
