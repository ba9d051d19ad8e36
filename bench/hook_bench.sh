#!/usr/bin/env bash
# Hook message benchmark: Hive hook records (CREATE TABLE with columns, every 5th a CTAS with column
# lineage) applied by a fresh server, through REST and from Kafka (librdkafka's in-process mock
# cluster), beside ../shared/limits measured in the same run. Prints entities applied per second
# (first record sent -> last message committed) and the arrival-to-commit lag (p50/p99 of the last
# 10,000 messages, as the server measures it).
#
#   bench/hook_bench.sh [--tables 2000] [--columns 20] [--limits-src DIR] [--keep DIR]
#
# Needs: a built build/meridian (and the hook_kafka_feed target, built here), python3, cmake, and the
# limits sources (default ../shared/limits).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "${ROOT}/bench/lib.sh"
TABLES=2000
COLUMNS=20
LIMITS_SRC="${ROOT}/../shared/limits"
KEEP=""
while (($#)); do
  case "$1" in
    --tables) TABLES="$2"; shift 2 ;;
    --columns) COLUMNS="$2"; shift 2 ;;
    --limits-src) LIMITS_SRC="$2"; shift 2 ;;
    --keep) KEEP="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
BIN="${ROOT}/build/meridian"
if [[ -n "$KEEP" ]]; then mkdir -p "$KEEP"; WORK="$(cd "$KEEP" && pwd)"; else WORK="$(mktemp -d /tmp/meridian-hook-XXXXXX)"; fi
SERVER=""
FEED=""
cleanup() {
  [[ -n "$SERVER" ]] && kill "$SERVER" 2>/dev/null || true
  [[ -n "$FEED" ]] && kill "$FEED" 2>/dev/null || true
  if [[ -z "$KEEP" ]]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT

echo "== limits (same machine, same run): $LIMITS_SRC" >&2
build_limits "$LIMITS_SRC" "$WORK"
store_limits "$WORK"

echo "== building hook_kafka_feed" >&2
cmake --build "${ROOT}/build" -j2 --target hook_kafka_feed >/dev/null
FEEDER="${ROOT}/build/bench/hook_kafka_feed"

echo "== generating hook records for ${TABLES} tables x ${COLUMNS} columns" >&2
python3 "${ROOT}/bench/hook/gen_hook_messages.py" --tables "$TABLES" --columns "$COLUMNS" \
  > "$WORK/records.jsonl" 2> "$WORK/records-count.json"
RECORDS=$(wc -l < "$WORK/records.jsonl")

start_server() {  # start_server NAME [extra serve args...]
  local name="$1"; shift
  PORT=$((20000 + RANDOM % 20000))
  rm -rf "$WORK/data-$name"
  "$BIN" serve --port "$PORT" --data-dir "$WORK/data-$name" "$@" > "$WORK/server-$name.log" 2>&1 &
  SERVER=$!
  wait_ready "$PORT"
}
stop_server() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""; }

echo "== REST: POST /api/atlas/v2/notification/topic/ATLAS_HOOK, 100 records per request" >&2
start_server rest
before=$(cpu_ticks "$SERVER")
python3 "${ROOT}/bench/hook/post_hook.py" --port "$PORT" "$WORK/records.jsonl" > "$WORK/rest.json"
echo "{\"cpu_ticks\": $(( $(cpu_ticks "$SERVER") - before ))}" > "$WORK/rest-cpu.json"
stop_server

# The same records sent at the target rate (5,000 entities/s), 10 per request: the lag of a server keeping up.
PACED_RATE=$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); print(5000 * c["records"] / c["entities"])' \
             "$WORK/records-count.json")
echo "== REST at 5,000 entities/s (${PACED_RATE} messages/s)" >&2
start_server paced
before=$(cpu_ticks "$SERVER")
python3 "${ROOT}/bench/hook/post_hook.py" --port "$PORT" --batch 10 --rate "$PACED_RATE" "$WORK/records.jsonl" \
  > "$WORK/paced.json"
echo "{\"cpu_ticks\": $(( $(cpu_ticks "$SERVER") - before ))}" > "$WORK/paced-cpu.json"
stop_server

# Produced at twice the target rate (10,000 entities/s): the mock broker keeps only ~5 MB of a partition.
KAFKA_RATE=$(python3 -c 'print(2 * float(__import__("sys").argv[1]))' "$PACED_RATE")
echo "== Kafka: ATLAS_HOOK on the mock cluster, group atlas, produced at 10,000 entities/s (${KAFKA_RATE} messages/s)" >&2
"$FEEDER" "$WORK/records.jsonl" "$WORK/kafka-ready" "$WORK/kafka-go" "$KAFKA_RATE" > "$WORK/kafka-feed.json" &
FEED=$!
for _ in $(seq 300); do [[ -f "$WORK/kafka-ready" ]] && break; sleep 0.1; done
printf '[kafka]\nbootstrap_servers = "%s"\n' "$(cat "$WORK/kafka-ready")" > "$WORK/kafka.toml"
start_server kafka --config "$WORK/kafka.toml"
touch "$WORK/kafka-go"
for _ in $(seq 600); do  # the consumer has joined its group once the first record is in
  curl -sf -u admin:admin "http://127.0.0.1:$PORT/api/meridian/v1/admin/hook/failures?limit=1" \
    | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["stats"]["received"] >= 1 else 1)' && break
  sleep 0.1
done
touch "$WORK/kafka-go.all"
before=$(cpu_ticks "$SERVER")
python3 "${ROOT}/bench/hook/post_hook.py" --port "$PORT" --no-post "$WORK/records.jsonl" > "$WORK/kafka.json"
echo "{\"cpu_ticks\": $(( $(cpu_ticks "$SERVER") - before ))}" > "$WORK/kafka-cpu.json"
stop_server
kill "$FEED"; wait "$FEED" 2>/dev/null || true; FEED=""

python3 - "$WORK" <<'PY'
import json, os, sys
w = sys.argv[1]
def load(n): return json.load(open(os.path.join(w, n)))
count = load("records-count.json")
put, xap, js = load("limits-put.json"), load("limits-xapian.json"), load("limits-json.json")
hz = os.sysconf("SC_CLK_TCK")
print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end of the run")
print(f"records: {count['records']} hook messages, {count['entities']} entities "
      f"({count['entities'] / count['records']:.1f} per message)")
print(f"limits:  rocksdb-put {put['puts_per_s']:.0f} puts/s, xapian-index {xap['docs_per_s']:.0f} docs/s, "
      f"json roundtrip {js['roundtrip_per_s']:.0f}/s (1.5 KB entity)")
labels = {"rest": "REST, as fast as posted", "paced": "REST at 5,000 entities/s",
          "kafka": "Kafka at 10,000 entities/s"}
for name in ("rest", "paced", "kafka"):
    r, cpu = load(f"{name}.json"), load(f"{name}-cpu.json")
    print(labels[name] + ":")
    rate = count["entities"] / r["applied_s"]
    s = r["stats"]
    print(f"  {rate:8.0f} entities/s applied ({r['records'] / r['applied_s']:.0f} messages/s; "
          f"{r['applied_s']:.1f} s), lag p50 {s['lagP50Ms']:.0f} ms, p99 {s['lagP99Ms']:.0f} ms, "
          f"failed {s['failed']}, server CPU {cpu['cpu_ticks'] / hz / r['applied_s']:.2f} cores; "
          f"{rate / xap['docs_per_s']:.2f} x xapian-index, {rate / put['puts_per_s']:.3f} x rocksdb-put")
PY
