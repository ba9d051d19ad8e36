#!/usr/bin/env bash
# Core server benchmark: bulk ingest rate, GET-by-guid throughput, RSS and restart time,
# each beside the raw ceilings of this machine measured in the same run by ../shared/limits.
#
#   bench/core_bench.sh [--entities 1000000] [--limits-src DIR] [--duration 10]
#
# Needs: a built build/meridian, wrk, python3, and the limits sources (default ../shared/limits).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "${ROOT}/bench/lib.sh"
ENTITIES=1000000
LIMITS_SRC="${ROOT}/../shared/limits"
DURATION=10
while (($#)); do
  case "$1" in
    --entities) ENTITIES="$2"; shift 2 ;;
    --limits-src) LIMITS_SRC="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
BIN="${ROOT}/build/meridian"
WORK="$(mktemp -d /tmp/meridian-bench-XXXXXX)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
PORT=$((20000 + RANDOM % 20000))
HELLO_PORT=$((PORT + 1))
AUTH="Authorization: Basic $(printf admin:admin | base64)"

echo "== limits (same machine, same run)" >&2
build_limits "$LIMITS_SRC" "$WORK"
(cd "$WORK" && "$LIMITS" rocksdb-put --n 300000 --value-bytes 300 --batch 1000) > "$WORK/put.json"
"$LIMITS" json-roundtrip --n 50000 > "$WORK/json.json"
"$LIMITS" http-hello --port "$HELLO_PORT" --threads 2 --duration $((DURATION + 5)) > "$WORK/hello.json" &
sleep 1
wrk -t2 -c64 -d"${DURATION}s" "http://127.0.0.1:${HELLO_PORT}/" > "$WORK/hello.wrk"
wait %1 2>/dev/null || true
rm -rf "$WORK/limits-data"

echo "== generating ${ENTITIES} entities" >&2
python3 "$ROOT/bench/gen_catalog.py" --entities "$ENTITIES" > "$WORK/bodies.jsonl"

echo "== ingest through POST /entity/bulk (1000 entities a request)" >&2
"$BIN" serve --port "$PORT" --data-dir "$WORK/data" > "$WORK/server.log" 2>&1 &
SERVER=$!
wait_ready "$PORT"
python3 "$ROOT/bench/load_bodies.py" --port "$PORT" "$WORK/bodies.jsonl" > "$WORK/ingest.json"
RSS_KB=$(awk '/VmRSS/ {print $2}' /proc/$SERVER/status)

echo "== GET /entity/guid/{guid} under wrk (64 connections, ${DURATION}s)" >&2
python3 - "$WORK" "$PORT" <<'PY'
import json, sys, urllib.request, base64
work, port = sys.argv[1], sys.argv[2]
# Guids from the ingest responses are not kept; read some back by qualifiedName.
guids = []
auth = "Basic " + base64.b64encode(b"admin:admin").decode()
with open(f"{work}/bodies.jsonl") as f:
    for line in f:
        for e in json.loads(line)["entities"]:
            if e["typeName"] == "hive_table" and len(guids) < 500:
                qn = e["attributes"]["qualifiedName"]
                req = urllib.request.Request(f"http://127.0.0.1:{port}/api/atlas/v2/entity/uniqueAttribute/type/hive_table/header?attr:qualifiedName={qn}", headers={"Authorization": auth})
                guids.append(json.load(urllib.request.urlopen(req))["guid"])
        if len(guids) >= 500: break
with open(f"{work}/get.lua", "w") as out:
    out.write("local guids = {" + ",".join(f'"{g}"' for g in guids) + "}\n")
    out.write("request = function() return wrk.format('GET', '/api/atlas/v2/entity/guid/' .. guids[math.random(#guids)]) end\n")
PY
wrk -t2 -c64 -d"${DURATION}s" --latency -H "$AUTH" -s "$WORK/get.lua" "http://127.0.0.1:$PORT" > "$WORK/get.wrk"

echo "== restart to serving" >&2
kill "$SERVER"; wait "$SERVER" || true
START=$(date +%s.%N)
"$BIN" serve --port "$PORT" --data-dir "$WORK/data" >> "$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1000); do curl -sf "http://127.0.0.1:$PORT/api/atlas/admin/status" >/dev/null && break; sleep 0.01; done
END=$(date +%s.%N)
kill "$SERVER"; wait "$SERVER" || true

python3 - "$WORK" "$RSS_KB" "$START" "$END" <<'PY'
import json, re, sys
work, rss_kb, start, end = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
def wrk(path):
    t = open(path).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
    lat = {}
    for p in ("50%", "99%"):
        m = re.search(p.replace("%", r"%") + r"\s+([\d.]+)(us|ms|s)", t)
        if m:
            v = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
            lat[p] = round(v, 2)
    return rps, lat
put = json.load(open(f"{work}/put.json")); js = json.load(open(f"{work}/json.json"))
ingest = json.load(open(f"{work}/ingest.json"))
hello_rps, _ = wrk(f"{work}/hello.wrk")
get_rps, get_lat = wrk(f"{work}/get.wrk")
rows = [
    ("ingest, POST /entity/bulk x1000", f"{ingest['entities_per_s']} entities/s", f"{ingest['entities_per_s'] / put['puts_per_s']:.2f} x rocksdb-put ({put['puts_per_s']:.0f}/s)"),
    ("  (json ceiling)", f"{js['parse_per_s']:.0f} parses/s", ""),
    ("GET /entity/guid, wrk -c64", f"{get_rps:.0f} req/s p50 {get_lat.get('50%')} ms p99 {get_lat.get('99%')} ms", f"{get_rps / hello_rps:.2f} x http-hello ({hello_rps:.0f}/s)"),
    ("RSS after load", f"{rss_kb / 1024:.0f} MiB", f"{ingest['entities']} entities"),
    ("restart to serving", f"{end - start:.2f} s", ""),
]
for r in rows: print(f"{r[0]:<34} {r[1]:<44} {r[2]}")
PY
