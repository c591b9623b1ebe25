// parallel.cpp: ParallelSearch. See parallel.h.
#include "parallel.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "dpor.h"
#include "execution.h"

namespace checker::detail {

namespace {

using Clock = std::chrono::steady_clock;
using Task = DporStrategy::Task;
using TaskResult = DporStrategy::TaskResult;

/// Tasks are branches at points up to this depth of the master's path.
constexpr std::size_t kSplitDepth = 12;

/// One task: the branch (for the master's check), its state and its result.
struct Slot {
  enum class State { Queued, Running, Done };
  Task task;                         ///< without prefix
  std::vector<DporStrategy::Node> prefix;
  State state = State::Queued;
  std::atomic<bool> cancel{false};
  Report report;
  TaskResult result;
};

void merge(Stats& into, const Stats& from) {
  into.executions += from.executions;
  into.sleep_blocked += from.sleep_blocked;
  into.total_steps += from.total_steps;
  into.max_depth = std::max(into.max_depth, from.max_depth);
}

}  // namespace

ParallelSearch::ParallelSearch(const ProgramFactory& factory, const Options& options)
    : factory_(factory), options_(options) {}

Report ParallelSearch::run() {
  const unsigned jobs = std::max(1u, options_.jobs);
  const std::size_t cap = 2 * jobs;
  auto t0 = Clock::now();
  auto last_progress = t0;
  std::vector<std::unique_ptr<Program>> programs;
  for (unsigned i = 0; i < jobs; ++i) programs.push_back(factory_());

  Options task_options = options_;
  task_options.on_progress = nullptr;
  task_options.time_budget_seconds = 0;

  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::shared_ptr<Slot>> queue;
  std::vector<std::shared_ptr<Slot>> slots;  // handed out and not yet taken or dropped
  bool shutting_down = false;

  auto run_slot = [&](const std::shared_ptr<Slot>& slot, Program& program) {
    Task t = slot->task;
    t.prefix = std::move(slot->prefix);
    std::unique_ptr<DporStrategy> strategy = DporStrategy::for_task(std::move(t), &slot->cancel);
    Report r;
    run_search(program, *strategy, task_options, r, 0);
    TaskResult res = strategy->take_result();
    std::lock_guard<std::mutex> lk(mu);
    slot->report = std::move(r);
    slot->result = std::move(res);
    slot->state = Slot::State::Done;
    cv.notify_all();
  };

  std::vector<std::thread> workers;
  for (unsigned i = 1; i < jobs; ++i) {
    workers.emplace_back([&, i] {
      for (;;) {
        std::unique_lock<std::mutex> lk(mu);
        cv.wait(lk, [&] { return shutting_down || !queue.empty(); });
        if (shutting_down) return;
        std::shared_ptr<Slot> s = queue.front();
        queue.pop_front();
        s->state = Slot::State::Running;
        lk.unlock();
        run_slot(s, *programs[i]);
      }
    });
  }

  Report report;
  report.stats.jobs = jobs;
  Stats& st = report.stats;
  DporStrategy master;
  std::vector<Report> accepted;  // task reports taken during the last end()
  master.set_hook(
      [&](const Task& t) -> std::optional<TaskResult> {
        std::unique_lock<std::mutex> lk(mu);
        auto it = std::find_if(slots.begin(), slots.end(),
                               [&](const auto& s) { return s->task.key == t.key; });
        if (it == slots.end()) return std::nullopt;
        std::shared_ptr<Slot> s = *it;
        slots.erase(it);
        if (s->state == Slot::State::Queued) {
          queue.erase(std::find(queue.begin(), queue.end(), s));
          return std::nullopt;
        }
        while (s->state != Slot::State::Done) {
          if (!queue.empty()) {  // help rather than wait
            std::shared_ptr<Slot> q = queue.front();
            queue.pop_front();
            q->state = Slot::State::Running;
            lk.unlock();
            run_slot(q, *programs[0]);
            lk.lock();
            continue;
          }
          cv.wait(lk);
        }
        if (!(s->task.group == t.group && s->task.sleep == t.sleep &&
              s->task.psleep == t.psleep)) {
          ++st.tasks_redone;
          return std::nullopt;  // the branch changed since: explore it here
        }
        ++st.tasks_taken;
        accepted.push_back(std::move(s->report));
        return std::move(s->result);
      },
      kSplitDepth);

  {
    Execution ex(*programs[0], master, options_.max_steps);
    ex.set_continue_after_violation(!options_.stop_on_first);
    for (;;) {
      Verdict v = ex.run();
      if (master.last_was_redundant()) {
        ++st.sleep_blocked;
      } else {
        ++st.executions;
        st.total_steps += ex.steps();
        st.max_depth = std::max<std::uint64_t>(st.max_depth, ex.steps());
        if (v != Verdict::Pass && !report.counterexample) {
          report.verdict = v;
          Counterexample c;
          c.violation = ex.violation();
          c.schedule = ex.schedule();
          c.log = ex.take_log();
          c.preemptions = ex.preemptions();
          report.counterexample = std::move(c);
          if (options_.stop_on_first) break;
        }
      }
      accepted.clear();
      bool more = master.end(ExecutionEnd{v, ex.steps(), ex.pending_mask(), ex.pending(),
                                          ex.failure_step()});
      bool stop = false;
      for (Report& r : accepted) {
        merge(st, r.stats);
        if (r.counterexample && !report.counterexample) {
          report.verdict = r.verdict;
          report.counterexample = std::move(r.counterexample);
          if (options_.stop_on_first) stop = true;
        }
      }
      if (stop) break;
      if (!more) {
        st.complete = master.complete();
        break;
      }
      if (options_.max_executions && st.executions >= options_.max_executions) break;
      auto now = Clock::now();
      double elapsed = std::chrono::duration<double>(now - t0).count();
      if (options_.time_budget_seconds > 0 && elapsed >= options_.time_budget_seconds) break;
      if (options_.on_progress && now - last_progress >= std::chrono::seconds(1)) {
        last_progress = now;
        Progress p;
        p.executions = st.executions;
        p.sleep_blocked = st.sleep_blocked;
        p.elapsed_seconds = elapsed;
        p.executions_per_second = elapsed > 0 ? st.executions / elapsed : 0;
        p.fraction_done = master.progress();
        if (p.fraction_done > 0)
          p.estimated_remaining_seconds = elapsed * (1 - p.fraction_done) / p.fraction_done;
        options_.on_progress(p);
      }

      // Drop tasks whose branch left the master's path; hand out new ones.
      std::lock_guard<std::mutex> lk(mu);
      std::erase_if(slots, [&](const std::shared_ptr<Slot>& s) {
        if (master.key_at(s->task.depth, s->task.group.thread) == s->task.key) return false;
        s->cancel = true;
        if (s->state == Slot::State::Queued) queue.erase(std::find(queue.begin(), queue.end(), s));
        return true;
      });
      if (slots.size() < cap && queue.empty()) {
        std::vector<Task> more_tasks = master.candidates(
            kSplitDepth, cap - slots.size(), [&](const Task& t) {
              for (const auto& s : slots)
                if (s->task.key == t.key) return true;
              return false;
            });
        for (Task& t : more_tasks) {
          auto s = std::make_shared<Slot>();
          s->prefix = std::move(t.prefix);
          s->task = std::move(t);
          slots.push_back(s);
          queue.push_back(s);
        }
        if (!more_tasks.empty()) cv.notify_all();
      }
    }
  }

  {
    std::lock_guard<std::mutex> lk(mu);
    shutting_down = true;
    for (auto& s : slots) s->cancel = true;
    for (auto& s : queue) s->cancel = true;
    cv.notify_all();
  }
  for (std::thread& w : workers) w.join();
  st.elapsed_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  if (st.elapsed_seconds > 0) st.executions_per_second = st.executions / st.elapsed_seconds;
  return report;
}

}  // namespace checker::detail
