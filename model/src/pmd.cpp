// pmd.cpp: the Kernel's pmd-level helpers (model/pmd.h): finding a pmd slot,
// the table's ptl, lockless pmd reads and set_pmd_at as steps, and the 4.19
// objects (pmd locks, pmd entries, the tables' ptls, the hmm locks).
// Invariant: create_pmd_objects() runs last in create_objects() and creates
// nothing outside kernel 4.19, so the older eras' object ids never move.
#include "model/kernel.h"

#include <cstdio>

namespace model {

namespace {
std::string hex(std::uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}
}  // namespace

void Kernel::create_pmd_objects() {
  if (config.era != Era::V4_19) return;
  for (MmStruct& mm : mms) {
    mm.pmd_lock.emplace(mm.name + ".pmd_lock");
    for (auto& [addr, slot] : mm.pmds) {
      slot.obj = checker::new_object(mm.name + ".pmd[" + hex(addr) + "]");
      slot.ptl.emplace(mm.name + ".ptl[" + hex(addr) + "]");
    }
  }
  for (Hmm& h : hmms) {
    h.obj = checker::new_object(mms.at(h.mm).name + ".hmm");
    h.lock.emplace(mms.at(h.mm).name + ".hmm.lock");
  }
}

PmdSlot* Kernel::pmd_slot(std::uint32_t mm, std::uint64_t addr) {
  auto& pmds = mms.at(mm).pmds;
  auto it = pmds.find(pmd_base(addr));
  return it == pmds.end() ? nullptr : &it->second;
}

const PmdSlot* Kernel::pmd_slot(std::uint32_t mm, std::uint64_t addr) const {
  const auto& pmds = mms.at(mm).pmds;
  auto it = pmds.find(pmd_base(addr));
  return it == pmds.end() ? nullptr : &it->second;
}

checker::Spinlock& Kernel::pte_lockptr(std::uint32_t mm, std::uint64_t addr) {
  PmdSlot* slot = pmd_slot(mm, addr);
  if (slot && slot->ptl) return *slot->ptl;
  return *mms.at(mm).ptl;
}

std::string Kernel::pmd_str(const Pmd& pmd) const {
  return pmd_string(pmd, [this](PageId p) { return page_name(p); });
}

Pmd Kernel::read_pmd(std::uint32_t mm, PmdSlot& slot, const char* label, checker::SourceLoc loc) {
  checker::announce(slot.obj, checker::AccessKind::Read, label, loc);
  if (!mms.at(mm).pgtables_freed_at.empty())  // 4.19 exit_mmap's free_pgd_range freed the pmd page
    checker::fail(checker::FailureKind::Assertion, "KASAN: use-after-free of the page table of " + mms[mm].name + " at " +
                                                       where(mm, slot.address) + " (freed in " + mms[mm].pgtables_freed_at + ")");
  Pmd v = slot.pmd;
  checker::note([&] { return "pmd " + where(mm, slot.address) + " = " + pmd_str(v); });
  return v;
}

void Kernel::set_pmd(std::uint32_t mm, PmdSlot& slot, const Pmd& pmd, const char* label, checker::SourceLoc loc) {
  checker::announce(slot.obj, checker::AccessKind::Write, label, loc);
  checker::note([&] { return "pmd " + where(mm, slot.address) + " " + pmd_str(slot.pmd) + " -> " + pmd_str(pmd); });
  slot.pmd = pmd;
  if (pmd.kind == Pmd::Kind::Huge && !hmm_ranges.empty()) ever_mapped_huge.insert({mm, slot.address, pmd.page});
}

Hmm* Kernel::hmm_of(std::uint32_t mm) {
  for (Hmm& h : hmms)
    if (h.mm == mm) return &h;
  return nullptr;
}

}  // namespace model
