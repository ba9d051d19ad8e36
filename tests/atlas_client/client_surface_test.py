#!/usr/bin/env python3
"""Drives Atlas's Python client (upstream/apache_atlas, unchanged) through the calls the sample
app does not make, against a real Meridian server, and checks each result.

The client sends every unset model field as JSON null, so each call here also proves that
Meridian reads null as absent. A few client methods are broken upstream (wrong path template or
argument order); those endpoints are called through the client's own call_api with the client's
API constants, noted where it happens.

Usage: client_surface_test.py MERIDIAN_BINARY
"""
import json
import sys
import traceback

from meridian_server import UPSTREAM, MeridianServer

sys.path.insert(0, UPSTREAM)

from apache_atlas.client.base_client import AtlasClient  # noqa: E402
from apache_atlas.client.entity import EntityClient  # noqa: E402
from apache_atlas.client.glossary import GlossaryClient  # noqa: E402
from apache_atlas.client.relationship import RelationshipClient  # noqa: E402
from apache_atlas.exceptions import AtlasServiceException  # noqa: E402
from apache_atlas.model.discovery import AtlasUserSavedSearch, QuickSearchParameters, SearchParameters  # noqa: E402
from apache_atlas.model.enums import EntityOperation  # noqa: E402
from apache_atlas.model.glossary import (AtlasGlossary, AtlasGlossaryCategory, AtlasGlossaryHeader,  # noqa: E402
                                         AtlasGlossaryTerm)
from apache_atlas.model.instance import (AtlasClassification, AtlasEntity, AtlasEntitiesWithExtInfo,  # noqa: E402
                                         AtlasEntityWithExtInfo, AtlasObjectId, AtlasRelatedObjectId)
from apache_atlas.model.misc import SearchFilter  # noqa: E402
from apache_atlas.model.relationship import AtlasRelationship  # noqa: E402
from apache_atlas.model.typedef import (AtlasAttributeDef, AtlasBusinessMetadataDef, AtlasClassificationDef,  # noqa: E402
                                        AtlasEntityDef, AtlasEnumDef, AtlasEnumElementDef, AtlasRelationshipDef,
                                        AtlasRelationshipEndDef, AtlasStructDef, AtlasTypesDef)
from apache_atlas.client.typedef import TypeDefClient  # noqa: E402
from apache_atlas.utils import API, HTTPMethod, HTTPStatus, type_coerce  # noqa: E402

FAILURES = []


def check(what, condition, detail=""):
    if condition:
        print("ok    " + what)
    else:
        FAILURES.append(what)
        print("FAIL  %s %s" % (what, detail))


def step(fn):
    """Runs one group of checks; an exception fails the group and the run goes on."""
    def run(*args):
        try:
            return fn(*args)
        except Exception as e:  # noqa: BLE001 - report and continue with the next group
            FAILURES.append(fn.__name__)
            print("FAIL  %s raised %s" % (fn.__name__, e))
            traceback.print_exc(file=sys.stdout)
            return None
    return run


def attr(name, type_name, optional=True, **more):
    """An attribute def as the client builds it: every other field left null."""
    return AtlasAttributeDef(dict({"name": name, "typeName": type_name, "isOptional": optional}, **more))


# ---- Types ----

TYPES = AtlasTypesDef({
    "enumDefs": [AtlasEnumDef({"name": "cs_level", "elementDefs": [
        AtlasEnumElementDef({"value": "LOW", "ordinal": 1}), AtlasEnumElementDef({"value": "HIGH", "ordinal": 2})]})],
    "structDefs": [AtlasStructDef({"name": "cs_point", "attributeDefs": [attr("x", "int"), attr("y", "int")]}),
                   AtlasStructDef({"name": "cs_empty"})],  # attributeDefs null
    "classificationDefs": [
        AtlasClassificationDef({"name": "cs_tag", "attributeDefs": [attr("level", "cs_level")]}),
        AtlasClassificationDef({"name": "cs_plain"}),  # attributeDefs, superTypes, entityTypes null
        AtlasClassificationDef({"name": "cs_sub", "superTypes": ["cs_plain"], "entityTypes": ["DataSet"],
                                "attributeDefs": []}),
    ],
    "entityDefs": [
        AtlasEntityDef({"name": "cs_dataset", "superTypes": ["DataSet"], "attributeDefs": [
            attr("level", "cs_level"), attr("where", "cs_point"), attr("rows", "long"),
            attr("tags", "array<string>", cardinality="SET")]}),
        AtlasEntityDef({"name": "cs_job", "superTypes": ["Process"]}),  # attributeDefs null
        AtlasEntityDef({"name": "cs_bare"}),  # no super-types at all
    ],
    "relationshipDefs": [AtlasRelationshipDef({
        "name": "cs_dataset_peer", "relationshipCategory": "ASSOCIATION", "propagateTags": "NONE",
        "endDef1": AtlasRelationshipEndDef({"type": "cs_dataset", "name": "peers", "cardinality": "SET"}),
        "endDef2": AtlasRelationshipEndDef({"type": "cs_dataset", "name": "peerOf", "cardinality": "SET"})})],
    "businessMetadataDefs": [AtlasBusinessMetadataDef({"name": "cs_bm", "attributeDefs": [
        attr("owner_team", "string", options={"applicableEntityTypes": "[\"cs_dataset\"]", "maxStrLength": 30})]})],
})
# Per category: REST path, the client's by-name and by-guid getters (None where the client asks the
# wrong path upstream: structs and enums by guid go to entitydef), the model class.
CATEGORIES = {
    "enumDefs": ("enumdef", "get_enumdef_by_name", None, AtlasEnumDef, "ENUM"),
    "structDefs": ("structdef", None, None, AtlasStructDef, "STRUCT"),
    "classificationDefs": ("classificationdef", "get_classificationdef_by_name", "get_Classificationdef_by_guid",
                           AtlasClassificationDef, "CLASSIFICATION"),
    "entityDefs": ("entitydef", "get_entitydef_by_name", "get_entitydef_by_guid", AtlasEntityDef, "ENTITY"),
    "relationshipDefs": ("relationshipdef", "get_relationshipdef_by_name", "get_relationshipdef_by_guid",
                         AtlasRelationshipDef, "RELATIONSHIP"),
    "businessMetadataDefs": ("businessmetadatadef", "get_businessmetadatadef_by_name",
                             "get_businessmetadatadef_by_guid", AtlasBusinessMetadataDef, "BUSINESS_METADATA"),
}


def get_def(client, key, by, value):
    path, by_name, by_guid, cls, _ = CATEGORIES[key]
    getter = by_name if by == "name" else by_guid
    if getter:
        return getattr(client.typedef, getter)(value)
    template = TypeDefClient.GET_BY_NAME_TEMPLATE if by == "name" else TypeDefClient.GET_BY_GUID_TEMPLATE
    api = API(template, HTTPMethod.GET, HTTPStatus.OK).format_path({"path_type": path, by: value})
    return client.call_api(api, cls)


@step
def typedefs(client):
    created = client.typedef.create_atlas_typedefs(TYPES)
    for key in CATEGORIES:
        names = sorted(d.name for d in (created[key] or []))
        check("create typedefs returns the %s" % key, names == sorted(d.name for d in TYPES[key]), names)
    again = client.typedef.create_atlas_typedefs(AtlasTypesDef({k: [] for k in CATEGORIES}))
    check("create with nothing to create answers with nothing",
          all(not again[k] for k in CATEGORIES), again)

    everything = client.typedef.get_all_typedefs(SearchFilter())
    for key in CATEGORIES:
        listed = {d.name for d in everything[key] or []}
        check("all typedefs list the new %s" % key, {d.name for d in TYPES[key]} <= listed)
    headers = client.typedef.get_all_typedef_headers(SearchFilter())
    header_names = {h["name"]: h for h in headers}
    for key, (_, _, _, _, category) in CATEGORIES.items():
        for d in TYPES[key]:
            got = get_def(client, key, "name", d.name)
            check("%s by name: %s" % (key, d.name), got and got.name == d.name and got.category == category, got)
            # Lists a client may have left null read back as lists.
            for lst in ("attributeDefs", "superTypes", "entityTypes", "elementDefs"):
                if lst in got and got[lst] is not None:
                    check("%s.%s is a list" % (d.name, lst), isinstance(got[lst], list))
            by_g = get_def(client, key, "guid", got.guid)
            check("%s by guid: %s" % (key, d.name), by_g and by_g.name == d.name)
            check("typedef headers list %s as %s" % (d.name, category),
                  header_names.get(d.name, {}).get("category") == category)
            check("type_with_name_exists(%s)" % d.name, client.typedef.type_with_name_exists(d.name))
            check("type_with_guid_exists(%s)" % d.name, client.typedef.type_with_guid_exists(got.guid))
    # get_all_typedefs sends no filter upstream (it reads SearchFilter.params, which does not exist).
    entities_only = client.call_api(TypeDefClient.GET_ALL_TYPE_DEFS, AtlasTypesDef,
                                    {"type": "entity", "name": "cs_dataset"})
    check("typedefs filtered by type and name", [d.name for d in entities_only.entityDefs] == ["cs_dataset"]
          and not entities_only.classificationDefs)

    # Updates Atlas allows: a new optional attribute, a description, a new enum value.
    ds = client.typedef.get_entitydef_by_name("cs_dataset")
    ds.description = "datasets of the client surface test"
    ds.attributeDefs.append(attr("format", "string"))
    level = client.typedef.get_enumdef_by_name("cs_level")
    level.elementDefs.append(AtlasEnumElementDef({"value": "MEDIUM", "ordinal": 3}))
    updated = client.typedef.update_atlas_typedefs(AtlasTypesDef({"entityDefs": [ds], "enumDefs": [level]}))
    check("update returns the changed types", [d.name for d in updated.entityDefs] == ["cs_dataset"])
    ds = client.typedef.get_entitydef_by_name("cs_dataset")
    check("update adds an optional attribute", "format" in [a.name for a in ds.attributeDefs])
    check("update changes the description", ds.description == "datasets of the client surface test")
    check("update adds an enum value",
          "MEDIUM" in [e.value for e in client.typedef.get_enumdef_by_name("cs_level").elementDefs])
    # Changes Atlas refuses, with its error codes.
    mandatory = client.typedef.get_entitydef_by_name("cs_dataset")
    mandatory.attributeDefs.append(attr("must", "string", optional=False))
    check_error("adding a mandatory attribute", lambda: client.typedef.update_atlas_typedefs(
        AtlasTypesDef({"entityDefs": [mandatory]})), 400, "ATLAS-400-00-00C")
    removed = client.typedef.get_entitydef_by_name("cs_dataset")
    removed.attributeDefs = [a for a in removed.attributeDefs if a.name != "rows"]
    check_error("removing an attribute", lambda: client.typedef.update_atlas_typedefs(
        AtlasTypesDef({"entityDefs": [removed]})), 400, "ATLAS-400-00-00D")
    check_error("creating an existing type", lambda: client.typedef.create_atlas_typedefs(
        AtlasTypesDef({"structDefs": [AtlasStructDef({"name": "cs_point"})]})), 409, "ATLAS-409-00-001")


def check_error(what, call, status, code):
    try:
        call()
    except AtlasServiceException as e:
        text = str(e)
        check(what + " is refused with %d %s" % (status, code), str(status) in text and code in text, text[:300])
        return
    check(what + " is refused", False, "it succeeded")


# ---- Entities ----

def dataset(name, **attrs):
    e = AtlasEntity({"typeName": "cs_dataset",
                     "attributes": dict({"name": name, "qualifiedName": name + "@cs"}, **attrs)})
    return e


@step
def entities(client):
    a = dataset("cs_a", level="high", where={"typeName": "cs_point", "attributes": {"x": 1, "y": 2, "z": 3}},
                rows=10, notAnAttribute="ignored")
    b = dataset("cs_b", level="Low")
    job = AtlasEntity({"typeName": "cs_job", "attributes": {"name": "cs_job", "qualifiedName": "cs_job@cs"},
                       "relationshipAttributes": {"inputs": [AtlasRelatedObjectId({"guid": a.guid})],
                                                  "outputs": [AtlasRelatedObjectId({"guid": b.guid})]}})
    bulk = AtlasEntitiesWithExtInfo()
    for e in (a, b, job):
        bulk.add_entity(e)
    resp = client.entity.create_entities(bulk)
    created = resp.mutatedEntities.get(EntityOperation.CREATE.name) or []
    check("bulk create makes three entities", len(created) == 3, resp)
    guids = {e.guid: resp.get_assigned_guid(e.guid) for e in (a, b, job)}
    ga, gb, gjob = guids[a.guid], guids[b.guid], guids[job.guid]

    got = client.entity.get_entity_by_guid(ga).entity
    check("enum value matched regardless of case, stored as defined", got.attributes["level"] == "HIGH",
          got.attributes.get("level"))
    check("an attribute the type does not define is ignored", "notAnAttribute" not in got.attributes)
    where = got.attributes.get("where") or {}
    check("struct keeps its defined attributes only",
          (where.get("attributes") or where).get("x") == 1 and "z" not in (where.get("attributes") or where), where)
    both = client.entity.get_entities_by_guids([ga, gb])
    check("get_entities_by_guids", sorted(e.guid for e in both.entities) == sorted([ga, gb]))
    by_attr = client.entity.get_entity_by_attribute("cs_dataset", {"qualifiedName": "cs_b@cs"})
    check("get_entity_by_attribute", by_attr.entity.guid == gb)
    by_attrs = client.entity.get_entities_by_attribute("cs_dataset", [{"qualifiedName": "cs_a@cs"},
                                                                      {"qualifiedName": "cs_b@cs"}])
    check("get_entities_by_attribute", sorted(e.guid for e in by_attrs.entities) == sorted([ga, gb]))
    header = client.entity.get_entity_header_by_guid(ga)
    check("get_entity_header_by_guid", header.guid == ga and header.typeName == "cs_dataset")
    header = client.entity.get_entity_header_by_attribute("cs_dataset", {"qualifiedName": "cs_a@cs"})
    check("get_entity_header_by_attribute", header.guid == ga)

    client.entity.partial_update_entity_by_guid(ga, 42, "rows")
    check("partial_update_entity_by_guid", client.entity.get_entity_by_guid(ga).entity.attributes["rows"] == 42)
    full = client.entity.get_entity_by_guid(gb)
    full.entity.attributes["description"] = "second dataset"
    resp = client.entity.update_entity(AtlasEntityWithExtInfo({"entity": full.entity}))
    check("update_entity of an entity read back", resp.mutatedEntities is not None, resp)
    check("update_entity stores the change",
          client.entity.get_entity_by_guid(gb).entity.attributes["description"] == "second dataset")
    events = client.entity.get_audit_events(ga, None, None, 10)
    check("get_audit_events lists the create and the update", len(events or []) >= 2, events)
    return ga, gb, gjob


@step
def classifications(client, ga, gb):
    client.entity.add_classifications_by_guid(ga, [AtlasClassification({"typeName": "cs_tag",
                                                                         "attributes": {"level": "low"}})])
    listed = client.entity.get_classifications(ga)
    names = [c.typeName for c in listed.list]
    check("add_classifications_by_guid + get_classifications", names == ["cs_tag"], names)
    check("classification enum attribute matched regardless of case",
          listed.list[0].attributes.get("level") == "LOW", listed.list[0])
    # get_entity_classifications reads the answer as a list upstream; Atlas answers one classification.
    one = client.call_api(EntityClient.GET_FROM_CLASSIFICATION.format_path(
        {"entity_guid": ga, "classification": "cs_tag"}), AtlasClassification)
    check("get classification by name", one and one.typeName == "cs_tag", one)
    client.entity.update_classifications(ga, [AtlasClassification({"typeName": "cs_tag",
                                                                    "attributes": {"level": "HIGH"}})])
    check("update_classifications",
          client.entity.get_classifications(ga).list[0].attributes.get("level") == "HIGH")
    client.entity.add_classification({"classification": AtlasClassification({"typeName": "cs_plain"}),
                                      "entityGuids": [ga, gb]})
    check("add_classification to several entities",
          "cs_plain" in [c.typeName for c in client.entity.get_classifications(gb).list])
    client.entity.add_classifications_by_type("cs_dataset", {"qualifiedName": "cs_b@cs"},
                                              [AtlasClassification({"typeName": "cs_sub"})])
    check("add_classifications_by_type",
          "cs_sub" in [c.typeName for c in client.entity.get_classifications(gb).list])
    client.entity.delete_classification(gb, "cs_sub")
    check("delete_classification",
          "cs_sub" not in [c.typeName for c in client.entity.get_classifications(gb).list])
    client.entity.delete_classifications(ga, [AtlasClassification({"typeName": "cs_plain"})])
    check("delete_classifications",
          [c.typeName for c in client.entity.get_classifications(ga).list] == ["cs_tag"])
    found = client.discovery.basic_search("cs_dataset", "cs_tag", None, True, None, None, 10, 0)
    check("basic search by classification", ga in [e.guid for e in found.entities or []], found)


@step
def labels(client, ga):
    client.entity.add_labels_by_guid(ga, ["red", "green"])
    check("add_labels_by_guid", sorted(client.entity.get_entity_by_guid(ga).entity.labels or []) == ["green", "red"])
    client.entity.remove_labels_by_guid(ga, ["green"])
    check("remove_labels_by_guid", client.entity.get_entity_by_guid(ga).entity.labels == ["red"])
    # set_labels_by_guid is broken upstream (it calls API.format); the same endpoint through call_api.
    api = EntityClient.SET_LABELS
    client.call_api(API(api.path % ga, api.method, api.expected_status), None, None, ["blue"])
    check("set labels", client.entity.get_entity_by_guid(ga).entity.labels == ["blue"])


@step
def relationships(client, ga, gb):
    rel = AtlasRelationship({"typeName": "cs_dataset_peer", "end1": AtlasObjectId({"guid": ga}),
                             "end2": AtlasObjectId({"guid": gb})})
    created = client.relationship.create_relationship(rel)
    check("create_relationship", created and created.guid and created.typeName == "cs_dataset_peer", created)
    # AtlasRelationshipWithExtInfo cannot parse any answer upstream (super(AtlasBase) in type_coerce_attrs):
    # the same GETs through call_api, read as JSON.
    get = RelationshipClient.GET_RELATIONSHIP_BY_GUID.format_path_with_params(created.guid)
    got = json.loads(client.call_api(get, str))
    check("get relationship by guid", got["relationship"]["end1"]["guid"] == ga and
          got["relationship"]["end2"]["guid"] == gb, got)
    ext = json.loads(client.call_api(get, str, {"extendedInfo": True}))
    check("get relationship with extended info names both ends",
          set(ext.get("referredEntities", {}).keys()) >= {ga, gb}, ext)
    peers = client.entity.get_entity_by_guid(ga).entity.relationshipAttributes.get("peers") or []
    check("the relationship shows on the entity", [p["guid"] for p in peers] == [gb], peers)
    # update_relationship passes the body as query parameters upstream; same endpoint through call_api.
    relationship = type_coerce(got["relationship"], AtlasRelationship)
    relationship.propagateTags = "ONE_TO_TWO"
    updated = client.call_api(RelationshipClient.UPDATE_RELATIONSHIP, AtlasRelationship, None, relationship)
    check("update relationship", updated.propagateTags == "ONE_TO_TWO", updated)
    client.relationship.delete_relationship_by_guid(created.guid)
    peers = client.entity.get_entity_by_guid(ga).entity.relationshipAttributes.get("peers") or []
    check("delete_relationship_by_guid", not [p for p in peers if p.get("relationshipStatus") == "ACTIVE"], peers)


@step
def glossary(client, ga):
    g = client.glossary.create_glossary(AtlasGlossary({"name": "cs_glossary", "shortDescription": "client surface"}))
    check("create_glossary", g and g.guid and not g.guid.startswith("-"), g)
    anchor = AtlasGlossaryHeader({"glossaryGuid": g.guid})
    term = client.glossary.create_glossary_term(AtlasGlossaryTerm({"name": "cs_term", "anchor": anchor}))
    check("create_glossary_term", term and term.guid, term)
    more = client.glossary.create_glossary_terms([AtlasGlossaryTerm({"name": "cs_term2", "anchor": anchor}),
                                                  AtlasGlossaryTerm({"name": "cs_term3", "anchor": anchor})])
    check("create_glossary_terms", len(more or []) == 2, more)
    detailed = client.glossary.get_glossary_ext_info(g.guid)
    check("glossary detailed: termInfo holds the term just created", term.guid in (detailed.termInfo or {}), detailed)
    # The client's AtlasGlossary.type_coerce_attrs overwrites `terms` with `classifications` (None) upstream,
    # so the term list is read from the answer itself.
    raw = json.loads(client.call_api(GlossaryClient.GET_DETAILED_GLOSSARY.format_path({"glossary_guid": g.guid}), str))
    check("glossary detailed: terms lists the term just created",
          term.guid in [t.get("termGuid") for t in raw.get("terms", [])], raw)
    cat = client.glossary.create_glossary_category(AtlasGlossaryCategory({"name": "cs_cat", "anchor": anchor}))
    check("create_glossary_category", cat and cat.guid, cat)
    check("get_glossary_by_guid", client.glossary.get_glossary_by_guid(g.guid).name == "cs_glossary")
    check("get_all_glossaries", "cs_glossary" in [x["name"] for x in client.glossary.get_all_glossaries()])
    terms = client.glossary.get_glossary_terms(g.guid)
    check("get_glossary_terms", {"cs_term", "cs_term2", "cs_term3"} <= {t["name"] for t in terms}, terms)
    headers = client.glossary.get_glossary_term_headers(g.guid, "ASC", -1, 0)
    check("get_glossary_term_headers", len(headers) == 3, headers)
    cats = client.glossary.get_glossary_categories(g.guid, "ASC", -1, 0)
    check("get_glossary_categories", [c["name"] for c in cats] == ["cs_cat"], cats)
    check("get_glossary_term", client.glossary.get_glossary_term(term.guid).name == "cs_term")
    check("get_glossary_category", client.glossary.get_glossary_category(cat.guid).name == "cs_cat")
    read = client.glossary.get_glossary_term(term.guid)
    read.shortDescription = "a term"
    client.glossary.update_glossary_term_by_guid(term.guid, read)
    check("update_glossary_term_by_guid", client.glossary.get_glossary_term(term.guid).shortDescription == "a term")
    client.glossary.partial_update_category_by_guid(cat.guid, {"shortDescription": "a category"})
    check("partial_update_category_by_guid",
          client.glossary.get_glossary_category(cat.guid).shortDescription == "a category")
    client.glossary.assign_term_to_entities(term.guid, [AtlasRelatedObjectId({"guid": ga})])
    assigned = client.glossary.get_entities_assigned_with_term(term.guid, "ASC", -1, 0)
    check("assign_term_to_entities + get_entities_assigned_with_term",
          [x["guid"] for x in assigned or []] == [ga], assigned)
    meanings = client.entity.get_entity_by_guid(ga).entity.relationshipAttributes.get("meanings") or []
    check("the entity carries the term", [m["guid"] for m in meanings] == [term.guid], meanings)
    client.glossary.delete_glossary_category_by_guid(cat.guid)
    client.glossary.delete_glossary_term_by_guid(more[1]["guid"])
    check("delete term and category", len(client.glossary.get_glossary_terms(g.guid)) == 2)


@step
def lineage(client, ga, gb, gjob):
    info = client.lineage.get_lineage_info(ga, "OUTPUT", 3)
    ends = {(r.fromEntityId, r.toEntityId) for r in info.relations}
    check("get_lineage_info from the input", (ga, gjob) in ends and (gjob, gb) in ends, ends)
    check("the lineage names its entities", {ga, gb, gjob} <= set(info.guidEntityMap))
    info = client.lineage.get_lineage_info_attr("cs_dataset", {"qualifiedName": "cs_b@cs"}, "INPUT", 3)
    check("get_lineage_info_attr from the output", info.baseEntityGuid == gb and gjob in info.guidEntityMap, info)


@step
def search(client, ga, gb):
    result = client.discovery.dsl_search("cs_dataset where name = 'cs_a'")
    check("dsl_search", [e.guid for e in result.entities or []] == [ga], result)
    result = client.discovery.dsl_search_with_params("from cs_dataset", 1, 1)
    check("dsl_search_with_params pages", len(result.entities or []) == 1)
    result = client.discovery.basic_search("cs_dataset", None, "cs_b", True)
    check("basic_search", gb in [e.guid for e in result.entities or []], result)
    params = SearchParameters({"typeName": "cs_dataset", "excludeDeletedEntities": True, "limit": 10, "offset": 0,
                               "entityFilters": {"attributeName": "name", "operator": "eq", "attributeValue": "cs_a"}})
    result = client.discovery.faceted_search(params)
    check("faceted_search (POST basic) with null fields", [e.guid for e in result.entities or []] == [ga], result)
    quick = client.discovery.quick_search("cs_a", "cs_dataset", True, 10, 0)
    check("quick_search", ga in [e.guid for e in quick.searchResults.entities or []], quick)
    quick = client.discovery.quick_search_with_param(QuickSearchParameters({"query": "cs_b", "typeName": "cs_dataset",
                                                                            "limit": 10, "offset": 0}))
    check("quick_search_with_param with null fields", gb in [e.guid for e in quick.searchResults.entities or []])
    full = client.discovery.full_text_search("cs_a")
    check("full_text_search", full is not None)
    prefix = client.discovery.attribute_search("cs_dataset", "name", "cs_", 10, 0)
    check("attribute_search", {ga, gb} <= {e.guid for e in prefix.entities or []}, prefix)


@step
def admin(client):
    metrics = client.admin.get_metrics()
    check("get_metrics counts the datasets", metrics.entity.get("entityActive", {}).get("cs_dataset") == 2, metrics)


@step
def cleanup(client, ga, gb, gjob):
    resp = client.entity.delete_entity_by_attribute("cs_job", {"qualifiedName": "cs_job@cs"})
    check("delete_entity_by_attribute", gjob in [h.guid for h in resp.mutatedEntities.get("DELETE", [])], resp)
    resp = client.entity.delete_entity_by_guid(ga)
    check("delete_entity_by_guid", ga in [h.guid for h in resp.mutatedEntities.get("DELETE", [])], resp)
    client.entity.delete_entities_by_guids([gb])
    resp = client.entity.purge_entities_by_guids([ga, gb, gjob])
    check("purge_entities_by_guids", sorted(h.guid for h in resp.mutatedEntities.get("PURGE", [])) ==
          sorted([ga, gb, gjob]), resp)
    for name in ("cs_bare", "cs_empty"):
        client.typedef.delete_type_by_name(name)
        check("delete_type_by_name(%s)" % name, not client.typedef.type_with_name_exists(name))


# ---- Business metadata on entities, saved searches ----

@step
def business_metadata(client, ga, gb):
    client.entity.add_or_update_business_attributes(ga, False, {"cs_bm": {"owner_team": "data"}})
    got = client.entity.get_entity_by_guid(ga).entity
    check("add_or_update_business_attributes", got.businessAttributes == {"cs_bm": {"owner_team": "data"}},
          got.businessAttributes)
    client.entity.add_or_update_business_attributes_bm_name(ga, "cs_bm", {"owner_team": "platform"})
    got = client.entity.get_entity_by_guid(ga).entity
    check("add_or_update_business_attributes_bm_name",
          (got.businessAttributes or {}).get("cs_bm") == {"owner_team": "platform"}, got.businessAttributes)
    client.entity.remove_business_attributes_bm_name(ga, "cs_bm", {"owner_team": "platform"})
    check("remove_business_attributes_bm_name", not client.entity.get_entity_by_guid(ga).entity.businessAttributes)
    check_error("an unknown business metadata name", lambda: client.entity.add_or_update_business_attributes_bm_name(
        gb, "cs_no_such_bm", {"x": 1}), 404, "ATLAS-404-00-007")


@step
def saved_searches(client, ga, gb):
    # The client gives a new saved search a negative placeholder guid, as it does every model object.
    saved = client.discovery.add_saved_search(AtlasUserSavedSearch({
        "name": "cs_saved", "searchType": "BASIC",
        "searchParameters": SearchParameters({"typeName": "cs_dataset", "excludeDeletedEntities": True})}))
    check("add_saved_search", saved and saved.guid and not saved.guid.startswith("-"), saved)
    listed = client.discovery.get_saved_searches("admin")
    check("get_saved_searches", "cs_saved" in [x["name"] for x in listed or []], listed)
    check("get_saved_search", client.discovery.get_saved_search("admin", "cs_saved").guid == saved.guid)
    result = client.discovery.execute_saved_search_with_user_name("admin", "cs_saved")
    check("execute_saved_search_with_user_name", {ga, gb} <= {e.guid for e in result.entities or []}, result)
    result = client.discovery.execute_saved_search_with_search_guid(saved.guid)
    check("execute_saved_search_with_search_guid", {ga, gb} <= {e.guid for e in result.entities or []}, result)
    saved.searchParameters.query = "cs_a"
    updated = client.discovery.update_saved_search(saved)
    check("update_saved_search", updated.searchParameters.query == "cs_a", updated)
    client.discovery.delete_saved_search(saved.guid)
    check("delete_saved_search", "cs_saved" not in [x["name"] for x in client.discovery.get_saved_searches("admin")
                                                    or []])


def main():
    binary = sys.argv[1]
    with MeridianServer(binary) as server:
        client = AtlasClient(server.url, ("admin", "admin"))
        typedefs(client)
        ids = entities(client)
        if ids:
            ga, gb, gjob = ids
            classifications(client, ga, gb)
            labels(client, ga)
            relationships(client, ga, gb)
            glossary(client, ga)
            lineage(client, ga, gb, gjob)
            search(client, ga, gb)
            admin(client)
            business_metadata(client, ga, gb)
            saved_searches(client, ga, gb)
            cleanup(client, ga, gb, gjob)
        if FAILURES:
            print("\n%d check(s) failed: %s" % (len(FAILURES), ", ".join(FAILURES)))
            print("---- server log (tail) ----\n" + server.log()[-10000:])
            return 1
        print("\nall checks passed")
        return 0


if __name__ == "__main__":
    sys.exit(main())
