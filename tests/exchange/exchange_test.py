#!/usr/bin/env python3
"""Export and import of Atlas's export ZIPs against real `meridian serve` processes.

Usage: exchange_test.py MERIDIAN_BINARY [unittest names...]
"""
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import zipfile

import requests

import atlas_zip as az

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "fixtures")
BINARY = None
ADMIN = ("admin", "admin")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A `meridian serve` with a temporary data dir, an optional [exchange] config and extra users."""

    def __init__(self, exchange_config="", users=()):
        self.dir = tempfile.mkdtemp(prefix="meridian-exchange-")
        self.data = os.path.join(self.dir, "data")
        self.imports = os.path.join(self.dir, "imports")
        os.makedirs(self.imports)
        self.config = os.path.join(self.dir, "meridian.toml")
        with open(self.config, "w") as f:
            f.write('[exchange]\nimport_folder = "%s"\n%s\n' % (self.imports, exchange_config))
        for user, role in users:
            env = dict(os.environ, MERIDIAN_PASSWORD=user + "-pw")
            subprocess.run([BINARY, "passwd", user, "--role", role, "--data-dir", self.data], env=env, check=True,
                           stdout=subprocess.DEVNULL)
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.log = open(os.path.join(self.dir, "server.log"), "ab")
        self.proc = subprocess.Popen([BINARY, "serve", "--port", str(self.port), "--data-dir", self.data,
                                      "--config", self.config], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/api/atlas/admin/status", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def close(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def get(self, path, auth=ADMIN, **params):
        return requests.get(self.url + path, auth=auth, params=params, timeout=60)

    def post(self, path, body, auth=ADMIN):
        return requests.post(self.url + path, json=body, auth=auth, timeout=60)

    def export(self, request, auth=ADMIN):
        return requests.post(self.url + "/api/atlas/admin/export", json=request, auth=auth, timeout=120)

    def import_zip(self, data, request=None, auth=ADMIN):
        files = {"data": ("export.zip", data, "application/zip")}
        if request is not None:
            files["request"] = (None, json.dumps(request), "application/json")
        return requests.post(self.url + "/api/atlas/admin/import", files=files, auth=auth, timeout=120)

    def entity(self, g):
        r = self.get("/api/atlas/v2/entity/guid/" + g)
        return r.json() if r.status_code == 200 else None

    def by_qn(self, type_name, qn):
        r = self.get("/api/atlas/v2/entity/uniqueAttribute/type/" + type_name, **{"attr:qualifiedName": qn})
        return r.json()["entity"] if r.status_code == 200 else None

    def healthy(self):
        return (self.get("/api/atlas/admin/status", auth=None).status_code == 200 and
                self.get("/api/atlas/v2/types/typedef/name/hive_table").status_code == 200)

    def wait_for(self, fn, timeout=20):
        """Polls fn() until it is truthy (the index and propagation run behind writes)."""
        deadline = time.monotonic() + timeout
        while True:
            v = fn()
            if v or time.monotonic() > deadline:
                return v
            time.sleep(0.2)


def load_tutorial(server):
    for f in ("tutorial_catalog.json", "tutorial_lineage.json"):
        with open(os.path.join(FIXTURES, f)) as fh:
            r = server.post("/api/atlas/v2/entity/bulk", json.load(fh))
            assert r.status_code == 200, r.text
    server.post("/api/atlas/v2/types/typedefs", {"classificationDefs": [{"name": "PII", "description": "pii"}]})
    r = requests.post(server.url + "/api/atlas/v2/entity/uniqueAttribute/type/hive_table/classifications",
                      params={"attr:qualifiedName": "atlas_emr.trip_zone_lookup@primary"},
                      json=[{"typeName": "PII", "propagate": True}], auth=ADMIN)
    assert r.status_code in (200, 204), r.text
    glossary = server.post("/api/atlas/v2/glossary", {"name": "Sales"}).json()
    term = server.post("/api/atlas/v2/glossary/term", {"name": "Trip", "anchor": {"glossaryGuid": glossary["guid"]}}).json()
    table = server.by_qn("hive_table", "atlas_emr.trip_details@primary")
    r = server.post("/api/atlas/v2/glossary/terms/%s/assignedEntities" % term["guid"], [{"guid": table["guid"]}])
    assert r.status_code in (200, 204), r.text
    return term


def zip_entries(data):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: json.loads(z.read(n)) for n in z.namelist()}


def entity_guids(entries):
    out = set()
    for g in entries["atlas-export-order.json"]:
        out.add(g)
        out.update(entries[g + ".json"]["referredEntities"].keys())
    return out


def comparable(e):
    """An entity as a user compares it across servers: attributes, related guids, classifications."""
    ent = e["entity"]
    rel = {}
    for k, v in ent.get("relationshipAttributes", {}).items():
        vs = v if isinstance(v, list) else [v] if v else []
        rel[k] = sorted(x["guid"] for x in vs if x.get("relationshipStatus", "ACTIVE") == "ACTIVE")
    return {"typeName": ent["typeName"], "attributes": ent["attributes"], "rel": rel, "status": ent["status"],
            "classifications": sorted((c["typeName"], c.get("entityGuid")) for c in ent.get("classifications", []))}


def lineage(server, type_name, qn):
    r = server.get("/api/atlas/v2/lineage/uniqueAttribute/type/" + type_name, **{"attr:qualifiedName": qn,
                                                                                  "direction": "BOTH", "depth": 5})
    d = r.json()
    return sorted(d["guidEntityMap"]), sorted((x["fromEntityId"], x["toEntityId"]) for x in d["relations"])


def search_guids(server, **params):
    r = server.get("/api/atlas/v2/search/basic", **params)
    return sorted(e["guid"] for e in r.json().get("entities", []))


DB_ITEM = {"typeName": "hive_db", "uniqueAttributes": {"qualifiedName": "atlas_emr@primary"}}


class RoundTrip(unittest.TestCase):
    """One Meridian exports the tutorial database; empty ones import it."""

    @classmethod
    def setUpClass(cls):
        cls.src = Server()
        cls.term = load_tutorial(cls.src)

    @classmethod
    def tearDownClass(cls):
        cls.src.close()

    def assert_same(self, dst, guids):
        for g in guids:
            a, b = self.src.entity(g), dst.entity(g)
            self.assertIsNotNone(b, "entity %s missing after import" % g)
            self.assertEqual(comparable(a), comparable(b), "entity %s differs" % g)

    def round_trip(self, fetch):
        r = self.src.export({"itemsToExport": [DB_ITEM], "options": {"fetchType": fetch}})
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.headers["Content-Type"], "application/zip")
        self.assertNotIn("Content-Encoding", r.headers)
        entries = zip_entries(r.content)
        self.assertEqual(entries["atlas-export-info.json"]["operationStatus"], "SUCCESS")
        guids = entity_guids(entries)
        self.assertEqual(len(guids), sum(v for k, v in entries["atlas-export-info.json"]["metrics"].items()
                                         if k.startswith("entity:") and k != "entity:withExtInfo"))
        dst = Server()
        try:
            res = dst.import_zip(r.content)
            self.assertEqual(res.status_code, 200, res.text)
            result = res.json()
            self.assertEqual(result["operationStatus"], "SUCCESS")
            self.assertEqual(sorted(result["processedEntities"]), sorted(guids))
            self.assertEqual(result["metrics"]["entity:hive_table:created"], 3)
            # Propagated PII is recomputed on the target, not imported as a copy.
            pii = dst.wait_for(lambda: len(search_guids(dst, classification="PII")) == 3 and
                               search_guids(dst, classification="PII"))
            self.assertEqual(pii, search_guids(self.src, classification="PII"))
            self.assert_same(dst, guids)
            by_zone = dst.by_qn("hive_table", "atlas_emr.trip_details_by_zone@primary")
            self.assertIn(("PII", self.src.by_qn("hive_table", "atlas_emr.trip_zone_lookup@primary")["guid"]),
                          [(c["typeName"], c["entityGuid"]) for c in by_zone["classifications"]])
            for t, qn in (("hive_table", "atlas_emr.trip_details_by_zone@primary"),
                          ("hive_column", "atlas_emr.trip_details_by_zone.location_id@primary")):
                self.assertEqual(lineage(dst, t, qn), lineage(self.src, t, qn), qn)
            self.assertGreater(len(lineage(dst, "hive_column", "atlas_emr.trip_details_by_zone.location_id@primary")[1]), 0)
            dsl = {"query": "hive_table select count()"}
            self.assertEqual(dst.wait_for(lambda: dst.get("/api/atlas/v2/search/dsl", **dsl).json()["attributes"]["values"]
                                          == [[3]] and [[3]]), [[3]])
            # The glossary term assigned to trip_details came along with its glossary.
            term = dst.get("/api/atlas/v2/glossary/term/" + self.term["guid"])
            self.assertEqual(term.status_code, 200, term.text)
            self.assertEqual([e["guid"] for e in term.json().get("assignedEntities", [])],
                             [self.src.by_qn("hive_table", "atlas_emr.trip_details@primary")["guid"]])
            return entries, dst
        except BaseException:
            dst.close()
            raise

    def test_full_round_trip(self):
        entries, dst = self.round_trip("full")
        dst.close()

    def test_connected_round_trip(self):
        entries, dst = self.round_trip("connected")
        dst.close()

    def test_incremental_carries_only_changes(self):
        first = self.src.export({"itemsToExport": [DB_ITEM], "options": {"fetchType": "incremental", "changeMarker": 0}})
        self.assertEqual(first.status_code, 200)
        marker = zip_entries(first.content)["atlas-export-info.json"]["changeMarker"]
        dst = Server()
        try:
            self.assertEqual(dst.import_zip(first.content).status_code, 200)
            time.sleep(0.01)
            table = self.src.by_qn("hive_table", "atlas_emr.trip_details@primary")
            r = requests.put(self.src.url + "/api/atlas/v2/entity/guid/%s" % table["guid"], params={"name": "description"},
                             json="trips, cleaned", auth=ADMIN)
            self.assertIn(r.status_code, (200, 204), r.text)
            inc = self.src.export({"itemsToExport": [DB_ITEM],
                                   "options": {"fetchType": "incremental", "changeMarker": marker}})
            self.assertEqual(inc.status_code, 200)
            entries = zip_entries(inc.content)
            self.assertEqual(entries["atlas-export-order.json"], [table["guid"]])
            res = dst.import_zip(inc.content)
            self.assertEqual(res.status_code, 200, res.text)
            self.assertEqual(res.json()["metrics"].get("entity:hive_table:updated"), 1)
            self.assertEqual(dst.entity(table["guid"])["entity"]["attributes"]["description"], "trips, cleaned")
            self.assert_same(dst, entity_guids(zip_entries(first.content)))
        finally:
            dst.close()

    def test_replicated_to(self):
        # Its own source: the marks must not leak into the other round trips.
        src = Server()
        self.addCleanup(src.close)
        load_tutorial(src)
        table = src.by_qn("hive_table", "atlas_emr.trip_details@primary")
        before = src.entity(table["guid"])["entity"]
        r = src.export({"itemsToExport": [DB_ITEM], "options": {"fetchType": "full", "replicatedTo": "dc2$cl2"}})
        self.assertEqual(r.status_code, 200, r.text)
        s = src.get("/api/atlas/v2/entity/uniqueAttribute/type/AtlasServer", **{"attr:fullName": "dc2$cl2"})
        self.assertEqual(s.status_code, 200, s.text)
        server = s.json()["entity"]
        self.assertEqual(server["attributes"]["name"], "cl2")
        for g in zip_entries(r.content)["atlas-export-order.json"]:
            marks = src.entity(g)["entity"]["attributes"].get("replicatedTo") or []
            self.assertEqual([m["guid"] for m in marks], [server["guid"]], g)
        # A mark, not a change: no new version or update time (incremental exports are not disturbed).
        after = src.entity(table["guid"])["entity"]
        self.assertEqual((after["version"], after["updateTime"]), (before["version"], before["updateTime"]))
        again = src.export({"itemsToExport": [DB_ITEM], "options": {"fetchType": "full", "replicatedTo": "dc2$cl2"}})
        self.assertEqual(again.status_code, 200, again.text)
        marks = src.entity(table["guid"])["entity"]["attributes"]["replicatedTo"]
        self.assertEqual(len(marks), 1, "marked once per server")

    def test_match_types_and_empty_exports(self):
        for match, value in (("startsWith", "atlas_emr.trip_details"), ("endsWith", "_lookup@primary"),
                             ("contains", "zone"), ("matches", "atlas_emr\\.trip_.*@primary")):
            r = self.src.export({"itemsToExport": [{"typeName": "hive_table", "uniqueAttributes": {"qualifiedName": value}}],
                                 "options": {"fetchType": "connected", "matchType": match, "skipLineage": True}})
            self.assertEqual(r.status_code, 200, match)
            tables = {e["entity"]["attributes"]["qualifiedName"] for n, e in zip_entries(r.content).items()
                      if n.endswith(".json") and isinstance(e, dict) and "entity" in e and
                      e["entity"]["typeName"] == "hive_table"}
            expected = {"startsWith": {"atlas_emr.trip_details@primary", "atlas_emr.trip_details_by_zone@primary"},
                        "endsWith": {"atlas_emr.trip_zone_lookup@primary"},
                        "contains": {"atlas_emr.trip_zone_lookup@primary", "atlas_emr.trip_details_by_zone@primary"},
                        "matches": {"atlas_emr.trip_details@primary", "atlas_emr.trip_zone_lookup@primary",
                                    "atlas_emr.trip_details_by_zone@primary"}}[match]
            self.assertEqual(tables, expected, match)
            types = {e["entity"]["typeName"] for n, e in zip_entries(r.content).items()
                     if isinstance(e, dict) and "entity" in e}
            self.assertFalse(types & {"hive_process", "hive_column_lineage"}, "skipLineage exported " + str(types))
        none = {"itemsToExport": [{"typeName": "hive_db", "uniqueAttributes": {"qualifiedName": "nope@primary"}}],
                "options": {"fetchType": "full"}}
        r = self.src.export(none)
        self.assertEqual(r.status_code, 200)
        entries = zip_entries(r.content)
        self.assertEqual(entries["atlas-export-order.json"], [])
        self.assertEqual(entries["atlas-export-info.json"]["operationStatus"], "FAIL")
        none["options"]["omitZipResponseForEmptyExport"] = True
        r = self.src.export(none)
        self.assertEqual(r.status_code, 204)
        self.assertEqual(r.content, b"")

    def test_audits(self):
        self.src.export({"itemsToExport": [DB_ITEM], "options": {"fetchType": "full"}})
        r = self.src.get("/api/atlas/admin/expimp/audit", operation="EXPORT")
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r.json() and r.json()[0]["operation"] == "EXPORT" and r.json()[0]["userName"] == "admin")
        audits = self.src.get("/api/atlas/admin/audits", operation="EXPORT").json()
        self.assertTrue(audits and audits[0]["operation"] == "EXPORT")


class AtlasFixtures(unittest.TestCase):
    """ZIPs shaped as Atlas writes them, into an empty server."""

    def setUp(self):
        self.server = Server()

    def tearDown(self):
        self.server.close()

    def test_atlas_emr_with_processes_and_column_lineage(self):
        emr = az.atlas_emr()
        res = self.server.import_zip(az.export_zip(emr["files"]))
        self.assertEqual(res.status_code, 200, res.text)
        m = res.json()["metrics"]
        self.assertEqual((m["entity:hive_db:created"], m["entity:hive_table:created"], m["entity:hive_column:created"],
                          m["entity:hive_storagedesc:created"], m["entity:hive_process:created"],
                          m["entity:hive_column_lineage:created"]), (1, 3, 9, 3, 1, 3))
        self.assertEqual(res.json()["exportResult"]["sourceClusterName"], "cl1")
        by_zone = emr["tables"]["trip_details_by_zone"]
        got = self.server.entity(by_zone["guid"])["entity"]
        self.assertEqual(got["attributes"]["qualifiedName"], "atlas_emr.trip_details_by_zone@cl1")
        self.assertEqual(got["relationshipAttributes"]["db"]["guid"], emr["db"]["guid"])
        self.assertEqual(got["createTime"], az.T0)
        nodes, rels = lineage(self.server, "hive_table", "atlas_emr.trip_details_by_zone@cl1")
        self.assertEqual(set(nodes), {emr["process"]["guid"], by_zone["guid"], emr["tables"]["trip_details"]["guid"],
                                      emr["tables"]["trip_zone_lookup"]["guid"]})
        nodes, rels = lineage(self.server, "hive_column", "atlas_emr.trip_details_by_zone.location_id@cl1")
        self.assertIn(emr["columns"][("trip_details", "location_id")]["guid"], nodes)
        self.assertIn(emr["columns"][("trip_zone_lookup", "location_id")]["guid"], nodes)

    def test_order_listing_a_referrer_before_its_target(self):
        emr = az.atlas_emr()
        files = list(reversed(emr["files"]))  # the process first, the database last
        res = self.server.import_zip(az.export_zip(files))
        self.assertEqual(res.status_code, 200, res.text)
        table = self.server.entity(emr["tables"]["trip_details"]["guid"])["entity"]
        self.assertEqual(table["relationshipAttributes"]["db"]["guid"], emr["db"]["guid"])
        self.assertEqual(len(table["relationshipAttributes"]["inputToProcesses"]), 1)

    def test_glossary_terms_assigned(self):
        emr = az.atlas_emr()
        glossary = az.entity("AtlasGlossary", az.guid(), {"qualifiedName": "Sales", "name": "Sales"})
        term = az.entity("AtlasGlossaryTerm", az.guid(), {"qualifiedName": "Trip@Sales", "name": "Trip"})
        az.link(glossary, "terms", term, "anchor", "AtlasGlossaryTermAnchor", many_a=True)
        table = emr["tables"]["trip_details"]
        az.link(term, "assignedEntities", table, "meanings", "AtlasGlossarySemanticAssignment", many_a=True, many_b=True)
        res = self.server.import_zip(az.export_zip(emr["files"] + [(glossary, {}), (term, {})]))
        self.assertEqual(res.status_code, 200, res.text)
        t = self.server.get("/api/atlas/v2/glossary/term/" + term["guid"])
        self.assertEqual(t.status_code, 200, t.text)
        self.assertEqual(t.json()["anchor"]["glossaryGuid"], glossary["guid"])
        self.assertEqual([e["guid"] for e in t.json()["assignedEntities"]], [table["guid"]])
        got = self.server.entity(table["guid"])["entity"]
        self.assertEqual([m["guid"] for m in got["relationshipAttributes"]["meanings"]], [term["guid"]])

    def test_propagating_classification(self):
        emr = az.atlas_emr(pii_on_lookup=True)
        lookup, by_zone = emr["tables"]["trip_zone_lookup"], emr["tables"]["trip_details_by_zone"]
        # Atlas's file of the downstream table lists the propagated copy, naming its source.
        by_zone["classifications"].append(az.classification("PII", lookup["guid"]))
        types = az.types_def(classificationDefs=[{"name": "PII", "description": "pii", "superTypes": [],
                                                  "attributeDefs": [], "category": "CLASSIFICATION"}])
        res = self.server.import_zip(az.export_zip(emr["files"], types))
        self.assertEqual(res.status_code, 200, res.text)
        self.assertEqual(res.json()["metrics"]["typedef:classification"], 1)

        def propagated():
            e = self.server.entity(by_zone["guid"])["entity"]
            return [(c["typeName"], c["entityGuid"]) for c in e["classifications"]]
        self.assertEqual(self.server.wait_for(lambda: propagated() == [("PII", lookup["guid"])] and propagated()),
                         [("PII", lookup["guid"])])
        # The source keeps it as its own; the copy was not stored as a direct classification.
        r = requests.delete(self.server.url + "/api/atlas/v2/entity/guid/%s/classification/PII" % lookup["guid"], auth=ADMIN)
        self.assertIn(r.status_code, (200, 204))
        self.assertEqual(self.server.wait_for(lambda: propagated() == [] and "gone"), "gone")

    def test_types_that_do_not_exist_yet(self):
        types = az.types_def(
            enumDefs=[{"name": "emr_tier", "category": "ENUM", "elementDefs": [{"value": "HOT", "ordinal": 0},
                                                                                {"value": "COLD", "ordinal": 1}]}],
            classificationDefs=[{"name": "Retained", "category": "CLASSIFICATION", "attributeDefs": [
                {"name": "years", "typeName": "int", "isOptional": True, "cardinality": "SINGLE"}]}],
            entityDefs=[{"name": "emr_cluster", "category": "ENTITY", "superTypes": ["DataSet"], "attributeDefs": [
                {"name": "tier", "typeName": "emr_tier", "isOptional": True, "cardinality": "SINGLE"},
                {"name": "nodes", "typeName": "int", "isOptional": True, "cardinality": "SINGLE"}]},
                {"name": "hive_table", "category": "ENTITY", "superTypes": ["DataSet"], "attributeDefs": [
                    {"name": "retentionClass", "typeName": "string", "isOptional": True, "cardinality": "SINGLE"}]}],
            relationshipDefs=[{"name": "emr_cluster_databases", "category": "RELATIONSHIP",
                               "relationshipCategory": "ASSOCIATION", "propagateTags": "NONE",
                               "endDef1": {"type": "emr_cluster", "name": "databases", "isContainer": False,
                                           "cardinality": "SET"},
                               "endDef2": {"type": "hive_db", "name": "emrCluster", "isContainer": False,
                                           "cardinality": "SINGLE"}}])
        emr = az.atlas_emr()
        cluster = az.entity("emr_cluster", az.guid(), {"qualifiedName": "emr-1@cl1", "name": "emr-1", "tier": "HOT",
                                                       "nodes": 12},
                            classifications=[az.classification("Retained", None, propagate=False, attrs={"years": 7})])
        cluster["classifications"][0]["entityGuid"] = cluster["guid"]
        az.link(cluster, "databases", emr["db"], "emrCluster", "emr_cluster_databases", many_a=True)
        emr["tables"]["trip_details"]["attributes"]["retentionClass"] = "gold"
        res = self.server.import_zip(az.export_zip([(cluster, {})] + emr["files"], types))
        self.assertEqual(res.status_code, 200, res.text)
        m = res.json()["metrics"]
        self.assertEqual((m["typedef:entitydef"], m["typedef:enum"], m["typedef:relationship"]), (2, 1, 1))
        self.assertEqual(m["typedef:entitydef:update"], 1)  # hive_table gained retentionClass
        self.assertEqual(self.server.get("/api/atlas/v2/types/typedef/name/emr_cluster").status_code, 200)
        ht = self.server.get("/api/atlas/v2/types/typedef/name/hive_table").json()
        names = [a["name"] for a in ht["attributeDefs"]]
        self.assertIn("retentionClass", names)
        self.assertIn("tableType", names)  # local attributes are kept
        got = self.server.entity(cluster["guid"])["entity"]
        self.assertEqual((got["attributes"]["tier"], got["attributes"]["nodes"]), ("HOT", 12))
        self.assertEqual([(c["typeName"], c["attributes"]) for c in got["classifications"]], [("Retained", {"years": 7})])
        self.assertEqual([d["guid"] for d in got["relationshipAttributes"]["databases"]], [emr["db"]["guid"]])
        self.assertEqual(self.server.entity(emr["tables"]["trip_details"]["guid"])["entity"]["attributes"]["retentionClass"],
                         "gold")

    def test_cluster_rename_and_classification_removal(self):
        emr = az.atlas_emr(pii_on_lookup=True)
        types = az.types_def(classificationDefs=[{"name": "PII", "category": "CLASSIFICATION", "attributeDefs": []}])
        transforms = {"Referenceable": {"qualifiedName": ["replace~@cl1~@cl2"]},
                      "hive_db": {"clusterName": ["replace~cl1~cl2"]},
                      "hive_table": {"*": ["removeClassification~PII"]}}
        res = self.server.import_zip(az.export_zip(emr["files"], types),
                                     {"options": {"transforms": json.dumps(transforms)}})
        self.assertEqual(res.status_code, 200, res.text)
        for e in [emr["db"], emr["process"]] + list(emr["tables"].values()) + list(emr["columns"].values()) + \
                list(emr["lineage"].values()):
            got = self.server.entity(e["guid"])["entity"]
            qn = got["attributes"]["qualifiedName"]
            self.assertNotIn("@cl1", qn)
            self.assertIn("@cl2", qn)
        self.assertEqual(self.server.entity(emr["db"]["guid"])["entity"]["attributes"]["clusterName"], "cl2")
        self.assertIsNotNone(self.server.by_qn("hive_table", "atlas_emr.trip_zone_lookup@cl2"))
        self.assertEqual(self.server.entity(emr["tables"]["trip_zone_lookup"]["guid"])["entity"]["classifications"], [])

    def test_transformers_v2(self):
        emr = az.atlas_emr(pii_on_lookup=True)
        types = az.types_def(classificationDefs=[{"name": "PII", "category": "CLASSIFICATION", "attributeDefs": []}])
        transformers = [
            {"conditions": {"hive_table.qualifiedName": "STARTS_WITH: atlas_emr.trip_zone"},
             "action": {"__entity": "REMOVE_CLASSIFICATION: PII"}},
            {"conditions": {"__entity": "topLevel:"}, "action": {"__entity": "ADD_CLASSIFICATION: replicated"}},
            {"conditions": {"hive_column.qualifiedName": "STARTS_WITH: atlas_emr."},
             "action": {"hive_column.qualifiedName": "REPLACE_PREFIX: = :atlas_emr.=:emr_copy."}}]
        res = self.server.import_zip(az.export_zip(emr["files"], types),
                                     {"options": {"transformers": json.dumps(transformers)}})
        self.assertEqual(res.status_code, 200, res.text)
        lookup = self.server.entity(emr["tables"]["trip_zone_lookup"]["guid"])["entity"]
        self.assertEqual([c["typeName"] for c in lookup["classifications"]], ["replicated"])
        col = self.server.entity(emr["columns"][("trip_details", "zone" if False else "location_id")]["guid"])["entity"]
        self.assertEqual(col["attributes"]["qualifiedName"], "emr_copy.trip_details.location_id@cl1")
        self.assertEqual(col["classifications"], [])  # a referred entity is not top-level

    def test_resume_with_start_position_and_guid(self):
        emr = az.atlas_emr()
        data = az.export_zip(emr["files"])
        res = self.server.import_zip(data, {"options": {"startPosition": "4"}})
        self.assertEqual(res.status_code, 200, res.text)
        self.assertEqual(res.json()["metrics"].get("entity:hive_process:created"), 1)
        self.assertNotIn("entity:hive_db:created", res.json()["metrics"])
        self.assertIsNone(self.server.entity(emr["db"]["guid"]))
        res = self.server.import_zip(data, {"options": {"startGuid": emr["tables"]["trip_details"]["guid"]}})
        self.assertEqual(res.status_code, 200, res.text)
        self.assertEqual(res.json()["metrics"]["entity:hive_table:created"], 3)
        self.assertIsNone(self.server.entity(emr["db"]["guid"]))

    def test_entity_existing_under_another_guid(self):
        local = self.server.post("/api/atlas/v2/entity", {"entity": {"typeName": "hive_db", "attributes": {
            "qualifiedName": "atlas_emr@cl1", "name": "atlas_emr", "clusterName": "cl1", "owner": "dba"}}}).json()
        local_guid = local["mutatedEntities"]["CREATE"][0]["guid"]
        emr = az.atlas_emr()
        res = self.server.import_zip(az.export_zip(emr["files"]))
        self.assertEqual(res.status_code, 200, res.text)
        self.assertEqual(res.json()["metrics"]["entity:hive_db:updated"], 1)
        db = self.server.entity(local_guid)["entity"]
        self.assertEqual(db["attributes"]["owner"], "hadoop")
        self.assertEqual(len(db["relationshipAttributes"]["tables"]), 3)
        table = self.server.entity(emr["tables"]["trip_details"]["guid"])["entity"]
        self.assertEqual(table["relationshipAttributes"]["db"]["guid"], local_guid)

    def test_deleted_entities_arrive_deleted(self):
        emr = az.atlas_emr()
        emr["tables"]["trip_zone_lookup"]["status"] = "DELETED"
        res = self.server.import_zip(az.export_zip(emr["files"]))
        self.assertEqual(res.status_code, 200, res.text)
        self.assertEqual(self.server.entity(emr["tables"]["trip_zone_lookup"]["guid"])["entity"]["status"], "DELETED")
        self.assertEqual(self.server.entity(emr["tables"]["trip_details"]["guid"])["entity"]["status"], "ACTIVE")

    def test_replicated_from(self):
        emr = az.atlas_emr()
        res = self.server.import_zip(az.export_zip(emr["files"]), {"options": {"replicatedFrom": "dc1$cl1"}})
        self.assertEqual(res.status_code, 200, res.text)
        r = self.server.get("/api/atlas/v2/entity/uniqueAttribute/type/AtlasServer", **{"attr:fullName": "dc1$cl1"})
        self.assertEqual(r.status_code, 200, r.text)
        server = r.json()["entity"]
        self.assertEqual(server["attributes"]["name"], "cl1")
        for e in (emr["db"], emr["tables"]["trip_details"], emr["columns"][("trip_details", "location_id")]):
            got = self.server.entity(e["guid"])["entity"]
            self.assertEqual([x["guid"] for x in got["attributes"]["replicatedFrom"]], [server["guid"]])

    def test_replicated_tables_mirror_the_source_database(self):
        emr = az.atlas_emr()
        res = self.server.import_zip(az.export_zip(emr["files"]), {"options": {"replicatedFrom": "dc1$cl1"}})
        self.assertEqual(res.status_code, 200, res.text)
        db = emr["db"]
        local = self.server.post("/api/atlas/v2/entity", {"entity": {"typeName": "hive_table", "attributes": {
            "qualifiedName": "atlas_emr.made_here@cl1", "name": "made_here",
            "db": {"guid": db["guid"], "typeName": "hive_db"}}}})
        self.assertEqual(local.status_code, 200, local.text)
        local_guid = list(local.json()["mutatedEntities"].values())[0][0]["guid"]
        # trip_zone_lookup was dropped at the source: the next incremental table export lacks it.
        kept = [f for f in emr["files"] if f[0]["typeName"] == "hive_table" and f[0]["attributes"]["name"] != "trip_zone_lookup"]
        request = {"itemsToExport": [{"typeName": "hive_table", "uniqueAttributes": {"qualifiedName": f[0]["attributes"]["qualifiedName"]}}
                                     for f in kept],
                   "options": {"fetchType": "incremental", "skipLineage": True}}
        res = self.server.import_zip(az.export_zip(kept, request=request), {"options": {"replicatedFrom": "dc1$cl1"}})
        self.assertEqual(res.status_code, 200, res.text)
        self.assertEqual(res.json()["metrics"].get("entity:hive_table:deleted"), 1)
        self.assertEqual(self.server.entity(emr["tables"]["trip_zone_lookup"]["guid"])["entity"]["status"], "DELETED")
        self.assertEqual(self.server.entity(emr["tables"]["trip_details"]["guid"])["entity"]["status"], "ACTIVE")
        self.assertEqual(self.server.entity(local_guid)["entity"]["status"], "ACTIVE", "a table made here is never mirrored away")

    def test_importfile(self):
        emr = az.atlas_emr()
        with open(os.path.join(self.server.imports, "emr.zip"), "wb") as f:
            f.write(az.export_zip(emr["files"]))
        r = self.server.post("/api/atlas/admin/importfile", {"options": {"fileName": "emr.zip"}})
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json()["metrics"]["entity:hive_table:created"], 3)
        for bad in ({"options": {}}, {"options": {"fileName": "../meridian.toml"}},
                    {"options": {"fileName": "/etc/passwd"}}, {"options": {"fileName": "missing.zip"}}):
            r = self.server.post("/api/atlas/admin/importfile", bad)
            self.assertEqual(r.status_code, 400, bad)
            self.assertIn("errorCode", r.json())


class BadInput(unittest.TestCase):
    """Refused with Atlas's error shape; the server stays healthy and nothing is half-imported."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server("max_expanded_bytes = 8388608\nbatch_entities = 1000",
                            users=[("reader", "DATA_SCIENTIST"), ("steward", "DATA_STEWARD")])

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def refused(self, res, status):
        self.assertEqual(res.status_code, status, res.text)
        self.assertIn("errorCode", res.json())
        self.assertIn("errorMessage", res.json())
        self.assertTrue(self.server.healthy())

    def count(self, type_name):
        return len(self.server.get("/api/atlas/v2/search/basic", typeName=type_name).json().get("entities", []))

    def test_not_a_zip(self):
        self.refused(self.server.import_zip(b"this is not a zip file"), 400)

    def test_zip_without_order_file(self):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("atlas-typesdef.json", "{}")
        self.refused(self.server.import_zip(buf.getvalue()), 400)

    def test_unknown_type_imports_nothing(self):
        emr = az.atlas_emr()
        stray = az.entity("no_such_type", az.guid(), {"qualifiedName": "x@cl1", "name": "x"})
        res = self.server.import_zip(az.export_zip(emr["files"] + [(stray, {})]))
        self.refused(res, 400)
        self.assertIn("no_such_type", res.json()["errorMessage"])
        for e in [emr["db"], stray] + list(emr["tables"].values()):
            self.assertIsNone(self.server.entity(e["guid"]))

    def test_empty_zip(self):
        buf = io.BytesIO()
        zipfile.ZipFile(buf, "w").close()
        res = self.server.import_zip(buf.getvalue())
        self.assertEqual(res.status_code, 200, res.text)
        self.assertEqual(res.json()["processedEntities"], [])
        res = self.server.import_zip(az.export_zip([]))
        self.assertEqual(res.status_code, 200, res.text)
        self.assertEqual(res.json()["processedEntities"], [])

    def test_zip_bomb(self):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("atlas-export-order.json", '["bomb"]')
            z.writestr("bomb.json", b"\0" * (64 << 20))  # 64 MiB of zeros, ~64 KiB compressed
        self.assertLess(len(buf.getvalue()), 1 << 20)
        self.refused(self.server.import_zip(buf.getvalue()), 413)

    def test_bad_transform(self):
        emr = az.atlas_emr()
        res = self.server.import_zip(az.export_zip(emr["files"]),
                                     {"options": {"transforms": '{"hive_table":{"qualifiedName":["replace:@cl1:@cl2"]}}'}})
        self.refused(res, 400)
        self.assertIn("'~'", res.json()["errorMessage"])
        self.assertIsNone(self.server.entity(emr["db"]["guid"]))

    def test_credentials_and_roles(self):
        data = az.export_zip(az.atlas_emr()["files"])
        self.refused(self.server.import_zip(data, auth=None), 401)
        self.refused(self.server.import_zip(data, auth=("reader", "reader-pw")), 403)
        self.refused(self.server.import_zip(data, auth=("steward", "steward-pw")), 403)
        self.refused(self.server.export({"itemsToExport": [DB_ITEM]}, auth=("reader", "reader-pw")), 403)
        self.refused(self.server.export({"itemsToExport": [DB_ITEM]}, auth=None), 401)
        self.assertEqual(self.count("hive_db"), 0)

    def test_bad_requests(self):
        self.refused(self.server.export({"itemsToExport": "x"}), 400)
        r = requests.post(self.server.url + "/api/atlas/admin/import", data=b"zip?", auth=ADMIN)
        self.refused(r, 400)


class OneAtATime(unittest.TestCase):
    """A second export or import while one runs gets Atlas's 409, except skipLineage exports."""

    def test_lock(self):
        server = Server()
        try:
            db = az.entity("hive_db", az.guid(), {"qualifiedName": "big@cl1", "name": "big", "clusterName": "cl1"})
            files = [(db, {})]
            for t in range(600):
                table = az.entity("hive_table", az.guid(), {"qualifiedName": "big.t%d@cl1" % t, "name": "t%d" % t})
                az.link(table, "db", db, "tables", "hive_table_db", many_b=True)
                cols = {}
                for c in range(9):
                    col = az.entity("hive_column", az.guid(), {"qualifiedName": "big.t%d.c%d@cl1" % (t, c),
                                                               "name": "c%d" % c, "type": "int"})
                    az.link(table, "columns", col, "table", "hive_table_columns", many_a=True)
                    cols[col["guid"]] = col
                files.append((table, cols))
            data = az.export_zip(files)
            import threading
            # The import must still run when an export arrives; on a loaded machine a try may
            # miss that window, or the first export may take the lock before the import's request
            # arrives (the import then gets the 409), so up to five imports are started (the
            # later ones update the same entities).
            seen = {}
            for _ in range(5):
                done = {}
                worker = threading.Thread(target=lambda: done.setdefault("r", server.import_zip(data)))
                worker.start()
                while worker.is_alive() and "busy" not in seen:
                    r = server.export({"itemsToExport": [DB_ITEM], "options": {"fetchType": "full"}})
                    if r.status_code == 409:
                        seen["busy"] = r.json()
                        side = server.export({"itemsToExport": [DB_ITEM], "options": {"skipLineage": True}})
                        seen["skipLineage"] = side.status_code
                    time.sleep(0.05)
                worker.join()
                if done["r"].status_code == 409:
                    self.assertEqual(done["r"].json().get("errorCode"), "ATLAS-500-00-006", done["r"].text)
                    seen.pop("busy", None)
                    seen.pop("skipLineage", None)
                    continue
                self.assertEqual(done["r"].status_code, 200, done["r"].text)
                if "busy" in seen:
                    break
            self.assertEqual(seen.get("busy", {}).get("errorCode"), "ATLAS-500-00-006", seen)
            self.assertEqual(seen["skipLineage"], 200)
            self.assertEqual(server.export({"itemsToExport": [DB_ITEM]}).status_code, 200)  # free again
        finally:
            server.close()


class Cli(unittest.TestCase):
    """`meridian export` and `meridian import` against a server URL."""

    def test_export_then_import(self):
        src, dst = Server(), Server()
        try:
            load_tutorial(src)
            work = tempfile.mkdtemp(prefix="meridian-cli-")
            out = os.path.join(work, "emr.zip")
            env = dict(os.environ, MERIDIAN_PASSWORD="admin")
            r = subprocess.run([BINARY, "export", "--url", src.url, "--type", "hive_db",
                                "--attr", "qualifiedName=atlas_emr@primary", "--fetch-type", "full", "-o", out],
                               env=env, capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("entities", r.stdout)
            with open(out, "rb") as f:
                self.assertGreater(len(zip_entries(f.read())["atlas-export-order.json"]), 3)
            # Two entity files per request: relationships across requests are kept.
            r = subprocess.run([BINARY, "import", "--url", dst.url, out, "--batch-size", "2", "--transforms",
                                '{"Referenceable":{"qualifiedName":["replace~@primary~@dr"]}}'],
                               env=env, capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("created", r.stdout)
            self.assertIsNotNone(dst.by_qn("hive_table", "atlas_emr.trip_details@dr"))
            col = src.by_qn("hive_column", "atlas_emr.trip_details_by_zone.location_id@primary")["guid"]
            walk = {"direction": "BOTH", "depth": 5}
            a = src.get("/api/atlas/v2/lineage/" + col, **walk).json()
            b = dst.get("/api/atlas/v2/lineage/" + col, **walk).json()
            self.assertEqual(sorted(a["guidEntityMap"]), sorted(b["guidEntityMap"]))
            self.assertEqual(len(a["relations"]), len(b["relations"]))
            r = subprocess.run([BINARY, "import", "--url", dst.url, "/nonexistent.zip"], env=env,
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 2)
            with open(os.path.join(work, "junk.zip"), "wb") as f:
                f.write(b"junk")
            r = subprocess.run([BINARY, "import", "--url", dst.url, os.path.join(work, "junk.zip")], env=env,
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 1)
            self.assertIn("not a ZIP", r.stderr)
            shutil.rmtree(work, ignore_errors=True)
        finally:
            src.close()
            dst.close()


if __name__ == "__main__":
    BINARY = sys.argv[1]
    unittest.main(argv=[sys.argv[0]] + sys.argv[2:], verbosity=2)
