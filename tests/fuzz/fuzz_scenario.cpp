// fuzz_scenario.cpp: the scenario loader (JSON limits, then validation) on
// arbitrary bytes. Bad input must be a model::InputError; a scenario that
// loads must give a Program.
#include <exception>
#include <string>

#include <model/scenario.h>

#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    nlohmann::json j = model::parse_json_text(text, "fuzz.json");
    model::Scenario s = model::Scenario::parse(j, "fuzz.json");
    if (!s.make_program()) fuzz::fail("a loaded scenario gave no program");
    if (s.content_hash().size() != 16) fuzz::fail("content hash of the wrong size");
  } catch (const model::InputError&) {
    // bad input, reported as such
  } catch (const std::exception& e) {
    fuzz::fail(std::string("the scenario loader threw: ") + e.what());
  }
  return 0;
}
