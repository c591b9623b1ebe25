// checkpoint_file.h: CheckpointFile, a search cut short (`run --checkpoint`)
// as a versioned JSON file that `run --resume` continues.
//
// The file is {"format": "mmcheck-checkpoint", "format_version": 1,
// "tool_version", "scenario": {name, file, content_hash}, "options":
// {strategy, max_steps, preemption_bound}, "executions" (so far, for people),
// "checksum": "fnv1a64:<hex>" of the engine's text, "engine": the engine's
// checkpoint document (checker::Report::checkpoint)}.
//
// Invariants: load() accepts only a file whose checksum matches the engine
// document it holds (a damaged file is refused before the engine sees it), and
// every refusal is a model::InputError naming the file and the JSON pointer
// (exit 2). A checkpoint resumes only the scenario version (content hash) and
// the search options it was taken with.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <checker/checker.h>

namespace tool {

inline constexpr int kCheckpointFormatVersion = 1;
/// Checkpoints hold the DPOR path and its wakeup trees: far larger than a
/// scenario may be, still bounded.
inline constexpr std::uintmax_t kMaxCheckpointBytes = 512u << 20;

struct CheckpointFile {
  std::string tool_version;
  std::string scenario_name;
  std::string scenario_file;  ///< as recorded: relative to the directory `run` ran in
  std::string content_hash;
  std::string strategy;       ///< "dpor" or "dfs"
  std::uint64_t max_steps = 0;
  std::optional<unsigned> preemption_bound;
  std::uint64_t executions = 0;  ///< explored before the cut (informational)
  std::string engine;         ///< checker::Report::checkpoint

  std::string text() const;
  /// Write atomically (output_file.h); BadInput with the system's reason on failure.
  void save(const std::string& path) const;
  /// Read and check a file (format, version, fields, checksum). Throws
  /// model::InputError / BadInput.
  static CheckpointFile load(const std::string& path);

  /// Throws model::InputError (at /options/...) unless `o` searches the way
  /// the checkpoint's search did.
  void check_options(const std::string& path, const checker::Options& o) const;
};

/// The strategy a checkpoint records for a search under `o` ("dpor"; "dfs"
/// also for DPOR under a preemption bound, which runs as DFS); "" when the
/// search keeps no checkpoints (random, pct).
std::string checkpoint_strategy(const checker::Options& o);

/// FNV-1a (64 bits) of `text`, as "fnv1a64:" and 16 hex digits.
std::string checkpoint_checksum(const std::string& text);

}  // namespace tool
