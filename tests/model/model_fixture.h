// model_fixture.h: the seed-000 initial state and a one-thread Program that
// runs a model function on it, so tests can assert on the returned Report
// and on the Kernel the execution left behind (never CHECK inside a thread);
// the seed-000 race as a whole scenario, which the input tests edit, and the
// helper that loads an edited scenario and returns its error's JSON pointer.
#pragma once

#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <CppUTest/TestHarness.h>

#include <checker/checker.h>
#include <model/initial_state.h>
#include <model/invariants.h>
#include <model/kernel.h>
#include <model/lint.h>
#include <model/path_stats.h>
#include <model/scenario.h>

namespace model_test {

/// A scenario's program that keeps the kernel state every execution ends in.
class FinalStates : public checker::Program {
 public:
  explicit FinalStates(checker::Program& inner) : inner_(inner) {}
  void setup() override { inner_.setup(); }
  void at_end() override { inner_.at_end(); }
  void teardown() override {
    states.insert(inner_.state_fingerprint());
    inner_.teardown();
  }
  std::string state_fingerprint() override { return inner_.state_fingerprint(); }
  std::set<std::string> states;

 private:
  checker::Program& inner_;
};

/// The final states of every execution of a search of the scenario written in a test
/// ("t.json") with `strategy` (no bounded-first pass), which must pass: exhaustive, or
/// with `preemption_bound` (DFS) complete up to that bound; `whole_objects`: under the
/// whole-object equivalence of before issue 12 (Options::whole_objects).
inline std::set<std::string> final_states_of(const nlohmann::json& j, checker::StrategyKind strategy,
                                             std::optional<unsigned> preemption_bound = std::nullopt,
                                             bool whole_objects = false) {
  model::Scenario s = model::Scenario::parse(j, "t.json");
  auto program = s.make_program();
  FinalStates recording(*program);
  checker::Options o = s.options();
  o.strategy = strategy;
  o.fewest_preemptions = false;
  o.bounded_first = 0;
  o.preemption_bound = preemption_bound;
  o.whole_objects = whole_objects;
  const checker::Report r = checker::explore(recording, o);
  CHECK_TEXT(r.verdict == checker::Verdict::Pass, r.counterexample ? r.counterexample->violation.message.c_str() : "");
  CHECK(r.stats.complete || preemption_bound);
  return recording.states;
}

/// The seed-000 state of section 2(e): mms A and B each mapping KSM page K
/// read-only at 0x1000, stable node S with rmap_items RA and RB, free pages
/// C1 C2 (node 0) and N (node 1). Pages by PageId: K=0, C1=1, C2=2, N=3.
inline nlohmann::json seed000_initial() {
  return nlohmann::json::parse(R"({
    "numa_nodes": 2,
    "pages": [
      { "name": "K", "nid": 0, "flags": ["Anon", "Ksm", "Uptodate", "LRU"] },
      { "name": "C1", "nid": 0, "free": true },
      { "name": "C2", "nid": 0, "free": true },
      { "name": "N", "nid": 1, "free": true }
    ],
    "mms": [
      { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x3000",
          "flags": ["VM_READ", "VM_WRITE", "VM_MERGEABLE"], "anon_vma": "avA" } ] },
      { "name": "B", "vmas": [ { "start": "0x1000", "end": "0x2000",
          "flags": ["VM_READ", "VM_WRITE", "VM_MERGEABLE"], "anon_vma": "avB" } ] }
    ],
    "ptes": [
      { "mm": "A", "address": "0x1000", "pte": "present", "page": "K" },
      { "mm": "A", "address": "0x2000", "pte": "swap", "entry": 7 },
      { "mm": "B", "address": "0x1000", "pte": "present", "page": "K" }
    ],
    "stable_nodes": [ { "name": "S", "page": "K" } ],
    "rmap_items": [
      { "name": "RA", "mm": "A", "address": "0x1000", "stable_node": "S" },
      { "name": "RB", "mm": "B", "address": "0x1000", "stable_node": "S" }
    ],
    "ksm": { "run": 1, "mm_slots": ["A", "B"] }
  })");
}

inline constexpr model::PageId K = 0, C1 = 1, C2 = 2, N = 3;

/// The seed-000 race as a whole scenario (kernel 3.9, no fix reverted): mms A
/// and B map KSM page K (node 0, stable node S, rmap_items RA and RB) read-only
/// at 0x1000 in mergeable vmas; N is free on node 1; thread U writes run=2
/// while thread M migrates K to node 1. It expects a pass; tests edit what
/// they need. PageIds: K=0, N=1.
inline nlohmann::json seed000_scenario() {
  return nlohmann::json::parse(R"({
    "name": "t/seed000", "summary": "s", "kernel": "3.9",
    "initial": {
      "numa_nodes": 2,
      "pages": [
        { "name": "K", "nid": 0, "flags": ["Anon", "Ksm", "Uptodate", "LRU"], "mapcount": 2 },
        { "name": "N", "nid": 1, "free": true }
      ],
      "mms": [
        { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_MERGEABLE"], "anon_vma": "avA" } ] },
        { "name": "B", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_MERGEABLE"], "anon_vma": "avB" } ] }
      ],
      "ptes": [
        { "mm": "A", "address": "0x1000", "pte": "present", "page": "K" },
        { "mm": "B", "address": "0x1000", "pte": "present", "page": "K" }
      ],
      "stable_nodes": [ { "name": "S", "page": "K" } ],
      "rmap_items": [
        { "name": "RA", "mm": "A", "address": "0x1000", "stable_node": "S" },
        { "name": "RB", "mm": "B", "address": "0x1000", "stable_node": "S" }
      ],
      "ksm": { "run": 1, "mm_slots": ["A", "B"], "pages_shared": 1, "pages_sharing": 1 }
    },
    "threads": [
      { "name": "U", "actor": "ksm_run_store", "args": { "value": 2 } },
      { "name": "M", "actor": "migrate_pages", "args": { "page": "K", "to_node": 1 } }
    ],
    "expect": { "result": "pass" }
  })");
}

/// Adds the empty child a fork copies A into: mm C with one VM_MERGEABLE vma
/// [0x1000, 0x2000) of its own anon_vma avC and a none pte at 0x1000.
inline void add_fork_child(nlohmann::json& initial) {
  initial["mms"].push_back(nlohmann::json::parse(
      R"({ "name": "C", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_MERGEABLE"], "anon_vma": "avC" } ] })"));
  initial["ptes"].push_back(nlohmann::json::parse(R"({ "mm": "C", "address": "0x1000", "pte": "none" })"));
}

/// Load `j` as "t.json": "<none>" when it loads, else the InputError's JSON
/// pointer, with its whole message in `message`.
inline std::string load_error_pointer(const nlohmann::json& j, std::string* message = nullptr) {
  try {
    model::Scenario::parse(j, "t.json");
  } catch (const model::InputError& e) {
    if (message) *message = e.what();
    return e.pointer();
  }
  return "<none>";
}

/// A scenario "t/s" of `kernel` over `initial` running `threads`, expecting a pass.
inline nlohmann::json scenario_json(const char* kernel, const nlohmann::json& initial, const nlohmann::json& threads) {
  nlohmann::json j;
  j["name"] = "t/s";
  j["summary"] = "s";
  j["kernel"] = kernel;
  j["initial"] = initial;
  j["threads"] = threads;
  j["expect"] = nlohmann::json::parse(R"({ "result": "pass" })");
  return j;
}

/// The whole message ("t.json: at /ptr: what") a scenario of `kernel` over `initial` running
/// `threads` (expecting a pass) is refused with at load, or "<none>"; `edit` changes the
/// scenario's JSON first.
inline std::string scenario_load_error(const char* kernel, const nlohmann::json& initial, const nlohmann::json& threads,
                                       const std::function<void(nlohmann::json&)>& edit = {}) {
  nlohmann::json j = scenario_json(kernel, initial, threads);
  if (edit) edit(j);
  std::string message = "<none>";
  load_error_pointer(j, &message);
  return message;
}

/// The free-page findings ("POINTER: MESSAGE") of `mmcheck check` on a scenario of `kernel`
/// over `initial` running `threads` (expecting a pass), loaded as "t.json".
inline std::vector<std::string> free_page_findings(const char* kernel, const nlohmann::json& initial,
                                                   const nlohmann::json& threads) {
  std::vector<std::string> out;
  for (const model::LintFinding& f :
       model::lint(model::Scenario::parse(scenario_json(kernel, initial, threads), "t.json")).findings)
    if (f.kind == model::LintFinding::Kind::FreePages) out.push_back(f.pointer + ": " + f.message);
  return out;
}

// A and B each map a private anon page (PA, PB) writable at 0x1000 in a
// VM_MERGEABLE vma; data tokens a and b; stable node S preallocated ("unused");
// free pages C1, C2 (node 0); run 1, mm list [A, B].
inline nlohmann::json two_pages(unsigned a, unsigned b) {
  auto j = nlohmann::json::parse(R"({
    "pages": [
      { "name": "PA", "flags": ["Anon", "Uptodate", "LRU", "Dirty"], "mapcount": 1, "refcount": 1 },
      { "name": "PB", "flags": ["Anon", "Uptodate", "LRU", "Dirty"], "mapcount": 1, "refcount": 1 },
      { "name": "C1", "free": true },
      { "name": "C2", "free": true }
    ],
    "mms": [
      { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE", "VM_MERGEABLE"], "anon_vma": "avA" } ] },
      { "name": "B", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE", "VM_MERGEABLE"], "anon_vma": "avB" } ] }
    ],
    "ptes": [
      { "mm": "A", "address": "0x1000", "pte": "present", "page": "PA", "writable": true },
      { "mm": "B", "address": "0x1000", "pte": "present", "page": "PB", "writable": true }
    ],
    "stable_nodes": [ { "name": "S", "unused": true } ],
    "ksm": { "run": 1, "mm_slots": ["A", "B"] }
  })");
  j["pages"][0]["content"] = a;
  j["pages"][1]["content"] = b;
  return j;
}

/// The pte maps `page` present with this write bit. Its dirty and young bits are left out: the
/// tests about them (pte_bits_test.cpp) check them by name.
inline bool maps(const model::Pte& pte, model::PageId page, bool writable) {
  return pte.is_present() && pte.page == page && pte.write == writable;
}
inline bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
// A maps anon page PA at 0x1000 (writable unless said), B maps PB, in VM_WRITE
// vmas with anon_vmas; data tokens 7 and 8; free pages C1, C2 (node 0).
inline nlohmann::json pinnable_page(bool writable) {
  auto j = nlohmann::json::parse(R"({
    "pages": [
      { "name": "PA", "flags": ["Anon", "Uptodate", "LRU"], "mapcount": 1, "refcount": 1, "content": 7 },
      { "name": "PB", "flags": ["Anon", "Uptodate", "LRU"], "mapcount": 1, "refcount": 1, "content": 8 },
      { "name": "C1", "free": true },
      { "name": "C2", "free": true }
    ],
    "mms": [
      { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x3000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "avA" } ] },
      { "name": "B", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "avB" } ] }
    ],
    "ptes": [
      { "mm": "A", "address": "0x1000", "pte": "present", "page": "PA" },
      { "mm": "A", "address": "0x2000", "pte": "none" },
      { "mm": "B", "address": "0x1000", "pte": "present", "page": "PB", "writable": true }
    ]
  })");
  j["ptes"][0]["writable"] = writable;
  return j;
}

/// A scenario: thread G runs `actor` (get_user_pages or get_user_pages_fast) on A:0x1000
/// for write with DMA value 9, on pinnable_page(true).
inline nlohmann::json pin_scenario(const char* actor) {
  nlohmann::json j;
  j["name"] = std::string("t/") + actor;
  j["summary"] = "s";
  j["kernel"] = "3.9";
  j["initial"] = pinnable_page(true);
  j["threads"] = {{{"name", "G"}, {"actor", actor},
                   {"args", {{"mm", "A"}, {"address", "0x1000"}, {"write", true}, {"dma_value", 9}}}}};
  j["invariants"] = {"no_lost_write", "page_counts_consistent"};
  j["expect"] = {{"result", "pass"}};
  return j;
}

inline constexpr std::uint32_t mmA = 0, mmB = 1, vmaA = 0, vmaB = 1, S = 0;

/// Runs `body` once in one simulated thread "T" on a fresh copy of `initial`.
class OneThread : public checker::Program {
 public:
  OneThread(model::Kernel initial, std::function<void(model::Kernel&)> body,
            std::vector<std::string> invariants = {})
      : initial_(std::move(initial)), body_(std::move(body)), invariants_(std::move(invariants)) {}

  void setup() override {
    kernel = std::make_unique<model::Kernel>(initial_);
    kernel->create_objects();
    for (const std::string& inv : invariants_) model::install_invariant(*kernel, inv);
    checker::spawn("T", [this] { body_(*kernel); });
  }

  /// The state the (last) execution left behind.
  std::unique_ptr<model::Kernel> kernel;

 private:
  model::Kernel initial_;
  std::function<void(model::Kernel&)> body_;
  std::vector<std::string> invariants_;
};

/// A v3.9 Kernel template from an "initial" section written in a test (file "t").
inline model::Kernel kernel_v39(const nlohmann::json& initial) {
  model::KernelConfig config;
  config.era = model::Era::V3_9;
  return model::parse_initial_state(initial, "t", "/initial", config);
}

/// A v4.19 Kernel template from an "initial" section written in a test (file "t"), with `reverted` out.
inline model::Kernel kernel_v419(const nlohmann::json& initial, std::vector<model::Fix> reverted = {}) {
  model::KernelConfig config;
  config.era = model::Era::V4_19;
  config.reverted = std::move(reverted);
  return model::parse_initial_state(initial, "t", "/initial", config);
}

inline model::Kernel seed000_kernel(bool foll_migration_fix = true) {
  model::KernelConfig config;
  config.era = model::Era::V3_9;
  if (!foll_migration_fix) config.reverted.push_back(model::Fix::FollMigration);
  return model::parse_initial_state(seed000_initial(), "seed000", "/initial", config);
}

/// A repository scenario passes its own exhaustive search, and plain DFS (no reduction)
/// agrees within two preemptions.
/// check_clean_and_dfs_agrees of a scenario written in the test ("t.json").
inline void check_json_clean_and_dfs_agrees(const nlohmann::json& j) {
  model::Scenario s = model::Scenario::parse(j, "t.json");
  auto program = s.make_program();
  checker::Options o = s.options();
  const checker::Report r = checker::explore(*program, o);
  CHECK_TEXT(r.verdict == checker::Verdict::Pass, r.counterexample ? r.counterexample->violation.message.c_str() : "");
  CHECK(r.stats.complete);
  o.strategy = checker::StrategyKind::Dfs;
  o.preemption_bound = 2u;
  o.fewest_preemptions = false;
  CHECK(checker::explore(*program, o).verdict == checker::Verdict::Pass);
}

/// Explore a scenario written in a test ("t.json") with its actors' outcomes counted;
/// checks the search clean and exhaustive and returns the counts (PathStats, by thread).
inline std::shared_ptr<model::PathStats> explore_clean_with_paths(const nlohmann::json& j) {
  model::Scenario s = model::Scenario::parse(j, "t.json");
  auto paths = std::make_shared<model::PathStats>(s.threads().size());
  auto program = s.make_program(paths);
  const checker::Report r = checker::explore(*program, s.options());
  CHECK_TEXT(r.verdict == checker::Verdict::Pass, r.counterexample ? r.counterexample->violation.message.c_str() : "");
  CHECK(r.stats.complete);
  return paths;
}

inline void check_clean_and_dfs_agrees(const char* path) {
  model::Scenario s = model::Scenario::load(path);
  auto program = s.make_program();
  checker::Options o = s.options();
  const checker::Report r = checker::explore(*program, o);
  CHECK_TEXT(r.verdict == checker::Verdict::Pass, path);
  CHECK_TEXT(r.stats.complete, path);
  o.strategy = checker::StrategyKind::Dfs;
  o.preemption_bound = 2u;
  o.fewest_preemptions = false;
  CHECK_TEXT(checker::explore(*program, o).verdict == checker::Verdict::Pass, path);
}

/// A repository scenario passes its own exhaustive DPOR search (for those too large for
/// check_clean_and_dfs_agrees' DFS).
inline void check_clean(const char* path) {
  model::Scenario s = model::Scenario::load(path);
  auto program = s.make_program();
  const checker::Report r = checker::explore(*program, s.options());
  CHECK_TEXT(r.verdict == checker::Verdict::Pass, path);
  CHECK_TEXT(r.stats.complete, path);
}

/// A repository scenario (path from the repository root) with one more thread: the
/// hand-made pairings of actors the model once got wrong (found by sweeping every era's
/// actors over the repository's scenarios), searched exhaustively under DPOR.
inline checker::Report run_with_extra_thread(const char* path, const nlohmann::json& thread) {
  std::ifstream in(path);
  nlohmann::json j = nlohmann::json::parse(in);
  j["threads"].push_back(thread);
  j["expect"] = {{"result", "pass"}};
  model::Scenario s = model::Scenario::parse(j, path);
  auto program = s.make_program();
  return checker::explore(*program, s.options());
}

/// A scenario's own exhaustive search (its options, without the re-search for fewer
/// preemptions), recording how each thread's actor returned in `paths`.
inline checker::Report explore_recording_paths(const model::Scenario& s, std::shared_ptr<model::PathStats>& paths) {
  paths = std::make_shared<model::PathStats>(s.threads().size());
  auto program = s.make_program(paths);
  checker::Options o = s.options();
  o.fewest_preemptions = false;
  return checker::explore(*program, o);
}

inline checker::Report explore_once(OneThread& program) {
  checker::Options options;
  return checker::explore(program, options);
}

}  // namespace model_test
