// A taxi fleet, for the cases that pin down Atlas's DSL semantics (cases/atlas_*.test).
//
// Types: Referenceable > Asset > {DataSet > vehicle > van, depot, driver}; a glossary term
// type; classification Premium. vehicle and van have a numeric/boolean/date attribute of
// every primitive kind; some entities leave them unset (they read as the type's default).
// Names repeat across types on purpose ("north" is a depot and a van), and the depot and
// driver references are many-valued on one side. Drivers are assigned glossary terms through
// the `meanings` relationship (one assignment is DELETED).
#include <utility>

#include "memory_catalog.h"

namespace meridian::dsl::testing {
namespace {

using Json = nlohmann::json;

void DefineTypes(MemoryCatalog& c) {
  c.AddType({"Referenceable", false, {}, {Attr("qualifiedName", "string"), RefAttr("meanings", "AtlasGlossaryTerm", true)}});
  c.AddType({"Asset", false, {"Referenceable"}, {Attr("name", "string"), Attr("owner", "string"), Attr("description", "string")}});
  c.AddType({"DataSet", false, {"Asset"}, {}});
  c.AddType({"depot",
             false,
             {"Asset"},
             {Attr("city", "string"), Attr("capacity", "int"), RefAttr("vehicles", "vehicle", true)}});
  c.AddType({"vehicle",
             false,
             {"DataSet"},
             {Attr("seats", "short"), Attr("doors", "byte"), Attr("trips", "int"), Attr("mileage", "long"),
              Attr("economy", "float"), Attr("rating", "double"), Attr("electric", "boolean"),
              Attr("registered", "date"), Attr("plate", "string"), RefAttr("depot", "depot", false),
              RefAttr("drivers", "driver", true)}});
  c.AddType({"van", false, {"vehicle"}, {Attr("cargo", "int")}});
  c.AddType({"driver", false, {"Asset"}, {Attr("licence", "string"), RefAttr("vehicles", "vehicle", true)}});
  c.AddType({"AtlasGlossaryTerm", false, {}, {Attr("qualifiedName", "string"), Attr("name", "string")}});
  c.AddType({"Premium", true, {}, {}});
}

Json Entity(const std::string& type, const std::string& guid, Json attributes) {
  return {{"typeName", type},
          {"guid", guid},
          {"status", "ACTIVE"},
          {"createdBy", "fleet"},
          {"updatedBy", "fleet"},
          {"createTime", 1700000000000},
          {"updateTime", 1700000000000},
          {"attributes", std::move(attributes)},
          {"relationshipAttributes", Json::object()},
          {"classifications", Json::array()},
          {"labels", Json::array()},
          {"isIncomplete", false}};
}

void AddEntities(MemoryCatalog& c) {
  c.AddEntity(Entity("depot", "depot-north", {{"qualifiedName", "north@fleet"}, {"name", "north"}, {"owner", "ops"}, {"city", "Leeds"}, {"capacity", 40}}));
  c.AddEntity(Entity("depot", "depot-south", {{"qualifiedName", "south@fleet"}, {"name", "south"}, {"owner", "ops"}, {"city", "Derby"}}));
  c.AddEntity(Entity("depot", "depot-east", {{"qualifiedName", "east@fleet"}, {"name", "east"}, {"owner", "finance"}}));

  // Every primitive set.
  c.AddEntity(Entity("vehicle", "veh-cab1",
                     {{"qualifiedName", "cab1@fleet"}, {"name", "cab1"}, {"owner", "ops"}, {"seats", 4}, {"doors", 5},
                      {"trips", 1200}, {"mileage", 88000}, {"economy", 6.5}, {"rating", 4.8}, {"electric", true},
                      {"registered", 1609459200000}, {"plate", "LS01 CAB"}}));
  // Nothing but names: every primitive reads as its default.
  c.AddEntity(Entity("vehicle", "veh-cab2", {{"qualifiedName", "cab2@fleet"}, {"name", "cab2"}, {"owner", "ops"}}));
  c.AddEntity(Entity("vehicle", "veh-cab3",
                     {{"qualifiedName", "cab3@fleet"}, {"name", "cab3"}, {"owner", "finance"}, {"seats", 2}, {"trips", 3},
                      {"rating", 3.5}, {"electric", false}}));
  c.AddEntity(Entity("van", "van-north",
                     {{"qualifiedName", "north-van@fleet"}, {"name", "north"}, {"owner", "ops"}, {"seats", 3}, {"cargo", 900}}));
  c.AddEntity(Entity("van", "van-table1", {{"qualifiedName", "table1@fleet"}, {"name", "table1"}, {"owner", "ops"}}));
  c.AddEntity(Entity("van", "van-table7", {{"qualifiedName", "table7@fleet"}, {"name", "table7"}, {"owner", "ops"}}));

  c.AddEntity(Entity("driver", "drv-ann", {{"qualifiedName", "ann@fleet"}, {"name", "ann"}, {"owner", "hr"}, {"licence", "B"}}));
  c.AddEntity(Entity("driver", "drv-bob", {{"qualifiedName", "bob@fleet"}, {"name", "bob"}, {"owner", "hr"}}));
  c.AddEntity(Entity("driver", "drv-cy", {{"qualifiedName", "cy@fleet"}, {"name", "cy"}, {"owner", "hr"}, {"licence", "C"}}));

  c.AddEntity(Entity("AtlasGlossaryTerm", "term-night", {{"qualifiedName", "night@shifts"}, {"name", "night"}}));
  c.AddEntity(Entity("AtlasGlossaryTerm", "term-day", {{"qualifiedName", "day@shifts"}, {"name", "day"}}));
  c.AddEntity(Entity("AtlasGlossaryTerm", "term-night-hr", {{"qualifiedName", "night@hr"}, {"name", "night"}}));
}

void Connect(MemoryCatalog& c) {
  for (const auto& [vehicle, depot] : {std::pair{"veh-cab1", "depot-north"}, {"veh-cab2", "depot-north"},
                                       {"van-north", "depot-north"}, {"veh-cab3", "depot-south"},
                                       {"van-table1", "depot-south"}, {"van-table7", "depot-east"}}) {
    c.Link(vehicle, "depot", depot);
    c.Link(depot, "vehicles", vehicle);
  }
  // cab1 is shared by ann and bob; bob also drives the north van.
  for (const auto& [vehicle, driver] : {std::pair{"veh-cab1", "drv-ann"}, {"veh-cab1", "drv-bob"},
                                        {"van-north", "drv-bob"}, {"veh-cab3", "drv-cy"}}) {
    c.Link(vehicle, "drivers", driver);
    c.Link(driver, "vehicles", vehicle);
  }
  c.Link("drv-ann", "meanings", "term-night");
  c.Link("drv-bob", "meanings", "term-day");
  c.Link("drv-cy", "meanings", "term-night-hr");
  c.Link("veh-cab1", "meanings", "term-night");
  // A removed assignment does not count.
  c.Link("drv-bob", "meanings", "term-night");
  c.SetRelationshipStatus("drv-bob", "meanings", "term-night", "DELETED");
}

}  // namespace

std::unique_ptr<MemoryCatalog> BuildFleetCatalog() {
  auto c = std::make_unique<MemoryCatalog>();
  DefineTypes(*c);
  AddEntities(*c);
  Connect(*c);
  Json premium = {{"typeName", "Premium"}, {"entityGuid", "veh-cab1"}, {"attributes", Json::object()}};
  c->AddClassification("veh-cab1", premium);
  c->IndexAttribute("qualifiedName");
  c->IndexAttribute("name");
  return c;
}

}  // namespace meridian::dsl::testing
