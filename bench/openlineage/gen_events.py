#!/usr/bin/env python3
"""Distinct OpenLineage events for bench/openlineage_bench.sh, one JSON a line.

Each run of a job is a START (no datasets) then a COMPLETE reading two datasets and writing a
third, with 6-column schemas and a columnLineage facet for every output column. Half the jobs
are Spark-shaped (storage-location names with a symlink to a Hive table), half dbt-shaped
(Postgres tables). Jobs and datasets repeat across runs, as in a real lake; every event is new
(its own runId and eventTime), so none is a re-delivery.

    gen_events.py --events N --jobs J --datasets D --tag T > events.jsonl
"""
import argparse
import json
import uuid

COLUMNS = ["id", "customer_id", "amount", "currency", "created_at", "region"]


def dataset(i, spark):
    if spark:
        return {"namespace": "s3://bench-lake", "name": f"warehouse/bench.db/t{i}",
                "symlinks": {"identifiers": [{"namespace": "hive://metastore1:9083", "name": f"bench.t{i}", "type": "TABLE"}]}}
    return {"namespace": "postgres://db1:5432", "name": f"analytics.public.t{i}"}


def with_facets(d, lineage_from=None):
    facets = {"schema": {"fields": [{"name": c, "type": "string"} for c in COLUMNS]}}
    if "symlinks" in d:
        facets["symlinks"] = d["symlinks"]
    if lineage_from:
        facets["columnLineage"] = {"fields": {
            c: {"inputFields": [{"namespace": s["namespace"], "name": s["name"], "field": c,
                                 "transformations": [{"type": "DIRECT", "subtype": "IDENTITY"}]} for s in lineage_from]}
            for c in COLUMNS}}
    return {"namespace": d["namespace"], "name": d["name"], "facets": facets}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=20000)
    ap.add_argument("--jobs", type=int, default=500)
    ap.add_argument("--datasets", type=int, default=1500)
    ap.add_argument("--tag", default="a")
    a = ap.parse_args()
    for k in range(a.events // 2):
        j = k % a.jobs
        spark = j % 2 == 0
        ins = [dataset((j * 7 + x) % a.datasets, spark) for x in (0, 1)]
        out = dataset((j * 7 + 2) % a.datasets, spark)
        run_id = str(uuid.UUID(int=int.from_bytes(a.tag.encode()[:4].ljust(4, b"\0"), "big") << 96 | k))
        job = {"namespace": "spark-bench" if spark else "dbt-bench", "name": f"bench_job_{j}",
               "facets": {"jobType": {"processingType": "BATCH", "integration": "SPARK" if spark else "DBT", "jobType": "SQL_JOB"},
                          "sql": {"query": f"INSERT INTO t{j} SELECT * FROM a JOIN b", "dialect": "spark"}}}
        base = {"producer": "https://github.com/OpenLineage/OpenLineage/tree/1.40.0/integration/spark",
                "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
                "run": {"runId": run_id, "facets": {}}, "job": job}
        second = k % 3600
        start = dict(base, eventType="START", eventTime=f"2026-03-02T10:{second // 60:02d}:{second % 60:02d}.000Z",
                     inputs=[], outputs=[])
        complete = dict(base, eventType="COMPLETE", eventTime=f"2026-03-02T11:{second // 60:02d}:{second % 60:02d}.000Z",
                        inputs=[with_facets(d) for d in ins], outputs=[with_facets(out, ins)])
        print(json.dumps(start, separators=(",", ":")))
        print(json.dumps(complete, separators=(",", ":")))


if __name__ == "__main__":
    main()
