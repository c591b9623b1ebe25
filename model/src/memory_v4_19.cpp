// memory_v4_19.cpp: kernel 4.19's fault path at the pmd and pte level
// (mm/memory.c v4.19: handle_mm_fault, __handle_mm_fault, handle_pte_fault and
// do_swap_page's migration-entry branch) and the user access that faults
// until the hardware walk succeeds (the actor handle_mm_fault). The v3.9 base
// is memory.cpp.
// Yield points: the lockless reads of the pmd (__handle_mm_fault's orig_pmd)
// and of the pte (handle_pte_fault's orig_pte), the locks and waits of the
// paths it calls; the hardware walk's reads of the pmd and pte.
// Invariant: a fault takes and releases mmap_sem for read around the call.
#include "model/huge_memory.h"
#include "model/memory.h"
#include "model/migrate_v4_19.h"

namespace model::v4_19 {

using checker::AccessKind;

namespace {

// mm/memory.c v4.19: handle_pte_fault (pmd a table: do_swap_page's migration branch, or an already present pte)
unsigned handle_pte_fault(Kernel& k, std::uint32_t vma, std::uint64_t addr, unsigned flags) {
  const std::uint32_t mm = k.vmas.at(vma).mm;
  PteSlot* slot = k.pte_slot(mm, addr);
  if (!slot) model_limit("do_anonymous_page (fault on an unpopulated pte) in kernel 4.19");
  checker::announce(slot->obj, AccessKind::Read, "handle_pte_fault");  // vmf->orig_pte = *vmf->pte
  const Pte entry = slot->pte;
  checker::note([&] { return "pte " + k.where(mm, addr) + " = " + k.pte_str(entry); });
  if (entry.is_none()) model_limit("do_anonymous_page (fault on pte none) in kernel 4.19");
  if (!entry.is_present()) {
    if (!entry.is_migration()) model_limit("do_swap_page's swap-in in kernel 4.19");
    v4_19::migration_entry_wait(k, mm, addr);  // do_swap_page: is_migration_entry(entry)
    return 0;
  }
  checker::Spinlock& ptl = k.pte_lockptr(mm, addr);
  ptl.lock("handle_pte_fault");
  if (!(slot->pte == entry)) {
    checker::note([&] { return "!pte_same: " + k.pte_str(slot->pte); });
    ptl.unlock("handle_pte_fault");
    return 0;
  }
  if ((flags & FAULT_FLAG_WRITE) && !entry.write) model_limit("do_wp_page in kernel 4.19");
  // entry = pte_mkyoung(pte_mkdirty(entry)) on a write; x86's ptep_set_access_flags stores it only
  // for a write access that changes the pte (a read leaves the young bit to the MMU's retry).
  const Pte accessed = pte_mkyoung(pte_mkdirty(entry));
  if ((flags & FAULT_FLAG_WRITE) && !(accessed == entry)) k.set_pte(mm, *slot, accessed, "ptep_set_access_flags");
  ptl.unlock("handle_pte_fault");
  return 0;
}

}  // namespace

// mm/memory.c v4.19: handle_mm_fault -> __handle_mm_fault (anon vma, THP enabled)
unsigned handle_mm_fault(Kernel& k, std::uint32_t vma, std::uint64_t addr, unsigned flags) {
  const std::uint32_t mm = k.vmas.at(vma).mm;
  PmdSlot* slot = k.pmd_slot(mm, addr);
  if (!slot) model_limit("__pte_alloc / create_huge_pmd (fault under a pmd never populated)");
  const Pmd orig_pmd = k.read_pmd(mm, *slot, "__handle_mm_fault");  // orig_pmd = *vmf.pmd
  if (pmd_none(orig_pmd)) model_limit("create_huge_pmd / do_anonymous_page (fault on pmd none)");
  if (is_swap_pmd(orig_pmd)) {
    if (is_pmd_migration_entry(orig_pmd)) pmd_migration_entry_wait(k, mm, *slot);
    return 0;
  }
  if (pmd_trans_huge(orig_pmd) || pmd_devmap(orig_pmd, k.migration_pmd_layout)) {
    if ((flags & FAULT_FLAG_WRITE) && !pmd_write(orig_pmd)) model_limit("wp_huge_pmd (write fault on a read-only huge pmd)");
    huge_pmd_set_accessed(k, mm, *slot, orig_pmd);
    return 0;
  }
  return handle_pte_fault(k, vma, addr, flags);
}

// arch/x86/mm/fault.c v4.19: __do_page_fault's retry, as a user access: the
// hardware walks the pmd (and pte), and faults (mmap_sem for read,
// handle_mm_fault) until the access is allowed.
void user_access(Kernel& k, std::uint32_t mm, std::uint64_t addr, bool write) {
  const std::uint32_t vma = static_cast<std::uint32_t>(k.find_vma(mm, addr));
  for (;;) {
    PmdSlot* slot = k.pmd_slot(mm, addr);
    if (slot) {
      const Pmd pmd = k.read_pmd(mm, *slot, "hardware walk");
      // _PAGE_PRESENT: a huge pmd (not an invalidated one), or a table whose pte is present.
      if (pmd.kind == Pmd::Kind::Huge && (!write || pmd.write)) return;
      if (pmd.is_table()) {
        if (PteSlot* pte = k.pte_slot(mm, addr)) {
          checker::announce(pte->obj, AccessKind::Read, "hardware walk");
          const Pte v = pte->pte;
          checker::note([&] { return "pte " + k.where(mm, addr) + " = " + k.pte_str(v); });
          if (v.is_present() && (!write || v.write)) return;
        }
      }
    }
    MmStruct& m = k.mms.at(mm);
    m.mmap_sem->down_read("__do_page_fault");
    const unsigned ret = v4_19::handle_mm_fault(k, vma, addr, write ? FAULT_FLAG_WRITE : 0);
    m.mmap_sem->up_read("__do_page_fault");
    if (ret & (VM_FAULT_OOM | VM_FAULT_SIGBUS)) return;
  }
}

}  // namespace model::v4_19

namespace model::v4_19 {

std::string fault_model_error(const Kernel& k, std::uint32_t mm, std::uint64_t addr, bool write) {
  const PmdSlot* s = k.pmd_slot(mm, addr);
  const std::string at = k.where(mm, addr);
  if (!s || s->pmd.is_none())
    return "a fault at " + at + " finds pmd none: create_huge_pmd / do_anonymous_page are not modelled";
  if (s->pmd.kind == Pmd::Kind::Huge)
    return write && !s->pmd.write ? "a write fault at " + at + " on a read-only huge pmd: wp_huge_pmd is not modelled"
                                  : "";
  auto it = k.mms[mm].ptes.find(addr);
  if (it == k.mms[mm].ptes.end() || it->second.pte.is_none())
    return "a fault at " + at + " finds pte none: do_anonymous_page is not modelled in kernel 4.19";
  if (it->second.pte.is_swap()) return "a fault at " + at + " finds a swap pte: swap-in is not modelled in kernel 4.19";
  if (write && !it->second.pte.write)
    return "a write fault at " + at + " on a read-only pte: do_wp_page is not modelled in kernel 4.19";
  return "";
}

std::string hmm_fault_model_error(const Kernel& k, const HmmRange& r) {
  for (std::uint64_t a = r.start; a < r.end; a += kPageSize) {
    const std::uint64_t want = r.pfns[(a - r.start) / kPageSize];
    if (!(want & HMM_PFN_VALID)) continue;
    if (std::string err = fault_model_error(k, r.mm, a, want & HMM_PFN_WRITE); !err.empty())
      return "hmm_vma_fault of range " + r.name + ": " + err;
  }
  return "";
}

}  // namespace model::v4_19
