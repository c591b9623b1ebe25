// scenario.h: a race scenario loaded from a JSON file, and what the model
// offers to scenarios (actors, fixes, invariants, eras).
//
// This is the contract between model/ and tool/. A Scenario is validated
// completely at load time: every error is an InputError naming the file and
// the JSON location, so exploration never meets a malformed scenario.
// Invariant: make_program() returns a Program whose setup() builds the same
// initial state every time (stateless search re-executes it).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <checker/checker.h>

namespace model {

class PathStats;
class Kernel;
struct ActorCall;

/// Bad input (scenario or trace): one line, "FILE: at /json/pointer: what".
class InputError : public std::runtime_error {
 public:
  InputError(std::string file, std::string pointer, const std::string& message)
      : std::runtime_error(file + ": at " + (pointer.empty() ? "/" : pointer) + ": " + message),
        file_(std::move(file)),
        pointer_(std::move(pointer)) {}
  const std::string& file() const { return file_; }
  const std::string& pointer() const { return pointer_; }

 private:
  std::string file_, pointer_;
};

/// A scenario the kernel would run, refused at load because the model has no
/// path for it (an actor not modelled in the era, a fault into an unmodelled
/// path): a model limit, never bad input nor a kernel bug. `mmcheck` exits 4
/// (unsupported), as for a run that reaches `model_limit()`. The message reads
/// "FILE: at /json/pointer: unsupported: what".
class UnsupportedInput : public InputError {
 public:
  UnsupportedInput(std::string file, std::string pointer, const std::string& message)
      : InputError(std::move(file), std::move(pointer), "unsupported: " + message) {}
};

/// What a scenario expects of an exhaustive run.
struct Expectation {
  enum class Result { Violation, Pass };
  Result result = Result::Pass;
  /// For Violation: a substring the violation message must contain
  /// (e.g. "WARN_ON_ONCE(page_mapped(page))"), or the name of the invariant
  /// (end-of-run or step check) that failed; empty means any violation.
  std::string violation;
  /// For Pass: the search must be complete (exhaustive), not cut by a bound.
  bool exhaustive = true;
};

/// One simulated thread of a scenario.
struct ThreadSpec {
  std::string name;   ///< column title in timelines (defaults to the actor name)
  std::string actor;  ///< an actor of model::actors()
  nlohmann::json args;
};

class Scenario {
 public:
  /// Load and validate. Throws InputError (file missing, malformed JSON,
  /// unknown or missing fields, wrong types, unknown actors/fixes/invariants,
  /// impossible states, fixes that do not exist in the named era).
  static Scenario load(const std::string& path);
  static Scenario parse(const nlohmann::json& j, const std::string& file);

  const std::string& file() const { return file_; }
  const std::string& name() const { return name_; }
  const std::string& summary() const { return summary_; }
  const std::string& era() const { return era_; }                 ///< "2.6.33", "3.9", "4.19"
  /// The seed race it belongs to ("000".."004"), when the file says so
  /// (optional "seed"; ctest labels scenarios by it, or by their reverted fixes).
  const std::string& seed() const { return seed_; }
  const std::vector<std::string>& reverted() const { return reverted_; }  ///< fix ids
  const std::vector<ThreadSpec>& threads() const { return threads_; }
  /// Every thread a run has, as timelines name them: the declared threads in order, then
  /// the threads the model adds (an asynchronous reclaimer R's "R.bio", bio_thread_name).
  std::vector<std::string> thread_names() const;
  const std::vector<std::string>& invariants() const { return invariants_; }
  const Expectation& expect() const { return expect_; }
  /// The "explore" section as engine options (strategy, bounds; bounded_first 0 unless given).
  const checker::Options& options() const { return options_; }
  /// "explore": {"bounded_first": N}, the scenario's budget for the bounded-first pass (a
  /// race that needs one preemption but lies deep in DPOR's order); unset: the tool's default.
  const std::optional<std::uint64_t>& bounded_first() const { return bounded_first_; }
  /// The "explore" section as written, for trace provenance.
  const nlohmann::json& explore_json() const { return explore_json_; }
  /// A stable hash of the scenario's content (16 hex digits, FNV-1a 64 of the
  /// canonical JSON dump): a trace records it so replay can refuse a changed scenario.
  const std::string& content_hash() const { return hash_; }
  const nlohmann::json& json() const { return json_; }

  /// The validated template every execution copies (the zero page and mremap's
  /// reserved vmas included) and each thread's call (model-internal: `check` reads them).
  const Kernel& initial_kernel() const;
  const std::vector<ActorCall>& calls() const;

  /// A fresh Program that runs this scenario (one per exploration).
  std::unique_ptr<checker::Program> make_program() const;
  /// The same, adding each run's actor outcomes to `paths` (shared by the
  /// Programs of one search; sized for this scenario's threads).
  std::unique_ptr<checker::Program> make_program(std::shared_ptr<PathStats> paths) const;

 private:
  std::string file_, name_, summary_, era_, hash_, seed_;
  std::vector<std::string> reverted_, invariants_;
  std::vector<ThreadSpec> threads_;
  Expectation expect_;
  checker::Options options_;
  std::optional<std::uint64_t> bounded_first_;
  nlohmann::json explore_json_, json_;
  std::shared_ptr<const void> initial_;  ///< the validated initial state (model-internal type)
};

/// Read and parse a JSON file (scenario or trace). Throws InputError, one line
/// naming the file, if it cannot be opened or is not well-formed JSON.
/// At most kMaxFileBytes, kMaxJsonDepth deep, no key twice in an object, every
/// number within a double (model/input_limits.h).
nlohmann::json load_json_file(const std::string& path);
/// The same checks on text already read; `file` names it in errors.
nlohmann::json parse_json_text(const std::string& text, const std::string& file);

/// A named thing a scenario may use, with a one-line description.
struct CatalogueEntry {
  std::string name;
  std::string description;
};

std::vector<CatalogueEntry> actors();      ///< e.g. ksm_run_store, migrate_pages
std::vector<CatalogueEntry> not_modelled();  ///< kernel operations no era's model has (mprotect, ...): exit 4
std::vector<CatalogueEntry> fixes();       ///< by commit id, e.g. 5117b3b835f2
std::vector<CatalogueEntry> invariants();  ///< end-of-run invariants by name
std::vector<CatalogueEntry> eras();        ///< "2.6.33", "3.9", "4.19"

}  // namespace model
