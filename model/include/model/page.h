// page.h: struct page as the model keeps it.
//
// The page lock is a checker::BitLock (a sleeping lock with waiters). Every
// other field lives behind one checker object, `obj` (named after the page,
// "K"): an announcement on it covers the whole struct page. Its children
// split it by field for partial-order reduction: `count_obj` ("K._count":
// refcount), `mapcount_obj` ("K._mapcount": mapcount) and `flags_obj`
// ("K.flags": flags, mapping, index, private, content). A step announced on a
// child reads and writes that field only; a step on `obj` conflicts with every
// child's, the children are independent of each other (checker families).
// Two exceptions, both kept by Kernel (kernel.h): PG_lru counts as part of
// page_count (isolate_lru_page and the other steps that read it are on `obj`;
// putback_lru_page's SetPageLRU rides on its put), and a put_page on
// `count_obj` that frees the page also resets flags and mapping, which only
// steps on `obj` (the ones that hold no reference) can observe.
// The zero page and the huge zero page (reserved) are outside these rules: ptes
// and pmds map them without a mapcount or a reference each (pte_special,
// set_huge_zero_page).
// Invariants: refcount == 0 iff the page is free or freed (then mapping is
// None and mapcount is 0), or frozen by page_freeze_refs for a few steps
// (reclaim's __remove_mapping, migrate_page_move_mapping of a swap-cache
// page: get_page_unless_zero fails meanwhile); a page with Mapping::Kind::Ksm is PageKsm and
// PageAnon; mapcount counts the present ptes that map the page (for a THP
// head: the huge pmds mapping it, compound_mapcount).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <checker/checker.h>

#include "model/pte.h"

namespace model {

/// page->mapping: nothing, an anon_vma (PageAnon), or a KSM stable node
/// (PageAnon|PageKsm; node may be kNone after set_page_stable_node(page, NULL)).
struct Mapping {
  enum class Kind : std::uint8_t { None, Anon, Ksm };
  static constexpr std::uint32_t kNone = 0xffffffffu;
  Kind kind = Kind::None;
  std::uint32_t id = kNone;  ///< Anon: AnonVma index; Ksm: StableNode index or kNone

  friend bool operator==(const Mapping&, const Mapping&) = default;
};

/// Page flags the model keeps (PG_locked is the BitLock itself; PageAnon and
/// PageKsm derive from mapping as in the kernel).
enum PageFlag : std::uint32_t {
  PG_uptodate = 1u << 0,
  PG_lru = 1u << 1,
  PG_swapcache = 1u << 2,
  PG_dirty = 1u << 3,
  /// v3.9 swap-out: set by swap_writepage, cleared by end_page_writeback (without the page lock).
  PG_writeback = 1u << 4,
};

struct Page {
  std::string name;          ///< scenario name, e.g. "K"
  std::uint32_t pfn = 0;     ///< page frame number: a page's pfns follow the previous page's (head pfn + index)
  /// 1, or (4.19) a compound page's number of subpages (the model's HPAGE_PMD_NR
  /// for this THP: a huge pmd of it maps only the first nr_pages of its 2 MiB).
  std::uint32_t nr_pages = 1;
  int nid = 0;               ///< NUMA node
  int refcount = 0;          ///< page_count(): references (each mapping pte holds one)
  int mapcount = 0;          ///< page_mapcount(): ptes mapping the page
  /// get_user_pages references (counted in refcount): declared ones, held for the whole run, and
  /// (ghost) the one a get_user_pages thread holds from its pin to its put_page (model/src/gup.cpp)
  int pins = 0;
  std::uint32_t flags = 0;   ///< PageFlag bits
  Mapping mapping;           ///< page->mapping
  std::uint64_t index = 0;   ///< page->index (linear index for anon pages)
  std::uint32_t swap_entry = 0;  ///< page_private() when PG_swapcache
  bool in_free_pool = false; ///< preallocated free page not yet handed out
  /// Free at load, and named by a thread that finds pages on the LRU (reclaim, migrate_pages):
  /// the step that puts it on the LRU once a thread has allocated it (Kernel::lru_cache_add)
  /// is announced on `obj`, so the search orders that thread's isolate_lru_page against it.
  /// Other free pages join the LRU inside their allocator's step, unseen until a pte maps them.
  bool watched = false;
  bool freed = false;        ///< refcount reached zero during the run
  std::uint32_t content = 0; ///< ghost: data token, copied by COW and migration
  bool garbage = false;     ///< ghost: content copied from a !PageUptodate page (a failed swap read)
  /// PG_reserved: the zero page (Kernel::zero_page). vm_normal_page() returns NULL for a pte
  /// mapping it, so no mapcount, rmap or mapping reference is kept for it, and its count
  /// (references taken by follow_page only) never reaches zero. 4.19's huge zero page
  /// (Kernel::huge_zero_page) keeps the same rules: a huge pmd maps it without a
  /// compound_mapcount or a reference (set_huge_zero_page), only pins count.
  bool reserved = false;
  /// 2.6.33 memory hot-remove: the page's section was offlined (offline_isolated_pages);
  /// the struct page no longer exists and any access is a use-after-free (Kernel::kasan_page).
  bool offlined = false;
  /// Ghost (v2.6.33 unmap_and_move): the page's anon_vma was already freed when the migration
  /// took rcu_read_lock, so SLAB_DESTROY_BY_RCU does not keep it an anon_vma for its later
  /// rmap walk (remove_migration_ptes): that walk is a use-after-free. Cleared at unlock_page.
  bool anon_vma_freed_before_rcu = false;
  std::string offlined_at;   ///< "offline_pages by H": who offlined it, for the KASAN report

  checker::ObjectId obj = checker::kNoObject;  ///< the whole struct page ("K")
  checker::ObjectId count_obj = checker::kNoObject;     ///< child: refcount ("K._count")
  checker::ObjectId mapcount_obj = checker::kNoObject;  ///< child: mapcount ("K._mapcount")
  checker::ObjectId flags_obj = checker::kNoObject;     ///< child: flags, mapping, index, private ("K.flags")
  std::optional<checker::BitLock> lock;        ///< PG_locked with its waiters ("K.lock")
  /// child "K.data": the page's data (content), only when a scenario stores (Kernel::user_data.track)
  checker::ObjectId data_obj = checker::kNoObject;

  bool PageAnon() const { return mapping.kind != Mapping::Kind::None; }
  bool PageKsm() const { return mapping.kind == Mapping::Kind::Ksm; }
  bool PageLocked() const { return lock && lock->locked(); }
  bool page_mapped() const { return mapcount > 0; }
  bool test(PageFlag f) const { return (flags & f) != 0; }
  bool PageTransHuge() const { return nr_pages > 1; }
};

}  // namespace model
