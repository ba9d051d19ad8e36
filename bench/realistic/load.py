#!/usr/bin/env python3
"""Posts JSON-lines bodies to POST /api/atlas/v2/entity/bulk from N concurrent keep-alive clients.

Each client takes the next body in file order. Prints one JSON line: entities acknowledged (CREATE), seconds,
entities/s, per-request p50/p99 ms. With --guids DIR, appends the created guids to DIR/<typeName>.txt.
With --rate R, bodies are sent no faster than R entities/s in total (a paced, sustained load).
Usage: load.py --port P [--clients 2] [--rate R] [--guids DIR] FILE.jsonl
"""
import argparse, base64, http.client, json, os, sys, threading, time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--user", default="admin:admin")
    ap.add_argument("--clients", type=int, default=2)
    ap.add_argument("--guids")
    ap.add_argument("--rate", type=float, default=0)
    ap.add_argument("file")
    a = ap.parse_args()
    auth = "Basic " + base64.b64encode(a.user.encode()).decode()
    bodies = [line.encode() for line in open(a.file)]
    # Entities sent before body i, for pacing.
    sent_before, total = [], 0
    for b in bodies:
        sent_before.append(total)
        total += len(json.loads(b).get("entities", [])) if a.rate else 0
    lock = threading.Lock()
    state = {"next": 0, "entities": 0, "failed": None}
    lat, created = [], {}

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=600)
        while True:
            with lock:
                i = state["next"]
                state["next"] += 1
                if i >= len(bodies) or state["failed"]:
                    return
            if a.rate:
                wait = start + sent_before[i] / a.rate - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
            t0 = time.perf_counter()
            conn.request("POST", "/api/atlas/v2/entity/bulk", bodies[i],
                         {"Authorization": auth, "Content-Type": "application/json"})
            r = conn.getresponse()
            data = r.read()
            ms = (time.perf_counter() - t0) * 1000
            if r.status != 200:
                with lock:
                    state["failed"] = f"request {i} failed: {r.status} {data[:300]!r}"
                return
            made = json.loads(data).get("mutatedEntities", {}).get("CREATE", [])
            with lock:
                lat.append(ms)
                state["entities"] += len(made)
                if a.guids:
                    for h in made:
                        created.setdefault(h["typeName"], []).append(h["guid"])

    start = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(a.clients)]
    for t in threads: t.start()
    for t in threads: t.join()
    secs = time.perf_counter() - start
    if state["failed"]:
        print(state["failed"], file=sys.stderr)
        sys.exit(1)
    if a.guids:
        os.makedirs(a.guids, exist_ok=True)
        for type_name, guids in created.items():
            with open(os.path.join(a.guids, f"{type_name}.txt"), "a") as f:
                f.write("\n".join(guids) + "\n")
    lat.sort()
    print(json.dumps({"entities": state["entities"], "seconds": round(secs, 2),
                      "entities_per_s": round(state["entities"] / secs),
                      "request_p50_ms": round(lat[len(lat) // 2], 1), "request_p99_ms": round(lat[int(len(lat) * .99)], 1)}))


if __name__ == "__main__":
    main()
