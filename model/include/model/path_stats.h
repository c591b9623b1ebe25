// path_stats.h: which way each scenario thread's kernel entry point ended,
// counted over the runs of a search, so `mmcheck run` can say when a path was
// never reached ("U (ksm_run_store): -ENOMEM in every run that finished it").
//
// ActorOutcomes is a ghost of one execution (in the Kernel; no step, no
// announcement: recording it changes no schedule). PathStats adds up the
// executions' records; it is shared by the Programs of a search (one per
// worker with --jobs) and safe to add to from several OS threads.
// Invariant: a thread's record is the set of failures its actor returned in
// that run (an admin thread may return several, one per step), and NoFreePage
// when one of its allocations failed (Kernel::alloc_pages); a thread that
// finished without recording a failure ended "ok" (NoFreePage alone still
// ends "ok": a caller may have coped); a run adds 1 to `runs` and, per
// thread and outcome it recorded, 1 to that count.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace model {

/// How a kernel entry point returned.
enum class Outcome : unsigned {
  Ok,           ///< 0 / no VM_FAULT_ERROR bit: the call did what it was asked
  Enomem,       ///< -ENOMEM (no free page: run=2, madvise, migration)
  Ebusy,        ///< -EBUSY (not isolated, a busy section, a busy knob)
  Eagain,       ///< -EAGAIN (a migration whose page stayed busy every pass)
  Einval,       ///< -EINVAL
  Efault,       ///< -EFAULT
  OtherError,   ///< another negative errno
  NotMigrated,  ///< migrate_pages (2.6.33) returned a count of pages left unmigrated
  FaultOom,     ///< VM_FAULT_OOM (no free page for a COW or swap-in copy)
  FaultSigbus,  ///< VM_FAULT_SIGBUS
  Kept,         ///< reclaim (shrink_page_list) kept the page: not on the LRU, locked, under writeback, mapped by KSM, or still referenced
  NotStarted,   ///< start_after: the awaited thread finished without the event, so this one never ran its actor
  BadArea,      ///< a user access found no vma (__do_page_fault's bad_area): SIGSEGV
  NoFreePage,   ///< an allocation of the thread's found no free page (a note beside its return, never its return)
  kCount
};

/// "ok", "-ENOMEM", ..., "VM_FAULT_OOM", "an allocation found no free page".
const char* outcome_name(Outcome o);
/// The outcome of a return value of 0 or -errno (a positive count: NotMigrated).
Outcome outcome_of_errno(long err);
/// The outcome of a fault's VM_FAULT_* bits.
Outcome outcome_of_fault(unsigned vm_fault);

/// One execution's record, by thread (ghost state of the Kernel).
struct ActorOutcomes {
  std::vector<std::uint32_t> bits;  ///< by thread: 1 << Outcome for each outcome returned
  std::vector<bool> finished;       ///< by thread: its actor returned
  /// Record that the running thread's entry point returned `o` (Ok: nothing to record).
  void record(Outcome o);
  /// The running thread's actor returned: "ok" unless it recorded an outcome.
  void finish();
};

class PathStats {
 public:
  explicit PathStats(std::size_t threads);
  /// Add one execution's record (any OS thread).
  void add(const ActorOutcomes& run);

  std::uint64_t runs() const { return runs_.load(); }
  /// Runs in which thread `t` finished.
  std::uint64_t finished(std::size_t t) const { return finished_[t].load(); }
  /// Runs that finished thread `t` in which it returned `o` (a part of finished(t)); for
  /// NoFreePage, every run in which an allocation of `t` found the pool empty.
  std::uint64_t count(std::size_t t, Outcome o) const {
    return counts_[t * static_cast<std::size_t>(Outcome::kCount) + static_cast<std::size_t>(o)].load();
  }
  std::size_t threads() const { return finished_.size(); }

 private:
  std::atomic<std::uint64_t> runs_{0};
  std::vector<std::atomic<std::uint64_t>> finished_;
  std::vector<std::atomic<std::uint64_t>> counts_;  ///< [thread][outcome]
};

}  // namespace model
