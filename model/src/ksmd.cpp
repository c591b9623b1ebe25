// ksmd.cpp: merge_across_nodes_store, ksm_do_scan, scan_get_next_rmap_item,
// cmp_and_merge_page, stable_tree_search, stable_tree_append (mm/ksm.c v3.9;
// pre-003 variants where cbf86cfe04a6/1 is reverted); ksmd's full scan shared by
// the eras (the checksum gate, unstable_tree_search_insert, try_to_merge_two_pages,
// stable_tree_insert, break_cow, get_mergeable_page, try_to_merge_one_page,
// write_protect_page, replace_page); kernel 4.19's forms, in namespace v4_19 beside
// them, where 4.19 differs: write_protect_page (page_vma_mapped_walk inside the mmu
// notifier bracket), replace_page (the bracket, ptep_clear_flush, set_pte_at_notify),
// stable_tree_search and stable_tree_append (stable_node chains: a plain node is its
// own dup, max_page_sharing), cmp_and_merge_page; below, in namespace v2_6_33,
// ksmd's v2.6.33 batch.
//
// Yield points: the mutex, the mmap_sems, ksm_mmlist_lock, follow_page's ptl,
// get_ksm_page's reads and locks, page-count steps, and (scenarios with a user
// store) each read of page data and write_protect_page's TLB flush; with a
// get_user_pages_fast thread of the mm, write_protect_page's clear, flush (waiting
// for CPUs with interrupts off, model/gup_fast.h), count check and set_pte as
// separate steps, in the kernel's order.
// Invariant: every stable-tree and unstable-tree change happens under ksm_thread_mutex.
#include "model/ksmd.h"

#include <algorithm>
#include <optional>

#include "model/gup_fast.h"
#include "model/hmm.h"
#include "model/huge_memory.h"
#include "model/ksm.h"
#include "model/memory.h"
#include "model/mmap.h"
#include "model/mmap_v4_19.h"
#include "model/rmap.h"
#include "model/user_access.h"
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
            checker::fail_check("stable_trees_empty_at_flip", FailureKind::Assertion,
                          "stable_trees_empty_at_flip: merge_across_nodes switched to " + std::to_string(knob) +
                              " with stable node " + k.stable_nodes[node].name + " still in root_stable_tree[" +
                              std::to_string(nid) + "]");
        for (std::uint32_t node : ksm.migrate_nodes)
          checker::fail_check("stable_trees_empty_at_flip", FailureKind::Assertion,
                              "stable_trees_empty_at_flip: merge_across_nodes switched with " +
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

// mm/ksm.c v2.6.33, v3.9: memcmp_pages == 0 (pages_identical): the data tokens, each read a step
// on "K.data" when the scenario stores
bool memcmp_pages(Kernel& k, PageId page1, PageId page2, const char* label) {
  checker::Frame frame("memcmp_pages");
  read_page_data(k, page1, label);
  read_page_data(k, page2, label);
  return k.pages.at(page1).content == k.pages.at(page2).content;
}

namespace {

// cmp_and_merge_page passes page_stable_node(kpage): NULL once kpage stopped being a KSM page
// (migrated after ksmd took its reference), and stable_tree_append's hlist_add_head oopses.
void stable_node_not_null(const Kernel& k, std::uint32_t item, std::uint32_t node) {
  if (node == kNoNode)
    checker::fail(FailureKind::BugOn, "BUG: unable to handle kernel NULL pointer dereference in stable_tree_append(" +
                                          (item < k.rmap_items.size() ? k.rmap_items[item].name : std::string("rmap_item")) +
                                          ", page_stable_node(kpage) = NULL): kpage is no longer a KSM page");
}

}  // namespace

// mm/ksm.c v3.9: stable_tree_append
void stable_tree_append(Kernel& k, std::uint32_t item, std::uint32_t node) {
  checker::Frame frame("stable_tree_append");
  stable_node_not_null(k, item, node);
  StableNode& s = k.stable_nodes.at(node);
  RmapItem& r = k.rmap_items.at(item);
  checker::announce(s.obj, AccessKind::Write, "stable_tree_append");
  r.head = node;
  r.stable = true;  // rmap_item->address |= STABLE_FLAG (its anon_vma: try_to_merge_with_ksm_page)
  s.hlist.insert(s.hlist.begin(), item);  // hlist_add_head
  if (s.hlist.size() > 1)
    ++k.ksm.pages_sharing;
  else
    ++k.ksm.pages_shared;
  checker::note([&] { return std::string(s.name + ".hlist += " + r.name + " (pages_shared " + std::to_string(k.ksm.pages_shared) + ")"); });
}

namespace {

// mm/ksm.c v3.9 (4146d2d673e8, "ksm: make !merge_across_nodes migration safe"): a stable node
// whose page migration moved to another NUMA node leaves its tree for migrate_nodes: rb_erase from
// root_stable_tree + NUMA(stable_node->nid), stable_node->head = &migrate_nodes, list_add
void move_to_migrate_nodes(Kernel& k, std::uint32_t node, const char* label) {
  StableNode& s = k.stable_nodes.at(node);
  checker::announce(s.obj, AccessKind::Write, label);
  std::erase(k.ksm.root_stable_tree.at(static_cast<std::size_t>(s.nid)), node);
  s.tree = StableNode::kInMigrateNodes;
  k.ksm.migrate_nodes.insert(k.ksm.migrate_nodes.begin(), node);
  checker::note([&] {
    return s.name + " moved to migrate_nodes (its page " + k.page_name(s.kpfn) + " is on node " +
           std::to_string(k.pages[s.kpfn].nid) + ", its tree is node " + std::to_string(s.nid) + "'s)";
  });
}

// Whether stable node `node` is in the tree of another node than its page's (v3.9, cbf86cfe04a6 and
// 4146d2d673e8 in: get_kpfn_nid(stable_node->kpfn) != NUMA(stable_node->nid), a Read of the node when
// the trees are per node: ksm_migrate_page writes kpfn under the page lock, not ksm_thread_mutex)
bool stable_node_misplaced(Kernel& k, std::uint32_t node, const char* label) {
  if (!k.config.applied(Fix::StaleNodesSweep) || k.ksm.merge_across_nodes) return false;  // pre-003: no migrate_nodes
  StableNode& s = k.stable_nodes.at(node);
  checker::announce(s.obj, AccessKind::Read, label);
  return s.tree != StableNode::kInMigrateNodes && get_kpfn_nid(k, s.kpfn) != s.nid;
}

// mm/ksm.c v3.9: stable_tree_search's page_node leaves migrate_nodes for root_stable_tree[nid]
// (list_del, DO_NUMA(page_node->nid = nid), rb_link_node or, replacing `replaced`, rb_replace_node)
void link_page_node(Kernel& k, std::uint32_t page_node, int nid, std::uint32_t replaced) {
  StableNode& s = k.stable_nodes.at(page_node);
  checker::announce(s.obj, AccessKind::Write, "stable_tree_search");
  std::erase(k.ksm.migrate_nodes, page_node);
  s.nid = nid;
  s.tree = nid;
  std::vector<std::uint32_t>& tree = k.ksm.root_stable_tree.at(static_cast<std::size_t>(nid));
  const auto at = std::find(tree.begin(), tree.end(), replaced);
  if (at != tree.end()) *at = page_node;
  else tree.push_back(page_node);
  checker::note([&] {
    return s.name + " leaves migrate_nodes for root_stable_tree[" + std::to_string(nid) + "]" +
           (replaced == kNoNode ? std::string(" (list_del, rb_link_node)")
                                : " in place of " + k.stable_nodes.at(replaced).name + " (list_del, rb_replace_node)");
  });
}

}  // namespace

// mm/ksm.c v3.9 (pre-003, cbf86cfe04a6^, with c8d6553b9580's lock and unlock of the match; with
// cbf86cfe04a6 applied also 4146d2d673e8's migrate_nodes: a page whose stable node is on migrate_nodes
// is searched for like a new page, and finds its node a place in the tree (or the node it replaces);
// a match whose page migrated to another node is replaced or erased, goto replace): stable_tree_search
PageId stable_tree_search(Kernel& k, PageId page) {
  checker::Frame frame("stable_tree_search");
  Page& p = k.pages.at(page);
  const bool migrate_nodes = k.config.applied(Fix::StaleNodesSweep);  // 4146d2d673e8 came after cbf86cfe04a6
  const std::uint32_t page_node = k.page_stable_node(page);
  if (page_node != kNoNode && !(migrate_nodes && k.stable_nodes[page_node].tree == StableNode::kInMigrateNodes)) {
    k.get_page(page, "stable_tree_search");  // ksm page forked
    return page;
  }
  const int nid = get_kpfn_nid(k, page);
  checker::note([&] { return std::string("stable_tree_search(" + p.name + ") in root_stable_tree[" + std::to_string(nid) + "]"); });
again:
  // The rb-tree's shape is not kept: nodes are visited in insertion order,
  // which is the descent when at most one node lies on the path.
  std::vector<std::uint32_t> path = k.ksm.root_stable_tree.at(static_cast<std::size_t>(nid));
  for (std::uint32_t node : path) {
    if (k.stable_nodes[node].freed)
      checker::fail(FailureKind::Assertion, "G4: stable_tree_search descends through freed stable node " +
                                                k.stable_nodes[node].name);
    PageId tree_page = get_ksm_page(k, node, false);
    if (tree_page == kNoPage) return kNoPage;  // the stale node was just removed
    const bool same = memcmp_pages(k, page, tree_page, "stable_tree_search");  // memcmp_pages == 0
    k.put_page(tree_page, "stable_tree_search");
    if (same) {
      // "Lock and unlock the stable_node's page (which might already have been migrated) so
      // that page migration is sure to notice its raised count": a migration past its count
      // check holds the page lock until the page is migrated and the node points elsewhere.
      tree_page = get_ksm_page(k, node, true);
      if (tree_page != kNoPage) {
        k.pages[tree_page].lock->unlock("stable_tree_search");
        if (!stable_node_misplaced(k, node, "stable_tree_search")) return tree_page;
        k.put_page(tree_page, "stable_tree_search");  // goto replace
        if (page_node != kNoNode) {
          link_page_node(k, page_node, nid, node);  // rb_replace_node
          k.get_page(page, "stable_tree_search");
        }
        move_to_migrate_nodes(k, node, "stable_tree_search");
        return page_node != kNoNode ? page : kNoPage;
      }
      // "There is now a place for page_node, but the tree may have been rebalanced"
      if (page_node != kNoNode) goto again;
      return kNoPage;  // NULL: the node went stale meanwhile
    }
  }
  if (page_node == kNoNode) return kNoPage;
  link_page_node(k, page_node, nid, kNoNode);  // rb_link_node, rb_insert_color
  k.get_page(page, "stable_tree_search");
  return page;
}

namespace {

/// The position of mm's slot in the mm list (positions move when a fork inserts).
std::size_t mm_slot_position(const KsmState& ksm, std::uint32_t mm) {
  std::size_t i = 0;
  while (i < ksm.mm_slots.size() && ksm.mm_slots[i].mm != mm) ++i;
  return i;
}

// mm/ksm.c v3.9: write_protect_page's pte_write || pte_dirty branch in the kernel's order, when a
// get_user_pages_fast thread walks mm: "we clear the pte and flush the tlb before the check", so a
// fast walk that saw the writable pte has taken its reference by the check (the flush waits for
// it), and one that comes later sees a none or read-only pte and takes the slow path. Under the
// ptl; the caller checked that the pte maps page. True: the pte is now read-only and clean.
bool write_protect_page_clear_flush(Kernel& k, std::uint32_t mm, PteSlot& slot, std::uint64_t addr, PageId page) {
  Page& p = k.pages[page];
  const bool swapped = p.test(PG_swapcache);  // swapped = PageSwapCache(page)
  const Pte entry = k.ptep_modify(mm, slot, [](const Pte&) { return Pte::none(); }, "write_protect_page: ptep_clear_flush");
  flush_tlb_page(k, mm, addr, page, "write_protect_page");
  // "Check that no O_DIRECT or similar I/O is in progress on the page"
  k.touch_page(page, "write_protect_page");  // page_mapcount(page) + 1 + swapped != page_count(page)
  if (p.mapcount + 1 + (swapped ? 1 : 0) != p.refcount) {
    checker::note([&] { return std::string(p.name + ": page_count " + std::to_string(p.refcount) + " != mapcount + 1 + swapped"); });
    k.set_pte(mm, slot, entry, "write_protect_page: set_pte_at");  // the pte back as it was
    return false;
  }
  if (entry.dirty) p.flags |= PG_dirty;  // set_page_dirty (the caller holds the page lock)
  k.set_pte(mm, slot, pte_mkclean(pte_wrprotect(entry)), "write_protect_page: set_pte_at_notify");
  return true;
}

}  // namespace

namespace v4_19 {
namespace {

// mm/ksm.c v4.19: write_protect_page (page_vma_mapped_walk, inside mmu_notifier_invalidate_range_start/end)
bool write_protect_page(Kernel& k, std::uint32_t vma, std::uint64_t addr, PageId page, Pte& orig_pte) {
  checker::Frame frame("write_protect_page");
  const std::uint32_t mm = k.vmas.at(vma).mm;
  // pvmw.address = page_address_in_vma(page, vma): the rmap_item's address, where the scan found page.
  if (k.pages.at(page).nr_pages > 1) checker::fail(FailureKind::BugOn, "BUG_ON(PageTransCompound(page)) in write_protect_page");
  const std::uint64_t mmun_start = addr, mmun_end = addr + kPageSize;
  mmu_notifier_invalidate_range_start(k, mm, mmun_start, mmun_end);
  PageVmaMappedWalk pvmw;
  pvmw.page = page;
  pvmw.vma = vma;
  pvmw.address = addr;
  bool ok = false;
  if (page_vma_mapped_walk(k, pvmw)) {
    if (!pvmw.pte) {
      checker::fail(FailureKind::WarnOn, "WARN_ONCE(!pvmw.pte, \"Unexpected PMD mapping?\") in write_protect_page");
    } else {
      // pte_write || pte_dirty || mm_tlb_flush_pending (savedwrite of a protnone pte: no NUMA
      // hinting in the model): ptep_clear_flush before the count check, "so that no O_DIRECT can
      // happen after the check or in the middle of the check"; a clean read-only pte is taken as it is.
      const Pte entry = pvmw.pte->pte;
      ok = (entry.write || entry.dirty || mm_tlb_flush_pending(k, mm))
               ? write_protect_page_clear_flush(k, mm, *pvmw.pte, addr, page)
               : true;
      if (ok) orig_pte = pvmw.pte->pte;  // *orig_pte = *pvmw.pte
    }
    page_vma_mapped_walk_done(k, pvmw);
  }
  mmu_notifier_invalidate_range_end(k, mm, mmun_start, mmun_end);
  return ok;
}

// mm/ksm.c v4.19: replace_page (mm_find_pmd, the mmu notifier bracket, the table's ptl, pte_same,
// ptep_clear_flush, set_pte_at_notify, page_remove_rmap, put_page)
bool replace_page(Kernel& k, std::uint32_t vma, std::uint64_t addr, PageId page, PageId kpage, const Pte& orig_pte) {
  checker::Frame frame("replace_page");
  const std::uint32_t mm = k.vmas.at(vma).mm;
  PmdSlot* pmd = k.pmd_slot(mm, addr);  // mm_find_pmd: NULL for a pmd not present or trans huge
  if (!pmd || !k.read_pmd(mm, *pmd, "mm_find_pmd").is_table()) return false;
  const std::uint64_t mmun_start = addr, mmun_end = addr + kPageSize;
  mmu_notifier_invalidate_range_start(k, mm, mmun_start, mmun_end);
  PteSlot& slot = *k.pte_slot(mm, addr);
  checker::Spinlock& ptl = k.pte_lockptr(mm, addr);
  ptl.lock("replace_page");  // pte_offset_map_lock
  bool ok = false;
  if (!(slot.pte == orig_pte)) {
    checker::note([&] { return "!pte_same: " + k.pte_str(slot.pte); });
  } else {
    k.touch_page(kpage, "replace_page");  // get_page(kpage); page_add_anon_rmap(kpage, vma, addr, false)
    k.get_page_locked(kpage);
    page_add_anon_rmap(k, kpage, vma, addr);
    k.ptep_modify(mm, slot, [](const Pte&) { return Pte::none(); }, "replace_page: ptep_clear_flush");
    flush_tlb_page(k, mm, addr, page, "replace_page");
    k.set_pte(mm, slot, Pte::mk_pte(kpage), "replace_page: set_pte_at_notify");  // mk_pte(kpage, vm_page_prot)
    k.touch_page(page, "replace_page");  // page_remove_rmap(page, false); put_page(page)
    page_remove_rmap(k, page);
    // if (!page_mapped(page)) try_to_free_swap(page): no swap-cache page in a 4.19 KSM scenario
    k.put_page_locked(page);
    ok = true;
  }
  ptl.unlock("replace_page");  // pte_unmap_unlock
  mmu_notifier_invalidate_range_end(k, mm, mmun_start, mmun_end);
  return ok;
}

}  // namespace
}  // namespace v4_19

namespace {

// mm/ksm.c v2.6.33, v3.9: write_protect_page (the page's pte made read-only; the count check for an extra pin)
bool write_protect_page(Kernel& k, std::uint32_t vma, std::uint64_t addr, PageId page, Pte& orig_pte) {
  checker::Frame frame("write_protect_page");
  if (k.config.era == Era::V4_19) return v4_19::write_protect_page(k, vma, addr, page, orig_pte);
  const std::uint32_t mm = k.vmas.at(vma).mm;
  MmStruct& m = k.mms.at(mm);
  PteSlot* slot = k.pte_slot(mm, addr);
  if (!slot) return false;
  m.ptl->lock("write_protect_page");
  k.kasan_page_table(m, "write_protect_page");
  bool ok = false;
  if (slot->pte.is_present() && slot->pte.page == page) {
    // v2.6.33: if (pte_write(*ptep)); v3.9: if (pte_write(*ptep) || pte_dirty(*ptep)): only
    // then the pte is cleared and flushed and the count checked (a clean read-only pte is
    // taken as it is).
    const Pte entry = slot->pte;
    const bool v3_9 = k.config.era != Era::V2_6_33;
    if ((entry.write || (v3_9 && entry.dirty)) && m.gup_fast) {
      ok = write_protect_page_clear_flush(k, mm, *slot, addr, page);
    } else if (entry.write || (v3_9 && entry.dirty)) {
      Page& p = k.pages[page];
      k.touch_page(page, "write_protect_page");  // page_mapcount + 1 + swapped != page_count
      const int expected = p.mapcount + 1 + (p.test(PG_swapcache) ? 1 : 0);
      if (expected != p.refcount)
        checker::note([&] { return std::string("page_mapcount(" + p.name + ") + 1 + swapped = " + std::to_string(expected) +
                                               " != page_count " + std::to_string(p.refcount) + ": an extra reference, no merge"); });
      if (expected == p.refcount) {
        // entry = ptep_clear_flush(); pte_mkclean(pte_wrprotect(entry)); set_pte_at_notify: the
        // MMU cannot set a bit in between (the pte is none), so one atomic update here.
        const Pte old = k.ptep_modify(mm, *slot, [&](const Pte& e) { return v3_9 ? pte_mkclean(pte_wrprotect(e)) : pte_wrprotect(e); },
                                      "write_protect_page");
        if (v3_9 && old.dirty) p.flags |= PG_dirty;  // set_page_dirty (the caller holds the page lock)
        flush_tlb_page(k, mm, addr, page, "write_protect_page");
        ok = true;
      }
    } else {
      ok = true;
    }
    if (ok) orig_pte = slot->pte;
  }
  m.ptl->unlock("write_protect_page");
  return ok;
}

// mm/ksm.c v2.6.33, v3.9: replace_page (the pte moves from page to kpage)
bool replace_page(Kernel& k, std::uint32_t vma, std::uint64_t addr, PageId page, PageId kpage, const Pte& orig_pte) {
  checker::Frame frame("replace_page");
  if (k.config.era == Era::V4_19) return v4_19::replace_page(k, vma, addr, page, kpage, orig_pte);
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
  k.set_pte(mm, slot, Pte::mk_pte(kpage), "replace_page");  // mk_pte(kpage, vma->vm_page_prot)
  flush_tlb_others_wait(k, mm, "replace_page: ptep_clear_flush");  // get_user_pages_fast scenarios only
  k.touch_page(page, "replace_page");  // page_remove_rmap(page); put_page(page)
  page_remove_rmap(k, page);
  k.put_page_locked(page);
  m.ptl->unlock("replace_page");
  return true;
}

// mm/ksm.c v2.6.33, v3.9, v4.19: try_to_merge_one_page (kpage kNoPage: upgrade page to PageKsm with a NULL
// node; no THP, no VM_LOCKED munlock; 4.19: the upgrade also SetPageDirty)
bool try_to_merge_one_page(Kernel& k, std::uint32_t vma, std::uint64_t addr, PageId page, PageId kpage) {
  checker::Frame frame("try_to_merge_one_page");
  if (page == kpage) return true;  // ksm page forked
  if (!(k.vmas[vma].flags & VM_MERGEABLE)) return false;  // 4.19: find_mergeable_vma's test
  Page& p = k.pages[page];
  if (!p.PageAnon()) return false;
  if (!p.lock->try_lock("try_to_merge_one_page")) return false;
  // 4.19: PageTransCompound -> split_huge_page (refused at load: no THP in a mergeable vma)
  if (p.nr_pages > 1) model_limit("try_to_merge_one_page's split_huge_page in kernel 4.19");
  bool ok = false;
  Pte orig_pte;
  if (write_protect_page(k, vma, addr, page, orig_pte)) {
    if (kpage == kNoPage) {
      // "While we hold page lock, upgrade page from PageAnon+anon_vma to PageKsm+NULL stable_node"
      checker::announce(p.obj, AccessKind::Write, "try_to_merge_one_page");
      p.mapping = Mapping{Mapping::Kind::Ksm, kNoNode};  // set_page_stable_node(page, NULL)
      // v4.19: "Page reclaim just frees a clean page with no dirty ptes: make sure that the ksm
      // page would be swapped": if (!PageDirty(page)) SetPageDirty(page) (mark_page_accessed: no LRU ages)
      if (k.config.era == Era::V4_19) p.flags |= PG_dirty;
      checker::note([&] { return std::string(p.name + " upgraded to PageKsm (no stable node yet)"); });
      ok = true;
    } else if (memcmp_pages(k, page, kpage, "try_to_merge_one_page")) {  // pages_identical
      ok = replace_page(k, vma, addr, page, kpage, orig_pte);
    }
  }
  p.lock->unlock("try_to_merge_one_page");
  return ok;
}

// mm/ksm.c v3.9: try_to_merge_with_ksm_page (the unstable item leaves its tree, then get_anon_vma under mmap_sem)
bool try_to_merge_with_ksm_page(Kernel& k, std::uint32_t item, PageId page, PageId kpage) {
  checker::Frame frame("try_to_merge_with_ksm_page");
  RmapItem& r = k.rmap_items.at(item);
  MmStruct& m = k.mms.at(r.mm);
  m.mmap_sem->down_read("try_to_merge_with_ksm_page");
  const int v = ksm_test_exit(k, r.mm) ? -1 : k.find_vma(r.mm, r.address);
  bool ok = false;
  if (v >= 0) {
    const std::uint32_t vma = static_cast<std::uint32_t>(v);
    ok = try_to_merge_one_page(k, vma, r.address, page, kpage);
    if (ok) {
      // "Unstable nid is in union with stable anon_vma: remove first"
      remove_rmap_item_from_tree(k, item);
      r.anon_vma = k.vmas[vma].anon_vma;  // "Must get reference to anon_vma while still holding mmap_sem"
      ++k.anon_vmas.at(r.anon_vma).refcount;  // get_anon_vma
    }
  }
  m.mmap_sem->up_read("try_to_merge_with_ksm_page");
  return ok;
}

/// The era's forms of the functions the shared full scan below calls.
struct KsmdEra {
  bool (*try_to_merge_with_ksm_page)(Kernel&, std::uint32_t item, PageId page, PageId kpage);
  void (*stable_tree_append)(Kernel&, std::uint32_t item, std::uint32_t node);
  PageId (*get_ksm_page)(Kernel&, std::uint32_t node);  ///< no page lock
  void (*put_anon_vma)(Kernel&, std::uint32_t av);      ///< break_cow's (2.6.33: drop_anon_vma)
  /// 2.6.33 takes the tree item out of the unstable tree in cmp_and_merge_page; v3.9 in
  /// try_to_merge_with_ksm_page.
  void (*remove_tree_item)(Kernel&, std::uint32_t item);
};

// mm/ksm.c v2.6.33, v3.9: get_mergeable_page (find_mergeable_vma, follow_page(FOLL_GET), PageAnon)
PageId get_mergeable_page(Kernel& k, std::uint32_t item) {
  checker::Frame frame("get_mergeable_page");
  const RmapItem& r = k.rmap_items.at(item);
  MmStruct& m = k.mms.at(r.mm);
  m.mmap_sem->down_read("get_mergeable_page");
  PageId page = kNoPage;
  const int v = ksm_test_exit(k, r.mm) ? -1 : k.find_vma(r.mm, r.address);
  if (v >= 0 && (k.vmas[static_cast<std::size_t>(v)].flags & VM_MERGEABLE) &&
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

// mm/ksm.c v2.6.33, v3.9: break_cow (the anon_vma reference dropped, then break_ksm under mmap_sem)
void break_cow(Kernel& k, const KsmdEra& era, std::uint32_t item) {
  checker::Frame frame("break_cow");
  const RmapItem& r = k.rmap_items.at(item);
  // "It is not an accident that whenever we want to break COW to undo, we also
  // need to drop a reference to the anon_vma."
  era.put_anon_vma(k, r.anon_vma);
  MmStruct& m = k.mms.at(r.mm);
  m.mmap_sem->down_read("break_cow");
  const int v = ksm_test_exit(k, r.mm) ? -1 : k.find_vma(r.mm, r.address);  // find_mergeable_vma
  if (v >= 0 && (k.vmas[static_cast<std::size_t>(v)].flags & VM_MERGEABLE) &&
      k.vmas[static_cast<std::size_t>(v)].has_anon_vma())
    break_ksm(k, static_cast<std::uint32_t>(v), r.address);
  m.mmap_sem->up_read("break_cow");
}

// mm/ksm.c v2.6.33, v3.9: unstable_tree_search_insert (root_unstable_tree[get_kpfn_nid]; the
// tree's items in insertion order, which is the rb descent when at most one lies on the path)
std::uint32_t unstable_tree_search_insert(Kernel& k, std::uint32_t item, PageId page, PageId& tree_page) {
  const int nid = get_kpfn_nid(k, page);
  const std::vector<std::uint32_t> tree = k.ksm.root_unstable_tree.at(static_cast<std::size_t>(nid));
  for (std::uint32_t tree_item : tree) {
    tree_page = get_mergeable_page(k, tree_item);
    if (tree_page == kNoPage) return kNoNode;
    if (tree_page == page) {  // "Don't substitute a ksm page for a forked page"
      k.put_page(tree_page, "unstable_tree_search_insert");
      return kNoNode;
    }
    if (memcmp_pages(k, page, tree_page, "unstable_tree_search_insert")) {
      // v3.9: "If tree_page has been migrated to another NUMA node, it will be flushed
      // out and put in the right unstable tree next time: only merge with it when across_nodes."
      if (!k.ksm.merge_across_nodes && k.pages[tree_page].nid != nid) {
        k.put_page(tree_page, "unstable_tree_search_insert");
        return kNoNode;
      }
      return tree_item;
    }
    k.put_page(tree_page, "unstable_tree_search_insert");
  }
  RmapItem& r = k.rmap_items[item];
  r.unstable = true;  // rmap_item->address |= UNSTABLE_FLAG | (ksm_scan.seqnr & SEQNR_MASK)
  r.seqnr = static_cast<std::uint8_t>(k.ksm.seqnr);
  r.nid = nid;
  k.ksm.root_unstable_tree[static_cast<std::size_t>(nid)].push_back(item);  // rb_link_node, rb_insert_color
  ++k.ksm.pages_unshared;
  checker::note([&] { return std::string(r.name + " inserted in root_unstable_tree[" + std::to_string(nid) + "]"); });
  return kNoNode;
}

// mm/ksm.c v2.6.33, v3.9: try_to_merge_two_pages
PageId try_to_merge_two_pages(Kernel& k, const KsmdEra& era, std::uint32_t item, PageId page, std::uint32_t tree_item,
                              PageId tree_page) {
  checker::Frame frame("try_to_merge_two_pages");
  if (!era.try_to_merge_with_ksm_page(k, item, page, kNoPage)) return kNoPage;
  if (era.try_to_merge_with_ksm_page(k, tree_item, tree_page, page)) return page;
  break_cow(k, era, item);  // "a ksm page with only one pte pointing to it: so break it"
  return kNoPage;
}

// mm/ksm.c v2.6.33, v3.9, v4.19: stable_tree_insert (root_stable_tree[get_kpfn_nid]; alloc_stable_node takes
// the first preallocated "unused" node: objects exist before a run; 4.19: a stale node restarts the
// walk, an equal one would start a stable_node chain: a model limit)
std::uint32_t stable_tree_insert(Kernel& k, const KsmdEra& era, PageId kpage) {
  const int nid = get_kpfn_nid(k, kpage);
  const bool v4_19 = k.config.era == Era::V4_19;
again:
  const std::vector<std::uint32_t> path = k.ksm.root_stable_tree.at(static_cast<std::size_t>(nid));
  for (std::uint32_t node : path) {
    // v4.19: chain() of a plain node (a sharing candidate or not, stable_node_dup_any): get_ksm_page(node, false)
    PageId tree_page = era.get_ksm_page(k, node);
    if (tree_page == kNoPage) {
      if (v4_19) goto again;  // v4.19: "restart the search from scratch" (the stale node is gone)
      return kNoNode;
    }
    const bool same = memcmp_pages(k, kpage, tree_page, "stable_tree_insert");
    k.put_page(tree_page, "stable_tree_insert");
    // v4.19: need_chain = true: the new node becomes a dup of a stable_node chain (alloc_stable_node_chain)
    if (same && v4_19) model_limit("stable_tree_insert of a page equal to a stable node's (a stable_node chain) in kernel 4.19");
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
  s.nid = nid;  // DO_NUMA(stable_node->nid = nid)
  s.tree = nid;
  k.ksm.root_stable_tree.at(static_cast<std::size_t>(nid)).push_back(node);  // rb_link_node, rb_insert_color
  checker::announce(k.pages[kpage].obj, AccessKind::Write, "stable_tree_insert");
  k.pages[kpage].mapping = Mapping{Mapping::Kind::Ksm, node};  // set_page_stable_node(kpage, stable_node)
  checker::note([&] { return std::string(k.page_name(kpage) + ".mapping = " + s.name + " (new stable node)"); });
  return node;
}

// mm/ksm.c v2.6.33, v3.9: cmp_and_merge_page's second half, after the stable tree had no match: the
// checksum gate (calc_checksum != rmap_item->oldchecksum: record it and stop), then
// unstable_tree_search_insert, try_to_merge_two_pages, stable_tree_insert and the two
// stable_tree_appends, or break_cow on both when no node could be inserted
void cmp_and_merge_unstable(Kernel& k, const KsmdEra& era, PageId page, std::uint32_t item) {
  RmapItem& r = k.rmap_items[item];
  read_page_data(k, page, "calc_checksum");
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
  const PageId kpage = try_to_merge_two_pages(k, era, item, page, tree_item, tree_page);
  k.put_page(tree_page, "cmp_and_merge_page");
  if (kpage == kNoPage) return;
  if (era.remove_tree_item) era.remove_tree_item(k, tree_item);
  k.pages[kpage].lock->lock("cmp_and_merge_page");
  const std::uint32_t node = stable_tree_insert(k, era, kpage);
  if (node != kNoNode) {
    era.stable_tree_append(k, tree_item, node);
    era.stable_tree_append(k, item, node);
  }
  k.pages[kpage].lock->unlock("cmp_and_merge_page");
  if (node == kNoNode) {
    // "we will have 2 virtual addresses that are pointing to a ksm page left
    // outside the stable tree, in which case we need to break_cow on both."
    break_cow(k, era, tree_item);
    break_cow(k, era, item);
  }
}

// mm/ksm.c v2.6.33, v3.9: remove_trailing_rmap_items, and get_next_rmap_item's loop over the
// items it passes: every rmap_item of mm's slot in [from, to) leaves its tree and is freed
void free_rmap_items(Kernel& k, void (*remove_rmap_item_from_tree)(Kernel&, std::uint32_t), std::uint32_t mm,
                     std::uint64_t from, std::uint64_t to, const char* function) {
  for (;;) {
    std::vector<std::uint32_t>& list = k.ksm.mm_slots[mm_slot_position(k.ksm, mm)].rmap_list;
    auto it = std::find_if(list.begin(), list.end(), [&](std::uint32_t r) {
      return k.rmap_items[r].address >= from && k.rmap_items[r].address < to;
    });
    if (it == list.end()) return;
    const std::uint32_t item = *it;
    list.erase(it);
    remove_rmap_item_from_tree(k, item);
    RmapItem& r = k.rmap_items[item];
    r.freed = true;  // free_rmap_item
    r.freed_at = Kernel::freed_by(function);
    checker::note([&] { return std::string("free_rmap_item " + r.name); });
  }
}

PageId get_ksm_page_unlocked(Kernel& k, std::uint32_t node) { return get_ksm_page(k, node, false); }
void put_anon_vma_of_rmap_item(Kernel& k, std::uint32_t av) { put_anon_vma(k, av, "break_cow"); }

const KsmdEra kEra39{try_to_merge_with_ksm_page, stable_tree_append, get_ksm_page_unlocked, put_anon_vma_of_rmap_item,
                     nullptr};

// mm/ksm.c v3.9: cmp_and_merge_page (stable_tree_search, then remove_rmap_item_from_tree; the stable
// tree first, then the unstable tree)
void cmp_and_merge_page(Kernel& k, PageId page, std::uint32_t item) {
  checker::Frame frame("cmp_and_merge_page");
  // 4146d2d673e8 (with cbf86cfe04a6, per-node trees): the page's own stable node, in the tree of a
  // node its page migrated away from, moves to migrate_nodes; an item already in its page's node,
  // which stays in its tree, returns (ksm_do_scan's v3.8 gate does that when the trees are one)
  const std::uint32_t page_node = k.page_stable_node(page);
  if (page_node != kNoNode && k.config.applied(Fix::StaleNodesSweep) && !k.ksm.merge_across_nodes) {
    if (stable_node_misplaced(k, page_node, "cmp_and_merge_page"))
      move_to_migrate_nodes(k, page_node, "cmp_and_merge_page");
    const RmapItem& r = k.rmap_items[item];
    if (k.stable_nodes[page_node].tree != StableNode::kInMigrateNodes && r.stable && r.head == page_node) return;
  }
  // "We first start with searching the page inside the stable tree"
  PageId kpage = stable_tree_search(k, page);
  if (kpage == page && k.rmap_items[item].stable && k.rmap_items[item].head == page_node) {
    k.put_page(kpage, "cmp_and_merge_page");  // its own node, which it is in already
    return;
  }
  remove_rmap_item_from_tree(k, item);
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
  cmp_and_merge_unstable(k, kEra39, page, item);
}

}  // namespace

namespace v4_19 {
namespace {

/// mm/ksm.c v4.19: __is_page_sharing_candidate(stable_node, offset) of a plain node (its
/// rmap_hlist_len is the hlist's size): some mapping left, and room for `offset` more.
bool is_page_sharing_candidate(const StableNode& s, std::size_t offset = 0) {
  return !s.hlist.empty() && s.hlist.size() + offset < kKsmMaxPageSharing;
}

// mm/ksm.c v4.19: stable_tree_append (rmap_hlist_len++, WARN_ON_ONCE beyond ksm_max_page_sharing)
void stable_tree_append(Kernel& k, std::uint32_t item, std::uint32_t node, bool max_page_sharing_bypass) {
  checker::Frame frame("stable_tree_append");
  stable_node_not_null(k, item, node);  // BUG_ON(stable_node->rmap_hlist_len < 0) reads through it
  // Load refuses a scenario with more possible sharers than max_page_sharing, so this never fires.
  if (!max_page_sharing_bypass && k.stable_nodes.at(node).hlist.size() + 1 > kKsmMaxPageSharing)
    checker::fail(FailureKind::WarnOn, "WARN_ON_ONCE(stable_node->rmap_hlist_len > ksm_max_page_sharing)");
  model::stable_tree_append(k, item, node);  // head, STABLE_FLAG, hlist_add_head, the counters
}
void stable_tree_append_no_bypass(Kernel& k, std::uint32_t item, std::uint32_t node) {
  stable_tree_append(k, item, node, false);
}

// mm/ksm.c v4.19: stable_tree_search (chain_prune of a plain node; a stale node restarts the walk;
// the match is locked and unlocked so migration notices the raised count)
PageId stable_tree_search(Kernel& k, PageId page) {
  checker::Frame frame("stable_tree_search");
  if (k.page_stable_node(page) != kNoNode) {  // page_node && page_node->head != &migrate_nodes: ksm page forked
    k.get_page(page, "stable_tree_search");
    return page;
  }
  const int nid = get_kpfn_nid(k, page);
  checker::note([&] { return "stable_tree_search(" + k.page_name(page) + ") in root_stable_tree[" + std::to_string(nid) + "]"; });
again:
  // The rb-tree's shape is not kept: nodes are visited in insertion order (the descent when at
  // most one node lies on the path).
  const std::vector<std::uint32_t> path = k.ksm.root_stable_tree.at(static_cast<std::size_t>(nid));
  for (std::uint32_t node : path) {
    if (k.stable_nodes[node].freed)
      checker::fail(FailureKind::Assertion, "G4: stable_tree_search descends through freed stable node " +
                                                k.stable_nodes[node].name);
    // chain_prune -> __stable_node_chain: a candidate is its own dup; otherwise stable_node_dup_any
    // is the node itself: both read the page with get_ksm_page(node, false).
    const bool candidate = is_page_sharing_candidate(k.stable_nodes[node]);
    PageId tree_page = get_ksm_page(k, node, false);
    if (tree_page == kNoPage) goto again;  // "restart the search from scratch"
    const bool same = memcmp_pages(k, page, tree_page, "stable_tree_search");
    k.put_page(tree_page, "stable_tree_search");
    if (!same) continue;
    if (!candidate) return kNoPage;  // every dup full: wait for an unstable-tree match
    tree_page = get_ksm_page(k, node, true);
    if (tree_page == kNoPage) goto again;
    k.pages[tree_page].lock->unlock("stable_tree_search");
    const StableNode& s = k.stable_nodes[node];
    if (get_kpfn_nid(k, s.kpfn) != s.nid)  // goto replace: only after a KSM page's migration, refused in 4.19
      model_limit("stable_tree_search's replace (a stable node's page on another NUMA node) in kernel 4.19");
    return tree_page;
  }
  return kNoPage;  // !page_node
}

const KsmdEra kEra419{try_to_merge_with_ksm_page, stable_tree_append_no_bypass, get_ksm_page_unlocked,
                      put_anon_vma_of_rmap_item, nullptr};

// mm/ksm.c v4.19: cmp_and_merge_page (the item already in the page's stable node returns at once;
// remove_rmap_item_from_tree after stable_tree_search; stable_tree_append with max_page_sharing_bypass)
void cmp_and_merge_page(Kernel& k, PageId page, std::uint32_t item) {
  checker::Frame frame("cmp_and_merge_page");
  const std::uint32_t stable_node = k.page_stable_node(page);
  bool max_page_sharing_bypass = false;
  if (stable_node != kNoNode) {
    const StableNode& s = k.stable_nodes[stable_node];
    // get_kpfn_nid(READ_ONCE(stable_node->kpfn)) != NUMA(stable_node->nid): the node would move to
    // migrate_nodes; only a KSM page's migration makes it so, refused in 4.19.
    if (get_kpfn_nid(k, s.kpfn) != s.nid) model_limit("cmp_and_merge_page's move to migrate_nodes in kernel 4.19");
    const RmapItem& r = k.rmap_items[item];
    if (r.stable && r.head == stable_node) return;
    // "If it's a KSM fork, allow it to go over the sharing limit without warnings."
    if (!is_page_sharing_candidate(s)) max_page_sharing_bypass = true;
  }
  // "We first start with searching the page inside the stable tree"
  const PageId kpage = v4_19::stable_tree_search(k, page);
  if (kpage == page && k.rmap_items[item].stable && k.rmap_items[item].head == stable_node) {
    k.put_page(kpage, "cmp_and_merge_page");
    return;
  }
  remove_rmap_item_from_tree(k, item);
  if (kpage != kNoPage) {
    if (try_to_merge_with_ksm_page(k, item, page, kpage)) {
      // "The page was successfully merged: add its rmap_item to the stable tree."
      k.pages[kpage].lock->lock("cmp_and_merge_page");
      v4_19::stable_tree_append(k, item, k.page_stable_node(kpage), max_page_sharing_bypass);
      k.pages[kpage].lock->unlock("cmp_and_merge_page");
    }
    k.put_page(kpage, "cmp_and_merge_page");
    return;
  }
  // The checksum gate, the unstable tree, try_to_merge_two_pages, stable_tree_insert: shared
  // (ksm_use_zero_pages is off by default: its zero-page merge is not modelled).
  cmp_and_merge_unstable(k, kEra419, page, item);
}

}  // namespace
}  // namespace v4_19

namespace {

// mm/ksm.c v2.6.33, v3.9: ksm_scan_thread's wait_event_freezable(ksm_thread_wait,
// ksmd_should_run()) and ksm_thread_mutex, then scan_get_next_rmap_item's start
// of a new pass at the first mm (slot == &ksm_mm_head: v3.9 resets the unstable
// trees, 2.6.33's model keeps the one of the initial state). False, with the mutex
// released, when ksmd should not run after all. `scan` is emplaced with ksm_do_scan's frame
// once ksmd_should_run said yes (the wait and the mutex are ksm_scan_thread's).
bool ksmd_batch_start(Kernel& k, bool reset_unstable_trees, std::optional<checker::Frame>& scan) {
  KsmState& ksm = k.ksm;
  checker::announce_idle(ksm.should_run_obj, AccessKind::Wait, "ksm_scan_thread",
                             [&ksm] { return (ksm.ksm_run & KSM_RUN_MERGE) && !ksm.mm_slots.empty(); });
  ksm.ksm_thread_mutex->lock("ksm_scan_thread");
  checker::announce(ksm.should_run_obj, AccessKind::Read, "ksmd_should_run");
  if (!(ksm.ksm_run & KSM_RUN_MERGE) || ksm.mm_slots.empty()) {
    ksm.ksm_thread_mutex->unlock("ksm_scan_thread");
    return false;
  }
  scan.emplace("ksm_do_scan");
  if (ksm.scan_cursor >= ksm.mm_slots.size()) {
    // v3.9 (4146d2d673e8, after cbf86cfe04a6), v4.19: "prune them once before each full scan": with
    // per-node trees, get_ksm_page of each node on migrate_nodes removes the stale ones
    if (reset_unstable_trees && !ksm.merge_across_nodes && k.config.era != Era::V2_6_33 &&
        (k.config.era == Era::V4_19 || k.config.applied(Fix::StaleNodesSweep)))
      for (checker::Frame prune("scan_get_next_rmap_item");
           std::uint32_t node : std::vector<std::uint32_t>(ksm.migrate_nodes))
        if (const PageId kpage = get_ksm_page(k, node, false); kpage != kNoPage)
          k.put_page(kpage, "scan_get_next_rmap_item");
    if (reset_unstable_trees)  // v3.9: "root_unstable_tree[nid] = RB_ROOT" for each nid
      for (std::vector<std::uint32_t>& tree : ksm.root_unstable_tree) tree.clear();
    ksm.scan_address = 0;  // next_mm: ksm_scan.address = 0
    ksm.ksm_mmlist_lock->lock("scan_get_next_rmap_item");
    ksm.scan_cursor = 0;  // slot = list_entry(slot->mm_list.next, ...); ksm_scan.mm_slot = slot
    const bool emptied = ksm.mm_slots.empty();
    ksm.ksm_mmlist_lock->unlock("scan_get_next_rmap_item");
    if (emptied) {
      // The list was not empty at ksmd_should_run's lockless list_empty(); a racing __ksm_exit of
      // the last mm removed its slot since, and slot is &ksm_mm_head again.
      // 2b472611a32a (v3.0; 4.19 has it): "if (slot == &ksm_mm_head) return NULL".
      if (k.config.era != Era::V4_19 && !k.config.applied(Fix::ScanHeadRecheck))
        checker::fail(FailureKind::BugOn,
                      std::string("BUG: unable to handle kernel NULL pointer dereference in scan_get_next_rmap_item: "
                                  "slot->mm of &ksm_mm_head (the mm list emptied by a racing __ksm_exit after "
                                  "ksmd_should_run's list_empty(); ") +
                          (k.config.era == Era::V2_6_33 ? "v2.6.33 predates 2b472611a32a, v3.0)" : "2b472611a32a reverted)"));
      checker::note("slot == &ksm_mm_head: the list emptied since list_empty(), return NULL");
      scan.reset();
      ksm.ksm_thread_mutex->unlock("ksm_scan_thread");
      return false;
    }
  }
  return true;
}

// mm/ksm.c v2.6.33, v3.9: the end of ksm_do_scan's batch: scan_get_next_rmap_item's
// ksm_scan.seqnr++ when the cursor came back to &ksm_mm_head ("Repeat until we've completed
// scanning the whole list"), then ksm_scan_thread's mutex_unlock(&ksm_thread_mutex).
void ksmd_batch_end(Kernel& k) {
  KsmState& ksm = k.ksm;
  if (ksm.scan_cursor >= ksm.mm_slots.size()) {
    ++ksm.seqnr;
    checker::note([&] { return std::string("full scan done: ksm_scan.seqnr = " + std::to_string(ksm.seqnr)); });
  }
  ksm.ksm_thread_mutex->unlock("ksm_scan_thread");
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

// mm/ksm.c v2.6.33, v3.9, v4.19: the end of scan_get_next_rmap_item's walk of mm (the slot at
// the cursor, its mmap_sem held for read): ksm_scan.mm_slot moves to the next slot under
// ksm_mmlist_lock. An exiting mm (ksm_scan.address == 0) loses its slot there (hash_del, list_del,
// free_mm_slot, clear_bit(MMF_VM_MERGEABLE)), then up_read and the slot's mmdrop. Another mm:
// spin_unlock then up_read (v2.6.33, and v3.9 with 7496fea9a6bf reverted: an exit's __ksm_exit may
// free the slot the cursor left and the last mmdrop the mm_struct in between), or up_read then
// spin_unlock (7496fea9a6bf, v4.13; 4.19).
void scan_next_mm_slot(Kernel& k, std::uint32_t mm, bool exiting) {
  KsmState& ksm = k.ksm;
  MmStruct& m = k.mms[mm];
  ksm.ksm_mmlist_lock->lock("scan_get_next_rmap_item");
  ksm.scan_cursor = mm_slot_position(ksm, mm) + 1;
  if (exiting) {
    const std::size_t at = mm_slot_position(ksm, mm);  // hash_del, list_del, free_mm_slot
    ksm.mm_slots.erase(ksm.mm_slots.begin() + static_cast<std::ptrdiff_t>(at));
    ksm.scan_cursor = at;
    m.mmf_vm_mergeable = false;  // clear_bit(MMF_VM_MERGEABLE)
    checker::note([&] { return std::string("mm_slot of exiting " + m.name + " freed"); });
    ksm.ksm_mmlist_lock->unlock("scan_get_next_rmap_item");
    m.mmap_sem->up_read("scan_get_next_rmap_item");
    k.kasan_mm(mm, "scan_get_next_rmap_item's up_read(&mm->mmap_sem)");  // never: the slot's reference
    mmdrop(k, mm, "scan_get_next_rmap_item", /*may_free=*/false);  // ksmd's last access to mm is behind it
    return;
  }
  if (ksm_up_read_first(k)) {
    m.mmap_sem->up_read("scan_get_next_rmap_item");
    k.kasan_mm(mm, "scan_get_next_rmap_item's up_read(&mm->mmap_sem)");  // never: the lock still keeps __ksm_exit out
    ksm.ksm_mmlist_lock->unlock("scan_get_next_rmap_item");
    return;
  }
  ksm.ksm_mmlist_lock->unlock("scan_get_next_rmap_item");
  m.mmap_sem->up_read("scan_get_next_rmap_item");
  // The slot stays hashed with the cursor past it: __ksm_exit frees it at once when it has no
  // rmap_item (easy_to_free, no mmap_sem taken), and the exit's last mmdrop the mm_struct.
  kasan_mm_up_read_after_unlock(k, mm, "scan_get_next_rmap_item");
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

// mm/ksm.c v3.9: ksm_scan_thread's loop, `batches` times: ksmd_should_run + ksm_do_scan +
// scan_get_next_rmap_item (each batch scans up to `pages` pages and ends at the end of a full
// scan, ksm_scan.seqnr++; a new full scan resets the unstable trees; lru_add_drain_all and
// the migrate_nodes prune are not modelled)
void ksmd_scan(Kernel& k, int pages, int batches) {
  for (int batch = 0; batch < batches; ++batch)
    if (!ksm_do_scan(k, pages)) return;
}

// mm/ksm.c v3.9, v4.19: one batch of ksm_scan_thread: ksm_do_scan under ksm_thread_mutex (false: ksmd should not run)
bool ksm_do_scan(Kernel& k, int pages) {
  checker::Frame thread("ksm_scan_thread");
  std::optional<checker::Frame> frame;  // ksm_do_scan's, from ksmd_should_run's yes to the batch's end
  KsmState& ksm = k.ksm;
  if (!ksmd_batch_start(k, true, frame)) return false;
  int done = 0;
  std::uint64_t& scan_address = ksm.scan_address;  // ksm_scan.address: 0 at a new pass (ksmd_batch_start)
  while (done < pages && ksm.scan_cursor < ksm.mm_slots.size()) {
    const std::uint32_t mm = ksm.mm_slots[ksm.scan_cursor].mm;
    MmStruct& m = k.mms[mm];
    m.mmap_sem->down_read("scan_get_next_rmap_item");
    k.kasan_mm(mm, "scan_get_next_rmap_item's down_read(&mm->mmap_sem)");  // never: the slot's reference
    std::uint64_t addr = 0;
    const bool exiting = ksm_test_exit(k, mm);  // "if (ksm_test_exit(mm)) vma = NULL"
    const PageId page = exiting ? kNoPage : next_anon_page(k, mm, scan_address, addr);
    if (page == kNoPage) {  // the end of this mm: advance the cursor
      // "Nuke all the rmap_items that are above this current rmap"; of an exiting mm
      // every one ("ksm_scan.rmap_list = &slot->rmap_list"), then the slot itself.
      free_rmap_items(k, remove_rmap_item_from_tree, mm, exiting ? 0 : scan_address, ~std::uint64_t{0},
                      "remove_trailing_rmap_items");
      scan_next_mm_slot(k, mm, exiting);
      scan_address = 0;  // next_mm
      continue;
    }
    // get_next_rmap_item: the items below addr that the scan passed are freed
    free_rmap_items(k, remove_rmap_item_from_tree, mm, scan_address, addr, "get_next_rmap_item");
    const std::uint32_t item = get_next_rmap_item(k, ksm.mm_slots[mm_slot_position(ksm, mm)], mm, addr);
    scan_address = addr + kPageSize;
    m.mmap_sem->up_read("scan_get_next_rmap_item");
    if (k.config.era == Era::V4_19)
      v4_19::cmp_and_merge_page(k, page, item);  // mm/ksm.c v4.19: ksm_do_scan (the gate is in cmp_and_merge_page)
    // ksm_do_scan: if (!PageKsm(page) || !in_stable_tree(rmap_item)) cmp_and_merge_page (v3.8's gate:
    // 3.9 moved it into cmp_and_merge_page, with 4146d2d673e8's migrate_nodes checks, followed there
    // when the trees are per node)
    else if (!k.pages[page].PageKsm() || !k.rmap_items[item].stable ||
             (k.config.applied(Fix::StaleNodesSweep) && !ksm.merge_across_nodes))
      cmp_and_merge_page(k, page, item);
    k.put_page(page, "ksm_do_scan");
    ++done;
  }
  frame.reset();
  ksmd_batch_end(k);
  return true;
}

// ===========================================================================
// v2.6.33: ksmd's scan batch (seeds 001/002): one stable tree, the unstable
// tree of the initial state (an rmap_item of the initial state carries the
// checksum of its page; never reset: one batch), stable_tree_append under the
// KSM page's lock (G3), hold_anon_vma; the full scan's second half
// (cmp_and_merge_unstable, try_to_merge_one_page's PageKsm upgrade,
// stable_tree_insert from the preallocated "unused" nodes) is shared above.
// ===========================================================================
namespace v2_6_33 {

namespace {

// mm/ksm.c v2.6.33: stable_tree_append (under the lock of the node's page: G3 asserted)
void stable_tree_append(Kernel& k, std::uint32_t item, std::uint32_t node) {
  checker::Frame frame("stable_tree_append");
  stable_node_not_null(k, item, node);
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
  checker::Frame frame("stable_tree_search");
  if (k.page_stable_node(page) != kNoNode) {  // ksm page forked
    k.get_page(page, "stable_tree_search");
    return page;
  }
  const std::vector<std::uint32_t> path = k.ksm.root_stable_tree.at(0);
  for (std::uint32_t node : path) {
    PageId tree_page = v2_6_33::get_ksm_page(k, node);
    if (tree_page == kNoPage) return kNoPage;
    if (memcmp_pages(k, page, tree_page, "stable_tree_search")) return tree_page;  // memcmp_pages == 0
    k.put_page(tree_page, "stable_tree_search");
  }
  return kNoPage;
}

// mm/ksm.c v2.6.33: try_to_merge_with_ksm_page (hold_anon_vma under mmap_sem)
bool try_to_merge_with_ksm_page(Kernel& k, std::uint32_t item, PageId page, PageId kpage) {
  checker::Frame frame("try_to_merge_with_ksm_page");
  k.kasan_rmap_item(item, "try_to_merge_with_ksm_page");
  RmapItem& r = k.rmap_items.at(item);
  MmStruct& m = k.mms.at(r.mm);
  m.mmap_sem->down_read("try_to_merge_with_ksm_page");
  bool ok = false;
  const int v = k.find_vma(r.mm, r.address);
  if (!ksm_test_exit(k, r.mm) && v >= 0) {
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

void drop_anon_vma_of_rmap_item(Kernel& k, std::uint32_t av) { v2_6_33::drop_anon_vma(k, av); }

const KsmdEra kEra2633{try_to_merge_with_ksm_page, v2_6_33::stable_tree_append, v2_6_33::get_ksm_page,
                       drop_anon_vma_of_rmap_item, v2_6_33::remove_rmap_item_from_tree};

// mm/ksm.c v2.6.33: cmp_and_merge_page
void cmp_and_merge_page(Kernel& k, PageId page, std::uint32_t item) {
  checker::Frame frame("cmp_and_merge_page");
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
  cmp_and_merge_unstable(k, kEra2633, page, item);
}

// mm/ksm.c v2.6.33: one batch of ksm_scan_thread -> ksm_do_scan -> scan_get_next_rmap_item
// (slot == &ksm_mm_head: root_unstable_tree = RB_ROOT starts a new pass; the model's first
// batch keeps the unstable tree of the initial state, a later batch that starts a pass
// resets it). False when ksmd should not run (the mutex released).
bool ksm_do_scan(Kernel& k, int pages, bool reset_unstable_tree) {
  checker::Frame thread("ksm_scan_thread");
  std::optional<checker::Frame> frame;  // ksm_do_scan's, from ksmd_should_run's yes to the batch's end
  KsmState& ksm = k.ksm;
  if (!ksmd_batch_start(k, reset_unstable_tree, frame)) return false;
  int done = 0;
  std::uint64_t& scan_address = ksm.scan_address;  // ksm_scan.address: 0 at a new pass (ksmd_batch_start)
  while (done < pages && ksm.scan_cursor < ksm.mm_slots.size()) {
    const std::uint32_t mm = ksm.mm_slots[ksm.scan_cursor].mm;
    MmStruct& m = k.mms[mm];
    m.mmap_sem->down_read("scan_get_next_rmap_item");
    k.kasan_mm(mm, "scan_get_next_rmap_item's down_read(&mm->mmap_sem)");  // never: the slot's reference
    std::uint64_t addr = 0;
    const bool exiting = ksm_test_exit(k, mm);  // "if (ksm_test_exit(mm)) vma = NULL"
    const PageId page = exiting ? kNoPage : next_anon_page(k, mm, scan_address, addr);
    if (page == kNoPage) {  // the end of this mm: the cursor moves on
      if (exiting) scan_address = 0;  // ksm_scan.rmap_list = &slot->rmap_list
      // "Nuke all the rmap_items that are above this current rmap"
      free_rmap_items(k, v2_6_33::remove_rmap_item_from_tree, mm, scan_address, ~std::uint64_t{0}, "remove_trailing_rmap_items");
      scan_next_mm_slot(k, mm, exiting);
      scan_address = 0;  // next_mm
      continue;
    }
    // get_next_rmap_item: the items below addr that the scan passed are freed
    free_rmap_items(k, v2_6_33::remove_rmap_item_from_tree, mm, scan_address, addr, "get_next_rmap_item");
    const std::uint32_t item = get_next_rmap_item(k, ksm.mm_slots[mm_slot_position(ksm, mm)], mm, addr);
    scan_address = addr + kPageSize;
    m.mmap_sem->up_read("scan_get_next_rmap_item");
    if (!k.pages[page].PageKsm() || !k.rmap_items[item].stable) cmp_and_merge_page(k, page, item);
    k.put_page(page, "ksm_do_scan");
    ++done;
  }
  frame.reset();
  ksmd_batch_end(k);
  return true;
}

}  // namespace

// mm/ksm.c v2.6.33: ksm_scan_thread's loop, `batches` times (each ksm_do_scan of up to `pages`
// pages, ending at the end of a full scan as v3.9's; the first keeps the initial state's
// unstable tree, a later one that starts a full scan resets it)
void ksmd_scan(Kernel& k, int pages, int batches) {
  for (int batch = 0; batch < batches; ++batch)
    if (!ksm_do_scan(k, pages, batch > 0)) return;
}

}  // namespace v2_6_33

}  // namespace model
