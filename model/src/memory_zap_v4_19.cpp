// memory_zap_v4_19.cpp: kernel 4.19's unmapping half of mm/memory.c: unmap_vmas,
// unmap_single_vma, unmap_page_range, zap_pmd_range, zap_pte_range,
// zap_page_range and free_pgtables (v4.19), shared by munmap, MADV_DONTNEED and
// exit (mmap_v4_19.cpp, madvise.cpp). The pte loop is the v3.9 one
// (zap_pte_entries, memory.cpp): the eras clear ptes alike; 4.19 takes the
// table's own ptl, goes through the pmd level first (zap_huge_pmd,
// huge_memory.cpp) and brackets the zap with the mmu notifier.
// Yield points: zap_pmd_range's lockless pmd reads, the pmd lock and the ptl,
// each pmd and pte cleared, the mapcount and reference steps, the notifier's
// hmm steps, unlink_anon_vmas' rwsem, tlb_finish_mmu's puts.
// Invariant: every path releases the locks it takes; a huge pmd is zapped only
// whole (zap_model_error refuses the rest at load).
#include "model/mmap_v4_19.h"

#include <algorithm>

#include "model/hmm.h"
#include "model/huge_memory.h"
#include "model/rmap.h"

namespace model::v4_19 {

namespace {

// mm/memory.c v4.19: zap_pte_range (pte_offset_map_lock: the table's own ptl)
void zap_pte_range(Kernel& k, MmuGather& tlb, std::uint32_t vma, std::uint64_t addr, std::uint64_t end) {
  checker::Frame frame("zap_pte_range");
  checker::Spinlock& ptl = k.pte_lockptr(k.vmas.at(vma).mm, addr);
  ptl.lock("zap_pte_range");
  zap_pte_entries(k, tlb, vma, addr, end);
  ptl.unlock("zap_pte_range");
}

// mm/memory.c v4.19: zap_pmd_range
void zap_pmd_range(Kernel& k, MmuGather& tlb, std::uint32_t vma, std::uint64_t addr, std::uint64_t end) {
  checker::Frame frame("zap_pmd_range");
  const std::uint32_t mm = k.vmas.at(vma).mm;
  do {
    const std::uint64_t next = std::min(pmd_base(addr) + kPmdSize, end);  // pmd_addr_end
    if (PmdSlot* slot = k.pmd_slot(mm, addr)) {
      const Pmd pmd = k.read_pmd(mm, *slot, "zap_pmd_range");
      bool table = pmd.is_table();
      if (is_swap_pmd(pmd) || pmd_trans_huge(pmd) || pmd_devmap(pmd, k.migration_pmd_layout)) {
        // Refused at load (zap_model_error): the split is not modelled.
        if (next - addr != kPmdSize) model_limit("__split_huge_pmd (a zap of part of a huge pmd)");
        // zap_huge_pmd fails only when the pmd is no longer huge under the lock: then
        // pmd_none_or_trans_huge_or_clear_bad's lockless re-read decides.
        if (!zap_huge_pmd(k, tlb, vma, *slot))
          table = k.read_pmd(mm, *slot, "pmd_none_or_trans_huge_or_clear_bad").is_table();
      }
      // A table pmd never changes in the model (no collapse, no freeing under a live
      // vma), so its pmd_none_or_trans_huge_or_clear_bad re-read is no step here.
      if (table) v4_19::zap_pte_range(k, tlb, vma, addr, next);
    }
    addr = next;  // cond_resched
  } while (addr != end);
}

// mm/memory.c v4.19: unmap_single_vma -> unmap_page_range (tlb_start_vma; the pgd, p4d and pud
// levels are always present in the model, so zap_pud_range reduces to zap_pmd_range)
void unmap_single_vma(Kernel& k, MmuGather& tlb, std::uint32_t vma, std::uint64_t start, std::uint64_t end) {
  checker::Frame frame("unmap_single_vma");
  const Vma& v = k.vmas.at(vma);
  const std::uint64_t s = std::max(start, v.start), e = std::min(end, v.end);
  if (s < e) {
    checker::Frame inner("unmap_page_range");
    zap_pmd_range(k, tlb, vma, s, e);
  }
}

}  // namespace

// mm/memory.c v4.19: unmap_vmas (mmu_notifier_invalidate_range_start/end around the zap)
void unmap_vmas(Kernel& k, MmuGather& tlb, const std::vector<std::uint32_t>& vmas, std::uint64_t start,
                std::uint64_t end) {
  checker::Frame frame("unmap_vmas");
  if (vmas.empty()) return;
  const std::uint32_t mm = k.vmas.at(vmas.front()).mm;
  mmu_notifier_invalidate_range_start(k, mm, start, end);
  for (std::uint32_t v : vmas) unmap_single_vma(k, tlb, v, start, end);
  mmu_notifier_invalidate_range_end(k, mm, start, end);
}

// mm/memory.c v4.19: zap_page_range (lru_add_drain, tlb_gather_mmu, update_hiwater_rss, the
// notifier's range start, unmap_single_vma, its end, tlb_finish_mmu)
void zap_page_range(Kernel& k, std::uint32_t vma, std::uint64_t start, std::uint64_t end) {
  checker::Frame frame("zap_page_range");
  const std::uint32_t mm = k.vmas.at(vma).mm;
  MmuGather tlb;
  inc_tlb_flush_pending(k, mm);  // tlb_gather_mmu
  v4_19::unmap_vmas(k, tlb, {vma}, start, end);
  tlb_finish_mmu(k, tlb);
  dec_tlb_flush_pending(k, mm);  // tlb_finish_mmu's end
}

// include/linux/mm_types.h v4.19: inc_tlb_flush_pending (atomic_inc: an update nobody reads back)
void inc_tlb_flush_pending(Kernel& k, std::uint32_t mm) {
  MmStruct& m = k.mms.at(mm);
  if (m.tlb_flush_pending_obj != checker::kNoObject)
    checker::announce(m.tlb_flush_pending_obj, checker::AccessKind::CommutingUpdate, "inc_tlb_flush_pending");
  ++m.tlb_flush_pending;
}

// include/linux/mm_types.h v4.19: dec_tlb_flush_pending (after the flush: atomic_dec)
void dec_tlb_flush_pending(Kernel& k, std::uint32_t mm) {
  MmStruct& m = k.mms.at(mm);
  if (m.tlb_flush_pending_obj != checker::kNoObject)
    checker::announce(m.tlb_flush_pending_obj, checker::AccessKind::CommutingUpdate, "dec_tlb_flush_pending");
  --m.tlb_flush_pending;
}

// include/linux/mm_types.h v4.19: mm_tlb_flush_pending (atomic_read(&mm->tlb_flush_pending) > 0)
bool mm_tlb_flush_pending(Kernel& k, std::uint32_t mm) {
  MmStruct& m = k.mms.at(mm);
  if (m.tlb_flush_pending_obj != checker::kNoObject)
    checker::announce(m.tlb_flush_pending_obj, checker::AccessKind::Read, "mm_tlb_flush_pending");
  return m.tlb_flush_pending > 0;
}

// mm/memory.c v4.19: free_pgtables (unlink_anon_vmas, unlink_file_vma: no file vmas); with
// free_page_table (exit_mmap's range covers the whole mm) free_pgd_range too: each pmd entry
// cleared (a Write step on it, as pmd_clear under free_pte_range) and its table page and the pmd
// page freed, so any later walk of mm is a use-after-free (Kernel::pte_slot, Kernel::read_pmd).
// munmap's range frees no table in the model (its neighbours may share them).
void free_pgtables(Kernel& k, const std::vector<std::uint32_t>& vmas, bool free_page_table) {
  checker::Frame frame("free_pgtables");
  for (std::uint32_t v : vmas) unlink_anon_vmas(k, v);
  if (!free_page_table || vmas.empty()) return;
  const std::uint32_t mm = k.vmas.at(vmas.front()).mm;
  MmStruct& m = k.mms.at(mm);
  for (auto& [addr, slot] : m.pmds) checker::announce(slot.obj, checker::AccessKind::Write, "free_pgd_range");
  m.pgtables_freed_at = Kernel::freed_by("free_pgtables");
  checker::note([&] { return "page tables of " + m.name + " freed"; });
}

std::string zap_model_error(const Kernel& k, std::uint32_t mm, std::uint64_t start, std::uint64_t end) {
  for (const auto& [base, slot] : k.mms.at(mm).pmds) {
    if (slot.pmd.is_none() || slot.pmd.is_table()) continue;
    if (base + kPmdSize <= start || base >= end) continue;
    if (base < start || base + kPmdSize > end)
      return "[" + k.where(mm, start) + ", " + k.where(mm, end) + ") covers only part of the huge pmd " +
             k.where(mm, base) + " = " + k.pmd_str(slot.pmd) +
             ": zap_pmd_range would __split_huge_pmd, which is not modelled in kernel 4.19 (zap the whole 2 MiB)";
  }
  return "";
}

}  // namespace model::v4_19
