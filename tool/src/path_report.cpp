// path_report.cpp: the "paths" lines and table of `mmcheck run` (see path_report.h).
#include "tool/path_report.h"

#include <algorithm>

#include <fmt/format.h>

namespace tool {

namespace {
constexpr unsigned kOutcomes = static_cast<unsigned>(model::Outcome::kCount);
}

std::vector<std::string> paths_never_ok(const model::Scenario& scenario, const model::PathStats& paths) {
  std::vector<std::string> out;
  for (std::size_t t = 0; t < paths.threads() && t < scenario.threads().size(); ++t) {
    const std::uint64_t finished = paths.finished(t);
    if (finished == 0 || paths.count(t, model::Outcome::Ok) != 0) continue;
    std::string got;
    for (unsigned o = 1; o < kOutcomes; ++o) {
      const std::uint64_t n = paths.count(t, static_cast<model::Outcome>(o));
      if (n == 0) continue;
      if (!got.empty()) got += ", ";
      if (o == static_cast<unsigned>(model::Outcome::NoFreePage) && paths.runs() != finished) {
        // Counted in every run (PathStats::add), not only the finished ones.
        got += fmt::format("{} in {} run{} (those that ended before {} finished included)",
                           model::outcome_name(model::Outcome::NoFreePage), n, n == 1 ? "" : "s",
                           scenario.threads()[t].name);
        continue;
      }
      got += n == finished ? fmt::format("{} in every run that finished it ({} run{})",
                                         model::outcome_name(static_cast<model::Outcome>(o)), n, n == 1 ? "" : "s")
                           : fmt::format("{} in {} of the {} runs that finished it",
                                         model::outcome_name(static_cast<model::Outcome>(o)), n, finished);
    }
    const model::ThreadSpec& spec = scenario.threads()[t];
    out.push_back(fmt::format("{} ({}): {}; never returned success", spec.name, spec.actor, got));
  }
  // Out of memory in some runs only (others succeeded). When an allocation of the thread's found
  // no free page, the model's pool is the cause: it hands out only the free pages the scenario
  // declares and never hands out again one other threads saw before it was freed; say so, since
  // such runs end early without anything else showing it. When every allocation was served, the
  // error is the kernel's own return (3.9's do_swap_page returns VM_FAULT_OOM when
  // read_swap_cache_async finds its slot freed and the pte is the same swap entry again).
  for (std::size_t t = 0; t < paths.threads() && t < scenario.threads().size(); ++t) {
    if (paths.count(t, model::Outcome::Ok) == 0) continue;  // never ok: said above
    const model::ThreadSpec& spec = scenario.threads()[t];
    std::string errors;
    for (model::Outcome o : {model::Outcome::Enomem, model::Outcome::FaultOom})
      if (const std::uint64_t n = paths.count(t, o))
        errors += fmt::format("{}{} in {} of the {} runs that finished it", errors.empty() ? "" : ", ",
                              model::outcome_name(o), n, paths.finished(t));
    const std::uint64_t short_pool = paths.count(t, model::Outcome::NoFreePage);
    if (errors.empty() && short_pool == 0) continue;
    const bool swapoff_beside_exit =
        spec.actor == "swapoff" && std::any_of(scenario.threads().begin(), scenario.threads().end(),
                                               [](const model::ThreadSpec& t) { return t.actor == "exit"; });
    const std::string why =
        std::string("the model allocates only the free pages the scenario declares and never hands out again one "
                    "other threads saw before it was freed") +
        (swapoff_beside_exit ? "; beside an exit, try_to_unuse re-reads a slot the exiting mm still holds into a new "
                               "page on each pass until the exit's zap frees it, a busy loop that more pages only "
                               "lengthen"
                             : ", where the kernel would; declare more if those runs matter");
    if (short_pool == 0)
      out.push_back(fmt::format("{} ({}): {} (every allocation found a free page: the kernel's own error return)",
                                spec.name, spec.actor, errors));
    else if (errors.empty())
      out.push_back(fmt::format("{} ({}): an allocation found no free page in {} runs ({})", spec.name, spec.actor,
                                short_pool, why));
    else
      out.push_back(fmt::format("{} ({}): {}; an allocation found no free page in {} runs ({})", spec.name,
                                spec.actor, errors, short_pool, why));
  }
  // A start_after waiter that did not start on some schedules (it did on others).
  for (std::size_t t = 0; t < paths.threads() && t < scenario.threads().size(); ++t) {
    const std::uint64_t n = paths.count(t, model::Outcome::NotStarted);
    if (n == 0 || paths.count(t, model::Outcome::Ok) == 0) continue;
    const model::ThreadSpec& spec = scenario.threads()[t];
    out.push_back(fmt::format("{} ({}): {} in {} of the {} runs", spec.name, spec.actor,
                              model::outcome_name(model::Outcome::NotStarted), n, paths.finished(t)));
  }
  return out;
}

nlohmann::ordered_json paths_to_json(const model::Scenario& scenario, const model::PathStats& paths) {
  nlohmann::ordered_json j;
  j["runs"] = paths.runs();
  nlohmann::ordered_json threads = nlohmann::ordered_json::array();
  for (std::size_t t = 0; t < paths.threads() && t < scenario.threads().size(); ++t) {
    nlohmann::ordered_json outcomes = nlohmann::ordered_json::object();
    for (unsigned o = 0; o < kOutcomes; ++o)
      if (const std::uint64_t n = paths.count(t, static_cast<model::Outcome>(o)))
        outcomes[model::outcome_name(static_cast<model::Outcome>(o))] = n;
    threads.push_back({{"name", scenario.threads()[t].name},
                       {"actor", scenario.threads()[t].actor},
                       {"finished", paths.finished(t)},
                       {"outcomes", std::move(outcomes)}});
  }
  j["threads"] = std::move(threads);
  j["never_ok"] = paths_never_ok(scenario, paths);
  return j;
}

}  // namespace tool
