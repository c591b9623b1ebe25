// hmm.h: the HMM mirror (mm/hmm.c v4.19): a device driver's hmm_range, the
// per-mm struct hmm its ranges are registered on, and the two walkers
// (hmm_vma_fault, hmm_vma_get_pfns) with the mmu-notifier callbacks that
// invalidate ranges.
//
// A range is declared in the scenario's initial state (the driver built it:
// start, end, and pfns[] holding the request flags) and walked by one actor.
// Invariants: pfns has (end - start) / PAGE_SIZE entries; `valid` is only
// written under the mm's hmm lock (registration sets it, the notifier's
// invalidate_range_end clears it for a registered overlapping range); the
// ghost `ret` is set once, when the walker returns.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <checker/checker.h>

namespace model {

class Kernel;

inline constexpr int kEFAULT = 14;  ///< -EFAULT: hmm_vma_do_fault on VM_FAULT_ERROR

/// The driver's encoding of range->pfns[] (its range->flags[] and
/// range->values[], as nouveau sets them): flag bits under a pfn shifted by
/// kHmmPfnShift, and three special values.
enum HmmPfnFlag : std::uint64_t {
  HMM_PFN_VALID = 1u << 0,
  HMM_PFN_WRITE = 1u << 1,
};
inline constexpr unsigned kHmmPfnShift = 8;
inline constexpr std::uint64_t HMM_PFN_NONE = 0;                        ///< range->values[HMM_PFN_NONE]
inline constexpr std::uint64_t HMM_PFN_ERROR = ~std::uint64_t{1};       ///< range->values[HMM_PFN_ERROR]
inline constexpr std::uint64_t HMM_PFN_SPECIAL = ~std::uint64_t{3};     ///< range->values[HMM_PFN_SPECIAL]
/// hmm_pfn_from_pfn(): a VALID entry naming pfn.
inline constexpr std::uint64_t hmm_pfn_from_pfn(std::uint64_t pfn) { return (pfn << kHmmPfnShift) | HMM_PFN_VALID; }
inline constexpr bool hmm_pfn_is_special(std::uint64_t v) { return v == HMM_PFN_ERROR || v == HMM_PFN_SPECIAL; }
/// hmm_pfn_to_pfn() for a VALID entry.
inline constexpr std::uint64_t hmm_pfn_to_pfn(std::uint64_t v) { return v >> kHmmPfnShift; }

/// struct hmm_range (the driver's).
struct HmmRange {
  std::string name;               ///< scenario name, e.g. "R"
  std::uint32_t mm = 0;           ///< vma->vm_mm
  std::uint32_t vma = 0;          ///< range->vma
  std::uint64_t start = 0, end = 0;
  std::vector<std::uint64_t> pfns;  ///< in: request flags (VALID, WRITE); out: results
  std::vector<std::uint64_t> requested;  ///< ghost: the request flags as the driver built them
  bool valid = false;             ///< range->valid
  bool on_list = false;           ///< on hmm->ranges (registered, not yet hmm_vma_range_done)
  // ---- ghost: what the walker returned ----
  bool returned = false;
  bool fault_mode = false;        ///< hmm_vma_fault (true) or hmm_vma_get_pfns
  int ret = 0;
};

/// struct hmm of one mm: the lock over its range list and the notifier's
/// sequence count. Exists for an mm whose ranges a scenario declares.
struct Hmm {
  std::uint32_t mm = 0;
  long sequence = 0;                       ///< hmm->sequence
  checker::ObjectId obj = checker::kNoObject;  ///< "A.hmm": the sequence count
  std::optional<checker::Spinlock> lock;   ///< "A.hmm.lock": hmm->lock (the range list, range->valid)
  /// mmu_notifier_release ran (exit_mmap, v4.19): hmm_release told the mirrors the mm is
  /// going and the notifier is unregistered, so no later invalidation reaches the ranges.
  bool released = false;
};

/// hmm_vma_fault(range, block): fault mode (actor "hmm_vma_fault").
int hmm_vma_fault(Kernel& k, std::uint32_t range, bool block);
/// hmm_vma_get_pfns(range): snapshot mode (actor "hmm_vma_get_pfns").
int hmm_vma_get_pfns(Kernel& k, std::uint32_t range);
/// The mmu notifier's invalidate_range_start / _end for mm over [start, end):
/// hmm_invalidate_range_start / hmm_invalidate_range_end (no-ops for an mm without hmm).
void mmu_notifier_invalidate_range_start(Kernel& k, std::uint32_t mm, std::uint64_t start, std::uint64_t end);
void mmu_notifier_invalidate_range_end(Kernel& k, std::uint32_t mm, std::uint64_t start, std::uint64_t end);
/// mmu_notifier_release(mm) (exit_mmap, v4.19): hmm_release (a step on the mm's hmm;
/// mirror->ops->release, the driver's teardown, is not modelled); the notifier is
/// unregistered: later range start/end calls on mm reach no mirror.
void mmu_notifier_release(Kernel& k, std::uint32_t mm);

// ---- end-of-run checks of the invariant catalogue (model/src/hmm_invariants.cpp) ----
/// I-004b, hmm_fault_complete: an hmm_vma_fault that returned 0 on a range still
/// valid has every requested entry VALID (WRITE if asked) naming the page mapped now
/// (a range whose mirror was released by exit_mmap is dead, not stale: skipped).
void check_hmm_fault_complete(const Kernel& k);
/// hmm_snapshot_current: a walker (either mode) that returned 0 on a range still valid
/// (its mirror not released) holds no VALID entry but for the page mapped there now, and
/// WRITE only where it is mapped writable: every unmap or remap of a VALID entry's page
/// went through the mmu notifier, which invalidates the range (mm/hmm.c v4.19's contract
/// behind hmm_vma_range_done). NONE entries may be stale: mapping a page notifies nobody.
void check_hmm_snapshot_current(const Kernel& k);
/// I-004a/c, hmm_no_error_pfn: a walker that returned 0 holds no ERROR entry for
/// an address of a regular anon vma.
void check_hmm_no_error_pfn(const Kernel& k);
/// hmm_valid_pfn_mapped (strict false): in a range that returned 0 and is still
/// valid, every VALID entry names a page mapped at that address at some time of
/// the run (before or after a migration). hmm_no_bogus_pfn (strict true): the
/// same in every range that returned 0, even one the notifier invalidated.
void check_hmm_valid_pfn_mapped(const Kernel& k, bool strict);
/// G1 for pmds: no pmd migration entry (or invalidated pmd) when every thread has finished.
void check_no_leftover_migration_pmd(const Kernel& k);

/// "T+2" for a pfn inside page T, "pfn 0x..." for one no page owns.
std::string pfn_name(const Kernel& k, std::uint64_t pfn);
/// "VALID|WRITE T+1", "ERROR", "NONE", "request VALID|WRITE" style text of one entry.
std::string hmm_pfn_string(const Kernel& k, std::uint64_t v);

}  // namespace model
