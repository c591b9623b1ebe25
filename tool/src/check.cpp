// check.cpp: printing the static findings of a scenario (see check.h).
#include "tool/check.h"

#include <fmt/format.h>
#include <model/lint.h>
#include <nlohmann/json.hpp>

#include "tool/errors.h"
#include "tool/trace.h"

namespace tool {

int print_check(const model::Scenario& scenario, const std::string& file, const std::string& format,
                std::ostream& out) {
  const model::LintReport r = model::lint(scenario);
  if (format == "json") {
    nlohmann::ordered_json j;
    j["scenario"] = {{"name", scenario.name()}, {"file", file}};
    nlohmann::ordered_json findings = nlohmann::ordered_json::array();
    for (const model::LintFinding& f : r.findings)
      findings.push_back({{"kind", model::lint_kind_name(f.kind)}, {"pointer", f.pointer}, {"message", f.message}});
    j["findings"] = std::move(findings);
    j["notes"] = r.notes;
    out << dump_json(j);
  } else {
    for (const model::LintFinding& f : r.findings)
      out << fmt::format("mmcheck: {}: at {}: {}\n", file, f.pointer, f.message);
    for (const std::string& n : r.notes) out << fmt::format("note: {}: {}\n", file, n);
    out << fmt::format("check: {}: {}\n", file,
                       r.findings.empty() ? std::string("no findings")
                                          : fmt::format("{} finding{}", r.findings.size(),
                                                        r.findings.size() == 1 ? "" : "s"));
  }
  return r.findings.empty() ? kExitOk : kExitViolation;
}

}  // namespace tool
