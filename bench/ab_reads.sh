#!/usr/bin/env bash
# Interleaved A/B of two server builds on a catalog kept by `realistic_bench.sh --keep DIR`: each round
# runs every figure on build A then B (B then A in odd rounds), each on a fresh server over the same
# data, with the data files read into the page cache first. Prints one line per run and the means.
#
#   bench/ab_reads.sh --work DIR --a BIN --b BIN [--rounds 3] [--duration 8] [--figures get,table,search,heavy]
#
# Figures: get = GET entity by random guid at -c32; table = GET of random tables (with their columns) at
# -c1; search = one-word basic search at -c32; heavy = GET at -c32 while 4 clients run the heavy DSL
# queries. Per run: req/s, p50 and p99 (ms), server CPU per request and context switches per request.
# The runs change nothing: the data directory is only read.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "${ROOT}/bench/lib.sh"
LUA="${ROOT}/bench/realistic/random_keys.lua"
WORK="" A="" B="" ROUNDS=3 DURATION=8 FIGURES="get,table,search,heavy"
while (($#)); do
  case "$1" in
    --work) WORK="$2"; shift 2 ;;
    --a) A="$2"; shift 2 ;;
    --b) B="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --figures) FIGURES="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -n "$WORK" && -x "$A" && -x "$B" && -d "$WORK/data" ]] || {
  echo "usage: $0 --work DIR (kept by realistic_bench.sh) --a BIN --b BIN [--rounds N] [--duration S]" >&2
  exit 2
}
PORT=$((20000 + RANDOM % 20000))
AUTH="Basic $(printf admin:admin | base64)"
SERVER="" HEAVY=""
cleanup() {
  [[ -n "$HEAVY" ]] && kill "$HEAVY" 2>/dev/null || true
  [[ -n "$SERVER" ]] && kill "$SERVER" 2>/dev/null || true
}
trap cleanup EXIT
LINES="$(mktemp /tmp/meridian-ab-XXXXXX)"

# Context switches of every thread of process PID so far.
context_switches() {
  cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ {n += $2} END {print n + 0}'
}

# wrk_json CONNECTIONS KEYS PATH_TEMPLATE SECONDS: the WRKJSON figures of one run.
wrk_json() {
  local threads=2
  (($1 == 1)) && threads=1
  KEYS_FILE="$2" PATH_TEMPLATE="$3" AUTH="$AUTH" wrk -t"$threads" -c"$1" -d"$4s" --timeout 60s -s "$LUA" \
    "http://127.0.0.1:$PORT" | grep '^WRKJSON' | cut -d' ' -f2-
}

# measure LABEL BUILD FIGURE: one run of FIGURE on a fresh server of BUILD, appended to $LINES.
measure() {
  local label="$1" bin="$2" figure="$3" conns keys template
  case "$figure" in
    get) conns=32 keys="$WORK/guids/all.txt" template='/api/atlas/v2/entity/guid/{key}' ;;
    table) conns=1 keys="$WORK/guids/hive_table.txt" template='/api/atlas/v2/entity/guid/{key}' ;;
    search) conns=32 keys="$WORK/words.txt" template='/api/atlas/v2/search/basic?query={key}&limit=10' ;;
    heavy) conns=32 keys="$WORK/guids/all.txt" template='/api/atlas/v2/entity/guid/{key}' ;;
    *) echo "unknown figure $figure" >&2; exit 2 ;;
  esac
  find "$WORK/data" -type f -exec cat {} + >/dev/null
  "$bin" serve --port "$PORT" --data-dir "$WORK/data" >/dev/null 2>&1 &
  SERVER=$!
  wait_ready "$PORT"
  wrk_json "$conns" "$keys" "$template" 3 >/dev/null  # warm-up
  if [[ "$figure" == heavy ]]; then
    KEYS_FILE="$WORK/dsl-heavy.txt" PATH_TEMPLATE='/api/atlas/v2/search/dsl?query={key}' AUTH="$AUTH" \
      wrk -t1 -c4 -d"$((DURATION + 4))s" --timeout 60s -s "$LUA" "http://127.0.0.1:$PORT" >/dev/null &
    HEAVY=$!
    sleep 2
  fi
  local cpu_before cs_before out
  cpu_before=$(cpu_ticks "$SERVER")
  cs_before=$(context_switches "$SERVER")
  out=$(wrk_json "$conns" "$keys" "$template" "$DURATION")
  python3 -c '
import json, sys
d = json.loads(sys.argv[1]); n = d["requests"]
print(json.dumps({"figure": sys.argv[2], "build": sys.argv[3], "rps": n / d["seconds"], "p50": d["p50_ms"],
                  "p99": d["p99_ms"], "cpu_us": int(sys.argv[4]) * 10000 / n, "cs": int(sys.argv[5]) / n}))' \
    "$out" "$figure" "$label" "$(($(cpu_ticks "$SERVER") - cpu_before))" "$(($(context_switches "$SERVER") - cs_before))" \
    | tee -a "$LINES" | python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
print("%-7s %s  %9.1f req/s  p50 %6.2f  p99 %7.2f ms  %6.0f us CPU  %.2f cs / request" % (
    d["figure"], d["build"], d["rps"], d["p50"], d["p99"], d["cpu_us"], d["cs"]))'
  if [[ -n "$HEAVY" ]]; then wait "$HEAVY" || true; HEAVY=""; fi
  kill "$SERVER"
  wait "$SERVER" 2>/dev/null || true
  SERVER=""
}

echo "A = $A"
echo "B = $B"
for ((round = 0; round < ROUNDS; round++)); do
  for figure in ${FIGURES//,/ }; do
    if ((round % 2 == 0)); then measure A "$A" "$figure"; measure B "$B" "$figure"
    else measure B "$B" "$figure"; measure A "$A" "$figure"; fi
  done
done
echo "== means over $ROUNDS rounds"
python3 - "$LINES" <<'EOF'
import json, sys
from collections import defaultdict
runs = defaultdict(list)
for line in open(sys.argv[1]):
    d = json.loads(line)
    runs[(d["figure"], d["build"])].append(d)
for (figure, build), rs in sorted(runs.items()):
    mean = lambda k: sum(r[k] for r in rs) / len(rs)
    print("%-7s %s  %9.1f req/s  p99 %7.2f ms (max %7.2f)  %6.0f us CPU  %.2f cs / request" % (
        figure, build, mean("rps"), mean("p99"), max(r["p99"] for r in rs), mean("cpu_us"), mean("cs")))
EOF
rm -f "$LINES"
