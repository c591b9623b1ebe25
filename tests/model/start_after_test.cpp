// start_after_test.cpp: "start_after" ordering between scenario threads: bad
// input is refused with the pointer of the offending value, and a thread that
// starts after another's event never runs before it.
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include <checker/checker.h>
#include <model/path_stats.h>
#include <model/scenario.h>

#include "model_fixture.h"

#include <CppUTest/TestHarness.h>

namespace {

/// The seed-000 shape (model_fixture.h): U writes run=2, M migrates K.
nlohmann::json base() { return model_test::seed000_scenario(); }

std::string pointer_of(const std::function<void(nlohmann::json&)>& edit, std::string* message = nullptr) {
  nlohmann::json j = base();
  edit(j);
  return model_test::load_error_pointer(j, message);
}

using model_test::contains;

checker::Report explore_scenario(const model::Scenario& s, checker::StrategyKind kind) {
  auto program = s.make_program();
  checker::Options o = s.options();
  o.strategy = kind;
  o.fewest_preemptions = false;
  return checker::explore(*program, o);
}

}  // namespace

TEST_GROUP(StartAfter){};

TEST(StartAfter, ValidWaitsLoad) {
  STRCMP_EQUAL("<none>", pointer_of([](nlohmann::json& j) {
                 j["threads"][1]["start_after"] = {{"thread", "U"}, {"event", "run_store"}};
               }).c_str());
  STRCMP_EQUAL("<none>", pointer_of([](nlohmann::json& j) {
                 j["threads"][0]["start_after"] = {{"thread", "M"}, {"event", "unlock_page"}};
               }).c_str());
  STRCMP_EQUAL("<none>", pointer_of([](nlohmann::json& j) {
                 j["threads"][1]["start_after"] = {{"thread", "U"}, {"event", "done"}};
               }).c_str());
}

TEST(StartAfter, BadInputIsRefusedAtItsPointer) {
  std::string msg;
  STRCMP_EQUAL("/threads/1/start_after/thread", pointer_of([](nlohmann::json& j) {
                 j["threads"][1]["start_after"] = {{"thread", "X"}, {"event", "done"}};
               }, &msg).c_str());
  CHECK_TEXT(contains(msg, "no thread named \"X\""), msg.c_str());
  STRCMP_EQUAL("/threads/1/start_after/thread", pointer_of([](nlohmann::json& j) {
                 j["threads"][1]["start_after"] = {{"thread", "M"}, {"event", "done"}};
               }, &msg).c_str());
  CHECK_TEXT(contains(msg, "its own event"), msg.c_str());
  STRCMP_EQUAL("/threads/1/start_after/event", pointer_of([](nlohmann::json& j) {
                 j["threads"][1]["start_after"] = {{"thread", "U"}, {"event", "teatime"}};
               }, &msg).c_str());
  CHECK_TEXT(contains(msg, "unknown event \"teatime\""), msg.c_str());
  // ksm_run_store never forks.
  STRCMP_EQUAL("/threads/1/start_after/event", pointer_of([](nlohmann::json& j) {
                 j["threads"][1]["start_after"] = {{"thread", "U"}, {"event", "dup_mmap"}};
               }, &msg).c_str());
  CHECK_TEXT(contains(msg, "never emits event \"dup_mmap\""), msg.c_str());
  STRCMP_EQUAL("/threads/1/start_after/event", pointer_of([](nlohmann::json& j) {
                 j["threads"][1]["start_after"] = {{"thread", "U"}, {"event", 3}};
               }).c_str());
  STRCMP_EQUAL("/threads/1/start_after", pointer_of([](nlohmann::json& j) {
                 j["threads"][1]["start_after"] = "U";
               }).c_str());
  STRCMP_EQUAL("/threads/1/start_after", pointer_of([](nlohmann::json& j) {
                 j["threads"][1]["start_after"] = {{"event", "done"}};
               }).c_str());
  STRCMP_EQUAL("/threads/1/start_after/when", pointer_of([](nlohmann::json& j) {
                 j["threads"][1]["start_after"] = {{"thread", "U"}, {"event", "done"}, {"when", 1}};
               }).c_str());
}

TEST(StartAfter, CycleOfWaitsIsRefused) {
  std::string msg;
  STRCMP_EQUAL("/threads/0/start_after", pointer_of([](nlohmann::json& j) {
                 j["threads"][0]["start_after"] = {{"thread", "M"}, {"event", "done"}};
                 j["threads"][1]["start_after"] = {{"thread", "U"}, {"event", "done"}};
               }, &msg).c_str());
  CHECK_TEXT(contains(msg, "a cycle of start_after waits: U -> M -> U"), msg.c_str());
}

// scenarios/ksm/fault-after-fork: F starts after P's dup_mmap returned, so
// every step of F follows every step of P (P emits the event as its last
// step): one interleaving, and the fault meets the pte fork copied.
TEST(StartAfter, FaultAfterForkIsOrderedAndClean) {
  model::Scenario s = model::Scenario::load("scenarios/ksm/fault-after-fork.json");
  for (checker::StrategyKind kind : {checker::StrategyKind::Dfs, checker::StrategyKind::Dpor}) {
    checker::Report r = explore_scenario(s, kind);
    CHECK(r.verdict == checker::Verdict::Pass);
    CHECK(r.stats.complete);
    LONGS_EQUAL(1, r.stats.executions);
  }
}

// The same scenario without start_after: F could fault in C before fork
// created it, which no kernel can do (the child runs only after fork): the
// scenario is refused at F's actor, naming the start_after it needs.
TEST(StartAfter, FaultBeforeForkIsRefused) {
  nlohmann::json j = model::load_json_file("scenarios/ksm/fault-after-fork.json");
  j["threads"][1].erase("start_after");
  std::string msg;
  try {
    model::Scenario::parse(j, "no-start-after.json");
  } catch (const model::InputError& e) {
    msg = e.what();
    STRCMP_EQUAL("/threads/1/actor", e.pointer().c_str());
  }
  CHECK_TEXT(contains(msg, "the child that thread \"P\" forks: it needs \"start_after\""), msg.c_str());
}

// A task of a fork's child may start after the fork through a chain of waits
// (probe 30): in fault/gup-read-pin-cow-leak-2.6.33, U's munmap of C starting
// after G's done, G after F's dup_mmap, loads. By hand: U's zap then follows G's
// DMA read, so S's write fault can no longer reuse P while C's pin still reads
// it (the leak needs the zap between the pin and the read): clean, exhaustive
// (DFS is too large for a unit test), where the scenario as written (U after the
// fork directly) finds the leak. Break the chain (G waits on nothing) and G is
// refused, the error naming the fork.
TEST(StartAfter, ATaskOfAChildMayStartAfterTheForkThroughAChain) {
  nlohmann::json j = model::load_json_file("scenarios/fault/gup-read-pin-cow-leak-2.6.33.json");
  STRCMP_EQUAL("U", j["threads"][2]["name"].get<std::string>().c_str());
  checker::Report direct = explore_scenario(model::Scenario::parse(j, "direct.json"), checker::StrategyKind::Dpor);
  CHECK(direct.verdict == checker::Verdict::Violation);
  j["threads"][2]["start_after"] = {{"thread", "G"}, {"event", "done"}};
  j["expect"] = {{"result", "pass"}, {"exhaustive", true}};
  checker::Report chained = explore_scenario(model::Scenario::parse(j, "chain.json"), checker::StrategyKind::Dpor);
  CHECK(chained.verdict == checker::Verdict::Pass);
  CHECK(chained.stats.complete);
  j["threads"][1].erase("start_after");
  std::string msg;
  try {
    model::Scenario::parse(j, "broken-chain.json");
  } catch (const model::InputError& e) {
    msg = e.what();
    STRCMP_EQUAL("/threads/1/actor", e.pointer().c_str());
  }
  CHECK_TEXT(contains(msg, "thread \"G\" (get_user_pages) acts as a task of mm C, the child that thread \"F\" forks"),
             msg.c_str());
}

// 2.6.33: hot-remove's unlock_page of K orders F's fault after the migration;
// offline_pages never forks, and the error names what it does emit.
TEST(StartAfter, FaultAfterMigrationLoadsAndIsClean) {
  model::Scenario s = model::Scenario::load("scenarios/ksm/fault-after-migration.json");
  checker::Report r = explore_scenario(s, checker::StrategyKind::Dpor);
  CHECK(r.verdict == checker::Verdict::Pass);
  CHECK(r.stats.complete);
  nlohmann::json j = model::load_json_file("scenarios/ksm/fault-after-migration.json");
  j["threads"][1]["start_after"]["event"] = "dup_mmap";
  std::string msg;
  try {
    model::Scenario::parse(j, "t.json");
  } catch (const model::InputError& e) {
    msg = e.what();
  }
  CHECK_TEXT(contains(msg, "at /threads/1/start_after/event: thread \"H\" (actor offline_pages, kernel 2.6.33) "
                           "never emits event \"dup_mmap\" (it emits: done, unlock_page)"),
             msg.c_str());
}

// An ordering the schedule cannot meet: hot-remove of section Y (only free
// pages: nothing to migrate, so no unlock_page) while F waits for H's
// unlock_page. Not a deadlock and not a model limit: F does not start, in every
// run (the path statistics count it), and the search goes on: pass, exhaustive.
TEST(StartAfter, EventNeverReachedLeavesTheWaiterNotStarted) {
  nlohmann::json j = model::load_json_file("scenarios/ksm/fault-after-migration.json");
  j["threads"][0]["args"]["section"] = "Y";
  std::shared_ptr<model::PathStats> paths;
  const checker::Report r = model_test::explore_recording_paths(model::Scenario::parse(j, "unmet.json"), paths);
  CHECK(r.verdict == checker::Verdict::Pass);
  CHECK(r.stats.complete);
  CHECK(paths->runs() > 0);
  LONGS_EQUAL(paths->runs(), paths->count(1, model::Outcome::NotStarted));
  LONGS_EQUAL(0, paths->count(1, model::Outcome::Ok));
  LONGS_EQUAL(0, paths->count(0, model::Outcome::NotStarted));
}

// A chain: G waits for H's unlock_page, S for G's done. On the schedules where H ends
// without unlock_page, G does not start and neither does S (G never reached done).
TEST(StartAfter, ANotStartedThreadsWaitersDoNotStartEither) {
  nlohmann::json j = model::load_json_file("scenarios/ksm/fault-after-migration.json");
  j["threads"][0]["args"]["section"] = "Y";
  nlohmann::json second = j["threads"][1];
  second["name"] = "F2";
  second["start_after"] = {{"thread", j["threads"][1]["name"]}, {"event", "done"}};
  j["threads"].push_back(second);
  model::Scenario s = model::Scenario::parse(j, "chain.json");
  auto paths = std::make_shared<model::PathStats>(s.threads().size());
  auto program = s.make_program(paths);
  const checker::Report r = checker::explore(*program, s.options());
  CHECK(r.verdict == checker::Verdict::Pass);
  LONGS_EQUAL(paths->runs(), paths->count(2, model::Outcome::NotStarted));
}

// ksmd sleeps for good once run is not 1 (a normal end of the run), so its "done" is an event
// a thread may wait for only when nothing can change run: seed 000's U writes run=2, so a
// thread starting after a ksmd's done is refused; with ksmd alone beside M it loads.
TEST(StartAfter, KsmdDoneIsRefusedWhenKsmdMaySleepForGood) {
  std::string msg;
  STRCMP_EQUAL("/threads/1/start_after/event", pointer_of([](nlohmann::json& j) {
                 j["threads"].push_back({{"name", "KD"}, {"actor", "ksmd"}, {"args", {{"pages", 1}}}});
                 j["threads"][1]["start_after"] = {{"thread", "KD"}, {"event", "done"}};
               }, &msg).c_str());
  CHECK_TEXT(contains(msg, "thread \"KD\" (ksmd) may sleep for good on some schedule"), msg.c_str());
  STRCMP_EQUAL("<none>", pointer_of([](nlohmann::json& j) {
                 j["threads"][0] = {{"name", "KD"}, {"actor", "ksmd"}, {"args", {{"pages", 1}}}};
                 j["threads"][1]["start_after"] = {{"thread", "KD"}, {"event", "done"}};
               }).c_str());
}

// Only a store of run can send ksmd to sleep (ksmd_should_run reads ksm_run, not
// merge_across_nodes): an admin that flips merge_across_nodes may start after ksmd's
// done (probe 32 #4), one that writes run=2 may not, and neither may one writing 0 then 1.
TEST(StartAfter, KsmdDoneIsRefusedOnlyWhenAThreadWritesRun) {
  auto with_admin = [](nlohmann::json steps) {
    return [steps](nlohmann::json& j) {
      j["threads"][0] = {{"name", "KD"}, {"actor", "ksmd"}, {"args", {{"pages", 1}}}};
      j["threads"].push_back({{"name", "ADM"},
                              {"actor", "admin"},
                              {"args", {{"steps", steps}}},
                              {"start_after", {{"thread", "KD"}, {"event", "done"}}}});
    };
  };
  std::string msg;
  STRCMP_EQUAL("<none>",
               pointer_of(with_admin(nlohmann::json::array({{{"merge_across_nodes", 0}}})), &msg).c_str());
  STRCMP_EQUAL("<none>", pointer_of(with_admin(nlohmann::json::array({{{"run", 1}}})), &msg).c_str());
  STRCMP_EQUAL("/threads/2/start_after/event",
               pointer_of(with_admin(nlohmann::json::array({{{"merge_across_nodes", 0}}, {{"run", 2}}})), &msg)
                   .c_str());
  CHECK_TEXT(contains(msg, "thread \"KD\" (ksmd) may sleep for good on some schedule"), msg.c_str());
  STRCMP_EQUAL("/threads/2/start_after/event",
               pointer_of(with_admin(nlohmann::json::array({{{"run", 0}}, {{"run", 1}}})), &msg).c_str());
}
