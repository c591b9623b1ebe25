// hmm_invariants.cpp: the end-of-run checks of seed 004 (section 6(c)) and G1
// at the pmd level, read from the state an execution left (no announcements).
// Invariant: each check names the range, address and entry it rejects.
#include "model/hmm.h"

#include <algorithm>

#include "model/kernel.h"

namespace model {

using checker::FailureKind;

namespace {

/// The pfn mapped at (mm, addr) now with its write permission, or nothing.
bool mapped_now(const Kernel& k, std::uint32_t mm, std::uint64_t addr, std::uint64_t& pfn, bool& write) {
  const PmdSlot* s = k.pmd_slot(mm, addr);
  if (!s) return false;
  if (s->pmd.kind == Pmd::Kind::Huge) {
    pfn = k.pages[s->pmd.page].pfn + pte_index(addr);
    write = s->pmd.write;
    return true;
  }
  if (!s->pmd.is_table()) return false;
  auto it = k.mms[mm].ptes.find(addr);
  if (it == k.mms[mm].ptes.end() || !it->second.pte.is_present()) return false;
  pfn = k.pages[it->second.pte.page].pfn;
  write = it->second.pte.write;
  return true;
}

std::string entry_at(const Kernel& k, const HmmRange& r, std::uint64_t addr) {
  return "range " + r.name + " at " + k.where(r.mm, addr) + " = [" +
         hmm_pfn_string(k, r.pfns[(addr - r.start) / kPageSize]) + "]";
}

}  // namespace

void check_hmm_fault_complete(const Kernel& k) {
  for (const HmmRange& r : k.hmm_ranges) {
    if (!r.returned || !r.fault_mode || r.ret != 0 || !r.valid) continue;
    // exit_mmap's mmu_notifier_release told the mirror the mm is gone (v4.19 hmm_release):
    // the driver drops the range, whose pfns name pages of an mm that no longer exists.
    if (const auto it = std::find_if(k.hmms.begin(), k.hmms.end(), [&](const Hmm& h) { return h.mm == r.mm; });
        it != k.hmms.end() && it->released)
      continue;
    for (std::uint64_t a = r.start; a < r.end; a += kPageSize) {
      const std::size_t i = (a - r.start) / kPageSize;
      const std::uint64_t want = r.requested[i], got = r.pfns[i];
      if (!(want & HMM_PFN_VALID)) continue;
      std::uint64_t pfn = 0;
      bool write = false;
      const bool mapped = mapped_now(k, r.mm, a, pfn, write);
      const bool ok = !hmm_pfn_is_special(got) && (got & HMM_PFN_VALID) &&
                      (!(want & HMM_PFN_WRITE) || (got & HMM_PFN_WRITE)) && mapped &&
                      hmm_pfn_to_pfn(got) == pfn;
      if (!ok)
        checker::fail(FailureKind::Invariant,
                      "hmm_fault_complete: hmm_vma_fault returned 0 on a valid range but " + entry_at(k, r, a) +
                          " (" + hmm_pfn_string(k, want) + "; mapped now: " +
                          (mapped ? pfn_name(k, pfn) + (write ? " rw" : " ro") : std::string("nothing")) + ")");
    }
  }
}

void check_hmm_snapshot_current(const Kernel& k) {
  for (const HmmRange& r : k.hmm_ranges) {
    if (!r.returned || r.ret != 0 || !r.valid) continue;
    if (const auto it = std::find_if(k.hmms.begin(), k.hmms.end(), [&](const Hmm& h) { return h.mm == r.mm; });
        it != k.hmms.end() && it->released)
      continue;  // exit_mmap told the mirror (see check_hmm_fault_complete)
    for (std::uint64_t a = r.start; a < r.end; a += kPageSize) {
      const std::uint64_t got = r.pfns[(a - r.start) / kPageSize];
      if (hmm_pfn_is_special(got) || !(got & HMM_PFN_VALID) || hmm_pfn_to_pfn(got) == 0) continue;
      std::uint64_t pfn = 0;
      bool write = false;
      const bool mapped = mapped_now(k, r.mm, a, pfn, write);
      if (!mapped || hmm_pfn_to_pfn(got) != pfn || ((got & HMM_PFN_WRITE) && !write))
        checker::fail(FailureKind::Invariant,
                      std::string("hmm_snapshot_current: ") + (r.fault_mode ? "hmm_vma_fault" : "hmm_vma_get_pfns") +
                          " returned 0 on a range still valid but " + entry_at(k, r, a) + " (mapped now: " +
                          (mapped ? pfn_name(k, pfn) + (write ? " rw" : " ro") : std::string("nothing")) +
                          "): the mmu notifier missed a change of the mapping");
    }
  }
}

void check_hmm_no_error_pfn(const Kernel& k) {
  for (const HmmRange& r : k.hmm_ranges) {
    if (!r.returned || r.ret != 0) continue;
    for (std::uint64_t a = r.start; a < r.end; a += kPageSize)
      if (r.pfns[(a - r.start) / kPageSize] == HMM_PFN_ERROR)
        checker::fail(FailureKind::Invariant,
                      std::string("hmm_no_error_pfn: ") + (r.fault_mode ? "hmm_vma_fault" : "hmm_vma_get_pfns") +
                          " returned 0 with " + entry_at(k, r, a) +
                          ": an error for valid memory of a regular anon vma (the driver would SIGBUS or kill "
                          "the device context)");
  }
}

void check_hmm_valid_pfn_mapped(const Kernel& k, bool strict) {
  for (const HmmRange& r : k.hmm_ranges) {
    if (!r.returned || r.ret != 0 || (!strict && !r.valid)) continue;
    for (std::uint64_t a = r.start; a < r.end; a += kPageSize) {
      const std::uint64_t v = r.pfns[(a - r.start) / kPageSize];
      if (hmm_pfn_is_special(v) || !(v & HMM_PFN_VALID) || hmm_pfn_to_pfn(v) == 0) continue;
      const std::uint64_t pfn = hmm_pfn_to_pfn(v);
      bool seen = k.ever_mapped.count({r.mm, a, pfn}) > 0;
      for (const auto& [mm, base, head] : k.ever_mapped_huge)
        if (mm == r.mm && base == pmd_base(a) && pfn == k.pages[head].pfn + pte_index(a)) seen = true;
      if (!seen)
        checker::fail(FailureKind::Invariant,
                      std::string(strict ? "hmm_no_bogus_pfn: " : "hmm_valid_pfn_mapped: ") + entry_at(k, r, a) +
                          " names a page never mapped there (by the initial state or any pte or pmd written since)" +
                          (r.valid ? "" : ", in a range the mmu notifier has since invalidated"));
    }
  }
}

void check_no_leftover_migration_pmd(const Kernel& k) {
  for (std::uint32_t mm = 0; mm < k.mms.size(); ++mm)
    for (const auto& [addr, slot] : k.mms[mm].pmds)
      if (is_pmd_migration_entry(slot.pmd) || slot.pmd.kind == Pmd::Kind::Invalidated)
        checker::fail(FailureKind::Invariant, "no_leftover_migration_entry: pmd " + k.where(mm, addr) + " = " +
                                                  k.pmd_str(slot.pmd) + " after every migration finished");
}

}  // namespace model
