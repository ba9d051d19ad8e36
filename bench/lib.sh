# Shared by the bench/*.sh scripts (sourced, not run): this machine's limits, server start-up and CPU figures.

# cpu_ticks PID: user + system CPU the process has used so far, in clock ticks (1/100 s).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# wait_ready PORT [TRIES]: polls the status of the server on 127.0.0.1:PORT every 0.1 s, TRIES times
# (default 300); returns 1, with a message, if it never answered.
wait_ready() {
  for _ in $(seq "${2:-300}"); do
    curl -sf "http://127.0.0.1:$1/api/atlas/admin/status" >/dev/null && return 0
    sleep 0.1
  done
  echo "the server on port $1 did not answer" >&2
  return 1
}

# build_limits SRC DIR: builds ../shared/limits from SRC into DIR/limits-build; sets LIMITS to the binary.
build_limits() {
  cmake -S "$1" -B "$2/limits-build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$2/limits-build" -j2 >/dev/null
  LIMITS="$2/limits-build/limits"
}

# store_limits DIR: RocksDB puts (batches of 1,000), Xapian indexing and JSON round trips on this machine,
# into DIR/limits-put.json, DIR/limits-xapian.json and DIR/limits-json.json. Needs build_limits first.
store_limits() {
  (cd "$1" && "$LIMITS" rocksdb-put --n 300000 --value-bytes 300 --batch 1000) > "$1/limits-put.json"
  (cd "$1" && "$LIMITS" xapian-index --n 50000) > "$1/limits-xapian.json"
  rm -rf "$1/limits-data"
  "$LIMITS" json-roundtrip --n 50000 > "$1/limits-json.json"
}
