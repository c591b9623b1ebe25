// thread_events.h: ThreadEvents, the ghost record of the named events each
// scenario thread has reached, for "start_after" ordering between threads.
//
// Invariant: an event is recorded (with its own Write step on `obj`) only when
// some thread of the scenario waits for it, so a scenario without
// "start_after" runs exactly the steps it ran before; a waiting thread blocks
// with a Wait on `obj` (DPOR sees the emitter's write conflict with it).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <checker/checker.h>

namespace model {

struct ThreadEvents {
  /// The events a thread may wait for, in emission-point order.
  enum Event : unsigned {
    Done,        ///< the thread finished its actor
    RunStore,    ///< ksm_run_store / admin: run_store returned
    DupMmap,     ///< fork: dup_mmap returned
    UnlockPage,  ///< migrate_pages (3.9): __unmap_and_move's unlock_page of the old page
    kCount
  };
  checker::ObjectId obj = checker::kNoObject;  ///< created only when someone waits
  std::vector<std::uint32_t> wanted;           ///< by thread: bits of awaited events
  std::vector<std::uint32_t> emitted;          ///< by thread: bits of events reached
  std::vector<bool> ended;  ///< by thread: finished without an event someone awaits

  /// Record that the running thread reached `e` (a Write step when awaited).
  void emit(Event e);
  /// At the end of the running thread: when it never reached an event some thread
  /// awaits (a migration with nothing to migrate), a Write step records that it
  /// ended, so its waiters wake and do not start.
  void finish();
  /// Block the running thread until thread `t` reached `e` (a step labelled
  /// "start_after EVENT"): true. False when `t` finished without reaching it on
  /// this schedule: the scenario's ordering cannot hold, and the waiter does not
  /// run its actor (the run goes on; the path statistics count "not started").
  bool wait_for(checker::ThreadId t, Event e);
};

/// "done", "run_store", "dup_mmap", "unlock_page".
const char* event_name(ThreadEvents::Event e);
std::optional<ThreadEvents::Event> find_event(std::string_view name);
/// True when the actor (in the era named by era_bit) emits e at a defined point.
bool actor_emits(std::string_view actor, unsigned era_bits, ThreadEvents::Event e);
/// For `mmcheck list` and error messages: "done (every actor), run_store (...), ...".
std::string event_catalogue();

}  // namespace model
