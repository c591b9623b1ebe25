// ksmd.cpp: merge_across_nodes_store, ksm_do_scan, scan_get_next_rmap_item,
// cmp_and_merge_page, stable_tree_search, stable_tree_append (mm/ksm.c v3.9;
// pre-003 variants where cbf86cfe04a6/1 is reverted); below, in namespace v2_6_33,
// ksmd's v2.6.33 batch with the unstable tree and stable_tree_insert.
//
// Yield points: the mutex, the mmap_sems, ksm_mmlist_lock, follow_page's ptl,
// get_ksm_page's reads and locks, page-count steps.
// Invariant: every stable-tree change happens under ksm_thread_mutex.
#include "model/ksmd.h"

#include <algorithm>

#include "model/ksm.h"
#include "model/memory.h"
#include "model/v2_6_33.h"

namespace model {

using checker::AccessKind;
using checker::FailureKind;

// mm/ksm.c v3.9: merge_across_nodes_store (revert variant: pre-003, ksm_pages_shared only)
long merge_across_nodes_store(Kernel& k, unsigned knob) {
  if (knob > 1) return -kEINVAL;
  KsmState& ksm = k.ksm;
  ksm.ksm_thread_mutex->lock("merge_across_nodes_store");
  long err = 0;
  if (ksm.merge_across_nodes != (knob != 0)) {
    // cbf86cfe04a6/1: "if (ksm_pages_shared || remove_all_stable_nodes())"
    if (ksm.pages_shared || (k.config.applied(Fix::StaleNodesSweep) && remove_all_stable_nodes(k))) {
      err = -kEBUSY;
      checker::note("merge_across_nodes_store: -EBUSY");
    } else {
      if (k.check_trees_empty_at_flip) {
        // I-003a: the old trees must be empty when their layout changes.
        for (std::size_t nid = 0; nid < ksm.root_stable_tree.size(); ++nid)
          for (std::uint32_t node : ksm.root_stable_tree[nid])
            checker::fail(FailureKind::Assertion,
                          "stable_trees_empty_at_flip: merge_across_nodes switched to " + std::to_string(knob) +
                              " with stable node " + k.stable_nodes[node].name + " still in root_stable_tree[" +
                              std::to_string(nid) + "]");
        for (std::uint32_t node : ksm.migrate_nodes)
          checker::fail(FailureKind::Assertion, "stable_trees_empty_at_flip: merge_across_nodes switched with " +
                                                    k.stable_nodes[node].name + " on migrate_nodes");
      }
      checker::announce(ksm.tree_obj, AccessKind::Write, "merge_across_nodes_store");
      ksm.merge_across_nodes = knob != 0;
      checker::note([&] { return std::string("ksm_merge_across_nodes = " + std::to_string(knob)); });
    }
  }
  ksm.ksm_thread_mutex->unlock("merge_across_nodes_store");
  return err;
}

// mm/ksm.c v3.9: stable_tree_append
void stable_tree_append(Kernel& k, std::uint32_t item, std::uint32_t node) {
  StableNode& s = k.stable_nodes.at(node);
  RmapItem& r = k.rmap_items.at(item);
  checker::announce(s.obj, AccessKind::Write, "stable_tree_append");
  r.head = node;
  r.stable = true;
  r.anon_vma = k.vmas[static_cast<std::size_t>(k.find_vma(r.mm, r.address))].anon_vma;
  ++k.anon_vmas.at(r.anon_vma).refcount;  // get_anon_vma (try_to_merge_with_ksm_page)
  s.hlist.insert(s.hlist.begin(), item);  // hlist_add_head
  if (s.hlist.size() > 1)
    ++k.ksm.pages_sharing;
  else
    ++k.ksm.pages_shared;
  checker::note([&] { return std::string(s.name + ".hlist += " + r.name + " (pages_shared " + std::to_string(k.ksm.pages_shared) + ")"); });
}

// mm/ksm.c pre-003 (cbf86cfe04a6^): stable_tree_search (the descent; v3.9's migrate_nodes/replace path is not modelled)
PageId stable_tree_search(Kernel& k, PageId page) {
  Page& p = k.pages.at(page);
  if (k.page_stable_node(page) != kNoNode) {  // ksm page forked
    k.get_page(page, "stable_tree_search");
    return page;
  }
  const int nid = get_kpfn_nid(k, page);
  checker::note([&] { return std::string("stable_tree_search(" + p.name + ") in root_stable_tree[" + std::to_string(nid) + "]"); });
  // The rb-tree's shape is not kept: nodes are visited in insertion order,
  // which is the descent when at most one node lies on the path.
  std::vector<std::uint32_t> path = k.ksm.root_stable_tree.at(static_cast<std::size_t>(nid));
  for (std::uint32_t node : path) {
    if (k.stable_nodes[node].freed)
      checker::fail(FailureKind::Assertion, "G4: stable_tree_search descends through freed stable node " +
                                                k.stable_nodes[node].name);
    PageId tree_page = get_ksm_page(k, node, false);
    if (tree_page == kNoPage) return kNoPage;  // the stale node was just removed
    if (k.pages[tree_page].content == p.content) return tree_page;  // memcmp_pages == 0
    k.put_page(tree_page, "stable_tree_search");
  }
  return kNoPage;
}

namespace {

/// The position of mm's slot in the mm list (positions move when a fork inserts).
std::size_t mm_slot_position(const KsmState& ksm, std::uint32_t mm) {
  std::size_t i = 0;
  while (i < ksm.mm_slots.size() && ksm.mm_slots[i].mm != mm) ++i;
  return i;
}

// mm/ksm.c v2.6.33, v3.9: write_protect_page (the page's pte made read-only; the count check for an extra pin)
bool write_protect_page(Kernel& k, std::uint32_t vma, std::uint64_t addr, PageId page, Pte& orig_pte) {
  const std::uint32_t mm = k.vmas.at(vma).mm;
  MmStruct& m = k.mms.at(mm);
  PteSlot* slot = k.pte_slot(mm, addr);
  if (!slot) return false;
  m.ptl->lock("write_protect_page");
  k.kasan_page_table(m, "write_protect_page");
  bool ok = false;
  if (slot->pte.is_present() && slot->pte.page == page) {
    const Page& p = k.pages[page];
    k.touch_page(page, "write_protect_page");  // page_mapcount + 1 + swapped != page_count
    if (p.mapcount + 1 + (p.test(PG_swapcache) ? 1 : 0) == p.refcount) {
      if (slot->pte.write) k.set_pte(mm, *slot, Pte::present(page, false), "write_protect_page");
      orig_pte = slot->pte;
      ok = true;
    }
  }
  m.ptl->unlock("write_protect_page");
  return ok;
}

// mm/ksm.c v2.6.33, v3.9: replace_page (the pte moves from page to kpage)
bool replace_page(Kernel& k, std::uint32_t vma, std::uint64_t addr, PageId page, PageId kpage, const Pte& orig_pte) {
  const std::uint32_t mm = k.vmas.at(vma).mm;
  MmStruct& m = k.mms.at(mm);
  PteSlot& slot = *k.pte_slot(mm, addr);
  m.ptl->lock("replace_page");
  k.kasan_page_table(m, "replace_page");
  if (!(slot.pte == orig_pte)) {
    m.ptl->unlock("replace_page");
    return false;
  }
  k.touch_page(kpage, "replace_page");  // get_page(kpage); page_add_anon_rmap(kpage)
  k.get_page_locked(kpage);
  page_add_anon_rmap(k, kpage, vma, addr);
  k.set_pte(mm, slot, Pte::present(kpage, false), "replace_page");
  k.touch_page(page, "replace_page");  // page_remove_rmap(page); put_page(page)
  page_remove_rmap(k, page);
  k.put_page_locked(page);
  m.ptl->unlock("replace_page");
  return true;
}

// mm/ksm.c v3.9: try_to_merge_with_ksm_page -> try_to_merge_one_page (kpage given)
bool try_to_merge_with_ksm_page(Kernel& k, std::uint32_t item, PageId page, PageId kpage) {
  RmapItem& r = k.rmap_items.at(item);
  MmStruct& m = k.mms.at(r.mm);
  m.mmap_sem->down_read("try_to_merge_with_ksm_page");
  const int v = ksm_test_exit(k, r.mm) ? -1 : k.find_vma(r.mm, r.address);  // find_mergeable_vma
  bool ok = false;
  if (v >= 0 && (k.vmas[static_cast<std::size_t>(v)].flags & VM_MERGEABLE)) {
    const std::uint32_t vma = static_cast<std::uint32_t>(v);
    if (page == kpage) {
      ok = true;
    } else if (k.pages[page].PageAnon() && k.pages[page].lock->try_lock("try_to_merge_one_page")) {
      Pte orig_pte;
      if (write_protect_page(k, vma, r.address, page, orig_pte) &&
          k.pages[page].content == k.pages[kpage].content)  // pages_identical
        ok = replace_page(k, vma, r.address, page, kpage, orig_pte);
      k.pages[page].lock->unlock("try_to_merge_one_page");
    }
  }
  m.mmap_sem->up_read("try_to_merge_with_ksm_page");
  return ok;
}

// mm/ksm.c v3.9: cmp_and_merge_page (the stable-tree half; a new rmap_item stops at the checksum gate)
void cmp_and_merge_page(Kernel& k, PageId page, std::uint32_t item) {
  remove_rmap_item_from_tree(k, item);
  PageId kpage = stable_tree_search(k, page);
  if (kpage != kNoPage) {
    if (try_to_merge_with_ksm_page(k, item, page, kpage)) {
      // "The page was successfully merged": add its rmap_item to the stable tree.
      k.pages[kpage].lock->lock("cmp_and_merge_page");
      stable_tree_append(k, item, k.page_stable_node(kpage));
      k.pages[kpage].lock->unlock("cmp_and_merge_page");
    }
    k.put_page(kpage, "cmp_and_merge_page");
    return;
  }
  // calc_checksum != rmap_item->oldchecksum on a first visit: record it and return.
  checker::note([&] { return std::string("checksum of " + k.page_name(page) + " recorded: no unstable-tree search yet"); });
}

}  // namespace

namespace {

// mm/ksm.c v2.6.33, v3.9: ksm_scan_thread's wait_event_freezable(ksm_thread_wait,
// ksmd_should_run()) and ksm_thread_mutex, then scan_get_next_rmap_item's start
// of a new pass at the first mm (slot == &ksm_mm_head: the unstable tree is
// not reset, see each era's note). False, with the mutex released, when ksmd
// should not run after all.
bool ksmd_batch_start(Kernel& k) {
  KsmState& ksm = k.ksm;
  checker::announce_idle(ksm.run_obj, AccessKind::Wait, "ksm_scan_thread",
                             [&ksm] { return (ksm.ksm_run & KSM_RUN_MERGE) && !ksm.mm_slots.empty(); });
  ksm.ksm_thread_mutex->lock("ksm_scan_thread");
  checker::announce(ksm.run_obj, AccessKind::Read, "ksmd_should_run");
  if (!(ksm.ksm_run & KSM_RUN_MERGE) || ksm.mm_slots.empty()) {
    ksm.ksm_thread_mutex->unlock("ksm_scan_thread");
    return false;
  }
  if (ksm.scan_cursor >= ksm.mm_slots.size()) {
    ksm.ksm_mmlist_lock->lock("scan_get_next_rmap_item");
    ksm.scan_cursor = 0;
    ksm.ksm_mmlist_lock->unlock("scan_get_next_rmap_item");
  }
  return true;
}

// mm/ksm.c v2.6.33, v3.9: scan_get_next_rmap_item's walk of mm's mergeable vmas
// from `from` on: the next anon page (follow_page(FOLL_GET), its reference is
// the caller's) and its address, or kNoPage at the end of mm.
PageId next_anon_page(Kernel& k, std::uint32_t mm, std::uint64_t from, std::uint64_t& addr) {
  PageId page = kNoPage;
  for (std::uint32_t v : k.mms[mm].vmas) {
    const Vma& vma = k.vmas[v];
    if (!(vma.flags & VM_MERGEABLE) || !vma.has_anon_vma()) continue;
    for (addr = std::max(vma.start, from); addr < vma.end && page == kNoPage; addr += kPageSize) {
      page = follow_page(k, v, addr, FOLL_GET);
      if (page != kNoPage && !k.pages[page].PageAnon()) {
        k.put_page(page, "scan_get_next_rmap_item");
        page = kNoPage;
      }
    }
    if (page != kNoPage) {
      addr -= kPageSize;
      return page;
    }
  }
  return kNoPage;
}

// mm/ksm.c v2.6.33, v3.9: get_next_rmap_item: the slot's rmap_item at addr, or a new one (alloc_rmap_item).
std::uint32_t get_next_rmap_item(Kernel& k, MmSlot& slot, std::uint32_t mm, std::uint64_t addr) {
  std::uint32_t item = kNoNode;
  for (std::uint32_t r : slot.rmap_list)
    if (k.rmap_items[r].address == addr) item = r;
  if (item != kNoNode) return item;
  item = static_cast<std::uint32_t>(k.rmap_items.size());
  RmapItem r;
  r.name = "R" + k.mms[mm].name + std::to_string(item);
  r.mm = mm;
  r.address = addr;
  k.rmap_items.push_back(r);
  slot.rmap_list.push_back(item);
  checker::note([&] { return std::string("alloc_rmap_item " + k.rmap_items[item].name + " for " + k.where(mm, addr)); });
  return item;
}

}  // namespace

// mm/ksm.c v3.9: ksmd_should_run + ksm_do_scan + scan_get_next_rmap_item (one scan of up to `pages` pages;
// a new pass would lru_add_drain_all and reset the unstable trees: not modelled)
void ksmd_scan(Kernel& k, int pages) {
  KsmState& ksm = k.ksm;
  if (!ksmd_batch_start(k)) return;
  int done = 0;
  std::uint64_t scan_address = 0;  // ksm_scan.address
  while (done < pages && ksm.scan_cursor < ksm.mm_slots.size()) {
    const std::uint32_t mm = ksm.mm_slots[ksm.scan_cursor].mm;
    MmStruct& m = k.mms[mm];
    m.mmap_sem->down_read("scan_get_next_rmap_item");
    std::uint64_t addr = 0;
    const bool exiting = ksm_test_exit(k, mm);  // "if (ksm_test_exit(mm)) vma = NULL"
    const PageId page = exiting ? kNoPage : next_anon_page(k, mm, scan_address, addr);
    if (page == kNoPage) {  // the end of this mm: advance the cursor
      // An exiting mm (v3.9 exit): every rmap_item goes ("ksm_scan.rmap_list =
      // &slot->rmap_list"), then the slot itself under ksm_mmlist_lock.
      if (exiting) remove_trailing_rmap_items(k, mm_slot_position(ksm, mm));
      ksm.ksm_mmlist_lock->lock("scan_get_next_rmap_item");
      ksm.scan_cursor = mm_slot_position(ksm, mm) + 1;
      if (exiting) {
        const std::size_t at = mm_slot_position(ksm, mm);  // hash_del, list_del, free_mm_slot
        ksm.mm_slots.erase(ksm.mm_slots.begin() + static_cast<std::ptrdiff_t>(at));
        ksm.scan_cursor = at;
        m.mmf_vm_mergeable = false;  // clear_bit(MMF_VM_MERGEABLE); mmdrop after up_read
        checker::note([&] { return std::string("mm_slot of exiting " + m.name + " freed"); });
      }
      ksm.ksm_mmlist_lock->unlock("scan_get_next_rmap_item");
      scan_address = 0;
      m.mmap_sem->up_read("scan_get_next_rmap_item");
      continue;
    }
    const std::uint32_t item = get_next_rmap_item(k, ksm.mm_slots[mm_slot_position(ksm, mm)], mm, addr);
    scan_address = addr + kPageSize;
    m.mmap_sem->up_read("scan_get_next_rmap_item");
    // ksm_do_scan: if (!PageKsm(page) || !in_stable_tree(rmap_item)) cmp_and_merge_page
    if (!k.pages[page].PageKsm() || !k.rmap_items[item].stable) cmp_and_merge_page(k, page, item);
    k.put_page(page, "ksm_do_scan");
    ++done;
  }
  ksm.ksm_thread_mutex->unlock("ksm_scan_thread");
}

// ===========================================================================
// v2.6.33: ksmd's scan batch (seeds 001/002): one stable tree, the unstable
// tree (an rmap_item of the initial state carries the checksum of its page),
// try_to_merge_one_page upgrading a PageAnon page to PageKsm after
// write_protect_page's count check, stable_tree_insert from the preallocated
// ("unused") stable nodes, stable_tree_append under the KSM page's lock (G3).
// ===========================================================================
namespace v2_6_33 {

namespace {

/// The position of mm's slot in the mm list.
std::size_t slot_of(const KsmState& ksm, std::uint32_t mm) {
  std::size_t i = 0;
  while (i < ksm.mm_slots.size() && ksm.mm_slots[i].mm != mm) ++i;
  return i;
}

// mm/ksm.c v2.6.33: stable_tree_append (under the lock of the node's page: G3 asserted)
void stable_tree_append(Kernel& k, std::uint32_t item, std::uint32_t node) {
  StableNode& s = k.stable_nodes.at(node);
  RmapItem& r = k.rmap_items.at(item);
  checker::announce(s.obj, AccessKind::Write, "stable_tree_append");
  k.kasan_stable_node(node, "stable_tree_append");
  k.kasan_rmap_item(item, "stable_tree_append");
  if (k.pages[s.kpfn].lock->holder() != checker::current_thread())
    checker::fail(FailureKind::Assertion, "G3: " + s.name + ".hlist edited without the lock of " +
                                              k.page_name(s.kpfn) + " (" + s.name + "." + stable_node_key(k) + " = " +
                                              k.page_name(s.kpfn) + "; hlist_add_head of " + r.name + ")");
  r.head = node;
  r.stable = true;
  s.hlist.insert(s.hlist.begin(), item);  // hlist_add_head
  if (s.hlist.size() > 1)
    ++k.ksm.pages_sharing;
  else
    ++k.ksm.pages_shared;
  checker::note([&] { return std::string(s.name + ".hlist += " + r.name); });
}

// mm/ksm.c v2.6.33: stable_tree_search (one tree; nodes in insertion order)
PageId stable_tree_search(Kernel& k, PageId page) {
  if (k.page_stable_node(page) != kNoNode) {  // ksm page forked
    k.get_page(page, "stable_tree_search");
    return page;
  }
  const std::vector<std::uint32_t> path = k.ksm.root_stable_tree.at(0);
  for (std::uint32_t node : path) {
    PageId tree_page = v2_6_33::get_ksm_page(k, node);
    if (tree_page == kNoPage) return kNoPage;
    if (k.pages[tree_page].content == k.pages[page].content) return tree_page;  // memcmp_pages == 0
    k.put_page(tree_page, "stable_tree_search");
  }
  return kNoPage;
}

// mm/ksm.c v2.6.33: stable_tree_insert (alloc_stable_node takes the first "unused" node)
std::uint32_t stable_tree_insert(Kernel& k, PageId kpage) {
  const std::vector<std::uint32_t> path = k.ksm.root_stable_tree.at(0);
  for (std::uint32_t node : path) {
    PageId tree_page = v2_6_33::get_ksm_page(k, node);
    if (tree_page == kNoPage) return kNoNode;
    const bool same = k.pages[tree_page].content == k.pages[kpage].content;
    k.put_page(tree_page, "stable_tree_insert");
    if (same) return kNoNode;  // not a bug: the page was not yet write-protected at the search
  }
  std::uint32_t node = kNoNode;
  for (std::size_t i = 0; i < k.stable_nodes.size() && node == kNoNode; ++i)
    if (k.stable_nodes[i].unused) node = static_cast<std::uint32_t>(i);
  if (node == kNoNode) model_limit("stable_tree_insert with no preallocated (\"unused\") stable node left");
  StableNode& s = k.stable_nodes[node];
  checker::announce(s.obj, AccessKind::Write, "stable_tree_insert");
  s.unused = false;
  s.kpfn = kpage;
  s.nid = 0;
  s.tree = 0;
  k.ksm.root_stable_tree.at(0).push_back(node);  // rb_link_node, rb_insert_color
  checker::announce(k.pages[kpage].obj, AccessKind::Write, "stable_tree_insert");
  k.pages[kpage].mapping = Mapping{Mapping::Kind::Ksm, node};  // set_page_stable_node(kpage, stable_node)
  checker::note([&] { return std::string(k.page_name(kpage) + ".mapping = " + s.name + " (new stable node)"); });
  return node;
}

// mm/ksm.c v2.6.33: try_to_merge_one_page (kpage kNoPage: upgrade page to PageKsm with a NULL node)
bool try_to_merge_one_page(Kernel& k, std::uint32_t vma, std::uint64_t addr, PageId page, PageId kpage) {
  if (page == kpage) return true;  // ksm page forked
  if (!(k.vmas[vma].flags & VM_MERGEABLE)) return false;
  Page& p = k.pages[page];
  if (!p.PageAnon()) return false;
  if (!p.lock->try_lock("try_to_merge_one_page")) return false;
  bool ok = false;
  Pte orig_pte;
  if (write_protect_page(k, vma, addr, page, orig_pte)) {
    if (kpage == kNoPage) {
      // "While we hold page lock, upgrade page from PageAnon+anon_vma to PageKsm+NULL stable_node"
      checker::announce(p.obj, AccessKind::Write, "try_to_merge_one_page");
      p.mapping = Mapping{Mapping::Kind::Ksm, kNoNode};  // set_page_stable_node(page, NULL)
      checker::note([&] { return std::string(p.name + " upgraded to PageKsm (no stable node yet)"); });
      ok = true;
    } else if (p.content == k.pages[kpage].content) {  // pages_identical
      ok = replace_page(k, vma, addr, page, kpage, orig_pte);
    }
  }
  p.lock->unlock("try_to_merge_one_page");
  return ok;
}

// mm/ksm.c v2.6.33: try_to_merge_with_ksm_page (hold_anon_vma under mmap_sem)
bool try_to_merge_with_ksm_page(Kernel& k, std::uint32_t item, PageId page, PageId kpage) {
  k.kasan_rmap_item(item, "try_to_merge_with_ksm_page");
  RmapItem& r = k.rmap_items.at(item);
  MmStruct& m = k.mms.at(r.mm);
  m.mmap_sem->down_read("try_to_merge_with_ksm_page");
  bool ok = false;
  const int v = k.find_vma(r.mm, r.address);
  if (m.mm_users > 0 && v >= 0) {
    ok = try_to_merge_one_page(k, static_cast<std::uint32_t>(v), r.address, page, kpage);
    if (ok) {
      // hold_anon_vma(rmap_item, vma->anon_vma): "while still holding mmap_sem"
      r.anon_vma = k.vmas[static_cast<std::size_t>(v)].anon_vma;
      k.kasan_anon_vma(r.anon_vma, "hold_anon_vma");
      ++k.anon_vmas.at(r.anon_vma).refcount;
    }
  }
  m.mmap_sem->up_read("try_to_merge_with_ksm_page");
  return ok;
}

// mm/ksm.c v2.6.33: get_mergeable_page
PageId get_mergeable_page(Kernel& k, std::uint32_t item) {
  const RmapItem& r = k.rmap_items.at(item);
  MmStruct& m = k.mms.at(r.mm);
  m.mmap_sem->down_read("get_mergeable_page");
  PageId page = kNoPage;
  const int v = k.find_vma(r.mm, r.address);
  if (m.mm_users > 0 && v >= 0 && (k.vmas[static_cast<std::size_t>(v)].flags & VM_MERGEABLE) &&
      k.vmas[static_cast<std::size_t>(v)].has_anon_vma()) {
    page = follow_page(k, static_cast<std::uint32_t>(v), r.address, FOLL_GET);
    if (page != kNoPage && !k.pages[page].PageAnon()) {
      k.put_page(page, "get_mergeable_page");
      page = kNoPage;
    }
  }
  m.mmap_sem->up_read("get_mergeable_page");
  return page;
}

// mm/ksm.c v2.6.33: break_cow (break_ksm under mmap_sem)
void break_cow(Kernel& k, std::uint32_t item) {
  const RmapItem& r = k.rmap_items.at(item);
  MmStruct& m = k.mms.at(r.mm);
  m.mmap_sem->down_read("break_cow");
  const int v = k.find_vma(r.mm, r.address);
  if (m.mm_users > 0 && v >= 0) break_ksm(k, static_cast<std::uint32_t>(v), r.address);
  m.mmap_sem->up_read("break_cow");
}

// mm/ksm.c v2.6.33: unstable_tree_search_insert (the tree's items in insertion order)
std::uint32_t unstable_tree_search_insert(Kernel& k, std::uint32_t item, PageId page, PageId& tree_page) {
  const std::vector<std::uint32_t> tree = k.ksm.unstable_tree;
  for (std::uint32_t tree_item : tree) {
    tree_page = get_mergeable_page(k, tree_item);
    if (tree_page == kNoPage) return kNoNode;
    if (tree_page == page) {  // "Don't substitute a ksm page for a forked page"
      k.put_page(tree_page, "unstable_tree_search_insert");
      return kNoNode;
    }
    if (k.pages[tree_page].content == k.pages[page].content) return tree_item;
    k.put_page(tree_page, "unstable_tree_search_insert");
  }
  k.rmap_items[item].unstable = true;  // UNSTABLE_FLAG, rb_insert_color
  k.ksm.unstable_tree.push_back(item);
  checker::note([&] { return std::string(k.rmap_items[item].name + " inserted in the unstable tree"); });
  return kNoNode;
}

// mm/ksm.c v2.6.33: try_to_merge_two_pages
PageId try_to_merge_two_pages(Kernel& k, std::uint32_t item, PageId page, std::uint32_t tree_item, PageId tree_page) {
  if (!try_to_merge_with_ksm_page(k, item, page, kNoPage)) return kNoPage;
  if (try_to_merge_with_ksm_page(k, tree_item, tree_page, page)) return page;
  break_cow(k, item);  // "a ksm page with only one pte pointing to it: so break it"
  return kNoPage;
}

// mm/ksm.c v2.6.33: remove_trailing_rmap_items, and get_next_rmap_item's loop over the
// items it passes: every rmap_item of mm's slot in [from, to) leaves the tree and is freed
void free_rmap_items(Kernel& k, std::uint32_t mm, std::uint64_t from, std::uint64_t to, const char* function) {
  for (;;) {
    std::vector<std::uint32_t>& list = k.ksm.mm_slots[slot_of(k.ksm, mm)].rmap_list;
    auto it = std::find_if(list.begin(), list.end(), [&](std::uint32_t r) {
      return k.rmap_items[r].address >= from && k.rmap_items[r].address < to;
    });
    if (it == list.end()) return;
    const std::uint32_t item = *it;
    list.erase(it);
    v2_6_33::remove_rmap_item_from_tree(k, item);
    RmapItem& r = k.rmap_items[item];
    r.freed = true;  // free_rmap_item
    r.freed_at = Kernel::freed_by(function);
    checker::note([&] { return std::string("free_rmap_item " + r.name); });
  }
}

// mm/ksm.c v2.6.33: cmp_and_merge_page
void cmp_and_merge_page(Kernel& k, PageId page, std::uint32_t item) {
  v2_6_33::remove_rmap_item_from_tree(k, item);
  PageId kpage = v2_6_33::stable_tree_search(k, page);
  if (kpage != kNoPage) {
    if (try_to_merge_with_ksm_page(k, item, page, kpage)) {
      k.pages[kpage].lock->lock("cmp_and_merge_page");
      v2_6_33::stable_tree_append(k, item, k.page_stable_node(kpage));
      k.pages[kpage].lock->unlock("cmp_and_merge_page");
    }
    k.put_page(kpage, "cmp_and_merge_page");
    return;
  }
  RmapItem& r = k.rmap_items[item];
  const std::uint32_t checksum = k.pages[page].content;  // calc_checksum
  if (!r.has_checksum || r.oldchecksum != checksum) {
    r.has_checksum = true;
    r.oldchecksum = checksum;
    checker::note([&] { return std::string("checksum of " + k.page_name(page) + " recorded"); });
    return;
  }
  PageId tree_page = kNoPage;
  const std::uint32_t tree_item = unstable_tree_search_insert(k, item, page, tree_page);
  if (tree_item == kNoNode) return;
  kpage = try_to_merge_two_pages(k, item, page, tree_item, tree_page);
  k.put_page(tree_page, "cmp_and_merge_page");
  if (kpage == kNoPage) return;
  v2_6_33::remove_rmap_item_from_tree(k, tree_item);
  k.pages[kpage].lock->lock("cmp_and_merge_page");
  const std::uint32_t node = stable_tree_insert(k, kpage);
  if (node != kNoNode) {
    v2_6_33::stable_tree_append(k, tree_item, node);
    v2_6_33::stable_tree_append(k, item, node);
  }
  k.pages[kpage].lock->unlock("cmp_and_merge_page");
  if (node == kNoNode) {
    break_cow(k, tree_item);
    break_cow(k, item);
  }
}

}  // namespace

// mm/ksm.c v2.6.33: ksm_scan_thread (one batch) -> ksm_do_scan -> scan_get_next_rmap_item
// (slot == &ksm_mm_head: root_unstable_tree = RB_ROOT would start a new pass; the
// model's batch starts at the first mm and keeps the unstable tree of the initial state)
void ksmd_scan(Kernel& k, int pages) {
  KsmState& ksm = k.ksm;
  if (!ksmd_batch_start(k)) return;
  int done = 0;
  std::uint64_t scan_address = 0;  // ksm_scan.address
  while (done < pages && ksm.scan_cursor < ksm.mm_slots.size()) {
    const std::uint32_t mm = ksm.mm_slots[ksm.scan_cursor].mm;
    MmStruct& m = k.mms[mm];
    m.mmap_sem->down_read("scan_get_next_rmap_item");
    std::uint64_t addr = 0;
    const PageId page = m.mm_users > 0 ? next_anon_page(k, mm, scan_address, addr) : kNoPage;
    if (page == kNoPage) {  // the end of this mm: the cursor moves on
      if (m.mm_users == 0) scan_address = 0;  // ksm_test_exit: ksm_scan.rmap_list = &slot->rmap_list
      // "Nuke all the rmap_items that are above this current rmap"
      free_rmap_items(k, mm, scan_address, ~std::uint64_t{0}, "remove_trailing_rmap_items");
      ksm.ksm_mmlist_lock->lock("scan_get_next_rmap_item");
      ksm.scan_cursor = slot_of(ksm, mm) + 1;
      ksm.ksm_mmlist_lock->unlock("scan_get_next_rmap_item");
      scan_address = 0;
      m.mmap_sem->up_read("scan_get_next_rmap_item");
      continue;
    }
    // get_next_rmap_item: the items below addr that the scan passed are freed
    free_rmap_items(k, mm, scan_address, addr, "get_next_rmap_item");
    const std::uint32_t item = get_next_rmap_item(k, ksm.mm_slots[slot_of(ksm, mm)], mm, addr);
    scan_address = addr + kPageSize;
    m.mmap_sem->up_read("scan_get_next_rmap_item");
    if (!k.pages[page].PageKsm() || !k.rmap_items[item].stable) cmp_and_merge_page(k, page, item);
    k.put_page(page, "ksm_do_scan");
    ++done;
  }
  ksm.ksm_thread_mutex->unlock("ksm_scan_thread");
}

}  // namespace v2_6_33

}  // namespace model
