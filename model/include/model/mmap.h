// mmap.h: the v3.9 address-space teardown of mm/mmap.c and kernel/fork.c: munmap of a
// vma (vm_munmap -> do_munmap -> unmap_region) and the last mmput of a process exit
// (ksm_exit, exit_mmap).
//
// Lock rules (as in v3.9): munmap holds mmap_sem for write throughout; exit_mmap
// holds no mmap_sem (the mm has no users left), which is why __ksm_exit takes and
// drops it for write first when a KSM walker may be inside the mm.
#pragma once

#include <cstdint>

#include "model/kernel.h"

namespace model {

/// vm_munmap() -> do_munmap(): unmap the whole vma of mm containing addr (no
/// split): detach it, unmap_region (zap, free_pgtables' unlink_anon_vmas,
/// tlb_finish_mmu), remove_vma. Nothing when no vma contains addr.
void vm_munmap(Kernel& k, std::uint32_t mm, std::uint64_t addr);
/// do_munmap() of the whole vma of mm containing addr; the caller holds mmap_sem
/// for write (vm_munmap, mremap's move_vma). Nothing when no vma contains addr.
void do_munmap(Kernel& k, std::uint32_t mm, std::uint64_t addr);
/// exit_mmap(): unmap every vma, free_pgtables (the page table is freed), tlb_finish_mmu, remove_vma.
void exit_mmap(Kernel& k, std::uint32_t mm);
/// mmput(): mm_users decremented; by the last user (0): ksm_exit, exit_mmap (an exit
/// whose mm swapoff holds leaves the teardown to swapoff's mmput). 4.19: v4_19::mmput.
void mmput(Kernel& k, std::uint32_t mm);
/// mmdrop(): mm_count decremented; at 0 the mm_struct is freed (MmStruct::freed_at).
/// `may_free` false: no other thread can touch the mm after this drop but through a
/// reference it holds (no step: the decrement is part of the caller's step before).
void mmdrop(Kernel& k, std::uint32_t mm, const char* label, bool may_free = true);
/// mmput's atomic_dec_and_test(&mm->mm_users) (3.9, 4.19): true for the last user.
bool mmput_dec_and_test(Kernel& k, std::uint32_t mm);

}  // namespace model
