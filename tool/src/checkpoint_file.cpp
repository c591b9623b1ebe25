// checkpoint_file.cpp: CheckpointFile (see checkpoint_file.h).
#include "tool/checkpoint_file.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <model/input_limits.h>
#include <model/scenario.h>

#include "tool/errors.h"
#include "tool/output_file.h"
#include "tool/scenario_run.h"
#include "tool/trace.h"

namespace tool {

namespace {

using json = nlohmann::json;
constexpr const char* kFormat = "mmcheck-checkpoint";

/// Strict field access with the file and JSON pointer in every error.
class Fields {
 public:
  Fields(const json& j, std::string file, std::string ptr)
      : j_(j), file_(std::move(file)), ptr_(std::move(ptr)) {
    if (!j_.is_object()) fail("expected an object");
  }
  [[noreturn]] void fail(const std::string& what, const std::string& key = {}) const {
    throw model::InputError(file_, key.empty() ? ptr_ : ptr_ + "/" + key, what);
  }
  const json& at(const char* key) const {
    auto it = j_.find(key);
    if (it == j_.end()) fail(std::string("missing \"") + key + "\"");
    return *it;
  }
  std::string string(const char* key) const {
    const json& v = at(key);
    if (!v.is_string()) fail("expected a string", key);
    return v.get<std::string>();
  }
  std::uint64_t u64(const char* key) const {
    const json& v = at(key);
    if (!v.is_number_unsigned()) fail("expected a non-negative integer", key);
    return v.get<std::uint64_t>();
  }
  Fields object(const char* key) const { return Fields(at(key), file_, ptr_ + "/" + key); }
  /// No field but these.
  void only(std::initializer_list<const char*> keys) const {
    for (auto it = j_.begin(); it != j_.end(); ++it) {
      bool known = false;
      for (const char* k : keys) known |= it.key() == k;
      if (!known) fail("unknown field " + model::quote_input(it.key()), it.key());
    }
  }

 private:
  const json& j_;
  std::string file_, ptr_;
};

}  // namespace

std::string checkpoint_strategy(const checker::Options& o) {
  if (o.strategy == checker::StrategyKind::Dpor) return o.preemption_bound ? "dfs" : "dpor";
  if (o.strategy == checker::StrategyKind::Dfs) return "dfs";
  return "";
}

std::string checkpoint_checksum(const std::string& text) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return fmt::format("fnv1a64:{:016x}", h);
}

std::string CheckpointFile::text() const {
  nlohmann::ordered_json j;
  j["format"] = kFormat;
  j["format_version"] = kCheckpointFormatVersion;
  j["tool_version"] = tool_version;
  j["scenario"] = {{"name", scenario_name}, {"file", scenario_file}, {"content_hash", content_hash}};
  j["options"] = {{"strategy", strategy},
                  {"max_steps", max_steps},
                  {"preemption_bound", preemption_bound ? nlohmann::ordered_json(*preemption_bound)
                                                        : nlohmann::ordered_json(nullptr)}};
  j["executions"] = executions;
  j["checksum"] = checkpoint_checksum(engine);
  // The engine's document as JSON (its text is json::dump() of a sorted
  // object: parsed and dumped again it gives the same text, which the
  // checksum covers).
  j["engine"] = nlohmann::ordered_json::parse(engine);
  return j.dump() + "\n";
}

void CheckpointFile::save(const std::string& path) const { write_atomically(path, text(), "checkpoint"); }

CheckpointFile CheckpointFile::load(const std::string& path) {
  require_file(path, "checkpoint");
  std::error_code ec;
  std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) throw BadInput(path + ": cannot read checkpoint file: " + ec.message());
  if (size > kMaxCheckpointBytes)
    throw BadInput(fmt::format("{}: checkpoint file of {} bytes, at most {}", path, size,
                               kMaxCheckpointBytes));
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (!in && !in.eof()) throw BadInput(path + ": cannot read checkpoint file");
  json j;
  try {
    j = json::parse(ss.str());
  } catch (const json::parse_error& e) {
    throw model::InputError(path, "", fmt::format("not JSON (at byte {})", e.byte));
  }
  Fields f(j, path, "");
  if (!j.contains("format") || !j["format"].is_string() || j["format"] != kFormat)
    f.fail("not an mmcheck checkpoint (\"format\" is not \"mmcheck-checkpoint\")");
  if (f.u64("format_version") != kCheckpointFormatVersion)
    f.fail(fmt::format("format_version {}, this mmcheck reads {}", f.u64("format_version"),
                       kCheckpointFormatVersion),
           "format_version");
  f.only({"format", "format_version", "tool_version", "scenario", "options", "executions",
          "checksum", "engine"});
  CheckpointFile c;
  c.tool_version = f.string("tool_version");
  Fields s = f.object("scenario");
  s.only({"name", "file", "content_hash"});
  c.scenario_name = s.string("name");
  c.scenario_file = s.string("file");
  c.content_hash = s.string("content_hash");
  Fields o = f.object("options");
  o.only({"strategy", "max_steps", "preemption_bound"});
  c.strategy = o.string("strategy");
  if (c.strategy != "dpor" && c.strategy != "dfs")
    o.fail("expected \"dpor\" or \"dfs\"", "strategy");
  c.max_steps = o.u64("max_steps");
  const json& bound = o.at("preemption_bound");
  if (!bound.is_null()) {
    if (!bound.is_number_unsigned() || bound.get<std::uint64_t>() > 1'000'000)
      o.fail("expected null or a preemption bound", "preemption_bound");
    c.preemption_bound = bound.get<unsigned>();
  }
  c.executions = f.u64("executions");
  std::string checksum = f.string("checksum");
  const json& engine = f.at("engine");
  if (!engine.is_object()) f.fail("expected an object", "engine");
  c.engine = engine.dump();
  if (checkpoint_checksum(c.engine) != checksum)
    f.fail("the engine's state does not match the checksum (a damaged or edited checkpoint)",
           "checksum");
  return c;
}

void CheckpointFile::check_options(const std::string& path, const checker::Options& o) const {
  auto differ = [&](const char* key, const std::string& was, const std::string& now) {
    throw model::InputError(path, std::string("/options/") + key,
                            fmt::format("the checkpoint's search ran with {} {}, this one with {} "
                                        "(resume with the same options)",
                                        key, was, now));
  };
  std::string s = checkpoint_strategy(o);
  if (s != strategy) differ("strategy", strategy, s);
  if (o.max_steps != max_steps) differ("max_steps", std::to_string(max_steps), std::to_string(o.max_steps));
  if (o.preemption_bound != preemption_bound) {
    auto show = [](const std::optional<unsigned>& b) { return b ? std::to_string(*b) : std::string("none"); };
    differ("preemption_bound", show(preemption_bound), show(o.preemption_bound));
  }
}

}  // namespace tool
