// mmap.cpp: vm_munmap / do_munmap / unmap_region and exit_mmap (mm/mmap.c v3.9), with
// mmput (kernel/fork.c v3.9): the v3.9 `munmap` and `exit` actors. The 2.6.33 forms
// are model::v2_6_33::munmap and exit_mmap in memory.cpp.
//
// Yield points: mmap_sem (munmap), the mm_users write, ksm_exit's locks, and
// everything zap_pte_range, unlink_anon_vmas and tlb_finish_mmu announce.
// Invariant: a vma leaves mm->mmap (MmStruct::vmas) before its ptes are zapped
// (detach_vmas_to_be_unmapped) in munmap, after its anon_vmas are unlinked in exit.
#include "model/mmap.h"

#include <algorithm>
#include <stdexcept>

#include "model/ksm.h"
#include "model/memory.h"
#include "model/mmap_v4_19.h"
#include "model/v2_6_33.h"

namespace model {

namespace {

// mm/mmap.c v3.9: unmap_region (one vma; free_pgtables frees no table page: the
// scenarios' vmas share one page table, which exit_mmap frees)
void unmap_region(Kernel& k, std::uint32_t vma) {
  checker::Frame frame("unmap_region");
  MmuGather tlb;  // lru_add_drain, tlb_gather_mmu
  const Vma& v = k.vmas.at(vma);
  const std::vector<std::uint32_t> one{vma};
  unmap_vmas(k, tlb, one, v.start, v.end);
  free_pgtables(k, one, false);
  tlb_finish_mmu(k, tlb);
}

}  // namespace

// mm/mmap.c v3.9: do_munmap of the whole vma containing addr (no split; mmap_sem held for write)
void do_munmap(Kernel& k, std::uint32_t mm, std::uint64_t addr) {
  checker::Frame frame("do_munmap");
  MmStruct& m = k.mms.at(mm);
  const int v = k.find_vma(mm, addr);
  if (v < 0) return;
  const std::uint32_t vma = static_cast<std::uint32_t>(v);
  std::erase(m.vmas, vma);  // detach_vmas_to_be_unmapped
  checker::note([&] { return std::string("vma " + k.where(mm, k.vmas[vma].start) + " detached"); });
  unmap_region(k, vma);
  // remove_vma_list -> remove_vma: the vma is freed
}

// mm/mmap.c v3.9, v4.19: vm_munmap -> do_munmap of the whole vma containing addr (down_write(mmap_sem);
// the same in both eras, whose do_munmap differs: v4.19's is in mmap_v4_19.cpp)
void vm_munmap(Kernel& k, std::uint32_t mm, std::uint64_t addr) {
  checker::Frame frame("vm_munmap");
  MmStruct& m = k.mms.at(mm);
  m.mmap_sem->down_write("vm_munmap");
  if (k.config.era == Era::V4_19) v4_19::do_munmap(k, mm, addr);
  else do_munmap(k, mm, addr);
  m.mmap_sem->up_write("vm_munmap");
}

// mm/mmap.c v3.9: exit_mmap (no mmap_sem: the mm has no users)
void exit_mmap(Kernel& k, std::uint32_t mm) {
  checker::Frame frame("exit_mmap");
  MmStruct& m = k.mms.at(mm);
  const std::vector<std::uint32_t> vmas = m.vmas;
  if (vmas.empty()) return;  // "Can happen if dup_mmap() received an OOM"
  MmuGather tlb;  // lru_add_drain, tlb_gather_mmu(fullmm)
  unmap_vmas(k, tlb, vmas, 0, ~std::uint64_t{0});
  free_pgtables(k, vmas, true);
  tlb_finish_mmu(k, tlb);
  m.vmas.clear();  // remove_vma of each
  checker::note([&] { return std::string(m.name + ": every vma removed"); });
}

// kernel/fork.c v3.9, v4.19: mmput's atomic_dec_and_test(&mm->mm_users), a step on `A.mm_users`
// where it is tracked (Kernel::track_mm_users); no other thread reads it otherwise
bool mmput_dec_and_test(Kernel& k, std::uint32_t mm) {
  MmStruct& m = k.mms.at(mm);
  if (m.users_obj != checker::kNoObject) checker::announce(m.users_obj, checker::AccessKind::ReadModifyWrite, "mmput");
  if (m.mm_users <= 0) throw std::logic_error("model error: mmput of " + m.name + " whose mm_users is already 0");
  if (--m.mm_users > 0) {  // another user (swapoff's try_to_unuse) puts the last reference
    checker::note([&] { return m.name + ".mm_users -> " + std::to_string(m.mm_users) + ": not the last user"; });
    return false;
  }
  checker::note([&] { return m.name + ".mm_users = 0"; });  // ksm_test_exit() true from here
  return true;
}

// include/linux/sched.h v2.6.33, v3.9 (v4.19: sched/mm.h): mmdrop (atomic_dec_and_test(&mm->mm_count);
// at 0 __mmdrop frees the mm_struct). Where mm_users is tracked and the drop may free, a step on
// the mm's mmap_sem: a CommutingUpdate that may free (group 2), so the free is ordered against
// every use of the lock inside the struct and commutes with the other mmdrops. `may_free` false:
// no step, the decrement runs in the caller's step before, as its caller knows that no thread
// touches the mm after it but through a reference of its own: __ksm_exit's drop, under the
// users' reference __mmput drops last; __mmput's while the KSM mm_slot still holds one, which
// ksmd drops only after its last access to the mm (so when ksmd reaps the slot first, this
// drop frees a struct nobody touches again); and that drop of ksmd's, after which only the
// exiting thread, under the users' reference, touches the mm. Where mm_users is not tracked no other thread can
// reach a freed mm, and no step is added.
void mmdrop(Kernel& k, std::uint32_t mm, const char* label, bool may_free) {
  MmStruct& m = k.mms.at(mm);
  if (m.users_obj != checker::kNoObject && may_free) checker::announce_update(m.mmap_sem->id(), 2, "mmdrop");
  if (m.mm_count <= 0) throw std::logic_error("model error: mmdrop of " + m.name + " whose mm_count is already 0");
  if (--m.mm_count > 0) {
    checker::note([&] { return m.name + ".mm_count -> " + std::to_string(m.mm_count) + " (" + label + ")"; });
    return;
  }
  m.freed_at = "__mmdrop from " + Kernel::freed_by(label);
  checker::note([&] { return "__mmdrop: mm_struct " + m.name + " freed"; });
}

// kernel/fork.c v3.9: mmput (atomic_dec_and_test(&mm->mm_users); the last user: ksm_exit, exit_mmap,
// then the users' mmdrop)
void mmput(Kernel& k, std::uint32_t mm) {
  checker::Frame frame("mmput");
  if (k.config.era == Era::V4_19) return v4_19::mmput(k, mm);  // kernel/fork.c v4.19 (mmap_v4_19.cpp)
  if (k.config.era == Era::V2_6_33) return v2_6_33::mmput(k, mm);  // kernel/fork.c v2.6.33 (memory.cpp)
  if (!mmput_dec_and_test(k, mm)) return;
  ksm_exit(k, mm);
  exit_mmap(k, mm);
  mmdrop(k, mm, "mmput", !k.mms[mm].mmf_vm_mergeable);  // the KSM slot's reference: ksmd's last drop
}

}  // namespace model
