"""Builds ZIPs shaped exactly as Apache Atlas's export writes them (ZipSink): one
<guid>.json AtlasEntityWithExtInfo per top-level entity, atlas-export-order.json,
atlas-typesdef.json and atlas-export-info.json, deflated, flat.

The entity JSON follows Atlas 2.x's AtlasEntity serialisation: envelope fields
(status, createdBy, version, ...), attributes, relationshipAttributes as
AtlasRelatedObjectIds (with relationshipGuid and relationshipStatus), and the
classifications list, where a propagated one names its source in entityGuid.
"""
import io
import json
import uuid
import zipfile

T0 = 1767000000000


def guid():
    return str(uuid.uuid4())


def entity(type_name, g, attrs, rel=None, classifications=None, status="ACTIVE", labels=None):
    return {
        "typeName": type_name, "attributes": attrs, "guid": g, "status": status,
        "createdBy": "hive", "updatedBy": "hive", "createTime": T0, "updateTime": T0 + 1000, "version": 0,
        "relationshipAttributes": rel or {}, "classifications": classifications or [],
        "labels": labels or [], "isIncomplete": False, "provenanceType": 0, "proxy": False,
    }


def ref(target, rel_type, status="ACTIVE"):
    """An AtlasRelatedObjectId pointing at the entity dict `target`."""
    return {"guid": target["guid"], "typeName": target["typeName"], "entityStatus": "ACTIVE",
            "displayText": target["attributes"].get("name", ""),
            "uniqueAttributes": {"qualifiedName": target["attributes"]["qualifiedName"]},
            "relationshipType": rel_type, "relationshipGuid": guid(), "relationshipStatus": status,
            "relationshipAttributes": {"typeName": rel_type, "attributes": {}}}


def classification(name, entity_guid, propagate=True, attrs=None):
    return {"typeName": name, "attributes": attrs or {}, "entityGuid": entity_guid, "entityStatus": "ACTIVE",
            "propagate": propagate, "validityPeriods": [], "removePropagationsOnEntityDelete": False}


def types_def(**lists):
    out = {"enumDefs": [], "structDefs": [], "classificationDefs": [], "entityDefs": [], "relationshipDefs": [],
           "businessMetadataDefs": []}
    out.update(lists)
    return out


def export_zip(files, types=None, request=None, cluster="cl1", order=None):
    """`files`: list of (main entity, {guid: referred entity}) in export order."""
    order = order if order is not None else [main["guid"] for main, _ in files]
    metrics = {"entity:withExtInfo": len(files)}
    for main, referred in files:
        for e in [main] + list(referred.values()):
            k = "entity:" + e["typeName"]
            metrics[k] = metrics.get(k, 0) + 1
    info = {"request": request or {"itemsToExport": [], "options": {"fetchType": "full"}},
            "userName": "admin", "clientIpAddress": "10.0.0.7", "hostName": "atlas-1", "timeStamp": T0 + 5000,
            "metrics": metrics, "operationStatus": "SUCCESS", "sourceClusterName": cluster, "changeMarker": T0 + 4000}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for main, referred in files:
            z.writestr(main["guid"] + ".json", json.dumps({"entity": main, "referredEntities": referred}))
        z.writestr("atlas-export-order.json", json.dumps(order))
        z.writestr("atlas-typesdef.json", json.dumps(types or types_def()))
        z.writestr("atlas-export-info.json", json.dumps(info))
    return buf.getvalue()


def link(a, attr_a, b, attr_b, rel_type, many_a=False, many_b=False):
    """Records one relationship on both ends, as Atlas renders it."""
    ra, rb = ref(b, rel_type), ref(a, rel_type)
    rb["relationshipGuid"] = ra["relationshipGuid"]
    if many_a:
        a["relationshipAttributes"].setdefault(attr_a, []).append(ra)
    else:
        a["relationshipAttributes"][attr_a] = ra
    if attr_b:
        if many_b:
            b["relationshipAttributes"].setdefault(attr_b, []).append(rb)
        else:
            b["relationshipAttributes"][attr_b] = rb


def atlas_emr(cluster="cl1", pii_on_lookup=False):
    """The tutorial's atlas_emr database as Atlas exports it with fetchType full: the db, three
    tables with columns and storage descriptors (referred), and the CTAS process with column lineage."""
    def qn(s):
        return s + "@" + cluster
    db = entity("hive_db", guid(), {"qualifiedName": qn("atlas_emr"), "name": "atlas_emr", "clusterName": cluster,
                                    "owner": "hadoop", "description": "Atlas tutorial database",
                                    "location": "s3://atlas-emr-demo/warehouse/atlas_emr.db"})
    tables, columns = {}, {}
    spec = {"trip_details": ["location_id", "passenger_count", "trip_distance"],
            "trip_zone_lookup": ["location_id", "borough", "zone"],
            "trip_details_by_zone": ["location_id", "passenger_count", "borough"]}
    files = [(db, {})]
    for t, cols in spec.items():
        table = entity("hive_table", guid(), {"qualifiedName": qn("atlas_emr." + t), "name": t, "owner": "hadoop",
                                              "tableType": "EXTERNAL_TABLE", "temporary": False, "createTime": T0})
        link(table, "db", db, "tables", "hive_table_db", many_b=True)
        referred = {}
        for i, c in enumerate(cols):
            col = entity("hive_column", guid(), {"qualifiedName": qn("atlas_emr.%s.%s" % (t, c)), "name": c,
                                                 "type": "string" if c in ("borough", "zone") else "int",
                                                 "position": i, "owner": "hadoop"})
            link(table, "columns", col, "table", "hive_table_columns", many_a=True)
            referred[col["guid"]] = col
            columns[(t, c)] = col
        sd = entity("hive_storagedesc", guid(), {"qualifiedName": qn("atlas_emr.%s" % t) + "_storage",
                                                 "location": "s3://atlas-emr-demo/" + t, "compressed": False})
        link(table, "sd", sd, "table", "hive_table_storagedesc")
        referred[sd["guid"]] = sd
        if pii_on_lookup and t == "trip_zone_lookup":
            table["classifications"].append(classification("PII", table["guid"], propagate=True))
        tables[t] = table
        files.append((table, referred))
    proc = entity("hive_process", guid(), {"qualifiedName": qn("atlas_emr.trip_details_by_zone") + ":" + str(T0),
                                           "name": "create table trip_details_by_zone as select ...",
                                           "operationType": "CREATETABLE_AS_SELECT", "userName": "hadoop",
                                           "queryText": "create table trip_details_by_zone as select * from trip_details "
                                                        "join trip_zone_lookup on LocationID = location_id",
                                           "queryId": "q1", "queryPlan": "", "clusterName": cluster,
                                           "startTime": T0, "endTime": T0 + 10})
    for t in ("trip_details", "trip_zone_lookup"):
        link(proc, "inputs", tables[t], "inputToProcesses", "dataset_process_inputs", many_a=True, many_b=True)
    link(proc, "outputs", tables["trip_details_by_zone"], "outputFromProcesses", "process_dataset_outputs",
         many_a=True, many_b=True)
    lineage_ref = {}
    sources = {"location_id": [("trip_details", "location_id"), ("trip_zone_lookup", "location_id")],
               "passenger_count": [("trip_details", "passenger_count")],
               "borough": [("trip_zone_lookup", "borough")]}
    for out_col, ins in sources.items():
        cl = entity("hive_column_lineage", guid(), {"qualifiedName": proc["attributes"]["qualifiedName"] + ":" + out_col,
                                                    "name": proc["attributes"]["qualifiedName"] + ":" + out_col,
                                                    "depenendencyType": "SIMPLE"})
        link(cl, "query", proc, "columnLineages", "hive_process_column_lineage", many_b=True)
        for src in ins:
            link(cl, "inputs", columns[src], "inputToProcesses", "dataset_process_inputs", many_a=True, many_b=True)
        link(cl, "outputs", columns[("trip_details_by_zone", out_col)], "outputFromProcesses", "process_dataset_outputs",
             many_a=True, many_b=True)
        lineage_ref[cl["guid"]] = cl
    files.append((proc, lineage_ref))
    return {"db": db, "tables": tables, "columns": columns, "process": proc, "lineage": lineage_ref, "files": files}
