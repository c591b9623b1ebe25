// names.cpp: display names of the closed enums, and the dependency relation.
#include "checker/access.h"
#include "checker/violation.h"

namespace checker {

std::string_view to_string(AccessKind k) {
  switch (k) {
    case AccessKind::Read: return "read";
    case AccessKind::Write: return "write";
    case AccessKind::ReadModifyWrite: return "rmw";
    case AccessKind::LockAcquire: return "acquire";
    case AccessKind::LockAcquireShared: return "acquire-shared";
    case AccessKind::LockRelease: return "release";
    case AccessKind::LockReleaseShared: return "release-shared";
    case AccessKind::Wait: return "wait";
    case AccessKind::Yield: return "yield";
    case AccessKind::CommutingUpdate: return "update";
  }
  return "?";
}

std::string_view to_string(FailureKind k) {
  switch (k) {
    case FailureKind::BugOn: return "BUG_ON";
    case FailureKind::WarnOn: return "WARN_ON";
    case FailureKind::Assertion: return "assertion";
    case FailureKind::Invariant: return "invariant";
    case FailureKind::Reached: return "reached";
  }
  return "?";
}

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::Pass: return "pass";
    case Verdict::Violation: return "violation";
    case Verdict::Deadlock: return "deadlock";
    case Verdict::StepBound: return "step-bound";
    case Verdict::ModelError: return "model-error";
    case Verdict::Unsupported: return "unsupported";
  }
  return "?";
}

namespace {
bool read_like(AccessKind k) {
  return k == AccessKind::Read || k == AccessKind::Wait || k == AccessKind::LockAcquireShared ||
         k == AccessKind::LockReleaseShared;
}
}  // namespace

bool kinds_conflict(AccessKind a, AccessKind b, std::uint8_t groups_a, std::uint8_t groups_b) {
  if (a == AccessKind::Yield || b == AccessKind::Yield) return false;
  if (read_like(a) && read_like(b)) return false;
  if (a == AccessKind::CommutingUpdate && b == AccessKind::CommutingUpdate)
    return (groups_a & groups_b) == 0;
  return true;
}

bool dependent(const Access& a, const Access& b) {
  if (a.object == kNoObject || b.object == kNoObject) return false;
  const bool related = a.object == b.object || (a.parent != kNoObject && a.parent == b.object) ||
                       (b.parent != kNoObject && b.parent == a.object);
  return related && kinds_conflict(a.kind, b.kind, a.groups, b.groups);
}

namespace {
bool lock_or_wait(AccessKind k) {
  return k == AccessKind::LockAcquire || k == AccessKind::LockAcquireShared ||
         k == AccessKind::LockRelease || k == AccessKind::LockReleaseShared ||
         k == AccessKind::Wait;
}
}  // namespace

bool refinable(AccessKind announced, AccessKind refined) {
  if (announced == refined) return true;
  if (lock_or_wait(announced) || lock_or_wait(refined)) return false;
  for (AccessKind x : kAllAccessKinds)
    if (kinds_conflict(refined, x) && !kinds_conflict(announced, x)) return false;
  return true;
}

}  // namespace checker
