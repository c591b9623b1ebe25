// scheduler.h: fiber mechanics only (create, switch, tear down). The only part
// of the engine that touches Boost.Context; it decides nothing.
//
// Invariant: fibers are resumed only from the engine's own context, and a fiber
// only ever switches back to it. Destroying the Scheduler unwinds every
// unfinished fiber (Boost.Context's forced unwind), so nothing leaks.
#pragma once

#include <exception>
#include <functional>
#include <memory>
#include <vector>

#include "checker/ids.h"

namespace checker::detail {

class Scheduler {
 public:
  Scheduler();
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  /// Create the fiber of thread `id` (ids are dense, in creation order). It
  /// does not run until resume(id).
  void create(ThreadId id, std::function<void()> body);

  /// From the engine context: run thread `id` until it yields or returns.
  void resume(ThreadId id);

  /// From inside thread `id`: switch back to the engine context.
  void yield(ThreadId id);

  /// True once the body of `id` returned (or threw).
  bool finished(ThreadId id) const;

  /// The exception that escaped the body of `id`, if any.
  std::exception_ptr error(ThreadId id) const;

  /// Unwind every unfinished fiber and forget all threads.
  void teardown();

  std::size_t size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace checker::detail
