// fork.cpp: dup_mmap (kernel/fork.c v3.9 = v3.8), copy_page_range /
// copy_one_pte (mm/memory.c v3.9), ksm_fork (include/linux/ksm.h v3.9) and
// __ksm_enter (mm/ksm.c v3.9; v3.8 / cbf86cfe04a6/2 reverted: always behind the cursor).
// copy_one_pte, dup_vma (anon_vma_fork) and flush_tlb_mm serve kernel 4.19's
// fork too (fork_v4_19.cpp), where the kernel does the same.
//
// Yield points: the two mmap_sem acquires, the unlocked ksm_run read and the
// list insert under ksm_mmlist_lock, the anon_vma lock, both ptls, each pte
// write and page-count change, the releases.
// Invariant: the child is on the KSM list before any of its ptes is copied.
#include "model/fork.h"

#include "model/kernel_config.h"
#include "model/memory.h"
#include "model/swap_state.h"
#include "model/user_access.h"
#include "model/v2_6_33.h"

namespace model {

using checker::AccessKind;

std::string fork_layout_error(const Kernel& k, std::uint32_t child, std::uint32_t parent) {
  const MmStruct& c = k.mms.at(child);
  const MmStruct& p = k.mms.at(parent);
  if (child == parent) return "an mm cannot fork into itself";
  if (c.mmf_vm_mergeable) return "the child " + c.name + " already has an mm_slot";
  if (c.vmas.size() != p.vmas.size())
    return "the child " + c.name + " must declare the parent's " + std::to_string(p.vmas.size()) + " vmas";
  for (std::size_t i = 0; i < p.vmas.size(); ++i) {
    const Vma& pv = k.vmas[p.vmas[i]];
    const Vma& cv = k.vmas[c.vmas[i]];
    if (pv.start != cv.start || pv.end != cv.end) return "vma " + std::to_string(i) + " of the child differs in range";
    if (pv.has_anon_vma() && !cv.has_anon_vma()) return "vma " + std::to_string(i) + " of the child needs an anon_vma";
  }
  for (const auto& [addr, slot] : c.ptes)
    if (!slot.pte.is_none()) return "the child's pte at " + k.where(child, addr) + " must be none";
  for (const auto& [addr, slot] : p.ptes)
    if (!c.ptes.count(addr)) return "the child needs a pte slot (none) at " + k.where(child, addr);
  if (k.config.era == Era::V4_19) return v4_19::fork_pmd_layout_error(k, child, parent);
  return "";
}

// mm/ksm.c v3.9, v4.19: __ksm_enter (revert variant: mm/ksm.c v3.8, which is also the v2.6.33 form;
// 4.19 has cbf86cfe04a6, outside its era's fix catalogue)
void ksm_enter(Kernel& k, std::uint32_t mm) {
  KsmState& ksm = k.ksm;
  ksm.ksm_mmlist_lock->lock("__ksm_enter");
  // insert_to_mm_slots_hash; then the unlocked read of ksm_run (cbf86cfe04a6/2).
  std::size_t at = ksm.scan_cursor;  // list_add_tail(.., &ksm_scan.mm_slot->mm_list): just behind the cursor
  if (k.config.era == Era::V4_19 || k.config.applied(Fix::ForkTailInsert)) {
    checker::announce(ksm.run_obj, AccessKind::Read, "__ksm_enter");
    if (ksm.ksm_run & KSM_RUN_UNMERGE) at = ksm.mm_slots.size();  // list_add_tail(.., &ksm_mm_head.mm_list)
  }
  ksm.mm_slots.insert(ksm.mm_slots.begin() + static_cast<std::ptrdiff_t>(at), MmSlot{mm, {}});
  if (at <= ksm.scan_cursor) ++ksm.scan_cursor;  // the cursor keeps pointing at the same slot (or the head)
  std::string order;
  for (const MmSlot& s : ksm.mm_slots) order += (order.empty() ? "" : ", ") + k.mms[s.mm].name;
  checker::note([&] { return std::string("__ksm_enter(" + k.mms[mm].name + "): mm list [" + order + "], cursor " +
                (ksm.scan_cursor < ksm.mm_slots.size() ? k.mms[ksm.mm_slots[ksm.scan_cursor].mm].name
                                                       : std::string("&ksm_mm_head"))); });
  ksm.ksm_mmlist_lock->unlock("__ksm_enter");
  k.mms[mm].mmf_vm_mergeable = true;  // set_bit(MMF_VM_MERGEABLE)
  ++k.mms[mm].mm_count;               // atomic_inc(&mm->mm_count): the slot's reference
}

// include/linux/ksm.h v2.6.33, v3.9: ksm_fork
void ksm_fork(Kernel& k, std::uint32_t child, std::uint32_t parent) {
  checker::Frame frame("ksm_fork");
  if (k.mms.at(parent).mmf_vm_mergeable) ksm_enter(k, child);
}

namespace {

// mm/memory.c v2.6.33, v3.9, v4.19: copy_one_pte of a present pte (the eras agree): for a
// COW mapping ptep_set_wrprotect of the parent's (an atomic clear_bit) and pte_wrprotect of
// the value read; the child's copy pte_mkold (the parent keeps its young and dirty bits; a
// private mapping's child keeps the dirty bit too: pte_mkclean is for VM_SHARED only);
// get_page + page_dup_rmap unless it is the zero page.
void copy_present_pte(Kernel& k, std::uint32_t pmm, std::uint32_t cmm, PteSlot& pslot, PteSlot& cslot, bool cow,
                      std::vector<std::pair<std::uint64_t, PageId>>* wrprotected) {
  Pte pte = pslot.pte;
  if (cow && pte.write) {
    pte.write = false;  // pte_wrprotect(pte): the child's copy is the value read above
    k.ptep_modify(pmm, pslot, pte_wrprotect, "copy_one_pte");
    if (wrprotected) wrprotected->emplace_back(pslot.address, pte.page);  // the TLB keeps it writable until flush_tlb_mm
  }
  const Pte child_pte = pte_mkold(pte);
  if (k.vm_normal_page(pte) != kNoPage) {  // the zero page: no reference, no rmap
    k.touch_page(pte.page, "copy_one_pte");  // get_page + page_dup_rmap
    k.get_page_locked(pte.page);
    ++k.pages[pte.page].mapcount;
    checker::note([&] { return std::string("page_dup_rmap(" + k.page_name(pte.page) + ") -> mapcount " +
                  std::to_string(k.pages[pte.page].mapcount)); });
  }
  k.set_pte(cmm, cslot, child_pte, "copy_one_pte");
}

}  // namespace

// mm/memory.c v3.9, v4.19: copy_one_pte (the two eras agree on an anon private or
// shared vma: 4.19 adds only the device-private entries, not modelled). Both ptls held.
void copy_one_pte(Kernel& k, std::uint32_t child_vma, std::uint32_t parent_vma, PteSlot& pslot, PteSlot& cslot,
                  std::vector<std::pair<std::uint64_t, PageId>>* wrprotected) {
  checker::Frame frame("copy_one_pte");
  const Vma& pv = k.vmas.at(parent_vma);
  const Vma& cv = k.vmas.at(child_vma);
  const std::uint64_t addr = pslot.address;
  const bool cow = !(pv.flags & VM_SHARED) && (pv.flags & VM_WRITE);  // is_cow_mapping
  Pte pte = pslot.pte;
  if (pte.is_swap()) {
    swap_duplicate(k, pte.entry);
    k.set_pte(cv.mm, cslot, pte, "copy_one_pte");
  } else if (pte.is_migration()) {
    // swap_duplicate() does nothing for a migration entry; migration_entry_to_page()
    // (for the rss counter) has its BUG_ON(!PageLocked(p)); a write entry of a COW
    // mapping becomes read in the parent too (make_migration_entry_read). The child's
    // entry is found by remove_migration_ptes through the anon_vma chain set up above.
    Page& page = k.pages.at(pte.page);
    checker::announce(page.lock->id(), AccessKind::Read, "migration_entry_to_page");
    if (!page.PageLocked())
      checker::fail(checker::FailureKind::BugOn, "BUG_ON(!PageLocked(p)) in migration_entry_to_page: copy_one_pte of " +
                                                     k.where(pv.mm, addr) + " = " + k.pte_str(pte) + " but " +
                                                     page.name + " is not locked");
    if (pte.write && cow) {
      pte.write = false;
      k.set_pte(pv.mm, pslot, pte, "copy_one_pte");
    }
    k.set_pte(cv.mm, cslot, pte, "copy_one_pte");
  } else {
    copy_present_pte(k, pv.mm, cv.mm, pslot, cslot, cow, wrprotected);
  }
}

// mm/memory.c v3.9: copy_page_range -> copy_pte_range -> copy_one_pte (one page table; a migration entry is copied)
void copy_page_range(Kernel& k, std::uint32_t child_vma, std::uint32_t parent_vma,
                     std::vector<std::pair<std::uint64_t, PageId>>* wrprotected) {
  checker::Frame frame("copy_page_range");
  const Vma& pv = k.vmas.at(parent_vma);
  const Vma& cv = k.vmas.at(child_vma);
  MmStruct& pm = k.mms.at(pv.mm);
  MmStruct& cm = k.mms.at(cv.mm);
  cm.ptl->lock("copy_pte_range");  // pte_alloc_map_lock(dst)
  pm.ptl->lock("copy_pte_range");  // spin_lock_nested(src_ptl)
  k.kasan_page_table(pm, "copy_pte_range");
  k.kasan_page_table(cm, "copy_pte_range");
  for (auto& [addr, pslot] : pm.ptes) {
    if (addr < pv.start || addr >= pv.end || pslot.pte.is_none()) continue;
    copy_one_pte(k, child_vma, parent_vma, pslot, *k.pte_slot(cv.mm, addr), wrprotected);
  }
  pm.ptl->unlock("copy_pte_range");
  cm.ptl->unlock("copy_pte_range");
}

// kernel/fork.c v3.9, v4.19: dup_mmap's copy of one vma before its ptes (*tmp = *mpnt)
// and mm/rmap.c v3.9, v4.19: anon_vma_fork (anon_vma_clone and the child's own anon_vma
// linked, as one section under the root's lock: the two sections of the kernel have
// nothing between them another thread could see, the child's vma being unreachable).
void dup_vma(Kernel& k, std::uint32_t cv, std::uint32_t pv) {
  k.vmas[cv].flags = k.vmas[pv].flags;  // *tmp = *mpnt
  k.vmas[cv].pgoff = k.vmas[pv].pgoff;
  if (!k.vmas[pv].has_anon_vma()) return;  // "Don't bother if the parent process has no anon_vma here."
  // anon_vma_fork: the child's anon_vma chains to the parent's root.
  AnonVma& root = k.anon_vmas[k.anon_vmas[k.vmas[pv].anon_vma].root];
  root.lock->down_write("anon_vma_fork");
  AnonVma& cav = k.anon_vmas[k.vmas[cv].anon_vma];
  cav.root = k.anon_vmas[k.vmas[pv].anon_vma].root;
  ++root.refcount;  // get_anon_vma(anon_vma->root): the root is pinned while the child's anon_vma lives
  k.anon_vmas[k.vmas[pv].anon_vma].vmas.push_back(cv);  // anon_vma_chain to the parent's anon_vma
  root.lock->up_write("anon_vma_fork");
}

// kernel/fork.c v3.9, v4.19: dup_mmap's flush_tlb_mm(oldmm) after the child's up_write: a
// store of a parent's thread may write through a writable translation cached before
// copy_one_pte write-protected the pte, until here.
void flush_tlb_mm(Kernel& k, std::uint32_t parent, const std::vector<std::pair<std::uint64_t, PageId>>& wrprotected) {
  for (const auto& [addr, page] : wrprotected) {
    // 4.19: a huge pmd copy_huge_pmd write-protected (a THP mapped at its 2 MiB base): its 2 MiB
    const PmdSlot* pmd = k.pmd_slot(parent, addr);
    if (pmd && pmd->address == addr && pmd->pmd.kind == Pmd::Kind::Huge && pmd->pmd.page == page)
      flush_tlb_range(k, parent, addr, addr + kPmdSize, page, "flush_tlb_mm");
    else
      flush_tlb_page(k, parent, addr, page, "flush_tlb_mm");
  }
}

// kernel/fork.c v3.9 (= v3.8): dup_mmap
int dup_mmap(Kernel& k, std::uint32_t child, std::uint32_t parent) {
  checker::Frame frame("dup_mmap");
  std::vector<std::pair<std::uint64_t, PageId>> wrprotected;  // for flush_tlb_mm
  MmStruct& pm = k.mms.at(parent);
  MmStruct& cm = k.mms.at(child);
  pm.mmap_sem->down_write("dup_mmap");
  cm.mmap_sem->down_write("dup_mmap");  // down_write_nested(SINGLE_DEPTH_NESTING)
  ksm_fork(k, child, parent);
  for (std::size_t i = 0; i < pm.vmas.size(); ++i) {
    const std::uint32_t pv = pm.vmas[i], cv = cm.vmas[i];
    dup_vma(k, cv, pv);
    copy_page_range(k, cv, pv, &wrprotected);
  }
  cm.mmap_sem->up_write("dup_mmap");
  flush_tlb_mm(k, parent, wrprotected);
  pm.mmap_sem->up_write("dup_mmap");
  return 0;
}

// ===========================================================================
// v2.6.33: no anon_vma_chain yet (2.6.34): the child's vma joins the parent's
// anon_vma itself (anon_vma_link); copy_one_pte copies a migration entry.
// ===========================================================================
namespace v2_6_33 {

namespace {

// mm/memory.c v2.6.33: copy_page_range -> copy_pte_range -> copy_one_pte (one page table)
void copy_page_range(Kernel& k, std::uint32_t child_vma, std::uint32_t parent_vma,
                     std::vector<std::pair<std::uint64_t, PageId>>& wrprotected) {
  checker::Frame frame("copy_page_range");
  const Vma& pv = k.vmas.at(parent_vma);
  const Vma& cv = k.vmas.at(child_vma);
  MmStruct& pm = k.mms.at(pv.mm);
  MmStruct& cm = k.mms.at(cv.mm);
  cm.ptl->lock("copy_pte_range");
  pm.ptl->lock("copy_pte_range");
  const bool cow = !(pv.flags & VM_SHARED) && (pv.flags & VM_WRITE);  // is_cow_mapping
  for (auto& [addr, pslot] : pm.ptes) {
    if (addr < pv.start || addr >= pv.end) continue;
    Pte pte = pslot.pte;
    if (pte.is_none()) continue;
    PteSlot& cslot = *k.pte_slot(cv.mm, addr);
    if (pte.is_swap()) {
      swap_duplicate(k, pte.entry);
    } else if (pte.is_migration()) {
      // swap_duplicate() of a migration entry does nothing; a write entry becomes read in both.
      if (pte.write && cow) {
        pte.write = false;  // make_migration_entry_read
        k.set_pte(pv.mm, pslot, pte, "copy_one_pte");
      }
    } else {
      copy_present_pte(k, pv.mm, cv.mm, pslot, cslot, cow, &wrprotected);
      continue;
    }
    k.set_pte(cv.mm, cslot, pte, "copy_one_pte");
  }
  pm.ptl->unlock("copy_pte_range");
  cm.ptl->unlock("copy_pte_range");
}

}  // namespace

// kernel/fork.c v2.6.33: dup_mmap (anon_vma_link: the child's vma on the parent's anon_vma;
// flush_tlb_mm(oldmm) after the child's up_write, as in 3.9)
int dup_mmap(Kernel& k, std::uint32_t child, std::uint32_t parent) {
  checker::Frame frame("dup_mmap");
  std::vector<std::pair<std::uint64_t, PageId>> wrprotected;  // for flush_tlb_mm
  MmStruct& pm = k.mms.at(parent);
  MmStruct& cm = k.mms.at(child);
  pm.mmap_sem->down_write("dup_mmap");
  cm.mmap_sem->down_write("dup_mmap");
  ksm_fork(k, child, parent);
  for (std::size_t i = 0; i < pm.vmas.size(); ++i) {
    const std::uint32_t pv = pm.vmas[i], cv = cm.vmas[i];
    k.vmas[cv].flags = k.vmas[pv].flags;  // *tmp = *mpnt
    k.vmas[cv].pgoff = k.vmas[pv].pgoff;
    if (k.vmas[pv].has_anon_vma()) {
      // The vma declared for the child leaves its placeholder anon_vma (unreachable: nothing maps through it).
      if (k.vmas[cv].has_anon_vma()) std::erase(k.anon_vmas[k.vmas[cv].anon_vma].vmas, cv);
      const std::uint32_t av = k.vmas[pv].anon_vma;
      k.kasan_anon_vma(av, "anon_vma_link");
      AnonVma& a = k.anon_vmas[av];
      a.lock->down_write("anon_vma_link");  // spin_lock(&anon_vma->lock)
      k.vmas[cv].anon_vma = av;
      a.vmas.push_back(cv);  // list_add_tail(&vma->anon_vma_node, &anon_vma->head)
      a.lock->up_write("anon_vma_link");
    }
    v2_6_33::copy_page_range(k, cv, pv, wrprotected);
  }
  cm.mmap_sem->up_write("dup_mmap");
  flush_tlb_mm(k, parent, wrprotected);  // a step only when the scenario stores (user data)
  pm.mmap_sem->up_write("dup_mmap");
  return 0;
}

}  // namespace v2_6_33

}  // namespace model
