// path_stats.cpp: the outcome names and the counting of ActorOutcomes into
// PathStats (see path_stats.h).
#include "model/path_stats.h"

#include <checker/checker.h>

#include "model/hmm.h"
#include "model/ksm.h"
#include "model/memory.h"

namespace model {

const char* outcome_name(Outcome o) {
  switch (o) {
    case Outcome::Ok: return "ok";
    case Outcome::Enomem: return "-ENOMEM";
    case Outcome::Ebusy: return "-EBUSY";
    case Outcome::Eagain: return "-EAGAIN";
    case Outcome::Einval: return "-EINVAL";
    case Outcome::Efault: return "-EFAULT";
    case Outcome::OtherError: return "another error";
    case Outcome::NotMigrated: return "pages left unmigrated";
    case Outcome::FaultOom: return "VM_FAULT_OOM";
    case Outcome::FaultSigbus: return "VM_FAULT_SIGBUS";
    case Outcome::BadArea: return "SIGSEGV (bad_area: no vma)";
    case Outcome::NoFreePage: return "an allocation found no free page";
    case Outcome::Kept: return "page kept (not reclaimed)";
    case Outcome::NotStarted: return "not started (its start_after event never came)";
    case Outcome::kCount: break;
  }
  return "?";
}

Outcome outcome_of_errno(long err) {
  if (err == 0) return Outcome::Ok;
  if (err > 0) return Outcome::NotMigrated;
  if (err == -kENOMEM) return Outcome::Enomem;
  if (err == -kEBUSY) return Outcome::Ebusy;
  if (err == -kEAGAIN) return Outcome::Eagain;
  if (err == -kEINVAL) return Outcome::Einval;
  if (err == -kEFAULT) return Outcome::Efault;
  return Outcome::OtherError;
}

Outcome outcome_of_fault(unsigned vm_fault) {
  if (vm_fault & VM_FAULT_OOM) return Outcome::FaultOom;
  if (vm_fault & VM_FAULT_SIGBUS) return Outcome::FaultSigbus;
  if (vm_fault & VM_FAULT_BAD_AREA_GHOST) return Outcome::BadArea;
  return Outcome::Ok;
}

void ActorOutcomes::record(Outcome o) {
  if (o == Outcome::Ok) return;  // "ok" is what finish() records when nothing else was
  const checker::ThreadId t = checker::current_thread();
  if (t < bits.size()) bits[t] |= 1u << static_cast<unsigned>(o);
}

void ActorOutcomes::finish() {
  const checker::ThreadId t = checker::current_thread();
  if (t >= bits.size()) return;
  if ((bits[t] & ~(1u << static_cast<unsigned>(Outcome::NoFreePage))) == 0)
    bits[t] |= 1u << static_cast<unsigned>(Outcome::Ok);
  finished[t] = true;
}

PathStats::PathStats(std::size_t threads)
    : finished_(threads), counts_(threads * static_cast<std::size_t>(Outcome::kCount)) {}

void PathStats::add(const ActorOutcomes& run) {
  runs_.fetch_add(1, std::memory_order_relaxed);
  for (std::size_t t = 0; t < run.bits.size() && t < finished_.size(); ++t) {
    if (run.finished[t]) finished_[t].fetch_add(1, std::memory_order_relaxed);
    // A thread's outcomes are counted over the runs that finished it, so that each count
    // is a part of finished(t); an empty pool is counted in every run it happened in,
    // since it explains runs that ended early (a model limit on the fallback path).
    for (unsigned o = 0; o < static_cast<unsigned>(Outcome::kCount); ++o)
      if ((run.bits[t] & (1u << o)) && (run.finished[t] || o == static_cast<unsigned>(Outcome::NoFreePage)))
        counts_[t * static_cast<std::size_t>(Outcome::kCount) + o].fetch_add(1, std::memory_order_relaxed);
  }
}

}  // namespace model
