// gup_v4_19.cpp: kernel 4.19's page-table lookup and pinning (mm/gup.c v4.19:
// follow_page -> follow_page_mask -> follow_pmd_mask -> follow_page_pte;
// mm/huge_memory.c v4.19 follow_trans_huge_pmd; __get_user_pages, faultin_page,
// get_user_pages_unlocked, get_user_pages_fast with gup_pmd_range, gup_huge_pmd,
// gup_pte_range, try_get_compound_head), read in the maxiangpan/linux-4.19 tree.
// KSM's callers use follow_page (memory.cpp's follow_page dispatches here in 4.19);
// the `get_user_pages(_fast)` actors use get_user_pages(_fast) (gup.cpp and
// gup_fast.cpp dispatch here in 4.19).
//
// Yield points: the lockless READ_ONCE of the pmd, the pmd lock of a huge pmd, the
// table's ptl (pte_lockptr), FOLL_GET's reference under either, FOLL_TOUCH's
// set_page_dirty, the migration waits; the fast walk's interrupts-off section, its
// reads of the pmd and pte, its speculative reference and the recheck.
// Invariant: every function returns with no lock held; with FOLL_GET the returned
// page's reference is the caller's; the fast walk keeps a reference only when the
// entry it read is still there after the reference was taken.
#include "model/gup_v4_19.h"

#include "model/gup.h"
#include "model/gup_fast.h"
#include "model/huge_memory.h"
#include "model/ksm.h"
#include "model/memory.h"
#include "model/migrate_v4_19.h"

namespace model::v4_19 {

using checker::AccessKind;
using checker::FailureKind;

namespace {

/// __get_user_pages' FOLL_TOUCH (only the pinning callers pass it; KSM's do not).
constexpr unsigned kFollTouch = 0x02;

/// How often __get_user_pages faults and looks again before the model gives up.
constexpr int kGupAttempts = 8;

// mm/gup.c v4.19: follow_page_pte (no FOLL_NUMA hinting ptes, FOLL_SPLIT, FOLL_MLOCK, devmap
// or pfn ptes in the model)
PageId follow_page_pte(Kernel& k, std::uint32_t mm, std::uint64_t addr, unsigned flags, bool zero_page) {
  checker::Frame frame("follow_page_pte");
  for (;;) {  // retry: (pmd_bad(*pmd) is false: a table pmd never changes under mmap_sem here)
    PteSlot* slot = k.pte_slot(mm, addr);
    if (!slot) return kNoPage;  // a pte never populated: pte_none
    checker::Spinlock& ptl = k.pte_lockptr(mm, addr);
    ptl.lock("follow_page_pte");  // pte_offset_map_lock
    const Pte pte = slot->pte;
    checker::note([&] { return "pte " + k.where(mm, addr) + " = " + k.pte_str(pte); });
    if (!pte.is_present()) {
      // "KSM's break_ksm() relies upon recognizing a ksm page even while it is being
      // migrated, so for that case we need migration_entry_wait()."
      if (!(flags & FOLL_MIGRATION) || !pte.is_migration()) {
        ptl.unlock("follow_page_pte");  // no_page
        return kNoPage;
      }
      ptl.unlock("follow_page_pte");
      v4_19::migration_entry_wait(k, mm, addr);
      continue;  // goto retry
    }
    if ((flags & FOLL_WRITE) && !can_follow_write_pte(k, pte, flags)) {
      ptl.unlock("follow_page_pte");
      return kNoPage;
    }
    PageId page = k.vm_normal_page(pte);
    // !page && is_zero_pfn: the zero page, returned with a reference (KSM's callers take it
    // for "no anon page": break_ksm finds it !PageKsm, get_mergeable_page and the scan
    // !PageAnon, so the model returns NULL to them)
    if (page == kNoPage && zero_page && k.is_zero_pte(pte)) page = pte.page;
    if (page == kNoPage) {
      ptl.unlock("follow_page_pte");
      return kNoPage;
    }
    if (flags & FOLL_GET) k.page_ref_get_mapped(page, "follow_page_pte");  // try_get_page
    // FOLL_TOUCH: a write through a clean pte dirties the page (set_page_dirty of an anon
    // page: TestSetPageDirty); mark_page_accessed is not modelled (no LRU lists)
    if ((flags & kFollTouch) && (flags & FOLL_WRITE) && !pte.dirty && page != k.zero_page &&
        !k.pages[page].test(PG_dirty)) {
      k.page_flags_write(page, "set_page_dirty");
      k.pages[page].flags |= PG_dirty;
      checker::note([&] { return k.pages[page].name + " PG_dirty"; });
    }
    ptl.unlock("follow_page_pte");
    return page;
  }
}

// mm/huge_memory.c v4.19: can_follow_write_pmd (8310d48b125d, v4.15; the 4.19.y tree's, with
// 17839856fd58, drops its FOLL_FORCE test: a forced COW break follows a COWed pmd too)
bool can_follow_write_pmd(const Kernel& k, const Pmd& pmd, unsigned flags) {
  const bool force_ok = (flags & FOLL_FORCE) || k.config.applied(Fix::GupCowBreak);
  return pmd_write(pmd) || (force_ok && (flags & FOLL_COW) && pmd_dirty(pmd));
}

// mm/huge_memory.c v4.19: touch_pmd (pmdp_set_access_flags writes on x86 only for a write, where
// the pmd changed; the young bit is not kept). a8f97366452e (v4.15) made the dirty bit
// FOLL_WRITE's; reverted (v4.9-v4.14): pmd_mkyoung(pmd_mkdirty(*pmd)), written for any pin,
// so a read pin dirties a read-only pmd, the huge zero page's too (CVE-2017-1000405)
void touch_pmd(Kernel& k, std::uint32_t mm, PmdSlot& slot, unsigned flags) {
  checker::Frame frame("touch_pmd");
  const bool write = (flags & FOLL_WRITE) != 0;
  const bool fixed = k.config.applied(Fix::TouchPmdDirty);
  if ((!write && fixed) || slot.pmd.dirty) return;
  Pmd entry = slot.pmd;
  entry.dirty = true;
  if (!write) checker::note("touch_pmd: pmd_mkdirty for a read pin (a8f97366452e reverted)");
  k.set_pmd(mm, slot, entry, "touch_pmd");
}

// mm/huge_memory.c v4.19: follow_trans_huge_pmd (under the pmd lock; no FOLL_MLOCK or FOLL_DUMP:
// the huge zero page is returned, with a reference, as any THP)
PageId follow_trans_huge_pmd(Kernel& k, std::uint32_t mm, PmdSlot& slot, unsigned flags) {
  checker::Frame frame("follow_trans_huge_pmd");
  const Pmd pmd = slot.pmd;
  if ((flags & FOLL_WRITE) && !can_follow_write_pmd(k, pmd, flags)) return kNoPage;
  const PageId page = pmd.page;  // pmd_page(*pmd); page += the subpage: its head's reference
  if (!k.pages.at(page).PageTransHuge())
    checker::fail(FailureKind::BugOn, "VM_BUG_ON_PAGE(!PageHead(page)) in follow_trans_huge_pmd: " + k.pages[page].name);
  if (flags & kFollTouch) touch_pmd(k, mm, slot, flags);
  if (flags & FOLL_GET) k.page_ref_get_mapped(page, "follow_trans_huge_pmd");  // get_page(compound_head)
  return page;
}

}  // namespace

// mm/gup.c v4.19: follow_page_mask -> follow_pmd_mask (anon vmas: no hugetlb, hugepd or devmap)
PageId follow_page_mask(Kernel& k, std::uint32_t vma, std::uint64_t addr, unsigned flags, bool zero_page) {
  checker::Frame frame("follow_page_mask");
  const std::uint32_t mm = k.vmas.at(vma).mm;
  PmdSlot* slot = k.pmd_slot(mm, addr);
  if (!slot) return kNoPage;  // no_page_table
  Pmd pmdval = k.read_pmd(mm, *slot, "follow_pmd_mask");  // pmdval = READ_ONCE(*pmd)
  if (pmd_none(pmdval)) return kNoPage;
  while (!pmd_present(pmdval)) {  // retry: a pmd migration entry
    if (!(flags & FOLL_MIGRATION)) return kNoPage;
    pmd_migration_entry_wait(k, mm, *slot);
    pmdval = k.read_pmd(mm, *slot, "follow_pmd_mask");  // "MADV_DONTNEED may convert the pmd to null"
    if (pmd_none(pmdval)) return kNoPage;
  }
  if (!pmd_trans_huge(pmdval)) return follow_page_pte(k, mm, addr, flags, zero_page);
  // A huge pmd: KSM's callers meet none (a THP in a mergeable vma is refused at load).
  if (!zero_page) model_limit("follow_page of a huge pmd for KSM in kernel 4.19 (a THP in a mergeable vma)");
  checker::Spinlock& ptl = *k.mms.at(mm).pmd_lock;
  for (;;) {  // retry_locked:
    ptl.lock("follow_pmd_mask");  // pmd_lock
    const Pmd now = slot->pmd;
    checker::note([&] { return "pmd " + k.where(mm, slot->address) + " = " + k.pmd_str(now); });
    if (pmd_none(now)) {
      ptl.unlock("follow_pmd_mask");
      return kNoPage;
    }
    if (!pmd_present(now)) {
      ptl.unlock("follow_pmd_mask");
      if (!(flags & FOLL_MIGRATION)) return kNoPage;
      pmd_migration_entry_wait(k, mm, *slot);
      continue;
    }
    if (!pmd_trans_huge(now)) {
      ptl.unlock("follow_pmd_mask");
      return follow_page_pte(k, mm, addr, flags, zero_page);
    }
    const PageId page = follow_trans_huge_pmd(k, mm, *slot, flags);
    ptl.unlock("follow_pmd_mask");
    return page;
  }
}

// mm/gup.c v4.19: follow_page (FOLL_GET, FOLL_MIGRATION: KSM's callers)
PageId follow_page(Kernel& k, std::uint32_t vma, std::uint64_t addr, unsigned flags) {
  checker::Frame frame("follow_page");
  return follow_page_mask(k, vma, addr, flags, false);
}

namespace {

// mm/gup.c v4.19: check_vma_flags (no VM_IO, VM_PFNMAP or FOLL_ANON; every vma of the model is
// anonymous, and a non-VM_SHARED one is a COW mapping with VM_MAYREAD and VM_MAYWRITE)
bool check_vma_flags(const Vma& vma, bool write, bool force) {
  if (write) {
    if (!(vma.flags & VM_WRITE)) return force && !(vma.flags & VM_SHARED);  // !is_cow_mapping: -EFAULT
  } else if (!(vma.flags & VM_READ)) {
    return force;
  }
  return true;
}

// mm/gup.c v4.19: __get_user_pages_locked -> __get_user_pages of one page with faultin_page (FOLL_GET | FOLL_TOUCH,
// FOLL_FORCE when forced; FOLL_NUMA meets no NUMA hinting entry), the caller holding mmap_sem for read
long get_user_pages_locked(Kernel& k, std::uint32_t mm, std::uint64_t addr, bool write, PageId& page, bool force) {
  checker::Frame frame("__get_user_pages_locked");
  checker::Frame inner("__get_user_pages");
  page = kNoPage;
  const int v = k.find_vma(mm, addr);  // find_extend_vma
  if (v < 0 || !check_vma_flags(k.vmas[static_cast<std::size_t>(v)], write, force)) {
    checker::note(v < 0 ? "no vma: -EFAULT" : "the vma forbids the access: -EFAULT");
    return -kEFAULT;
  }
  const std::uint32_t vma = static_cast<std::uint32_t>(v);
  unsigned foll_flags =
      FOLL_GET | kFollTouch | (write ? unsigned{FOLL_WRITE} : 0u) | (force ? unsigned{FOLL_FORCE} : 0u);
  // 17839856fd58: should_force_cow_break (is_cow_mapping: every anon vma of the model is a
  // private mapping, VM_MAYWRITE without VM_SHARED) -> FOLL_WRITE for a pin
  if (k.config.applied(Fix::GupCowBreak) && !(foll_flags & FOLL_WRITE) && !(k.vmas[vma].flags & VM_SHARED)) {
    foll_flags |= FOLL_WRITE;
    checker::note("should_force_cow_break: FOLL_WRITE");
  }
  for (int attempt = 0; attempt < kGupAttempts; ++attempt) {
    page = follow_page_mask(k, vma, addr, foll_flags, true);
    if (page != kNoPage) {
      pin_taken(k, page, mm, addr, "get_user_pages");  // FOLL_GET's reference is the pin
      return 1;
    }
    // faultin_page: handle_mm_fault with FAULT_FLAG_WRITE for FOLL_WRITE; VM_FAULT_ERROR ->
    // vm_fault_to_errno (VM_FAULT_OOM -ENOMEM, VM_FAULT_SIGBUS -EFAULT); VM_FAULT_WRITE in a vma
    // without VM_WRITE sets FOLL_COW (19be0eaffa3a)
    unsigned ret;
    {
      checker::Frame faultin("faultin_page");
      ret = v4_19::handle_mm_fault(k, vma, addr, (foll_flags & FOLL_WRITE) ? unsigned{FAULT_FLAG_WRITE} : 0u);
    }
    if (ret & VM_FAULT_OOM) return -kENOMEM;
    if (ret & VM_FAULT_SIGBUS) return -kEFAULT;
    foll_flags = foll_flags_after_fault(k, k.vmas[vma], ret, foll_flags);
  }
  model_limit("get_user_pages faulting more than 8 times for one page");
}

// mm/gup.c v4.19: try_get_compound_head (WARN_ON_ONCE(page_ref_count(head) < 0) never holds in
// the model; page_cache_add_speculative on SMP: page_ref_add_unless(head, refs, 0))
bool try_get_compound_head(Kernel& k, PageId head, const char* label) {
  checker::Frame frame("try_get_compound_head");
  return k.get_page_unless_zero(head, label);
}

// mm/gup.c v4.19: gup_huge_pmd (one subpage: refs 1)
bool gup_huge_pmd(Kernel& k, std::uint32_t mm, PmdSlot& slot, const Pmd& orig, bool write, PageId& page) {
  checker::Frame frame("gup_huge_pmd");
  // pmd_access_permitted: _PAGE_PRESENT|_PAGE_USER (an invalidated pmd has no _PAGE_PRESENT),
  // _PAGE_RW for a write
  if (orig.kind != Pmd::Kind::Huge || (write && !orig.write)) return false;
  const PageId head = orig.page;
  if (!try_get_compound_head(k, head, "gup_huge_pmd")) return false;
  if (!(k.read_pmd(mm, slot, "gup_huge_pmd") == orig)) {  // pmd_val(orig) != pmd_val(*pmdp)
    k.page_ref_put(head, "gup_huge_pmd");
    return false;
  }
  page = head;  // SetPageReferenced(head) is not modelled
  return true;
}

// mm/gup.c v4.19: gup_pte_range (CONFIG_ARCH_HAS_PTE_SPECIAL; one pte; no devmap, no NUMA hinting)
bool gup_pte_range(Kernel& k, std::uint32_t mm, std::uint64_t addr, bool write, PageId& page) {
  checker::Frame frame("gup_pte_range");
  PteSlot* slot = k.pte_slot(mm, addr);
  if (!slot) return false;  // a pte never populated: none
  checker::announce(slot->obj, AccessKind::Read, "gup_get_pte");  // one read, no lock
  const Pte pte = slot->pte;
  checker::note([&] { return "pte " + k.where(mm, addr) + " = " + k.pte_str(pte); });
  // pte_access_permitted (_PAGE_PRESENT|_PAGE_USER, _PAGE_RW for a write); pte_special: the zero page
  if (!pte.is_present() || (write && !pte.write) || k.vm_normal_page(pte) == kNoPage) return false;
  const PageId head = pte.page;  // compound_head(pte_page(pte)): the model maps no THP by ptes
  if (!try_get_compound_head(k, head, "gup_pte_range")) return false;
  checker::announce(slot->obj, AccessKind::Read, "gup_pte_range");  // pte_val(pte) != pte_val(*ptep)
  if (!(slot->pte == pte)) {
    checker::note([&] { return "pte changed: " + k.pte_str(slot->pte); });
    k.page_ref_put(head, "gup_pte_range");
    return false;
  }
  page = head;
  return true;
}

// mm/gup.c v4.19: gup_pgd_range -> gup_pmd_range for one page (the pgd, p4d and pud are tables)
bool gup_pmd_range(Kernel& k, std::uint32_t mm, std::uint64_t addr, bool write, PageId& page) {
  checker::Frame frame("gup_pmd_range");
  PmdSlot* slot = k.pmd_slot(mm, addr);
  if (!slot) return false;
  const Pmd pmd = k.read_pmd(mm, *slot, "gup_pmd_range");  // READ_ONCE(*pmdp)
  if (!pmd_present(pmd)) return false;  // none, or a pmd migration entry
  // pmd_trans_huge (a huge or an invalidated pmd); pmd_protnone: no NUMA hinting in the model
  if (pmd_trans_huge(pmd)) return gup_huge_pmd(k, mm, *slot, pmd, write, page);
  return gup_pte_range(k, mm, addr, write, page);
}

// mm/gup.c v4.19: get_user_pages_unlocked (mmap_sem for read around __get_user_pages_locked;
// no VM_FAULT_RETRY in the model, so the lock is never dropped inside)
long get_user_pages_unlocked(Kernel& k, std::uint32_t mm, std::uint64_t addr, bool write, PageId& page) {
  checker::Frame frame("get_user_pages_unlocked");
  checker::RwSem& sem = *k.mms.at(mm).mmap_sem;
  sem.down_read("get_user_pages_unlocked");
  const long ret = get_user_pages_locked(k, mm, addr, write, page, false);
  sem.up_read("get_user_pages_unlocked");
  return ret;
}

}  // namespace

// mm/gup.c v4.19: get_user_pages (-> __get_user_pages_locked), with the mmap_sem for read its
// callers take around it (a driver's pin; access_process_vm's get_user_pages_remote when forced)
long get_user_pages(Kernel& k, std::uint32_t mm, std::uint64_t addr, bool write, PageId& page, bool force) {
  checker::RwSem& sem = *k.mms.at(mm).mmap_sem;
  sem.down_read("get_user_pages");
  long ret;
  {
    checker::Frame frame("get_user_pages");
    ret = get_user_pages_locked(k, mm, addr, write, page, force);
  }
  sem.up_read("get_user_pages");
  return ret;
}

// mm/gup.c v4.19: get_user_pages_fast (nr_pages 1; gup_fast_permitted: a user address)
long get_user_pages_fast(Kernel& k, std::uint32_t mm, std::uint64_t addr, bool write, PageId& page) {
  checker::Frame frame("get_user_pages_fast");
  page = kNoPage;
  // 17839856fd58: "The FAST_GUP case requires FOLL_WRITE even for pure reads"
  const bool fast_write = write || k.config.applied(Fix::GupCowBreak);
  local_irq_disable(k, mm);
  const bool fast = gup_pmd_range(k, mm, addr, fast_write, page);
  local_irq_enable(k, mm);
  if (fast) {
    pin_taken(k, page, mm, addr, "get_user_pages_fast");
    return 1;
  }
  checker::note("get_user_pages_fast: get_user_pages_unlocked");
  return get_user_pages_unlocked(k, mm, addr, write, page);
}

std::string gup_model_error(const Kernel& k, std::uint32_t mm, std::uint64_t addr, bool write, bool force) {
  const int v = k.find_vma(mm, addr);
  if (v < 0) return "no vma of mm " + k.mms.at(mm).name + " contains this address (get_user_pages would return -EFAULT)";
  const Vma& vma = k.vmas[static_cast<std::size_t>(v)];
  if (!check_vma_flags(vma, write, force))
    return std::string("the vma is not ") + (write ? "VM_WRITE" : "VM_READ") +
           (force ? " and is VM_SHARED" : "") +
           ": get_user_pages would return -EFAULT at once (not a race worth a scenario" +
           (force ? ")" : "; \"force\": true lets a private vma be written as ptrace does)");
  // The pin may fault as a write: FOLL_WRITE, or 17839856fd58's forced COW break of a read pin.
  const bool fault_write = write || (k.config.applied(Fix::GupCowBreak) && !(vma.flags & VM_SHARED));
  if (fault_write && !(vma.flags & VM_WRITE)) {
    // The COW cycle leaves a dirty read-only entry that FOLL_COW follows (can_follow_write_pte,
    // can_follow_write_pmd).
    if (!vma.has_anon_vma())
      return "a write pin may fault, which needs the vma's anon_vma declared (anon_vma_prepare is not modelled)";
    return v4_19::fault_model_error(k, mm, addr, false);  // the write fault's own checks but VM_WRITE
  }
  return v4_19::fault_model_error(k, mm, addr, fault_write);
}

}  // namespace model::v4_19
