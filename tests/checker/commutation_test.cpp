// commutation_test.cpp: Options::check_commutation catches a wrong claim of
// independence (a commuting update that does not commute, a decrement whose
// kind depends on the order, a field announced on the wrong object) and
// accepts the claims that hold; checker::refine and child objects reject misuse.
#include <checker/checker.h>

#include <optional>
#include <string>

#include <CppUTest/TestHarness.h>

using namespace checker;

namespace {

/// Two threads, each one step on the variable x (initially `init`); the
/// program's fingerprint is x (and with `locals`, what each thread saw).
struct TwoSteps : Program {
  std::function<void(Shared<int>&, int&)> a, b;
  int init = 0;
  std::optional<Shared<int>> x;
  int seen_a = 0, seen_b = 0;
  void setup() override {
    x.emplace("x", init);
    seen_a = seen_b = 0;
    spawn("A", [this] { a(*x, seen_a); });
    spawn("B", [this] { b(*x, seen_b); });
  }
  std::string state_fingerprint() override {
    return "x=" + std::to_string(x->peek()) + " a=" + std::to_string(seen_a) +
           " b=" + std::to_string(seen_b);
  }
};

Report check(TwoSteps& p) {
  Options o;
  o.strategy = StrategyKind::Dpor;
  o.check_commutation = 4;
  return explore(p, o);
}

}  // namespace

TEST_GROUP(CommutationCheck){};

// Increments do commute: the check runs the pair both ways and passes.
TEST(CommutationCheck, IncrementsPass) {
  TwoSteps p;
  p.a = [](Shared<int>& x, int&) { x.commuting_update([](int& v) { v += 1; }, "inc"); };
  p.b = [](Shared<int>& x, int&) { x.commuting_update([](int& v) { v += 2; }, "add2"); };
  Report r = check(p);
  CHECK(r.verdict == Verdict::Pass);
  LONGS_EQUAL(1, r.stats.executions);
  LONGS_EQUAL(1, r.stats.commutation_checks);
}

// A deliberately wrong declaration: x *= 2 and x += 1 declared commuting. DPOR
// would explore one order only (1 execution) and never see x == 2; the check
// names both steps.
TEST(CommutationCheck, WrongCommutingUpdateCaught) {
  TwoSteps p;
  p.init = 1;
  p.a = [](Shared<int>& x, int&) { x.commuting_update([](int& v) { v *= 2; }, "double"); };
  p.b = [](Shared<int>& x, int&) { x.commuting_update([](int& v) { v += 1; }, "inc"); };
  Report r = check(p);
  CHECK(r.verdict == Verdict::ModelError);
  CHECK(r.counterexample.has_value());
  const std::string& m = r.counterexample->violation.message;
  CHECK_TEXT(m.find("commutation check: steps 0 (A: double update x) and 1 (B: inc update x)") !=
                 std::string::npos, m.c_str());
  CHECK_TEXT(m.find("the states differ") != std::string::npos, m.c_str());
  CHECK_TEXT(m.find("x=4") != std::string::npos && m.find("x=3") != std::string::npos, m.c_str());
  LONGS_EQUAL(2, r.counterexample->log.steps.size());
  // Without the check, the same search passes: the wrong claim hides x == 3.
  Options o;
  o.strategy = StrategyKind::Dpor;
  TwoSteps q;
  q.init = 1;
  q.a = p.a;
  q.b = p.b;
  LONGS_EQUAL(1, explore(q, o).stats.executions);
}

// The same wrong claim with an unrelated step between the two: the first
// execution runs A's doubling, C's write of y, then B's increment; B's step
// moves before C's (independent) and A's, and the check still sees it.
TEST(CommutationCheck, WrongClaimAcrossAnUnrelatedStepCaught) {
  struct Three : Program {
    std::optional<Shared<int>> x, y;
    void setup() override {
      x.emplace("x", 1);
      y.emplace("y", 0);
      spawn("A", [this] { x->commuting_update([](int& v) { v *= 2; }, "double"); });
      spawn("C", [this] { y->store(5, "store"); });
      spawn("B", [this] { x->commuting_update([](int& v) { v += 1; }, "inc"); });
    }
    std::string state_fingerprint() override {
      return "x=" + std::to_string(x->peek()) + " y=" + std::to_string(y->peek());
    }
  } p;
  Options o;
  o.strategy = StrategyKind::Dpor;
  o.check_commutation = 1;
  Report r = explore(p, o);
  CHECK(r.verdict == Verdict::ModelError);
  const std::string& m = r.counterexample->violation.message;
  CHECK_TEXT(m.find("steps 0 (A: double update x) and 2 (B: inc update x)") != std::string::npos,
             m.c_str());
  LONGS_EQUAL(3, r.counterexample->log.steps.size());
}

// "A put_page that turned out not to reach zero commutes": wrong. x = 1;
// A increments (get_page), B decrements and refines itself to a commuting
// update when the result is not zero. A then B: 1 -> 2 -> 1, B commutes; B
// then A: B reaches zero and stays a read-modify-write. The check sees the
// kind change.
TEST(CommutationCheck, KindThatDependsOnTheOrderCaught) {
  TwoSteps p;
  p.init = 1;
  p.a = [](Shared<int>& x, int&) { x.commuting_update([](int& v) { ++v; }, "get_page"); };
  p.b = [](Shared<int>& x, int& seen) {
    announce_refinable(x.id(), AccessKind::ReadModifyWrite, "put_page");
    seen = --const_cast<int&>(x.peek());
    if (seen != 0) refine(AccessKind::CommutingUpdate);
  };
  Report r = check(p);
  CHECK(r.verdict == Verdict::ModelError);
  const std::string& m = r.counterexample->violation.message;
  CHECK_TEXT(m.find("B: put_page update x") != std::string::npos, m.c_str());
  CHECK_TEXT(m.find("in the other order it ran as B: put_page rmw x") != std::string::npos,
             m.c_str());
}

// A field announced on the wrong child: A announces a commuting update of
// s.count but writes s.flags, which B reads: the fingerprint (with what B
// saw) differs between the orders.
TEST(CommutationCheck, WrongFieldCaught) {
  struct Fields : Program {
    ObjectId s = kNoObject, count = kNoObject, flags = kNoObject;
    int flags_value = 0, seen = -1;
    void setup() override {
      s = new_object("s");
      count = new_object("s.count", s);
      flags = new_object("s.flags", s);
      flags_value = 0;
      seen = -1;
      spawn("A", [this] {
        announce(count, AccessKind::CommutingUpdate, "set_flag");
        flags_value = 1;  // the wrong field
      });
      spawn("B", [this] {
        announce(flags, AccessKind::Read, "test_flag");
        seen = flags_value;
      });
    }
    std::string state_fingerprint() override {
      return "flags=" + std::to_string(flags_value) + " seen=" + std::to_string(seen);
    }
  } p;
  Options o;
  o.strategy = StrategyKind::Dpor;
  o.check_commutation = 1;
  Report r = explore(p, o);
  CHECK(r.verdict == Verdict::ModelError);
  const std::string& m = r.counterexample->violation.message;
  CHECK_TEXT(m.find("A: set_flag update s.count") != std::string::npos, m.c_str());
  CHECK_TEXT(m.find("B: test_flag read s.flags") != std::string::npos, m.c_str());
}

// Commutation groups (checker::announce_update): increments (group 1) commute
// with each other and with never-last decrements (groups 1|2); "frees"
// (group 2) commute with each other and with those decrements, not with
// increments. Counted by hand: with I incrementers and F freers on one
// counter, a trace is fixed by the set of increments ordered before each
// free; those sets must be nested (i < f < i' < f' < i is a cycle), so F = 1
// gives 2^I and I = F = 2 gives the ordered pairs of comparable subsets of a
// 2-set: 16 - 2 = 14. A never-last decrement commutes with all of them.
TEST(CommutationCheck, CommutationGroupsCountByHand) {
  struct Groups : Program {
    unsigned incs = 0, frees = 0, held = 0;
    void setup() override {
      ObjectId x = new_object("x");
      for (unsigned i = 0; i < incs; ++i) spawn("I" + std::to_string(i), [x] { announce_update(x, 1, "inc"); });
      for (unsigned i = 0; i < frees; ++i) spawn("F" + std::to_string(i), [x] { announce_update(x, 2, "free"); });
      for (unsigned i = 0; i < held; ++i) spawn("H" + std::to_string(i), [x] { announce_update(x, 3, "dec"); });
    }
  };
  auto count = [](unsigned i, unsigned f, unsigned h) {
    Groups g;
    g.incs = i;
    g.frees = f;
    g.held = h;
    Options o;
    o.strategy = StrategyKind::Dpor;
    Report r = explore(g, o);
    CHECK(r.stats.complete);
    LONGS_EQUAL(0, r.stats.sleep_blocked);
    return r.stats.executions;
  };
  LONGS_EQUAL(1, count(3, 0, 0));
  LONGS_EQUAL(1, count(0, 3, 0));
  LONGS_EQUAL(2, count(1, 1, 0));
  LONGS_EQUAL(4, count(2, 1, 0));
  LONGS_EQUAL(8, count(3, 1, 0));
  LONGS_EQUAL(4, count(1, 2, 0));
  LONGS_EQUAL(14, count(2, 2, 0));
  LONGS_EQUAL(14, count(2, 2, 2));  // the decrements commute with everything
  LONGS_EQUAL(1, count(0, 0, 4));
}

// Children of one parent are independent; the parent conflicts with each.
TEST(CommutationCheck, FamiliesAndRefineMisuse) {
  struct Bad : Program {
    int mode = 0;
    void setup() override {
      ObjectId a = new_object("a");
      ObjectId child = new_object("a.f", a);
      if (mode == 0) new_object("a.f.g", child);  // two levels: refused
      spawn("T", [this, a] {
        if (mode == 2) {
          announce(a, AccessKind::ReadModifyWrite, "look");
          refine(AccessKind::Read);  // not announced refinable: refused
          return;
        }
        announce_refinable(a, AccessKind::Read, "look");
        if (mode == 1) refine(AccessKind::Write);  // stronger than announced: refused
      });
    }
  } p;
  Options o;
  Report r = explore(p, o);
  CHECK(r.verdict == Verdict::ModelError);
  CHECK_TEXT(r.counterexample->violation.message.find("is itself a child") != std::string::npos,
             r.counterexample->violation.message.c_str());
  p.mode = 1;
  r = explore(p, o);
  CHECK(r.verdict == Verdict::ModelError);
  CHECK_TEXT(r.counterexample->violation.message.find("write is not weaker than the announced read") !=
                 std::string::npos,
             r.counterexample->violation.message.c_str());
  p.mode = 2;
  r = explore(p, o);
  CHECK(r.verdict == Verdict::ModelError);
  CHECK_TEXT(r.counterexample->violation.message.find("not announced refinable") != std::string::npos,
             r.counterexample->violation.message.c_str());
  // The relation itself.
  Access parent{1, AccessKind::Write, "", {}, kNoObject};
  Access f1{2, AccessKind::Write, "", {}, 1};
  Access f2{3, AccessKind::Write, "", {}, 1};
  CHECK(dependent(parent, f1));
  CHECK(dependent(f2, parent));
  CHECK(!dependent(f1, f2));
  CHECK(refinable(AccessKind::ReadModifyWrite, AccessKind::Read));
  CHECK(refinable(AccessKind::ReadModifyWrite, AccessKind::CommutingUpdate));
  CHECK(!refinable(AccessKind::CommutingUpdate, AccessKind::ReadModifyWrite));
  CHECK(!refinable(AccessKind::Read, AccessKind::CommutingUpdate));
  CHECK(!refinable(AccessKind::LockAcquire, AccessKind::Read));
}
