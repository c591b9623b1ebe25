// scenario_input_test.cpp: bad scenario input gets one InputError naming the
// file and the exact JSON pointer of the offending value; good input loads.
// Each test starts from a valid scenario (the seed-000 shape), breaks one
// thing, and states the pointer that thing lives at.
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include <model/actors.h>
#include <model/kernel_config.h>
#include <model/scenario.h>

#include "model_fixture.h"

#include <CppUTest/TestHarness.h>

namespace {

/// The seed-000 scenario of model_fixture.h with FOLL_MIGRATION reverted:
/// it expects the WARN, under a small bounded DFS.
nlohmann::json valid_scenario() {
  nlohmann::json j = model_test::seed000_scenario();
  j["name"] = "t/valid";
  j["summary"] = "a valid seed-000 scenario";
  j["reverted"] = {"5117b3b835f2"};
  j["invariants"] = {"ksm_fully_unmerged"};
  j["expect"] = {{"result", "violation"}, {"violation", "WARN_ON_ONCE"}};
  j["explore"] = {{"strategy", "dfs"}, {"max_steps", 500}, {"preemption_bound", 1}};
  return j;
}

using model_test::load_error_pointer;

std::string broken(const std::function<void(nlohmann::json&)>& edit, std::string* message = nullptr) {
  nlohmann::json j = valid_scenario();
  edit(j);
  return load_error_pointer(j, message);
}

using model_test::contains;

}  // namespace

TEST_GROUP(ScenarioInput){};

TEST(ScenarioInput, ValidScenarioLoads) {
  model::Scenario s = model::Scenario::parse(valid_scenario(), "t.json");
  STRCMP_EQUAL("t/valid", s.name().c_str());
  STRCMP_EQUAL("3.9", s.era().c_str());
  LONGS_EQUAL(1, s.reverted().size());
  LONGS_EQUAL(2, s.threads().size());
  STRCMP_EQUAL("M", s.threads()[1].name.c_str());
  CHECK(s.expect().result == model::Expectation::Result::Violation);
  LONGS_EQUAL(500, s.options().max_steps);
  LONGS_EQUAL(1, *s.options().preemption_bound);
  LONGS_EQUAL(16, s.content_hash().size());
  CHECK(s.make_program() != nullptr);
}

TEST(ScenarioInput, HashFollowsContent) {
  nlohmann::json other = valid_scenario();
  other["summary"] = "changed";
  CHECK(model::Scenario::parse(valid_scenario(), "a.json").content_hash() ==
        model::Scenario::parse(valid_scenario(), "b.json").content_hash());
  CHECK(model::Scenario::parse(valid_scenario(), "a.json").content_hash() !=
        model::Scenario::parse(other, "a.json").content_hash());
}

TEST(ScenarioInput, MalformedJson) {
  const char* path = "/tmp/mmcheck_model_test_malformed.json";
  {
    std::ofstream out(path);
    out << "{ \"name\": \"x\", ";
  }
  try {
    model::Scenario::load(path);
    FAIL("malformed JSON loaded");
  } catch (const model::InputError& e) {
    STRCMP_EQUAL(path, e.file().c_str());
    STRCMP_EQUAL("", e.pointer().c_str());  // the error is in the object, after "name"
    CHECK(contains(e.what(), "malformed JSON"));
  }
  std::remove(path);
}

TEST(ScenarioInput, MissingFile) {
  try {
    model::Scenario::load("/nonexistent/dir/x.json");
    FAIL("missing file loaded");
  } catch (const model::InputError& e) {
    STRCMP_EQUAL("/nonexistent/dir/x.json: at /: cannot open file: No such file or directory", e.what());
  }
}

TEST(ScenarioInput, UnknownTopLevelField) {
  std::string msg;
  STRCMP_EQUAL("/colour", broken([](nlohmann::json& j) { j["colour"] = "red"; }, &msg).c_str());
  STRCMP_EQUAL("t.json: at /colour: unknown field \"colour\" (fields here: expect, explore, initial, invariants, kernel, "
               "name, reverted, seed, summary, threads)",
               msg.c_str());
  // A field one or two edits from one the object is read for, and absent, is named.
  STRCMP_EQUAL("/initial/ptes/0/writeable", broken([](nlohmann::json& j) {
                 nlohmann::json& pte = j["initial"]["ptes"][0];
                 pte["writeable"] = pte.contains("writable") ? pte["writable"] : nlohmann::json(false);
                 pte.erase("writable");
               }, &msg).c_str());
  CHECK_TEXT(contains(msg, "unknown field \"writeable\" (\"writable\": a misspelling?)"), msg.c_str());
}

TEST(ScenarioInput, UnknownNestedField) {
  STRCMP_EQUAL("/initial/pages/1/colour",
               broken([](nlohmann::json& j) { j["initial"]["pages"][1]["colour"] = 1; }).c_str());
  STRCMP_EQUAL("/threads/0/args/speed",
               broken([](nlohmann::json& j) { j["threads"][0]["args"]["speed"] = 1; }).c_str());
  STRCMP_EQUAL("/explore/jobs", broken([](nlohmann::json& j) { j["explore"]["jobs"] = 2; }).c_str());
}

TEST(ScenarioInput, UnknownFieldPointerIsEscaped) {
  STRCMP_EQUAL("/expect/a~1b~0c", broken([](nlohmann::json& j) { j["expect"]["a/b~c"] = 1; }).c_str());
}

TEST(ScenarioInput, MissingField) {
  std::string msg;
  STRCMP_EQUAL("", broken([](nlohmann::json& j) { j.erase("kernel"); }, &msg).c_str());
  STRCMP_EQUAL("t.json: at /: missing required field \"kernel\"", msg.c_str());
  STRCMP_EQUAL("/threads/0", broken([](nlohmann::json& j) { j["threads"][0].erase("actor"); }).c_str());
}

// A required field that is missing while the object has a key one or two edits away
// from it names that key as a likely misspelling; a field of another pte kind is named
// as such, not as an unknown field.
TEST(ScenarioInput, MisspelledOrMisplacedFieldIsNamed) {
  std::string msg;
  STRCMP_EQUAL("/initial/ptes/0", broken([](nlohmann::json& j) {
                 nlohmann::json& pte = j["initial"]["ptes"][0];
                 pte["adress"] = pte["address"];
                 pte.erase("address");
               }, &msg).c_str());
  CHECK_TEXT(contains(msg, "missing required field \"address\" (the object has \"adress\": a misspelling?)"), msg.c_str());
  STRCMP_EQUAL("/threads/0", broken([](nlohmann::json& j) { j["threads"][0].erase("actor"); }, &msg).c_str());
  CHECK_TEXT(!contains(msg, "misspelling"), msg.c_str());  // nothing close to "actor" there
  STRCMP_EQUAL("/initial/ptes/0/page", broken([](nlohmann::json& j) {
                 nlohmann::json& pte = j["initial"]["ptes"][0];
                 pte["pte"] = "swap";
                 pte["entry"] = 1;
                 pte.erase("writable");
                 pte.erase("dirty");
                 pte.erase("young");
               }, &msg).c_str());
  CHECK_TEXT(contains(msg, "a swap pte maps no page"), msg.c_str());
  STRCMP_EQUAL("/initial/ptes/0/entry", broken([](nlohmann::json& j) { j["initial"]["ptes"][0]["entry"] = 1; }, &msg).c_str());
  CHECK_TEXT(contains(msg, "\"entry\" is the slot of a swap pte, not of a present pte"), msg.c_str());
}

TEST(ScenarioInput, UnknownActor) {
  std::string msg;
  STRCMP_EQUAL("/threads/1/actor",
               broken([](nlohmann::json& j) { j["threads"][1]["actor"] = "migrate_page"; }, &msg).c_str());
  CHECK(contains(msg, "unknown actor \"migrate_page\""));
}

TEST(ScenarioInput, BadActorArgument) {
  std::string msg;
  STRCMP_EQUAL("/threads/1/args/page",
               broken([](nlohmann::json& j) { j["threads"][1]["args"]["page"] = "Q"; }, &msg).c_str());
  STRCMP_EQUAL("t.json: at /threads/1/args/page: no page named \"Q\"", msg.c_str());
  STRCMP_EQUAL("/threads/1/args/to_node",
               broken([](nlohmann::json& j) { j["threads"][1]["args"]["to_node"] = 2; }).c_str());
  STRCMP_EQUAL("/threads/0/args/value",
               broken([](nlohmann::json& j) { j["threads"][0]["args"]["value"] = 3; }).c_str());
}

TEST(ScenarioInput, MadviseArguments) {
  auto madvise = [](nlohmann::json& j) {
    j["threads"][0] = {{"actor", "madvise_unmergeable"}, {"args", {{"mm", "A"}, {"start", "0x1000"}, {"end", "0x2000"}}}};
  };
  STRCMP_EQUAL("<none>", broken(madvise).c_str());
  STRCMP_EQUAL("/threads/0/args/mm", broken([&](nlohmann::json& j) { madvise(j); j["threads"][0]["args"]["mm"] = "C"; }).c_str());
  STRCMP_EQUAL("/threads/0/args/end", broken([&](nlohmann::json& j) { madvise(j); j["threads"][0]["args"]["end"] = "0x3000"; }).c_str());
  STRCMP_EQUAL("/threads/0/args/start", broken([&](nlohmann::json& j) { madvise(j); j["threads"][0]["args"]["start"] = "0x1001"; }).c_str());
}

TEST(ScenarioInput, WrongType) {
  std::string msg;
  STRCMP_EQUAL("/threads/1/args/to_node",
               broken([](nlohmann::json& j) { j["threads"][1]["args"]["to_node"] = "one"; }, &msg).c_str());
  STRCMP_EQUAL("t.json: at /threads/1/args/to_node: expected an integer, got a string", msg.c_str());
  STRCMP_EQUAL("/initial/pages", broken([](nlohmann::json& j) { j["initial"]["pages"] = "K"; }).c_str());
  STRCMP_EQUAL("/expect/result", broken([](nlohmann::json& j) { j["expect"]["result"] = true; }).c_str());
}

TEST(ScenarioInput, UnknownFix) {
  std::string msg;
  STRCMP_EQUAL("/reverted/0", broken([](nlohmann::json& j) { j["reverted"][0] = "deadbeef0000"; }, &msg).c_str());
  CHECK(contains(msg, "unknown fix \"deadbeef0000\""));
}

TEST(ScenarioInput, FixNotInEra) {
  std::string msg;
  STRCMP_EQUAL("/reverted/1",
               broken([](nlohmann::json& j) { j["reverted"].push_back("e9995ef978a7"); }, &msg).c_str());
  CHECK(contains(msg, "belongs to kernel 2.6.33, not 3.9"));
  STRCMP_EQUAL("/reverted/0", broken([](nlohmann::json& j) { j["kernel"] = "4.19"; }).c_str());
}

// Era coherence: an actor names the eras whose model has it; a scenario of
// another era (with nothing reverted that belongs elsewhere) that names it is
// refused at the actor rather than run on v3.9 code.
TEST(ScenarioInput, ActorNotInEra) {
  std::string msg;
  STRCMP_EQUAL("/threads/0/actor", broken([](nlohmann::json& j) {
                 j["kernel"] = "4.19";
                 j["reverted"] = nlohmann::json::array();
                 j["threads"][0] = {{"actor", "admin"}, {"args", {{"steps", {{{"run", 2}}}}}}};
               }, &msg).c_str());
  CHECK(contains(msg, "actor \"admin\" is not modelled in kernel 4.19 (it exists in 3.9"));
}

// A kernel operation the era's kernel has but no model does is a model limit (unsupported,
// exit 4), not bad input; one that came after the era is bad input; a typo stays unknown.
TEST(ScenarioInput, KnownKernelOperationsTheModelLacks) {
  auto refusal = [](const char* kernel, const char* actor) {
    nlohmann::json j = valid_scenario();
    j["kernel"] = kernel;
    j["reverted"] = nlohmann::json::array();
    j["threads"][0] = {{"actor", actor}, {"args", nlohmann::json::object()}};
    try {
      model::Scenario::parse(j, "t.json");
    } catch (const model::UnsupportedInput& e) {
      return std::string("unsupported|") + e.pointer() + "|" + e.what();
    } catch (const model::InputError& e) {
      return std::string("bad|") + e.pointer() + "|" + e.what();
    }
    return std::string("loaded");
  };
  std::string r = refusal("4.19", "mprotect");
  CHECK_TEXT(r.rfind("unsupported|/threads/0/actor|", 0) == 0, r.c_str());
  CHECK_TEXT(contains(r, "actor \"mprotect\" (mprotect_fixup -> change_protection"), r.c_str());
  CHECK_TEXT(contains(r, "is not modelled in kernel 4.19"), r.c_str());
  r = refusal("4.19", "madvise_free");
  CHECK_TEXT(r.rfind("unsupported|", 0) == 0, r.c_str());
  CHECK_TEXT(contains(r, "the model's \"madvise_dontneed\" covers part of it"), r.c_str());
  r = refusal("3.9", "madvise_free");  // MADV_FREE came in 4.5
  CHECK_TEXT(r.rfind("bad|/threads/0/actor|", 0) == 0, r.c_str());
  CHECK_TEXT(contains(r, "\"madvise_free\" does not exist in kernel 3.9"), r.c_str());
  CHECK_TEXT(contains(r, "came in 4.5"), r.c_str());
  r = refusal("2.6.33", "khugepaged");  // THP came in 2.6.38
  CHECK_TEXT(r.rfind("bad|", 0) == 0, r.c_str());
  r = refusal("4.19", "mprotectt");
  CHECK_TEXT(r.rfind("bad|", 0) == 0, r.c_str());
  CHECK_TEXT(contains(r, "unknown actor \"mprotectt\""), r.c_str());
  // No modelled actor is also listed as unmodelled.
  for (const model::UnmodelledActor& u : model::unmodelled_actors())
    for (const model::ActorInfo& a : model::actor_catalogue()) CHECK_TEXT(std::string(u.name) != a.name, u.name);
}

TEST(ScenarioInput, UnknownSeed) {
  std::string msg;
  STRCMP_EQUAL("/seed", broken([](nlohmann::json& j) { j["seed"] = "005"; }, &msg).c_str());
  CHECK(contains(msg, "unknown seed \"005\""));
  STRCMP_EQUAL("/seed", broken([](nlohmann::json& j) { j["seed"] = 3; }).c_str());
}

TEST(ScenarioInput, UnknownEraAndInvariant) {
  STRCMP_EQUAL("/kernel", broken([](nlohmann::json& j) { j["kernel"] = "3.10"; }).c_str());
  STRCMP_EQUAL("/invariants/0", broken([](nlohmann::json& j) { j["invariants"][0] = "no_bugs"; }).c_str());
  STRCMP_EQUAL("/explore/strategy", broken([](nlohmann::json& j) { j["explore"]["strategy"] = "bfs"; }).c_str());
  // random and pct are unbounded without a budget
  STRCMP_EQUAL("/explore", broken([](nlohmann::json& j) { j["explore"]["strategy"] = "pct"; }).c_str());
}

TEST(ScenarioInput, DanglingReferences) {
  std::string msg;
  STRCMP_EQUAL("/initial/ptes/0/page",
               broken([](nlohmann::json& j) { j["initial"]["ptes"][0]["page"] = "Z"; }, &msg).c_str());
  STRCMP_EQUAL("t.json: at /initial/ptes/0/page: no page named \"Z\"", msg.c_str());
  STRCMP_EQUAL("/initial/rmap_items/1/stable_node",
               broken([](nlohmann::json& j) { j["initial"]["rmap_items"][1]["stable_node"] = "T"; }).c_str());
  STRCMP_EQUAL("/initial/ksm/mm_slots/1",
               broken([](nlohmann::json& j) { j["initial"]["ksm"]["mm_slots"][1] = "C"; }).c_str());
  STRCMP_EQUAL("/initial/ptes/1/address",
               broken([](nlohmann::json& j) { j["initial"]["ptes"][1]["address"] = "0x5000"; }).c_str());
}

TEST(ScenarioInput, ImpossibleStates) {
  std::string msg;
  STRCMP_EQUAL("/initial/pages/0/mapcount",
               broken([](nlohmann::json& j) { j["initial"]["pages"][0]["mapcount"] = 3; }, &msg).c_str());
  CHECK(contains(msg, "mapcount 3 but 2 present ptes map K"));
  // A KSM page without a stable node.
  STRCMP_EQUAL("/initial/pages/0/flags",
               broken([](nlohmann::json& j) { j["initial"].erase("stable_nodes"); j["initial"].erase("rmap_items");
                                              j["initial"]["ksm"].erase("pages_shared");
                                              j["initial"]["ksm"].erase("pages_sharing"); }, &msg).c_str());
  CHECK(contains(msg, "marked Ksm but no stable node names it"));
  STRCMP_EQUAL("/initial/ksm/pages_sharing",
               broken([](nlohmann::json& j) { j["initial"]["ksm"]["pages_sharing"] = 2; }).c_str());
  STRCMP_EQUAL("/initial/ptes/0/pte",
               broken([](nlohmann::json& j) { j["initial"]["ptes"][0]["pte"] = "migration"; }).c_str());
  STRCMP_EQUAL("/initial/ptes/0/page",
               broken([](nlohmann::json& j) { j["initial"]["ptes"][0]["page"] = "N"; }).c_str());
  STRCMP_EQUAL("/initial/ptes/0/address",
               broken([](nlohmann::json& j) { j["initial"]["ptes"][0]["address"] = "0x1800"; }).c_str());
}

TEST(ScenarioInput, Catalogues) {
  bool run = false, migrate = false;
  for (const auto& a : model::actors()) {
    run |= a.name == "ksm_run_store";
    migrate |= a.name == "migrate_pages";
  }
  CHECK_TRUE(run && migrate);
  LONGS_EQUAL(22, model::fixes().size());  // 13 commits + the 4 parts of cbf86cfe04a6, 2 of e9995ef978a7, 3 of 62b61f611eb5
  LONGS_EQUAL(3, model::eras().size());
  bool unmerged = false, leftover = false;
  for (const auto& i : model::invariants()) {
    unmerged |= i.name == "ksm_fully_unmerged";
    leftover |= i.name == "no_leftover_migration_entry";
  }
  CHECK_TRUE(unmerged && leftover);
}

// A page of a vma no pte names is pte_none: a thread's (mm, address) and a fork child's
// copies of its parent's ptes get a none slot; an address in no vma, and an mm declared
// without a page table ("pmd": "none"), keep their errors.
TEST(ScenarioInput, UndeclaredPtesOfAVmaAreNone) {
  nlohmann::json j = nlohmann::json::parse(R"({
    "name": "t/implicit-none", "summary": "s", "kernel": "3.9",
    "initial": {
      "pages": [ { "name": "P", "flags": ["Anon", "Uptodate", "LRU"], "mapcount": 1 }, { "name": "F", "free": true } ],
      "mms": [
        { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x4000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "av" } ] },
        { "name": "C", "vmas": [ { "start": "0x1000", "end": "0x4000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "avC" } ] }
      ],
      "ptes": [ { "mm": "A", "address": "0x1000", "pte": "present", "page": "P", "writable": true } ]
    },
    "threads": [
      { "name": "W", "actor": "fault", "args": { "mm": "A", "address": "0x3000", "write": true } },
      { "name": "P", "actor": "fork", "args": { "mm": "A", "child": "C" } }
    ],
    "expect": { "result": "pass" }
  })");
  const model::Scenario s = model::Scenario::parse(j, "t.json");
  const model::Kernel& k = s.initial_kernel();
  CHECK(k.mms[0].ptes.at(0x3000).pte.is_none());  // the fault's address
  CHECK(k.mms[1].ptes.at(0x1000).pte.is_none());  // the child's copy of A:0x1000
  CHECK(k.mms[1].ptes.at(0x3000).pte.is_none());  // and of A:0x3000, made just before
  CHECK_FALSE(k.mms[0].ptes.count(0x2000));       // named by nobody: no slot
  std::string message;
  nlohmann::json outside = j;
  outside["threads"][0]["args"]["address"] = "0x5000";
  STRCMP_EQUAL("/threads/0/args/address", load_error_pointer(outside, &message).c_str());
  nlohmann::json no_table = j;
  no_table["initial"]["mms"][1]["pmd"] = "none";
  STRCMP_EQUAL("/threads/1/args/child", load_error_pointer(no_table, &message).c_str());
}

// later_fixes_applied, from the catalogue's releases by hand: 3.9 has eb66ae030829 (v4.20),
// 19be0eaffa3a (v4.9) and 7496fea9a6bf (v4.13) newer than v3.9 (5117b3b835f2 and cbf86cfe04a6
// are v3.9, 4969c1192d15 v2.6.36, 486cf46f3f9b v3.1, 2b472611a32a v3.0); 4.19 has d08faca018c4 and eb66ae030829 (v4.20) and 17839856fd58 (v5.8), not
// 19be0eaffa3a (v4.9); 2.6.33's are all v2.6.33. A reverted one is not listed.
TEST(ScenarioInput, LaterFixesAppliedAreNamed) {
  using V = std::vector<std::string>;
  CHECK(model::later_fixes_applied(model::Era::V3_9, {}) ==
        (V{"eb66ae030829 (v4.20)", "19be0eaffa3a (v4.9)", "7496fea9a6bf (v4.13)"}));
  CHECK(model::later_fixes_applied(model::Era::V3_9, {"eb66ae030829"}) ==
        (V{"19be0eaffa3a (v4.9)", "7496fea9a6bf (v4.13)"}));
  CHECK(model::later_fixes_applied(model::Era::V4_19, {}) ==
        (V{"d08faca018c4 (v4.20)", "eb66ae030829 (v4.20)", "17839856fd58 (v5.8)"}));
  CHECK(model::later_fixes_applied(model::Era::V2_6_33, {}).empty());
}
