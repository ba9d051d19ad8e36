#!/usr/bin/env bash
# Export/import benchmark: a generated Hive warehouse (bench/realistic/gen_warehouse.py: databases, tables,
# columns, processes with column lineage) is loaded into one server, exported whole (every hive_db,
# fetchType full) through POST /api/atlas/admin/export, and imported into an empty server through
# POST /api/atlas/admin/importfile. Prints entities/s each way and each server's peak RSS during the
# operation, beside ../shared/limits measured in the same run.
#
#   bench/exchange_bench.sh [--entities 20000] [--limits-src DIR] [--keep DIR]
#
# --entities 1000000 is the full-size run (~70,000 tables, ~700,000 columns, ~64,000 processes): at the
# rates of bench/exchange_bench_results.md about 12 minutes of loading on 2 cores, 7 of export and 13 of
# import, and a few GB of disk. The default is a quick run.
# Needs: a built build/meridian (or MERIDIAN_BIN=path), python3, curl, cmake, and the limits sources
# (default ../shared/limits).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "${ROOT}/bench/lib.sh"
ENTITIES=20000
LIMITS_SRC="${ROOT}/../shared/limits"
KEEP=""
while (($#)); do
  case "$1" in
    --entities) ENTITIES="$2"; shift 2 ;;
    --limits-src) LIMITS_SRC="$2"; shift 2 ;;
    --keep) KEEP="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
BIN="${MERIDIAN_BIN:-${ROOT}/build/meridian}"  # MERIDIAN_BIN: another build of the binary
if [[ -n "$KEEP" ]]; then mkdir -p "$KEEP"; WORK="$(cd "$KEEP" && pwd)"; else WORK="$(mktemp -d /tmp/meridian-exchange-XXXXXX)"; fi
SERVER=""
cleanup() {
  [[ -n "$SERVER" ]] && kill "$SERVER" 2>/dev/null || true
  if [[ -z "$KEEP" ]]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
PORT=$((20000 + RANDOM % 20000))
URL="http://127.0.0.1:$PORT"

# start DATA_DIR: a server on $PORT with its import folder at $WORK/imports.
start() {
  mkdir -p "$WORK/imports"
  printf '[exchange]\nimport_folder = "%s"\n' "$WORK/imports" > "$WORK/meridian.toml"
  "$BIN" serve --port "$PORT" --data-dir "$1" --config "$WORK/meridian.toml" >> "$WORK/server.log" 2>&1 &
  SERVER=$!
  wait_ready "$PORT" || exit 1
}
stop() { kill "$SERVER"; wait "$SERVER" || true; SERVER=""; }
hwm_kb() { awk '/VmHWM/ {print $2}' "/proc/$SERVER/status"; }

echo "== limits (same machine, same run): $LIMITS_SRC" >&2
build_limits "$LIMITS_SRC" "$WORK"
store_limits "$WORK"

echo "== generating and loading ${ENTITIES} entities" >&2
python3 "$ROOT/bench/realistic/gen_warehouse.py" --entities "$ENTITIES" --out "$WORK/bodies" >/dev/null
start "$WORK/source"
for phase in tables processes; do
  python3 "$ROOT/bench/realistic/load.py" --port "$PORT" --clients 2 "$WORK/bodies/$phase.jsonl" >/dev/null
done
# Fresh process, so that its peak RSS is the export's.
stop
start "$WORK/source"

echo "== export: every hive_db, fetchType full" >&2
T0=$(date +%s.%N)
curl -sf -u admin:admin -H 'Content-Type: application/json' -o "$WORK/imports/catalog.zip" \
  -d '{"itemsToExport":[{"typeName":"hive_db"}],"options":{"fetchType":"full","matchType":"forType"}}' \
  "$URL/api/atlas/admin/export"
T1=$(date +%s.%N)
EXPORT_RSS=$(hwm_kb)
stop

echo "== import into an empty server (importfile)" >&2
start "$WORK/target"
T2=$(date +%s.%N)
curl -sf -u admin:admin -H 'Content-Type: application/json' -o "$WORK/import-result.json" \
  -d '{"options":{"fileName":"catalog.zip"}}' "$URL/api/atlas/admin/importfile"
T3=$(date +%s.%N)
IMPORT_RSS=$(hwm_kb)
stop

python3 - "$WORK" "$T0" "$T1" "$T2" "$T3" "$EXPORT_RSS" "$IMPORT_RSS" "$ENTITIES" <<'PY'
import json, os, sys, zipfile
work, t0, t1, t2, t3, ex_rss, im_rss, n = sys.argv[1], *map(float, sys.argv[2:6]), int(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8])
zpath = os.path.join(work, "imports", "catalog.zip")
with zipfile.ZipFile(zpath) as z:
    info = json.loads(z.read("atlas-export-info.json"))
exported = sum(v for k, v in info["metrics"].items() if k.startswith("entity:") and k != "entity:withExtInfo")
result = json.load(open(os.path.join(work, "import-result.json")))
imported = len(result["processedEntities"])
put = json.load(open(os.path.join(work, "limits-put.json")))
xap = json.load(open(os.path.join(work, "limits-xapian.json")))
js = json.load(open(os.path.join(work, "limits-json.json")))
ex_s, im_s = t1 - t0, t3 - t2
print(f"Export/import benchmark: {n} generated entities ({exported} exported in "
      f"{info['metrics']['entity:withExtInfo']} entity files, ZIP {os.path.getsize(zpath) / 1e6:.1f} MB), 2 cores.\n")
print(f"Limits in the same run: rocksdb-put {put['puts_per_s']:,.0f}/s, xapian-index {xap['docs_per_s']:,.0f} docs/s, "
      f"json roundtrip {js['roundtrip_per_s']:,.0f}/s (parse {js['parse_per_s']:,.0f}/s, dump {js['dump_per_s']:,.0f}/s).\n")
print("| operation | entities | seconds | entities/s | peak RSS MB | ratio to limits |")
print("|---|---|---|---|---|---|")
print(f"| export (POST admin/export, full) | {exported} | {ex_s:.1f} | {exported / ex_s:,.0f} | {ex_rss / 1024:.0f} | "
      f"{exported / ex_s / js['dump_per_s']:.2f} x json dump |")
print(f"| import (POST admin/importfile) | {imported} | {im_s:.1f} | {imported / im_s:,.0f} | {im_rss / 1024:.0f} | "
      f"{imported / im_s / min(put['puts_per_s'], js['roundtrip_per_s']):.2f} x min(rocksdb-put, json roundtrip) |")
PY
