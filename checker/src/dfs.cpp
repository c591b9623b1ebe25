// dfs.cpp: DfsStrategy and ReplayStrategy. See dfs.h.
#include "dfs.h"

#include <bit>
#include <cstdio>
#include <cstdlib>

namespace checker::detail {

namespace {
ThreadId lowest(ThreadMask m) { return static_cast<ThreadId>(std::countr_zero(m)); }
bool has(ThreadMask m, ThreadId t) { return t < 64 && (m >> t) & 1; }
}  // namespace

void DfsStrategy::begin() {
  depth_ = 0;
  preemptions_ = 0;
}

std::optional<ThreadId> DfsStrategy::pick_thread(const SchedulingPoint& sp) {
  bool prev_enabled = sp.previous != kNoThread && has(sp.enabled, sp.previous);
  if (depth_ < path_.size()) {
    Node& n = path_[depth_];
    if (n.is_value || !has(sp.enabled, n.chosen)) {
      abort_ = "nondeterministic program: choice " + std::to_string(depth_) +
               " differs from an earlier execution with the same prefix";
      return std::nullopt;
    }
  } else {
    Node n;
    n.previous = sp.previous;
    n.preemptions = preemptions_;
    n.allowed = sp.enabled;
    if (bound_ && prev_enabled && preemptions_ >= *bound_) {
      n.allowed = ThreadMask{1} << sp.previous;
      if (sp.enabled != n.allowed) bound_hit_ = true;
    }
    n.chosen = lowest(n.allowed);
    path_.push_back(n);
  }
  ThreadId t = path_[depth_].chosen;
  if (prev_enabled && t != sp.previous) ++preemptions_;
  ++depth_;
  return t;
}

std::optional<std::uint32_t> DfsStrategy::pick_value(std::uint32_t n, ThreadId) {
  if (depth_ < path_.size()) {
    Node& node = path_[depth_];
    if (!node.is_value || node.range != n) {
      abort_ = "nondeterministic program: choice " + std::to_string(depth_) +
               " differs from an earlier execution with the same prefix";
      return std::nullopt;
    }
  } else {
    Node node;
    node.is_value = true;
    node.range = n;
    node.chosen = 0;
    node.preemptions = preemptions_;
    path_.push_back(node);
  }
  return path_[depth_++].chosen;
}

bool DfsStrategy::end(const ExecutionEnd&) {
  // Drop nodes the execution did not reach (it ended early), then backtrack.
  path_.resize(depth_);
  while (!path_.empty()) {
    Node& n = path_.back();
    if (n.is_value) {
      if (n.chosen + 1 < n.range) {
        ++n.chosen;
        return true;
      }
    } else {
      ThreadMask rest = n.allowed & ~((ThreadMask{2} << n.chosen) - 1);
      if (rest) {
        n.chosen = lowest(rest);
        return true;
      }
    }
    path_.pop_back();
  }
  return false;
}

// The share of the tree left of the current path, each alternative of a node
// weighted equally (Knuth's estimate along one path).
double DfsStrategy::progress() const {
  double done = 0, weight = 1;
  for (const Node& n : path_) {
    double total, index;
    if (n.is_value) {
      total = n.range;
      index = n.chosen;
    } else {
      total = std::popcount(n.allowed);
      index = std::popcount(n.allowed & ((ThreadMask{1} << n.chosen) - 1));
    }
    if (total <= 0) continue;
    done += weight * index / total;
    weight /= total;
  }
  return done;
}

std::optional<ThreadId> ReplayStrategy::pick_thread(const SchedulingPoint& sp) {
  if (pos_ >= schedule_.size()) {
    abort_ = "diverged at step " + std::to_string(sp.step) +
             ": expected the execution to end, got a scheduling point";
    return std::nullopt;
  }
  const Choice& c = schedule_[pos_];
  if (c.kind != Choice::Kind::Thread) {
    abort_ = "diverged at step " + std::to_string(sp.step) + ": expected a value choice, got a "
             "scheduling point";
    return std::nullopt;
  }
  if (!has(sp.enabled, c.value)) {
    abort_ = "diverged at step " + std::to_string(sp.step) + ": expected thread " +
             std::to_string(c.value) + " to be enabled, it is not";
    return std::nullopt;
  }
  if (sp.previous != kNoThread && has(sp.enabled, sp.previous) && c.value != sp.previous)
    ++preemptions_;
  ++pos_;
  ++steps_;
  return c.value;
}

std::optional<std::uint32_t> ReplayStrategy::pick_value(std::uint32_t n, ThreadId) {
  if (pos_ >= schedule_.size() || schedule_[pos_].kind != Choice::Kind::Value ||
      schedule_[pos_].range != n || schedule_[pos_].value >= n) {
    abort_ = "diverged at step " + std::to_string(steps_) + ": expected " +
             (pos_ >= schedule_.size() ? std::string("the schedule to go on")
              : schedule_[pos_].kind == Choice::Kind::Thread
                  ? std::string("a scheduling point")
                  : "a value choice in [0, " + std::to_string(schedule_[pos_].range) + ")") +
             ", got a value choice in [0, " + std::to_string(n) + ")";
    return std::nullopt;
  }
  return schedule_[pos_++].value;
}

void FollowStrategy::begin() {
  taken_.assign(schedule_.size(), false);
  first_open_ = 0;
  stats_ = FollowStats{};
  preemptions_ = 0;
}

std::optional<ThreadId> FollowStrategy::pick_thread(const SchedulingPoint& sp) {
  if (sp.after_violation) return std::nullopt;  // the violation ends the replay
  while (first_open_ < schedule_.size() && taken_[first_open_]) ++first_open_;
  const bool prev_enabled = sp.previous != kNoThread && has(sp.enabled, sp.previous);
  std::optional<ThreadId> pick;
  bool next_in_order = true;  // every earlier open thread choice was skipped: false
  for (std::size_t i = first_open_; i < schedule_.size(); ++i) {
    const Choice& c = schedule_[i];
    if (taken_[i] || c.kind != Choice::Kind::Thread) continue;
    if (has(sp.enabled, c.value)) {
      taken_[i] = true;
      pick = c.value;
      ++(next_in_order ? stats_.in_order : stats_.out_of_order);
      break;
    }
    next_in_order = false;
  }
  if (!pick) {
    ++stats_.free;
    pick = prev_enabled ? sp.previous : static_cast<ThreadId>(std::countr_zero(sp.enabled));
  }
  if (prev_enabled && *pick != sp.previous) ++preemptions_;
  return pick;
}

std::optional<std::uint32_t> FollowStrategy::pick_value(std::uint32_t n, ThreadId) {
  for (std::size_t i = first_open_; i < schedule_.size(); ++i) {
    const Choice& c = schedule_[i];
    if (taken_[i] || c.kind != Choice::Kind::Value || c.range != n || c.value >= n) continue;
    taken_[i] = true;
    return c.value;
  }
  ++stats_.values_free;
  return 0;
}

FollowStats FollowStrategy::stats() const {
  FollowStats s = stats_;
  for (std::size_t i = 0; i < schedule_.size(); ++i)
    if (!taken_[i] && schedule_[i].kind == Choice::Kind::Thread) ++s.unused;
  return s;
}

}  // namespace checker::detail
