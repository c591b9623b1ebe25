// parallel.cpp: ParallelSearch. See parallel.h.
#include "parallel.h"
#include "progress.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "checkpoint.h"
#include "dpor.h"
#include "execution.h"

namespace checker::detail {

namespace {

using Clock = std::chrono::steady_clock;
using Task = DporStrategy::Task;
using TaskResult = DporStrategy::TaskResult;

/// Tasks are branches at points up to this depth below their explorer's own.
constexpr std::size_t kSplitDepth = 64;

/// One task: the branch (for the check), its state and its result.
struct Slot {
  enum class State { Queued, Running, Done };
  const DporStrategy* owner = nullptr;  ///< the explorer that will take it
  Task task;                            ///< without prefix
  std::vector<DporStrategy::Node> prefix;
  State state = State::Queued;
  std::atomic<bool> cancel{false};
  Report report;
  TaskResult result;
  std::exception_ptr error;  ///< an exception out of the task's search (an engine bug)
};

void merge(Stats& into, const Stats& from) {
  into.executions += from.executions;
  into.sleep_blocked += from.sleep_blocked;
  into.post_failure_runs += from.post_failure_runs;
  into.total_steps += from.total_steps;
  into.max_depth = std::max(into.max_depth, from.max_depth);
  into.tasks_taken += from.tasks_taken;
  into.tasks_redone += from.tasks_redone;
}

/// What the OS threads share. Every explorer (the master, and each task's)
/// hands out branches of its own path and takes them back in order.
struct Pool {
  const Options& options;
  Options task_options;
  std::size_t cap;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::shared_ptr<Slot>> queue;
  std::vector<std::shared_ptr<Slot>> slots;  // handed out, not yet taken or dropped
  std::atomic<unsigned> idle{0};             // threads waiting for a task (written under mu)
  bool shutting_down = false;

  explicit Pool(const Options& o, unsigned jobs) : options(o), task_options(o), cap(2 * jobs) {
    task_options.on_progress = nullptr;
    task_options.time_budget_seconds = 0;
    task_options.max_executions = 0;
  }

  void run_slot(const std::shared_ptr<Slot>& slot, Program& program);
  void drive(DporStrategy& s, Program& program, Report& report, bool master);
};

// An exception is kept in the slot and rethrown by the explorer that takes it
// back, up to the master, which stops the pool: no thread dies with it.
void Pool::run_slot(const std::shared_ptr<Slot>& slot, Program& program) {
  Report r;
  TaskResult res;
  std::exception_ptr error;
  try {
    Task t = slot->task;
    t.prefix = std::move(slot->prefix);
    std::unique_ptr<DporStrategy> strategy = DporStrategy::for_task(std::move(t), &slot->cancel);
    drive(*strategy, program, r, false);
    res = strategy->take_result();
  } catch (...) {
    error = std::current_exception();
  }
  std::lock_guard<std::mutex> lk(mu);
  slot->report = std::move(r);
  slot->result = std::move(res);
  slot->error = error;
  slot->state = Slot::State::Done;
  cv.notify_all();
}

// The search loop of one explorer, with task hand-out and take-back.
void Pool::drive(DporStrategy& s, Program& program, Report& report, bool master) {
  auto t0 = Clock::now();
  auto last_progress = t0;
  Stats& st = report.stats;
  // A resumed master starts from the checkpoint (workers' tasks never resume).
  const std::uint64_t carried = master ? begin_piece(program, s, options, report) : 0;
  bool replaying = master && options.resume != nullptr;
  bool cut = false;  // a budget or a stop request ended the search
  std::uint64_t own = 0;  // executions of this explorer's loop (the rest came from tasks)
  std::vector<Report> accepted;  // task reports taken during the last end()
  std::size_t mine = 0;          // slots this explorer handed out and has not taken back
  bool failed_in_end = false;    // a task taken during the last end() found a failure
  s.set_hook(
      [&](std::size_t depth, const DporStrategy::Group& g, ThreadMask sleep,
          const DporStrategy::PSleep& psleep) -> std::optional<TaskResult> {
        if (mine == 0) return std::nullopt;  // only this explorer adds its own slots
        // A task taken during this end() failed: the sequential search stops
        // there, so nothing ordered after it is taken (or waited for).
        if (failed_in_end) return std::nullopt;
        std::unique_lock<std::mutex> lk(mu);
        auto it = std::find_if(slots.begin(), slots.end(), [&](const auto& x) {
          return x->owner == &s && x->task.depth == depth && x->task.group.thread == g.thread &&
                 s.on_path(x->task.key);
        });
        if (it == slots.end()) return std::nullopt;
        std::shared_ptr<Slot> slot = *it;
        slots.erase(it);
        --mine;
        if (slot->state == Slot::State::Queued) {
          queue.erase(std::find(queue.begin(), queue.end(), slot));
          return std::nullopt;
        }
        while (slot->state != Slot::State::Done) {
          if (!queue.empty()) {  // help rather than wait
            std::shared_ptr<Slot> q = queue.front();
            queue.pop_front();
            q->state = Slot::State::Running;
            lk.unlock();
            run_slot(q, program);
            lk.lock();
            continue;
          }
          ++idle;  // waiting: other explorers may hand this thread a task
          cv.wait(lk);
          --idle;
        }
        if (slot->error) std::rethrow_exception(slot->error);
        // A task a stop request cut short did not finish its branch: the
        // branch stays this explorer's (so a checkpoint keeps it whole).
        if (slot->report.stats.interrupted) return std::nullopt;
        if (!(slot->task.group == g && slot->task.sleep == sleep && slot->task.psleep == psleep)) {
          ++st.tasks_redone;
          return std::nullopt;  // the branch changed since: explore it here
        }
        ++st.tasks_taken;
        if (options.stop_on_first && slot->report.counterexample) failed_in_end = true;
        accepted.push_back(std::move(slot->report));
        return std::move(slot->result);
      },
      static_cast<std::size_t>(-1));

  Execution ex(program, s, options.max_steps);
  ex.set_continue_after_violation(!options.stop_on_first);
  ex.set_notes(false);
  for (;;) {
    Verdict v = ex.run();
    if (replaying) {
      check_replayed(ex, s);
      replaying = false;
    }
    RunKind kind = classify_run(s, v, ex);
    if (kind == RunKind::SleepBlocked) {
      ++st.sleep_blocked;
    } else if (kind == RunKind::PostFailure) {
      ++st.post_failure_runs;
    } else {
      ++st.executions;
      ++own;
      st.total_steps += ex.steps();
      st.max_depth = std::max<std::uint64_t>(st.max_depth, ex.steps());
      if (v != Verdict::Pass && !report.counterexample) {
        report.verdict = v;
        report.counterexample = recorded_counterexample(program, ex, options.max_steps);
        if (options.stop_on_first) break;
      }
    }
    accepted.clear();
    failed_in_end = false;
    bool more =
        s.end(ExecutionEnd{v, ex.steps(), ex.pending_mask(), ex.pending(), ex.failure_step()});
    // Task results in the sequential order; with stop_on_first the first one
    // with a failure is the last one counted (the hook took none after it).
    bool stop = false;
    for (Report& r : accepted) {
      merge(st, r.stats);
      if (r.counterexample && !report.counterexample) {
        report.verdict = r.verdict;
        report.counterexample = std::move(r.counterexample);
        if (options.stop_on_first) {
          stop = true;
          break;
        }
      }
    }
    if (stop) break;
    // Before the end of the search is judged: a task cut short by the request
    // may have been merged above, so the search cannot count as complete.
    if (stop_requested(options)) {
      st.interrupted = cut = true;
      break;
    }
    if (!more) {
      st.complete = s.complete();
      break;
    }
    if (master) {
      if (options.max_executions && st.executions - carried >= options.max_executions) {
        cut = true;
        break;
      }
      auto now = Clock::now();
      double elapsed = std::chrono::duration<double>(now - t0).count();
      if (options.time_budget_seconds > 0 && elapsed >= options.time_budget_seconds) {
        cut = true;
        break;
      }
      if (options.on_progress && std::chrono::duration<double>(now - last_progress).count() >=
                                     options.progress_interval_seconds) {
        last_progress = now;
        Progress p = make_progress(st, elapsed, s.progress(), options.max_executions, options);
        options.on_progress(p);
      }
    }

    // Drop own tasks whose branch left this path; hand out new ones. Most
    // executions have neither to do: then the pool's lock is not touched.
    if (mine == 0 && idle.load(std::memory_order_relaxed) == 0) continue;
    std::lock_guard<std::mutex> lk(mu);
    std::erase_if(slots, [&](const std::shared_ptr<Slot>& x) {
      if (x->owner != &s || s.on_path(x->task.key)) return false;
      x->cancel = true;
      --mine;
      if (x->state == Slot::State::Queued) queue.erase(std::find(queue.begin(), queue.end(), x));
      return true;
    });
    if (idle > 0 && queue.empty() && slots.size() < cap) {
      std::vector<Task> fresh = s.candidates(kSplitDepth + s.floor(), 1, [&](const Task& t) {
        for (const auto& x : slots)
          if (x->owner == &s && x->task.key == t.key) return true;
        return false;
      });
      for (Task& t : fresh) {
        auto x = std::make_shared<Slot>();
        x->owner = &s;
        x->prefix = std::move(t.prefix);
        x->task = std::move(t);
        slots.push_back(x);
        ++mine;
        queue.push_back(x);
      }
      if (!fresh.empty()) cv.notify_all();
    }
  }
  st.task_executions = st.executions - carried - own;
  if (master && !st.complete && report.verdict == Verdict::Pass) st.fraction_done = s.progress();
  if (master && cut && options.checkpoint) report.checkpoint = write_checkpoint(s, options, report);
  std::lock_guard<std::mutex> lk(mu);
  std::erase_if(slots, [&](const std::shared_ptr<Slot>& x) {
    if (x->owner != &s) return false;
    x->cancel = true;
    if (x->state == Slot::State::Queued) queue.erase(std::find(queue.begin(), queue.end(), x));
    return true;
  });
}

}  // namespace

ParallelSearch::ParallelSearch(const ProgramFactory& factory, const Options& options)
    : factory_(factory), options_(options) {}

Report ParallelSearch::run() {
  const unsigned jobs = std::max(1u, options_.jobs);
  auto t0 = Clock::now();
  std::vector<std::unique_ptr<Program>> programs;
  for (unsigned i = 0; i < jobs; ++i) programs.push_back(factory_());
  Pool pool(options_, jobs);

  std::vector<std::thread> workers;
  for (unsigned i = 1; i < jobs; ++i) {
    workers.emplace_back([&pool, &programs, i] {
      for (;;) {
        std::unique_lock<std::mutex> lk(pool.mu);
        ++pool.idle;
        pool.cv.wait(lk, [&] { return pool.shutting_down || !pool.queue.empty(); });
        --pool.idle;
        if (pool.shutting_down) return;
        std::shared_ptr<Slot> s = pool.queue.front();
        pool.queue.pop_front();
        s->state = Slot::State::Running;
        lk.unlock();
        pool.run_slot(s, *programs[i]);
      }
    });
  }

  auto stop = [&] {
    {
      std::lock_guard<std::mutex> lk(pool.mu);
      pool.shutting_down = true;
      for (auto& s : pool.slots) s->cancel = true;
      pool.cv.notify_all();
    }
    for (std::thread& w : workers) w.join();
  };
  Report report;
  DporStrategy master;
  try {
    pool.drive(master, *programs[0], report, true);
  } catch (...) {
    stop();
    throw;
  }
  stop();
  Stats& st = report.stats;
  st.jobs = jobs;
  st.elapsed_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  if (st.elapsed_seconds > 0)
    st.executions_per_second = (st.executions - st.resumed_executions) / st.elapsed_seconds;
  return report;
}

}  // namespace checker::detail
