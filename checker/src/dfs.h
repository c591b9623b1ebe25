// dfs.h: the reference strategy: stateless depth-first search over every
// thread choice and value choice, optionally under a preemption bound.
//
// Invariant: path_[0..depth_) is the prefix the current execution replays;
// each node's `chosen` is its alternative under exploration, and alternatives
// are tried in ascending order (thread id, value), which makes the order of
// executions deterministic.
#pragma once

#include <optional>
#include <vector>

#include "checker/explorer.h"
#include "strategy.h"

namespace checker::detail {

class DfsStrategy : public Strategy {
 public:
  explicit DfsStrategy(std::optional<unsigned> preemption_bound = std::nullopt)
      : bound_(preemption_bound) {}

  void begin() override;
  std::optional<ThreadId> pick_thread(const SchedulingPoint& sp) override;
  std::optional<std::uint32_t> pick_value(std::uint32_t n, ThreadId t) override;
  bool end(const ExecutionEnd& end) override;
  std::string abort_reason() const override { return abort_; }
  unsigned preemptions() const override { return preemptions_; }
  /// True when some alternative was skipped because of the preemption bound.
  bool bound_hit() const { return bound_hit_; }
  bool complete() const override { return !bound_hit_; }
  double progress() const override;
  bool save(nlohmann::json& out) const override;  // checkpoint.cpp
  void load(const nlohmann::json& in) override;

 private:
  struct Node {
    bool is_value = false;
    std::uint32_t chosen = 0;   ///< ThreadId or value
    ThreadMask allowed = 0;     ///< thread node: alternatives to try
    std::uint32_t range = 0;    ///< value node: n
    unsigned preemptions = 0;   ///< preemptions before this node's choice
    ThreadId previous = kNoThread;
  };

  std::optional<unsigned> bound_;
  std::vector<Node> path_;
  std::size_t depth_ = 0;
  unsigned preemptions_ = 0;
  bool bound_hit_ = false;
  std::string abort_;
};

/// Follows a fixed schedule; any mismatch aborts with a divergence message.
class ReplayStrategy : public Strategy {
 public:
  explicit ReplayStrategy(const Schedule& s) : schedule_(s) {}
  void begin() override { pos_ = 0; steps_ = 0; }
  std::optional<ThreadId> pick_thread(const SchedulingPoint& sp) override;
  std::optional<std::uint32_t> pick_value(std::uint32_t n, ThreadId t) override;
  bool end(const ExecutionEnd&) override { return false; }
  std::string abort_reason() const override { return abort_; }
  unsigned preemptions() const override { return preemptions_; }
  /// Choices of the schedule left unused when the execution ended.
  std::size_t unused() const { return schedule_.size() - pos_; }

 private:
  const Schedule& schedule_;
  std::size_t pos_ = 0;
  std::size_t steps_ = 0;
  unsigned preemptions_ = 0;
  std::string abort_;
};

/// Follows another program's schedule as a thread order (replay_following): at
/// each scheduling point the earliest recorded thread choice not yet taken whose
/// thread is enabled is taken; with none left for an enabled thread, the previous
/// thread runs on when it can, else the lowest enabled one. A value choice takes
/// the earliest recorded value choice of the same range not yet taken, else 0.
/// Never aborts; stops at a violation.
class FollowStrategy : public Strategy {
 public:
  explicit FollowStrategy(const Schedule& s) : schedule_(s), taken_(s.size(), false) {}
  void begin() override;
  std::optional<ThreadId> pick_thread(const SchedulingPoint& sp) override;
  std::optional<std::uint32_t> pick_value(std::uint32_t n, ThreadId t) override;
  bool end(const ExecutionEnd&) override { return false; }
  std::string abort_reason() const override { return {}; }
  unsigned preemptions() const override { return preemptions_; }
  /// The counts of FollowStats, unused included.
  FollowStats stats() const;

 private:
  const Schedule& schedule_;
  std::vector<bool> taken_;
  std::size_t first_open_ = 0;  ///< no choice before it is left untaken
  FollowStats stats_;
  unsigned preemptions_ = 0;
};

}  // namespace checker::detail
