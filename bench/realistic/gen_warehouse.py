#!/usr/bin/env python3
"""Generates a Hive-warehouse-shaped catalog as POST /api/atlas/v2/entity/bulk bodies (one JSON per line).

Shape per 1M entities (the proportions of a production warehouse): ~133 hive_db, ~70,000 hive_table with
4-16 hive_column each (~10 on average), ~64,000 hive_process (INSERT ... SELECT from 1-3 earlier tables of
the same or a neighbouring database into one table) and ~2.5 hive_column_lineage per process (one per
written column, reading 1-2 columns of the inputs). Tables form layered pipelines, so a table's lineage
BOTH depth 3 holds ~50 nodes.

Writes two files: <out>/tables.jsonl (databases, tables, columns) and <out>/processes.jsonl (processes and
their column lineage, referring to tables and columns by qualifiedName), so each kind's ingest rate can be
measured. Usage: gen_warehouse.py --entities N --out DIR [--per-request 1000] [--seed 7]
"""
import argparse, json, os, random

WORDS = ("sales orders customers trips zones payments events sessions clicks users accounts invoices products "
         "inventory shipments returns ledger campaigns leads devices sensors logs metrics marketing finance "
         "billing support tickets reviews ratings vendors suppliers warehouse stores regions employees payroll "
         "contracts claims policies quotes subscriptions churn forecast budget expenses transfers fraud risk").split()
LAYERS = ["raw", "stg", "clean", "agg", "rpt"]
COLS = ("id user_id customer_id order_id amount price quantity created_at updated_at status country city zip "
        "email phone name description category source_system load_ts event_time device_id session_id currency "
        "discount tax total region channel").split()
TYPES = ["int", "bigint", "string", "double", "timestamp", "decimal(10,2)", "boolean", "date"]
CLUSTER = "prod"
# Entities per table, including its share of processes and column lineage: 1 table + ~10.06 columns
# + 0.914 processes + 2.29 column lineages.
PER_TABLE = 14.27


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--entities", type=int, default=100000)
    ap.add_argument("--per-request", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    n_tables = max(10, int(a.entities / PER_TABLE))
    tables_per_db = 526
    n_dbs = max(1, (n_tables + tables_per_db - 1) // tables_per_db)

    # ---- databases, tables, columns ----
    tables = []  # (qualifiedName, [column names], db index, layer)
    out = open(os.path.join(a.out, "tables.jsonl"), "w")
    batch, ph, made = [], 0, 0

    def flush(f):
        nonlocal batch
        if batch:
            f.write(json.dumps({"entities": batch}, separators=(",", ":")))
            f.write("\n")
            batch = []

    t_index = 0
    for d in range(n_dbs):
        db = f"{WORDS[d % len(WORDS)]}_{d}"
        db_qn = f"{db}@{CLUSTER}"
        in_db = min(tables_per_db, n_tables - t_index)
        for t in range(in_db):
            layer = min(len(LAYERS) - 1, t * len(LAYERS) // in_db)
            name = f"{LAYERS[layer]}_{rnd.choice(WORDS)}_{rnd.choice(WORDS)}_{t}"
            ncols = rnd.randint(4, 16)
            if len(batch) + ncols + 2 > a.per_request:
                flush(out)
            if t == 0 or not batch:
                # Every request that refers to the database carries it (an upsert after the first).
                batch.append({"typeName": "hive_db", "attributes": {
                    "qualifiedName": db_qn, "name": db, "clusterName": CLUSTER, "owner": "hive",
                    "description": f"{db.replace('_', ' ')} warehouse database", "location": f"hdfs://nn/warehouse/{db}.db"}})
                if t == 0:
                    made += 1
            ph += 1
            tref = f"-{ph}"
            table_qn = f"{db}.{name}@{CLUSTER}"
            batch.append({"typeName": "hive_table", "guid": tref, "attributes": {
                "qualifiedName": table_qn, "name": name, "owner": rnd.choice(["etl", "analytics", "ingest", "bi"]),
                "tableType": rnd.choice(["MANAGED_TABLE", "EXTERNAL_TABLE"]), "createTime": 1700000000000 + made,
                "lastAccessTime": 1700000000000 + made, "temporary": False,
                "description": f"{name.replace('_', ' ')} table of {db}",
                "parameters": {"transient_lastDdlTime": str(1700000000 + made), "numFiles": str(rnd.randint(1, 500))},
                "db": {"typeName": "hive_db", "uniqueAttributes": {"qualifiedName": db_qn}}}})
            made += 1
            cols = []
            for c in range(ncols):
                col = f"{rnd.choice(COLS)}_{c}"
                cols.append(col)
                batch.append({"typeName": "hive_column", "attributes": {
                    "qualifiedName": f"{db}.{name}.{col}@{CLUSTER}", "name": col, "type": rnd.choice(TYPES),
                    "position": c, "owner": "etl", "comment": f"{col.replace('_', ' ')} of {name}",
                    "table": {"guid": tref, "typeName": "hive_table"}}})
                made += 1
            tables.append((table_qn, cols, d, layer))
            t_index += 1
        flush(out)
    flush(out)
    out.close()

    # ---- processes with column lineage ----
    out = open(os.path.join(a.out, "processes.jsonl"), "w")
    by_db_layer = {}
    for i, (qn, cols, d, layer) in enumerate(tables):
        by_db_layer.setdefault((d, layer), []).append(i)
    n_procs = int(n_tables * 0.914)
    writers = [i for i, t in enumerate(tables) if t[3] > 0]
    rnd.shuffle(writers)
    procs = 0
    seen_qn = set()
    while procs < n_procs and writers:
        target = writers[procs % len(writers)]
        qn, cols, d, layer = tables[target]
        # Inputs: 1-3 tables of the layer below, mostly the same database, sometimes the neighbouring one.
        srcs = []
        for _ in range(rnd.choice([1, 2, 2, 3])):
            dd = d if rnd.random() < 0.85 or d == 0 else d - 1
            pool = by_db_layer.get((dd, layer - 1)) or by_db_layer.get((d, layer - 1))
            if pool:
                srcs.append(rnd.choice(pool))
        srcs = sorted(set(srcs))
        if not srcs:
            procs += 1
            continue
        stamp = 1700000000000 + procs
        proc_qn = ("QUERY:" + ":".join(f"{tables[s][0]}:{stamp}" for s in srcs) + f"->:INSERT:{qn}:{stamp}")
        if proc_qn in seen_qn:
            procs += 1
            continue
        seen_qn.add(proc_qn)
        n_cl = min(len(cols), rnd.choice([1, 2, 2, 3, 3, 4]))
        if len(batch) + n_cl + 1 > a.per_request:
            flush(out)
        ph += 1
        pref = f"-{ph}"
        text = f"insert into {qn.split('@')[0]} select * from " + ", ".join(tables[s][0].split("@")[0] for s in srcs)
        batch.append({"typeName": "hive_process", "guid": pref, "attributes": {
            "qualifiedName": proc_qn, "name": proc_qn, "operationType": "QUERY", "queryText": text,
            "queryPlan": "{}", "queryId": f"hive_{stamp}_{procs}", "userName": "etl", "clusterName": CLUSTER,
            "startTime": stamp, "endTime": stamp + 1000, "recentQueries": [text],
            "inputs": [{"typeName": "hive_table", "uniqueAttributes": {"qualifiedName": tables[s][0]}} for s in srcs],
            "outputs": [{"typeName": "hive_table", "uniqueAttributes": {"qualifiedName": qn}}]}})
        for col in rnd.sample(cols, n_cl):
            ins = []
            for s in rnd.sample(srcs, min(len(srcs), rnd.choice([1, 1, 2]))):
                scol = rnd.choice(tables[s][1])
                sdb_t = tables[s][0].split("@")[0]
                ins.append({"typeName": "hive_column", "uniqueAttributes": {"qualifiedName": f"{sdb_t}.{scol}@{CLUSTER}"}})
            simple = len(ins) == 1 and rnd.random() < 0.6
            attrs = {"qualifiedName": f"{proc_qn}:{col}", "name": f"{proc_qn}:{col}",
                     "depenendencyType": "SIMPLE" if simple else "EXPRESSION"}
            if not simple:
                attrs["expression"] = f"sum({ins[0]['uniqueAttributes']['qualifiedName'].split('.')[-1].split('@')[0]})"
            batch.append({"typeName": "hive_column_lineage", "attributes": attrs, "relationshipAttributes": {
                "inputs": ins,
                "outputs": [{"typeName": "hive_column", "uniqueAttributes": {"qualifiedName": f"{qn.split('@')[0]}.{col}@{CLUSTER}"}}],
                "query": {"typeName": "hive_process", "guid": pref}}})
        procs += 1
    flush(out)
    out.close()


if __name__ == "__main__":
    main()
