#!/usr/bin/env bash
# OpenLineage ingest benchmark: distinct RunEvents (START then COMPLETE of each run; the COMPLETE
# reads two 6-column datasets and writes a third with column lineage for every column) POSTed to
# /api/v1/lineage by wrk at one connection and at many, beside ../shared/limits measured in the
# same run (HTTP hello ceiling at the same connection counts, JSON round trip, RocksDB batched puts).
#
#   bench/openlineage_bench.sh [--duration 10] [--connections 16] [--limits-src DIR] [--keep DIR] [--bin PATH]
#
# --bin runs another server binary (default build/meridian), e.g. to compare two builds under the same load.
# Needs: a built build/meridian (Release), wrk, python3, cmake, and the limits sources.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "${ROOT}/bench/lib.sh"
HERE="${ROOT}/bench/openlineage"
DURATION=10
CONNS=16
LIMITS_SRC="${ROOT}/../shared/limits"
KEEP=""
BIN="${ROOT}/build/meridian"
while (($#)); do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --connections) CONNS="$2"; shift 2 ;;
    --limits-src) LIMITS_SRC="$2"; shift 2 ;;
    --keep) KEEP="$2"; shift 2 ;;
    --bin) BIN="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if [[ -n "$KEEP" ]]; then mkdir -p "$KEEP"; WORK="$(cd "$KEEP" && pwd)"; else WORK="$(mktemp -d /tmp/meridian-olbench-XXXXXX)"; fi
SERVER=""
cleanup() {
  if [[ -n "$SERVER" ]]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  if [[ -z "$KEEP" ]]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
PORT=$((20000 + RANDOM % 20000))
HELLO_PORT=$((PORT + 1))
AUTH="Basic $(printf admin:admin | base64)"

echo "== limits (same machine, same run): $LIMITS_SRC" >&2
build_limits "$LIMITS_SRC" "$WORK"
"$LIMITS" json-roundtrip --n 50000 > "$WORK/limits-json.json"
(cd "$WORK" && "$LIMITS" rocksdb-put --n 200000 --value-bytes 300 --batch 30) > "$WORK/limits-put.json"
rm -rf "$WORK/limits-data"
"$LIMITS" http-hello --port "$HELLO_PORT" --threads 2 --duration $((2 * DURATION + 10)) > "$WORK/limits-hello.json" &
HELLO=$!
sleep 1
wrk -t1 -c1 -d"${DURATION}s" "http://127.0.0.1:${HELLO_PORT}/" > "$WORK/hello-c1.wrk"
wrk -t2 -c"$CONNS" -d"${DURATION}s" "http://127.0.0.1:${HELLO_PORT}/" > "$WORK/hello-cN.wrk"
kill -INT "$HELLO" 2>/dev/null || true
wait "$HELLO" 2>/dev/null || true

echo "== generating events" >&2
# Enough distinct events that no run uses one twice (checked below: no non-2xx answers).
python3 "$HERE/gen_events.py" --events 30000 --tag c1 > "$WORK/events-c1.jsonl"
python3 "$HERE/gen_events.py" --events 80000 --tag cN > "$WORK/events-cN.jsonl"

echo "== server" >&2
"$BIN" serve --port "$PORT" --data-dir "$WORK/data" > "$WORK/server.log" 2>&1 &
SERVER=$!
wait_ready "$PORT"

run() {  # NAME THREADS CONNECTIONS EVENTS_FILE
  local before after
  before=$(cpu_ticks "$SERVER")
  EVENTS_FILE="$4" THREADS="$2" AUTH="$AUTH" wrk -t"$2" -c"$3" -d"${DURATION}s" --timeout 60s \
    -s "$HERE/post_events.lua" "http://127.0.0.1:$PORT" | grep '^WRKJSON' | cut -d' ' -f2- > "$WORK/$1.json"
  after=$(cpu_ticks "$SERVER")
  echo "$((after - before))" > "$WORK/$1.cpu"
}
echo "== POST /api/v1/lineage, 1 connection" >&2
run ol-c1 1 1 "$WORK/events-c1.jsonl"
echo "== POST /api/v1/lineage, $CONNS connections" >&2
run ol-cN 2 "$CONNS" "$WORK/events-cN.jsonl"
ENTITIES=$(curl -s -u admin:admin "http://127.0.0.1:$PORT/api/atlas/admin/metrics" |
           python3 -c 'import json,sys; d=json.load(sys.stdin)["data"]["entity"]["entityActive"]; print(sum(d.values()))')

python3 - "$WORK" "$CONNS" "$ENTITIES" <<'PY'
import json, os, re, sys
work, conns, entities = sys.argv[1], sys.argv[2], int(sys.argv[3])
load = lambda n: json.load(open(os.path.join(work, n)))
def wrk_rps(n):
    m = re.search(r"Requests/sec:\s+([\d.]+)", open(os.path.join(work, n)).read())
    return float(m.group(1)) if m else 0.0
hz = os.sysconf("SC_CLK_TCK")
hello = {"1": wrk_rps("hello-c1.wrk"), conns: wrk_rps("hello-cN.wrk")}
jsonl = load("limits-json.json")
put = load("limits-put.json")
print(f"load average during the run: {open('/proc/loadavg').read().split()[0:3]}")
print(f"limits: http-hello c1 {hello['1']:.0f} req/s, c{conns} {hello[conns]:.0f} req/s; "
      f"json roundtrip {jsonl['roundtrip_per_s']:.0f}/s; rocksdb-put (batches of 30) {put['puts_per_s']:.0f} puts/s")
for name, c in (("ol-c1", "1"), ("ol-cN", conns)):
    r = load(name + ".json")
    ok = r["requests"] - r["non2xx"]
    rate = ok / r["seconds"]
    cpu_ms = int(open(os.path.join(work, name + ".cpu")).read()) * 1000 / hz / max(ok, 1)
    print(f"OpenLineage events c{c}: {rate:.0f} events/s ({ok} events in {r['seconds']:.1f} s, non-2xx {r['non2xx']}, "
          f"socket errors {r['socket_errors']}), p50 {r['p50_ms']:.2f} ms, p99 {r['p99_ms']:.2f} ms, "
          f"server CPU {cpu_ms:.2f} ms/event; {rate / hello[c]:.2f} x http-hello c{c}")
print(f"catalog after the runs: {entities} active entities")
PY
