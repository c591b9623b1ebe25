// thread_events.cpp: ThreadEvents (see thread_events.h) and the table of which
// actor emits which named event. The table is the one place an emission point
// is declared; scenario validation refuses a wait for an event the named
// thread's actor never emits.
#include "model/thread_events.h"

#include "model/kernel_config.h"

namespace model {

namespace {
struct EventInfo {
  const char* name;
  const char* wait_label;  ///< the waiter's step label (deadlock reports name the event)
  const char* emitted_by;  ///< actors, space separated ("*": every actor)
  EraSet eras;
  const char* where;
};
constexpr EraSet kAllEras = kEra2_6_33 | kEra3_9 | kEra4_19;
const EventInfo kEvents[ThreadEvents::kCount] = {
    {"done", "start_after done", "*", kAllEras, "the thread finished its actor"},
    {"run_store", "start_after run_store", "ksm_run_store admin", kEra3_9, "run_store returned (admin: after each \"run\" step)"},
    {"dup_mmap", "start_after dup_mmap", "fork", kAllEras, "dup_mmap returned (the child is set up)"},
    {"unlock_page", "start_after unlock_page", "migrate_pages offline_pages mbind", kAllEras,
     "the migration's unlock_page of the old page (__unmap_and_move; 2.6.33 unmap_and_move): migrated, or "
     "failed with its ptes restored; the first such unlock of the thread"},
};
}  // namespace

void ThreadEvents::emit(Event e) {
  const checker::ThreadId t = checker::current_thread();
  if (t >= wanted.size() || !(wanted[t] & (1u << e)) || (emitted[t] & (1u << e))) return;
  checker::announce(obj, checker::AccessKind::Write, event_name(e));
  emitted[t] |= 1u << e;
}

void ThreadEvents::finish() {
  const checker::ThreadId t = checker::current_thread();
  if (t >= wanted.size()) return;
  const std::uint32_t missing = wanted[t] & ~emitted[t];
  if (!missing) return;
  checker::announce(obj, checker::AccessKind::Write, "start_after: event never reached");
  ended[t] = true;
  checker::note([this, missing, t] {
    std::string names;
    for (unsigned e = 0; e < kCount; ++e)
      if (missing & (1u << e)) names += std::string(names.empty() ? "" : ", ") + kEvents[e].name;
    return checker::thread_name(t) + " finished without " + names + ": its waiters will not start";
  });
}

bool ThreadEvents::wait_for(checker::ThreadId t, Event e) {
  const std::uint32_t bit = 1u << e;
  checker::announce_blocking(obj, checker::AccessKind::Wait, kEvents[e].wait_label,
                             [this, t, bit] { return (emitted[t] & bit) != 0 || ended[t]; });
  if (emitted[t] & bit) return true;
  checker::note([t, e] {
    return std::string("not started: ") + checker::thread_name(t) + " finished without " + kEvents[e].name;
  });
  return false;
}

const char* event_name(ThreadEvents::Event e) { return kEvents[e].name; }

std::optional<ThreadEvents::Event> find_event(std::string_view name) {
  for (unsigned i = 0; i < ThreadEvents::kCount; ++i)
    if (name == kEvents[i].name) return static_cast<ThreadEvents::Event>(i);
  return std::nullopt;
}

bool actor_emits(std::string_view actor, unsigned era_bits, ThreadEvents::Event e) {
  const EventInfo& info = kEvents[e];
  if (!(info.eras & era_bits)) return false;
  if (std::string_view(info.emitted_by) == "*") return true;
  std::string_view list = info.emitted_by;
  while (!list.empty()) {
    const auto sp = list.find(' ');
    if (list.substr(0, sp) == actor) return true;
    if (sp == std::string_view::npos) break;
    list.remove_prefix(sp + 1);
  }
  return false;
}

std::string event_catalogue() {
  std::string out;
  for (const EventInfo& info : kEvents) {
    if (!out.empty()) out += "; ";
    out += std::string(info.name) + " (" +
           (std::string_view(info.emitted_by) == "*" ? std::string("every actor") : std::string(info.emitted_by)) +
           ": " + info.where + ")";
  }
  return out;
}

}  // namespace model
