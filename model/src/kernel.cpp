// kernel.cpp: building a Kernel's checker objects, and the small state
// changes every kernel path uses (pte writes, page references, allocation).
// Invariant: create_objects() creates objects in one fixed order: global KSM
// objects, the per-node page allocators, pages, anon_vmas, stable nodes, then per mm its
// mmap_sem, ptl and pte slots in address order, and last the swap state
// ("swapper_space", seed 003), then the per-field children of every page
// (Page::count_obj, mapcount_obj, flags_obj), then the 4.19 pmd-level and HMM objects,
// then (v3.9 exit scenarios only) each mm's "A.mm_users", then (scenarios with a
// user store only) each page's "K.data", then the swapper_space halves, then
// (get_user_pages_fast scenarios only) each walked mm's "A.irqs_off".
#include "model/kernel.h"

#include <cstdio>
#include <stdexcept>

namespace model {

namespace {

/// The per-field children's names of each page (PageFieldNames).
std::vector<std::array<std::string, 3>> field_names(const std::vector<Page>& pages) {
  std::vector<std::array<std::string, 3>> out;
  out.reserve(pages.size());
  for (const Page& p : pages) out.push_back({p.name + "._count", p.name + "._mapcount", p.name + ".flags"});
  return out;
}

}  // namespace

void Kernel::create_objects() {
  ksm.ksm_thread_mutex.emplace("ksm_thread_mutex");
  // ksmd_should_run reads ksm_run and, locklessly, whether the mm_slot list that
  // ksm_mmlist_lock guards is empty: both are children of its object (KsmState::should_run_obj).
  ksm.should_run_obj = checker::new_object("ksmd_should_run");
  ksm.run_obj = checker::new_object("ksm_run", ksm.should_run_obj);
  ksm.ksm_mmlist_lock.emplace("ksm_mmlist_lock", ksm.should_run_obj);
  ksm.tree_obj = checker::new_object("root_stable_tree");
  pool_objs.clear();
  for (int nid = 0; nid < ksm.nr_node_ids; ++nid)
    pool_objs.push_back(checker::new_object("free_pages[" + std::to_string(nid) + "]"));
  for (Page& p : pages) {
    p.obj = checker::new_object(p.name);
    p.lock.emplace(p.name + ".lock");
  }
  for (AnonVma& av : anon_vmas) av.lock.emplace(av.name);
  for (StableNode& s : stable_nodes) s.obj = checker::new_object(s.name);
  for (MmStruct& mm : mms) {
    mm.mmap_sem.emplace(mm.name + ".mmap_sem");
    mm.ptl.emplace(mm.name + ".ptl");
    for (auto& [addr, slot] : mm.ptes) {
      char buf[32];
      std::snprintf(buf, sizeof buf, ".pte[0x%llx]", static_cast<unsigned long long>(addr));
      slot.obj = checker::new_object(mm.name + buf);
    }
  }
  // Created last, so the ids of the objects above do not depend on it.
  swap.obj = checker::new_object("swapper_space");
  // The per-field children, after every other object (appended: the ids of
  // the objects before them do not change).
  std::call_once(page_field_names->once, [this] { page_field_names->names = field_names(pages); });
  // A Kernel given more pages after its template's first execution (never in a
  // scenario: pages are not created during a run) builds its own names.
  std::vector<std::array<std::string, 3>> own;
  const std::vector<std::array<std::string, 3>>* names = &page_field_names->names;
  if (names->size() != pages.size()) names = &(own = field_names(pages));
  for (std::size_t i = 0; i < pages.size(); ++i) {
    Page& p = pages[i];
    p.count_obj = checker::new_object((*names)[i][0], p.obj);
    p.mapcount_obj = checker::new_object((*names)[i][1], p.obj);
    p.flags_obj = checker::new_object((*names)[i][2], p.obj);
  }
  init_swap_map(*this);
  // 2.6.33 memory sections, after everything else (no ids above move).
  for (MemorySection& sec : sections) sec.obj = checker::new_object("section " + sec.name);
  create_pmd_objects();
  // v3.9 exit scenarios: mm_users as an object, after every other one.
  if (track_mm_users)
    for (MmStruct& mm : mms) mm.users_obj = checker::new_object(mm.name + ".mm_users");
  // 4.19 zaps beside KSM: each mm's tlb_flush_pending, after every other one.
  if (track_tlb_flush_pending)
    for (MmStruct& mm : mms) mm.tlb_flush_pending_obj = checker::new_object(mm.name + ".tlb_flush_pending");
  // Scenarios with a user store: each page's data, after every other object.
  if (user_data.track && user_data.one_object) {
    const checker::ObjectId all = checker::new_object("user data");
    for (Page& p : pages) p.data_obj = all;
  } else if (user_data.track) {
    for (Page& p : pages) p.data_obj = checker::new_object(p.name + ".data", p.obj);
  }
  // swapper_space's two halves, last of all.
  swap.tree_obj = checker::new_object("swapper_space.page_tree", swap.obj);
  swap.map_obj = checker::new_object("swap_map", swap.obj);
  // get_user_pages_fast scenarios: each walked mm's irq-off section, after everything else.
  for (MmStruct& mm : mms)
    if (mm.gup_fast) mm.irqs_off.emplace(mm.name + ".irqs_off");
}

std::string Kernel::freed_by(const char* function) {
  const checker::ThreadId t = checker::current_thread();
  return std::string(function) + (t == checker::kNoThread ? "" : " by " + checker::thread_name(t));
}

void Kernel::kasan_stable_node(std::uint32_t node, const char* where) const {
  const StableNode& s = stable_nodes.at(node);
  if (s.freed)
    checker::fail(checker::FailureKind::Assertion, "KASAN: use-after-free of stable node " + s.name + " in " +
                                                       where + " (freed in " + s.freed_at + ")");
}

void Kernel::kasan_mm(std::uint32_t mm, const char* where) const {
  const MmStruct& m = mms.at(mm);
  if (!m.freed_at.empty())
    checker::fail(checker::FailureKind::Assertion, "KASAN: use-after-free of mm_struct " + m.name + " in " + where +
                                                       " (freed in " + m.freed_at + ")");
}

void Kernel::kasan_rmap_item(std::uint32_t item, const char* where) const {
  const RmapItem& r = rmap_items.at(item);
  if (r.freed)
    checker::fail(checker::FailureKind::Assertion, "KASAN: use-after-free of rmap_item " + r.name + " in " +
                                                       where + " (freed in " + r.freed_at + ")");
}

void Kernel::kasan_anon_vma(std::uint32_t av, const char* where) const {
  const AnonVma& a = anon_vmas.at(av);
  if (a.freed)
    checker::fail(checker::FailureKind::Assertion, "KASAN: use-after-free of anon_vma " + a.name + " in " +
                                                       where + " (freed in " + a.freed_at + ")");
}

void Kernel::kasan_page_table(const MmStruct& m, const char* where) const {
  if (!m.pgtables_freed_at.empty())
    checker::fail(checker::FailureKind::Assertion, "KASAN: use-after-free of the page table of " + m.name + " in " +
                                                       where + " (freed in " + m.pgtables_freed_at + ")");
}

void Kernel::kasan_page(PageId p, const char* where) const {
  const Page& page = pages.at(p);
  if (page.offlined)
    checker::fail(checker::FailureKind::Assertion, "KASAN: use-after-free of struct page " + page.name + " in " +
                                                       where + " (its memory section was offlined in " +
                                                       page.offlined_at + ")");
}

MemorySection* Kernel::section_of(PageId p) {
  for (MemorySection& sec : sections)
    if (sec.contains(p)) return &sec;
  return nullptr;
}

std::string Kernel::pte_str(const Pte& pte) const {
  return pte_string(pte, [this](PageId p) { return page_name(p); });
}

std::string Kernel::where(std::uint32_t mm, std::uint64_t addr) const {
  char buf[32];
  std::snprintf(buf, sizeof buf, ":0x%llx", static_cast<unsigned long long>(addr));
  return mms.at(mm).name + buf;
}

PteSlot* Kernel::pte_slot(std::uint32_t mm, std::uint64_t addr) {
  if (!mms.at(mm).pgtables_freed_at.empty())
    checker::fail(checker::FailureKind::Assertion, "KASAN: use-after-free of the page table of " + mms[mm].name +
                                                       " at " + where(mm, addr) + " (freed in " +
                                                       mms[mm].pgtables_freed_at + ")");
  auto& ptes = mms.at(mm).ptes;
  auto it = ptes.find(addr);
  return it == ptes.end() ? nullptr : &it->second;
}

int Kernel::find_vma(std::uint32_t mm, std::uint64_t addr) const {
  for (std::uint32_t v : mms.at(mm).vmas)
    if (vmas[v].start <= addr && addr < vmas[v].end) return static_cast<int>(v);
  return -1;
}

std::uint32_t Kernel::page_stable_node(PageId p) const {
  const Page& page = pages.at(p);
  return page.PageKsm() ? page.mapping.id : kNoNode;
}

void Kernel::set_pte(std::uint32_t mm, PteSlot& slot, const Pte& pte, const char* label,
                     checker::SourceLoc loc) {
  checker::announce(slot.obj, checker::AccessKind::Write, label, loc);
  // the step's object names the pte (A.pte[0x1000]); the note is the transition
  checker::note([&] { return std::string(pte_str(slot.pte) + " -> " + pte_str(pte)); });
  slot.pte = pte;
  mapped_ghost(mm, slot);
}

void Kernel::mapped_ghost(std::uint32_t mm, const PteSlot& slot) {
  // Only hmm_valid_pfn_mapped reads the record, over the declared HMM ranges (4.19 only): a
  // scenario without one keeps no record, so its pte writes cost no set insertion.
  if (!hmm_ranges.empty() && slot.pte.is_present())
    ever_mapped.insert({mm, slot.address, pages.at(slot.pte.page).pfn});
}

Pte Kernel::ptep_modify(std::uint32_t mm, PteSlot& slot, const std::function<Pte(const Pte&)>& update,
                        const char* label, checker::SourceLoc loc) {
  checker::announce(slot.obj, checker::AccessKind::Write, label, loc);
  const Pte old = slot.pte;
  slot.pte = update(old);
  mapped_ghost(mm, slot);
  checker::note([&] { return std::string(pte_str(old) + " -> " + pte_str(slot.pte)); });
  return old;
}

void Kernel::put_page_locked(PageId p) {
  Page& page = pages.at(p);
  if (page.refcount <= 0)
    checker::fail(checker::FailureKind::BugOn,
                  "VM_BUG_ON(page_count(page) == 0): put_page of free page " + page.name);
  --page.refcount;
  if (page.refcount > 0) checker::note([&] { return std::string("put_page(" + page.name + ") -> " + std::to_string(page.refcount)); });
  if (page.refcount == 0) {
    // free_pages_prepare(): an anon page's mapping is reset when it is freed.
    page.mapping = Mapping{};
    page.flags = 0;
    page.freed = true;
    checker::note([&] { return std::string(page.name + " freed"); });
  }
}

void Kernel::get_page(PageId p, const char* label, checker::SourceLoc loc) {
  touch_page(p, label, loc);
  get_page_locked(p);
  checker::note([&] { return std::string("get_page(" + pages[p].name + ") -> " + std::to_string(pages[p].refcount)); });
}

void Kernel::touch_page(PageId p, const char* label, checker::SourceLoc loc) {
  checker::announce(pages.at(p).obj, checker::AccessKind::ReadModifyWrite, label, loc);
  kasan_page(p, label);
}

void Kernel::put_page(PageId p, const char* label, checker::SourceLoc loc) {
  checker::announce(pages.at(p).obj, checker::AccessKind::ReadModifyWrite, label, loc);
  kasan_page(p, label);
  put_page_locked(p);
}

// include/linux/mm.h v3.9: get_page (VM_BUG_ON(atomic_read(&page->_count) <= 0)), a
// commuting update of page_count in the commutation groups `groups`
void Kernel::page_ref_inc(PageId p, std::uint8_t groups, const char* label, checker::SourceLoc loc) {
  Page& page = pages.at(p);
  checker::announce_update(page.count_obj, groups, label, loc);
  if (page.refcount <= 0)
    checker::fail(checker::FailureKind::BugOn,
                  "VM_BUG_ON(atomic_read(&page->_count) <= 0) in get_page(" + page.name + ")");
  ++page.refcount;
  checker::note([&] { return std::string("get_page(" + page.name + ") -> " + std::to_string(page.refcount)); });
}

// include/linux/mm.h v3.9: get_page
void Kernel::page_ref_get(PageId p, const char* label, checker::SourceLoc loc) {
  page_ref_inc(p, kRefGet, label, loc);
}

// include/linux/mm.h v3.9: get_page under the ptl of a pte that maps the page
void Kernel::page_ref_get_mapped(PageId p, const char* label, checker::SourceLoc loc) {
  page_ref_inc(p, kRefGet | kRefPut, label, loc);
}

// include/linux/mm.h v3.9: get_page by a thread that holds a reference of its own (remove_migration_pte)
void Kernel::page_ref_get_own(PageId p, const char* label, checker::SourceLoc loc) {
  const auto it = own_refs.find({checker::current_thread(), p});
  if (it == own_refs.end() || it->second <= 0) page_ref_get(p, label, loc);  // nothing to lean on
  else page_ref_get_mapped(p, label, loc);
}

void Kernel::page_ref_put_held(PageId p, const char* label, checker::SourceLoc loc) {
  Page& page = pages.at(p);
  checker::announce_update(page.count_obj, kRefGet | kRefPut, label, loc);
  if (page.refcount <= 1)
    throw std::logic_error(std::string("model error: ") + label + ": put_page of " + page.name +
                           " declared not to be the last reference, but page_count is " +
                           std::to_string(page.refcount));
  --page.refcount;
  checker::note([&] { return std::string("put_page(" + page.name + ") -> " + std::to_string(page.refcount)); });
}

// include/linux/mm.h v3.9: put_page (a commuting update of page_count, kernel.h)
void Kernel::page_ref_put(PageId p, const char* label, checker::SourceLoc loc) {
  Page& page = pages.at(p);
  checker::announce_update(page.count_obj, kRefPut, label, loc);
  put_page_locked(p);
}

// mm/vmscan.c v3.9: putback_lru_page's SetPageLRU (lru_cache_add, drained at once) and put_page
void Kernel::putback_put(PageId p, const char* label, checker::SourceLoc loc) {
  Page& page = pages.at(p);
  checker::announce_update(page.count_obj, kRefPut, label, loc);
  page.flags |= PG_lru;
  put_page_locked(p);
}

// mm/page_alloc.c v2.6.33, v3.9, v4.19: the last put_page of a page never published -> free_hot_cold_page
// (the freed page at the head of the per-cpu list, taken by the next allocation)
void Kernel::free_new_page(PageId p, const char* label, checker::SourceLoc loc) {
  Page& page = pages.at(p);
  checker::announce(pool_objs.at(static_cast<std::size_t>(page.nid)), checker::AccessKind::ReadModifyWrite, label,
                    loc);
  if (page.refcount != 1 || page.mapcount != 0 || page.in_free_pool)
    checker::fail(checker::FailureKind::Assertion,
                  "model error: free_new_page(" + page.name + ") of a page with refcount " +
                      std::to_string(page.refcount) + " and mapcount " + std::to_string(page.mapcount) +
                      " (only a new page its thread never published may go back to the pool)");
  page.refcount = 0;
  page.mapping = Mapping{};
  page.flags = 0;
  page.in_free_pool = true;
  free_pool.insert(free_pool.begin(), p);
  checker::note([&] { return page.name + " freed, back to the free pool"; });
}

// mm/swap.c v2.6.33, v3.9, v4.19: lru_cache_add (__lru_cache_add's pagevec drained at once: SetPageLRU)
void Kernel::lru_cache_add(PageId p, const char* label, checker::SourceLoc loc) {
  Page& page = pages.at(p);
  if (page.watched) {
    checker::announce(page.obj, checker::AccessKind::Write, label, loc);
    checker::note([&] { return page.name + " on the LRU"; });
  }
  page.flags |= PG_lru;
}

void Kernel::own_page_ref(PageId p) { ++own_refs[{checker::current_thread(), p}]; }

void Kernel::page_ref_put_own(PageId p, const char* label, checker::SourceLoc loc) {
  int& own = own_refs[{checker::current_thread(), p}];
  if (own <= 0)
    throw std::logic_error(std::string("model error: ") + label + ": put_page of a reference to " +
                           pages.at(p).name + " the thread does not own");
  --own;
  if (own >= 1) page_ref_put_held(p, label, loc);
  else page_ref_put(p, label, loc);
}

bool Kernel::get_page_unless_zero(PageId p, const char* label, checker::SourceLoc loc) {
  Page& page = pages.at(p);
  checker::announce_refinable(page.count_obj, checker::AccessKind::ReadModifyWrite, label, loc);
  if (page.refcount == 0) {
    checker::refine(checker::AccessKind::Read, loc);
    checker::note([&] { return std::string("get_page_unless_zero(" + page.name + ") failed"); });
    return false;
  }
  ++page.refcount;
  checker::refine_update(checker::kNoObject, kRefGet, loc);
  checker::note([&] { return std::string("get_page_unless_zero(" + page.name + ") -> " + std::to_string(page.refcount)); });
  return true;
}

int Kernel::page_count(PageId p, const char* label, checker::SourceLoc loc) {
  Page& page = pages.at(p);
  checker::announce(page.count_obj, checker::AccessKind::Read, label, loc);
  checker::note([&] { return std::string("page_count(" + page.name + ") = " + std::to_string(page.refcount)); });
  return page.refcount;
}

int Kernel::page_mapcount(PageId p, const char* label, checker::SourceLoc loc) {
  Page& page = pages.at(p);
  checker::announce(page.mapcount_obj, checker::AccessKind::Read, label, loc);
  checker::note([&] { return std::string("page_mapped(" + page.name + ") = " + std::to_string(page.mapcount)); });
  return page.mapcount;
}

void Kernel::page_mapcount_add(PageId p, int delta, const char* label, checker::SourceLoc loc) {
  Page& page = pages.at(p);
  checker::announce_update(page.mapcount_obj, kMapcount | kRefGet, label, loc);
  if (page.mapcount + delta < 0)
    checker::fail(checker::FailureKind::BugOn, "page_remove_rmap: mapcount of " + page.name + " below zero");
  page.mapcount += delta;
  checker::note([&] { return std::string(page.name + " mapcount -> " + std::to_string(page.mapcount)); });
}

void Kernel::page_flags_write(PageId p, const char* label, checker::SourceLoc loc) {
  checker::announce(pages.at(p).flags_obj, checker::AccessKind::Write, label, loc);
}

std::string Kernel::fingerprint() const {
  std::string f;
  auto add = [&f](const auto&... xs) { ((f += std::to_string(xs), f += ','), ...); };
  for (const Page& p : pages) {
    f += p.name + ":";
    add(p.refcount, p.mapcount, p.flags, static_cast<int>(p.mapping.kind), p.mapping.id, p.index,
        p.swap_entry, p.in_free_pool, p.freed, p.content, p.garbage,
        p.lock ? p.lock->holder() : checker::kNoThread);
    f += ' ';
  }
  for (const MmStruct& m : mms) {
    f += m.name + ":";
    add(m.mm_users, m.mmf_vm_mergeable, m.pgtables_freed_at.empty(), m.irqs_off ? m.irqs_off->readers() : 0u,
        m.tlb_flush_pending);
    for (const auto& [addr, slot] : m.ptes) f += pte_str(slot.pte) + ",";
    f += ' ';
  }
  for (const Vma& v : vmas) add(v.flags, v.anon_vma, v.madv_unmerged);
  for (const AnonVma& av : anon_vmas) {
    add(av.refcount, av.freed);
    for (std::uint32_t v : av.vmas) add(v);
  }
  f += "| ";
  for (const StableNode& s : stable_nodes) {
    add(s.kpfn, s.nid, s.tree, s.freed);
    for (std::uint32_t r : s.hlist) add(r);
    f += ';';
  }
  for (const RmapItem& r : rmap_items) add(r.mm, r.address, r.anon_vma, r.stable, r.unstable, r.head, r.freed);
  f += "| ";
  add(ksm.ksm_run, ksm.merge_across_nodes, ksm.scan_cursor, ksm.pages_shared, ksm.pages_sharing,
      ksm.run2_succeeded);
  for (const auto& t : ksm.root_stable_tree) {
    for (std::uint32_t n : t) add(n);
    f += ';';
  }
  for (std::uint32_t n : ksm.migrate_nodes) add(n);
  for (std::uint32_t mm : mmlist) add(mm);
  for (const MmSlot& s : ksm.mm_slots) {
    add(s.mm);
    for (std::uint32_t r : s.rmap_list) add(r);
    f += ';';
  }
  f += "| ";
  for (const auto& [slot, count] : swap.swap_map) add(slot, count);
  for (const auto& [slot, page] : swap.cache) add(slot, page);
  for (const auto& [reclaimer, page] : swap.bios) add(reclaimer, page);
  add(swap.writeok, swap.swapoff_succeeded, swap.address_space_freed);
  for (PageId p : free_pool) add(p);
  return f;
}

PageId Kernel::alloc_page(int nid, const char* label, checker::SourceLoc loc) { return alloc_pages(nid, 1, label, loc); }

PageId Kernel::alloc_pages(int nid, std::uint32_t nr_pages, const char* label, checker::SourceLoc loc) {
  checker::announce(pool_objs.at(static_cast<std::size_t>(nid)), checker::AccessKind::ReadModifyWrite, label, loc);
  for (std::size_t i = 0; i < free_pool.size(); ++i) {
    PageId p = free_pool[i];
    if (pages[p].nid != nid || (nr_pages ? pages[p].nr_pages != nr_pages : pages[p].nr_pages == 1)) continue;
    // 2.6.33: an isolated (or offlining) section's free pages are not handed out.
    if (const MemorySection* sec = section_of(p); sec && sec->state != MemorySection::State::Online) continue;
    free_pool.erase(free_pool.begin() + static_cast<std::ptrdiff_t>(i));
    Page& page = pages[p];
    page.in_free_pool = false;
    page.refcount = 1;
    page.flags = 0;
    page.mapping = Mapping{};
    checker::note([&] { return std::string("alloc " + page.name); });
    return p;
  }
  checker::note(nr_pages != 1 ? "no free page of this size" : "no free page");
  outcomes.record(Outcome::NoFreePage);  // ghost: `run` says which OOM runs were the model's short pool
  return kNoPage;
}

}  // namespace model
