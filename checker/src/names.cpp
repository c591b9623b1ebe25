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
  }
  return "?";
}

std::string_view to_string(FailureKind k) {
  switch (k) {
    case FailureKind::BugOn: return "BUG_ON";
    case FailureKind::WarnOn: return "WARN_ON";
    case FailureKind::Assertion: return "assertion";
    case FailureKind::Invariant: return "invariant";
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

bool dependent(const Access& a, const Access& b) {
  if (a.kind == AccessKind::Yield || b.kind == AccessKind::Yield) return false;
  if (a.object != b.object || a.object == kNoObject) return false;
  return !(read_like(a.kind) && read_like(b.kind));
}

}  // namespace checker
