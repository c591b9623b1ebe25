// actor_sweep_test.cpp: every repository scenario with one more thread of each actor its
// era has, its arguments taken from the scenario's own state (each pte's mm and address,
// each page in use, the first section or range): what a new user writes
// when they pair a known race with an everyday actor. Whatever the verdict (a violation
// may be a real race of the kernel), the model must answer as a model: the scenario loads
// or is refused with an input error, and no run ends in a model error (an exception from
// the model, an index out of range) or escapes as a C++ exception. The sweep found eight
// such model bugs on 2026-11-26 (each with its own test in the file of its path).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <checker/checker.h>
#include <model/actors.h>
#include <model/scenario.h>

#include <CppUTest/TestHarness.h>

namespace {

/// The eras an actor runs in, from the actor catalogue.
bool in_era(const model::ActorInfo& a, const std::string& era) {
  model::Era e;
  return model::parse_era(era, e) && (a.eras & model::era_bit(e)) != 0;
}

/// Every argument set for `actor` the scenario's state gives: one per pte (its mm and address)
/// for the actors of an address, one per page in use for those of a page, the first section
/// or range; none when the scenario has nothing to give it.
std::vector<nlohmann::json> args_for(const std::string& actor, const nlohmann::json& s) {
  const nlohmann::json& ini = s.at("initial");
  const int last_node = ini.value("numa_nodes", 1) - 1;
  std::vector<nlohmann::json> out;
  for (const auto& pte : ini.value("ptes", nlohmann::json::array())) {
    const std::string mm = pte.at("mm");
    const std::string addr = pte.at("address");
    char end[32];
    std::snprintf(end, sizeof end, "0x%llx", static_cast<unsigned long long>(std::stoull(addr, nullptr, 16) + 0x1000));
    if (actor == "fault" || actor == "handle_mm_fault") out.push_back({{"mm", mm}, {"address", addr}, {"write", true}});
    if (actor == "store") out.push_back({{"mm", mm}, {"address", addr}, {"value", 5}});
    if (actor == "get_user_pages" || actor == "get_user_pages_fast" || actor == "swapin_fault" || actor == "munmap")
      out.push_back({{"mm", mm}, {"address", addr}});
    if (actor == "exit") out.push_back({{"mm", mm}});
    if (actor == "madvise_dontneed" || actor == "madvise_unmergeable") out.push_back({{"mm", mm}, {"start", addr}, {"end", end}});
    if (actor == "mbind") out.push_back({{"mm", mm}, {"start", addr}, {"end", end}, {"to_node", last_node}});
    if (actor == "mremap") out.push_back({{"mm", mm}, {"old_address", addr}, {"new_address", "0x40000"}});
  }
  for (const auto& p : ini.value("pages", nlohmann::json::array())) {
    if (p.value("free", false)) continue;
    if (actor == "migrate_pages") out.push_back({{"page", p.at("name")}, {"to_node", last_node}});
    if (actor == "reclaim" || actor == "page_referenced") out.push_back({{"page", p.at("name")}});
  }
  if (actor == "ksm_run_store") out.push_back({{"value", 2}});
  if (actor == "admin") out.push_back({{"steps", nlohmann::json::array({{{"run", 2}}})}});
  if (actor == "ksmd") out.push_back({{"pages", 2}});
  if (actor == "swapoff") out.push_back(nlohmann::json::object());
  const nlohmann::json secs = ini.value("memory_sections", nlohmann::json::array());
  if (actor == "offline_pages" && !secs.empty()) out.push_back({{"section", secs[0].at("name")}, {"to_node", last_node}});
  const nlohmann::json ranges = ini.value("hmm_ranges", nlohmann::json::array());
  if ((actor == "hmm_vma_fault" || actor == "hmm_vma_get_pfns") && !ranges.empty())
    out.push_back({{"range", ranges[0].at("name")}});
  return out;  // fork needs a child mm the scenario declares: none
}

}  // namespace

TEST_GROUP(ActorSweep){};

TEST(ActorSweep, EveryActorBesideEveryScenarioAnswersAsAModel) {
  std::vector<std::filesystem::path> files;
  for (const auto& dir : std::filesystem::directory_iterator("scenarios"))
    if (dir.is_directory())
      for (const auto& f : std::filesystem::directory_iterator(dir.path()))
        if (f.path().extension() == ".json") files.push_back(f.path());
  std::sort(files.begin(), files.end());
  CHECK(files.size() > 100);
  unsigned runs = 0, refused = 0;
  for (const auto& path : files) {
    std::ifstream in(path);
    const nlohmann::json base = nlohmann::json::parse(in);
    const std::string era = base.at("kernel");
    for (const model::ActorInfo& actor : model::actor_catalogue()) {
      if (!in_era(actor, era)) continue;
      for (const nlohmann::json& args : args_for(actor.name, base)) {
      nlohmann::json j = base;
      j["threads"].push_back({{"name", "SWEEP"}, {"actor", actor.name}, {"args", args}});
      j["expect"] = {{"result", "pass"}};
      const std::string what = path.string() + " + " + actor.name;
      std::unique_ptr<model::Scenario> s;
      try {
        s = std::make_unique<model::Scenario>(model::Scenario::parse(j, path.string()));
      } catch (const model::InputError&) {
        ++refused;  // bad input or unsupported (model::UnsupportedInput is an InputError): an answer
        continue;
      }
      auto program = s->make_program();
      checker::Options o = s->options();
      o.max_executions = 150;
      o.bounded_first = 0;
      const checker::Report r = checker::explore(*program, o);
      ++runs;
      CHECK_TEXT(r.verdict != checker::Verdict::ModelError,
                 (what + " " + args.dump() + ": " + (r.counterexample ? r.counterexample->violation.message : std::string())).c_str());
      }
    }
  }
  CHECK(runs > 500);
  CHECK(refused > 0);
}
