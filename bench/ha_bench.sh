#!/usr/bin/env bash
# High-availability benchmark: a ZooKeeper, a leader and a follower on this machine.
#  1. A generated warehouse's tables and columns are written to the leader at a paced, sustained rate
#     (--rate entities/s, 2 clients), while a probe measures the replication lag a client sees (write
#     on the leader, read on the follower with X-Meridian-Read-After). Its processes and column
#     lineage follow, unpaced.
#  2. Once both members are idle: GET by random guid and lineage BOTH depth 3 over random tables,
#     with wrk -c32, against the leader and the follower in turn, twice: requests/s and each
#     process's CPU per request (one machine cannot show N machines' throughput; CPU per request
#     says what each member costs).
# Beside ../shared/limits (bare Beast http-hello) measured in the same run.
#
#   bench/ha_bench.sh [--entities 100000] [--rate 5000] [--duration 10] [--limits-src DIR] [--keep DIR]
# Needs: build/meridian, java + Debian's zookeeper, wrk, python3, cmake.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "${ROOT}/bench/lib.sh"
HERE="${ROOT}/bench/realistic"
ENTITIES=100000
RATE=5000
DURATION=10
LIMITS_SRC="${ROOT}/../shared/limits"
KEEP=""
while (($#)); do
  case "$1" in
    --entities) ENTITIES="$2"; shift 2 ;;
    --rate) RATE="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --limits-src) LIMITS_SRC="$2"; shift 2 ;;
    --keep) KEEP="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
BIN="${MERIDIAN_BIN:-${ROOT}/build/meridian}"  # MERIDIAN_BIN: another build of the binary
if [[ -n "$KEEP" ]]; then mkdir -p "$KEEP"; WORK="$(cd "$KEEP" && pwd)"; else WORK="$(mktemp -d /tmp/meridian-ha-bench-XXXXXX)"; fi
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  kill $(jobs -p) 2>/dev/null || true
  wait 2>/dev/null || true
  if [[ -z "$KEEP" ]]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
BASE=$((20000 + RANDOM % 20000))
ZK_PORT=$BASE; LEADER=$((BASE + 1)); FOLLOWER=$((BASE + 2)); HELLO_PORT=$((BASE + 3))
AUTH="Basic $(printf admin:admin | base64)"
status() { curl -sf "http://127.0.0.1:$1/api/atlas/admin/status" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["Status"])' 2>/dev/null || true; }

echo "== limits (same machine, same run): $LIMITS_SRC" >&2
build_limits "$LIMITS_SRC" "$WORK"
"$LIMITS" http-hello --port "$HELLO_PORT" --threads 2 --duration $((DURATION + 5)) > /dev/null &
HELLO=$!
sleep 1
wrk -t2 -c32 -d"${DURATION}s" "http://127.0.0.1:${HELLO_PORT}/" > "$WORK/hello-c32.wrk"
kill -INT "$HELLO" 2>/dev/null || true; wait "$HELLO" 2>/dev/null || true

echo "== ZooKeeper on 127.0.0.1:$ZK_PORT, leader on $LEADER, follower on $FOLLOWER" >&2
mkdir -p "$WORK/zk"
printf 'tickTime=500\ndataDir=%s/zk/data\nclientPort=%s\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n4lw.commands.whitelist=ruok\n' \
  "$WORK" "$ZK_PORT" > "$WORK/zk/zoo.cfg"
java -Xmx128m -XX:+UseSerialGC -cp /etc/zookeeper/conf:/usr/share/java/zookeeper.jar \
  org.apache.zookeeper.server.ZooKeeperServerMain "$WORK/zk/zoo.cfg" > "$WORK/zk/zk.log" 2>&1 &
PIDS+=($!)
zk_ok() { python3 -c 'import socket,sys; s=socket.create_connection(("127.0.0.1",int(sys.argv[1])),1); s.sendall(b"ruok"); print(s.recv(4).decode())' "$ZK_PORT" 2>/dev/null || true; }
for _ in $(seq 100); do [[ "$(zk_ok)" == imok ]] && break; sleep 0.2; done
start_member() {  # id port
  MERIDIAN_CLUSTER_SECRET=bench "$BIN" serve --port "$2" --data-dir "$WORK/$1" --ha-zookeeper "127.0.0.1:$ZK_PORT" \
    --ha-server-id "$1" --ha-url "http://127.0.0.1:$2" > "$WORK/$1.log" 2>&1 &
  PIDS+=($!)
  eval "PID_$1=$!"
}
start_member m1 "$LEADER"
for _ in $(seq 200); do [[ "$(status "$LEADER")" == ACTIVE ]] && break; sleep 0.1; done
start_member m2 "$FOLLOWER"
for _ in $(seq 300); do [[ "$(status "$FOLLOWER")" == PASSIVE ]] && break; sleep 0.1; done
[[ "$(status "$LEADER")" == ACTIVE && "$(status "$FOLLOWER")" == PASSIVE ]] || { echo "cluster did not form" >&2; exit 1; }

echo "== generating ${ENTITIES} entities" >&2
python3 "$HERE/gen_warehouse.py" --entities "$ENTITIES" --out "$WORK/bodies"

echo "== the tables and columns, written to the leader at ${RATE} entities/s while probing the lag" >&2
python3 "$ROOT/bench/ha/lag_probe.py" --leader "$LEADER" --follower "$FOLLOWER" --until-file "$WORK/load-done" > "$WORK/lag.json" &
PROBE=$!
L0=$(cpu_ticks "$PID_m1"); F0=$(cpu_ticks "$PID_m2")
python3 "$HERE/load.py" --port "$LEADER" --clients 2 --rate "$RATE" --guids "$WORK/guids" "$WORK/bodies/tables.jsonl" > "$WORK/ingest.jsonl"
echo "{\"leader_ticks\": $(( $(cpu_ticks "$PID_m1") - L0 )), \"follower_ticks\": $(( $(cpu_ticks "$PID_m2") - F0 ))}" > "$WORK/load-cpu.json"
touch "$WORK/load-done"
wait "$PROBE"
echo "== the processes and column lineage, unpaced" >&2
python3 "$HERE/load.py" --port "$LEADER" --clients 2 --guids "$WORK/guids" "$WORK/bodies/processes.jsonl" > "$WORK/ingest-processes.jsonl"

echo "== waiting until both members are idle (log applied, index and propagation caught up)" >&2
position() { curl -sf -H "Authorization: $AUTH" "http://127.0.0.1:$1/api/meridian/v1/admin/cluster" | python3 -c 'import json,sys; print(json.load(sys.stdin)["logPosition"])'; }
gauge() { curl -sf -H "Authorization: $AUTH" "http://127.0.0.1:$1/api/meridian/v1/metrics/prometheus" | awk -v n="$2" '$1 == n {print int($2)}'; }
for _ in $(seq 1200); do
  if [[ "$(position "$FOLLOWER")" -ge "$(position "$LEADER")" && "$(gauge "$LEADER" meridian_index_lag_sequences)" == 0 &&
        "$(gauge "$FOLLOWER" meridian_index_lag_sequences)" == 0 && "$(gauge "$LEADER" meridian_propagation_pending)" == 0 ]]; then
    break
  fi
  sleep 0.5
done
sleep 5  # flushes and compactions that follow the load

G="$WORK/guids"
cat "$G"/*.txt > "$G/all.txt"
: > "$WORK/reads.jsonl"
read_run() {  # name port pid keys template
  local before after out
  before=$(cpu_ticks "$3")
  out=$(KEYS_FILE="$4" PATH_TEMPLATE="$5" AUTH="$AUTH" \
        wrk -t2 -c32 -d"${DURATION}s" --timeout 60s -s "$HERE/random_keys.lua" "http://127.0.0.1:$2" | grep '^WRKJSON' | cut -d' ' -f2-)
  after=$(cpu_ticks "$3")
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d.update(name=sys.argv[2], cpu_ticks=int(sys.argv[3])); print(json.dumps(d))' \
    "$out" "$1" "$((after - before))" >> "$WORK/reads.jsonl"
}
echo "== reads, -c32, ${DURATION}s each: leader, follower, twice" >&2
for who in leader follower leader follower; do
  if [[ $who == leader ]]; then port=$LEADER; pid=$PID_m1; else port=$FOLLOWER; pid=$PID_m2; fi
  read_run "GET entity by guid ($who)" "$port" "$pid" "$G/all.txt" "/api/atlas/v2/entity/guid/{key}"
  read_run "lineage BOTH depth 3 ($who)" "$port" "$pid" "$G/hive_table.txt" "/api/atlas/v2/lineage/{key}?direction=BOTH&depth=3"
done

python3 - "$WORK" "$ENTITIES" "$RATE" "$DURATION" <<'PY'
import json, os, re, sys
work, entities, rate, duration = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
hello = float(re.search(r"Requests/sec:\s+([\d.]+)", open(f"{work}/hello-c32.wrk").read()).group(1))
ingest = [json.loads(l) for l in open(f"{work}/ingest.jsonl") if l.strip()]
processes = [json.loads(l) for l in open(f"{work}/ingest-processes.jsonl") if l.strip()]
lag = json.load(open(f"{work}/lag.json"))
reads = {}
for r in (json.loads(l) for l in open(f"{work}/reads.jsonl") if l.strip()):
    acc = reads.setdefault(r["name"], {"requests": 0, "seconds": 0.0, "cpu_ticks": 0, "p50": [], "p99": []})
    acc["requests"] += r["requests"]; acc["seconds"] += r["seconds"]; acc["cpu_ticks"] += r["cpu_ticks"]
    acc["p50"].append(r["p50_ms"]); acc["p99"].append(r["p99_ms"])
n = sum(i["entities"] for i in ingest); s = sum(i["seconds"] for i in ingest)
print(f"HA benchmark: leader + follower + ZooKeeper on one 2-core machine, {entities} generated entities.\n")
print(f"Limits in the same run: bare Beast (http-hello) {hello:,.0f} req/s at -c32.\n")
print(f"Sustained write load on the leader (tables and columns, paced at {rate:,}/s, 2 clients): {n:,} entities in {s:.1f} s = {n / s:,.0f} entities/s acknowledged.")
load_cpu = json.load(open(f"{work}/load-cpu.json"))
tick_s = 1 / os.sysconf("SC_CLK_TCK")
print(f"CPU during the paced load: leader {load_cpu['leader_ticks'] * tick_s / s:.2f} cores "
      f"({load_cpu['leader_ticks'] * tick_s * 1e6 / n:,.0f} µs per entity written), follower "
      f"{load_cpu['follower_ticks'] * tick_s / s:.2f} cores ({load_cpu['follower_ticks'] * tick_s * 1e6 / n:,.0f} µs per entity applied and indexed).")
pn = sum(i["entities"] for i in processes); ps = sum(i["seconds"] for i in processes)
print(f"Then processes and column lineage, unpaced: {pn:,} entities in {ps:.1f} s = {pn / ps:,.0f}/s.\n")
print(f"Replication lag seen by a client (write on the leader, read on the follower with X-Meridian-Read-After), "
      f"{lag['samples']} samples during the paced load: p50 {lag['lag_p50_ms']} ms, p99 {lag['lag_p99_ms']} ms, "
      f"max {lag['lag_max_ms']} ms; reads not served in time: {lag['not_in_time']}.\n")
print("Reads at -c32 on an idle cluster, each member measured twice in turn (figures summed over both runs; p50/p99 per run):\n")
print("| reads at -c32 | member | req/s | p50 ms | p99 ms | server CPU / request | req/s vs bare Beast |")
print("|---|---|---|---|---|---|---|")
cpu = {}
for name, r in reads.items():
    per = r["cpu_ticks"] * tick_ms * 1000 / max(1, r["requests"])
    base, who = name.rsplit(" (", 1)
    who = who.rstrip(")")
    cpu[(base, who)] = per
    rps = r["requests"] / r["seconds"]
    p50 = " / ".join(f"{v:.1f}" for v in r["p50"]); p99 = " / ".join(f"{v:.1f}" for v in r["p99"])
    print(f"| {base} | {who} | {rps:,.0f} | {p50} | {p99} | {per:,.0f} µs | {rps / hello:.2f} |")
print()
for base in sorted({b for b, _ in cpu}):
    l, f = cpu.get((base, "leader")), cpu.get((base, "follower"))
    if l and f:
        print(f"{base}: follower CPU per request = {f / l:.2f} x the leader's")
PY
