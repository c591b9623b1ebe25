// parallel.cpp: ParallelSearch. See parallel.h.
#include "parallel.h"
#include "progress.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <stdexcept>
#include <string>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "checkpoint.h"
#include "dfs.h"
#include "dpor.h"
#include "execution.h"
#include "link.h"

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
  // A distributed search (link.h).
  std::uint64_t wire = 0;   ///< shipped to another process under this id (0: not shipped)
  bool cancel_sent = false;
  int from = -1;            ///< a foreign slot: the rank that handed it over
  std::uint64_t from_wire = 0;
};

/// A task's report, result and exception as they travel between processes.
TaskOutcome outcome_of(const Report& report, TaskResult result, const std::exception_ptr& error);

/// The tags of the hand-out's messages between processes.
enum Tag : int { kTask = 1, kResult = 2, kCancel = 3, kIdle = 4, kStop = 5, kFin = 6 };

void merge(Stats& into, const Stats& from) {
  into.executions += from.executions;
  into.sleep_blocked += from.sleep_blocked;
  into.post_failure_runs += from.post_failure_runs;
  into.unsupported_executions += from.unsupported_executions;
  into.reach_label_seen = into.reach_label_seen || from.reach_label_seen;
  into.reach_after_seen |= from.reach_after_seen;
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
  // A distributed search: the other processes' idle threads (as they last
  // said), the slots shipped to them by id, the slots they handed to this one.
  Link* link = nullptr;
  std::vector<unsigned> remote_idle;
  std::atomic<unsigned> remote_idle_total{0};
  std::map<std::uint64_t, std::shared_ptr<Slot>> shipped;
  std::vector<std::shared_ptr<Slot>> foreign;
  std::uint64_t next_wire = 0;
  std::uint64_t messages = 0;  // sent and received (the courier's)
  int fins = 0;                // processes that said they send no more
  // Say this process's idle count again even if unchanged: a sender lowers
  // its view of it by each task it ships here, so after taking one in, the
  // count must be told afresh (an unchanged value could otherwise go unsaid).
  bool announce_again = false;
  std::unique_ptr<Program> courier_program;  // runs a shipped failure again for its log

  /// Threads anywhere that would take a task now.
  unsigned takers() const {
    return idle.load(std::memory_order_relaxed) + remote_idle_total.load(std::memory_order_relaxed);
  }

  explicit Pool(const Options& o, unsigned jobs, unsigned processes = 1)
      : options(o), task_options(o), cap(2 * jobs * processes) {
    task_options.on_progress = nullptr;
    task_options.time_budget_seconds = 0;
    task_options.max_executions = 0;
  }

  void run_slot(const std::shared_ptr<Slot>& slot, Program& program);
  void drive(DporStrategy& s, Program& program, Report& report, bool master);
  /// The courier thread of a distributed search: ships queued slots to idle
  /// processes, queues the tasks they hand over, carries results, idle counts
  /// and cancellations; returns once the search is over everywhere.
  void courier();

 private:
  void receive(Message m);
  /// A task's report from its outcome: the failure run again on `program` for its log.
  Report rebuild(const TaskOutcome& o, Program& program);
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
    // Options::wire_check: the task and its outcome travel through the text
    // the processes of a distributed search exchange.
    if (options.wire_check) t = task_from_text(task_to_text(t));
    std::unique_ptr<DporStrategy> strategy = DporStrategy::for_task(std::move(t), &slot->cancel);
    drive(*strategy, program, r, false);
    res = strategy->take_result();
    if (options.wire_check) {
      TaskOutcome o = outcome_from_text(outcome_to_text(outcome_of(r, std::move(res), nullptr)));
      r = rebuild(o, program);
      res = std::move(o.result);
    }
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
          // The search is over elsewhere (a distributed search's stop): a
          // shipped slot will not come back; this explorer is cancelled too.
          if (shutting_down) return std::nullopt;
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
  ex.set_continue_after_unsupported(options.past_unsupported);
  ex.set_notes(false);
  ex.set_reach(options.reach ? &*options.reach : nullptr);
  for (;;) {
    Verdict v = ex.run();
    if (ex.reach_label_seen()) st.reach_label_seen = true;
    st.reach_after_seen |= ex.reach_after_seen();
    if (replaying) {
      check_replayed(ex, s);
      replaying = false;
    }
    RunKind kind = classify_run(s, v, ex);
    if (kind == RunKind::SleepBlocked) {
      ++st.sleep_blocked;
    } else if (kind == RunKind::PostFailure) {
      ++st.post_failure_runs;
      if (count_failure(program, ex, v, options, report, false)) break;
    } else {
      ++st.executions;
      ++own;
      st.total_steps += ex.steps();
      st.max_depth = std::max<std::uint64_t>(st.max_depth, ex.steps());
      if (count_failure(program, ex, v, options, report)) break;
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
      if (r.unsupported && !report.unsupported) report.unsupported = std::move(r.unsupported);
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
    if (mine == 0 && takers() == 0) continue;
    std::lock_guard<std::mutex> lk(mu);
    std::erase_if(slots, [&](const std::shared_ptr<Slot>& x) {
      if (x->owner != &s || s.on_path(x->task.key)) return false;
      x->cancel = true;
      --mine;
      if (x->state == Slot::State::Queued) queue.erase(std::find(queue.begin(), queue.end(), x));
      return true;
    });
    if (takers() > 0 && queue.empty() && slots.size() < cap) {
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

TaskOutcome outcome_of(const Report& report, TaskResult result, const std::exception_ptr& error) {
  TaskOutcome o;
  o.stats = report.stats;
  o.verdict = report.verdict;
  if (report.counterexample) o.failure = report.counterexample->schedule;
  if (report.unsupported) o.unsupported = report.unsupported->schedule;
  o.result = std::move(result);
  if (error) {
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      o.error = e.what();
    } catch (...) {
      o.error = "unknown exception";
    }
  }
  return o;
}

Report Pool::rebuild(const TaskOutcome& o, Program& program) {
  Report r;
  r.stats = o.stats;
  r.verdict = o.verdict;
  auto again = [&](const Schedule& s, Verdict want) {
    std::optional<Counterexample> c =
        replay_failure(program, s, want, options.max_steps, options.reach ? &*options.reach : nullptr);
    if (!c) throw std::logic_error("a failure another process found does not replay here");
    return std::move(*c);
  };
  if (o.failure) r.counterexample = again(*o.failure, o.verdict);
  if (o.unsupported) r.unsupported = again(*o.unsupported, Verdict::Unsupported);
  return r;
}

void Pool::receive(Message m) {
  ++messages;
  // "id\nbody" for tasks, results and cancellations.
  std::uint64_t id = 0;
  std::string body;
  if (m.tag == kTask || m.tag == kResult || m.tag == kCancel) {
    std::size_t nl = m.body.find('\n');
    id = std::stoull(m.body.substr(0, nl));
    if (nl != std::string::npos) body = m.body.substr(nl + 1);
  }
  switch (m.tag) {
    case kTask: {
      auto x = std::make_shared<Slot>();
      x->task = task_from_text(body);
      x->prefix = std::move(x->task.prefix);
      x->from = m.peer;
      x->from_wire = id;
      std::lock_guard<std::mutex> lk(mu);
      if (shutting_down) return;
      foreign.push_back(x);
      queue.push_back(x);
      announce_again = true;
      cv.notify_all();
      return;
    }
    case kResult: {
      TaskOutcome o = outcome_from_text(body);
      Report r;
      std::exception_ptr error;
      try {
        if (!o.error.empty()) throw std::runtime_error("on rank " + std::to_string(m.peer) + ": " + o.error);
        r = rebuild(o, *courier_program);
      } catch (...) {
        error = std::current_exception();
      }
      std::lock_guard<std::mutex> lk(mu);
      auto it = shipped.find(id);
      if (it == shipped.end()) return;
      std::shared_ptr<Slot> x = it->second;
      shipped.erase(it);
      x->report = std::move(r);
      x->result = std::move(o.result);
      x->error = error;
      x->state = Slot::State::Done;
      cv.notify_all();
      return;
    }
    case kCancel: {
      std::lock_guard<std::mutex> lk(mu);
      for (auto& x : foreign) {
        if (x->from != m.peer || x->from_wire != id) continue;
        x->cancel = true;
        if (x->state == Slot::State::Queued) {
          queue.erase(std::find(queue.begin(), queue.end(), x));
          x->state = Slot::State::Done;  // answered empty; its owner dropped it
        }
      }
      return;
    }
    case kIdle: {
      unsigned n = static_cast<unsigned>(std::stoul(m.body));
      std::lock_guard<std::mutex> lk(mu);
      remote_idle_total += n;
      remote_idle_total -= remote_idle[static_cast<std::size_t>(m.peer)];
      remote_idle[static_cast<std::size_t>(m.peer)] = n;
      cv.notify_all();
      return;
    }
    case kStop: {
      std::lock_guard<std::mutex> lk(mu);
      shutting_down = true;
      for (auto& x : foreign) x->cancel = true;
      for (auto& x : slots) x->cancel = true;
      cv.notify_all();
      return;
    }
    case kFin:  // a process already at its end (seen here before this one's)
      ++fins;
      return;
    default:
      throw std::logic_error("a hand-out message with the unknown tag " + std::to_string(m.tag));
  }
}

void Pool::courier() {
  const int me = link->rank(), n = link->size();
  remote_idle.assign(static_cast<std::size_t>(n), 0);
  unsigned announced = static_cast<unsigned>(-1);
  auto send = [&](int peer, int tag, std::string body) {
    ++messages;
    link->send(peer, tag, std::move(body));
  };
  for (;;) {
    {
      std::unique_lock<std::mutex> lk(mu);
      if (shutting_down) break;
      // Queued slots go to processes with idle threads, lowest rank first.
      for (int r = 0; r < n && !queue.empty(); ++r) {
        while (remote_idle[static_cast<std::size_t>(r)] > 0 && !queue.empty()) {
          std::shared_ptr<Slot> x = queue.front();
          queue.pop_front();
          x->state = Slot::State::Running;
          x->wire = ++next_wire;
          shipped[x->wire] = x;
          --remote_idle[static_cast<std::size_t>(r)];
          --remote_idle_total;
          Task t = x->task;
          t.prefix = x->prefix;
          send(r, kTask, std::to_string(x->wire) + "\n" + task_to_text(t));
        }
      }
      for (auto& [id, x] : shipped) {
        if (!x->cancel || x->cancel_sent) continue;
        x->cancel_sent = true;
        for (int r = 0; r < n; ++r)  // its rank is not kept: every process checks its own
          if (r != me) send(r, kCancel, std::to_string(id));
      }
      for (auto it = foreign.begin(); it != foreign.end();) {
        std::shared_ptr<Slot> x = *it;
        if (x->state != Slot::State::Done) {
          ++it;
          continue;
        }
        TaskOutcome o = outcome_of(x->report, std::move(x->result), x->error);
        send(x->from, kResult, std::to_string(x->from_wire) + "\n" + outcome_to_text(o));
        it = foreign.erase(it);
      }
      unsigned now = queue.empty() ? idle.load() : 0;
      if (now != announced || (announce_again && queue.empty())) {
        announced = now;
        announce_again = false;
        for (int r = 0; r < n; ++r)
          if (r != me) send(r, kIdle, std::to_string(now));
      }
    }
    bool got = false;
    while (std::optional<Message> m = link->poll()) {
      got = true;
      const int tag = m->tag;
      receive(std::move(*m));
      if (tag == kStop) break;
    }
    if (!got) {
      std::unique_lock<std::mutex> lk(mu);
      if (!shutting_down) cv.wait_for(lk, std::chrono::microseconds(200));
    }
  }
  // The end: rank 0 tells the others; then every process says it sends no
  // more and takes (and drops) what still comes until all have said so, so no
  // message is left unreceived when MPI ends.
  if (me == 0)
    for (int r = 1; r < n; ++r) send(r, kStop, "");
  for (int r = 0; r < n; ++r)
    if (r != me) send(r, kFin, "");
  while (fins < n - 1) {
    if (std::optional<Message> m = link->poll()) {
      ++messages;
      if (m->tag == kFin) ++fins;
      if (m->tag == kStop) {  // a stop that crossed this process's own end
        std::lock_guard<std::mutex> lk(mu);
        shutting_down = true;
      }
    } else {
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
  }
  link->flush();
}

}  // namespace

ParallelSearch::ParallelSearch(const ProgramFactory& factory, const Options& options)
    : factory_(factory), options_(options) {}

Report ParallelSearch::run() {
  const unsigned jobs = std::max(1u, options_.jobs);
  auto t0 = Clock::now();
  Link* link = cluster_link();
  const bool master_here = !link || link->rank() == 0;
  std::vector<std::unique_ptr<Program>> programs;
  for (unsigned i = 0; i < jobs; ++i) programs.push_back(factory_());
  Pool pool(options_, jobs, link ? static_cast<unsigned>(link->size()) : 1);

  // Without a master here (a distributed search's other ranks) every job is a worker.
  std::vector<std::thread> workers;
  for (unsigned i = master_here ? 1 : 0; i < jobs; ++i) {
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

  std::thread courier;
  if (link) {
    pool.link = link;
    pool.courier_program = factory_();
    courier = std::thread([&] {
      try {
        pool.courier();
      } catch (const std::exception& e) {
        // The other processes would wait for this one forever: end the job.
        link->abort(std::string("internal error: ") + e.what());
      }
    });
  }

  auto stop = [&] {
    {
      std::lock_guard<std::mutex> lk(pool.mu);
      pool.shutting_down = true;
      for (auto& s : pool.slots) s->cancel = true;
      for (auto& s : pool.foreign) s->cancel = true;
      pool.cv.notify_all();
    }
    for (std::thread& w : workers) w.join();
    if (courier.joinable()) courier.join();
  };
  Report report;
  if (!master_here) {  // serve until rank 0's search is over
    courier.join();
    stop();
    report.stats.jobs = jobs;
    report.stats.processes = static_cast<unsigned>(link->size());
    report.stats.messages = pool.messages;
    return report;
  }
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
  if (link) {
    st.processes = static_cast<unsigned>(link->size());
    st.messages = pool.messages;
  }
  st.elapsed_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  if (st.elapsed_seconds > 0)
    st.executions_per_second = (st.executions - st.resumed_executions) / st.elapsed_seconds;
  return report;
}

}  // namespace checker::detail
