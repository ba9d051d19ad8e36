#!/usr/bin/env python3
"""Measures replication lag as a client sees it, while other load runs.

Every --every-ms: creates one small entity on the leader, takes the log position its
answer carries (X-Meridian-Log-Position), and reads the entity from the follower with
X-Meridian-Read-After: that position. The follower answers once it holds the write, so
the read's latency is the time from the leader's acknowledgement to the follower holding
it (plus one loopback round trip). Runs for --seconds, or until the file --until-file exists; prints one JSON line with the
samples' p50/p99/max in ms and how many reads the follower could not serve in time.
Usage: lag_probe.py --leader PORT --follower PORT [--seconds 30 | --until-file PATH] [--every-ms 100]
"""
import argparse, base64, http.client, json, os, time, uuid


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--leader", type=int, required=True)
    ap.add_argument("--follower", type=int, required=True)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--every-ms", type=float, default=100)
    ap.add_argument("--until-file")
    a = ap.parse_args()
    auth = {"Authorization": "Basic " + base64.b64encode(b"admin:admin").decode()}
    leader = http.client.HTTPConnection("127.0.0.1", a.leader, timeout=60)
    follower = http.client.HTTPConnection("127.0.0.1", a.follower, timeout=60)
    lags, late = [], 0
    end = time.time() + (a.seconds if not a.until_file else 24 * 3600)
    while time.time() < end and not (a.until_file and os.path.exists(a.until_file)):
        t_next = time.perf_counter() + a.every_ms / 1000
        name = "lag_probe_" + uuid.uuid4().hex[:12]
        body = json.dumps({"entity": {"typeName": "hive_db", "attributes": {
            "qualifiedName": name + "@probe", "name": name, "clusterName": "probe"}}})
        leader.request("POST", "/api/atlas/v2/entity", body, {**auth, "Content-Type": "application/json"})
        r = leader.getresponse()
        data = r.read()
        if r.status != 200:
            raise SystemExit(f"probe write failed: {r.status} {data[:200]!r}")
        position = r.getheader("X-Meridian-Log-Position")
        guid = next(iter(json.loads(data)["mutatedEntities"].values()))[0]["guid"]
        t0 = time.perf_counter()
        follower.request("GET", f"/api/atlas/v2/entity/guid/{guid}", headers={**auth, "X-Meridian-Read-After": position})
        fr = follower.getresponse()
        fr.read()
        if fr.status == 200:
            lags.append((time.perf_counter() - t0) * 1000)
        else:
            late += 1
        time.sleep(max(0, t_next - time.perf_counter()))
    lags.sort()
    pick = lambda q: round(lags[min(len(lags) - 1, int(len(lags) * q))], 1) if lags else None
    print(json.dumps({"samples": len(lags), "not_in_time": late, "lag_p50_ms": pick(0.5), "lag_p99_ms": pick(0.99),
                      "lag_max_ms": round(lags[-1], 1) if lags else None}))


if __name__ == "__main__":
    main()
