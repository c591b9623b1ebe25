// user_access.cpp: the user store (a task writing its memory), the kernel's
// reads of page data and the TLB flush as steps on "K.data", and the
// "no_lost_write" check (issue 13, v3.9).
//
// Yield points: the page walk (a Read of the pte), the MMU's update of a clean
// or old pte (a Write of the pte), the store (a Write of "K.data"), each read of page data and each TLB flush of a writable pte
// (steps only when the scenario stores), and everything the write fault announces;
// a flush of an mm a get_user_pages_fast thread walks first waits for its CPUs with
// interrupts off (flush_tlb_others_wait, model/gup_fast.h).
// Invariant: a store writes Page::content only through a translation no flush
// has dropped since its walk, so it never lands in a page its pte no longer maps
// writable (the hardware's guarantee after ptep_clear_flush).
#include "model/user_access.h"

#include <algorithm>
#include <tuple>

#include "model/gup_fast.h"
#include "model/memory.h"
#include "model/migrate_v4_19.h"
#include "model/swap_state.h"

namespace model {

using checker::AccessKind;
using checker::FailureKind;

namespace {

/// How often a store re-runs after a fault or a flushed translation before the model gives up
/// (each re-run follows another thread's step; the scenarios' threads make few of them).
constexpr int kStoreAttempts = 8;

UserTlbEntry& tlb_entry_of(Kernel& k, checker::ThreadId cpu) {
  for (UserTlbEntry& e : k.user_data.tlb)
    if (e.cpu == cpu) return e;
  k.user_data.tlb.push_back(UserTlbEntry{cpu});
  return k.user_data.tlb.back();
}

// arch/x86 v3.9: the MMU's locked update (_PAGE_DIRTY, _PAGE_ACCESSED) of a clean or old
// writable pte before a store goes through it; false when the pte changed meanwhile (the
// walk runs again)
bool mmu_sets_dirty_bit(Kernel& k, PteSlot& slot, std::uint32_t mm, std::uint64_t addr, const Pte& pte) {
  if (pte.dirty && pte.young) return true;
  checker::announce(slot.obj, AccessKind::Write, "user store: MMU sets the dirty bit");
  const Pte now = slot.pte;
  if (!(now.is_present() && now.write && now.page == pte.page)) {
    checker::note([&] { return std::string("pte " + k.where(mm, addr) + " changed to " + k.pte_str(now) + ": walk again"); });
    return false;
  }
  slot.pte = pte_mkyoung(pte_mkdirty(now));
  checker::note([&] { return std::string(k.pte_str(now) + " -> " + k.pte_str(slot.pte)); });
  return true;
}

// arch/x86/mm/fault.c v3.9 / v4.19: __do_page_fault for the store's write (mmap_sem for read,
// handle_mm_fault); 4.19's pmd-level paths (pmd_migration_entry_wait) come with its handle_mm_fault
unsigned store_fault(Kernel& k, std::uint32_t mm, std::uint64_t addr) {
  if (k.config.era != Era::V4_19) return fault(k, mm, addr, true);
  MmStruct& m = k.mms.at(mm);
  m.mmap_sem->down_read("__do_page_fault");
  const int v = k.find_vma(mm, addr);
  unsigned ret = VM_FAULT_BAD_AREA_GHOST;  // no vma: SIGSEGV
  if (v >= 0) ret = v4_19::handle_mm_fault(k, static_cast<std::uint32_t>(v), addr, FAULT_FLAG_WRITE);
  else checker::note("no vma: SIGSEGV");
  m.mmap_sem->up_read("__do_page_fault");
  return ret;
}

}  // namespace

// arch/x86 v3.9 and v4.19: the store instruction (page walk, TLB, store), faulting through
// arch/x86/mm/fault.c do_page_fault -> mm/memory.c handle_mm_fault (memory.cpp's fault;
// 4.19: memory_v4_19.cpp's). In 4.19 the walk reads the pmd first: a writable huge pmd
// maps the THP itself (its head page's data token stands for the whole THP).
unsigned user_store(Kernel& k, std::uint32_t mm, std::uint64_t addr, std::uint32_t value) {
  for (int attempt = 0; attempt < kStoreAttempts; ++attempt) {
    PageId target = kNoPage;
    if (k.config.era == Era::V4_19) {
      PmdSlot* pmd_slot = k.pmd_slot(mm, addr);
      if (!pmd_slot) model_limit("a user store to an address without a pmd");
      const Pmd pmd = k.read_pmd(mm, *pmd_slot, "user store: page walk");
      if (!pmd.is_table()) {
        // A huge pmd that is not writable, a pmd migration entry or an invalidated pmd faults
        // (pmd_migration_entry_wait; a read-only one: wp_huge_pmd -> do_huge_pmd_wp_page). The MMU's dirty and
        // accessed bits of a huge pmd are not modelled.
        if (pmd.kind != Pmd::Kind::Huge || !pmd.write) {
          const unsigned ret = store_fault(k, mm, addr);
          if (ret & VM_FAULT_ENDS_ACCESS) return ret;
          continue;
        }
        target = pmd.page;
      }
    }
    if (target == kNoPage) {
      PteSlot* slot = k.pte_slot(mm, addr);
      if (!slot) model_limit("a user store to an address without a pte slot");
      // The page walk: the pte read as the MMU reads it, without a lock.
      checker::announce(slot->obj, AccessKind::Read, "user store: page walk");
      const Pte pte = slot->pte;
      checker::note([&] { return std::string("pte " + k.where(mm, addr) + " = " + k.pte_str(pte)); });
      if (!pte.is_present() || !pte.write) {
        const unsigned ret = store_fault(k, mm, addr);  // do_page_fault, then the access again
        if (ret & VM_FAULT_ENDS_ACCESS) return ret;
        continue;
      }
      if (!mmu_sets_dirty_bit(k, *slot, mm, addr, pte)) continue;
      target = pte.page;
    }
    UserTlbEntry& e = tlb_entry_of(k, checker::current_thread());
    e.mm = mm;
    e.address = addr;
    e.page = target;
    e.valid = true;
    // The store through the cached translation: a step on the page's data.
    Page& p = k.pages.at(target);
    checker::announce(p.data_obj, AccessKind::Write, "user store");
    if (!tlb_entry_of(k, checker::current_thread()).valid) {
      checker::note([&] { return std::string("translation of " + k.where(mm, addr) + " flushed: walk again"); });
      continue;
    }
    write_user_data(k, target, mm, addr, value, nullptr);
    return 0;
  }
  model_limit("a user store re-run more than 8 times (faults or flushed translations)");
}

void write_user_data(Kernel& k, PageId page, std::uint32_t mm, std::uint64_t addr, std::uint32_t value,
                     const char* dma_what) {
  const bool by_dma = dma_what != nullptr;
  if (by_dma) {
    // The device writes the buffer it was given: where mremap has moved it since the pin.
    for (std::size_t hops = 0; hops < k.user_data.moved.size(); ++hops) {  // one mremap per mm: no cycle
      const auto it = k.user_data.moved.find({mm, addr});
      if (it == k.user_data.moved.end()) break;
      std::tie(mm, addr) = it->second;
    }
  }
  Page& p = k.pages.at(page);
  const std::uint32_t old = p.content;
  p.content = value;
  p.garbage = false;
  k.user_data.last_store[{mm, addr}] = value;
  k.user_data.last_page[{mm, addr}] = page;
  k.user_data.written[{mm, addr}].insert(value);
  k.user_data.discarded.erase({mm, addr});
  if (by_dma)
    k.user_data.last_by_dma[{mm, addr}] = dma_what;
  else
    k.user_data.last_by_dma.erase({mm, addr});
  if (p.freed)  // a store through a stale TLB entry, a DMA through a pin that did not keep the page
    k.user_data.landed_freed.insert({mm, addr});
  else
    k.user_data.landed_freed.erase({mm, addr});
  checker::note([&] { return std::string(p.name + " data " + std::to_string(old) + " -> " + std::to_string(value) +
                                         (by_dma ? " (DMA for " : " (store at ") + k.where(mm, addr) + ")"); });
}

void discard_user_data(Kernel& k, std::uint32_t mm, std::uint64_t start, std::uint64_t end) {
  for (std::uint64_t a = start; a < end; a += kPageSize) k.user_data.ever_discarded.insert({mm, a});
  for (const auto& [where, value] : k.user_data.last_store)
    if (where.first == mm && start <= where.second && where.second < end) k.user_data.discarded.insert(where);
}

void move_user_data(Kernel& k, std::uint32_t mm, std::uint64_t old_start, std::uint64_t old_end,
                    std::uint64_t new_start) {
  UserData& d = k.user_data;
  std::vector<std::pair<std::uint32_t, std::uint64_t>> moved;
  for (const auto& [where, value] : d.last_store)
    if (where.first == mm && old_start <= where.second && where.second < old_end) moved.push_back(where);
  for (std::uint64_t a = old_start; a < old_end; a += kPageSize) {
    const std::pair<std::uint32_t, std::uint64_t> to{mm, new_start + (a - old_start)};
    d.moved[{mm, a}] = to;
    if (d.ever_discarded.count({mm, a})) d.ever_discarded.insert(to);  // the buffer's history moves too
  }
  for (const auto& from : moved) {
    const std::pair<std::uint32_t, std::uint64_t> to{mm, new_start + (from.second - old_start)};
    if (!d.last_store.count(to)) {
      d.last_store[to] = d.last_store[from];
      d.last_page[to] = d.last_page[from];
      if (d.last_by_dma.count(from)) d.last_by_dma[to] = d.last_by_dma[from];
      if (d.landed_freed.count(from)) d.landed_freed.insert(to);
      if (d.discarded.count(from)) d.discarded.insert(to);
      d.written[to].insert(d.written[from].begin(), d.written[from].end());
      checker::note([&] { return std::string("the data last written at " + k.where(mm, from.second) + " is now at " +
                                             k.where(mm, to.second)); });
    }
    d.last_store.erase(from);
    d.last_page.erase(from);
    d.last_by_dma.erase(from);
    d.landed_freed.erase(from);
    d.discarded.erase(from);
    d.written.erase(from);
  }
}

void read_page_data(Kernel& k, PageId page, const char* label) {
  if (!k.user_data.track) return;
  checker::announce(k.pages.at(page).data_obj, AccessKind::Read, label);
}

// arch/x86/mm/tlb.c v3.9: flush_tlb_page (as ptep_clear_flush issues it; the IPI waits for every CPU)
void flush_tlb_page(Kernel& k, std::uint32_t mm, std::uint64_t addr, PageId page, const char* label) {
  flush_tlb_range(k, mm, addr, addr + kPageSize, page, label);
}

// arch/x86/mm/tlb.c v4.19: flush_tlb_range (flush_tlb_mm_range; pmdp_invalidate's flush_pmd_tlb_range)
void flush_tlb_range(Kernel& k, std::uint32_t mm, std::uint64_t start, std::uint64_t end, PageId page,
                     const char* label) {
  checker::Frame frame("flush_tlb_range");
  flush_tlb_others_wait(k, mm, label);  // CPUs of mm with interrupts off (get_user_pages_fast scenarios only)
  if (!k.user_data.track) return;
  checker::announce(k.pages.at(page).data_obj, AccessKind::Write, label);
  for (UserTlbEntry& e : k.user_data.tlb)
    if (e.valid && e.mm == mm && start <= e.address && e.address < end) e.valid = false;
}

namespace {

/// ", into P, which is free now": where the lost write landed, when not in `mapped`.
std::string landed_in(const Kernel& k, const std::pair<std::uint32_t, std::uint64_t>& where, PageId mapped) {
  const auto it = k.user_data.last_page.find(where);
  if (it == k.user_data.last_page.end() || it->second == mapped) return "";
  const Page& p = k.pages.at(it->second);
  if (!p.freed) return " (into " + p.name + ")";
  // Written after its free: a store reaches a freed page through a stale TLB entry, a DMA
  // through a pin whose reference did not keep the page. Written before: the page was freed
  // later with the data in it, which never reached the page the address maps now.
  if (!k.user_data.landed_freed.count(where)) return " (into " + p.name + ", freed since with the data in it)";
  return " (into " + p.name + ", which was free when it was written: " +
         (k.user_data.last_by_dma.count(where) ? "a DMA into a page its pin did not keep" : "a write through a stale TLB entry") +
         ", use-after-free)";
}

}  // namespace

void no_lost_write(const Kernel& k) {
  for (const auto& [where, value] : k.user_data.last_store) {
    const auto [mm, addr] = where;
    // "store" for a store, "DMA write (get_user_pages)" for a device's write into a pinned page
    const auto dma = k.user_data.last_by_dma.find(where);
    const char* const wrote = dma != k.user_data.last_by_dma.end() ? dma->second : "store";
    if (k.find_vma(mm, addr) < 0) continue;  // unmapped: nothing to read back
    const auto it = k.mms.at(mm).ptes.find(addr);
    const Pte* pte = it == k.mms[mm].ptes.end() ? nullptr : &it->second.pte;
    // A DMA into a page pinned before a MADV_DONTNEED of its address lands in the orphaned page:
    // what the address reads now (zero fill, or a page faulted in since) owes nothing to it.
    if (k.user_data.last_by_dma.count(where) && k.user_data.ever_discarded.count(where)) {
      const auto landed = k.user_data.last_page.find(where);
      const bool still_mapped = landed != k.user_data.last_page.end() && pte && pte->is_present() &&
                                pte->page == landed->second;
      if (!still_mapped) continue;
    }
    // What a read of the address returns now, and how it gets it.
    std::uint32_t got = 0;
    std::string how;
    PageId page = kNoPage;
    if (const PmdSlot* ps = k.pmd_slot(mm, addr); ps && !ps->pmd.is_none() && !ps->pmd.is_table()) {
      // 4.19: under a huge pmd, a pmd migration entry or an invalidated pmd, the THP (its head
      // page's token stands for the whole THP)
      page = ps->pmd.page;
      got = k.pages[page].content;
      how = "a read of " + k.where(mm, addr) + " (pmd " + k.pmd_str(ps->pmd) + ") returns " + std::to_string(got);
    } else if (pte && (pte->is_present() || pte->is_migration())) {
      page = pte->page;
      got = k.pages[page].content;
      how = "a read of " + k.where(mm, addr) + " (" + k.pte_str(*pte) + ") returns " + std::to_string(got);
    } else if (pte && pte->is_swap()) {
      page = swap_cache_page(k, pte->entry);
      got = page != kNoPage ? k.pages[page].content : swap_device_data(k, pte->entry);
      how = "a read of " + k.where(mm, addr) + " (" + k.pte_str(*pte) + ") " +
            (page != kNoPage ? "returns " : "swaps in ") + std::to_string(got) + (page != kNoPage ? "" : " from the device");
    } else {
      how = k.where(mm, addr) + " maps nothing (a read gets the zero fill)";  // got = 0
    }
    if (got == value) continue;
    // MADV_DONTNEED discarded the last write there (it completed before the discard's TLB
    // flush): a read returns the zero fill madvise promises (a none pte, the zero page, or a
    // zeroed page a fault allocated since), or what a write that raced the discard left in the
    // page faulted in after the zap; never a value nobody wrote there.
    if (k.user_data.discarded.count(where)) {
      const auto w = k.user_data.written.find(where);
      if (got == 0 || (w != k.user_data.written.end() && w->second.count(got))) continue;
    }
    checker::fail(FailureKind::Invariant, "no_lost_write: " + how + ", but the last " + wrote + " there wrote " +
                                              std::to_string(value) + landed_in(k, where, page));
  }
}

std::string store_model_error(const Kernel& k, std::uint32_t mm, std::uint64_t addr) {
  const int v = k.find_vma(mm, addr);
  // 4.19: the write fault's own refusals (no VM_WRITE, pmd none, no anon_vma, no pte
  // declared under a table)
  if (k.config.era == Era::V4_19 && v >= 0) return v4_19::fault_model_error(k, mm, addr, true);
  if (v < 0 || !k.mms.at(mm).ptes.count(addr)) return "no pte slot of mm " + k.mms[mm].name + " at this address";
  const Vma& vma = k.vmas[static_cast<std::size_t>(v)];
  if (!(vma.flags & VM_WRITE)) return "the vma is not VM_WRITE: the store would be a SIGSEGV (not modelled)";
  if (!vma.has_anon_vma()) return "a store may fault for write, which needs the vma's anon_vma declared";
  return "";
}

}  // namespace model
