// api.h: the calls a model makes from setup() and from simulated threads.
//
// Every function here acts on the execution that is running on this OS thread
// (one at a time per OS thread; parallel search uses one per worker).
// Preconditions are checked: misuse is reported as a model error naming the
// call, never undefined behaviour.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>

#include "checker/access.h"
#include "checker/violation.h"

namespace checker {

/// A condition a blocked operation waits for. A non-owning reference to a
/// callable that lives on the waiting thread's stack (it is suspended while
/// the engine evaluates it). Must not announce, choose or fail.
class Guard {
 public:
  Guard() = default;
  template <class F>
  Guard(const F& f)  // NOLINT: implicit from any bool() callable
      : fn_([](const void* p) { return (*static_cast<const F*>(p))(); }), arg_(&f) {}
  explicit operator bool() const { return fn_ != nullptr; }
  bool operator()() const { return fn_ ? fn_(arg_) : true; }

 private:
  bool (*fn_)(const void*) = nullptr;
  const void* arg_ = nullptr;
};

// ---- setup-time calls -------------------------------------------------------

/// Spawn a simulated thread; it runs up to its first announcement at once.
/// Threads may only be spawned in Program::setup(). At most kMaxThreads.
ThreadId spawn(std::string name, std::function<void()> body);

/// Create a shared object and return its id (creation order). Create objects in
/// setup() where possible, so ids do not depend on the schedule.
ObjectId new_object(std::string name);

/// Create a shared object named "base[index]" (an array element). `base` must
/// outlive the search (a string literal). The name is built once per search,
/// not once per execution: the engine keeps it for the next execution that
/// creates the same element under the same id.
ObjectId new_element(const char* base, std::uint32_t index);

/// Create a child object of `parent` (a field of the struct `parent` stands
/// for): an access to the child is related to every access to the parent,
/// and unrelated to the accesses to the parent's other children. One level:
/// `parent` must be an object of this execution that is not itself a child.
ObjectId new_object(std::string name, ObjectId parent);

/// Register an end-of-execution check, run after every thread finished and
/// before Program::at_end(). `body` reports failures with fail() / check().
void final_check(std::string name, std::function<void()> body);

// ---- calls from simulated threads ------------------------------------------

/// Announce the next visible operation and yield. Returns when the strategy
/// has chosen this thread to perform it; the caller then performs it.
void announce(ObjectId object, AccessKind kind, const char* label,
              SourceLoc loc = SourceLoc::current());

/// Like announce(), but the thread is not enabled until `ready()` holds.
/// Returns with ready() true; the caller performs the operation at once.
/// Partial-order reduction takes ready() to read only `object` (or its
/// family: its parent, or its children): a write to any other object is
/// taken never to enable or disable the operation.
void announce_blocking(ObjectId object, AccessKind kind, const char* label, Guard ready,
                       SourceLoc loc = SourceLoc::current());

/// Like announce(), for a step that may turn out weaker than announced once it
/// has run (a compare-and-swap, a trylock, a put_page that may or may not
/// free): only steps announced so may call refine(). What such a step turns
/// out to be can depend on other threads' steps before it (a get_page makes
/// the put that would have freed a page a plain decrement), which the race
/// analysis has to know to keep every trace.
void announce_refinable(ObjectId object, AccessKind kind, const char* label,
                        SourceLoc loc = SourceLoc::current());

/// announce_update() for a step that may refine (announce_refinable).
void announce_refinable_update(ObjectId object, std::uint8_t groups, const char* label,
                               SourceLoc loc = SourceLoc::current());

/// Called by the running thread while it performs its step (after
/// announce_refinable() returned): the operation turned out to be an access of `kind`, weaker than
/// the one announced (checker::refinable: a compare-and-swap that failed is a
/// Read; a counter decrement that did not reach zero may be a
/// CommutingUpdate). Partial-order reduction then orders the step by what it
/// did. A kind that is not refinable from the announced one is a model error.
void refine(AccessKind kind, SourceLoc loc = SourceLoc::current());

/// Like refine(kind), and the step turned out to touch only `child`, a child
/// of the announced object (a put_page that did not free the page touched
/// only the page's count), or the announced object itself.
void refine(ObjectId child, AccessKind kind, SourceLoc loc = SourceLoc::current());

/// Announce a CommutingUpdate in the commutation groups `groups` (Access::groups).
void announce_update(ObjectId object, std::uint8_t groups, const char* label,
                     SourceLoc loc = SourceLoc::current());

/// refine() to a CommutingUpdate in the commutation groups `groups`, on the
/// announced object or `child` (kNoObject: the announced object). When the
/// step was announced as a CommutingUpdate, `groups` must include its groups.
void refine_update(ObjectId child, std::uint8_t groups, SourceLoc loc = SourceLoc::current());

/// Like announce_blocking(), for a wait that is the thread's idle sleep (a
/// kernel daemon's wait_event: ksmd waiting for work). When no thread is
/// enabled and every waiting thread waits here, the execution ends normally
/// (final checks run) instead of reporting a deadlock; a wait of any other kind
/// among the waiters still makes it a deadlock. Nothing else differs: the wait
/// is an access like any other for the search, and the thread runs on as soon
/// as ready() holds.
void announce_idle(ObjectId object, AccessKind kind, const char* label, Guard ready,
                   SourceLoc loc = SourceLoc::current());

/// A wait for a change (a thread that saw a state it cannot go on from and
/// waits for another thread to change it): like announce_blocking(object,
/// AccessKind::Wait, ...), and the caller promises more: ready() is false as
/// long as no other thread has written `object` (or its parent or children)
/// since this thread's last step on it (it read or wrote it before
/// announcing, and waits because of what it saw). The race analysis then
/// knows, without running it, that the wait cannot run before a write it
/// raced with when, without that write, nobody changed the object since the
/// thread saw it, and proposes no run that would find it disabled (no
/// sleep-set-blocked run for such a wait; a plain announce_blocking() wait
/// announced after the write that enables it costs one, see dpor.h).
void announce_wait_for_change(ObjectId object, const char* label, Guard ready,
                              SourceLoc loc = SourceLoc::current());

/// Data nondeterminism: a value in [0, n), recorded in the schedule like a
/// thread choice. n >= 1. The label names the choice in step notes.
std::uint32_t choose(std::uint32_t n, const char* label = "choose");

/// Attach a note to the current step (a state change, for people).
void note(std::string_view text);

/// True when notes are being recorded. A search runs without them and runs a
/// failing schedule once more with them to print its counterexample, so the
/// text of a note costs nothing on the executions that pass. That extra run
/// is a run of the Program like any other (setup, threads, teardown): a
/// program that counts its own runs sees one more per counterexample, and can
/// tell it by notes_wanted() being true.
bool notes_wanted();

/// note(make()) when notes are being recorded; `make` (returning a string)
/// is not called otherwise. The form to use when the text is built. `make`
/// must only read: a choose(), announce or state change in it would make the
/// recording run differ from the search's (an internal error).
template <class F>
  requires std::is_invocable_v<F>
void note(F&& make) {
  if (notes_wanted()) {
    const auto text = make();
    note(std::string_view(text));
  }
}

/// Report a failure. In a simulated thread this ends the execution and does
/// not return; in setup() or a final check it ends the execution too.
[[noreturn]] void fail(FailureKind kind, std::string message,
                       SourceLoc loc = SourceLoc::current());

/// fail() from a step check: a named invariant the model checks at a step
/// rather than at the end. The violation carries the name (Violation::invariant),
/// as a failed final check does.
[[noreturn]] void fail_check(std::string invariant, FailureKind kind, std::string message,
                             SourceLoc loc = SourceLoc::current());

/// End the execution with Verdict::Unsupported: the model reached a path it
/// does not have (`what` names it). Never a violation: a search that meets it
/// stops and reports the path and the step, like a failure, with its own verdict.
[[noreturn]] void unsupported(std::string what, SourceLoc loc = SourceLoc::current());

/// fail(kind, message) unless cond holds.
inline void check(bool cond, FailureKind kind, std::string_view message,
                  SourceLoc loc = SourceLoc::current()) {
  if (!cond) fail(kind, std::string(message), loc);
}

/// fail(kind, make()) unless cond holds; `make` (returning a string) is called
/// only when the check fails, so a passing check builds no message. The form
/// to use when the message is built from values.
template <class F>
  requires std::is_invocable_v<F>
void check(bool cond, FailureKind kind, F&& make, SourceLoc loc = SourceLoc::current()) {
  if (!cond) fail(kind, std::string(make()), loc);
}

/// The running thread, or kNoThread in setup() and final checks.
ThreadId current_thread();

/// The display name of an object or thread of the running execution.
const std::string& object_name(ObjectId id);
const std::string& thread_name(ThreadId id);

/// Record that `holder` now holds (or with kNoThread, no longer holds) the
/// lock `object`, so deadlock reports can say who holds what.
void set_lock_holder(ObjectId object, ThreadId holder);

/// Index of the step being executed (0-based), for messages.
std::size_t current_step();

/// A function the running thread is inside, for Options::reach: while a Frame
/// lives, a step its thread announces matches a ReachTarget naming the frame's
/// function as well as one naming the step's own label. A program whose function
/// takes several steps, none labelled with its name, can so still be asked for
/// ("read_swap_cache_async" for its swapcache_prepare and end_swap_bio_read
/// steps). Frames nest; they change no step, schedule or reduction. `function`
/// must live as long as the run (a string literal). Outside a simulated thread
/// (setup, final checks, no execution) a Frame does nothing.
class Frame {
 public:
  explicit Frame(const char* function);
  ~Frame();
  Frame(const Frame&) = delete;
  Frame& operator=(const Frame&) = delete;

 private:
  void* execution_ = nullptr;  ///< the Execution it was pushed on, or null
  ThreadId thread_ = kNoThread;
};

}  // namespace checker
