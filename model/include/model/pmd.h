// pmd.h: the pmd level of the page tables: what a pmd entry can hold, how
// x86-64 v4.19's predicates (arch/x86/include/asm/pgtable.h, pgtable_64.h,
// include/linux/swapops.h) read each value, and one pmd slot of an mm.
//
// A pmd maps one 2 MiB-aligned range (PMD_SIZE). It is none, a table of ptes
// (the mm's pte slots in that range, under the table's own ptl), a huge
// mapping of a compound page (pmd_trans_huge), a pmd migration entry (a
// swap-format value set_pmd_migration_entry installs while the THP migrates,
// v4.14+), or transiently invalidated (pmdp_invalidate: _PAGE_PRESENT cleared,
// _PAGE_PSE kept, so x86 still calls it present and trans_huge).
// Invariants: `page` is meaningful for Huge, Invalidated and Migration only and
// is then a compound head; `dirty` (_PAGE_DIRTY) only for Huge and Invalidated
// (a migration entry keeps none); a slot's value changes only under the mm's
// pmd lock (set_pmd), while readers may look at it locklessly (each look is a
// step). The dirty bit is the kernel's software view: the model's CPU does not
// set it on a store through a writable pmd (every writable pmd the model makes
// is born dirty but remove_migration_pmd's), and only can_follow_write_pmd reads
// it, for a FOLL_COW pin in a vma without VM_WRITE, where no pmd is writable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <checker/checker.h>

#include "model/pte.h"

namespace model {

inline constexpr std::uint64_t kPmdSize = 0x200000;  ///< PMD_SIZE (x86-64)
inline constexpr std::uint64_t pmd_base(std::uint64_t addr) { return addr & ~(kPmdSize - 1); }
/// pte_index(addr): the page's index inside its pmd's 2 MiB.
inline constexpr std::uint64_t pte_index(std::uint64_t addr) { return (addr & (kPmdSize - 1)) / 0x1000; }

struct Pmd {
  enum class Kind : std::uint8_t { None, Table, Huge, Migration, Invalidated };
  Kind kind = Kind::Table;
  PageId page = kNoPage;  ///< Huge / Invalidated / Migration: the compound head page
  bool write = false;     ///< pmd_write; Migration: is_write_migration_entry
  bool dirty = false;     ///< Huge / Invalidated: pmd_dirty (_PAGE_DIRTY)

  static Pmd none() { return {Kind::None, kNoPage, false, false}; }
  static Pmd table() { return {Kind::Table, kNoPage, false, false}; }
  static Pmd huge(PageId p, bool w, bool dirty) { return {Kind::Huge, p, w, dirty}; }
  static Pmd migration(PageId p, bool w) { return {Kind::Migration, p, w, false}; }
  static Pmd invalidated(PageId p, bool w, bool dirty) { return {Kind::Invalidated, p, w, dirty}; }

  bool is_none() const { return kind == Kind::None; }
  bool is_table() const { return kind == Kind::Table; }

  friend bool operator==(const Pmd&, const Pmd&) = default;  ///< pmd_same()
};

/// How the pre-d08faca018c4 walker's predicates see a pmd migration entry: the
/// swap-format bits decide pmd_devmap. "pmd_bad" (the commit message; the
/// v4.14-4.18 layout, offset in bits 14-63): pmd_devmap false, so only pmd_bad
/// catches it. "pmd_devmap" (x86-64 v4.19 with the L1TF inverted offset in bits
/// 9-58): bit 58 (_PAGE_DEVMAP) is set for any realistic pfn.
enum class MigrationPmdLayout : std::uint8_t { PmdBad, PmdDevmap };

// ---- x86-64 v4.19 predicates on the values above ----
// arch/x86/include/asm/pgtable.h v4.19: pmd_none
inline bool pmd_none(const Pmd& p) { return p.kind == Pmd::Kind::None; }
// arch/x86/include/asm/pgtable.h v4.19: pmd_present (_PAGE_PRESENT | _PAGE_PROTNONE | _PAGE_PSE)
inline bool pmd_present(const Pmd& p) { return p.kind != Pmd::Kind::None && p.kind != Pmd::Kind::Migration; }
// arch/x86/include/asm/pgtable.h v4.19: pmd_devmap (_PAGE_DEVMAP, bit 58)
inline bool pmd_devmap(const Pmd& p, MigrationPmdLayout l) {
  return p.kind == Pmd::Kind::Migration && l == MigrationPmdLayout::PmdDevmap;
}
// arch/x86/include/asm/pgtable.h v4.19: pmd_trans_huge ((val & (_PAGE_PSE|_PAGE_DEVMAP)) == _PAGE_PSE)
inline bool pmd_trans_huge(const Pmd& p) { return p.kind == Pmd::Kind::Huge || p.kind == Pmd::Kind::Invalidated; }
// arch/x86/include/asm/pgtable.h v4.19: pmd_bad (flags other than _PAGE_USER differ from
// _KERNPG_TABLE): every pmd but a table, a none pmd (all flags clear) too
inline bool pmd_bad(const Pmd& p) { return p.kind != Pmd::Kind::Table; }
// arch/x86/mm/hugetlbpage.c v4.19: pmd_huge (!none and not exactly _PAGE_PRESENT without PSE)
inline bool pmd_huge(const Pmd& p) { return p.kind != Pmd::Kind::None && p.kind != Pmd::Kind::Table; }
// include/linux/swapops.h v4.19: is_pmd_migration_entry (!pmd_present && is_migration_entry)
inline bool is_pmd_migration_entry(const Pmd& p) { return p.kind == Pmd::Kind::Migration; }
// include/linux/swapops.h v4.19: is_swap_pmd (!pmd_none && !pmd_present)
inline bool is_swap_pmd(const Pmd& p) { return !pmd_none(p) && !pmd_present(p); }
// arch/x86/include/asm/pgtable.h v4.19: pmd_write (_PAGE_RW; bit 1 of a swap pmd is
// _PAGE_SWP_SOFT_DIRTY, taken as clear)
inline bool pmd_write(const Pmd& p) { return pmd_present(p) && p.write; }
// arch/x86/include/asm/pgtable.h v4.19: pmd_dirty (_PAGE_DIRTY; bit 6 of a swap pmd is clear)
inline bool pmd_dirty(const Pmd& p) { return pmd_present(p) && p.dirty; }
/// pmd_pfn() of a pmd migration entry read as a huge pmd (the devmap misreading):
/// pgtable_64.h v4.19 stores ~offset in bits 9..58 and pmd_pfn takes bits 12..51
/// (PTE_PFN_MASK: _PAGE_PSE, bit 7, is clear in a swap pmd), so the "pfn" is
/// bits 3..42 of ~offset: near 2^40 for a small offset (the page's pfn), never
/// a page of the model.
inline std::uint64_t migration_pmd_misread_pfn(std::uint64_t pfn) { return (~pfn >> 3) & ((std::uint64_t{1} << 40) - 1); }

/// "none", "table", "huge(T,rw,dirty)", "huge(Z,ro)", "migration(T,w)", "invalidated(T,rw,dirty)":
/// a huge or invalidated pmd names its dirty bit when set.
template <class NameOf>
std::string pmd_string(const Pmd& p, NameOf page_name) {
  const std::string rw = std::string(p.write ? ",rw" : ",ro") + (p.dirty ? ",dirty)" : ")");
  switch (p.kind) {
    case Pmd::Kind::None: return "none";
    case Pmd::Kind::Table: return "table";
    case Pmd::Kind::Huge: return "huge(" + page_name(p.page) + rw;
    case Pmd::Kind::Migration: return "migration(" + page_name(p.page) + (p.write ? ",w)" : ",r)");
    case Pmd::Kind::Invalidated: return "invalidated(" + page_name(p.page) + rw;
  }
  return "?";
}

/// One pmd entry of an mm: its 2 MiB range, value and checker objects.
/// The objects exist in kernel 4.19 only (the older eras' model keeps one
/// table and one ptl per mm, MmStruct::ptl, and never reads a pmd on its own).
struct PmdSlot {
  std::uint64_t address = 0;                    ///< 2 MiB aligned
  Pmd pmd;
  checker::ObjectId obj = checker::kNoObject;   ///< "A.pmd[0x200000]": the entry
  std::optional<checker::Spinlock> ptl;         ///< "A.ptl[0x200000]": pte_lockptr of the table under it
};

}  // namespace model
