// mremap_v4_19.cpp: kernel 4.19's sys_mremap -> mremap_to -> move_vma,
// move_page_tables, move_ptes (mm/mremap.c v4.19) and move_huge_pmd
// (mm/huge_memory.c v4.19): the 4.19 `mremap` actor. copy_vma is the eras' shared
// one (mremap.cpp); the old vma goes with 4.19's do_munmap (mmap_v4_19.cpp).
//
// Yield points: mmap_sem (for write, the whole call); the mmu notifier's range
// start and end around the move (an HMM mirror's overlapping ranges are
// invalidated at the end); each lockless read of an old pmd; the pmd lock of
// move_huge_pmd and its two pmd writes; the anon_vma rwsem when need_rmap_locks;
// the old table's ptl and the new one's (nested when another table); each pte
// move (ptep_get_and_clear, set_pte_at); the TLB flushes (a step on the page's
// data when a scenario stores); then do_munmap of the old vma.
// With eb66ae030829 (in the 4.19 tree on disk, v4.20 upstream; Fix::MremapTlbFlush):
// move_ptes flushes the old range when any present pte moved, before either ptl is
// dropped; move_huge_pmd flushes a present pmd under the pmd lock. Reverted (4.19.0,
// from v4.9's 5d1904204c99): move_ptes flushes only when a moved present pte was
// dirty, after dropping the new table's ptl and before the old one's; otherwise
// move_page_tables flushes the whole old range after the loop, before the notifier's
// range end. move_huge_pmd likewise (the model's huge pmd has no dirty bit: a
// writable one stands for a dirty one, see FIDELITY.md).
// Invariant: a pmd or pte changes only under its lock; the receiving vma is in the
// old vma's anon_vmas before the first entry moves (copy_vma), so the rmap walks of
// migration find each page at its old or its new place; a huge pmd moves whole (a
// partial move needs split_huge_pmd: refused at load by mremap_input_error).
#include <algorithm>

#include "model/hmm.h"
#include "model/huge_memory.h"
#include "model/ksm.h"
#include "model/memory.h"
#include "model/mmap_v4_19.h"
#include "model/mremap.h"
#include "model/user_access.h"

namespace model::v4_19 {

using checker::FailureKind;

namespace {

/// A present entry moved whose TLB flush is still owed: its old address range and page.
struct Moved {
  std::uint64_t start = 0, end = 0;
  PageId page = kNoPage;
};

/// The eras' TLB flush of what moved (flush_tlb_range of the old range: one step per page,
/// each dropping the stores' cached translations of its old addresses).
void flush_moved(Kernel& k, std::uint32_t mm, const std::vector<Moved>& moved, const char* label) {
  for (const Moved& m : moved) flush_tlb_range(k, mm, m.start, m.end, m.page, label);
}

// mm/mremap.c v4.19: take_rmap_locks (no vm_file: the anon_vma root's rwsem for write)
checker::RwSem* take_rmap_locks(Kernel& k, std::uint32_t vma, const char* who) {
  const Vma& v = k.vmas.at(vma);
  if (!v.has_anon_vma()) return nullptr;
  checker::RwSem* lock = &*k.anon_vmas.at(k.anon_vmas.at(v.anon_vma).root).lock;
  lock->down_write(who);  // anon_vma_lock_write
  return lock;
}

// mm/huge_memory.c v4.19: move_huge_pmd (old and new pmd lock: the model's mm has one pmd
// page, so pmd_lockptr gives one lock and spin_lock_nested is not taken; pmd_move_must_withdraw
// is false for equal locks on x86; move_soft_dirty_pmd not modelled). `owed` collects a moved
// THP whose flush the reverted fix leaves to move_page_tables.
bool move_huge_pmd(Kernel& k, std::uint32_t vma, std::uint64_t old_addr, std::uint64_t new_addr,
                   std::uint64_t old_end, PmdSlot& old_pmd, PmdSlot& new_pmd, std::vector<Moved>& owed) {
  checker::Frame frame("move_huge_pmd");
  const std::uint32_t mm = k.vmas.at(vma).mm;
  if (old_addr % kPmdSize || new_addr % kPmdSize || old_end - old_addr < kPmdSize) return false;
  // "The destination pmd shouldn't be established": only this thread (mmap_sem for write)
  // fills the reserved target, so the unlocked look is no step.
  if (!new_pmd.pmd.is_none()) {
    checker::fail(FailureKind::WarnOn, "!pmd_none(*new_pmd)");
    return false;
  }
  checker::Spinlock* ptl = pmd_trans_huge_lock(k, mm, old_pmd);  // __pmd_trans_huge_lock
  if (!ptl) return false;
  const Pmd pmd = old_pmd.pmd;  // pmdp_huge_get_and_clear: read and cleared in one step under the lock
  k.set_pmd(mm, old_pmd, Pmd::none(), "move_huge_pmd: pmdp_huge_get_and_clear");
  // eb66ae030829: every present pmd; 4.19.0: a present and dirty one (writable, in the model)
  const bool fixed = k.config.applied(Fix::MremapTlbFlush);
  const bool force_flush = pmd_present(pmd) && (fixed || pmd_write(pmd));
  if (!new_pmd.pmd.is_none()) checker::fail(FailureKind::BugOn, "!pmd_none(*new_pmd)");  // VM_BUG_ON
  k.set_pmd(mm, new_pmd, pmd, "move_huge_pmd: set_pmd_at");
  const std::vector<Moved> thp{{old_addr, old_addr + kPmdSize, pmd.page}};
  if (force_flush) {
    // flush_tlb_range(vma, old_addr, old_addr + PMD_SIZE) under the pmd lock (both eras: the
    // reverted one drops new_ptl first, the same lock here)
    flush_moved(k, mm, thp, "move_huge_pmd: flush_tlb_range");
    move_user_data(k, mm, old_addr, old_addr + kPmdSize, new_addr);
  } else if (pmd_present(pmd)) {
    owed.push_back(thp.front());  // 4.19.0: *need_flush = true
  } else {
    move_user_data(k, mm, old_addr, old_addr + kPmdSize, new_addr);  // a migration entry: no translation cached
  }
  ptl->unlock("move_huge_pmd");
  return true;
}

// mm/mremap.c v4.19: move_ptes (need_rmap_locks: the anon_vma for write; the old table's
// ptl, the new table's nested when it is another; with eb66ae030829 flush_tlb_range of the
// moved range before either ptl is dropped when a present pte moved; 4.19.0 as commented)
void move_ptes(Kernel& k, std::uint32_t vma, std::uint64_t old_addr, std::uint64_t old_end, std::uint32_t new_vma,
               std::uint64_t new_addr, bool need_rmap_locks, std::vector<Moved>& owed) {
  checker::Frame frame("move_ptes");
  const std::uint64_t old_start = old_addr, new_start = new_addr;
  const std::uint32_t mm = k.vmas.at(vma).mm;
  const bool fixed = k.config.applied(Fix::MremapTlbFlush);
  checker::RwSem* rmap = need_rmap_locks ? take_rmap_locks(k, vma, "move_ptes") : nullptr;
  checker::Spinlock& old_ptl = k.pte_lockptr(mm, old_addr);
  old_ptl.lock("move_ptes");  // pte_offset_map_lock
  checker::Spinlock& new_ptl = k.pte_lockptr(k.vmas.at(new_vma).mm, new_addr);
  if (&new_ptl != &old_ptl) new_ptl.lock("move_ptes");  // spin_lock_nested(SINGLE_DEPTH_NESTING)
  bool force_flush = false;
  std::vector<Moved> moved;
  for (; old_addr < old_end; old_addr += kPageSize, new_addr += kPageSize) {
    PteSlot* from = k.pte_slot(mm, old_addr);
    if (!from || from->pte.is_none()) continue;  // pte_none(*old_pte), read under the ptl
    const Pte pte = k.ptep_modify(mm, *from, [](const Pte&) { return Pte::none(); }, "move_ptes");  // ptep_get_and_clear
    // eb66ae030829: "If we are remapping a valid PTE, make sure to flush TLB before we drop
    // the PTL"; 4.19.0: only a dirty one ("or we may race with page_mkclean()")
    if (pte.is_present() && (fixed || pte.dirty)) force_flush = true;
    if (pte.is_present()) moved.push_back({old_addr, old_addr + kPageSize, pte.page});
    k.set_pte(mm, *k.pte_slot(mm, new_addr), pte, "move_ptes");  // move_pte (nothing on x86), set_pte_at
  }
  if (fixed && force_flush) flush_moved(k, mm, moved, "move_ptes: flush_tlb_range");  // under both ptls
  if (fixed) move_user_data(k, mm, old_start, old_end, new_start);
  if (&new_ptl != &old_ptl) new_ptl.unlock("move_ptes");
  if (!fixed) {
    // 4.19.0: if (force_flush) flush_tlb_range(vma, old_end - len, old_end); else *need_flush = true;
    // under the old ptl only: migration may unmap and free a page at its new pte meanwhile
    if (force_flush) {
      flush_moved(k, mm, moved, "move_ptes: flush_tlb_range");
      move_user_data(k, mm, old_start, old_end, new_start);
    } else {
      owed.insert(owed.end(), moved.begin(), moved.end());
    }
  }
  old_ptl.unlock("move_ptes");  // pte_unmap_unlock
  if (rmap) rmap->up_write("move_ptes");  // drop_rmap_locks
}

// mm/mremap.c v4.19: move_page_tables (flush_cache_range is nothing on x86; the notifier's
// range start/end around the loop; get_old_pmd's pmd_none and the huge tests as one lockless
// read of the old pmd; alloc_new_pmd and pte_alloc find the pmd mremap_reserve populated;
// no LATENCY_LIMIT in 4.19)
std::uint64_t move_page_tables(Kernel& k, std::uint32_t vma, std::uint64_t old_addr, std::uint32_t new_vma,
                               std::uint64_t new_addr, std::uint64_t len, bool need_rmap_locks) {
  checker::Frame frame("move_page_tables");
  const std::uint32_t mm = k.vmas.at(vma).mm;
  const std::uint64_t old_end = old_addr + len, old_start = old_addr, new_start = new_addr;
  mmu_notifier_invalidate_range_start(k, mm, old_start, old_end);
  std::vector<Moved> owed;  // 4.19.0's need_flush: the present entries moved without a flush
  std::uint64_t extent = 0;
  for (; old_addr < old_end; old_addr += extent, new_addr += extent) {
    extent = std::min(pmd_base(old_addr) + kPmdSize - old_addr, old_end - old_addr);
    PmdSlot* old_pmd = k.pmd_slot(mm, old_addr);  // get_old_pmd
    if (!old_pmd) continue;
    const Pmd seen = k.read_pmd(mm, *old_pmd, "move_page_tables");
    if (pmd_none(seen)) continue;
    PmdSlot* new_pmd = k.pmd_slot(mm, new_addr);  // alloc_new_pmd
    if (!new_pmd) model_limit("mremap: a target pmd mremap_reserve did not populate");
    if (is_swap_pmd(seen) || pmd_trans_huge(seen) || pmd_devmap(seen, k.migration_pmd_layout)) {
      if (extent == kPmdSize) {
        checker::RwSem* rmap = need_rmap_locks ? take_rmap_locks(k, vma, "move_page_tables") : nullptr;
        const bool moved = move_huge_pmd(k, vma, old_addr, new_addr, old_end, *old_pmd, *new_pmd, owed);
        if (rmap) rmap->up_write("move_page_tables");  // drop_rmap_locks
        if (moved) continue;
      }
      model_limit("split_huge_pmd (mremap of part of a huge pmd)");  // refused at load
    }
    extent = std::min(extent, pmd_base(new_addr) + kPmdSize - new_addr);
    v4_19::move_ptes(k, vma, old_addr, old_addr + extent, new_vma, new_addr, need_rmap_locks, owed);
  }
  if (!k.config.applied(Fix::MremapTlbFlush)) {
    // 4.19.0: if (need_flush) flush_tlb_range(vma, old_end - len, old_addr), every ptl dropped
    flush_moved(k, mm, owed, "move_page_tables: flush_tlb_range");
    move_user_data(k, mm, old_start, old_end, new_start);
  }
  mmu_notifier_invalidate_range_end(k, mm, old_start, old_end);
  return len;
}

}  // namespace

// mm/mremap.c v4.19: move_vma (the map_count check and accounting not modelled; ksm_madvise
// (MADV_UNMERGEABLE) of the old range into a local vm_flags, as in 3.9, through 4.19's break_ksm;
// copy_vma; move_page_tables; do_munmap of the old range)
long move_vma(Kernel& k, std::uint32_t vma, std::uint64_t old_addr, std::uint64_t old_len, std::uint64_t new_addr,
              std::uint32_t new_slot) {
  checker::Frame frame("move_vma");
  const std::uint32_t mm = k.vmas.at(vma).mm;
  // mm/ksm.c v4.19: ksm_madvise(MADV_UNMERGEABLE): a KSM page keeps its rmap_item's address,
  // which the move would leave stale for rmap_walk_ksm ("ksm: prevent mremap move poisoning")
  if ((k.vmas.at(vma).flags & VM_MERGEABLE) && k.vmas.at(vma).has_anon_vma()) {
    const int err = unmerge_ksm_pages(k, vma, old_addr, old_addr + old_len);
    if (err) return err;
  }
  const std::uint64_t new_pgoff = k.vmas.at(vma).linear_page_index(old_addr);
  bool need_rmap_locks = false;
  const std::uint32_t new_vma = copy_vma(k, vma, new_slot, new_pgoff, need_rmap_locks);
  v4_19::move_page_tables(k, vma, old_addr, new_vma, new_addr, old_len, need_rmap_locks);
  v4_19::do_munmap(k, mm, old_addr);
  return static_cast<long>(new_addr);
}

std::string mremap_input_error(const Kernel& k, std::uint32_t mm, const Vma& old, std::uint64_t new_addr) {
  const MmStruct& m = k.mms.at(mm);
  const std::uint64_t len = old.end - old.start;
  for (const auto& [base, slot] : m.pmds) {
    if (base < old.start || base >= old.end || slot.pmd.is_none() || slot.pmd.is_table()) continue;
    if ((new_addr + (base - old.start)) % kPmdSize)
      return "the huge pmd " + k.where(mm, base) + " = " + k.pmd_str(slot.pmd) + " would move to " +
             k.where(mm, new_addr + (base - old.start)) +
             ", not 2 MiB aligned: move_huge_pmd declines and split_huge_pmd is not modelled in kernel 4.19";
  }
  for (auto it = m.pmds.lower_bound(pmd_base(new_addr)); it != m.pmds.end() && it->first < new_addr + len; ++it)
    if (!it->second.pmd.is_table())
      return "the pmd over " + k.where(mm, it->first) + " in the new range is " + k.pmd_str(it->second.pmd) +
             ", not a table of ptes (leave it out: mremap_reserve populates the target)";
  return "";
}

}  // namespace model::v4_19
