// api.cpp: the public calls of api.h, forwarded to the running Execution.
#include "checker/api.h"

#include <stdexcept>

#include "execution.h"

namespace checker {

namespace {
detail::Execution& ex(const char* what) {
  detail::Execution* e = detail::Execution::current();
  if (!e) throw std::logic_error(std::string("checker::") + what + " called outside an execution");
  return *e;
}
}  // namespace

ThreadId spawn(std::string name, std::function<void()> body) {
  return ex("spawn").spawn(std::move(name), std::move(body));
}
ObjectId new_object(std::string name) { return ex("new_object").new_object(std::move(name)); }
ObjectId new_element(const char* base, std::uint32_t index) {
  return ex("new_element").new_element(base, index);
}
ObjectId new_object(std::string name, ObjectId parent) {
  return ex("new_object").new_object(std::move(name), parent);
}
void refine(AccessKind kind, SourceLoc loc) { ex("refine").refine(kNoObject, kind, loc); }
void refine(ObjectId child, AccessKind kind, SourceLoc loc) {
  ex("refine").refine(child, kind, loc);
}
void announce_update(ObjectId object, std::uint8_t groups, const char* label, SourceLoc loc) {
  Access a{object, AccessKind::CommutingUpdate, label, loc};
  a.groups = groups;
  ex("announce_update").announce(a, Guard{});
}
void announce_refinable(ObjectId object, AccessKind kind, const char* label, SourceLoc loc) {
  Access a{object, kind, label, loc};
  a.may_refine = true;
  ex("announce_refinable").announce(a, Guard{});
}
void announce_refinable_update(ObjectId object, std::uint8_t groups, const char* label,
                               SourceLoc loc) {
  Access a{object, AccessKind::CommutingUpdate, label, loc};
  a.groups = groups;
  a.may_refine = true;
  ex("announce_refinable_update").announce(a, Guard{});
}
void refine_update(ObjectId child, std::uint8_t groups, SourceLoc loc) {
  ex("refine_update").refine(child, AccessKind::CommutingUpdate, loc, groups);
}
void final_check(std::string name, std::function<void()> body) {
  ex("final_check").final_check(std::move(name), std::move(body));
}
void announce(ObjectId object, AccessKind kind, const char* label, SourceLoc loc) {
  ex("announce").announce(Access{object, kind, label, loc}, Guard{});
}
void announce_blocking(ObjectId object, AccessKind kind, const char* label, Guard ready,
                       SourceLoc loc) {
  ex("announce_blocking").announce(Access{object, kind, label, loc}, ready);
}
void announce_wait_for_change(ObjectId object, const char* label, Guard ready, SourceLoc loc) {
  Access a{object, AccessKind::Wait, label, loc};
  a.until_change = true;
  ex("announce_wait_for_change").announce(a, ready);
}
void announce_idle(ObjectId object, AccessKind kind, const char* label, Guard ready,
                   SourceLoc loc) {
  ex("announce_idle").announce(Access{object, kind, label, loc}, ready, /*idle=*/true);
}
std::uint32_t choose(std::uint32_t n, const char* label) { return ex("choose").choose(n, label); }
void note(std::string_view text) { ex("note").note(text); }
bool notes_wanted() {
  detail::Execution* e = detail::Execution::current();
  return e && e->notes();
}
void fail(FailureKind kind, std::string message, SourceLoc loc) {
  ex("fail").fail(Verdict::Violation, kind, std::move(message), loc);
}
void fail_check(std::string invariant, FailureKind kind, std::string message, SourceLoc loc) {
  ex("fail_check").fail(Verdict::Violation, kind, std::move(message), loc, std::move(invariant));
}
void unsupported(std::string what, SourceLoc loc) {
  ex("unsupported").fail(Verdict::Unsupported, FailureKind::Assertion, std::move(what), loc);
}
ThreadId current_thread() { return ex("current_thread").running(); }
const std::string& object_name(ObjectId id) { return ex("object_name").object_name(id); }
const std::string& thread_name(ThreadId id) { return ex("thread_name").thread_name(id); }
void set_lock_holder(ObjectId object, ThreadId holder) {
  ex("set_lock_holder").set_lock_holder(object, holder);
}
std::size_t current_step() { return ex("current_step").current_step(); }

Frame::Frame(const char* function) {
  detail::Execution* e = detail::Execution::current();
  if (!e || e->running() == kNoThread) return;
  execution_ = e;
  thread_ = e->running();
  e->push_frame(thread_, function);
}

Frame::~Frame() {
  // Also while Execution::reset or ~Execution unwinds the fiber (the thread list
  // is cleared only after that unwinding).
  if (execution_) static_cast<detail::Execution*>(execution_)->pop_frame(thread_);
}

}  // namespace checker
