#!/usr/bin/env python3
"""Posts JSON-lines bodies to POST /api/atlas/v2/entity/bulk over one keep-alive connection.

Prints one JSON line: entities acknowledged, seconds, entities/s, per-request p50/p99 ms.
Usage: load_bodies.py --port P FILE.jsonl
"""
import argparse, base64, http.client, json, sys, time

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--user", default="admin:admin")
    ap.add_argument("file")
    a = ap.parse_args()
    auth = "Basic " + base64.b64encode(a.user.encode()).decode()
    bodies = [line.encode() for line in open(a.file)]
    conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=600)
    entities, lat = 0, []
    start = time.perf_counter()
    for body in bodies:
        t0 = time.perf_counter()
        conn.request("POST", "/api/atlas/v2/entity/bulk", body,
                     {"Authorization": auth, "Content-Type": "application/json"})
        r = conn.getresponse()
        data = r.read()
        lat.append((time.perf_counter() - t0) * 1000)
        if r.status != 200:
            print(f"request failed: {r.status} {data[:300]!r}", file=sys.stderr)
            sys.exit(1)
        entities += len(json.loads(data).get("mutatedEntities", {}).get("CREATE", []))
    secs = time.perf_counter() - start
    lat.sort()
    print(json.dumps({"entities": entities, "seconds": round(secs, 2), "entities_per_s": round(entities / secs),
                      "request_p50_ms": round(lat[len(lat) // 2], 1), "request_p99_ms": round(lat[int(len(lat) * .99)], 1)}))

if __name__ == "__main__":
    main()
