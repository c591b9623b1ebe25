// engine_test.cpp: the engine on toy programs (no mm). Every expected count
// below is derived by hand in the comment beside it.
#include <checker/checker.h>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <CppUTest/TestHarness.h>

using namespace checker;

namespace {

/// A program made of lambdas: setup builds state and spawns threads.
struct Lambda : Program {
  std::function<void()> on_setup;
  std::function<void()> on_end;
  void setup() override { on_setup(); }
  void at_end() override {
    if (on_end) on_end();
  }
};

Options dfs() { return Options{}; }

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

/// Thread A stores twice to x, thread B twice to y: independent steps.
void two_threads_two_stores(Lambda& p, std::optional<Shared<int>>& x,
                            std::optional<Shared<int>>& y) {
  p.on_setup = [&] {
    x.emplace("x", 0);
    y.emplace("y", 0);
    spawn("A", [&] { x->store(1); x->store(2); });
    spawn("B", [&] { y->store(1); y->store(2); });
  };
}

}  // namespace

TEST_GROUP(Counts){};

// Two threads of two independent steps each: the interleavings of 2+2 steps,
// C(4,2) = 6, and plain DFS does not reduce.
TEST(Counts, TwoThreadsTwoStepsSixInterleavings) {
  Lambda p;
  std::optional<Shared<int>> x, y;
  two_threads_two_stores(p, x, y);
  Report r = explore(p, dfs());
  CHECK(r.verdict == Verdict::Pass);
  CHECK(r.stats.complete);
  LONGS_EQUAL(6, r.stats.executions);
  LONGS_EQUAL(6 * 4, r.stats.total_steps);
  LONGS_EQUAL(4, r.stats.max_depth);
}

// Three threads of one step: 3! = 6; three threads of two steps: 6!/(2!2!2!) = 90.
TEST(Counts, ThreeThreadsMultinomial) {
  for (int steps : {1, 2}) {
    Lambda p;
    std::optional<Shared<int>> v;
    p.on_setup = [&] {
      v.emplace("v", 0);
      for (const char* n : {"A", "B", "C"})
        spawn(n, [&, steps] {
          for (int i = 0; i < steps; ++i) v->load();
        });
    };
    Report r = explore(p, dfs());
    LONGS_EQUAL(steps == 1 ? 6 : 90, r.stats.executions);
  }
}

// A value choice multiplies: A = {step, choose(2), step}, B = {step}.
// Interleavings of A's 2 steps with B's 1 step: 3; times 2 values: 6.
TEST(Counts, ValueChoicesMultiply) {
  Lambda p;
  std::optional<Shared<int>> x;
  std::set<std::pair<int, int>> finals;  // (value chosen, order seen by B)
  p.on_setup = [&] {
    x.emplace("x", 0);
    spawn("A", [&] {
      x->store(1);
      std::uint32_t v = choose(2, "alloc_fails");
      x->store(10 + static_cast<int>(v));
    });
    spawn("B", [&] { x->load(); });
  };
  Report r = explore(p, dfs());
  LONGS_EQUAL(6, r.stats.executions);
  CHECK(r.stats.complete);
}

// choose(3) in setup, then one thread of one step: 3 executions.
TEST(Counts, ValueChoiceInSetup) {
  Lambda p;
  std::optional<Shared<int>> x;
  std::set<int> seen;
  p.on_setup = [&] {
    int v = static_cast<int>(choose(3, "initial"));
    x.emplace("x", v);
    spawn("A", [&] { x->load(); });
  };
  p.on_end = [&] { seen.insert(x->peek()); };
  Report r = explore(p, dfs());
  LONGS_EQUAL(3, r.stats.executions);
  LONGS_EQUAL(3, seen.size());
}

// With A = a1 a2 and B = b1 b2 the six schedules have preemptions
// AABB 0, ABAB 2, ABBA 1, BAAB 1, BABA 2, BBAA 0.
TEST(Counts, PreemptionBound) {
  Lambda p;
  std::optional<Shared<int>> x;
  p.on_setup = [&] {
    x.emplace("x", 0);
    spawn("A", [&] { x->load(); x->load(); });
    spawn("B", [&] { x->load(); x->load(); });
  };
  Options o;
  o.preemption_bound = 0;
  Report r0 = explore(p, o);
  LONGS_EQUAL(2, r0.stats.executions);
  CHECK_FALSE(r0.stats.complete);  // the bound cut alternatives off
  o.preemption_bound = 1;
  LONGS_EQUAL(4, explore(p, o).stats.executions);
  o.preemption_bound = 2;
  Report r2 = explore(p, o);
  LONGS_EQUAL(6, r2.stats.executions);
  CHECK(r2.stats.complete);
}

// Two threads of two steps on different objects: DFS's tree has two subtrees
// at the root (A first, B first) of 3 executions each. After 3 executions the
// A-first subtree is done and the next path starts with B, the second of two
// root branches: half the search, by the estimate and in fact. A complete
// search gives no estimate.
TEST(Counts, IncompleteSearchEstimatesTheShareExplored) {
  Lambda p;
  std::optional<Shared<int>> x, y;
  two_threads_two_stores(p, x, y);
  Options o;
  o.max_executions = 3;
  Report r = explore(p, o);
  CHECK_FALSE(r.stats.complete);
  DOUBLES_EQUAL(0.5, r.stats.fraction_done, 1e-12);
  o.max_executions = 0;
  Report all = explore(p, o);
  CHECK(all.stats.complete);
  DOUBLES_EQUAL(-1, all.stats.fraction_done, 0);
}

TEST(Counts, ExecutionBoundStopsIncomplete) {
  Lambda p;
  std::optional<Shared<int>> x;
  p.on_setup = [&] {
    x.emplace("x", 0);
    spawn("A", [&] { x->load(); x->load(); });
    spawn("B", [&] { x->load(); x->load(); });
  };
  Options o;
  o.max_executions = 4;
  Report r = explore(p, o);
  LONGS_EQUAL(4, r.stats.executions);
  CHECK_FALSE(r.stats.complete);
  CHECK(r.verdict == Verdict::Pass);
}

TEST_GROUP(Primitives){};

// lock; load; store; unlock in both threads. B's lock is disabled while A
// holds it, so the only choice is who locks first: 2 executions, no loss.
TEST(Primitives, MutexSerialisesCriticalSections) {
  Lambda p;
  std::optional<Shared<int>> c;
  std::optional<Mutex> m;
  p.on_setup = [&] {
    c.emplace("c", 0);
    m.emplace("m");
    for (const char* n : {"A", "B"})
      spawn(n, [&] {
        m->lock();
        int v = c->load();
        c->store(v + 1);
        m->unlock();
      });
  };
  p.on_end = [&] { check(c->peek() == 2, FailureKind::Invariant, "lost update"); };
  Report r = explore(p, dfs());
  CHECK(r.verdict == Verdict::Pass);
  LONGS_EQUAL(2, r.stats.executions);
}

// Writer W = {down_write, up_write}, reader R = {down_read, up_read}: whoever
// takes the semaphore first runs both its steps before the other: 2.
// Two readers never exclude each other: C(4,2) = 6.
TEST(Primitives, RwSem) {
  for (bool two_readers : {false, true}) {
    Lambda p;
    std::optional<RwSem> s;
    std::optional<Shared<int>> inside;
    p.on_setup = [&] {
      s.emplace("mmap_sem");
      spawn("W", [&, two_readers] {
        if (two_readers) {
          s->down_read();
          s->up_read();
        } else {
          s->down_write();
          s->up_write();
        }
      });
      spawn("R", [&] {
        s->down_read();
        s->up_read();
      });
    };
    Report r = explore(p, dfs());
    CHECK(r.verdict == Verdict::Pass);
    LONGS_EQUAL(two_readers ? 6 : 2, r.stats.executions);
  }
}

// A = {lock_page, unlock_page}, B = {wait_on_page_locked}. B's wait is
// enabled only while the page is unlocked: (W L U) and (L U W): 2.
TEST(Primitives, BitLockWaitUnlocked) {
  Lambda p;
  std::optional<BitLock> pg;
  std::optional<Shared<int>> seen_locked;
  p.on_setup = [&] {
    pg.emplace("K.lock");
    seen_locked.emplace("seen", 0);
    spawn("A", [&] { pg->lock(); pg->unlock(); });
    spawn("B", [&] {
      pg->wait_unlocked();
      if (pg->locked()) fail(FailureKind::Assertion, "woke while locked");
    });
  };
  Report r = explore(p, dfs());
  CHECK(r.verdict == Verdict::Pass);
  LONGS_EQUAL(2, r.stats.executions);
}

TEST(Primitives, TryLockNeverBlocks) {
  Lambda p;
  std::optional<BitLock> pg;
  int failures = 0, successes = 0;
  p.on_setup = [&] {
    pg.emplace("N.lock");
    spawn("A", [&] { pg->lock(); pg->unlock(); });
    spawn("B", [&] {
      if (pg->try_lock()) {
        ++successes;
        pg->unlock();
      } else {
        ++failures;
      }
    });
  };
  Report r = explore(p, dfs());
  CHECK(r.verdict == Verdict::Pass);
  // A = {L lock, U unlock}, B = {T trylock, U' unlock if taken}. By hand:
  // L U T U' (T succeeds), L T U (T fails), T U' L U (T succeeds; A's L is
  // disabled until U'). 3 executions: 2 successes, 1 failure.
  LONGS_EQUAL(3, r.stats.executions);
  LONGS_EQUAL(1, failures);
  LONGS_EQUAL(2, successes);
}

TEST_GROUP(Detection){};

// The lost update: A and B each load then store counter+1. DFS order tries
// A,A,B,B first (counter 2), then A,B,A,B, which loses one.
TEST(Detection, LostUpdateFound) {
  Lambda p;
  std::optional<Shared<int>> c;
  p.on_setup = [&] {
    c.emplace("counter", 0);
    for (const char* n : {"A", "B"})
      spawn(n, [&] {
        int v = c->load();
        c->store(v + 1);
      });
  };
  p.on_end = [&] {
    check(c->peek() == 2, FailureKind::Invariant, "lost update: " + std::to_string(c->peek()));
  };
  Report r = explore(p, dfs());
  CHECK(r.verdict == Verdict::Violation);
  LONGS_EQUAL(2, r.stats.executions);
  CHECK(r.counterexample.has_value());
  const Counterexample& ce = *r.counterexample;
  STRCMP_EQUAL("lost update: 1", ce.violation.message.c_str());
  CHECK(ce.violation.kind == FailureKind::Invariant);
  LONGS_EQUAL(4, ce.log.steps.size());
  // A load, B load, A store, B store.
  LONGS_EQUAL(0, ce.log.steps[0].thread);
  LONGS_EQUAL(1, ce.log.steps[1].thread);
  CHECK(ce.log.steps[0].access.kind == AccessKind::Read);
  CHECK(ce.log.steps[2].access.kind == AccessKind::Write);
  STRCMP_EQUAL("counter", ce.log.object_names[ce.log.steps[0].access.object].c_str());
  LONGS_EQUAL(4, ce.schedule.size());
}

// AB-BA: A locks m1 then m2, B locks m2 then m1.
TEST(Detection, AbBaDeadlockReportsBothWaiters) {
  Lambda p;
  std::optional<Mutex> m1, m2;
  p.on_setup = [&] {
    m1.emplace("m1");
    m2.emplace("m2");
    spawn("A", [&] { m1->lock(); m2->lock(); m2->unlock(); m1->unlock(); });
    spawn("B", [&] { m2->lock(); m1->lock(); m1->unlock(); m2->unlock(); });
  };
  Report r = explore(p, dfs());
  CHECK(r.verdict == Verdict::Deadlock);
  const std::string& msg = r.counterexample->violation.message;
  CHECK_TEXT(contains(msg, "A waits in mutex_lock on m2 (held by B)"), msg.c_str());
  CHECK_TEXT(contains(msg, "B waits in mutex_lock on m1 (held by A)"), msg.c_str());
  // The deadlocking schedule is A.lock(m1), B.lock(m2): 2 steps.
  LONGS_EQUAL(2, r.counterexample->log.steps.size());
}

TEST(Detection, StepBoundIsSuspectedLivelock) {
  Lambda p;
  std::optional<Shared<int>> flag;
  p.on_setup = [&] {
    flag.emplace("flag", 0);
    spawn("spinner", [&] {
      while (flag->load() == 0) {
      }
    });
  };
  Options o;
  o.max_steps = 50;
  Report r = explore(p, o);
  CHECK(r.verdict == Verdict::StepBound);
  CHECK(r.verdict != Verdict::Pass);
  LONGS_EQUAL(50, r.counterexample->log.steps.size());
  CHECK(contains(r.counterexample->violation.message, "livelock"));
}

TEST(Detection, ExceptionInThreadIsModelError) {
  Lambda p;
  std::optional<Shared<int>> x;
  p.on_setup = [&] {
    x.emplace("x", 0);
    spawn("A", [&] {
      x->store(1);
      throw std::runtime_error("boom");
    });
    spawn("B", [&] { x->load(); });
  };
  Report r = explore(p, dfs());
  CHECK(r.verdict == Verdict::ModelError);
  const std::string& msg = r.counterexample->violation.message;
  CHECK_TEXT(contains(msg, "thread A") && contains(msg, "boom"), msg.c_str());
}

// A program that changes from one run to the next (thread A exists in the
// first run only, so the second run, which starts B's store first, finds no
// thread 1) is reported as a model error naming the nondeterminism, by every
// strategy and by the parallel search: never thrown, never a crash.
TEST(Detection, NondeterministicProgramIsAModelErrorNotACrash) {
  for (StrategyKind kind : {StrategyKind::Dfs, StrategyKind::Dpor}) {
    for (unsigned jobs : {1u, 2u}) {
      if (kind == StrategyKind::Dfs && jobs == 2) continue;  // parallel search is DPOR's
      auto runs = std::make_shared<std::atomic<int>>(0);
      auto make = [runs]() -> std::unique_ptr<Program> {
        auto p = std::make_unique<Lambda>();
        auto x = std::make_shared<std::optional<Shared<int>>>();
        p->on_setup = [runs, x] {
          const bool first = runs->fetch_add(1) == 0;
          x->emplace("x", 0);
          if (first) spawn("A", [x] { (*x)->store(1); });
          spawn("B", [x] { (*x)->store(3); });
        };
        return p;
      };
      Options o;
      o.strategy = kind;
      o.jobs = jobs;
      Report r = explore(make, o);
      CHECK(r.verdict == Verdict::ModelError);
      CHECK(r.counterexample.has_value());
      const std::string& msg = r.counterexample->violation.message;
      CHECK_TEXT(contains(msg, "nondeterministic program"), msg.c_str());
    }
  }
}

// A violation in mid-execution: the other fibers are suspended inside their
// bodies holding RAII objects; teardown must unwind them (destructors run).
TEST(Detection, ViolationTearsDownOtherFibers) {
  static int alive = 0;
  struct Tracker {
    Tracker() { ++alive; }
    ~Tracker() { --alive; }
  };
  alive = 0;
  Lambda p;
  std::optional<Shared<int>> x;
  p.on_setup = [&] {
    x.emplace("x", 0);
    spawn("victim1", [&] {
      Tracker t;
      std::vector<int> heap(1000, 1);
      x->load();
      x->load();
    });
    spawn("victim2", [&] {
      Tracker t;
      x->load();
      x->load();
    });
    spawn("failer", [&] {
      x->store(1);
      fail(FailureKind::BugOn, "BUG_ON(x)");
    });
  };
  Report r = explore(p, dfs());
  CHECK(r.verdict == Verdict::Violation);
  CHECK(r.counterexample->violation.kind == FailureKind::BugOn);
  LONGS_EQUAL(0, alive);
}

TEST(Detection, FinalCheckNamesInvariant) {
  Lambda p;
  std::optional<Shared<int>> x;
  p.on_setup = [&] {
    x.emplace("x", 0);
    spawn("A", [&] { x->store(7); });
    final_check("x_is_zero", [&] { check(x->peek() == 0, FailureKind::Invariant, "x != 0"); });
  };
  Report r = explore(p, dfs());
  CHECK(r.verdict == Verdict::Violation);
  STRCMP_EQUAL("x_is_zero", r.counterexample->violation.invariant.c_str());
}

TEST_GROUP(Replay){};

namespace {
/// The lost-update program with a knob that changes its shape, to test
/// divergence: with `extra`, thread B does one more load first.
struct Counter : Program {
  bool extra = false;
  std::optional<Shared<int>> c;
  void setup() override {
    c.emplace("counter", 0);
    spawn("A", [this] {
      int v = c->load();
      c->store(v + 1);
    });
    spawn("B", [this] {
      if (extra) c->load("extra");
      int v = c->load();
      c->store(v + 1);
    });
  }
  void at_end() override {
    check(c->peek() == 2, FailureKind::Invariant, "lost update");
  }
};
}  // namespace

TEST(Replay, RoundTrip) {
  Counter p;
  Report r = explore(p, dfs());
  CHECK(r.counterexample.has_value());
  Report again = replay(p, r.counterexample->schedule, 10000, &r.counterexample->log);
  STRCMP_EQUAL("", again.divergence.c_str());
  CHECK(again.verdict == Verdict::Violation);
  STRCMP_EQUAL("lost update", again.counterexample->violation.message.c_str());
  LONGS_EQUAL(r.counterexample->log.steps.size(), again.counterexample->log.steps.size());
}

TEST(Replay, DivergenceOnChangedProgram) {
  Counter p;
  Report r = explore(p, dfs());
  Counter changed;
  changed.extra = true;
  // Same schedule A,B,A,B: step 1 is now B's "extra" load, not B's load.
  Report again = replay(changed, r.counterexample->schedule, 10000, &r.counterexample->log);
  CHECK_TEXT(contains(again.divergence, "diverged at step 1: expected B load read counter, got "
                                        "B extra read counter"),
             again.divergence.c_str());
}

TEST(Replay, DivergenceOnImpossibleChoice) {
  Counter p;
  Schedule s = {Choice{Choice::Kind::Thread, 0, 0}, Choice{Choice::Kind::Thread, 0, 0},
                Choice{Choice::Kind::Thread, 0, 0}};  // A has only two steps
  Report r = replay(p, s);
  CHECK_TEXT(contains(r.divergence, "diverged at step 2: expected thread 0 to be enabled"),
             r.divergence.c_str());
}

// replay_following: a schedule as a thread order, followed where the threads can run.
// On the program it was recorded on it is the plain replay: every step in order.
TEST(Replay, FollowingTheRecordingProgramIsReplay) {
  Counter p;
  Report r = explore(p, dfs());
  FollowStats f;
  Report again = replay_following(p, r.counterexample->schedule, 10000, &f);
  CHECK(again.verdict == Verdict::Violation);
  STRCMP_EQUAL("lost update", again.counterexample->violation.message.c_str());
  LONGS_EQUAL(4, f.in_order);
  LONGS_EQUAL(0, f.out_of_order + f.free + f.unused + f.values_free);
}

// By hand, A, B, A, B on the program whose B loads once more first: A load (0), B extra,
// A store (1), B load (1), all four in order; B's store has no recorded step left: the
// previous thread runs on (free). The counter ends at 2: no lost update on this order.
TEST(Replay, FollowingAChangedProgramRunsItsExtraStepsFreely) {
  Counter changed;
  changed.extra = true;
  Schedule s = {Choice{Choice::Kind::Thread, 0, 0}, Choice{Choice::Kind::Thread, 1, 0},
                Choice{Choice::Kind::Thread, 0, 0}, Choice{Choice::Kind::Thread, 1, 0}};
  FollowStats f;
  Report r = replay_following(changed, s, 10000, &f);
  CHECK(r.verdict == Verdict::Pass);
  STRCMP_EQUAL("", r.divergence.c_str());
  LONGS_EQUAL(5, r.counterexample->log.steps.size());
  LONGS_EQUAL(4, f.in_order);
  LONGS_EQUAL(1, f.free);
  LONGS_EQUAL(0, f.out_of_order + f.unused);
}

// B, B, B, A, A on the original program (B has two steps): B load, B store (in order);
// the third B cannot run (B is done), so A's load is taken out of order, then A's store
// (the third B still open before it: out of order again); the third B is never taken.
// B stores 1, A loads 1 and stores 2: pass.
TEST(Replay, FollowingSkipsAThreadThatCannotRun) {
  Counter p;
  Schedule s = {Choice{Choice::Kind::Thread, 1, 0}, Choice{Choice::Kind::Thread, 1, 0},
                Choice{Choice::Kind::Thread, 1, 0}, Choice{Choice::Kind::Thread, 0, 0},
                Choice{Choice::Kind::Thread, 0, 0}};
  FollowStats f;
  Report r = replay_following(p, s, 10000, &f);
  CHECK(r.verdict == Verdict::Pass);
  LONGS_EQUAL(2, f.in_order);
  LONGS_EQUAL(2, f.out_of_order);
  LONGS_EQUAL(0, f.free);
  LONGS_EQUAL(1, f.unused);
}

TEST(Replay, DeterministicAcrossRuns) {
  Counter p1, p2;
  Options o;
  o.stop_on_first = false;
  Report a = explore(p1, o), b = explore(p2, o);
  LONGS_EQUAL(a.stats.executions, b.stats.executions);
  LONGS_EQUAL(6, a.stats.executions);
  CHECK(a.counterexample->schedule == b.counterexample->schedule);
}

TEST_GROUP(LibraryEdges){};

// check() with a message maker builds the message only when the check fails:
// over every execution of a two-thread program the passing checks call it
// never, and the failing one exactly once (the search stops at it).
TEST(LibraryEdges, LazyCheckBuildsItsMessageOnlyOnFailure) {
  struct P : checker::Program {
    int* made;
    std::optional<checker::Shared<int>> x;
    explicit P(int* m) : made(m) {}
    void setup() override {
      x.emplace("x", 0);
      for (const char* name : {"A", "B"})
        checker::spawn(name, [this] {
          int v = x->load("load");
          x->store(v + 1, "store");
          checker::check(true, checker::FailureKind::Assertion, [this] {
            ++*made;
            return std::string("never");
          });
        });
    }
    void at_end() override {
      checker::check(x->peek() == 2, checker::FailureKind::Invariant, [this] {
        ++*made;
        return "lost update: x == " + std::to_string(x->peek());
      });
    }
  };
  int made = 0;
  P p(&made);
  checker::Options o;
  o.strategy = checker::StrategyKind::Dfs;
  o.fewest_preemptions = false;
  checker::Report r = checker::explore(p, o);
  CHECK(r.verdict == checker::Verdict::Violation);
  STRCMP_EQUAL("lost update: x == 1", r.counterexample->violation.message.c_str());
  // Once when the search found it, once more when the failing schedule was
  // recorded with notes (api.h: the recording run is a run like any other).
  LONGS_EQUAL(2, made);
}

// explore(Program&, ...) has one Program and so one worker: jobs > 1 is
// refused loudly, not silently run with one job.
TEST(LibraryEdges, JobsAboveOneNeedTheFactory) {
  struct P : checker::Program {
    void setup() override {}
  } p;
  checker::Options o;
  o.jobs = 2;
  bool thrown = false;
  try {
    checker::explore(p, o);
  } catch (const std::invalid_argument& e) {
    thrown = std::string(e.what()).find("explore(ProgramFactory, options)") != std::string::npos;
  }
  CHECK(thrown);
}

// A program keeps plain members (no std::optional) and resets them every
// setup(). Three threads each increment their own element of an array: the
// elements are distinct objects, so the accesses never conflict and DPOR
// explores exactly one execution (DFS explores every interleaving: 6!/(2!2!2!)
// = 90 of the three two-step threads). The elements are named "slot[i]".
TEST(LibraryEdges, SharedArrayElementsAreIndependentIndexedObjects) {
  struct P : checker::Program {
    checker::SharedArray<int> slot;
    void setup() override {
      slot.reset("slot", 3, 0);
      for (std::uint32_t i = 0; i < 3; ++i)
        checker::spawn("T" + std::to_string(i), [this, i] {
          int v = slot[i].load("load");
          slot[i].store(v + 1, "store");
        });
    }
    void at_end() override {
      for (const auto& s : slot) checker::check(s.peek() == 1, checker::FailureKind::Invariant, "lost");
    }
  };
  P p;
  checker::Options o;
  o.strategy = checker::StrategyKind::Dpor;
  checker::Report r = checker::explore(p, o);
  CHECK(r.verdict == checker::Verdict::Pass);
  CHECK(r.stats.complete);
  LONGS_EQUAL(1, r.stats.executions);
  o.strategy = checker::StrategyKind::Dfs;
  r = checker::explore(p, o);
  LONGS_EQUAL(90, r.stats.executions);
  checker::Report rp = checker::replay(p, checker::Schedule{});
  STRCMP_EQUAL("slot[2]", rp.counterexample->log.object_names.at(2).c_str());
}

// A Shared that was never reset() in setup() has no object: using it is a
// model error naming the operation, never an access the search cannot see.
TEST(LibraryEdges, SharedUsedWithoutResetIsAModelError) {
  struct P : checker::Program {
    checker::Shared<int> x;
    void setup() override {
      checker::spawn("A", [this] { x.store(1, "store x"); });
    }
  } p;
  checker::Report r = checker::explore(p, checker::Options{});
  CHECK(r.verdict == checker::Verdict::ModelError);
  CHECK(r.counterexample->violation.message.find("announce(\"store x\") on an object this execution did not create") !=
        std::string::npos);
}

// ---- idle waits (announce_idle): a daemon asleep at the end is no deadlock ----

TEST_GROUP(IdleWait){};

namespace {
/// W stores a chosen value (0 or 1) to flag; daemon D sleeps in an idle wait
/// until flag == 1, then stores 1 to out. At the end out == flag.
void sleeping_daemon(Lambda& p, std::optional<Shared<int>>& flag, std::optional<Shared<int>>& out) {
  p.on_setup = [&] {
    flag.emplace("flag", 0);
    out.emplace("out", 0);
    spawn("W", [&] { flag->store(static_cast<int>(choose(2, "v"))); });
    spawn("D", [&] {
      announce_idle(flag->id(), AccessKind::Wait, "sleep", [&] { return flag->peek() == 1; });
      out->store(1);
    });
  };
  p.on_end = [&] {
    check(out->peek() == flag->peek(), FailureKind::Invariant, "daemon ran without work");
  };
}
}  // namespace

// v=0: D never wakes; the run ends with D asleep and passes (no deadlock).
// v=1: W's store is the only enabled step, then D's wait and store: one
// interleaving. 2 executions, both pass, with DFS and with DPOR.
TEST(IdleWait, DaemonAsleepAtTheEndIsANormalEnd) {
  for (StrategyKind kind : {StrategyKind::Dfs, StrategyKind::Dpor}) {
    Lambda p;
    std::optional<Shared<int>> flag, out;
    sleeping_daemon(p, flag, out);
    Options o;
    o.strategy = kind;
    Report r = explore(p, o);
    CHECK(r.verdict == Verdict::Pass);
    CHECK(r.stats.complete);
    LONGS_EQUAL(2, r.stats.executions);
  }
}

// The same program with a plain announce_blocking wait deadlocks when v=0.
TEST(IdleWait, PlainBlockingWaitStillDeadlocks) {
  Lambda p;
  std::optional<Shared<int>> flag;
  p.on_setup = [&] {
    flag.emplace("flag", 0);
    spawn("W", [&] { flag->store(static_cast<int>(choose(2, "v"))); });
    spawn("D", [&] {
      announce_blocking(flag->id(), AccessKind::Wait, "sleep", [&] { return flag->peek() == 1; });
    });
  };
  Report r = explore(p, dfs());
  CHECK(r.verdict == Verdict::Deadlock);
  STRCMP_EQUAL("deadlock: D waits in sleep on flag", r.counterexample->violation.message.c_str());
}

// A deadlock among the other threads is reported while a daemon sleeps; the
// message names every waiter. AB-BA as above plus a daemon that never wakes.
TEST(IdleWait, RealDeadlockBesideASleepingDaemonIsReported) {
  Lambda p;
  std::optional<Mutex> m1, m2;
  std::optional<Shared<int>> never;
  p.on_setup = [&] {
    m1.emplace("m1");
    m2.emplace("m2");
    never.emplace("never", 0);
    spawn("A", [&] { m1->lock(); m2->lock(); m2->unlock(); m1->unlock(); });
    spawn("B", [&] { m2->lock(); m1->lock(); m1->unlock(); m2->unlock(); });
    spawn("D", [&] {
      announce_idle(never->id(), AccessKind::Wait, "sleep", [&] { return never->peek() != 0; });
    });
  };
  Report r = explore(p, dfs());
  CHECK(r.verdict == Verdict::Deadlock);
  const std::string& msg = r.counterexample->violation.message;
  CHECK_TEXT(contains(msg, "A waits in mutex_lock on m2 (held by B)"), msg.c_str());
  CHECK_TEXT(contains(msg, "D waits in sleep on never"), msg.c_str());
}

// Only the idle wait is exempt: a daemon that, once woken, blocks on a lock
// its waker never released is a deadlock. W: lock(m), flag=1 (never unlocks);
// D: idle-wait flag, then lock(m).
TEST(IdleWait, DaemonBlockedOnALockIsADeadlock) {
  Lambda p;
  std::optional<Mutex> m;
  std::optional<Shared<int>> flag;
  p.on_setup = [&] {
    m.emplace("m");
    flag.emplace("flag", 0);
    spawn("W", [&] { m->lock(); flag->store(1); });
    spawn("D", [&] {
      announce_idle(flag->id(), AccessKind::Wait, "sleep", [&] { return flag->peek() == 1; });
      m->lock();
    });
  };
  Report r = explore(p, dfs());
  CHECK(r.verdict == Verdict::Deadlock);
  STRCMP_EQUAL("deadlock: D waits in mutex_lock on m (held by W)",
               r.counterexample->violation.message.c_str());
}

// Soundness for DPOR: the failure needs D woken between W's two stores to x.
// W: flag=1, x=1, x=2. D: idle-wait flag==1, then load x and fail on 1.
// D's load may come after x=1 and before x=2 (a schedule DFS and DPOR both
// reach); with DFS the interleavings of D's 2 steps with W's last 2 (W's
// first store is forced) are C(4,2) = 6.
TEST(IdleWait, DporFindsTheWakeBetweenTwoStores) {
  for (StrategyKind kind : {StrategyKind::Dfs, StrategyKind::Dpor}) {
    Lambda p;
    std::optional<Shared<int>> flag, x;
    p.on_setup = [&] {
      flag.emplace("flag", 0);
      x.emplace("x", 0);
      spawn("W", [&] { flag->store(1); x->store(1); x->store(2); });
      spawn("D", [&] {
        announce_idle(flag->id(), AccessKind::Wait, "sleep", [&] { return flag->peek() == 1; });
        check(x->load() != 1, FailureKind::Assertion, "saw x=1");
      });
    };
    Options o;
    o.strategy = kind;
    o.stop_on_first = false;
    Report r = explore(p, o);
    CHECK(r.verdict == Verdict::Violation);
    if (kind == StrategyKind::Dfs) LONGS_EQUAL(6, r.stats.executions);
  }
}

// An idle wait on a parent object whose guard reads what a child's steps change
// (ksmd_should_run: ksm_run and the mm list behind ksm_mmlist_lock, both children).
// U: run = 0 (a write of child R), then lock and unlock child lock L. D: idle-wait on
// parent S until run == 1, then a read of S. Traces, by hand: D's wait before U's write
// (and D's read before it, or after it: dependent), or U's write first and D asleep: 3
// Mazurkiewicz traces. DPOR must keep the runs where D wakes: D's read is reached.
TEST(IdleWait, AWaitOnAParentRacesAWriteToItsChild) {
  for (StrategyKind kind : {StrategyKind::Dfs, StrategyKind::Dpor}) {
    for (bool lock_after : {false, true}) {
      Lambda p;
      std::optional<Mutex> lock;
      ObjectId s = kNoObject, run_obj = kNoObject;
      int run = 1, woke = 0;
      p.on_setup = [&] {
        run = 1;
        s = new_object("S");
        run_obj = new_object("S.run", s);
        lock.emplace("S.lock", s);
        spawn("U", [&] {
          announce(run_obj, AccessKind::Write, "run_store");
          run = 0;
          if (lock_after) {
            lock->lock();
            lock->unlock();
          }
        });
        spawn("D", [&] {
          announce_idle(s, AccessKind::Wait, "sleep", [&] { return run == 1; });
          announce(s, AccessKind::Read, "should_run");
          ++woke;
        });
      };
      Options o;
      o.strategy = kind;
      Report r = explore(p, o);
      CHECK(r.verdict == Verdict::Pass);
      CHECK(r.stats.complete);
      CHECK_TEXT(woke > 0, lock_after ? "lock after" : "no lock");
      if (kind == StrategyKind::Dpor && !lock_after) LONGS_EQUAL(3, r.stats.executions);
    }
  }
}

// ---- Options::stop_requested: a stop request from outside the search ----------

TEST_GROUP(StopRequest){};

namespace {
/// Three threads storing twice each to one x: every step conflicts, so DFS
/// and DPOR both run all 6!/(2!2!2!) = 90 interleavings.
void three_writers(Lambda& p, std::optional<Shared<int>>& x) {
  p.on_setup = [&] {
    x.emplace("x", 0);
    for (const char* name : {"A", "B", "C"}) spawn(name, [&] { x->store(1); x->store(2); });
  };
}
}  // namespace

// The flag is read after each execution: set by the program at the end of
// its 5th execution, the search ends right there, after exactly 5 of 90.
TEST(StopRequest, FlagSetAfterFiveExecutionsStopsAfterFive) {
  for (StrategyKind k : {StrategyKind::Dfs, StrategyKind::Dpor}) {
    Lambda p;
    std::optional<Shared<int>> x;
    three_writers(p, x);
    std::atomic<bool> stop{false};
    int ends = 0, stop_at = 5;
    p.on_end = [&] {
      if (++ends == stop_at) stop = true;
    };
    Options o;
    o.strategy = k;
    o.stop_requested = &stop;
    Report r = explore(p, o);
    CHECK(r.verdict == Verdict::Pass);
    CHECK(r.stats.interrupted);
    CHECK_FALSE(r.stats.complete);
    LONGS_EQUAL(5, r.stats.executions);
    // Unset, the same search is the full one.
    stop = false;
    stop_at = 0;  // never
    Report all = explore(p, o);
    CHECK_FALSE(all.stats.interrupted);
    CHECK(all.stats.complete);
    LONGS_EQUAL(90, all.stats.executions);
  }
}

// A flag already set: one execution, then the stop (never complete).
TEST(StopRequest, FlagAlreadySetRunsOneExecution) {
  Lambda p;
  std::optional<Shared<int>> x;
  three_writers(p, x);
  std::atomic<bool> stop{true};
  Options o;
  o.stop_requested = &stop;
  Report r = explore(p, o);
  LONGS_EQUAL(1, r.stats.executions);
  CHECK(r.stats.interrupted);
  CHECK_FALSE(r.stats.complete);
}

// A failure found before the request is still the verdict, with its
// counterexample: here the first execution (A runs first) fails.
TEST(StopRequest, FailureBeforeTheRequestIsReported) {
  Lambda p;
  std::optional<Shared<int>> x;
  p.on_setup = [&] {
    x.emplace("x", 0);
    spawn("A", [&] {
      x->store(1);
      if (x->load() == 1) fail(FailureKind::BugOn, "BUG_ON(x == 1)");
    });
    spawn("B", [&] { x->store(2); });
  };
  std::atomic<bool> stop{true};
  Options o;
  o.stop_requested = &stop;
  Report r = explore(p, o);
  CHECK(r.verdict == Verdict::Violation);
  CHECK(r.counterexample.has_value());
  LONGS_EQUAL(1, r.stats.executions);
}

// The parallel search stops too, never complete: the program sets the flag
// at its 5th execution end (on any worker); each of the 2 workers finishes at
// most the execution it is in, so far fewer than 90 are counted.
TEST(StopRequest, ParallelSearchStopsIncomplete) {
  std::atomic<bool> stop{false};
  std::atomic<int> ends{0};
  std::vector<std::unique_ptr<std::optional<Shared<int>>>> xs;
  ProgramFactory factory = [&] {
    auto p = std::make_unique<Lambda>();
    xs.push_back(std::make_unique<std::optional<Shared<int>>>());
    three_writers(*p, *xs.back());
    p->on_end = [&] {
      if (++ends == 5) stop = true;
    };
    return std::unique_ptr<Program>(std::move(p));
  };
  Options o;
  o.strategy = StrategyKind::Dpor;
  o.jobs = 2;
  o.stop_requested = &stop;
  Report r = explore(factory, o);
  CHECK(r.verdict == Verdict::Pass);
  CHECK(r.stats.interrupted);
  CHECK_FALSE(r.stats.complete);
  CHECK(r.stats.executions >= 1);
  CHECK(r.stats.executions < 90);
}

// Options::bounded_first: plain DFS under preemption bounds 0, 1, ... before
// the search proper (iterative context bounding). Counts by hand, with the
// preemptions of each schedule of A = a1 a2 and B = b1 b2 as in
// Counts.PreemptionBound: AABB 0, BBAA 0, ABBA 1, BAAB 1, ABAB 2, BABA 2.
TEST_GROUP(BoundedFirst){};

namespace {
// The lost update: A and B each load x and store x + 1; x == 1 at the end in
// every schedule but AABB and BBAA.
struct LostUpdate : Lambda {
  std::optional<Shared<int>> x;
  LostUpdate() {
    on_setup = [this] {
      x.emplace("x", 0);
      for (const char* n : {"A", "B"})
        spawn(n, [this] {
          int v = x->load("load");
          x->store(v + 1, "store");
        });
    };
    on_end = [this] { check(x->peek() == 2, FailureKind::Invariant, "lost update"); };
  }
};
Options dpor_with_bounded_first(std::uint64_t budget) {
  Options o;
  o.strategy = StrategyKind::Dpor;
  o.fewest_preemptions = true;
  o.bounded_first = budget;
  return o;
}
}  // namespace

// Bound 0 runs AABB and BBAA (both pass); bound 1 runs AABB again, then DFS's
// deepest alternative, B after a1, which B must finish: ABBA fails. 2 + 2
// executions, the search proper never runs, one preemption.
TEST(BoundedFirst, FindsTheLostUpdateAtBoundOne) {
  LostUpdate p;
  Report r = explore(p, dpor_with_bounded_first(100));
  CHECK(r.verdict == Verdict::Violation);
  CHECK(r.stats.found_bounded_first);
  LONGS_EQUAL(4, r.stats.bounded_first_executions);
  LONGS_EQUAL(0, r.stats.bounded_first_exhausted);
  LONGS_EQUAL(0, r.stats.executions);
  LONGS_EQUAL(1, r.counterexample->preemptions);
  std::vector<std::uint32_t> got;
  for (const Choice& c : r.counterexample->schedule) got.push_back(c.value);
  CHECK((got == std::vector<std::uint32_t>{0, 1, 1, 0}));
}

// A budget of 3: bound 0 (2 executions) is exhausted, bound 1 gets one
// execution (AABB) and is cut. The search proper then runs as it would alone
// and the re-search for fewer preemptions starts at bound 1: one preemption.
TEST(BoundedFirst, ABudgetTooSmallLeavesTheSearchAsItWas) {
  LostUpdate p, q;
  Report r = explore(p, dpor_with_bounded_first(3));
  Options alone = dpor_with_bounded_first(0);
  alone.fewest_preemptions = false;
  Report s = explore(q, alone);
  CHECK(r.verdict == Verdict::Violation);
  CHECK_FALSE(r.stats.found_bounded_first);
  LONGS_EQUAL(3, r.stats.bounded_first_executions);
  LONGS_EQUAL(0, r.stats.bounded_first_exhausted);
  LONGS_EQUAL(s.stats.executions, r.stats.executions);
  LONGS_EQUAL(1, r.counterexample->preemptions);
}

// A and B each load their own object once: both schedules have no
// preemption, so bound 0 searches everything (2 executions) and cuts nothing;
// the pass stops there and DPOR explores its one class.
TEST(BoundedFirst, ABoundThatCutsNothingEndsThePass) {
  Lambda p;
  std::optional<Shared<int>> a, b;
  p.on_setup = [&] {
    a.emplace("a", 0);
    b.emplace("b", 0);
    spawn("A", [&] { a->load(); });
    spawn("B", [&] { b->load(); });
  };
  Report r = explore(p, dpor_with_bounded_first(1000));
  CHECK(r.verdict == Verdict::Pass);
  CHECK(r.stats.complete);
  LONGS_EQUAL(2, r.stats.bounded_first_executions);
  LONGS_EQUAL(0, r.stats.bounded_first_exhausted);
  LONGS_EQUAL(1, r.stats.executions);
}

TEST_GROUP(Reach){};

namespace {

/// A reads flag and, only when B has set it, stores to y ("A saw the flag"); B sets the flag.
struct FlagProgram : Program {
  std::optional<Shared<int>> flag, y;
  void setup() override {
    flag.emplace("flag", 0);
    y.emplace("y", 0);
    spawn("A", [this] {
      if (flag->load("A reads flag") == 1) y->store(1, "A saw the flag");
    });
    spawn("B", [this] { flag->store(1, "B sets flag"); });
  }
};

Options reaching(StrategyKind s, std::string thread, std::string label) {
  Options o;
  o.strategy = s;
  o.reach = ReachTarget{std::move(thread), std::move(label)};
  return o;
}

}  // namespace

// A label matches itself, or a longer label it begins, followed by ':', ' ' or '('; a
// thread, when given, must be the step's.
TEST(Reach, TargetMatchesTheLabelOrItsFunctionPrefix) {
  const ReachTarget any{"", "user store"};
  CHECK(any.matches("S", "user store"));
  CHECK(any.matches("S", "user store: page walk"));
  CHECK(any.matches("S", "user store (retry)"));
  CHECK_FALSE(any.matches("S", "user stores"));
  CHECK_FALSE(any.matches("S", "user stor"));
  const ReachTarget of_f{"F", "do_swap_page"};
  CHECK(of_f.matches("F", "do_swap_page"));
  CHECK_FALSE(of_f.matches("G", "do_swap_page"));
  STRCMP_EQUAL("F:do_swap_page", of_f.text().c_str());
  STRCMP_EQUAL("user store", any.text().c_str());
}

// "A saw the flag" runs only when B's store comes before A's load. DFS runs A first (A
// reads 0 and ends; B stores), then B first: A reads 1 and stores, the witness. Its log
// ends with that step (B's store, A's load, A's store: 3 steps), and it has no
// preemption (B ran to its end before A began).
TEST(Reach, WitnessEndsAfterTheStepReached) {
  for (StrategyKind s : {StrategyKind::Dfs, StrategyKind::Dpor}) {
    FlagProgram p;
    Report r = explore(p, reaching(s, "A", "A saw the flag"));
    CHECK(r.verdict == Verdict::Violation);
    CHECK(r.counterexample->violation.kind == FailureKind::Reached);
    STRCMP_EQUAL("A reached A saw the flag (step 2)", r.counterexample->violation.message.c_str());
    LONGS_EQUAL(2, r.stats.executions);
    LONGS_EQUAL(3, r.counterexample->log.steps.size());
    LONGS_EQUAL(2, r.counterexample->violation.step);
    LONGS_EQUAL(0, r.counterexample->preemptions);
    // Replayed with the same target, the schedule reaches it again; without one it passes.
    const ReachTarget target{"A", "A saw the flag"};
    Report again = replay(p, r.counterexample->schedule, 10000, &r.counterexample->log, &target);
    CHECK(again.divergence.empty());
    CHECK(again.counterexample->violation.kind == FailureKind::Reached);
    CHECK(replay(p, r.counterexample->schedule).verdict == Verdict::Pass);
  }
}

// A thread's last step reached: the run ends as the thread does. DFS's first execution runs A
// (its load, step 0), then B's store (step 1): reached there.
TEST(Reach, LastStepOfAThread) {
  FlagProgram p;
  Report r = explore(p, reaching(StrategyKind::Dfs, "B", "B sets flag"));
  CHECK(r.verdict == Verdict::Violation);
  CHECK(r.counterexample->violation.kind == FailureKind::Reached);
  LONGS_EQUAL(1, r.counterexample->violation.thread);
  LONGS_EQUAL(1, r.stats.executions);
  STRCMP_EQUAL("B reached B sets flag (step 1)", r.counterexample->violation.message.c_str());
}

// A step no execution runs: the search is the one without a target (DPOR: A's load and B's
// store conflict, 2 traces; DFS: the same 2 interleavings of 1 + 1 steps), and passes.
TEST(Reach, UnreachableStepSearchesEverything) {
  for (StrategyKind s : {StrategyKind::Dfs, StrategyKind::Dpor}) {
    FlagProgram p;
    Report r = explore(p, reaching(s, "B", "A saw the flag"));
    CHECK(r.verdict == Verdict::Pass);
    CHECK(r.stats.complete);
    LONGS_EQUAL(2, r.stats.executions);
    // A runs "A saw the flag" in the execution where B goes first: the name exists.
    CHECK(r.stats.reach_label_seen);
    // No step of either thread is named "C stores" (nor begins "C stores:"): never seen.
    FlagProgram q;
    Report none = explore(q, reaching(s, "", "C stores"));
    CHECK(none.verdict == Verdict::Pass);
    CHECK_FALSE(none.stats.reach_label_seen);
    // "A reads" matches "A reads flag" (a ' ' follows it), a step of A only: seen, not reached by B.
    FlagProgram w;
    CHECK(explore(w, reaching(s, "B", "A reads")).stats.reach_label_seen);
  }
}

namespace {

/// FlagProgram with notes: A's load notes what it read ("A read 0" or "A read 1").
struct NotedFlagProgram : Program {
  std::optional<Shared<int>> flag;
  void setup() override {
    flag.emplace("flag", 0);
    spawn("A", [this] {
      const int v = flag->load("A reads flag");
      checker::note([v] { return "A read " + std::to_string(v); });
    });
    spawn("B", [this] { flag->store(1, "B sets flag"); });
  }
};

}  // namespace

// A note target: a step whose note contains the text. A's load notes "A read 1" only when
// B's store came first: DFS's and DPOR's second execution (A's load and B's store conflict),
// step 1 of B's store then A's load; the run ends there (2 steps). "read 0" is noted in the
// first execution (A first). "read 2" is never noted: the whole search, the 2 executions, and
// nothing seen. A search with a note target records notes, and none of its matching goes
// through labels: a label ("A reads flag") asked as a note is not reached.
TEST(Reach, ANoteTargetIsFoundInTheStepsNotes) {
  for (StrategyKind s : {StrategyKind::Dfs, StrategyKind::Dpor}) {
    Options o;
    o.strategy = s;
    o.reach = ReachTarget{"A", "read 1", true};
    NotedFlagProgram p;
    Report r = explore(p, o);
    CHECK(r.verdict == Verdict::Violation);
    CHECK(r.counterexample->violation.kind == FailureKind::Reached);
    STRCMP_EQUAL("A reached a note containing \"read 1\" (step 1: A reads flag)",
                 r.counterexample->violation.message.c_str());
    LONGS_EQUAL(2, r.stats.executions);
    LONGS_EQUAL(2, r.counterexample->log.steps.size());
    STRCMP_EQUAL("A read 1", r.counterexample->log.steps[1].note.c_str());
    STRCMP_EQUAL("A:note \"read 1\"", o.reach->text().c_str());

    o.reach = ReachTarget{"", "read 0", true};
    NotedFlagProgram q;
    Report first = explore(q, o);
    CHECK(first.counterexample->violation.kind == FailureKind::Reached);
    LONGS_EQUAL(1, first.stats.executions);

    for (const char* text : {"read 2", "A reads flag"}) {
      o.reach = ReachTarget{"", text, true};
      NotedFlagProgram n;
      Report none = explore(n, o);
      CHECK(none.verdict == Verdict::Pass);
      CHECK(none.stats.complete);
      LONGS_EQUAL(2, none.stats.executions);
      CHECK_FALSE(none.stats.reach_label_seen);
    }
    o.reach = ReachTarget{"B", "read", true};  // only A notes: seen, not reached
    NotedFlagProgram b;
    Report other = explore(b, o);
    CHECK(other.verdict == Verdict::Pass);
    CHECK(other.stats.reach_label_seen);
  }
}

namespace {

/// FlagProgram with checker::Frame functions around A's steps: "a_reader" around its load,
/// "a_writer" (inside "a_reader") around its store; "a_empty" holds no step, so A's load,
/// announced after it ended, is not inside it. B fails inside "b_setter" when `fail_b`, so a
/// fiber is unwound with a frame alive, run after run.
struct FramedProgram : Program {
  bool fail_b = false;
  std::optional<Shared<int>> flag, y;
  void setup() override {
    flag.emplace("flag", 0);
    y.emplace("y", 0);
    spawn("A", [this] {
      { Frame empty("a_empty"); }
      Frame reader("a_reader");
      if (flag->load("A reads flag") == 1) {
        Frame writer("a_writer");
        y->store(1, "A saw the flag");
      }
    });
    spawn("B", [this] {
      Frame setter("b_setter");
      flag->store(1, "B sets flag");
      if (fail_b) checker::fail(FailureKind::Assertion, "B fails in b_setter");
    });
  }
};

}  // namespace

// A frame names the function a step runs in: the target matches the innermost frame that
// matches, and the witness names it with the step. By hand: "a_writer" holds only A's store,
// which runs when B's store came first (DFS: the second execution, step 2; DPOR: A's load and
// B's store conflict, the second trace too). "a_reader" holds A's load, A's first step: DFS's
// first execution runs A first (step 0). "a_empty" ended before any step: nothing reaches it
// and no step ran inside it. "a_reader" asked of B: never reached, but A's steps ran inside
// a function so named.
TEST(Reach, AFrameNamesTheFunctionAStepRunsIn) {
  for (StrategyKind s : {StrategyKind::Dfs, StrategyKind::Dpor}) {
    FramedProgram p;
    Report w = explore(p, reaching(s, "A", "a_writer"));
    CHECK(w.verdict == Verdict::Violation);
    STRCMP_EQUAL("A reached a_writer (step 2: A saw the flag)", w.counterexample->violation.message.c_str());
    LONGS_EQUAL(2, w.stats.executions);
    const ReachTarget target{"A", "a_writer"};
    Report again = replay(p, w.counterexample->schedule, 10000, &w.counterexample->log, &target);
    CHECK(again.divergence.empty());
    CHECK(again.counterexample->violation.kind == FailureKind::Reached);

    FramedProgram q;
    Report r = explore(q, reaching(StrategyKind::Dfs, "A", "a_reader"));
    STRCMP_EQUAL("A reached a_reader (step 0: A reads flag)", r.counterexample->violation.message.c_str());
    LONGS_EQUAL(1, r.stats.executions);

    FramedProgram e;
    Report none = explore(e, reaching(s, "", "a_empty"));
    CHECK(none.verdict == Verdict::Pass);
    CHECK_FALSE(none.stats.reach_label_seen);
    FramedProgram b;
    Report other = explore(b, reaching(s, "B", "a_reader"));
    CHECK(other.verdict == Verdict::Pass);
    CHECK(other.stats.reach_label_seen);
  }
}

// The names one execution runs, for a "not reached" hint: the first schedule runs A to its end
// (flag still 0: no a_writer; a_empty holds no step), then B. By hand: A's load and its frame,
// B's store and its frame.
TEST(Reach, NamesOfOneExecutionAreItsLabelsAndFrames) {
  FramedProgram p;
  const std::set<std::string> want{"A reads flag", "B sets flag", "a_reader", "b_setter"};
  CHECK(want == names_in_one_execution(p));
}

// A thread that fails inside a frame is unwound with the frame alive (the engine tears the
// fiber down; under the sanitizers a dangling frame would show). B fails after its store in
// the first execution (DFS runs A, then B): the failure is reported, not a reach of
// "b_setter", which is B's and asked of A. The witness's replay unwinds it again.
TEST(Reach, AFrameAliveAtAFailureIsUnwound) {
  FramedProgram p;
  p.fail_b = true;
  Report r = explore(p, reaching(StrategyKind::Dfs, "A", "b_setter"));
  CHECK(r.verdict == Verdict::Violation);
  CHECK(r.counterexample->violation.kind == FailureKind::Assertion);
  STRCMP_EQUAL("B fails in b_setter", r.counterexample->violation.message.c_str());
  LONGS_EQUAL(1, r.stats.executions);
  CHECK(replay(p, r.counterexample->schedule).verdict == Verdict::Violation);
  // Outside a simulated thread a Frame does nothing.
  { Frame outside("no_execution"); }
}

// The locks run each operation in a frame named for it: one thread labels every lock step
// with its caller's name, and --reach finds the operation by the lock's own name. Steps by
// hand: 0 spin_lock, 1 spin_unlock, 2 down_read, 3 up_read, 4 mutex_lock, 5 mutex_unlock,
// 6 lock_page, 7 unlock_page. A Spinlock's lock is spin_lock, never mutex_lock; no step
// is a mutex_trylock.
TEST(Reach, ALockOperationIsFoundByItsOwnName) {
  struct Locks : Program {
    std::optional<Spinlock> s;
    std::optional<RwSem> r;
    std::optional<Mutex> m;
    std::optional<BitLock> b;
    void setup() override {
      s.emplace("s");
      r.emplace("r");
      m.emplace("m");
      b.emplace("b");
      spawn("A", [this] {
        s->lock("caller_a");
        s->unlock("caller_a");
        r->down_read("caller_b");
        r->up_read("caller_b");
        m->lock("caller_c");
        m->unlock("caller_c");
        b->lock("caller_d");
        b->unlock("caller_d");
      });
    }
  };
  const std::pair<const char*, const char*> expected[] = {
      {"spin_lock", "A reached spin_lock (step 0: caller_a)"},   {"up_read", "A reached up_read (step 3: caller_b)"},
      {"mutex_lock", "A reached mutex_lock (step 4: caller_c)"}, {"unlock_page", "A reached unlock_page (step 7: caller_d)"}};
  for (const auto& [name, message] : expected) {
    Locks p;
    Report w = explore(p, reaching(StrategyKind::Dpor, "A", name));
    CHECK(w.verdict == Verdict::Violation);
    STRCMP_EQUAL(message, w.counterexample->violation.message.c_str());
  }
  Locks p;
  Report none = explore(p, reaching(StrategyKind::Dpor, "A", "mutex_trylock"));
  CHECK(none.verdict == Verdict::Pass);
  CHECK_FALSE(none.stats.reach_label_seen);
}

// A failure of the program met before the target is reported as it is.
TEST(Reach, AFailureFirstIsReported) {
  Lambda p;
  std::optional<Shared<int>> flag;
  p.on_setup = [&] {
    flag.emplace("flag", 0);
    spawn("A", [&] {
      flag->load("A reads flag");
      fail(FailureKind::BugOn, "A's BUG");
    });
  };
  Report r = explore(p, reaching(StrategyKind::Dfs, "A", "never"));
  CHECK(r.verdict == Verdict::Violation);
  CHECK(r.counterexample->violation.kind == FailureKind::BugOn);
}

// With 2 jobs, every task and its outcome through the distributed search's text form
// (wire_check): the same witness as one job.
TEST(Reach, ParallelSearchFindsTheSameWitness) {
  Options one = reaching(StrategyKind::Dpor, "A", "A saw the flag");
  Options two = one;
  two.jobs = 2;
  two.wire_check = true;
  const ProgramFactory factory = [] { return std::make_unique<FlagProgram>(); };
  Report a = explore(factory, one), b = explore(factory, two);
  CHECK(b.verdict == Verdict::Violation);
  CHECK(b.counterexample->violation.kind == FailureKind::Reached);
  STRCMP_EQUAL(a.counterexample->violation.message.c_str(), b.counterexample->violation.message.c_str());
  LONGS_EQUAL(a.stats.executions, b.stats.executions);
}

namespace {

/// Two threads on two objects: A stores p ("A stores p") then q ("A stores q"); B stores r
/// ("B stores r") then loads q ("B loads q"). Only A's store of q and B's load of q conflict.
struct ChainProgram : Program {
  std::optional<Shared<int>> p, q, r;
  void setup() override {
    p.emplace("p", 0);
    q.emplace("q", 0);
    r.emplace("r", 0);
    spawn("A", [this] {
      p->store(1, "A stores p");
      q->store(1, "A stores q");
    });
    spawn("B", [this] {
      r->store(1, "B stores r");
      (void)q->load("B loads q");
    });
  }
};

/// Whether a search of ChainProgram under `s` reaches the last of `targets` after the others.
Report chain(StrategyKind s, std::vector<ReachTarget> targets) {
  Options o;
  o.strategy = s;
  o.reach = targets.back();
  o.reach->after.assign(targets.begin(), targets.end() - 1);
  ChainProgram prog;
  return explore(prog, o);
}

}  // namespace

// "X then Y" (ReachTarget::after) is the order every interleaving of a trace keeps: the same
// thread later, or a chain of dependent steps. By hand, on ChainProgram:
// - A:A stores q after A:A stores p: program order, reached (the first execution).
// - A:A stores p after A:A stores q: never (p comes first in A); A:A stores p after itself:
//   never (a target is reached strictly after the earlier one's step).
// - B:B loads q after A:A stores p: A's store of p, then A's store of q (program order), which
//   B's load of q depends on: reached in the execution where A's store of q comes first.
// - B:B loads q after A:A stores q: the same chain, one link shorter: reached.
// - B:B stores r after A:A stores p: B's store of r depends on no step of A, so no
//   interleaving orders it after A's; not reached, although DFS runs interleavings where it
//   comes later in the schedule, and the search (of everything) passes.
// - A:A stores q after B:B loads q: B's load before A's store conflicts with it: reached.
// - three targets: B:B loads q after A:A stores q after A:A stores p: reached.
// DFS (no reduction) and DPOR give the same answers.
TEST(Reach, ChainedTargetsAreOrderedByHappensBefore) {
  const ReachTarget a_p{"A", "A stores p"}, a_q{"A", "A stores q"}, b_r{"B", "B stores r"}, b_q{"B", "B loads q"};
  for (StrategyKind s : {StrategyKind::Dfs, StrategyKind::Dpor}) {
    auto reached = [s](std::vector<ReachTarget> t) {
      const Report r = chain(s, std::move(t));
      if (r.verdict == Verdict::Pass) CHECK(r.stats.complete);
      return r.verdict == Verdict::Violation && r.counterexample->violation.kind == FailureKind::Reached;
    };
    CHECK(reached({a_p, a_q}));
    CHECK_FALSE(reached({a_q, a_p}));
    CHECK_FALSE(reached({a_p, a_p}));
    CHECK(reached({a_p, b_q}));
    CHECK(reached({a_q, b_q}));
    CHECK_FALSE(reached({a_p, b_r}));
    CHECK_FALSE(reached({b_r, a_p}));
    CHECK(reached({b_q, a_q}));
    CHECK(reached({a_p, a_q, b_q}));
    CHECK_FALSE(reached({a_q, a_p, b_q}));
    // Stats::reach_after_seen: a_q is run (bit 0), "C stores" by no thread (bit 1 clear).
    const Report seen = chain(s, {a_q, ReachTarget{"", "C stores"}, a_p});
    CHECK(seen.verdict == Verdict::Pass);
    LONGS_EQUAL(1, seen.stats.reach_after_seen);
  }
  const Report w = chain(StrategyKind::Dpor, {a_p, b_q});
  STRCMP_EQUAL("B reached B loads q (step 3, after A:A stores p)", w.counterexample->violation.message.c_str());
  ReachTarget t = b_q;
  t.after = {a_p, a_q};
  STRCMP_EQUAL("B:B loads q after A:A stores q after A:A stores p", t.text().c_str());
}
