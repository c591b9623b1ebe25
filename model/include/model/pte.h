// pte.h: the values a page-table entry and a pmd can hold.
//
// The kernel encodes these in bits; the model keeps the meaning only.
// A pte is none, present(page, writable, dirty, young), swap(entry), or
// migration(page, write): the entry that try_to_unmap() installs while `page`
// is being migrated (the kernel keeps the old page's pfn in it).
// Invariant: `page` is meaningful only for Present and Migration, `entry` only
// for Swap, `dirty` and `young` only for Present (_PAGE_DIRTY, _PAGE_ACCESSED:
// the MMU sets them on a store and on a walk, the kernel moves the dirty bit to
// the page with set_page_dirty before it drops the pte); value types compare by
// meaning (pte_same() compares the bits too). The pmd above a page table is
// model/pmd.h.
#pragma once

#include <cstdint>
#include <string>

namespace model {

/// Index of a struct page in Kernel::pages (the model's pfn order).
using PageId = std::uint32_t;
inline constexpr PageId kNoPage = 0xffffffffu;

struct Pte {
  enum class Kind : std::uint8_t { None, Present, Swap, Migration };
  Kind kind = Kind::None;
  PageId page = kNoPage;   ///< Present: the mapped page; Migration: the page being migrated
  bool write = false;      ///< Present: pte_write; Migration: is_write_migration_entry
  std::uint32_t entry = 0; ///< Swap: the swap slot
  bool dirty = false;      ///< Present: pte_dirty (_PAGE_DIRTY)
  bool young = false;      ///< Present: pte_young (_PAGE_ACCESSED)

  static Pte none() { return {}; }
  /// mk_pte(page, vma->vm_page_prot): x86's protections carry _PAGE_ACCESSED, so a new pte is
  /// young and clean; callers add pte_mkwrite / pte_mkdirty / pte_mkold as the kernel does.
  static Pte mk_pte(PageId p) { return {Kind::Present, p, false, 0, false, true}; }
  static Pte present(PageId p, bool writable, bool dirty, bool young) {
    return {Kind::Present, p, writable, 0, dirty, young};
  }
  static Pte swap(std::uint32_t slot) { return {Kind::Swap, kNoPage, false, slot}; }
  static Pte migration(PageId p, bool write) { return {Kind::Migration, p, write, 0}; }

  bool is_none() const { return kind == Kind::None; }
  bool is_present() const { return kind == Kind::Present; }
  bool is_migration() const { return kind == Kind::Migration; }
  bool is_swap() const { return kind == Kind::Swap; }

  friend bool operator==(const Pte&, const Pte&) = default;  ///< pte_same()
};

// arch/x86/include/asm/pgtable.h v3.9: the pte bit helpers (value in, value out)
inline Pte pte_mkwrite(Pte p) { p.write = true; return p; }
inline Pte pte_wrprotect(Pte p) { p.write = false; return p; }
inline Pte pte_mkdirty(Pte p) { p.dirty = true; return p; }
inline Pte pte_mkclean(Pte p) { p.dirty = false; return p; }
inline Pte pte_mkyoung(Pte p) { p.young = true; return p; }
inline Pte pte_mkold(Pte p) { p.young = false; return p; }
/// mm/memory.c v3.9: maybe_mkwrite (pte_mkwrite when the vma is VM_WRITE)
inline Pte maybe_mkwrite(Pte p, bool vm_write) { return vm_write ? pte_mkwrite(p) : p; }

/// "none", "present(K,ro)", "present(K,rw,dirty)", "present(K,ro,old)", "swap(3)", "migration(K,r)":
/// `page_name` maps a PageId to its name; a present pte names its dirty bit when set and its
/// young bit when clear (a new pte is young and clean).
template <class NameOf>
std::string pte_string(const Pte& pte, NameOf page_name) {
  switch (pte.kind) {
    case Pte::Kind::None: return "none";
    case Pte::Kind::Present:
      return "present(" + page_name(pte.page) + (pte.write ? ",rw" : ",ro") + (pte.dirty ? ",dirty" : "") +
             (pte.young ? ")" : ",old)");
    case Pte::Kind::Swap: return "swap(" + std::to_string(pte.entry) + ")";
    case Pte::Kind::Migration:
      return "migration(" + page_name(pte.page) + (pte.write ? ",w)" : ",r)");
  }
  return "?";
}

}  // namespace model
