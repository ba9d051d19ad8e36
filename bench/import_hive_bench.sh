#!/usr/bin/env bash
# Times `meridian import-hive` of a synthetic metastore into a fresh server.
#
#   bench/import_hive_bench.sh [BUILD_DIR] [DBS] [TABLES_PER_DB] [COLUMNS]
#
# Starts meridian-hms-standin and `meridian serve` on free loopback ports with
# a temporary data directory, runs a first import (all creates) and a second
# one (no changes), and prints tables/s and columns/s for both. Defaults:
# build, 5 databases, 200 tables each, 20 columns.
set -euo pipefail

build=${1:-build}
dbs=${2:-5}
tables=${3:-200}
columns=${4:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/lib.sh"
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

/usr/bin/python3 "$root/scripts/gen-hms-fixture" --dbs "$dbs" --tables "$tables" --columns "$columns" \
  > "$work/fixture.json"

"$build/meridian-hms-standin" --fixture "$work/fixture.json" --port 0 > "$work/standin.out" &
pids+=($!)
for _ in $(seq 100); do grep -q listening "$work/standin.out" && break; sleep 0.1; done
hms_port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$work/standin.out")

port=$(free_port)
"$build/meridian" serve --port "$port" --bind 127.0.0.1 --data-dir "$work/data" > "$work/server.log" 2>&1 &
pids+=($!)
wait_ready "$port"

read -r total_tables total_columns < <(/usr/bin/python3 -c '
import json, sys
tables = [t for d in json.load(open(sys.argv[1]))["databases"] for t in d["tables"]]
print(len(tables), sum(len(t["sd"]["cols"]) + len(t["partitionKeys"]) for t in tables))' "$work/fixture.json")
for run in first second; do
  start=$(date +%s.%N)
  MERIDIAN_PASSWORD=admin "$build/meridian" import-hive --metastore "thrift://127.0.0.1:$hms_port" \
    --url "http://127.0.0.1:$port" > "$work/$run.out" 2> "$work/$run.err"
  end=$(date +%s.%N)
  secs=$(echo "$end - $start" | bc -l)
  printf '%s import: %d tables, %d columns in %.1f s (%.0f tables/s, %.0f columns/s)\n' \
    "$run" "$total_tables" "$total_columns" "$secs" \
    "$(echo "$total_tables / $secs" | bc -l)" "$(echo "$total_columns / $secs" | bc -l)"
  cat "$work/$run.out"
  if [[ $run == first ]]; then
    # Searchable: basic search for hive_table finds every imported table.
    while :; do
      found=$(curl -s -u admin:admin "http://127.0.0.1:$port/api/atlas/v2/search/basic?typeName=hive_table&limit=1" |
        /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin).get("approximateCount", 0))')
      ((found >= total_tables)) && break
      sleep 0.2
    done
    searchable=$(date +%s.%N)
    printf 'searchable: all %d tables found by basic search %.1f s after the import began\n' "$total_tables" \
      "$(echo "$searchable - $start" | bc -l)"
  fi
done
