// timeline_test.cpp: the column timeline on hand-made step logs. Every
// expected text below was laid out by hand from the rules in timeline.h
// (gutter = 2-char mark + step number + space; columns 30 wide, 2 apart;
// detail lines indented 2, continuations 4; function continuations 2).
#include <string>

#include <checker/checker.h>
#include <tool/timeline.h>

#include <CppUTest/TestHarness.h>

namespace {

using checker::AccessKind;

checker::StepRecord step(checker::ThreadId t, const char* label, AccessKind kind,
                         checker::ObjectId obj, std::string note = {}) {
  checker::StepRecord s;
  s.thread = t;
  s.access.label = label;
  s.access.kind = kind;
  s.access.object = obj;
  s.note = std::move(note);
  return s;
}

}  // namespace

TEST_GROUP(Timeline){};

TEST(Timeline, TwoCpusMergedFunctionsWrappedNotesAndMarkedStep) {
  checker::StepLog log;
  log.thread_names = {"unmerge", "migrate"};
  log.object_names = {"A.pte[0x1000]", "K.lock"};
  log.steps = {
      step(1, "lock_page", AccessKind::LockAcquire, 1),
      step(1, "try_to_unmap_one", AccessKind::Write, 0, "present(K) -> migration(K)"),
      step(0, "follow_page", AccessKind::Read, 0, "migration(K): no page"),
      step(0, "follow_page", AccessKind::Read, 0),
      step(1, "remove_migration_ptes", AccessKind::Write, 0, "migration(K) -> present(N)"),
  };
  checker::Violation v;
  v.verdict = checker::Verdict::Violation;
  v.kind = checker::FailureKind::Assertion;
  v.message = "break_ksm returned 0 with KSM page mapped";
  v.thread = 0;
  v.step = 3;

  const std::string col1(36, ' ');  // gutter 4 + column 30 + gap 2
  const std::string expected =
      "    CPU0 (unmerge)" + std::string(18, ' ') + "CPU1 (migrate)\n" +
      col1 + "lock_page\n" +
      "  0 " + std::string(32, ' ') + "  acquire K.lock\n" +
      col1 + "try_to_unmap_one\n" +
      "  1 " + std::string(32, ' ') + "  write A.pte[0x1000]:\n" +
      col1 + "    present(K) -> migration(K)\n" +
      "    follow_page\n"
      "  2   read A.pte[0x1000]:\n"
      "        migration(K): no page\n"
      ">>3   read A.pte[0x1000]\n" +
      col1 + "remove_migration_ptes\n" +
      "  4 " + std::string(32, ' ') + "  write A.pte[0x1000]:\n" +
      col1 + "    migration(K) -> present(N)\n" +
      "\n"
      "violation (assertion) in CPU0 (unmerge) at step 3: break_ksm returned 0 with KSM page "
      "mapped\n";
  STRCMP_EQUAL(expected.c_str(), tool::render_timeline(log, &v).c_str());
}

TEST(Timeline, WordLongerThanAColumnGetsItsOwnLineUnsplit) {
  checker::StepLog log;
  log.thread_names = {"ksmd"};
  log.object_names = {"mm_slot_list.cursor.position.long_name"};  // 38 characters
  log.steps = {step(0, "unmerge_and_remove_all_rmap_items", AccessKind::Read, 0, "a b")};
  // The 33-character function name overflows its 30 columns on its own line;
  // "  read" (6) + " " + 38 > 30, so the object goes on a continuation line
  // (indent 4) of its own with the ": " that introduces the note, and the
  // note's words follow on the next one.
  const std::string expected =
      "    CPU0 (ksmd)\n"
      "    unmerge_and_remove_all_rmap_items\n"
      "  0   read\n"
      "        mm_slot_list.cursor.position.long_name:\n"
      "        a b\n";
  STRCMP_EQUAL(expected.c_str(), tool::render_timeline(log, nullptr).c_str());
}

TEST(Timeline, StepNumbersRightAlignedAndSameFunctionOnOtherCpuRepeatsHeader) {
  checker::StepLog log;
  log.thread_names = {"a", "b"};
  log.object_names = {"x"};
  for (int i = 0; i < 11; ++i) log.steps.push_back(step(i % 2, "f", AccessKind::Yield, checker::kNoObject));
  // 11 steps: indexes 0..10 need 2 digits, so the gutter is 5 wide and
  // column 1 starts at 5 + 32 = 37. Every step changes thread: 11 headers.
  std::string expected = "     CPU0 (a)" + std::string(24, ' ') + "CPU1 (b)\n";
  for (int i = 0; i < 11; ++i) {
    std::string pad = i % 2 ? std::string(32, ' ') : "";
    std::string num = i < 10 ? "   " + std::to_string(i) + " " : "  " + std::to_string(i) + " ";
    expected += "     " + pad + "f\n";
    expected += num + pad + "  yield\n";
  }
  STRCMP_EQUAL(expected.c_str(), tool::render_timeline(log, nullptr).c_str());
}

TEST(Timeline, DescribeViolationOfEachVerdict) {
  checker::StepLog log;
  log.thread_names = {"unmerge", "migrate"};
  log.steps = {step(0, "f", AccessKind::Yield, checker::kNoObject),
               step(1, "g", AccessKind::Yield, checker::kNoObject)};

  checker::Violation inv;
  inv.verdict = checker::Verdict::Violation;
  inv.kind = checker::FailureKind::Invariant;
  inv.invariant = "no_leftover_migration_entry";
  inv.message = "A.pte[0x1000] is migration(K)";
  inv.step = 1;
  STRCMP_EQUAL(
      "violation (invariant no_leftover_migration_entry) at the end of the execution: "
      "A.pte[0x1000] is migration(K)",
      tool::describe_violation(inv, log).c_str());

  checker::Violation warn;
  warn.verdict = checker::Verdict::Violation;
  warn.kind = checker::FailureKind::WarnOn;
  warn.message = "WARN_ON_ONCE(page_mapped(page))";
  warn.thread = 1;
  warn.step = 1;
  STRCMP_EQUAL("violation (WARN_ON) in CPU1 (migrate) at step 1: WARN_ON_ONCE(page_mapped(page))",
               tool::describe_violation(warn, log).c_str());

  checker::Violation dl;
  dl.verdict = checker::Verdict::Deadlock;
  dl.message = "deadlock: unmerge waits in lock_page on K.lock (held by migrate)";
  dl.step = 2;
  STRCMP_EQUAL("deadlock after 2 steps: unmerge waits in lock_page on K.lock (held by migrate)",
               tool::describe_violation(dl, log).c_str());

  // A deadlock is nobody's step: no ">>" mark, the violation line at the end.
  std::string text = tool::render_timeline(log, &dl);
  CHECK(text.find(">>") == std::string::npos);
  CHECK(text.size() > 0 && text.rfind("\ndeadlock after 2 steps: ") != std::string::npos);
}
