// mremap.cpp: sys_mremap -> mremap_to -> move_vma, move_page_tables, move_ptes
// (mm/mremap.c v3.9) and copy_vma with the anon_vma_clone it calls (mm/mmap.c,
// mm/rmap.c v3.9): the v3.9 `mremap` actor, MREMAP_MAYMOVE|MREMAP_FIXED of one
// whole anonymous vma to a free place of the same mm.
//
// Yield points: mmap_sem (for write, the whole call); the unmerge of ksm_madvise
// (break_ksm's steps); anon_vma_clone's root rwsem; the anon_vma rwsem in move_ptes
// when need_rmap_locks; the ptl; each pte move (ptep_get_and_clear and set_pte_at,
// two steps); the TLB flush of each writable pte moved (a step on its page's data when
// a scenario stores: under the ptls with eb66ae030829, after them without); then
// do_munmap of the old vma (model/src/mmap.cpp).
// Invariant: the vma that receives the ptes is in the old vma's anon_vmas before the
// first pte moves, and either behind the old vma in interval-tree order (a new vma:
// the v3.9 argument for moving without the rmap locks) or the ptes move under the
// anon_vma lock (need_rmap_locks); a moved pte keeps its page's index and the
// receiving vma covers it with the same linear index, so vma_address() finds it at
// its new address.
// copy_vma's vma_merge grows a neighbour with the same anon_vma, flags and a vm_pgoff
// that continues (vma_adjust under the anon_vma lock); need_rmap_locks is then true
// when the neighbour's vm_pgoff is not above the old vma's, and move_ptes takes the
// anon_vma lock for write. Not modelled (refused by mremap_input_error): a merge with
// both neighbours, a vma without an anon_vma (copy_vma's pgoff reset), a partial or
// growing move, a huge pmd.
#include "model/mremap.h"

#include <algorithm>

#include "model/ksm.h"
#include "model/memory.h"
#include "model/mmap.h"
#include "model/mmap_v4_19.h"
#include "model/rmap.h"
#include "model/user_access.h"
#include "model/v2_6_33.h"
#include "pmd_input.h"

namespace model {

namespace {

constexpr std::uint64_t kLatencyLimit = 64 * kPageSize;  // LATENCY_LIMIT

enum class Side { Prev, Next };

/// mm/mmap.c v3.9: can_vma_merge_after (Prev: n ends at new_start) / can_vma_merge_before
/// (Next: n starts at new_end) with is_mergeable_anon_vma: the same vm_flags, the same
/// anon_vma (a neighbour without one has an empty anon_vma_chain, not a singular one:
/// no merge), vm_pgoff continuing across the boundary. `moved` has an anon_vma.
bool mergeable_neighbour(const Vma& n, const Vma& moved, std::uint64_t new_start, std::uint64_t new_end, Side side) {
  if (n.flags != moved.flags || n.anon_vma != moved.anon_vma) return false;
  const std::uint64_t pages = (new_end - new_start) / kPageSize;
  if (side == Side::Prev) return n.end == new_start && n.pgoff + (n.end - n.start) / kPageSize == moved.pgoff;
  return n.start == new_end && n.pgoff == moved.pgoff + pages;
}

/// The vma of mm that copy_vma's vma_merge would grow over [new_start, new_end) on
/// `side`, or -1.
int merge_candidate(const Kernel& k, std::uint32_t mm, const Vma& moved, std::uint64_t new_start,
                    std::uint64_t new_end, Side side) {
  for (std::uint32_t i : k.mms.at(mm).vmas)
    if (mergeable_neighbour(k.vmas[i], moved, new_start, new_end, side)) return static_cast<int>(i);
  return -1;
}

// mm/interval_tree.c v3.9: anon_vma_interval_tree_insert (keyed by vm_pgoff; an equal
// key goes right, so the new node follows every vma with vm_pgoff <= its own in the
// walk). The model's AnonVma::vmas is the tree's in-order walk.
void anon_vma_interval_tree_insert(Kernel& k, std::uint32_t av, std::uint32_t vma) {
  std::vector<std::uint32_t>& list = k.anon_vmas.at(av).vmas;
  const std::uint64_t key = k.vmas.at(vma).pgoff;
  auto at = list.end();
  while (at != list.begin() && k.vmas.at(*(at - 1)).pgoff > key) --at;
  list.insert(at, vma);
}

// mm/rmap.c v3.9: anon_vma_clone (dst joins every anon_vma of src's chain, under
// the root's rwsem: lock_anon_vma_root, anon_vma_chain_link); v2.6.33's anon_vma_link, the
// same for its one anon_vma (under anon_vma->lock, which the 2.6.33 model takes as the write side)
void anon_vma_clone(Kernel& k, std::uint32_t dst, std::uint32_t src) {
  const char* const name = k.config.era == Era::V2_6_33 ? "anon_vma_link" : "anon_vma_clone";
  checker::Frame frame(name);
  const std::vector<std::uint32_t> chain = anon_vma_chain(k, src);
  if (chain.empty()) return;
  for (std::uint32_t av : chain) k.kasan_anon_vma(av, name);
  AnonVma& root = k.anon_vmas.at(k.anon_vmas.at(chain.front()).root);
  root.lock->down_write(name);  // lock_anon_vma_root
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {  // list_for_each_entry_reverse
    anon_vma_interval_tree_insert(k, *it, dst);
    checker::note([&] {
      return std::string(k.anon_vmas[*it].name + " += vma of " + k.where(k.vmas[dst].mm, k.vmas[dst].start));
    });
  }
  root.lock->up_write(name);  // unlock_anon_vma_root
}

// mm/mmap.c v3.9: vma_link (mmap_sem held for write: __vma_link_list, __vma_link_rb)
void vma_link(Kernel& k, std::uint32_t mm, std::uint32_t vma) {
  checker::Frame frame("vma_link");
  std::vector<std::uint32_t>& list = k.mms.at(mm).vmas;
  auto at = std::find_if(list.begin(), list.end(), [&](std::uint32_t v) { return k.vmas[v].start > k.vmas[vma].start; });
  list.insert(at, vma);
}

// mm/mmap.c v3.9: vma_adjust of an anonymous vma growing over a free range (vma_merge's
// cases 2 and 3: no next vma overlapped or removed): under anon_vma_lock_write, the
// vma leaves the interval tree of each anon_vma it is chained to, gets its new
// bounds and vm_pgoff, and goes back in at its (new) key
// (v2.6.33: the same under anon_vma->lock, the model's write side of AV's lock; its anon_vma's
// vma list is not keyed by vm_pgoff, so the grown vma keeps its place in the rmap walk)
void vma_adjust(Kernel& k, std::uint32_t vma, std::uint64_t start, std::uint64_t end, std::uint64_t pgoff) {
  checker::Frame frame("vma_adjust");
  const bool interval_tree = k.config.era != Era::V2_6_33;
  const std::vector<std::uint32_t> chain = anon_vma_chain(k, vma);
  checker::RwSem& lock = *k.anon_vmas.at(k.anon_vmas.at(k.vmas.at(vma).anon_vma).root).lock;
  lock.down_write("vma_adjust");  // anon_vma_lock_write (2.6.33: spin_lock(&anon_vma->lock))
  if (interval_tree)
    for (std::uint32_t av : chain) std::erase(k.anon_vmas[av].vmas, vma);  // anon_vma_interval_tree_pre_update_vma
  Vma& v = k.vmas[vma];
  v.start = start;
  v.end = end;
  v.pgoff = pgoff;
  if (interval_tree)
    for (std::uint32_t av : chain) anon_vma_interval_tree_insert(k, av, vma);  // ..._post_update_vma
  checker::note([&] {
    return std::string("vma_adjust: vma of " + k.mms[v.mm].name + " now [" + k.where(v.mm, v.start) + ", " +
                       k.where(v.mm, v.end) + "), vm_pgoff " + std::to_string(v.pgoff));
  });
  lock.up_write("vma_adjust");  // anon_vma_unlock_write
}

// mm/mmap.c v3.9: vma_merge as copy_vma calls it for a free range: grow the previous
// vma (cases 2, 5, 7) or the next one downwards (cases 3, 8); prev and next at once
// (case 1) is refused at input. Returns the grown vma, or -1.
int vma_merge(Kernel& k, std::uint32_t vma, std::uint64_t addr, std::uint64_t end) {
  checker::Frame frame("vma_merge");
  const Vma moved = k.vmas.at(vma);
  const std::uint32_t mm = moved.mm;
  const int prev = merge_candidate(k, mm, moved, addr, end, Side::Prev);
  const int next = merge_candidate(k, mm, moved, addr, end, Side::Next);
  if (prev >= 0 && next >= 0) model_limit("vma_merge of prev, the moved range and next at once (case 1)");
  if (prev >= 0) {
    const Vma& p = k.vmas[static_cast<std::size_t>(prev)];
    vma_adjust(k, static_cast<std::uint32_t>(prev), p.start, end, p.pgoff);
    return prev;
  }
  if (next >= 0) {
    const Vma& n = k.vmas[static_cast<std::size_t>(next)];
    vma_adjust(k, static_cast<std::uint32_t>(next), addr, n.end, n.pgoff - (end - addr) / kPageSize);
    return next;
  }
  return -1;
}

// mm/mremap.c v3.9: move_ptes (need_rmap_locks: the anon_vma for write; the old ptl,
// then the new one nested when it differs: never in the pre-4.19 model's one ptl per mm);
// with eb66ae030829 (v4.20, as in 4.19.y's mremap.c) flush_tlb_range of the moved range
// before the ptls are dropped when a present pte moved. v2.6.33's: no anon_vma lock, and
// each present pte cleared by ptep_clear_flush, its TLB entry flushed at once, under the ptl
void move_ptes(Kernel& k, std::uint32_t vma, std::uint64_t old_addr, std::uint64_t old_end, std::uint32_t new_vma,
               std::uint64_t new_addr, bool need_rmap_locks,
               std::vector<std::pair<std::uint64_t, PageId>>& writable_moved) {
  checker::Frame frame("move_ptes");
  const std::uint64_t old_start = old_addr, new_start = new_addr;
  const std::size_t flushed_before = writable_moved.size();
  const Vma& v = k.vmas.at(vma);
  const std::uint32_t mm = v.mm;
  MmStruct& m = k.mms.at(mm);
  const bool v2_6_33 = k.config.era == Era::V2_6_33;
  checker::RwSem* anon_vma = nullptr;
  if (need_rmap_locks && v.has_anon_vma()) {
    anon_vma = &*k.anon_vmas.at(k.anon_vmas.at(v.anon_vma).root).lock;
    anon_vma->down_write("move_ptes");  // anon_vma_lock_write
  }
  checker::Spinlock& old_ptl = k.pte_lockptr(mm, old_addr);
  old_ptl.lock("move_ptes");  // pte_offset_map_lock
  k.kasan_page_table(m, "move_ptes");
  checker::Spinlock& new_ptl = k.pte_lockptr(k.vmas.at(new_vma).mm, new_addr);
  if (&new_ptl != &old_ptl) new_ptl.lock("move_ptes");  // spin_lock_nested(SINGLE_DEPTH_NESTING)
  for (; old_addr < old_end; old_addr += kPageSize, new_addr += kPageSize) {
    PteSlot* from = k.pte_slot(mm, old_addr);
    if (!from || from->pte.is_none()) continue;  // pte_none(*old_pte), read under the ptl
    const Pte pte = k.ptep_modify(mm, *from, [](const Pte&) { return Pte::none(); }, "move_ptes");  // ptep_get_and_clear
    if (v2_6_33 && pte.is_present()) flush_tlb_page(k, mm, old_addr, pte.page, "ptep_clear_flush");
    else if (pte.is_present() && pte.write) writable_moved.emplace_back(old_addr, pte.page);  // flushed below
    k.set_pte(mm, *k.pte_slot(mm, new_addr), pte, "move_ptes");  // move_pte (nothing on x86), set_pte_at
  }
  if (v2_6_33) {
    move_user_data(k, mm, old_start, old_end, new_start);  // every translation flushed at its clear
  } else if (k.config.applied(Fix::MremapTlbFlush)) {
    // eb66ae030829: if (force_flush) flush_tlb_range(vma, old_end - len, old_end), under both ptls
    for (std::size_t i = flushed_before; i < writable_moved.size(); ++i)
      flush_tlb_page(k, mm, writable_moved[i].first, writable_moved[i].second, "move_ptes: flush_tlb_range");
    writable_moved.resize(flushed_before);
    move_user_data(k, mm, old_start, old_end, new_start);
  }
  if (&new_ptl != &old_ptl) new_ptl.unlock("move_ptes");
  old_ptl.unlock("move_ptes");  // pte_unmap_unlock
  if (anon_vma) anon_vma->up_write("move_ptes");  // anon_vma_unlock_write
}

// mm/mremap.c v3.9: move_page_tables (extents up to the next pmd boundary of either
// side and LATENCY_LIMIT; get_old_pmd's none pmd is skipped; the new pmd is a table:
// mremap_reserve populated it; no huge pmd in 3.9 scenarios; no mmu notifier)
std::uint64_t move_page_tables(Kernel& k, std::uint32_t vma, std::uint64_t old_addr, std::uint32_t new_vma,
                               std::uint64_t new_addr, std::uint64_t len, bool need_rmap_locks) {
  checker::Frame frame("move_page_tables");
  const std::uint32_t mm = k.vmas.at(vma).mm;
  const std::uint64_t old_end = old_addr + len;
  std::uint64_t extent = 0;
  std::vector<std::pair<std::uint64_t, PageId>> writable_moved;
  for (; old_addr < old_end; old_addr += extent, new_addr += extent) {
    extent = std::min((old_addr + kPmdSize) / kPmdSize * kPmdSize - old_addr, old_end - old_addr);
    const PmdSlot* old_pmd = k.pmd_slot(mm, old_addr);  // get_old_pmd
    if (!old_pmd || old_pmd->pmd.is_none()) continue;
    extent = std::min({extent, (new_addr + kPmdSize) / kPmdSize * kPmdSize - new_addr, kLatencyLimit});
    move_ptes(k, vma, old_addr, old_addr + extent, new_vma, new_addr, need_rmap_locks, writable_moved);
  }
  // v3.9 (eb66ae030829 reverted): flush_tlb_range(vma, old_end - len, old_addr) once every ptl
  // is dropped: until then a CPU may still store through its cached translation of an old pte
  // into a page the new pte maps, which migration or reclaim may have unmapped there meanwhile.
  if (k.config.era != Era::V2_6_33 && !k.config.applied(Fix::MremapTlbFlush)) {
    for (const auto& [addr, page] : writable_moved) flush_tlb_page(k, mm, addr, page, "flush_tlb_range");
    move_user_data(k, mm, old_end - len, old_end, new_addr - len);
  }
  return len;
}

// mm/mremap.c v3.9: move_vma (ksm_madvise(MADV_UNMERGEABLE) on the old range, leaving
// vma->vm_flags as it was; copy_vma; move_page_tables; do_munmap of the old range;
// accounting and the VM_ACCOUNT dance are not modelled)
long move_vma(Kernel& k, std::uint32_t vma, std::uint64_t old_addr, std::uint64_t old_len, std::uint64_t new_addr,
              std::uint32_t new_slot) {
  checker::Frame frame("move_vma");
  const std::uint32_t mm = k.vmas.at(vma).mm;
  // mm/ksm.c v3.9: ksm_madvise(MADV_UNMERGEABLE) into a local copy of vm_flags
  if (k.vmas.at(vma).flags & VM_MERGEABLE) {
    if (k.vmas.at(vma).has_anon_vma()) {
      const int err = unmerge_ksm_pages(k, vma, old_addr, old_addr + old_len);
      if (err) return err;
    }
  }
  const std::uint64_t new_pgoff = k.vmas.at(vma).linear_page_index(old_addr);
  bool need_rmap_locks = false;
  const std::uint32_t new_vma = copy_vma(k, vma, new_slot, new_pgoff, need_rmap_locks);
  move_page_tables(k, vma, old_addr, new_vma, new_addr, old_len, need_rmap_locks);
  // (moved_len < old_len: the page tables never fail to allocate in the model)
  if (k.config.era == Era::V2_6_33) v2_6_33::do_munmap(k, mm, old_addr);
  else do_munmap(k, mm, old_addr);
  return static_cast<long>(new_addr);
}

}  // namespace

// mm/mmap.c v3.9 and v4.19 (the same logic): copy_vma (the vma has an anon_vma, so pgoff
// is kept: no merge with itself). vma_merge into a neighbour: need_rmap_locks when the neighbour's vm_pgoff
// puts it before the old vma in the rmap walk; else a new vma, behind the old one:
// need_rmap_locks false.
std::uint32_t copy_vma(Kernel& k, std::uint32_t vma, std::uint32_t new_vma, std::uint64_t pgoff,
                       bool& need_rmap_locks) {
  checker::Frame frame("copy_vma");
  const Vma& v = k.vmas.at(vma);
  const std::uint64_t addr = k.vmas.at(new_vma).start, end = k.vmas.at(new_vma).end;
  if (const int merged = vma_merge(k, vma, addr, end); merged >= 0) {
    // (v2.6.33 has no need_rmap_locks: its move_ptes never takes the anon_vma lock)
    need_rmap_locks = k.config.era != Era::V2_6_33 && k.vmas[static_cast<std::size_t>(merged)].pgoff <= v.pgoff;
    checker::note([&] {
      return std::string("copy_vma: merged into the vma at " + k.where(v.mm, k.vmas[static_cast<std::size_t>(merged)].start) +
                         (k.config.era == Era::V2_6_33 ? std::string()
                                                       : std::string(", need_rmap_locks ") + (need_rmap_locks ? "true" : "false")));
    });
    return static_cast<std::uint32_t>(merged);
  }
  Vma& n = k.vmas.at(new_vma);  // kmem_cache_alloc; *new_vma = *vma
  n.flags = v.flags;
  n.anon_vma = v.anon_vma;
  n.madv_unmerged = v.madv_unmerged;
  n.pgoff = pgoff;  // vm_start, vm_end: the new range, set by mremap_reserve
  anon_vma_clone(k, new_vma, vma);
  vma_link(k, v.mm, new_vma);
  checker::note([&] {
    return std::string("copy_vma: vma " + k.where(n.mm, n.start) + " (vm_pgoff " + std::to_string(n.pgoff) +
                       ") linked");
  });
  need_rmap_locks = false;
  return new_vma;
}

std::string mremap_input_error(const Kernel& k, std::uint32_t mm, std::uint64_t old_addr, std::uint64_t new_addr,
                               bool& bad_new) {
  bad_new = false;
  const MmStruct& m = k.mms.at(mm);
  const int v = k.find_vma(mm, old_addr);
  if (v < 0 || k.vmas[static_cast<std::size_t>(v)].start != old_addr)
    return "no vma of mm " + m.name + " starts at this address (the model moves one whole vma)";
  const Vma& old = k.vmas[static_cast<std::size_t>(v)];
  if (!old.has_anon_vma())
    return "the vma at " + k.where(mm, old_addr) +
           " has no anon_vma: copy_vma's vm_pgoff reset (and its merge with itself) is not modelled";
  bad_new = true;
  const std::uint64_t len = old.end - old.start;
  if (new_addr + len > kTaskSize) return "the new range ends above the end of user space";
  if (new_addr < old.end && old.start < new_addr + len) return "the new range overlaps the old one (mremap_to: -EINVAL)";
  for (std::uint32_t i : m.vmas) {
    const Vma& o = k.vmas[i];
    if (o.start < new_addr + len && new_addr < o.end)
      return "the new range is not free: it overlaps the vma " + k.where(mm, o.start) +
             " (mremap_to's do_munmap of the target is not modelled)";
  }
  if (merge_candidate(k, mm, old, new_addr, new_addr + len, Side::Prev) >= 0 &&
      merge_candidate(k, mm, old, new_addr, new_addr + len, Side::Next) >= 0)
    return "both neighbours of the new range would merge with the moved vma (vma_merge's case 1, which removes "
           "the next vma, is not modelled)";
  for (const auto& [addr, slot] : m.ptes)
    if (addr >= new_addr && addr < new_addr + len)
      return "a pte slot exists at " + k.where(mm, addr) + " in the new range (another mremap's target?)";
  if (k.config.era == Era::V4_19) return v4_19::mremap_input_error(k, mm, old, new_addr);
  for (auto it = m.pmds.lower_bound(new_addr / kPmdSize * kPmdSize); it != m.pmds.end() && it->first < new_addr + len;
       ++it)
    if (!it->second.pmd.is_table()) return "the pmd over " + k.where(mm, it->first) + " is not a table of ptes";
  return "";
}

std::uint32_t mremap_reserve(Kernel& k, std::uint32_t mm, std::uint64_t old_addr, std::uint64_t new_addr) {
  const Vma old = k.vmas.at(static_cast<std::size_t>(k.find_vma(mm, old_addr)));
  Vma n;  // detached: in no mm->mmap and no anon_vma until copy_vma
  n.mm = mm;
  n.start = new_addr;
  n.end = new_addr + (old.end - old.start);
  n.pgoff = n.start / kPageSize;
  const std::uint32_t index = static_cast<std::uint32_t>(k.vmas.size());
  k.vmas.push_back(n);
  std::vector<std::uint64_t> olds;
  for (const auto& [addr, slot] : k.mms[mm].ptes)
    if (addr >= old.start && addr < old.end) olds.push_back(addr);
  for (std::uint64_t addr : olds) {
    const std::uint64_t to = new_addr + (addr - old.start);
    (void)pte_table_error(k, mm, to);  // the table alloc_new_pmd / __pte_alloc would populate
    PteSlot slot;
    slot.address = to;
    k.mms[mm].ptes.emplace(to, slot);
  }
  // 4.19: a none pmd at the new place of each huge pmd or pmd migration entry (alloc_new_pmd;
  // move_huge_pmd's set_pmd_at fills it)
  std::vector<std::uint64_t> huge;
  for (const auto& [base, slot] : k.mms[mm].pmds)
    if (base >= old.start && base < old.end && !slot.pmd.is_none() && !slot.pmd.is_table()) huge.push_back(base);
  for (std::uint64_t base : huge) {
    PmdSlot slot;
    slot.address = new_addr + (base - old.start);
    slot.pmd = Pmd::none();
    k.mms[mm].pmds.emplace(slot.address, std::move(slot));
  }
  return index;
}

// mm/mremap.c v3.9 and v4.19: sys_mremap (down_write(mmap_sem); 4.19's down_write_killable) ->
// mremap_to (MREMAP_FIXED: do_munmap of the target, vma_to_resize) -> move_vma, the era's
long sys_mremap(Kernel& k, std::uint32_t mm, std::uint64_t old_addr, std::uint64_t new_addr, std::uint32_t new_vma) {
  MmStruct& m = k.mms.at(mm);
  const std::uint64_t len = k.vmas.at(new_vma).end - k.vmas.at(new_vma).start;
  m.mmap_sem->down_write("sys_mremap");
  const bool v4_19 = k.config.era == Era::V4_19;
  // mremap_to: the target is free (checked at input): nothing to unmap
  if (v4_19) v4_19::do_munmap(k, mm, new_addr);
  else if (k.config.era == Era::V2_6_33) v2_6_33::do_munmap(k, mm, new_addr);
  else do_munmap(k, mm, new_addr);
  long ret;
  const int v = k.find_vma(mm, old_addr);  // vma_to_resize
  if (v < 0 || k.vmas[static_cast<std::size_t>(v)].start != old_addr ||
      k.vmas[static_cast<std::size_t>(v)].end - old_addr != len) {
    checker::note([&] { return std::string("mremap: no vma at " + k.where(mm, old_addr) + ": -EFAULT"); });
    ret = -kEFAULT;
  } else {
    ret = v4_19 ? v4_19::move_vma(k, static_cast<std::uint32_t>(v), old_addr, len, new_addr, new_vma)
                : move_vma(k, static_cast<std::uint32_t>(v), old_addr, len, new_addr, new_vma);
  }
  m.mmap_sem->up_write("sys_mremap");
  return ret;
}

}  // namespace model
