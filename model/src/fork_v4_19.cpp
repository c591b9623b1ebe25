// fork_v4_19.cpp: kernel 4.19's fork of an address space (kernel/fork.c v4.19:
// dup_mmap; mm/memory.c v4.19: copy_page_range, copy_pmd_range, copy_pte_range)
// down to the pmd level. What 4.19 does and 3.9 did not: the mmu notifier
// bracket around a COW vma's copy (an HMM mirror of the parent sees it
// invalidated), a huge pmd copied by copy_huge_pmd (huge_memory.cpp) under both
// pmd locks, a pmd migration entry copied read-only, and each table's own ptl.
// The pieces the eras share (dup_vma with anon_vma_fork, copy_one_pte,
// flush_tlb_mm) are fork.cpp's.
// Yield points: the two mmap_sem acquires, the root anon_vma lock, the notifier
// steps, the lockless read of each parent pmd, the pmd locks and ptls, each
// pmd/pte write and page-count change, the releases.
// Invariant: every pmd and pte of the child is written under its lock with
// both mmap_sems held for write, and only after the child's vma is on the
// parent's anon_vma chain (an rmap walk of a parent's page then finds it).
#include "model/fork.h"

#include <algorithm>

#include "model/hmm.h"
#include "model/huge_memory.h"
#include "model/memory.h"

namespace model::v4_19 {

namespace {

using WrProtected = std::vector<std::pair<std::uint64_t, PageId>>;

// mm/memory.c v4.19: copy_pte_range (one table: the child's ptl, then the parent's nested)
void copy_pte_range(Kernel& k, std::uint32_t child_vma, std::uint32_t parent_vma, std::uint64_t addr,
                    std::uint64_t end, WrProtected& wrprotected) {
  checker::Frame frame("copy_pte_range");
  const std::uint32_t pmm = k.vmas.at(parent_vma).mm, cmm = k.vmas.at(child_vma).mm;
  // pte_alloc_map_lock(dst): the child's table is declared (fork_layout_error), no __pte_alloc.
  checker::Spinlock& dst_ptl = k.pte_lockptr(cmm, addr);
  checker::Spinlock& src_ptl = k.pte_lockptr(pmm, addr);
  dst_ptl.lock("copy_pte_range");
  src_ptl.lock("copy_pte_range");  // spin_lock_nested(src_ptl, SINGLE_DEPTH_NESTING)
  MmStruct& pm = k.mms[pmm];
  for (auto it = pm.ptes.lower_bound(addr); it != pm.ptes.end() && it->first < end; ++it) {
    if (it->second.pte.is_none()) continue;  // pte_none(*src_pte)
    copy_one_pte(k, child_vma, parent_vma, it->second, *k.pte_slot(cmm, it->first), &wrprotected);
  }
  src_ptl.unlock("copy_pte_range");
  dst_ptl.unlock("copy_pte_range");  // pte_unmap_unlock(orig_dst_pte, dst_ptl)
}

// mm/memory.c v4.19: copy_pmd_range (the parent's pmds under the vma, each read locklessly)
void copy_pmd_range(Kernel& k, std::uint32_t child_vma, std::uint32_t parent_vma, WrProtected& wrprotected) {
  checker::Frame frame("copy_pmd_range");
  const Vma& pv = k.vmas.at(parent_vma);
  const std::uint32_t pmm = pv.mm, cmm = k.vmas.at(child_vma).mm;
  MmStruct& pm = k.mms[pmm];
  for (auto it = pm.pmds.lower_bound(pmd_base(pv.start)); it != pm.pmds.end() && it->first < pv.end; ++it) {
    PmdSlot& src = it->second;
    const std::uint64_t addr = std::max(src.address, pv.start);
    const std::uint64_t next = std::min(src.address + kPmdSize, pv.end);  // pmd_addr_end(addr, end)
    Pmd pmd = k.read_pmd(pmm, src, "copy_pmd_range");  // *src_pmd, no lock
    if (is_swap_pmd(pmd) || pmd_trans_huge(pmd) || pmd_devmap(pmd, k.migration_pmd_layout)) {
      // VM_BUG_ON_VMA(next-addr != HPAGE_PMD_SIZE, vma): a huge pmd lies inside its vma (scenario loading).
      // dst_pmd = pmd_alloc(dst_mm, ..): the child's pmd slot is declared none (fork_layout_error; the
      // parent's pmd was huge at load, and nothing makes a none or table pmd huge in the model).
      PmdSlot* dst = k.pmd_slot(cmm, addr);
      if (!dst) model_limit("copy_huge_pmd into a child pmd the scenario did not declare");
      if (copy_huge_pmd(k, cmm, pmm, *dst, src) == 0) {
        // pmdp_set_wrprotect left a writable translation in the TLB until flush_tlb_mm
        if (pmd_trans_huge(pmd) && pmd.write) wrprotected.emplace_back(src.address, pmd.page);
        continue;
      }
      // -EAGAIN: not huge under the lock; fall through, pmd_none_or_clear_bad reads it again.
      pmd = k.read_pmd(pmm, src, "pmd_none_or_clear_bad");
    }
    // pmd_none_or_clear_bad(src_pmd): a table pmd cannot change while both mmap_sems are
    // held for write, so its second read is the first one.
    if (!pmd.is_table()) continue;
    copy_pte_range(k, child_vma, parent_vma, addr, next, wrprotected);
  }
}

// mm/memory.c v4.19: copy_page_range (an anonymous vma: no hugetlb, no VM_PFNMAP)
void copy_page_range(Kernel& k, std::uint32_t child_vma, std::uint32_t parent_vma, WrProtected& wrprotected) {
  checker::Frame frame("copy_page_range");
  const Vma& pv = k.vmas.at(parent_vma);
  // "Don't copy ptes where a page fault will fill them correctly."
  if (!pv.has_anon_vma()) return;
  // "We need to invalidate the secondary MMU mappings only when there could be a
  // permission downgrade on the ptes of the parent mm."
  const bool is_cow = !(pv.flags & VM_SHARED) && (pv.flags & VM_WRITE);  // is_cow_mapping
  const std::uint32_t pmm = pv.mm;
  const std::uint64_t start = pv.start, end = pv.end;
  if (is_cow) mmu_notifier_invalidate_range_start(k, pmm, start, end);
  copy_pmd_range(k, child_vma, parent_vma, wrprotected);
  if (is_cow) mmu_notifier_invalidate_range_end(k, pmm, start, end);
}

}  // namespace

// kernel/fork.c v4.19: dup_mmap (no VM_DONTCOPY, VM_WIPEONFORK, uprobes, userfaultfd or khugepaged_fork)
int dup_mmap(Kernel& k, std::uint32_t child, std::uint32_t parent) {
  checker::Frame frame("dup_mmap");
  WrProtected wrprotected;
  MmStruct& pm = k.mms.at(parent);
  MmStruct& cm = k.mms.at(child);
  pm.mmap_sem->down_write("dup_mmap");  // down_write_killable(&oldmm->mmap_sem)
  cm.mmap_sem->down_write("dup_mmap");  // down_write_nested(SINGLE_DEPTH_NESTING)
  ksm_fork(k, child, parent);  // retval = ksm_fork(mm, oldmm): __ksm_enter when MMF_VM_MERGEABLE
  for (std::size_t i = 0; i < pm.vmas.size(); ++i) {
    const std::uint32_t pv = pm.vmas[i], cv = cm.vmas[i];
    dup_vma(k, cv, pv);  // vm_area_dup, anon_vma_fork
    copy_page_range(k, cv, pv, wrprotected);
  }
  cm.mmap_sem->up_write("dup_mmap");
  flush_tlb_mm(k, parent, wrprotected);
  pm.mmap_sem->up_write("dup_mmap");
  return 0;
}

std::string fork_pmd_layout_error(const Kernel& k, std::uint32_t child, std::uint32_t parent) {
  const MmStruct& p = k.mms.at(parent);
  for (std::uint32_t v : p.vmas) {
    const Vma& pv = k.vmas[v];
    if (!pv.has_anon_vma()) continue;  // copy_page_range copies nothing there
    for (auto it = p.pmds.lower_bound(pmd_base(pv.start)); it != p.pmds.end() && it->first < pv.end; ++it) {
      const Pmd& pmd = it->second.pmd;
      const PmdSlot* cs = k.pmd_slot(child, it->first);
      const std::string at = k.where(child, it->first);
      if (pmd.is_none()) continue;
      if (pmd.is_table()) {
        if (!cs || !cs->pmd.is_table())
          return "the child's pmd at " + at + " must be declared a table (\"pmd\": \"table\"), as the parent's is: "
                 "copy_pte_range's __pte_alloc is not modelled";
        continue;
      }
      if (!cs || !cs->pmd.is_none())
        return "the child's pmd at " + at + " must be declared none (\"pmd\": \"none\"): copy_huge_pmd sets it to "
               "the parent's huge pmd";
    }
  }
  return "";
}

// mm/huge_memory.c v4.19: copy_huge_pmd's result, read off the initial state
std::optional<Pmd> forked_huge_pmd(const Kernel& k, std::uint32_t parent, std::uint32_t child, std::uint64_t addr) {
  const PmdSlot* p = k.pmd_slot(parent, addr);
  const PmdSlot* c = k.pmd_slot(child, addr);
  if (!p || !c || !c->pmd.is_none()) return std::nullopt;
  if (p->pmd.kind == Pmd::Kind::Huge && k.is_huge_zero_pmd(p->pmd)) return Pmd::huge(p->pmd.page, false, false);
  if (p->pmd.kind == Pmd::Kind::Huge) return Pmd::huge(p->pmd.page, false, p->pmd.dirty);
  if (p->pmd.kind == Pmd::Kind::Migration) return Pmd::migration(p->pmd.page, false);
  return std::nullopt;
}

}  // namespace model::v4_19
