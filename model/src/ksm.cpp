// ksm.cpp: run_store, unmerge_and_remove_all_rmap_items, break_ksm,
// get_ksm_page, remove_stable_node & co., try_to_unmap_ksm, rmap_walk_ksm,
// ksm_migrate_page, ksm_test_exit and __ksm_exit (mm/ksm.c v3.9); kernel 4.19 runs
// rmap_walk_ksm and ksm_migrate_page as they are (the same code), and its forms of
// run_store, unmerge, break_ksm, get_ksm_page and remove_stable_node are era
// branches here (v4.19 has every v3.9 fix; its break_ksm faults through
// memory_v4_19.cpp); below, in namespace v2_6_33, their v2.6.33
// forms (seeds 001/002) with drop_anon_vma, page_referenced_ksm and ksm_memory_callback;
// last, in namespace v4_19, the load-time limits of KSM in kernel 4.19.
//
// Yield points: lock operations, lockless reads of stable_node->kpfn and
// page->mapping in get_ksm_page, the kpfn switch in ksm_migrate_page, stable
// node removal, and everything the called memory/rmap paths announce.
// Invariants: a stable node's hlist is edited only with the page lock of its
// page held (G3, asserted); an rb_erase is from the tree the node is linked in
// (ghost `tree`, asserted).
#include "model/ksm.h"

#include "model/actors.h"

#include <algorithm>

#include "model/memory.h"
#include "model/migrate_v4_19.h"
#include "model/mmap.h"
#include "model/rmap.h"
#include "model/v2_6_33.h"

namespace model {

using checker::AccessKind;
using checker::FailureKind;

namespace {

Mapping ksm_mapping(std::uint32_t node) { return Mapping{Mapping::Kind::Ksm, node}; }

/// The position of mm's slot in the mm list (the list is a vector: positions move when a fork inserts).
std::size_t mm_slot_index(const KsmState& ksm, std::uint32_t mm) {
  for (std::size_t i = 0; i < ksm.mm_slots.size(); ++i)
    if (ksm.mm_slots[i].mm == mm) return i;
  return ksm.mm_slots.size();
}

/// A v3.9 KSM fix is in this kernel: applied in 3.9 (not reverted), and always in 4.19,
/// whose tree has it (the toggles belong to the 3.9 era only).
bool ksm_fix_in(const Kernel& k, Fix fix) { return k.config.era == Era::V4_19 || k.config.applied(fix); }

}  // namespace

// mm/ksm.c v2.6.33, v3.9: ksm_test_exit (atomic_read(&mm->mm_users) == 0)
bool ksm_test_exit(const Kernel& k, std::uint32_t mm) {
  const MmStruct& m = k.mms.at(mm);
  if (m.users_obj != checker::kNoObject) checker::announce(m.users_obj, AccessKind::Read, "ksm_test_exit");
  return m.mm_users == 0;
}

// mm/ksm.c v4.19 (7496fea9a6bf): scan_get_next_rmap_item's and unmerge_and_remove_all_rmap_items'
// up_read(&mm->mmap_sem) before ksm_mmlist_lock is released (v2.6.33, v3.9.6: after it)
bool ksm_up_read_first(const Kernel& k) {
  return k.config.era == Era::V4_19 || (k.config.era == Era::V3_9 && k.config.applied(Fix::ScanUpReadFirst));
}

void kasan_mm_up_read_after_unlock(const Kernel& k, std::uint32_t mm, const char* function) {
  if (k.mms.at(mm).freed_at.empty()) return;  // (the message is built only for a report)
  const std::string name = function;
  k.kasan_mm(mm, (name + (name.back() == 's' ? "'" : "'s") + " up_read(&mm->mmap_sem) (" +
                  (k.config.era == Era::V2_6_33 ? "v2.6.33 predates 7496fea9a6bf, v4.13)" : "7496fea9a6bf reverted)"))
                     .c_str());
}

// mm/ksm.c v3.9: __ksm_exit (via include/linux/ksm.h ksm_exit: only an mm with MMF_VM_MERGEABLE)
void ksm_exit(Kernel& k, std::uint32_t mm) {
  checker::Frame frame("ksm_exit");
  MmStruct& m = k.mms.at(mm);
  if (!m.mmf_vm_mergeable) return;
  KsmState& ksm = k.ksm;
  bool easy_to_free = false;
  ksm.ksm_mmlist_lock->lock("__ksm_exit");
  const std::size_t slot = mm_slot_index(ksm, mm);  // get_mm_slot
  const bool found = slot < ksm.mm_slots.size();
  if (found && ksm.scan_cursor != slot) {
    if (ksm.mm_slots[slot].rmap_list.empty()) {
      // hash_del, list_del: freed at once
      ksm.mm_slots.erase(ksm.mm_slots.begin() + static_cast<std::ptrdiff_t>(slot));
      if (ksm.scan_cursor > slot) --ksm.scan_cursor;
      easy_to_free = true;
    } else {
      // list_move(&mm_slot->mm_list, &ksm_scan.mm_slot->mm_list): just after the cursor, for ksmd to reap
      const bool at_head = ksm.scan_cursor >= ksm.mm_slots.size();  // ksm_scan.mm_slot == &ksm_mm_head
      MmSlot moved = std::move(ksm.mm_slots[slot]);
      ksm.mm_slots.erase(ksm.mm_slots.begin() + static_cast<std::ptrdiff_t>(slot));
      if (at_head) {
        ksm.mm_slots.insert(ksm.mm_slots.begin(), std::move(moved));  // first, after the head
        ksm.scan_cursor = ksm.mm_slots.size();
      } else {
        const std::size_t cursor = slot < ksm.scan_cursor ? ksm.scan_cursor - 1 : ksm.scan_cursor;
        ksm.mm_slots.insert(ksm.mm_slots.begin() + static_cast<std::ptrdiff_t>(cursor + 1), std::move(moved));
        ksm.scan_cursor = cursor;
      }
    }
  }
  std::string order;
  for (const MmSlot& s : ksm.mm_slots) order += (order.empty() ? "" : ", ") + k.mms[s.mm].name;
  checker::note([&] { return std::string("__ksm_exit(" + m.name + "): " + (!found ? "no mm_slot" : easy_to_free ? "mm_slot freed" : "mm_slot left for ksmd") +
                                         ", mm list [" + order + "]"); });
  ksm.ksm_mmlist_lock->unlock("__ksm_exit");
  if (easy_to_free) {
    m.mmf_vm_mergeable = false;  // free_mm_slot, clear_bit(MMF_VM_MERGEABLE)
    mmdrop(k, mm, "__ksm_exit", /*may_free=*/false);  // the users' reference is __mmput's to drop
  } else if (found) {
    // "use mmap_sem to synchronize with any break_cows before pagetables are freed"
    m.mmap_sem->down_write("__ksm_exit");
    m.mmap_sem->up_write("__ksm_exit");
  }
}

// mm/ksm.c pre-003 (cbf86cfe04a6^) / v3.9: get_kpfn_nid
int get_kpfn_nid(const Kernel& k, PageId kpfn) {
  return k.ksm.merge_across_nodes ? 0 : k.pages.at(kpfn).nid;
}

// mm/ksm.c v2.6.33, v3.9, v4.19: run_store (the same in all three; 2.6.33 has no wait_while_offlining)
long run_store(Kernel& k, unsigned value) {
  if (value > KSM_RUN_UNMERGE) return -kEINVAL;
  KsmState& ksm = k.ksm;
  ksm.ksm_thread_mutex->lock("run_store");
  // wait_while_offlining(): no memory hot-remove actor runs in these
  // scenarios, so KSM_RUN_OFFLINE is never set.
  checker::announce(ksm.run_obj, AccessKind::ReadModifyWrite, "run_store");
  long err = 0;
  if (ksm.ksm_run != value) {
    ksm.ksm_run = value;
    checker::note([&] { return std::string("ksm_run = " + std::to_string(value)); });
    if (value & KSM_RUN_UNMERGE) {
      ksm.unmerge_stored = true;
      err = unmerge_and_remove_all_rmap_items(k);
      if (err) {
        checker::announce(ksm.run_obj, AccessKind::Write, "run_store");
        ksm.ksm_run = KSM_RUN_STOP;
        checker::note("unmerge failed: ksm_run = 0");
      } else {
        ksm.run2_succeeded = true;
      }
    }
  }
  ksm.ksm_thread_mutex->unlock("run_store");
  return err;
}

// mm/ksm.c v2.6.33, v3.9, v4.19: unmerge_and_remove_all_rmap_items (4.19, and 3.9 with 7496fea9a6bf,
// v4.13: mmap_sem dropped before ksm_mmlist_lock; 2.6.33 and 3.9 with it reverted: after the
// spin_unlock, when an exit may have freed the mm; 2.6.33 and v3.8: no remove_all_stable_nodes at the end)
int unmerge_and_remove_all_rmap_items(Kernel& k) {
  checker::Frame frame("unmerge_and_remove_all_rmap_items");
  KsmState& ksm = k.ksm;
  ksm.ksm_mmlist_lock->lock("unmerge_and_remove_all_rmap_items");
  ksm.scan_cursor = 0;
  checker::note([&] { return std::string(ksm.mm_slots.empty() ? std::string("ksm_scan.mm_slot = &ksm_mm_head")
                                     : "ksm_scan.mm_slot = " + k.mms[ksm.mm_slots[0].mm].name); });
  ksm.ksm_mmlist_lock->unlock("unmerge_and_remove_all_rmap_items");

  while (ksm.scan_cursor < ksm.mm_slots.size()) {
    std::size_t slot = ksm.scan_cursor;
    std::uint32_t mm = ksm.mm_slots[slot].mm;
    MmStruct& m = k.mms[mm];
    m.mmap_sem->down_read("unmerge_and_remove_all_rmap_items");
    k.kasan_mm(mm, "unmerge_and_remove_all_rmap_items' down_read(&mm->mmap_sem)");  // never: the slot's reference
    // A copy of the vma list: exit_mmap (no mmap_sem) may only change it once
    // ksm_test_exit is true, and the loop stops then.
    for (std::uint32_t v : std::vector<std::uint32_t>(m.vmas)) {
      if (ksm_test_exit(k, mm)) break;
      const Vma& vma = k.vmas[v];
      if (!(vma.flags & VM_MERGEABLE) || !vma.has_anon_vma()) continue;
      int err = unmerge_ksm_pages(k, v, vma.start, vma.end);
      if (err) {
        m.mmap_sem->up_read("unmerge_and_remove_all_rmap_items");
        ksm.ksm_mmlist_lock->lock("unmerge_and_remove_all_rmap_items");
        ksm.scan_cursor = ksm.mm_slots.size();
        ksm.ksm_mmlist_lock->unlock("unmerge_and_remove_all_rmap_items");
        return err;
      }
    }
    // A fork may have inserted an mm_slot before this one meanwhile (__ksm_enter):
    // the list is a vector here, so find the slot again by its mm.
    slot = mm_slot_index(ksm, mm);
    remove_trailing_rmap_items(k, slot);
    // mm/ksm.c v4.19 (7496fea9a6bf): up_read(&mm->mmap_sem) before spin_lock(&ksm_mmlist_lock) (v3.9.6: after it)
    const bool up_read_first = ksm_up_read_first(k);
    if (up_read_first) m.mmap_sem->up_read("unmerge_and_remove_all_rmap_items");
    ksm.ksm_mmlist_lock->lock("unmerge_and_remove_all_rmap_items");
    slot = mm_slot_index(ksm, mm);
    ksm.scan_cursor = slot + 1;
    checker::note([&] { return std::string(ksm.scan_cursor < ksm.mm_slots.size()
                      ? "ksm_scan.mm_slot = " + k.mms[ksm.mm_slots[ksm.scan_cursor].mm].name
                      : std::string("ksm_scan.mm_slot = &ksm_mm_head")); });
    if (ksm_test_exit(k, mm)) {
      // The exiting mm's slot is freed here (hash_del, list_del, free_mm_slot,
      // clear_bit(MMF_VM_MERGEABLE), mmdrop); the cursor already names the next one.
      ksm.mm_slots.erase(ksm.mm_slots.begin() + static_cast<std::ptrdiff_t>(slot));
      ksm.scan_cursor = slot;
      checker::note([&] { return std::string("mm_slot of exiting " + m.name + " freed"); });
      ksm.ksm_mmlist_lock->unlock("unmerge_and_remove_all_rmap_items");
      m.mmf_vm_mergeable = false;
      if (!up_read_first) m.mmap_sem->up_read("unmerge_and_remove_all_rmap_items");
      mmdrop(k, mm, "unmerge_and_remove_all_rmap_items", /*may_free=*/false);  // its last access is behind it
      continue;
    }
    ksm.ksm_mmlist_lock->unlock("unmerge_and_remove_all_rmap_items");
    if (!up_read_first) {
      m.mmap_sem->up_read("unmerge_and_remove_all_rmap_items");
      // The slot stays hashed with the cursor past it: __ksm_exit frees it at once when it has no
      // rmap_item (easy_to_free, no mmap_sem taken), and the exit's last mmdrop the mm_struct.
      kasan_mm_up_read_after_unlock(k, mm, "unmerge_and_remove_all_rmap_items");
    }
  }

  // "Clean up stable nodes, but don't worry if some are still busy": added by
  // cbf86cfe04a6; v3.8 left the stable nodes to a later ksmd pass.
  if (ksm_fix_in(k, Fix::StaleNodesSweep)) remove_all_stable_nodes(k);
  ksm.seqnr = 0;  // ksm_scan.seqnr = 0
  return 0;
}

// mm/madvise.c v2.6.33, v3.9, v4.19: madvise (MADV_UNMERGEABLE needs mmap_sem for write) -> mm/ksm.c: ksm_madvise
int madvise_unmergeable(Kernel& k, std::uint32_t mm, std::uint64_t start, std::uint64_t end) {
  MmStruct& m = k.mms.at(mm);
  m.mmap_sem->down_write("madvise");
  int err = 0;
  int v = k.find_vma(mm, start);
  if (v < 0 || k.vmas[static_cast<std::size_t>(v)].end < end) {
    err = -12;  // -ENOMEM: the range is not covered by one vma (the model takes one)
  } else {
    Vma& vma = k.vmas[static_cast<std::size_t>(v)];
    // ksm_madvise(MADV_UNMERGEABLE)
    if (vma.flags & VM_MERGEABLE) {
      if (vma.has_anon_vma()) err = unmerge_ksm_pages(k, static_cast<std::uint32_t>(v), start, end);
      if (!err) {
        vma.flags &= ~VM_MERGEABLE;
        vma.madv_unmerged = true;
      }
    }
  }
  m.mmap_sem->up_write("madvise");
  if (!err && v >= 0 && k.vmas[static_cast<std::size_t>(v)].madv_unmerged)
    checker::note([&] { return std::string("vma " + k.where(mm, start) + " no longer VM_MERGEABLE"); });
  return err;
}

// mm/ksm.c v2.6.33, v3.9, v4.19: unmerge_ksm_pages
int unmerge_ksm_pages(Kernel& k, std::uint32_t vma, std::uint64_t start, std::uint64_t end) {
  checker::Frame frame("unmerge_ksm_pages");
  int err = 0;
  for (std::uint64_t addr = start; addr < end && !err; addr += kPageSize) {
    if (ksm_test_exit(k, k.vmas[vma].mm)) break;
    err = break_ksm(k, vma, addr);  // signal_pending(): no signals in the model
  }
  return err;
}

// mm/ksm.c v2.6.33 (FOLL_GET only: FOLL_MIGRATION came with 5117b3b835f2), v3.9: break_ksm; v4.19: the same loop with FOLL_GET|FOLL_MIGRATION|FOLL_REMOTE and
// handle_mm_fault(FAULT_FLAG_WRITE|FAULT_FLAG_REMOTE) through kernel 4.19's fault path
int break_ksm(Kernel& k, std::uint32_t vma, std::uint64_t addr) {
  checker::Frame frame("break_ksm");
  // 5117b3b835f2 added FOLL_MIGRATION here: without it follow_page() finds no
  // page while the pte is a migration entry, and the address is skipped.
  // (follow_page dispatches to v4_19::follow_page in 4.19; FOLL_REMOTE, FAULT_FLAG_REMOTE
  // only skip protection keys, and VM_FAULT_SIGSEGV, which 4.19 also stops on, never
  // comes from an anonymous vma's write fault in the model.)
  const bool v4_19 = k.config.era == Era::V4_19;
  unsigned foll = FOLL_GET;
  if (ksm_fix_in(k, Fix::FollMigration)) foll |= FOLL_MIGRATION;
  unsigned ret = 0;
  do {
    PageId page = follow_page(k, vma, addr, foll);
    if (page == kNoPage) break;
    k.own_page_ref(page);  // follow_page(FOLL_GET)'s reference is ours
    if (k.pages[page].PageKsm())
      ret = v4_19 ? v4_19::handle_mm_fault(k, vma, addr, FAULT_FLAG_WRITE)  // mm/memory.c v4.19
                  : handle_mm_fault(k, vma, addr, FAULT_FLAG_WRITE);
    else
      ret = VM_FAULT_WRITE;
    k.page_ref_put_own(page, "break_ksm");
  } while (!(ret & (VM_FAULT_WRITE | VM_FAULT_SIGBUS | VM_FAULT_OOM)));

  if (k.check_break_ksm) {
    // Postcondition (seed 000, section 2(c)): on return the address maps no
    // KSM page, neither present nor behind a migration entry.
    std::uint32_t mm = k.vmas[vma].mm;
    if (const PteSlot* slot = k.pte_slot(mm, addr)) {
      const Pte& pte = slot->pte;
      if ((pte.is_present() || pte.is_migration()) && k.pages[pte.page].PageKsm() &&
          !(ret & VM_FAULT_OOM))
        checker::fail_check("break_ksm_postcondition", FailureKind::Assertion,
                      "break_ksm postcondition: " + k.where(mm, addr) + " = " + k.pte_str(pte) +
                          " still maps KSM page " + k.page_name(pte.page) + " when break_ksm returns 0");
    }
  }
  return (ret & VM_FAULT_OOM) ? -kENOMEM : 0;
}

// mm/ksm.c v2.6.33, v3.9, v4.19: remove_trailing_rmap_items (each era's remove_rmap_item_from_tree)
void remove_trailing_rmap_items(Kernel& k, std::size_t slot) {
  checker::Frame frame("remove_trailing_rmap_items");
  // The mm_slots vector may grow (a fork's __ksm_enter) while an item is
  // removed, so the slot is looked up again by its mm on every round.
  const std::uint32_t mm = k.ksm.mm_slots.at(slot).mm;
  for (;;) {
    std::vector<std::uint32_t>& list = k.ksm.mm_slots[mm_slot_index(k.ksm, mm)].rmap_list;
    if (list.empty()) break;
    std::uint32_t item = list.front();
    list.erase(list.begin());
    if (k.config.era == Era::V2_6_33) v2_6_33::remove_rmap_item_from_tree(k, item);
    else remove_rmap_item_from_tree(k, item);
    k.rmap_items[item].freed = true;  // free_rmap_item
  }
}

// mm/ksm.c v3.9, v4.19: remove_rmap_item_from_tree (4.19's rmap_hlist_len is the hlist's size)
void remove_rmap_item_from_tree(Kernel& k, std::uint32_t item) {
  checker::Frame frame("remove_rmap_item_from_tree");
  RmapItem& r = k.rmap_items.at(item);
  if (r.stable) {
    std::uint32_t node = r.head;
    PageId page = get_ksm_page(k, node, true);
    if (page == kNoPage) return;  // the node was stale and is gone, with our link
    StableNode& s = k.stable_nodes[node];
    // G3: the hlist is edited under the lock of the node's current page.
    if (k.pages[s.kpfn].lock->holder() != checker::current_thread())
      checker::fail(FailureKind::Assertion,
                    "G3: " + s.name + ".hlist edited without the lock of " + k.page_name(s.kpfn));
    checker::announce(s.obj, AccessKind::Write, "remove_rmap_item_from_tree");
    std::erase(s.hlist, item);  // hlist_del
    checker::note([&] { return std::string(s.name + ".hlist -= " + r.name); });
    k.pages[page].lock->unlock("remove_rmap_item_from_tree");
    k.page_ref_put(page, "remove_rmap_item_from_tree");
    if (!s.hlist.empty())
      --k.ksm.pages_sharing;
    else
      --k.ksm.pages_shared;
    put_anon_vma(k, r.anon_vma, "remove_rmap_item_from_tree");
    r.stable = false;                        // rmap_item->address &= PAGE_MASK
    r.head = kNoNode;
  } else if (r.unstable) {
    remove_rmap_item_from_unstable_tree(k, item);
  }
}

// mm/ksm.c v2.6.33, v3.9: remove_rmap_item_from_tree's UNSTABLE_FLAG branch (the same in both eras)
void remove_rmap_item_from_unstable_tree(Kernel& k, std::uint32_t item) {
  RmapItem& r = k.rmap_items.at(item);
  // "Usually ksmd can and must skip the rb_erase, because root_unstable_tree was
  // already reset to RB_ROOT": only an item inserted by this scan is still linked.
  const auto age = static_cast<unsigned char>(k.ksm.seqnr - r.seqnr);
  if (age > 1)
    checker::fail(FailureKind::BugOn, "BUG_ON(age > 1) in remove_rmap_item_from_tree: " + r.name + " inserted in scan " +
                                          std::to_string(r.seqnr) + ", now scan " + std::to_string(k.ksm.seqnr));
  if (!age) std::erase(k.ksm.root_unstable_tree.at(static_cast<std::size_t>(r.nid)), item);  // rb_erase
  --k.ksm.pages_unshared;
  r.unstable = false;  // rmap_item->address &= PAGE_MASK
  checker::note([&] { return std::string(r.name + " leaves the unstable tree" + (age ? " (reset already)" : "")); });
}

// mm/ksm.c v3.9, v4.19: get_ksm_page (the same function in both)
PageId get_ksm_page(Kernel& k, std::uint32_t node, bool lock_it) {
  checker::Frame frame("get_ksm_page");
  StableNode& s = k.stable_nodes.at(node);
  const Mapping expected = ksm_mapping(node);
  for (;;) {  // again:
    checker::announce(s.obj, AccessKind::Read, "get_ksm_page");
    PageId kpfn = s.kpfn;  // ACCESS_ONCE(stable_node->kpfn)
    Page& page = k.pages.at(kpfn);
    checker::note([&] { return std::string(s.name + ".kpfn = " + page.name); });
    bool stale = false;
    // page->mapping check, then get_page_unless_zero() and the recheck: one
    // step (the only change that matters in between is the page being freed,
    // which get_page_unless_zero sees). On the whole page even when the
    // mapping check alone decides: it holds no reference, so it sees the
    // reset a freeing put makes (a put is a step on page_count, kernel.h);
    // as a read of K.flags the commutation check fails it at once. Once it
    // took its reference it is refined to a get of the whole page (group
    // kRefGet, kernel.h): it then commutes with other gets, with puts that
    // cannot free (a free would have made it stale) and with mapcount
    // updates, and still conflicts with a put that may free the page and with
    // every read or write of the flags and mapping.
    checker::announce_refinable(page.obj, AccessKind::ReadModifyWrite, "get_ksm_page");
    if (!(page.mapping == expected)) {
      stale = true;
    } else {
      // pre-003 (cbf86cfe04a6^, part 1 reverted): no PageSwapCache spin, a zero count is stale.
      const bool pre003 = !ksm_fix_in(k, Fix::StaleNodesSweep);
      bool waited = false;  // the get below is then part of the wait's step, which does not refine
      while (page.refcount == 0) {
        if (pre003 || !page.test(PG_swapcache)) {
          stale = true;
          break;
        }
        // cpu_relax(): page_freeze_refs() in migrate_page_move_mapping.
        checker::announce_blocking(page.obj, AccessKind::Wait, "get_ksm_page",
                                   [&page] { return page.refcount != 0 || !page.test(PG_swapcache); });
        waited = true;
      }
      if (!stale) {
        k.get_page_locked(kpfn);
        if (!(page.mapping == expected)) {
          k.put_page_locked(kpfn);
          stale = true;
        } else {
          if (!waited) checker::refine_update(checker::kNoObject, Kernel::kRefGet);
          checker::note([&] { return std::string("get_page(" + page.name + ") -> " + std::to_string(page.refcount)); });
        }
      }
    }
    if (stale) checker::note([&] { return std::string(page.name + ".mapping is not " + s.name); });
    if (!stale && lock_it) {
      page.lock->lock("get_ksm_page");
      if (!(page.mapping == expected)) {
        checker::note([&] { return std::string(page.name + ".mapping is no longer " + s.name); });
        page.lock->unlock("get_ksm_page");
        k.put_page(kpfn, "get_ksm_page");
        stale = true;
      }
    }
    if (!stale) return kpfn;
    // stale: but the node's page might be under migration (smp_rmb, kpfn recheck;
    // v3.9 only: pre-003 removes the node at once).
    if (ksm_fix_in(k, Fix::StaleNodesSweep)) checker::announce(s.obj, AccessKind::Read, "get_ksm_page");
    if (ksm_fix_in(k, Fix::StaleNodesSweep) && s.kpfn != kpfn) {
      checker::note([&] { return std::string(s.name + ".kpfn moved to " + k.page_name(s.kpfn) + ": again"); });
      continue;
    }
    checker::note([&] { return std::string(s.name + " stale"); });
    remove_node_from_stable_tree(k, node);
    return kNoPage;
  }
}

// mm/ksm.c v3.9, v4.19: remove_node_from_stable_tree (4.19: stable_node_dup_del's rb_erase of a plain node)
void remove_node_from_stable_tree(Kernel& k, std::uint32_t node) {
  checker::Frame frame("remove_node_from_stable_tree");
  StableNode& s = k.stable_nodes.at(node);
  checker::announce(s.obj, AccessKind::Write, "remove_node_from_stable_tree");
  for (std::size_t i = 0; i < s.hlist.size(); ++i) {
    RmapItem& r = k.rmap_items[s.hlist[i]];
    if (i + 1 < s.hlist.size())
      --k.ksm.pages_sharing;
    else
      --k.ksm.pages_shared;
    put_anon_vma(k, r.anon_vma, "remove_node_from_stable_tree");
    r.stable = false;
    r.head = kNoNode;
  }
  s.hlist.clear();
  const int was_in = s.tree;
  if (s.tree == StableNode::kInMigrateNodes) {
    std::erase(k.ksm.migrate_nodes, node);  // list_del(&stable_node->list)
  } else {
    // v3.9: rb_erase(&stable_node->node, root_stable_tree + NUMA(stable_node->nid)).
    // pre-003 (part 1 of cbf86cfe04a6 reverted): the root is recomputed as
    // get_kpfn_nid(stable_node->kpfn) under the *current* merge_across_nodes.
    const int root = ksm_fix_in(k, Fix::StaleNodesSweep) ? s.nid : get_kpfn_nid(k, s.kpfn);
    // I-003b: the ghost `tree` says where the node really is linked.
    if (s.tree != root)
      checker::fail(FailureKind::Assertion,
                    "rb_erase of " + s.name + " from root_stable_tree[" + std::to_string(root) +
                        "] but it is linked in " +
                        (s.tree < 0 ? std::string("no tree")
                                    : "root_stable_tree[" + std::to_string(s.tree) + "]"));
    std::erase(k.ksm.root_stable_tree.at(static_cast<std::size_t>(root)), node);
  }
  s.tree = StableNode::kNotLinked;
  s.freed = true;  // free_stable_node
  checker::note([&] {
    return s.name + (was_in == StableNode::kInMigrateNodes
                         ? std::string(" removed from migrate_nodes (list_del) and freed")
                         : " removed from root_stable_tree[" + std::to_string(was_in) + "] (rb_erase) and freed");
  });
}

// mm/ksm.c v3.9: remove_stable_node; v4.19: -EBUSY without a WARN when the page is still mapped
int remove_stable_node(Kernel& k, std::uint32_t node) {
  checker::Frame frame("remove_stable_node");
  PageId page = get_ksm_page(k, node, true);
  if (page == kNoPage) return 0;  // get_ksm_page did remove_node_from_stable_tree itself
  Page& p = k.pages[page];
  const bool mapped = k.page_mapcount(page, "remove_stable_node") > 0;  // page_mapped(page)
  if (mapped && k.config.era == Era::V4_19) {
    // "Page could be still mapped if this races with __mmput() running in between
    // ksm_exit() and exit_mmap(). Just refuse to let merge_across_nodes/max_page_sharing
    // be switched."
    checker::note([&] { return std::string(p.name + " still mapped: remove_stable_node -EBUSY"); });
    p.lock->unlock("remove_stable_node");
    k.page_ref_put(page, "remove_stable_node");
    return -kEBUSY;
  }
  if (mapped)
    checker::fail(FailureKind::WarnOn,
                  "WARN_ON_ONCE(page_mapped(page)) in remove_stable_node: " + p.name +
                      " is still mapped (mapcount " + std::to_string(p.mapcount) + ") with stable node " +
                      k.stable_nodes[node].name);
  k.page_flags_write(page, "remove_stable_node");
  p.mapping = ksm_mapping(kNoNode);  // set_page_stable_node(page, NULL)
  checker::note([&] { return std::string(p.name + ".mapping = KSM without node"); });
  remove_node_from_stable_tree(k, node);
  p.lock->unlock("remove_stable_node");
  k.page_ref_put(page, "remove_stable_node");
  return 0;
}

// mm/ksm.c v3.9, v4.19: remove_all_stable_nodes (4.19: remove_stable_node_chain of a plain node is remove_stable_node)
int remove_all_stable_nodes(Kernel& k) {
  checker::Frame frame("remove_all_stable_nodes");
  int err = 0;
  for (int nid = 0; nid < k.ksm.ksm_nr_node_ids(); ++nid) {
    auto& tree = k.ksm.root_stable_tree.at(static_cast<std::size_t>(nid));
    while (!tree.empty()) {
      if (remove_stable_node(k, tree.front())) {
        err = -kEBUSY;
        break;  // proceed to next nid
      }
    }
  }
  std::vector<std::uint32_t> nodes = k.ksm.migrate_nodes;  // list_for_each_safe
  for (std::uint32_t node : nodes)
    if (remove_stable_node(k, node)) err = -kEBUSY;
  return err;
}

namespace {

/// The loop shared by try_to_unmap_ksm and rmap_walk_ksm: every rmap_item of
/// the node, its anon_vma's root read-locked, first the vma of the item's own mm,
/// then (search_new_forks) covering vmas of other mms. `one` returns false to stop.
template <class One>
int walk_stable_node(Kernel& k, std::uint32_t node, const char* label, One one) {
  int ret = SWAP_AGAIN;
  for (int search_new_forks = 0; search_new_forks < 2; ++search_new_forks) {
    const StableNode& s = k.stable_nodes.at(node);
    for (std::size_t i = 0; i < s.hlist.size(); ++i) {
      // A copy: the walk yields, and ksmd's alloc_rmap_item may grow (move) rmap_items meanwhile;
      // a stable item's fields do not change while its page is locked.
      const RmapItem r = k.rmap_items[s.hlist[i]];
      k.kasan_anon_vma(r.anon_vma, label);  // the rmap_item's reference keeps it alive
      const AnonVma& av = k.anon_vmas.at(r.anon_vma);
      k.kasan_anon_vma(av.root, label);     // a child anon_vma pins its root (anon_vma_fork)
      // anon_vma_lock_read(anon_vma): down_read(&anon_vma->root->rwsem), the
      // lock anon_vma_fork holds while it chains a child's vma.
      AnonVma& root = k.anon_vmas.at(av.root);
      root.lock->down_read(label);
      for (std::uint32_t v : av.vmas) {
        const Vma& vma = k.vmas[v];
        if (r.address < vma.start || r.address >= vma.end) continue;
        if ((r.mm == vma.mm) == (search_new_forks != 0)) continue;
        if (!one(v, r.address, ret)) {
          root.lock->up_read(label);  // anon_vma_unlock_read
          return ret;
        }
      }
      root.lock->up_read(label);  // anon_vma_unlock_read
    }
  }
  return ret;
}

}  // namespace

// mm/ksm.c v3.9: try_to_unmap_ksm
int try_to_unmap_ksm(Kernel& k, PageId page, unsigned flags) {
  checker::Frame frame("try_to_unmap_ksm");
  Page& p = k.pages.at(page);
  if (!p.PageKsm()) checker::fail(FailureKind::BugOn, "VM_BUG_ON(!PageKsm(page)) in try_to_unmap_ksm");
  if (!p.PageLocked()) checker::fail(FailureKind::BugOn, "VM_BUG_ON(!PageLocked(page)) in try_to_unmap_ksm");
  std::uint32_t node = k.page_stable_node(page);
  if (node == kNoNode) return SWAP_FAIL;
  return walk_stable_node(k, node, "try_to_unmap_ksm", [&](std::uint32_t v, std::uint64_t addr, int& ret) {
    ret = try_to_unmap_one(k, page, v, addr, flags);
    if (ret != SWAP_AGAIN) return false;
    return k.page_mapcount(page, "try_to_unmap_ksm") > 0;  // page_mapped(page)
  });
}

// mm/ksm.c v3.9, v4.19: rmap_walk_ksm
int rmap_walk_ksm(Kernel& k, PageId page, const RmapOne& rmap_one) {
  checker::Frame frame("rmap_walk_ksm");
  Page& p = k.pages.at(page);
  if (!p.PageKsm()) checker::fail(FailureKind::BugOn, "VM_BUG_ON(!PageKsm(page)) in rmap_walk_ksm");
  if (!p.PageLocked()) checker::fail(FailureKind::BugOn, "VM_BUG_ON(!PageLocked(page)) in rmap_walk_ksm");
  std::uint32_t node = k.page_stable_node(page);
  if (node == kNoNode) return SWAP_AGAIN;
  return walk_stable_node(k, node, "rmap_walk_ksm", [&](std::uint32_t v, std::uint64_t addr, int& ret) {
    ret = rmap_one(page, v, addr);
    return ret == SWAP_AGAIN;
  });
}

// mm/ksm.c v3.9, v4.19: ksm_migrate_page
void ksm_migrate_page(Kernel& k, PageId newpage, PageId oldpage) {
  checker::Frame frame("ksm_migrate_page");
  Page& np = k.pages.at(newpage);
  Page& op = k.pages.at(oldpage);
  if (!op.PageLocked()) checker::fail(FailureKind::BugOn, "VM_BUG_ON(!PageLocked(oldpage)) in ksm_migrate_page");
  if (!np.PageLocked()) checker::fail(FailureKind::BugOn, "VM_BUG_ON(!PageLocked(newpage)) in ksm_migrate_page");
  if (!(np.mapping == op.mapping))
    checker::fail(FailureKind::BugOn, "VM_BUG_ON(newpage->mapping != oldpage->mapping) in ksm_migrate_page");
  std::uint32_t node = k.page_stable_node(newpage);
  if (node == kNoNode) return;
  StableNode& s = k.stable_nodes[node];
  if (s.kpfn != oldpage)
    checker::fail(FailureKind::BugOn, "VM_BUG_ON(stable_node->kpfn != page_to_pfn(oldpage)) in ksm_migrate_page");
  checker::announce(s.obj, AccessKind::Write, "ksm_migrate_page");
  s.kpfn = newpage;
  checker::note([&] { return std::string(s.name + ".kpfn " + op.name + " -> " + np.name); });
  // smp_wmb(); set_page_stable_node(oldpage, NULL)
  k.page_flags_write(oldpage, "ksm_migrate_page");
  op.mapping = ksm_mapping(kNoNode);
  checker::note([&] { return std::string(op.name + ".mapping = KSM without node"); });
}

// ===========================================================================
// v2.6.33 (seeds 001, 002): one stable tree, stable_node->page before
// 62b61f611eb5 and ->kpfn after it, get_ksm_page without a page lock or kpfn
// re-read, anon_vma->lock a spinlock of the anon_vma itself, freed objects
// poisoned (Kernel::kasan_*).
// ===========================================================================
namespace v2_6_33 {

const char* stable_node_key(const Kernel& k) {
  return k.config.applied(Fix::StableNodeKpfnPrune) ? "kpfn" : "page";
}

// mm/ksm.c v2.6.33: drop_anon_vma (atomic_dec_and_lock on ksm_refcount; anon_vma_free when unused)
void drop_anon_vma(Kernel& k, std::uint32_t av) {
  checker::Frame frame("drop_anon_vma");
  k.kasan_anon_vma(av, "drop_anon_vma");
  AnonVma& a = k.anon_vmas.at(av);
  --a.refcount;
  if (a.refcount == 0 && a.vmas.empty()) {
    a.freed = true;  // anon_vma_free
    a.freed_at = Kernel::freed_by("drop_anon_vma");
    checker::note([&] { return std::string("anon_vma " + a.name + " freed"); });
  }
}

// mm/ksm.c v2.6.33: remove_node_from_stable_tree
void remove_node_from_stable_tree(Kernel& k, std::uint32_t node) {
  checker::Frame frame("remove_node_from_stable_tree");
  StableNode& s = k.stable_nodes.at(node);
  checker::announce(s.obj, AccessKind::Write, "remove_node_from_stable_tree");
  k.kasan_stable_node(node, "remove_node_from_stable_tree");
  for (std::size_t i = 0; i < s.hlist.size(); ++i) {
    k.kasan_rmap_item(s.hlist[i], "remove_node_from_stable_tree");
    RmapItem& r = k.rmap_items[s.hlist[i]];
    if (i + 1 < s.hlist.size())
      --k.ksm.pages_sharing;
    else
      --k.ksm.pages_shared;
    v2_6_33::drop_anon_vma(k, r.anon_vma);
    r.stable = false;  // rmap_item->address &= PAGE_MASK
    r.head = kNoNode;
  }
  s.hlist.clear();
  std::erase(k.ksm.root_stable_tree.at(0), node);  // rb_erase(&stable_node->node, &root_stable_tree)
  s.tree = StableNode::kNotLinked;
  s.freed = true;  // free_stable_node
  s.freed_at = Kernel::freed_by("remove_node_from_stable_tree");
  checker::note([&] { return std::string(s.name + " removed from the stable tree and freed"); });
  // Step check: a live page whose mapping still names the node would reach
  // freed memory through page_stable_node() (seed 001 without ksm_migrate_page).
  if (k.check_node_freed_in_use)
    for (const Page& p : k.pages)
      if (!p.freed && !p.offlined && !p.in_free_pool && p.PageKsm() && p.mapping.id == node)
        checker::fail_check("no_stable_node_freed_in_use", FailureKind::Assertion, "no_stable_node_freed_in_use: stable node " + s.name +
                                                  " freed while page " + p.name + " still points at it (" + p.name +
                                                  ".mapping = " + s.name + ")");
}

// mm/ksm.c v2.6.33: get_ksm_page (the "keyhole reference": no page lock, no kpfn re-read)
PageId get_ksm_page(Kernel& k, std::uint32_t node) {
  checker::Frame frame("get_ksm_page");
  StableNode& s = k.stable_nodes.at(node);
  checker::announce(s.obj, AccessKind::Read, "get_ksm_page");
  k.kasan_stable_node(node, "get_ksm_page");
  const PageId kpfn = s.kpfn;  // stable_node->page, or pfn_to_page(stable_node->kpfn)
  Page& page = k.pages.at(kpfn);
  checker::note([&] { return std::string(s.name + "." + stable_node_key(k) + " = " + page.name); });
  // page->mapping check, get_page_unless_zero, recheck: one step on the page.
  checker::announce(page.obj, AccessKind::ReadModifyWrite, "get_ksm_page");
  k.kasan_page(kpfn, "get_ksm_page");
  const Mapping expected = ksm_mapping(node);
  if (page.mapping == expected && page.refcount > 0) {
    k.get_page_locked(kpfn);
    checker::note([&] { return std::string("get_page(" + page.name + ") -> " + std::to_string(page.refcount)); });
    return kpfn;
  }
  checker::note([&] { return std::string(page.name + ".mapping is not " + s.name + ": stale"); });
  v2_6_33::remove_node_from_stable_tree(k, node);
  return kNoPage;
}

// mm/ksm.c v2.6.33: remove_rmap_item_from_tree (lock_page after get_ksm_page, no re-check)
void remove_rmap_item_from_tree(Kernel& k, std::uint32_t item) {
  checker::Frame frame("remove_rmap_item_from_tree");
  k.kasan_rmap_item(item, "remove_rmap_item_from_tree");
  RmapItem& r = k.rmap_items.at(item);
  if (r.stable) {
    const std::uint32_t node = r.head;
    PageId page = v2_6_33::get_ksm_page(k, node);
    if (page == kNoPage) return;  // the stale node is gone, with our link
    Page& p = k.pages[page];
    p.lock->lock("remove_rmap_item_from_tree");
    StableNode& s = k.stable_nodes[node];
    checker::announce(s.obj, AccessKind::Write, "remove_rmap_item_from_tree");
    k.kasan_stable_node(node, "remove_rmap_item_from_tree");
    // G3: the hlist is edited under the lock of the node's page at this instant.
    if (k.pages[s.kpfn].lock->holder() != checker::current_thread())
      checker::fail(FailureKind::Assertion, "G3: " + s.name + ".hlist edited under the lock of " + p.name + " but " +
                                                s.name + "." + stable_node_key(k) + " = " + k.page_name(s.kpfn) +
                                                " (hlist_del of " + r.name + " without the lock of " +
                                                k.page_name(s.kpfn) + ")");
    std::erase(s.hlist, item);  // hlist_del
    checker::note([&] { return std::string(s.name + ".hlist -= " + r.name); });
    p.lock->unlock("remove_rmap_item_from_tree");
    k.put_page(page, "remove_rmap_item_from_tree");
    if (!s.hlist.empty())
      --k.ksm.pages_sharing;
    else
      --k.ksm.pages_shared;
    v2_6_33::drop_anon_vma(k, r.anon_vma);
    r.stable = false;
    r.head = kNoNode;
  } else if (r.unstable) {
    remove_rmap_item_from_unstable_tree(k, item);
  }
}

namespace {

/// The loop of try_to_unmap_ksm, rmap_walk_ksm and page_referenced_ksm in
/// v2.6.33: every rmap_item of the node (a Read of the hlist per element),
/// spin_lock(&rmap_item->anon_vma->lock), first the vma of the item's own mm,
/// then (search_new_forks) covering vmas of other mms. `one` returns false to stop.
template <class One>
int walk_stable_node(Kernel& k, std::uint32_t node, const char* label, One one) {
  int ret = SWAP_AGAIN;
  for (int search_new_forks = 0; search_new_forks < 2; ++search_new_forks) {
    checker::announce(k.stable_nodes.at(node).obj, AccessKind::Read, label);  // stable_node->hlist.first
    k.kasan_stable_node(node, label);
    const std::vector<std::uint32_t> items = k.stable_nodes.at(node).hlist;
    for (std::uint32_t item : items) {
      checker::announce(k.stable_nodes[node].obj, AccessKind::Read, label);  // hlist_for_each_entry
      k.kasan_stable_node(node, label);
      k.kasan_rmap_item(item, label);  // the element reached through the previous one's next pointer
      if (std::find(k.stable_nodes[node].hlist.begin(), k.stable_nodes[node].hlist.end(), item) ==
          k.stable_nodes[node].hlist.end())
        continue;  // unlinked meanwhile (G3 catches the unlocked hlist_del itself)
      const RmapItem r = k.rmap_items[item];  // a copy: ksmd may grow rmap_items while this walk waits
      k.kasan_anon_vma(r.anon_vma, label);
      AnonVma& av = k.anon_vmas.at(r.anon_vma);
      av.lock->down_write(label);  // spin_lock(&anon_vma->lock)
      for (std::uint32_t v : std::vector<std::uint32_t>(av.vmas)) {
        const Vma& vma = k.vmas[v];
        if (r.address < vma.start || r.address >= vma.end) continue;
        if ((r.mm == vma.mm) == (search_new_forks != 0)) continue;
        if (!one(v, r.address, ret)) {
          av.lock->up_write(label);
          return ret;
        }
      }
      av.lock->up_write(label);  // spin_unlock(&anon_vma->lock)
    }
  }
  return ret;
}

}  // namespace

// mm/ksm.c v2.6.33: try_to_unmap_ksm
int try_to_unmap_ksm(Kernel& k, PageId page, unsigned flags) {
  checker::Frame frame("try_to_unmap_ksm");
  Page& p = k.pages.at(page);
  if (!p.PageKsm()) checker::fail(FailureKind::BugOn, "VM_BUG_ON(!PageKsm(page)) in try_to_unmap_ksm");
  if (!p.PageLocked()) checker::fail(FailureKind::BugOn, "VM_BUG_ON(!PageLocked(page)) in try_to_unmap_ksm");
  const std::uint32_t node = k.page_stable_node(page);
  if (node == kNoNode) return SWAP_FAIL;
  return walk_stable_node(k, node, "try_to_unmap_ksm", [&](std::uint32_t v, std::uint64_t addr, int& ret) {
    ret = try_to_unmap_one(k, page, v, addr, flags);
    if (ret != SWAP_AGAIN) return false;
    checker::announce(p.obj, AccessKind::Read, "try_to_unmap_ksm");  // page_mapped(page)
    checker::note([&] { return std::string("page_mapped(" + p.name + ") = " + std::to_string(p.mapcount)); });
    return p.page_mapped();
  });
}

// mm/ksm.c v2.6.33: rmap_walk_ksm (added by e9995ef978a7)
int rmap_walk_ksm(Kernel& k, PageId page, const RmapOne& rmap_one) {
  checker::Frame frame("rmap_walk_ksm");
  Page& p = k.pages.at(page);
  if (!p.PageKsm()) checker::fail(FailureKind::BugOn, "VM_BUG_ON(!PageKsm(page)) in rmap_walk_ksm");
  if (!p.PageLocked()) checker::fail(FailureKind::BugOn, "VM_BUG_ON(!PageLocked(page)) in rmap_walk_ksm");
  const std::uint32_t node = k.page_stable_node(page);
  if (node == kNoNode) return SWAP_AGAIN;
  return walk_stable_node(k, node, "rmap_walk_ksm", [&](std::uint32_t v, std::uint64_t addr, int& ret) {
    ret = rmap_one(page, v, addr);
    return ret == SWAP_AGAIN;
  });
}

// mm/ksm.c v2.6.33: page_referenced_ksm (-> mm/rmap.c page_referenced_one under the ptl)
int page_referenced_ksm(Kernel& k, PageId page) {
  checker::Frame frame("page_referenced_ksm");
  Page& p = k.pages.at(page);
  if (!p.PageKsm()) checker::fail(FailureKind::BugOn, "VM_BUG_ON(!PageKsm(page)) in page_referenced_ksm");
  if (!p.PageLocked()) checker::fail(FailureKind::BugOn, "VM_BUG_ON(!PageLocked(page)) in page_referenced_ksm");
  int mapcount = p.mapcount;
  int referenced = 0;
  const std::uint32_t node = k.page_stable_node(page);
  if (node == kNoNode) return 0;
  walk_stable_node(k, node, "page_referenced_ksm", [&](std::uint32_t v, std::uint64_t addr, int&) {
    if (page_referenced_one(k, page, k.vmas[v].mm, addr, mapcount)) ++referenced;
    return mapcount > 0;
  });
  return referenced;
}

// mm/ksm.c v2.6.33: ksm_migrate_page (e9995ef978a7/2; the kpfn of 62b61f611eb5/3)
void ksm_migrate_page(Kernel& k, PageId newpage, PageId oldpage) {
  checker::Frame frame("ksm_migrate_page");
  Page& np = k.pages.at(newpage);
  Page& op = k.pages.at(oldpage);
  if (!op.PageLocked()) checker::fail(FailureKind::BugOn, "VM_BUG_ON(!PageLocked(oldpage)) in ksm_migrate_page");
  if (!np.PageLocked()) checker::fail(FailureKind::BugOn, "VM_BUG_ON(!PageLocked(newpage)) in ksm_migrate_page");
  if (!(np.mapping == op.mapping))
    checker::fail(FailureKind::BugOn, "VM_BUG_ON(newpage->mapping != oldpage->mapping) in ksm_migrate_page");
  const std::uint32_t node = k.page_stable_node(newpage);
  if (node == kNoNode) return;
  StableNode& s = k.stable_nodes[node];
  checker::announce(s.obj, AccessKind::Write, "ksm_migrate_page");
  k.kasan_stable_node(node, "ksm_migrate_page");
  if (s.kpfn != oldpage)
    checker::fail(FailureKind::BugOn, std::string("VM_BUG_ON(stable_node->") +
                                          (k.config.applied(Fix::StableNodeKpfnPrune) ? "kpfn != page_to_pfn(oldpage))"
                                                                                      : "page != oldpage)") +
                                          " in ksm_migrate_page");
  s.kpfn = newpage;
  checker::note([&] { return std::string(s.name + "." + stable_node_key(k) + " " + op.name + " -> " + np.name); });
}

namespace {

// mm/ksm.c v2.6.33: ksm_check_stable_tree (reads kpfn only: no struct page is touched)
std::uint32_t ksm_check_stable_tree(Kernel& k, PageId start_pfn, PageId end_pfn) {
  for (std::uint32_t node : k.ksm.root_stable_tree.at(0)) {
    checker::announce(k.stable_nodes[node].obj, AccessKind::Read, "ksm_check_stable_tree");
    const PageId kpfn = k.stable_nodes[node].kpfn;
    if (kpfn >= start_pfn && kpfn < end_pfn) return node;
  }
  return kNoNode;
}

}  // namespace

// mm/ksm.c v2.6.33: ksm_memory_callback (added by 62b61f611eb5: /1 the mutex, /3 the pruning)
void ksm_memory_callback(Kernel& k, MemAction action, const MemorySection& section) {
  checker::Frame frame("ksm_memory_callback");
  const bool mutex = k.config.applied(Fix::HotremoveKsmMutex);
  switch (action) {
    case MEM_GOING_OFFLINE:
      if (mutex) k.ksm.ksm_thread_mutex->lock("ksm_memory_callback");  // lock out ksmd and MADV_UNMERGEABLE
      break;
    case MEM_OFFLINE:
      if (k.config.applied(Fix::StableNodeKpfnPrune)) {
        for (std::uint32_t node; (node = ksm_check_stable_tree(k, section.start_pfn, section.end_pfn)) != kNoNode;)
          v2_6_33::remove_node_from_stable_tree(k, node);
      }
      [[fallthrough]];
    case MEM_CANCEL_OFFLINE:
      if (mutex) k.ksm.ksm_thread_mutex->unlock("ksm_memory_callback");
      break;
  }
}

}  // namespace v2_6_33

}  // namespace model

// ===========================================================================
// v4.19: which KSM scenarios the model runs (checked at load; the rest is refused
// as unsupported, exit 4).
// ===========================================================================
namespace model::v4_19 {

bool is_ksm_actor(const std::string& actor) {
  return actor == "ksmd" || actor == "ksm_run_store" || actor == "madvise_unmergeable";
}

std::string ksm_model_error(const Kernel& k, const std::vector<ActorCall>& calls, std::size_t& culprit) {
  culprit = calls.size();
  // Declared KSM state alone (a KSM page a fault copies, a stable node get_ksm_page never
  // reads) needs nothing of this: only a KSM thread walks mm_slots and stable trees.
  bool ksm = false;
  bool ksmd = false;
  for (const ActorCall& c : calls) {
    ksm = ksm || is_ksm_actor(c.actor);
    ksmd = ksmd || c.actor == "ksmd";
  }
  if (!ksm) return "";
  // stable_node chains: two stable nodes of the same content in one tree are the dups of a
  // chain in 4.19 (stable_node_chain_add_dup); the model keeps plain nodes only.
  for (std::size_t a = 0; a < k.stable_nodes.size(); ++a)
    for (std::size_t b = a + 1; b < k.stable_nodes.size(); ++b) {
      const StableNode& x = k.stable_nodes[a];
      const StableNode& y = k.stable_nodes[b];
      if (x.unused || y.unused || x.tree != y.tree || x.tree < 0) continue;
      if (k.pages[x.kpfn].content == k.pages[y.kpfn].content)
        return "stable nodes " + x.name + " and " + y.name + " hold the same content in one stable tree: in kernel 4.19 "
               "they are the dups of a stable_node chain, which the model does not keep";
    }
  // max_page_sharing: each pte of a mergeable vma of an mm on the KSM list can hold one rmap_item
  // of a stable node; below the default limit no node reaches it, and no chain is ever made.
  std::size_t sharers = 0;
  for (const MmSlot& slot : k.ksm.mm_slots)
    for (const auto& [addr, pte] : k.mms[slot.mm].ptes) {
      const int v = k.find_vma(slot.mm, addr);
      if (v >= 0 && (k.vmas[static_cast<std::size_t>(v)].flags & VM_MERGEABLE)) ++sharers;
    }
  if (sharers >= kKsmMaxPageSharing)
    return std::to_string(sharers) + " ptes of mergeable vmas could share one KSM page, max_page_sharing is " +
           std::to_string(kKsmMaxPageSharing) + ": stable_node chains are not modelled in kernel 4.19";
  for (const Vma& v : k.vmas)
    if ((v.flags & VM_MERGEABLE) && (v.flags & VM_LOCKED))
      return "a VM_LOCKED mergeable vma of mm " + k.mms[v.mm].name +
             ": try_to_merge_one_page's munlock_vma_page / mlock_vma_page is not modelled in kernel 4.19";
  for (const Page& p : k.pages) {
    if (p.PageTransHuge() && p.reserved)
      return "the huge zero page beside KSM: follow_page of a huge pmd (break_ksm, get_mergeable_page, the scan) is "
             "not modelled in kernel 4.19";
    if (p.PageTransHuge() && !p.in_free_pool)
      return "THP " + p.name + " beside KSM: split_huge_page (try_to_merge_one_page, cmp_and_merge_page) and "
             "follow_trans_huge_pmd are not modelled in kernel 4.19";
    if (p.test(PG_swapcache))
      return "swap-cache page " + p.name + " beside KSM: try_to_free_swap, the swap cache's KSM pages and "
             "ksm_might_need_to_copy's KSM branch are not modelled in kernel 4.19";
  }
  for (const MmStruct& m : k.mms)
    for (const auto& [addr, slot] : m.ptes)
      if (slot.pte.is_swap() && !slot.pte.is_migration())
        return "a swap pte at " + k.where(static_cast<std::uint32_t>(&m - k.mms.data()), addr) +
               " beside KSM: do_swap_page of a KSM page is not modelled in kernel 4.19";
  for (std::size_t i = 0; i < calls.size(); ++i) {
    culprit = i;
    const ActorCall& c = calls[i];
    if (c.actor == "reclaim" || c.actor == "swapoff")
      return c.actor + " beside KSM: swap-out of a KSM page (rmap_walk_ksm in try_to_unmap) and the swap "
             "cache's KSM pages are not modelled in kernel 4.19";
    // A KSM page migrated to another node under merge_across_nodes 0 sends its stable node to
    // migrate_nodes (cmp_and_merge_page, stable_tree_search's replace): not modelled in 4.19.
    if (c.actor == "migrate_pages" && ksmd && !k.ksm.merge_across_nodes && k.ksm.nr_node_ids > 1)
      return "a migration beside ksmd with merge_across_nodes 0: a KSM page on another node moves its stable node "
             "to migrate_nodes, which is not modelled in kernel 4.19";
  }
  culprit = calls.size();
  return "";
}

}  // namespace model::v4_19
