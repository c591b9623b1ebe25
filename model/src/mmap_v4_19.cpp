// mmap_v4_19.cpp: kernel 4.19's munmap and exit: do_munmap, unmap_region and
// exit_mmap (mm/mmap.c v4.19), mmput -> __mmput (kernel/fork.c v4.19): the 4.19
// `munmap` and `exit` actors. vm_munmap, the same in v3.9, is mmap.cpp's; the zap
// is memory_zap_v4_19.cpp's; the v3.9 forms are mmap.cpp.
// Yield points: mmap_sem (munmap), the mmu notifier's steps (exit_mmap's
// mmu_notifier_release, the zap's range start/end), and everything the zap,
// unlink_anon_vmas and tlb_finish_mmu announce.
// Invariant: a vma leaves mm->mmap (MmStruct::vmas) before its pmds and ptes are
// zapped in munmap (detach_vmas_to_be_unmapped), after its anon_vmas are unlinked
// in exit (remove_vma after free_pgtables).
#include "model/mmap_v4_19.h"

#include <algorithm>

#include "model/hmm.h"
#include "model/ksm.h"
#include "model/mmap.h"

namespace model::v4_19 {

namespace {

// mm/mmap.c v4.19: unmap_region (one vma: lru_add_drain, tlb_gather_mmu, unmap_vmas,
// free_pgtables, tlb_finish_mmu)
void unmap_region(Kernel& k, std::uint32_t vma) {
  checker::Frame frame("unmap_region");
  MmuGather tlb;
  const Vma& v = k.vmas.at(vma);
  const std::vector<std::uint32_t> one{vma};
  inc_tlb_flush_pending(k, v.mm);  // tlb_gather_mmu
  v4_19::unmap_vmas(k, tlb, one, v.start, v.end);
  v4_19::free_pgtables(k, one, false);
  tlb_finish_mmu(k, tlb);
  dec_tlb_flush_pending(k, v.mm);
}

// mm/mmap.c v4.19: exit_mmap (no mmap_sem: the mm has no users; the OOM reaper's
// mm_is_oom_victim dance and munlock_vma_pages_all are not modelled)
void exit_mmap(Kernel& k, std::uint32_t mm) {
  checker::Frame frame("exit_mmap");
  mmu_notifier_release(k, mm);  // "mm's last user has gone": an HMM mirror is told
  MmStruct& m = k.mms.at(mm);
  const std::vector<std::uint32_t> vmas = m.vmas;
  if (vmas.empty()) return;  // "Can happen if dup_mmap() received an OOM"
  MmuGather tlb;  // lru_add_drain, flush_cache_mm, tlb_gather_mmu(&tlb, mm, 0, -1)
  inc_tlb_flush_pending(k, mm);
  v4_19::unmap_vmas(k, tlb, vmas, 0, ~std::uint64_t{0});  // "Use -1 here to ensure all VMAs in the mm are unmapped"
  v4_19::free_pgtables(k, vmas, true);  // free_pgtables(&tlb, vma, FIRST_USER_ADDRESS, USER_PGTABLES_CEILING)
  tlb_finish_mmu(k, tlb);
  dec_tlb_flush_pending(k, mm);
  m.vmas.clear();  // "Walk the list again, actually closing and freeing it": remove_vma
  checker::note([&] { return m.name + ": every vma removed"; });
}

}  // namespace

// mm/mmap.c v4.19: do_munmap of the whole vma containing addr (no split; no userfaultfd, no
// VM_LOCKED munlock: the scenarios' vmas are not mlocked; mmap_sem held for write)
void do_munmap(Kernel& k, std::uint32_t mm, std::uint64_t addr) {
  checker::Frame frame("do_munmap");
  const int v = k.find_vma(mm, addr);
  if (v < 0) return;
  const std::uint32_t vma = static_cast<std::uint32_t>(v);
  std::erase(k.mms.at(mm).vmas, vma);  // detach_vmas_to_be_unmapped
  checker::note([&] { return "vma " + k.where(mm, k.vmas[vma].start) + " detached"; });
  unmap_region(k, vma);
  // arch_unmap; remove_vma_list -> remove_vma: the vma is freed
}


// kernel/fork.c v4.19: mmput -> __mmput (atomic_dec_and_test(&mm->mm_users); the last user:
// ksm_exit, exit_mmap; khugepaged_exit does nothing in the 4.19 model, which has no khugepaged)
void mmput(Kernel& k, std::uint32_t mm) {
  checker::Frame frame("mmput");
  // atomic_dec_and_test(&mm->mm_users): an object when KSM threads read it (ksm_test_exit) or a
  // swapoff takes references (mmget_not_zero); otherwise no other thread acts as a task of mm
  // (scenario loading) and nobody reads it
  if (!mmput_dec_and_test(k, mm)) return;  // swapoff's try_to_unuse holds a reference: its mmput is the last
  checker::Frame inner("__mmput");
  ksm_exit(k, mm);  // __mmput: ksm_exit -> __ksm_exit when MMF_VM_MERGEABLE (mm/ksm.c v4.19 = v3.9)
  v4_19::exit_mmap(k, mm);  // this file's (model::exit_mmap is 3.9's)
  mmdrop(k, mm, "mmput", !k.mms[mm].mmf_vm_mergeable);  // the KSM slot's reference: ksmd's last drop
}

}  // namespace model::v4_19
