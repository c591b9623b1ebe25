// regress.h: Regress, the regression run over a directory: every scenario
// under DIR/scenarios against its expectation, every golden trace under
// DIR/traces replayed and checked to reproduce its violation.
//
// Invariants: files are visited in sorted path order (scenarios, then traces),
// so the table and the JUnit report are deterministic apart from times; a bad
// file fails its own row and never stops the others: each row runs in its own
// child process with a time limit, so a crash or a hang fails that row only; exit_code() is the worst
// row: 3 (model or internal error, a crash, a time-out) > 2 (bad input) > 1 (missed) > 0; a
// scenario that expects a violation passes only if a golden trace under
// DIR/traces records it (and that trace reproduces).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <checker/checker.h>

#include "tool/junit_report.h"

namespace tool {

struct RegressOptions {
  /// Each row in its own child process (fork): a crash or a hang fails that
  /// row, with its reason, and the run goes on.
  bool isolate = true;
  /// A row still running after this many seconds is killed and fails; 0: no limit.
  double row_timeout_seconds = 600;
};

class Regress {
 public:
  enum class Status { Pass, Fail, BadInput, ModelError, Crashed, TimedOut };
  struct Row {
    std::string kind;      ///< "scenario" or "trace"
    std::string name;      ///< path relative to DIR
    std::string expected;
    std::string got;
    std::uint64_t executions = 0;
    double seconds = 0;
    Status status = Status::Pass;
    std::string detail;    ///< why it did not pass (one line)
    std::string file;      ///< scenario rows: the file; trace rows: the scenario replayed
    bool expects_violation = false;  ///< scenario rows
  };

  using Options = RegressOptions;

  /// Run everything under `dir`. Throws BadInput when `dir` or `dir`/scenarios
  /// is not a directory. `on_row` is called as each row completes.
  static Regress run(const std::string& dir,
                     std::function<void(const checker::Progress&)> on_progress = {},
                     std::function<void(const Row&)> on_row = {}, const Options& options = {});

  /// `body` in a child process: its row, or `row` failed with why the child
  /// did not give one (killed after `timeout_seconds`, a signal, an exit
  /// without a result). Uncaught exceptions in `body` fail the row as internal
  /// errors.
  static Row run_isolated(const std::function<Row()>& body, Row row, double timeout_seconds);

  const std::vector<Row>& rows() const { return rows_; }
  int exit_code() const;
  /// The summary table, the failures' details and a count line.
  std::string table() const;
  JUnitReport junit() const;

 private:
  std::vector<Row> rows_;
};

}  // namespace tool
