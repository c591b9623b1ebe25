// scenario.cpp: loading and validating a scenario file, and the catalogues.
//
// Invariant: a Scenario that load()/parse() returned is fully validated.
// (First cut: top-level shape only; the mm state follows.)
#include "model/scenario.h"

#include <fstream>
#include <sstream>

namespace model {

namespace {

std::string fnv1a64(const std::string& s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

class EmptyProgram : public checker::Program {
 public:
  void setup() override {}
};

}  // namespace

Scenario Scenario::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path, "", "cannot open file");
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(ss.str());
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError(path, "", std::string("malformed JSON: ") + e.what());
  }
  return parse(j, path);
}

Scenario Scenario::parse(const nlohmann::json& j, const std::string& file) {
  if (!j.is_object()) throw InputError(file, "", "expected an object");
  Scenario s;
  s.file_ = file;
  s.json_ = j;
  s.name_ = j.value("name", "");
  s.summary_ = j.value("summary", "");
  s.era_ = j.value("kernel", "");
  s.hash_ = fnv1a64(j.dump());
  return s;
}

std::unique_ptr<checker::Program> Scenario::make_program() const {
  return std::make_unique<EmptyProgram>();
}

std::vector<CatalogueEntry> actors() { return {}; }
std::vector<CatalogueEntry> fixes() { return {}; }
std::vector<CatalogueEntry> invariants() { return {}; }
std::vector<CatalogueEntry> eras() { return {}; }

}  // namespace model
