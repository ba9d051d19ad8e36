#!/bin/sh
# Runs lineage_bench with the RocksDB prefix-scan ceiling of ../shared/limits
# measured in the same run. Usage: bench/lineage_bench.sh [--quick] [lineage_bench options]
# Environment: BUILD_DIR (default build), LIMITS_SRC (default /work/shared/limits),
# LIMITS_BUILD (default /tmp/meridian-limits-build).
set -eu
BUILD_DIR=${BUILD_DIR:-build}
LIMITS_SRC=${LIMITS_SRC:-/work/shared/limits}
LIMITS_BUILD=${LIMITS_BUILD:-/tmp/meridian-limits-build}
SCAN_JSON=$(mktemp /tmp/lineage-bench-scan.XXXXXX)
trap 'rm -f "$SCAN_JSON"; rm -rf /tmp/lineage-bench-limits-data' EXIT

cmake --build "$BUILD_DIR" -j2 --target lineage_bench >&2
if [ -d "$LIMITS_SRC" ]; then
  if [ ! -x "$LIMITS_BUILD/limits" ]; then
    cmake -S "$LIMITS_SRC" -B "$LIMITS_BUILD" -DCMAKE_BUILD_TYPE=Release >&2
    cmake --build "$LIMITS_BUILD" -j2 >&2
  fi
  SIZE="--edges 1000000 --nodes 100000 --scans 200000"
  case " $* " in *" --quick "*) SIZE="--edges 200000 --nodes 20000 --scans 50000" ;; esac
  "$LIMITS_BUILD/limits" rocksdb-prefix-scan $SIZE --dir /tmp/lineage-bench-limits-data > "$SCAN_JSON"
fi
"$BUILD_DIR/bench/lineage_bench" --prefix-scan-json "$SCAN_JSON" "$@"
