#!/usr/bin/env python3
"""Prints the realistic benchmark's figures as a Markdown table beside the limits measured in the same run.

Reads <work>/results.jsonl (one line per measurement, written by realistic_bench.sh) and <work>/limits-*.
"""
import argparse, json, os, re

TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def wrk_rps(path):
    m = re.search(r"Requests/sec:\s+([\d.]+)", open(path).read())
    return float(m.group(1)) if m else 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--entities", type=int)
    ap.add_argument("--duration", type=int)
    a = ap.parse_args()
    w = a.work
    put = json.load(open(f"{w}/limits-put.json"))
    xap = json.load(open(f"{w}/limits-xapian.json"))
    js = json.load(open(f"{w}/limits-json.json"))
    hello = {c: wrk_rps(f"{w}/hello-c{c}.wrk") for c in (1, 32)}
    rows = [json.loads(l) for l in open(f"{w}/results.jsonl") if l.strip()]
    ceiling_ingest = min(put["puts_per_s"], xap["docs_per_s"])

    print(f"Realistic benchmark: {a.entities} generated entities, {a.duration} s per wrk run, 2 cores.\n")
    print(f"Limits in the same run: rocksdb-put {put['puts_per_s']:,.0f}/s, xapian-index {xap['docs_per_s']:,.0f} docs/s, "
          f"json parse {js['parse_per_s']:,.0f}/s, bare Beast (http-hello) {hello[1]:,.0f} req/s at -c1, "
          f"{hello[32]:,.0f} req/s at -c32.\n")
    print("| figure | -c | result | p50 ms | p99 ms | server CPU / request | ratio to limits |")
    print("|---|---|---|---|---|---|---|")
    total_e = total_s = 0
    for r in rows:
        name = r["name"]
        if name.startswith("ingest"):
            total_e += r["entities"]
            total_s += r["seconds"]
            cpu = r["cpu_ticks"] * TICK_MS / max(1, r["entities"]) * 1000
            print(f"| {name} (1,000 a request, 2 clients) | 2 | {r['entities']:,} entities, {r['entities_per_s']:,} /s "
                  f"| {r['request_p50_ms']} | {r['request_p99_ms']} | {cpu:.0f} ms / 1,000 entities "
                  f"| {r['entities_per_s'] / ceiling_ingest:.2f} × min(rocksdb-put, xapian-index) |")
        elif name in ("rss", "catch-up", "settle"):
            continue
        else:
            if not r["requests"]:
                print(f"| {name} | {r['c']} | no response within {r['seconds']:.0f} s | | | | |")
                continue
            rps = r["requests"] / r["seconds"] if r["seconds"] else 0
            cpu = r["cpu_ticks"] * TICK_MS / max(1, r["requests"])
            ratio = ""
            if name.startswith("GET entity"):
                ratio = f"{rps / hello[32 if r['c'] > 1 else 1]:.2f} × bare Beast"
            errors = r["non2xx"] + r["socket_errors"]
            err = f", {errors} errors" if errors else ""
            cpu_s = f"{cpu * 1000:.0f} µs" if cpu < 1 else f"{cpu:.1f} ms"
            if r["cpu_ticks"] == 0 and r["c"] == 4:
                cpu_s = "(shared)"
            print(f"| {name} | {r['c']} | {rps:,.1f} req/s{err} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {cpu_s} | {ratio} |")
    if total_s:
        print(f"\nWhole catalog: {total_e:,} entities in {total_s:.1f} s = {total_e / total_s:,.0f} entities/s acknowledged.")
    catch = [r for r in rows if r["name"] == "catch-up"]
    if catch:
        print(f"Search index and propagation caught up {catch[0]['seconds']} s after the last acknowledged write.")
    settle = [r for r in rows if r["name"] == "settle"]
    if settle:
        print(f"RocksDB's flushes and compactions were done {settle[0]['seconds']} s later; reads were measured after.")
    rss = [r for r in rows if r["name"] == "rss"]
    if rss:
        print(f"RSS after the load: {rss[0]['kb'] / 1024:,.0f} MiB.")


if __name__ == "__main__":
    main()
