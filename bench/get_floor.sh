#!/usr/bin/env bash
# GET by guid, layer by layer: on a catalog kept by bench/realistic_bench.sh --keep DIR, wrk -t2 -c32 on
# random guids against
#   the bare Beast server of ../shared/limits (the ceiling),
#   get_floor's /floor/hello, /floor/record, /floor/record-edges and /floor/entity (Meridian's HTTP
#   server and worker pool, no authentication or routing; see bench/get_floor.cc),
#   the real server's GET /api/atlas/v2/entity/guid/{guid},
# each with the server's CPU per request and its ratio to the bare server, all in this run.
#
#   bench/get_floor.sh --work DIR [--duration 10] [--limits-src DIR]
# Needs: build/meridian, wrk, cmake, and DIR from realistic_bench.sh (DIR/data and DIR/guids/all.txt).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "${ROOT}/bench/lib.sh"
WORK=""
DURATION=10
LIMITS_SRC="${ROOT}/../shared/limits"
while (($#)); do
  case "$1" in
    --work) WORK="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --limits-src) LIMITS_SRC="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -d "$WORK/data" && -f "$WORK/guids/all.txt" ]] || { echo "--work DIR must hold data/ and guids/all.txt" >&2; exit 2; }
WORK="$(cd "$WORK" && pwd)"
cmake --build "${ROOT}/build" --target get_floor meridian -j2 >/dev/null
build_limits "$LIMITS_SRC" "$WORK"
PORT=$((20000 + RANDOM % 20000))
AUTH="Basic $(printf admin:admin | base64)"
SERVER=""
trap '[[ -n "$SERVER" ]] && kill "$SERVER" 2>/dev/null; kill $(jobs -p) 2>/dev/null || true' EXIT

# rate PATH_TEMPLATE SECONDS: wrk's requests per second on random guids.
rate() {
  KEYS_FILE="$WORK/guids/all.txt" PATH_TEMPLATE="$1" AUTH="$AUTH" \
    wrk -t2 -c32 -d"$2s" --timeout 60s -s "${ROOT}/bench/realistic/random_keys.lua" "http://127.0.0.1:$PORT" |
    awk '/Requests\/sec/ {print $2}'
}
# measure NAME PATH_TEMPLATE: a warm-up, then the measured run with the server's CPU per request.
measure() {
  rate "$2" 4 >/dev/null
  local before after rps
  before=$(cpu_ticks "$SERVER")
  rps=$(rate "$2" "$DURATION")
  after=$(cpu_ticks "$SERVER")
  python3 -c "import sys; n, r, t, b = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]);
print(f'{n:<34} {r:>9,.0f} req/s  {t * 10000 / (r * $DURATION):>5.0f} us CPU/request  {r / b:.2f} x bare Beast')" \
    "$1" "$rps" "$((after - before))" "$BARE"
}

"$LIMITS" http-hello --port "$PORT" --threads 2 --duration $((DURATION + 5)) >/dev/null &
sleep 1
BARE=$(wrk -t2 -c32 -d"${DURATION}s" "http://127.0.0.1:$PORT/" | awk '/Requests\/sec/ {print $2}')
wait
printf '%-34s %9.0f req/s\n' "bare Beast (../shared/limits)" "$BARE"

"${ROOT}/build/bench/get_floor" --data-dir "$WORK/data" --port "$PORT" --seconds 600 2>/dev/null &
SERVER=$!
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$PORT/floor/hello/x" >/dev/null && break; sleep 0.1; done
for layer in hello record record-edges entity; do measure "get_floor /floor/$layer" "/floor/$layer/{key}"; done
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true

"${ROOT}/build/meridian" serve --port "$PORT" --data-dir "$WORK/data" >"$WORK/get-floor-server.log" 2>&1 &
SERVER=$!
wait_ready "$PORT"
measure "meridian GET /entity/guid" "/api/atlas/v2/entity/guid/{key}"
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
SERVER=""
