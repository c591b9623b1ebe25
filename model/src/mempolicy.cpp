// mempolicy.cpp: the NUMA migrator of the 2.6.33 era (mm/mempolicy.c v2.6.33:
// do_mbind with MPOL_MF_MOVE[_ALL], check_range -> check_pte_range,
// migrate_page_add), which migrates with offlining = 0.
//
// Yield points: mmap_sem, the ptl over the range, the lockless PageKsm /
// page_to_nid read of each present page (a Read on the page: ksmd's upgrade
// to PageKsm writes it under the page lock only), isolate_lru_page, and what
// migrate_pages announces.
// Invariant: pages are collected and isolated under the ptl with mmap_sem
// held for write; with 62b61f611eb5/2 a PageKsm page is never collected.
#include "model/ksm.h"
#include "model/memory.h"
#include "model/v2_6_33.h"

namespace model::v2_6_33 {

using checker::AccessKind;

namespace {

// mm/mempolicy.c v2.6.33: check_pte_range (MPOL_MF_MOVE[_ALL] | MPOL_MF_INVERT: pages not on to_node)
void check_pte_range(Kernel& k, std::uint32_t vma, std::uint64_t start, std::uint64_t end, int to_node,
                     bool move_all, std::vector<PageId>& pagelist) {
  checker::Frame frame("check_pte_range");
  const std::uint32_t mm = k.vmas[vma].mm;
  MmStruct& m = k.mms[mm];
  m.ptl->lock("check_pte_range");
  for (auto& [addr, slot] : m.ptes) {
    // vm_normal_page() is NULL for the zero page: skipped.
    if (addr < start || addr >= end || k.vm_normal_page(slot.pte) == kNoPage) continue;
    const PageId page = slot.pte.page;
    Page& p = k.pages[page];
    checker::announce(p.obj, AccessKind::Read, "check_pte_range");  // PageKsm(page), page_to_nid(page)
    k.kasan_page(page, "check_pte_range");
    if (p.PageKsm() && k.config.applied(Fix::KsmMigrateOnlyOfflining)) {
      checker::note([&] { return std::string(p.name + " is PageKsm: skipped"); });
      continue;  // "we cannot move PageKsm pages sensibly or safely yet"
    }
    if (p.nid == to_node) continue;
    // migrate_page_add: "Avoid migrating a page that is shared with others."
    if (move_all || p.mapcount == 1) {
      if (v2_6_33::isolate_lru_page(k, page) == 0) pagelist.push_back(page);
    }
  }
  m.ptl->unlock("check_pte_range");
}

}  // namespace

// mm/mempolicy.c v2.6.33: do_mbind (MPOL_BIND to {to_node}, MPOL_MF_MOVE or MPOL_MF_MOVE_ALL)
long do_mbind(Kernel& k, std::uint32_t mm, std::uint64_t start, std::uint64_t end, int to_node, bool move_all,
              int passes) {
  checker::Frame frame("do_mbind");
  MmStruct& m = k.mms.at(mm);
  m.mmap_sem->down_write("do_mbind");
  std::vector<PageId> pagelist;
  long err = 0;
  const int v = k.find_vma(mm, start);
  if (v < 0 || k.vmas[static_cast<std::size_t>(v)].end < end) {
    err = -kEFAULT;  // check_range (and mbind_range): no vma, or a hole in the range
  } else {
    check_pte_range(k, static_cast<std::uint32_t>(v), start, end, to_node, move_all, pagelist);
    // mbind_range: the policy itself is not modelled
    if (!pagelist.empty()) err = v2_6_33::migrate_pages(k, pagelist, to_node, 0, passes);
  }
  m.mmap_sem->up_write("do_mbind");
  return err;
}

}  // namespace model::v2_6_33
