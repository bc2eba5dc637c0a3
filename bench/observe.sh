#!/usr/bin/env bash
# Benchmark `walls observe` against DuckDB doing the equivalent GROUP BY over
# the same file, and gzip input against `gzip -dc` alone. Prints every command
# it runs, so each figure can be reproduced by hand.
#
#   bench/observe.sh                 # 1 GiB v5 text, page-cached
#   SIZE=5G bench/observe.sh         # the peak-memory target (5 GB input)
#   GZ_FILES=8 bench/observe.sh      # gzip corpus of that many files
#   RUNS=5 bench/observe.sh          # interleaved runs of each (default 3)
#   SKIP_DUCKDB=1 SKIP_GZIP=1 ...    # parts can be skipped
#
# Each command runs under bench/cmd/measure, which reports wall time, CPU
# time and peak RssAnon (the process's own memory, not the page cache of
# mapped input) and samples memory in-process, so measuring spawns nothing
# that competes for the two cores. The runs of walls and DuckDB alternate,
# and the summary gives the best and the median of each: on a shared
# machine single runs vary by 10-30 %.
#
# Needs: Go, node + npm (DuckDB comes from npm: @duckdb/node-api), gzip.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${SIZE:-1G}
GZ_FILES=${GZ_FILES:-8}
GZ_SIZE=${GZ_SIZE:-1G}
THREADS=${THREADS:-2}
RUNS=${RUNS:-3}
out=bench/out
mkdir -p "$out/bin"

say() { printf '\n== %s\n' "$*"; }
cmd() { printf '$ %s\n' "$*"; }

# timed NAME CMD...: runs CMD under measure (stdout discarded) and appends
# "wall user sys peak_MiB" to $out/NAME.runs; the command is printed once.
timed() {
  local name=$1; shift
  [ -s "$out/$name.runs" ] || cmd "$* > /dev/null"
  "$out/bin/measure" -o "$out/$name.last" -- "$@" 2> "$out/$name.err"
  cat "$out/$name.last" >> "$out/$name.runs"
}

# summary NAME BYTES: best and median wall time of NAME's runs, the CPU
# seconds of the best run, and the highest peak memory.
summary() {
  sort -n "$out/$1.runs" | awk -v name="$1" -v b="$2" '
    { w[NR] = $1; c[NR] = $2 + $3; if ($4 > m) m = $4 }
    END {
      med = (NR % 2) ? w[(NR + 1) / 2] : (w[NR / 2] + w[NR / 2 + 1]) / 2
      printf "%s: %d runs, wall best %.2f s, median %.2f s; CPU %.2f s (best run); %.2f GB/s (best), %.2f GB/s (median); peak anon memory %d MiB\n",
        name, NR, w[1], med, c[1], b / w[1] / 1e9, b / med / 1e9, m
      printf "%s %.4f %.4f %.4f\n", name, w[1], med, c[1] > "/dev/stderr"
    }' 2>> "$out/summary"
}

say "build"
cmd go build -o $out/bin/walls ./cmd/walls; go build -o $out/bin/walls ./cmd/walls
cmd go build -o $out/bin/flowgen ./bench/flowgen; go build -o $out/bin/flowgen ./bench/flowgen
cmd go build -o $out/bin/measure ./bench/cmd/measure; go build -o $out/bin/measure ./bench/cmd/measure
nproc_=$(nproc)
echo "machine: $nproc_ cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -f "$out"/*.runs "$out/summary"

text=$out/v5-$SIZE.log
if [ ! -s "$text" ]; then
  say "corpus"
  cmd $out/bin/flowgen -version 5 -size "$SIZE" -o "$text" -truth "$out/v5-$SIZE.truth.csv"
  $out/bin/flowgen -version 5 -size "$SIZE" -o "$text" -truth "$out/v5-$SIZE.truth.csv"
fi
bytes=$(stat -c %s "$text")
say "page cache"
cmd cat "$text" \> /dev/null; cat "$text" > /dev/null

if [ -z "${SKIP_DUCKDB:-}" ] && [ ! -d bench/node_modules/@duckdb/node-api ]; then
  cmd "(cd bench && npm ci --no-audit --no-fund)"; (cd bench && npm ci --no-audit --no-fund)
fi
say "walls observe$([ -z "${SKIP_DUCKDB:-}" ] && echo " and DuckDB ($THREADS threads, the same GROUP BY)"), v5 text ($bytes bytes), $RUNS runs each, alternating"
for _ in $(seq "$RUNS"); do
  timed walls $out/bin/walls observe --flows "$text" --format csv
  [ -n "${SKIP_DUCKDB:-}" ] || timed duckdb node bench/duckdb-observe.mjs "$text" "$THREADS"
done
cat "$out/walls.err"
summary walls "$bytes"
if [ -z "${SKIP_DUCKDB:-}" ]; then
  summary duckdb "$bytes"
  awk '$1 == "walls" { wb = $2; wm = $3; wc = $4 } $1 == "duckdb" { db = $2; dm = $3; dc = $4 }
    END { printf "ratio: walls is %.2fx faster than DuckDB (best runs), %.2fx (medians), %.2fx (CPU seconds of the best runs)\n", db / wb, dm / wm, dc / wc }' "$out/summary"
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
  say "gzip -dc alone (1 core) and walls observe on the same $GZ_FILES gzip files ($ubytes bytes uncompressed), $RUNS runs each, alternating"
  for _ in $(seq "$RUNS"); do
    timed gunzip gzip -dc "$gzdir"/*
    timed wallsgz $out/bin/walls observe --flows "$gzdir" --format csv
  done
  summary gunzip "$ubytes"
  summary wallsgz "$ubytes"
  awk -v b="$ubytes" '$1 == "gunzip" { g = $2 } $1 == "wallsgz" { c = $4 }
    END { printf "per-core ratio walls/gzip: %.2f (uncompressed bytes per CPU-second of walls over those per second of gzip -dc, best runs)\n", g / c }' "$out/summary"
fi
