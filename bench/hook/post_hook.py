#!/usr/bin/env python3
"""Posts hook records (one per line of FILE) to POST /api/atlas/v2/notification/topic/ATLAS_HOOK in
arrays of --batch, then waits until the server has applied them all. Prints one JSON line:
records, seconds to post, seconds until applied, and the server's hook counters."""
import argparse
import json
import time
import urllib.request
import base64


def call(url, method="GET", body=None):
    req = urllib.request.Request(url, data=body, method=method)
    req.add_header("Authorization", "Basic " + base64.b64encode(b"admin:admin").decode())
    if body is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=120) as r:
        return r.status, r.read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--rate", type=float, default=0, help="messages per second to post at (default: as fast as possible)")
    ap.add_argument("--no-post", action="store_true", help="only wait (records arrive another way)")
    ap.add_argument("--expect", type=int, default=0, help="messages to wait for (default: lines of FILE)")
    ap.add_argument("--timeout", type=float, default=600, help="seconds to wait for them")
    ap.add_argument("file")
    a = ap.parse_args()
    base = f"http://127.0.0.1:{a.port}"
    lines = [l.rstrip("\n") for l in open(a.file)]
    expect = a.expect or len(lines)
    t0 = time.time()
    if not a.no_post:
        for i in range(0, len(lines), a.batch):
            if a.rate:
                ahead = t0 + i / a.rate - time.time()
                if ahead > 0:
                    time.sleep(ahead)
            status, _ = call(base + "/api/atlas/v2/notification/topic/ATLAS_HOOK", "POST",
                             ("[" + ",".join(lines[i:i + a.batch]) + "]").encode())
            assert status == 204, status
    t_post = time.time()
    while True:
        _, body = call(base + "/api/meridian/v1/admin/hook/failures?limit=1")
        stats = json.loads(body)["stats"]
        if stats["applied"] + stats["failed"] >= expect and stats["pending"] == 0:
            break
        if time.time() - t0 > a.timeout:
            raise SystemExit(f"timeout: {stats}")
        time.sleep(0.02)
    t_done = time.time()
    print(json.dumps({"records": expect, "post_s": round(t_post - t0, 3), "applied_s": round(t_done - t0, 3),
                      "stats": stats}))


main()
