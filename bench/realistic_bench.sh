#!/usr/bin/env bash
# Realistic benchmark: a generated Hive warehouse (databases, tables, columns, processes with column
# lineage) loaded through POST /entity/bulk by 2 clients, then read with wrk over random distinct keys,
# each figure at -c1 and -c32 with the server's CPU per request, beside ../shared/limits measured in the
# same run. Reads start once the search index, classification propagation and RocksDB's compactions have
# caught up with the load (the time each took is reported).
#
#   bench/realistic_bench.sh [--entities 100000] [--duration 10] [--limits-src DIR] [--keep DIR]
#
# --entities 1000000 gives the full-size catalog (~70,000 tables, ~700,000 columns, ~64,000 processes,
# ~160,000 column lineages); the default is a quick run. --keep DIR keeps the data, bodies and raw outputs.
# Needs: a built build/meridian, wrk, python3, cmake, and the limits sources (default ../shared/limits).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "${ROOT}/bench/lib.sh"
HERE="${ROOT}/bench/realistic"
ENTITIES=100000
DURATION=10
LIMITS_SRC="${ROOT}/../shared/limits"
KEEP=""
while (($#)); do
  case "$1" in
    --entities) ENTITIES="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --limits-src) LIMITS_SRC="$2"; shift 2 ;;
    --keep) KEEP="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
BIN="${ROOT}/build/meridian"
if [[ -n "$KEEP" ]]; then mkdir -p "$KEEP"; WORK="$(cd "$KEEP" && pwd)"; else WORK="$(mktemp -d /tmp/meridian-realistic-XXXXXX)"; fi
SERVER=""
cleanup() {
  [[ -n "$SERVER" ]] && kill "$SERVER" 2>/dev/null || true
  kill $(jobs -p) 2>/dev/null || true
  if [[ -z "$KEEP" ]]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
PORT=$((20000 + RANDOM % 20000))
HELLO_PORT=$((PORT + 1))
AUTH="Basic $(printf admin:admin | base64)"
RESULTS="$WORK/results.jsonl"
: > "$RESULTS"

record() { echo "$1" >> "$RESULTS"; }

# run_wrk NAME CONNECTIONS KEYS_FILE PATH_TEMPLATE [DURATION]: one wrk run, its figures and the
# server CPU it cost, appended to results.jsonl.
run_wrk() {
  local name="$1" conns="$2" keys="$3" template="$4" dur="${5:-$DURATION}" threads=2
  ((conns == 1)) && threads=1
  local before after out
  before=$(cpu_ticks "$SERVER")
  out=$(KEYS_FILE="$keys" PATH_TEMPLATE="$template" AUTH="$AUTH" \
        wrk -t"$threads" -c"$conns" -d"${dur}s" --timeout 60s -s "$HERE/random_keys.lua" "http://127.0.0.1:$PORT" \
        | grep '^WRKJSON' | cut -d' ' -f2-)
  after=$(cpu_ticks "$SERVER")
  record "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d.update(name=sys.argv[2], c=int(sys.argv[3]), cpu_ticks=int(sys.argv[4])); print(json.dumps(d))' \
           "$out" "$name" "$conns" "$((after - before))")"
}

echo "== limits (same machine, same run): $LIMITS_SRC" >&2
build_limits "$LIMITS_SRC" "$WORK"
store_limits "$WORK"
"$LIMITS" http-hello --port "$HELLO_PORT" --threads 2 --duration $((2 * DURATION + 10)) > "$WORK/limits-hello.json" &
HELLO=$!
sleep 1
for c in 1 32; do
  t=2; ((c == 1)) && t=1
  wrk -t$t -c$c -d"${DURATION}s" "http://127.0.0.1:${HELLO_PORT}/" > "$WORK/hello-c$c.wrk"
done
kill -INT "$HELLO" 2>/dev/null || true
wait "$HELLO" 2>/dev/null || true

echo "== generating ${ENTITIES} entities" >&2
python3 "$HERE/gen_warehouse.py" --entities "$ENTITIES" --out "$WORK/bodies"

echo "== ingest through POST /entity/bulk, 2 clients" >&2
rm -rf "$WORK/data" "$WORK/guids"
"$BIN" serve --port "$PORT" --data-dir "$WORK/data" > "$WORK/server.log" 2>&1 &
SERVER=$!
wait_ready "$PORT"
for phase in tables processes; do
  before=$(cpu_ticks "$SERVER")
  out=$(python3 "$HERE/load.py" --port "$PORT" --clients 2 --guids "$WORK/guids" "$WORK/bodies/$phase.jsonl")
  after=$(cpu_ticks "$SERVER")
  record "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d.update(name="ingest "+sys.argv[2], cpu_ticks=int(sys.argv[3])); print(json.dumps(d))' \
           "$out" "$phase" "$((after - before))")"
done
RSS_KB=$(awk '/VmRSS/ {print $2}' /proc/$SERVER/status)
record "{\"name\":\"rss\",\"kb\":$RSS_KB}"

echo "== waiting for the search index and classification propagation to catch up" >&2
T0=$(date +%s)
for _ in $(seq 1200); do
  t0=$(date +%s%N)
  curl -sf -H "Authorization: $AUTH" "http://127.0.0.1:$PORT/api/atlas/v2/search/basic?query=sales&limit=1" >/dev/null || true
  (( ($(date +%s%N) - t0) / 1000000 < 300 )) && break
done
for _ in $(seq 1200); do
  curl -sf -H "Authorization: $AUTH" "http://127.0.0.1:$PORT/api/meridian/v1/propagation" | grep -q '"pending":0' && break
  sleep 0.5
done
record "{\"name\":\"catch-up\",\"seconds\":$(( $(date +%s) - T0 ))}"
# Reads are measured on a settled store: RocksDB's flushes and compactions after the bulk load done.
T0=$(date +%s)
for _ in $(seq 600); do
  curl -sf -H "Authorization: $AUTH" "http://127.0.0.1:$PORT/api/meridian/v1/metrics/prometheus" |
    awk '/^meridian_store_(background_jobs|compaction_pending_bytes) / {busy += $2} END {exit busy > 0}' && break
  sleep 1
done
record "{\"name\":\"settle\",\"seconds\":$(( $(date +%s) - T0 ))}"

G="$WORK/guids"
cat "$G"/*.txt > "$G/all.txt"
python3 -c 'import sys; print("\n".join(sys.argv[1:]))' sales orders customers payments events sessions users accounts \
  invoices products inventory shipments ledger campaigns devices metrics marketing finance billing support tickets \
  reviews vendors suppliers warehouse stores regions employees payroll contracts claims policies quotes churn \
  forecast budget expenses transfers fraud risk amount price quantity status country city email phone category \
  currency discount tax total region channel > "$WORK/words.txt"
cat > "$WORK/dsl-light.txt" <<'Q'
hive_column select count()
hive_column where name like 'id_1*' select count()
hive_column groupby(type) select type, count()
Q
cat > "$WORK/dsl-heavy.txt" <<'Q'
hive_column select count()
hive_column where name like 'col*' select count()
hive_column groupby(type) select type, count()
hive_column where type = 'string' orderby name limit 10
Q

echo "== reads under wrk, random keys, -c1 and -c32, ${DURATION}s each" >&2
for c in 1 32; do
  run_wrk "GET entity by guid" $c "$G/all.txt" "/api/atlas/v2/entity/guid/{key}"
  run_wrk "lineage BOTH depth 3" $c "$G/hive_table.txt" "/api/atlas/v2/lineage/{key}?direction=BOTH&depth=3"
  run_wrk "basic search, one word" $c "$WORK/words.txt" "/api/atlas/v2/search/basic?query={key}&limit=10"
done
for q in 1 2 3; do
  sed -n "${q}p" "$WORK/dsl-light.txt" > "$WORK/dsl-$q.txt"
  run_wrk "DSL: $(cat "$WORK/dsl-$q.txt")" 1 "$WORK/dsl-$q.txt" "/api/atlas/v2/search/dsl?query={key}"
  # 32 concurrent copies of a query slower than 1 s would only queue for minutes.
  if tail -1 "$RESULTS" | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if d["requests"] and d["p50_ms"] < 1000 else 1)'; then
    run_wrk "DSL: $(cat "$WORK/dsl-$q.txt")" 32 "$WORK/dsl-$q.txt" "/api/atlas/v2/search/dsl?query={key}"
  fi
done

echo "== GET by guid while 4 clients run heavy DSL queries" >&2
KEYS_FILE="$WORK/dsl-heavy.txt" PATH_TEMPLATE="/api/atlas/v2/search/dsl?query={key}" AUTH="$AUTH" \
  wrk -t1 -c4 -d"$((2 * DURATION + 10))s" --timeout 120s -s "$HERE/random_keys.lua" "http://127.0.0.1:$PORT" \
  > "$WORK/heavy-dsl.wrk" &
HEAVY=$!
sleep 3
for c in 1 32; do run_wrk "GET entity by guid, 4 heavy DSL clients" $c "$G/all.txt" "/api/atlas/v2/entity/guid/{key}"; done
wait "$HEAVY" || true
grep '^WRKJSON' "$WORK/heavy-dsl.wrk" | cut -d' ' -f2- | \
  python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); d.update(name="heavy DSL (background)", c=4, cpu_ticks=0); print(json.dumps(d))' \
  >> "$RESULTS" || true

kill "$SERVER"; wait "$SERVER" || true
SERVER=""

python3 "$HERE/report.py" --work "$WORK" --entities "$ENTITIES" --duration "$DURATION"
