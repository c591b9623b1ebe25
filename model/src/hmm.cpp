// hmm.cpp: the HMM mirror's walkers and notifier callbacks (mm/hmm.c v4.19):
// hmm_vma_fault, hmm_vma_get_pfns, hmm_vma_range_done, hmm_vma_walk_pmd (before
// and after d08faca018c4), hmm_vma_handle_pmd, hmm_vma_handle_pte,
// hmm_vma_walk_hole(_), hmm_pfns_bad, hmm_vma_do_fault, the need-fault helpers,
// hmm_invalidate_range_start/end.
//
// Yield points: every read of *pmdp (before d08faca018c4 each predicate
// re-reads it; after, one READ_ONCE snapshot and pmd_read_atomic), each
// lockless *ptep read, the hmm lock around registration and invalidation, the
// notifier's sequence count, and whatever the faults and waits they call do.
// Invariant: range->pfns is written only by its walker (the driver's thread);
// `valid` only under the hmm lock.
#include "model/hmm.h"

#include <cstdio>
#include <vector>

#include "model/huge_memory.h"
#include "model/kernel.h"
#include "model/ksm.h"
#include "model/memory.h"
#include "model/migrate_v4_19.h"
#include "model/pagewalk.h"

namespace model {

using checker::AccessKind;
using checker::FailureKind;

std::string pfn_name(const Kernel& k, std::uint64_t pfn) {
  for (const Page& p : k.pages)
    if (pfn >= p.pfn && pfn < p.pfn + p.nr_pages)
      return pfn == p.pfn ? p.name : p.name + "+" + std::to_string(pfn - p.pfn);
  char buf[40];
  std::snprintf(buf, sizeof buf, "pfn 0x%llx", static_cast<unsigned long long>(pfn));
  return buf;
}

std::string hmm_pfn_string(const Kernel& k, std::uint64_t v) {
  if (v == HMM_PFN_ERROR) return "ERROR";
  if (v == HMM_PFN_SPECIAL) return "SPECIAL";
  if (v == HMM_PFN_NONE) return "NONE";
  std::string flags = std::string(v & HMM_PFN_VALID ? "VALID" : "") + (v & HMM_PFN_WRITE ? "|WRITE" : "");
  if (hmm_pfn_to_pfn(v) == 0) return "request " + flags;
  return flags + " " + pfn_name(k, hmm_pfn_to_pfn(v));
}

// mm/hmm.c v4.19: hmm_invalidate_range_start (atomic_inc(&hmm->sequence))
void mmu_notifier_invalidate_range_start(Kernel& k, std::uint32_t mm, std::uint64_t start, std::uint64_t end) {
  Hmm* hmm = k.hmm_of(mm);
  if (!hmm || hmm->released) return;  // no notifier registered on this mm (or no longer)
  checker::announce(hmm->obj, AccessKind::ReadModifyWrite, "hmm_invalidate_range_start");
  ++hmm->sequence;
  checker::note([&] { return k.mms[mm].name + ".hmm sequence " + std::to_string(hmm->sequence) + " [" +
                             k.where(mm, start) + ", " + k.where(mm, end) + ")"; });
}

// mm/hmm.c v4.19: hmm_invalidate_range_end -> hmm_invalidate_range
void mmu_notifier_invalidate_range_end(Kernel& k, std::uint32_t mm, std::uint64_t start, std::uint64_t end) {
  checker::Frame frame("mmu_notifier_invalidate_range_end");
  Hmm* hmm = k.hmm_of(mm);
  if (!hmm || hmm->released) return;
  hmm->lock->lock("hmm_invalidate_range");
  for (HmmRange& r : k.hmm_ranges) {
    if (r.mm != mm || !r.on_list || end < r.start || start >= r.end) continue;
    r.valid = false;  // the memset of the overlapping pfns is not modelled (FIDELITY.md)
    checker::note([&] { return "range " + r.name + " invalid"; });
  }
  hmm->lock->unlock("hmm_invalidate_range");
  // mirror->ops->sync_cpu_device_pagetables(): the device side is not modelled.
}

// mm/mmu_notifier.c v4.19: __mmu_notifier_release -> mm/hmm.c hmm_release (mirrors_sem for write,
// each mirror unlinked and its ->release called: the driver side is not modelled), then the
// notifier is unhooked from the mm (hlist_del_init_rcu)
void mmu_notifier_release(Kernel& k, std::uint32_t mm) {
  checker::Frame frame("mmu_notifier_release");
  Hmm* hmm = k.hmm_of(mm);
  if (!hmm || hmm->released) return;
  checker::announce(hmm->obj, AccessKind::ReadModifyWrite, "hmm_release");
  hmm->released = true;
  checker::note([&] { return k.mms[mm].name + ".hmm released: mirrors told the mm is going"; });
}

namespace {

/// struct hmm_vma_walk.
struct HmmVmaWalk {
  HmmRange* range = nullptr;
  std::uint64_t last = 0;
  bool fault = false;
  bool block = false;
};

std::size_t pfn_index(const HmmRange& r, std::uint64_t addr) { return (addr - r.start) / kPageSize; }

// mm/hmm.c v4.19: hmm_vma_do_fault
int hmm_vma_do_fault(Kernel& k, HmmVmaWalk& w, std::uint64_t addr, bool write_fault, std::uint64_t& pfn) {
  checker::Frame frame("hmm_vma_do_fault");
  const unsigned ret = v4_19::handle_mm_fault(k, w.range->vma, addr, write_fault ? unsigned{FAULT_FLAG_WRITE} : 0u);
  if (ret & (VM_FAULT_OOM | VM_FAULT_SIGBUS)) {  // VM_FAULT_ERROR
    pfn = HMM_PFN_ERROR;
    return -kEFAULT;
  }
  return -kEAGAIN;
}

// mm/hmm.c v4.19: hmm_pfns_bad. `why` is the pmd value that led here (I-004a's step form);
// `seen`, the values this hmm_vma_walk_pmd call read before (the pre-patch re-reads), for the message.
int hmm_pfns_bad(Kernel& k, HmmVmaWalk& w, std::uint64_t addr, std::uint64_t end, const Pmd& why,
                 const std::vector<Pmd>* seen = nullptr) {
  checker::Frame frame("hmm_pfns_bad");
  HmmRange& r = *w.range;
  if (k.check_hmm_pfns_bad && is_pmd_migration_entry(why)) {
    std::string reads;
    if (seen)
      for (const Pmd& v : *seen) reads += std::string(reads.empty() ? "" : ", ") + k.pmd_str(v);
    checker::fail_check("hmm_no_spurious_error", FailureKind::Assertion,
                  "I-004a: hmm_pfns_bad marks [" + k.where(r.mm, addr) + ", " + k.where(r.mm, end) + ") of range " +
                      r.name + " ERROR, but its pmd is " + k.pmd_str(why) +
                      ": a migration entry of a regular anon vma, not a bad pmd" +
                      (reads.empty() ? "" : " (hmm_vma_walk_pmd read *pmdp as: " + reads + ")"));
  }
  for (; addr < end; addr += kPageSize) r.pfns[pfn_index(r, addr)] = HMM_PFN_ERROR;
  checker::note([&] { return "range " + r.name + ": ERROR pfns"; });
  return 0;
}

// mm/hmm.c v4.19: hmm_vma_walk_hole_
int hmm_vma_walk_hole_(Kernel& k, HmmVmaWalk& w, std::uint64_t addr, std::uint64_t end, bool fault,
                       bool write_fault) {
  checker::Frame frame("hmm_vma_walk_hole_");
  HmmRange& r = *w.range;
  w.last = addr;
  for (; addr < end; addr += kPageSize) {
    std::uint64_t& pfn = r.pfns[pfn_index(r, addr)];
    pfn = HMM_PFN_NONE;
    if (fault || write_fault) {
      const int ret = hmm_vma_do_fault(k, w, addr, write_fault, pfn);
      if (ret != -kEAGAIN) return ret;
    }
  }
  return (fault || write_fault) ? -kEAGAIN : 0;
}

// mm/hmm.c v4.19: hmm_pte_need_fault (no device-private memory in the model)
void hmm_pte_need_fault(const HmmVmaWalk& w, std::uint64_t pfns, std::uint64_t cpu_flags, bool& fault,
                        bool& write_fault) {
  fault = write_fault = false;
  if (!w.fault) return;
  if (!(pfns & HMM_PFN_VALID)) return;  // we aren't asked to do anything
  fault = !(cpu_flags & HMM_PFN_VALID);
  if ((pfns & HMM_PFN_WRITE) && !(cpu_flags & HMM_PFN_WRITE)) write_fault = fault = true;
}

// mm/hmm.c v4.19: hmm_range_need_fault
void hmm_range_need_fault(const HmmVmaWalk& w, std::uint64_t addr, std::uint64_t end, std::uint64_t cpu_flags,
                          bool& fault, bool& write_fault) {
  fault = write_fault = false;
  if (!w.fault) return;
  for (; addr < end; addr += kPageSize) {
    hmm_pte_need_fault(w, w.range->pfns[pfn_index(*w.range, addr)], cpu_flags, fault, write_fault);
    if (fault || write_fault) return;
  }
}

// mm/hmm.c v4.19: hmm_vma_walk_hole
int hmm_vma_walk_hole(Kernel& k, HmmVmaWalk& w, std::uint64_t addr, std::uint64_t end) {
  checker::Frame frame("hmm_vma_walk_hole");
  bool fault, write_fault;
  hmm_range_need_fault(w, addr, end, 0, fault, write_fault);
  return hmm_vma_walk_hole_(k, w, addr, end, fault, write_fault);
}

// mm/hmm.c v4.19: pmd_to_hmm_pfn_flags (pmd_protnone never: no NUMA hinting in the model)
std::uint64_t pmd_to_hmm_pfn_flags(const Pmd& pmd) {
  return pmd_write(pmd) ? HMM_PFN_VALID | HMM_PFN_WRITE : HMM_PFN_VALID;
}

/// pmd_pfn(): the head's pfn, or for a migration entry the bits a huge-pmd reading of it gives.
std::uint64_t pmd_pfn(const Kernel& k, const Pmd& pmd) {
  const std::uint64_t pfn = k.pages.at(pmd.page).pfn;
  return is_pmd_migration_entry(pmd) ? migration_pmd_misread_pfn(pfn) : pfn;
}

// mm/hmm.c v4.19: hmm_vma_handle_pmd
int hmm_vma_handle_pmd(Kernel& k, HmmVmaWalk& w, std::uint64_t addr, std::uint64_t end, const Pmd& pmd) {
  checker::Frame frame("hmm_vma_handle_pmd");
  HmmRange& r = *w.range;
  const std::uint64_t cpu_flags = pmd_to_hmm_pfn_flags(pmd);
  bool fault, write_fault;
  hmm_range_need_fault(w, addr, end, cpu_flags, fault, write_fault);
  if (fault || write_fault) return hmm_vma_walk_hole_(k, w, addr, end, fault, write_fault);
  std::uint64_t pfn = pmd_pfn(k, pmd) + pte_index(addr);
  for (; addr < end; addr += kPageSize, ++pfn) r.pfns[pfn_index(r, addr)] = hmm_pfn_from_pfn(pfn) | cpu_flags;
  checker::note([&] { return "range " + r.name + ": pfns of " + k.pmd_str(pmd); });
  w.last = end;
  return 0;
}

// mm/hmm.c v4.19: hmm_vma_handle_pte (no device-private entries in the model)
int hmm_vma_handle_pte(Kernel& k, HmmVmaWalk& w, std::uint64_t addr, std::uint64_t end) {
  checker::Frame frame("hmm_vma_handle_pte");
  HmmRange& r = *w.range;
  std::uint64_t& pfn = r.pfns[pfn_index(r, addr)];
  PteSlot* slot = k.pte_slot(r.mm, addr);
  Pte pte = Pte::none();
  if (slot) {
    checker::announce(slot->obj, AccessKind::Read, "hmm_vma_handle_pte");  // pte = *ptep
    pte = slot->pte;
    checker::note([&] { return "pte " + k.where(r.mm, addr) + " = " + k.pte_str(pte); });
  }
  const std::uint64_t orig_pfn = pfn;
  pfn = HMM_PFN_NONE;
  const std::uint64_t cpu_flags = pte.is_present() ? (pte.write ? HMM_PFN_VALID | HMM_PFN_WRITE : HMM_PFN_VALID) : 0;
  bool fault, write_fault;
  hmm_pte_need_fault(w, orig_pfn, cpu_flags, fault, write_fault);
  if (pte.is_none() || pte.is_swap()) {
    if (fault || write_fault) return hmm_vma_walk_hole_(k, w, addr, end, fault, write_fault);
    return 0;
  }
  if (pte.is_migration()) {
    if (fault || write_fault) {
      w.last = addr;
      v4_19::migration_entry_wait(k, r.mm, addr);
      return -kEAGAIN;
    }
    return 0;
  }
  if (fault || write_fault) return hmm_vma_walk_hole_(k, w, addr, end, fault, write_fault);
  pfn = hmm_pfn_from_pfn(k.pages.at(pte.page).pfn) | cpu_flags;
  return 0;
}

/// hmm_vma_walk_pmd's pte loop (pte_offset_map on a table pmd; the table never changes under mmap_sem).
int walk_ptes(Kernel& k, HmmVmaWalk& w, std::uint64_t addr, std::uint64_t end) {
  for (; addr < end; addr += kPageSize) {
    const int r = hmm_vma_handle_pte(k, w, addr, end);
    if (r) {
      w.last = addr;  // hmm_vma_handle_pte() did unmap pte directory
      return r;
    }
  }
  w.last = addr;
  return 0;
}

// mm/hmm.c v4.19: hmm_vma_walk_pmd before d08faca018c4: every test reads *pmdp again.
int hmm_vma_walk_pmd_reverted(Kernel& k, HmmVmaWalk& w, PmdSlot& slot, std::uint64_t start, std::uint64_t end) {
  const std::uint32_t mm = w.range->mm;
  const bool hugetlb = false;  // range->vma->vm_flags & VM_HUGETLB: the model mirrors anon vmas only
  std::vector<Pmd> seen;        // ghost: every value read, for I-004a's message
  auto read = [&](const char* label) {
    seen.push_back(k.read_pmd(mm, slot, label));
    return seen.back();
  };
  for (;;) {  // again:
    if (pmd_none(read("hmm_vma_walk_pmd: pmd_none(*pmdp)"))) return hmm_vma_walk_hole(k, w, start, end);
    const Pmd h = read("hmm_vma_walk_pmd: pmd_huge(*pmdp)");
    if (pmd_huge(h) && hugetlb) return hmm_pfns_bad(k, w, start, end, h, &seen);
    bool huge = pmd_devmap(read("hmm_vma_walk_pmd: pmd_devmap(*pmdp)"), k.migration_pmd_layout);
    if (!huge) huge = pmd_trans_huge(read("hmm_vma_walk_pmd: pmd_trans_huge(*pmdp)"));
    if (huge) {
      // No pmd_lock: "we will get that event through mmu_notifier callback".
      const Pmd pmd = read("hmm_vma_walk_pmd: pmd_read_atomic(pmdp)");
      if (!pmd_devmap(pmd, k.migration_pmd_layout) && !pmd_trans_huge(pmd)) continue;  // goto again
      return hmm_vma_handle_pmd(k, w, start, end, pmd);
    }
    const Pmd b = read("hmm_vma_walk_pmd: pmd_bad(*pmdp)");
    // A pmd MADV_DONTNEED cleared since the reads above is bad too (pmd_bad(0)).
    if (pmd_bad(b)) return hmm_pfns_bad(k, w, start, end, b, &seen);
    return walk_ptes(k, w, start, end);
  }
}

// mm/hmm.c v4.19 + d08faca018c4: hmm_vma_walk_pmd: one READ_ONCE snapshot, migration entries waited out.
int hmm_vma_walk_pmd_fixed(Kernel& k, HmmVmaWalk& w, PmdSlot& slot, std::uint64_t start, std::uint64_t end) {
  const std::uint32_t mm = w.range->mm;
  const bool hugetlb = false;
  const std::uint64_t addr = start;
  for (;;) {  // again:
    const Pmd pmd = k.read_pmd(mm, slot, "hmm_vma_walk_pmd: READ_ONCE(*pmdp)");
    if (pmd_none(pmd)) return hmm_vma_walk_hole(k, w, start, end);
    if (pmd_huge(pmd) && hugetlb) return hmm_pfns_bad(k, w, start, end, pmd);
    if (is_pmd_migration_entry(pmd)) {  // thp_migration_supported(): x86-64
      bool fault, write_fault;
      hmm_range_need_fault(w, addr, end, 0, fault, write_fault);
      if (fault || write_fault) {
        w.last = addr;
        v4_19::pmd_migration_entry_wait(k, mm, slot);
        return -kEAGAIN;
      }
      return 0;
    }
    if (!pmd_present(pmd)) return hmm_pfns_bad(k, w, start, end, pmd);
    if (pmd_devmap(pmd, k.migration_pmd_layout) || pmd_trans_huge(pmd)) {
      const Pmd again = k.read_pmd(mm, slot, "hmm_vma_walk_pmd: pmd_read_atomic(pmdp)");
      if (!pmd_devmap(again, k.migration_pmd_layout) && !pmd_trans_huge(again)) continue;  // goto again
      return hmm_vma_handle_pmd(k, w, addr, end, again);
    }
    if (pmd_bad(pmd)) return hmm_pfns_bad(k, w, start, end, pmd);
    return walk_ptes(k, w, start, end);
  }
}

// mm/hmm.c v4.19: hmm_vma_walk_pmd (d08faca018c4 is a fix toggle of the 4.19 era)
int hmm_vma_walk_pmd(Kernel& k, HmmVmaWalk& w, PmdSlot& slot, std::uint64_t start, std::uint64_t end) {
  checker::Frame frame("hmm_vma_walk_pmd");
  if (k.config.applied(Fix::HmmMigrationPmd)) return hmm_vma_walk_pmd_fixed(k, w, slot, start, end);
  return hmm_vma_walk_pmd_reverted(k, w, slot, start, end);
}

/// range->valid = true; list_add_rcu(&range->list, &hmm->ranges), under hmm->lock.
void hmm_range_register(Kernel& k, HmmRange& r) {
  Hmm& hmm = *k.hmm_of(r.mm);
  hmm.lock->lock("hmm_vma_fault");
  r.valid = true;
  r.on_list = true;
  checker::note([&] { return "range " + r.name + " valid, on hmm->ranges"; });
  hmm.lock->unlock("hmm_vma_fault");
}

v4_19::MmWalk make_walk(Kernel& k, HmmVmaWalk& w) {
  v4_19::MmWalk walk;
  walk.mm = w.range->mm;
  walk.pmd_entry = [&k, &w](PmdSlot& slot, std::uint64_t a, std::uint64_t e) { return hmm_vma_walk_pmd(k, w, slot, a, e); };
  walk.pte_hole = [&k, &w](std::uint64_t a, std::uint64_t e) { return hmm_vma_walk_hole(k, w, a, e); };
  return walk;
}

// mm/hmm.c v4.19: hmm_vma_range_done (the list removal; returns range->valid)
bool hmm_vma_range_done(Kernel& k, HmmRange& r) {
  checker::Frame frame("hmm_vma_range_done");
  Hmm& hmm = *k.hmm_of(r.mm);
  hmm.lock->lock("hmm_vma_range_done");
  r.on_list = false;
  hmm.lock->unlock("hmm_vma_range_done");
  return r.valid;
}

void record_return(Kernel& k, HmmRange& r, bool fault_mode, int ret) {
  r.returned = true;
  r.fault_mode = fault_mode;
  r.ret = ret;
  checker::note([&] {
    std::string s = std::string(fault_mode ? "hmm_vma_fault" : "hmm_vma_get_pfns") + "(" + r.name + ") = " +
                    // range->valid only once hmm_vma_range_done read it (a step under hmm->lock): until
                    // then the driver has not looked, and an invalidation may still come.
                    std::to_string(ret) + (r.on_list ? ":" : r.valid ? ", valid:" : ", invalid:");
    for (std::uint64_t v : r.pfns) s += " [" + hmm_pfn_string(k, v) + "]";
    return s;
  });
}

}  // namespace

// mm/hmm.c v4.19: hmm_vma_get_pfns (argument checks done when the scenario is loaded)
int hmm_vma_get_pfns(Kernel& k, std::uint32_t index) {
  checker::Frame frame("hmm_vma_get_pfns");
  HmmRange& r = k.hmm_ranges.at(index);
  hmm_range_register(k, r);
  HmmVmaWalk w;
  w.range = &r;
  w.fault = false;
  v4_19::MmWalk walk = make_walk(k, w);
  v4_19::walk_page_range(k, r.start, r.end, walk);
  record_return(k, r, false, 0);
  return 0;
}

// mm/hmm.c v4.19: hmm_vma_fault (argument checks done when the scenario is loaded)
int hmm_vma_fault(Kernel& k, std::uint32_t index, bool block) {
  checker::Frame frame("hmm_vma_fault");
  HmmRange& r = k.hmm_ranges.at(index);
  hmm_range_register(k, r);
  HmmVmaWalk w;
  w.range = &r;
  w.fault = true;
  w.block = block;
  w.last = r.start;
  v4_19::MmWalk walk = make_walk(k, w);
  std::uint64_t start = r.start;
  int ret;
  do {
    ret = v4_19::walk_page_range(k, start, r.end, walk);
    start = w.last;
  } while (ret == -kEAGAIN);
  if (ret) {
    for (std::uint64_t a = w.last; a < r.end; a += kPageSize) r.pfns[pfn_index(r, a)] = HMM_PFN_NONE;  // hmm_pfns_clear
    hmm_vma_range_done(k, r);
  }
  record_return(k, r, true, ret);
  return ret;
}

}  // namespace model
