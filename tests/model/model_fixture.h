// model_fixture.h: the seed-000 initial state and a one-thread Program that
// runs a model function on it, so tests can assert on the returned Report
// and on the Kernel the execution left behind (never CHECK inside a thread).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include <checker/checker.h>
#include <model/initial_state.h>
#include <model/invariants.h>
#include <model/kernel.h>

namespace model_test {

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

inline model::Kernel seed000_kernel(bool foll_migration_fix = true) {
  model::KernelConfig config;
  config.era = model::Era::V3_9;
  if (!foll_migration_fix) config.reverted.push_back(model::Fix::FollMigration);
  return model::parse_initial_state(seed000_initial(), "seed000", "/initial", config);
}

inline checker::Report explore_once(OneThread& program) {
  checker::Options options;
  return checker::explore(program, options);
}

}  // namespace model_test
