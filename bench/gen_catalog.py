#!/usr/bin/env python3
"""Writes a generated Hive catalog as POST /api/atlas/v2/entity/bulk bodies (one JSON per line).

Databases, tables with 8-40 columns, and every 10th table produced by a hive_process from two others,
with realistic names. Usage: gen_catalog.py --entities N [--per-request 1000] > bodies.jsonl
"""
import argparse, json, random

WORDS = ("sales orders customers trips zones payments events sessions clicks users accounts invoices "
         "products inventory shipments returns ledger campaigns leads devices sensors logs metrics "
         "daily hourly raw clean agg fact dim stg").split()
COLS = ("id user_id customer_id order_id amount price quantity created_at updated_at status country city "
        "zip email phone name description category source_system load_ts event_time device_id session_id "
        "currency discount tax total region channel").split()
TYPES = ["int", "bigint", "string", "double", "timestamp", "decimal(10,2)", "boolean", "date"]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--entities", type=int, default=100000)
    ap.add_argument("--per-request", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    cluster = "bench"
    batch, made, ph, tables_done = [], 0, 0, []
    db_count = 0

    def flush():
        nonlocal batch
        if batch:
            print(json.dumps({"entities": batch}, separators=(",", ":")))
            batch = []

    while made < a.entities:
        db = f"{rnd.choice(WORDS)}_{db_count}"
        db_count += 1
        db_qn = f"{db}@{cluster}"
        for t in range(200):
            if made >= a.entities:
                break
            name = f"{rnd.choice(WORDS)}_{rnd.choice(WORDS)}_{t}"
            ncols = rnd.randint(8, 40)
            if len(batch) + ncols + 3 > a.per_request:
                flush()
            ph += 1
            tref = f"-{ph}"
            table_qn = f"{db}.{name}@{cluster}"
            batch.append({"typeName": "hive_table", "guid": tref, "attributes": {
                "qualifiedName": table_qn, "name": name, "owner": rnd.choice(["etl", "analytics", "ingest"]),
                "tableType": rnd.choice(["MANAGED_TABLE", "EXTERNAL_TABLE"]), "createTime": 1700000000000 + made,
                "description": f"{name.replace('_', ' ')} table of {db}",
                "db": {"typeName": "hive_db", "uniqueAttributes": {"qualifiedName": db_qn}}}})
            if t == 0:
                batch.insert(len(batch) - 1, {"typeName": "hive_db", "attributes": {
                    "qualifiedName": db_qn, "name": db, "clusterName": cluster, "owner": "hive"}})
                made += 1
            made += 1
            for c in range(ncols):
                col = f"{rnd.choice(COLS)}_{c}"
                batch.append({"typeName": "hive_column", "attributes": {
                    "qualifiedName": f"{db}.{name}.{col}@{cluster}", "name": col, "type": rnd.choice(TYPES),
                    "position": c, "table": {"guid": tref, "typeName": "hive_table"}}})
                made += 1
            tables_done.append(table_qn)
            if len(tables_done) >= 3 and t % 10 == 9:
                ins = rnd.sample(tables_done[-20:-1] if len(tables_done) > 20 else tables_done[:-1], 2)
                batch.append({"typeName": "hive_process", "attributes": {
                    "qualifiedName": f"{table_qn}:{1700000000000 + made}", "name": f"insert into {name}",
                    "operationType": "QUERY", "queryText": f"insert into {name} select * from ...",
                    "queryPlan": "{}", "queryId": f"q{made}", "userName": "etl",
                    "startTime": 1700000000000, "endTime": 1700000001000,
                    "inputs": [{"typeName": "hive_table", "uniqueAttributes": {"qualifiedName": q}} for q in ins],
                    "outputs": [{"typeName": "hive_table", "uniqueAttributes": {"qualifiedName": table_qn}}]}})
                made += 1
        flush()
    flush()

if __name__ == "__main__":
    main()
