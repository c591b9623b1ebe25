// program.h: what one execution runs.
//
// A Program builds its shared state and spawns its threads in setup(); the
// explorer calls setup() once per execution, so setup() must rebuild the state
// from scratch (stateless search by re-execution). Invariant: setup() and the
// thread bodies are deterministic functions of the choices the engine hands out.
#pragma once

#include <string>

namespace checker {

class Program {
 public:
  virtual ~Program() = default;

  /// Build the initial state, create objects (checker::new_object or the
  /// primitives) and spawn threads (checker::spawn). Runs on the engine's own
  /// stack, before any thread runs.
  virtual void setup() = 0;

  /// End-of-execution checks, after every thread finished. Report failures with
  /// checker::fail / checker::check. Checks registered with checker::final_check
  /// during setup() run before this.
  virtual void at_end() {}

  /// Called after each execution (also failed ones) once every fiber is gone;
  /// release per-execution state here if it must not linger.
  virtual void teardown() {}

  /// A description of the shared state, for Options::check_commutation: it
  /// runs two steps in both orders and compares the fingerprints taken after
  /// them (between steps, while every thread is suspended). Two states that
  /// behave differently must give different strings. The default (empty)
  /// lets the check compare only what the engine sees (the steps' kinds,
  /// choices and the threads' next operations).
  virtual std::string state_fingerprint() { return {}; }
};

}  // namespace checker
