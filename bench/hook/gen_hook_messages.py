#!/usr/bin/env python3
"""Hive hook records for the hook benchmark, one JSON record per line (Atlas's envelope, ENTITY_CREATE_V2).

Per table: CREATE TABLE (hive_table, its storage descriptor, --columns hive_columns, hive_table_ddl);
every --ctas-every-th table is instead a CTAS from the previous table (the table as above plus hive_process,
hive_process_execution and one hive_column_lineage per column; the input table by unique attributes).
The first record creates the database. Prints the entity count on stderr as {"records": N, "entities": M}.
"""
import argparse
import json
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tables", type=int, default=2000)
    ap.add_argument("--columns", type=int, default=20)
    ap.add_argument("--ctas-every", type=int, default=5)
    a = ap.parse_args()
    ns, db = "bench", "hookdb"
    nid = [0]

    def g():
        nid[0] -= 1
        return str(nid[0])

    def env(message, t):
        return {"version": {"version": "1.0.0"}, "source": {"source": "hive_server2", "version": "2.3.0"},
                "msgSourceIP": "10.0.0.1", "msgCreatedBy": "hive", "msgCreationTime": t,
                "msgCompressionKind": "NONE", "msgSplitIdx": 1, "msgSplitCount": 1, "spooled": False,
                "message": {"type": "ENTITY_CREATE_V2", "user": "etl", "entities": message}}

    out = sys.stdout
    entities = 0
    records = 0
    dbq = f"{db}@{ns}"
    out.write(json.dumps(env({"entities": [{"typeName": "hive_db", "guid": g(), "attributes": {
        "qualifiedName": dbq, "name": db, "clusterName": ns, "owner": "etl"}}]}, 1767225600000)) + "\n")
    entities += 1
    records += 1
    for i in range(a.tables):
        t = 1767225600000 + i * 1000
        name = f"t{i:06d}"
        tqn = f"{db}.{name}@{ns}"
        tg, sg = g(), g()
        cols = {}
        refs = []
        for c in range(a.columns):
            cg = g()
            refs.append({"guid": cg, "typeName": "hive_column", "relationshipType": "hive_table_columns"})
            cols[cg] = {"typeName": "hive_column", "guid": cg,
                        "attributes": {"qualifiedName": f"{db}.{name}.c{c}@{ns}", "name": f"c{c}",
                                       "type": "string", "position": c, "owner": "etl",
                                       "comment": f"column {c} of {name}"},
                        "relationshipAttributes": {"table": {"guid": tg, "typeName": "hive_table"}}}
        table = {"typeName": "hive_table", "guid": tg,
                 "attributes": {"qualifiedName": tqn, "name": name, "owner": "etl", "createTime": t,
                                "tableType": "MANAGED_TABLE", "temporary": False,
                                "parameters": {"transient_lastDdlTime": str(t // 1000)}},
                 "relationshipAttributes": {
                     "db": {"typeName": "hive_db", "uniqueAttributes": {"qualifiedName": dbq},
                            "relationshipType": "hive_table_db"},
                     "sd": {"guid": sg, "typeName": "hive_storagedesc", "relationshipType": "hive_table_storagedesc"},
                     "columns": refs}}
        sd = {"typeName": "hive_storagedesc", "guid": sg,
              "attributes": {"qualifiedName": tqn + "_storage", "location": f"hdfs://nn:8020/warehouse/{db}.db/{name}",
                             "compressed": False, "numBuckets": -1},
              "relationshipAttributes": {"table": {"guid": tg, "typeName": "hive_table"}}}
        query = f"create table {name} (...)"
        ddl = {"typeName": "hive_table_ddl", "guid": g(),
               "attributes": {"qualifiedName": f"{tqn}:{t}", "queryText": query, "execTime": t, "userName": "etl",
                              "serviceType": "hive", "name": query},
               "relationshipAttributes": {"table": {"guid": tg, "typeName": "hive_table",
                                                    "relationshipType": "hive_table_ddl_queries"}}}
        top = [ddl]
        referred = {tg: table, sg: sd, **cols}
        if i > 0 and i % a.ctas_every == 0:
            src = f"t{i - 1:06d}"
            pqn = f"{tqn}:{t}"
            pg = g()
            top.append({"typeName": "hive_process", "guid": pg,
                        "attributes": {"qualifiedName": pqn, "name": pqn, "operationType": "CREATETABLE_AS_SELECT",
                                       "clusterName": ns, "startTime": t, "endTime": t, "userName": "", "queryText": "",
                                       "queryId": "", "queryPlan": "Not Supported"},
                        "relationshipAttributes": {
                            "inputs": [{"typeName": "hive_table", "uniqueAttributes": {"qualifiedName": f"{db}.{src}@{ns}"}}],
                            "outputs": [{"guid": tg, "typeName": "hive_table"}]}})
            top.append({"typeName": "hive_process_execution", "guid": g(),
                        "attributes": {"qualifiedName": f"{pqn}:{t}:{t + 5}", "name": f"{pqn}:{t}:{t + 5}",
                                       "startTime": t, "endTime": t + 5, "userName": "etl", "queryText": query,
                                       "queryId": f"q{i}", "queryPlan": "Not Supported", "hostName": "hs2"},
                        "relationshipAttributes": {"process": {"guid": pg, "typeName": "hive_process"}}})
            for c, cg in enumerate(cols):
                top.append({"typeName": "hive_column_lineage", "guid": g(),
                            "attributes": {"qualifiedName": f"{pqn}:c{c}", "name": f"{pqn}:c{c}",
                                           "depenendencyType": "SIMPLE"},
                            "relationshipAttributes": {
                                "inputs": [{"typeName": "hive_column",
                                            "uniqueAttributes": {"qualifiedName": f"{db}.{src}.c{c}@{ns}"}}],
                                "outputs": [{"guid": cg, "typeName": "hive_column"}],
                                "query": {"guid": pg, "typeName": "hive_process"}}})
        out.write(json.dumps(env({"entities": top, "referredEntities": referred}, t + 900)) + "\n")
        entities += len(top) + len(referred)
        records += 1
    print(json.dumps({"records": records, "entities": entities}), file=sys.stderr)


main()
