// commutation.cpp: CommutationCheck. See commutation.h.
#include "commutation.h"

#include <algorithm>
#include <vector>

#include "dfs.h"

namespace checker::detail {

namespace {

bool read_like(AccessKind k) {
  return k == AccessKind::Read || k == AccessKind::Wait || k == AccessKind::LockAcquireShared;
}
bool touches(const Access& a) { return a.object != kNoObject && a.kind != AccessKind::Yield; }
ObjectId family(const Access& a) { return a.parent != kNoObject ? a.parent : a.object; }

/// What one order of the pair leaves behind.
struct Outcome {
  bool reached = false;        ///< both steps ran and nothing failed
  std::string why;             ///< otherwise: what happened
  Access first{}, second{};    ///< steps i and j as performed
  std::vector<Access> between; ///< the steps between them, as performed
  std::string first_note, second_note;  ///< what steps i and j noted
  ThreadMask pending = 0;
  std::vector<Access> next;    ///< every thread's next operation (where pending)
  std::string fingerprint;
};

std::string describe(const Execution& ex, ThreadId t, const Access& a) {
  return ex.thread_name(t) + ": " + a.label + " " + std::string(to_string(a.kind)) + " " +
         ex.object_name(a.object);
}

bool same_op(const Access& a, const Access& b) {
  return a.object == b.object && a.kind == b.kind && std::string_view(a.label) == b.label;
}

/// Where the two fingerprints first differ, with some context.
std::string difference(const std::string& a, const std::string& b) {
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  std::size_t from = i > 60 ? i - 60 : 0;
  auto cut = [&](const std::string& s) {
    std::string part = s.substr(from, 160);
    return (from ? "..." : "") + part + (from + 160 < s.size() ? "..." : "");
  };
  return "\"" + cut(a) + "\" in the order run, \"" + cut(b) + "\" in the other";
}

}  // namespace

std::optional<Counterexample> CommutationCheck::check(const Execution& ex, Stats& stats) {
  const std::vector<StepRecord>& steps = ex.step_records();
  const Schedule& sched = ex.schedule();
  // Where each step's choices start in the schedule (its thread choice).
  std::vector<std::size_t> begin;
  for (std::size_t c = 0; c < sched.size(); ++c)
    if (sched[c].kind == Choice::Kind::Thread) begin.push_back(c);
  begin.push_back(sched.size());
  const std::size_t usable =
      std::min({steps.size(), begin.size() - 1,
                ex.failure_step() == Execution::npos ? steps.size() : ex.failure_step()});

  // Pairs (i, j): step j of one thread can move to just before step i of
  // another, because every step from i to j - 1 is of other threads and
  // independent of it; i and j are on related objects. The adjacent pairs
  // are those with i = j - 1.
  for (std::size_t j = 1; j < usable; ++j) {
    const StepRecord& b = steps[j];
    if (!touches(b.access)) continue;
    for (std::size_t i = j; i-- > 0;) {
      const StepRecord& a = steps[i];
      if (a.thread == b.thread || dependent(a.access, b.access)) break;
      if (!touches(a.access) || family(a.access) != family(b.access)) continue;
      std::string key = std::to_string(a.thread) + "/" + std::to_string(a.access.object) + "/" +
                        std::string(to_string(a.access.kind)) + "/" + a.access.label + "/" +
                        std::to_string(a.access.loc.line()) + "|" + std::to_string(b.thread) +
                        "/" + std::to_string(b.access.object) + "/" +
                        std::string(to_string(b.access.kind)) + "/" + b.access.label + "/" +
                        std::to_string(b.access.loc.line());
      unsigned& n = seen_[key];
      if (n >= per_pair_) continue;
      ++n;
      ++stats.commutation_checks;

      // The order run (steps 0..j), or step j moved to just before step i.
      auto run_order = [&](bool moved) {
        Schedule s(sched.begin(), sched.begin() + static_cast<long>(begin[i]));
        auto append = [&](std::size_t k) {
          s.insert(s.end(), sched.begin() + static_cast<long>(begin[k]),
                   sched.begin() + static_cast<long>(begin[k + 1]));
        };
        if (moved) append(j);
        for (std::size_t k = i; k < j; ++k) append(k);
        if (!moved) append(j);
        ReplayStrategy replay(s);
        Execution rx(program_, replay, max_steps_);
        rx.set_notes(true);  // a read notes what it saw
        Outcome o;
        rx.set_stop_after(j + 1, [&] {
          o.fingerprint = program_.state_fingerprint();
          o.pending = rx.pending_mask();
          o.next.assign(rx.pending().begin(), rx.pending().end());
        });
        rx.run();
        if (rx.stopped_at_mark()) {
          o.reached = true;
          const std::vector<StepRecord>& got = rx.step_records();
          // In run order: the moved step first when moved.
          o.first = got[moved ? i + 1 : i].access;   // step i's operation
          o.second = got[moved ? i : j].access;      // step j's operation
          o.first_note = got[moved ? i + 1 : i].note;
          o.second_note = got[moved ? i : j].note;
          for (std::size_t k = i + 1; k < j; ++k)
            o.between.push_back(got[moved ? k + 1 : k].access);
        } else {
          o.why = rx.violation().message;
        }
        return o;
      };
      Outcome ab = run_order(false);
      Outcome ba = run_order(true);

      std::string why;
      if (!ab.reached) {
        why = "the order run does not replay: " + ab.why;
      } else if (!ba.reached) {
        why = "in the other order: " + ba.why;
      } else if (!same_op(ab.first, ba.first)) {
        why = "in the other order it ran as " + describe(ex, a.thread, ba.first);
      } else if (!same_op(ab.second, ba.second)) {
        why = "in the other order it ran as " + describe(ex, b.thread, ba.second);
      } else if (read_like(ab.first.kind) && ab.first_note != ba.first_note) {
        why = "it read differently: \"" + ab.first_note + "\" in the order run, \"" +
              ba.first_note + "\" in the other";
      } else if (read_like(ab.second.kind) && ab.second_note != ba.second_note) {
        why = "step " + std::to_string(j) + " read differently: \"" + ab.second_note +
              "\" in the order run, \"" + ba.second_note + "\" in the other";
      } else if (ab.pending != ba.pending) {
        why = "the threads with a next operation differ";
      } else {
        for (std::size_t k = 0; k < ab.between.size() && why.empty(); ++k)
          if (!same_op(ab.between[k], ba.between[k]))
            why = "step " + std::to_string(i + 1 + k) + " in between ran as " +
                  describe(ex, steps[i + 1 + k].thread, ba.between[k]) + " in the other order";
        for (ThreadId t = 0; t < ab.next.size() && t < ba.next.size() && why.empty(); ++t)
          if ((ab.pending >> t & 1) && !same_op(ab.next[t], ba.next[t]))
            why = "the next operation of " + ex.thread_name(t) + " differs: " +
                  describe(ex, t, ab.next[t]) + " in the order run, " +
                  describe(ex, t, ba.next[t]) + " in the other";
        if (why.empty() && ab.fingerprint != ba.fingerprint)
          why = "the states differ: " + difference(ab.fingerprint, ba.fingerprint);
      }
      if (why.empty()) continue;

      Counterexample c;
      c.violation.verdict = Verdict::ModelError;
      c.violation.message = "commutation check: steps " + std::to_string(i) + " (" +
                            describe(ex, a.thread, a.access) + ") and " + std::to_string(j) +
                            " (" + describe(ex, b.thread, b.access) +
                            ") are declared independent but do not commute: " + why;
      c.violation.thread = b.thread;
      c.violation.step = j;
      c.violation.loc = b.access.loc;
      c.schedule.assign(sched.begin(), sched.begin() + static_cast<long>(begin[j + 1]));
      c.log = ex.names();
      c.log.steps.assign(steps.begin(), steps.begin() + static_cast<long>(j + 1));
      return c;
    }
  }
  return std::nullopt;
}

}  // namespace checker::detail
