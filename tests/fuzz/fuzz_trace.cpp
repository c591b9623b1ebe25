// fuzz_trace.cpp: the trace loader on arbitrary bytes. Bad input must be a
// model::InputError; a trace that loads must write back to text that loads to
// the same text (parse(to_json(t)) == t, trace.h).
#include <exception>
#include <string>

#include <model/scenario.h>
#include <tool/trace.h>

#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    nlohmann::json j = model::parse_json_text(text, "fuzz.json");
    tool::Trace t = tool::Trace::parse(j, "fuzz.json");
    std::string once = t.text();
    tool::Trace again;
    try {
      again = tool::Trace::parse(model::parse_json_text(once, "written.json"), "written.json");
    } catch (const model::InputError& e) {
      fuzz::fail(std::string("a trace as written does not read back: ") + e.what());
    }
    if (again.text() != once) fuzz::fail("a trace read back differs from the trace written");
  } catch (const model::InputError&) {
    // bad input, reported as such
  } catch (const std::exception& e) {
    fuzz::fail(std::string("the trace loader threw: ") + e.what());
  }
  return 0;
}
