// pins_test.cpp: a page's "pins" (get_user_pages references) in the initial
// state: counted in the refcount (mapcount + swap cache + pins), accepted by
// page_counts_consistent, and an unexplained extra reference refused at load.
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include <checker/checker.h>
#include <model/scenario.h>

#include "model_fixture.h"

#include <CppUTest/TestHarness.h>

namespace {

nlohmann::json pinned_scenario() {
  nlohmann::json j = model::load_json_file("scenarios/ksm/migrate-pinned-ksm-page.json");
  return j;
}

std::string pointer_of(const std::function<void(nlohmann::json&)>& edit, std::string* message = nullptr) {
  nlohmann::json j = pinned_scenario();
  edit(j);
  return model_test::load_error_pointer(j, message);
}

using model_test::contains;

}  // namespace

TEST_GROUP(Pins){};

// K: two present ptes (mapcount 2) and one pin: refcount 3 written or derived.
TEST(Pins, RefcountCountsThePins) {
  STRCMP_EQUAL("<none>", pointer_of([](nlohmann::json&) {}).c_str());
  STRCMP_EQUAL("<none>", pointer_of([](nlohmann::json& j) { j["initial"]["pages"][0].erase("refcount"); }).c_str());
}

TEST(Pins, UnexplainedExtraReferenceIsRefused) {
  std::string msg;
  // refcount 3 with no pin: one reference nothing explains.
  STRCMP_EQUAL("/initial/pages/0/refcount",
               pointer_of([](nlohmann::json& j) { j["initial"]["pages"][0].erase("pins"); }, &msg).c_str());
  CHECK_TEXT(contains(msg, "refcount 3 is above the 2 references"), msg.c_str());
  CHECK_TEXT(contains(msg, "declare the extra references as \"pins\": 1"), msg.c_str());
  // refcount 2 with a pin: below mappings + pin.
  STRCMP_EQUAL("/initial/pages/0/refcount",
               pointer_of([](nlohmann::json& j) { j["initial"]["pages"][0]["refcount"] = 2; }, &msg).c_str());
  CHECK_TEXT(contains(msg, "refcount 2 is below the 3 references"), msg.c_str());
}

TEST(Pins, BadPinsAreRefused) {
  STRCMP_EQUAL("/initial/pages/0/pins",
               pointer_of([](nlohmann::json& j) { j["initial"]["pages"][0]["pins"] = -1; }).c_str());
  STRCMP_EQUAL("/initial/pages/0/pins",
               pointer_of([](nlohmann::json& j) { j["initial"]["pages"][0]["pins"] = "one"; }).c_str());
  std::string msg;
  STRCMP_EQUAL("/initial/pages/1/pins",
               pointer_of([](nlohmann::json& j) { j["initial"]["pages"][1]["pins"] = 1; }, &msg).c_str());
  CHECK_TEXT(contains(msg, "a free page has no pins"), msg.c_str());
}

// The scenario: migration of pinned KSM page K fails its refcount check and
// restores the ptes; run=2 then unmerges; every end state keeps K's pin in its
// refcount (page_counts_consistent holds, which before pins were counted
// failed in the first execution). The -EAGAIN and the restored ptes are
// checked step by step in Migration.PinnedKsmPageMigrationFailsAndRestores.
TEST(Pins, PinnedKsmPageScenarioIsClean) {
  model::Scenario s = model::Scenario::load("scenarios/ksm/migrate-pinned-ksm-page.json");
  auto program = s.make_program();
  checker::Options o = s.options();
  checker::Report r = checker::explore(*program, o);
  CHECK(r.verdict == checker::Verdict::Pass);
  CHECK(r.stats.complete);
}
