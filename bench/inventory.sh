#!/usr/bin/env bash
# Inventory load and check benchmarks (issue #2).
#
#   bench/inventory.sh [OUT_DIR]
#
# Generates 10,000 security groups and 100,000 network interfaces as AWS CLI
# JSON (bench/cmd/invgen), then times, in the same run:
#   - walls check on it (the whole process: load, validate, index, one check),
#   - jq merely parsing the same files (the obvious alternative: what a
#     security engineer scripts against describe-* output), as a ratio,
#   - go test -bench for Load and for one check after the load.
# Figures go to BENCHMARKS.md by hand, with the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-bench/out/inventory}")
if [ ! -f "$out/network-interfaces.json" ]; then
  echo "# generating $out"
  go run ./bench/cmd/invgen -o "$out" -groups 10000 -interfaces 100000
fi
go build -o bench/out/walls ./cmd/walls
du -sh "$out"
cat "$out"/*.json > /dev/null   # page cache

measure() { # label, command...: exit code 2 (bad input) aborts the run
  local label=$1; shift
  local rc=0
  /usr/bin/time -f "$label: wall %e s, user %U s, sys %S s, max RSS %M KB" "$@" > /dev/null 2> >(grep -v '^walls:' >&2) || rc=$?
  if [ "$rc" -ge 2 ]; then echo "$label failed with exit $rc" >&2; exit 1; fi
}
best() { # runs a command 3 times and prints the best wall time in seconds
  local b=999
  for _ in 1 2 3; do
    local s e
    s=$(date +%s.%N); "$@" > /dev/null 2>&1 || true; e=$(date +%s.%N)
    b=$(echo "$b $s $e" | awk '{d=$3-$2; print (d<$1)?d:$1}')
  done
  echo "$b"
}
echo "# nproc: $(nproc)"
measure "walls check (load + index + 1 check)" bench/out/walls check "$out" --from eni-00000000000000001 --to eni-00000000000000015 --port 443
w=$(best bench/out/walls check "$out" --from eni-00000000000000001 --to eni-00000000000000015 --port 443)
j=$(best jq -c '[.SecurityGroups, .NetworkInterfaces, .NetworkAcls, .Subnets, .Vpcs] | map(length? // 0)' "$out"/*.json)
echo "best of 3: walls check ${w}s, jq parse only ${j}s, ratio jq/walls $(echo "$j $w" | awk '{printf "%.2f", $1/$2}')"
WALLS_BENCH_INVENTORY=$out go test -run '^$' -bench 'Load10kSG100kENI' -benchtime 3x -benchmem ./internal/inventory
WALLS_BENCH_INVENTORY=$out go test -run '^$' -bench 'CheckLarge' -benchmem ./internal/reach
