// pte.h: the values a page-table entry and a pmd can hold.
//
// The kernel encodes these in bits; the model keeps the meaning only.
// A pte is none, present(page, writable), swap(entry), or migration(page,
// write): the entry that try_to_unmap() installs while `page` is being
// migrated (the kernel keeps the old page's pfn in it).
// Invariant: `page` is meaningful only for Present and Migration, `entry` only
// for Swap; value types compare by meaning (pte_same()). The pmd above a
// page table is model/pmd.h.
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

  static Pte none() { return {}; }
  static Pte present(PageId p, bool writable) { return {Kind::Present, p, writable, 0}; }
  static Pte swap(std::uint32_t slot) { return {Kind::Swap, kNoPage, false, slot}; }
  static Pte migration(PageId p, bool write) { return {Kind::Migration, p, write, 0}; }

  bool is_none() const { return kind == Kind::None; }
  bool is_present() const { return kind == Kind::Present; }
  bool is_migration() const { return kind == Kind::Migration; }
  bool is_swap() const { return kind == Kind::Swap; }

  friend bool operator==(const Pte&, const Pte&) = default;  ///< pte_same()
};

/// "none", "present(K,ro)", "swap(3)", "migration(K,r)": `page_name` maps a PageId to its name.
template <class NameOf>
std::string pte_string(const Pte& pte, NameOf page_name) {
  switch (pte.kind) {
    case Pte::Kind::None: return "none";
    case Pte::Kind::Present:
      return "present(" + page_name(pte.page) + (pte.write ? ",rw)" : ",ro)");
    case Pte::Kind::Swap: return "swap(" + std::to_string(pte.entry) + ")";
    case Pte::Kind::Migration:
      return "migration(" + page_name(pte.page) + (pte.write ? ",w)" : ",r)");
  }
  return "?";
}

}  // namespace model
