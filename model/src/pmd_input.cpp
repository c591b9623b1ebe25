// pmd_input.cpp: reading kernel 4.19's "pmds" and "hmm_ranges" (pmd_input.h).
// Invariant: a huge pmd counts as one mapping (compound_mapcount) and one
// reference of its head page, as set_pmd_migration_entry/remove_migration_pmd
// keep it; a range's vma is found here once and never changes.
#include "pmd_input.h"

namespace model {

void parse_pmds(Kernel& k, JsonInput pmds, const NameLookup& mm_of, const NameLookup& page_of,
                std::vector<std::pair<std::uint32_t, std::uint64_t>>& huge_zero) {
  pmds.expect_array();
  for (std::size_t i = 0; i < pmds.size(); ++i) {
    JsonInput pj = pmds.at(i);
    pj.expect_object();
    const std::uint32_t mm = mm_of(pj.at("mm"));
    JsonInput aj = pj.at("address");
    const std::uint64_t addr = aj.as_address();
    if (addr % kPmdSize) aj.error("a pmd's address is 2 MiB aligned (0x200000)");
    if (addr >= (std::uint64_t{1} << 30)) aj.error("the model keeps one pmd page per mm: addresses below 1 GiB");
    JsonInput kind = pj.at("pmd");
    const std::string ks = kind.as_string();
    PmdSlot slot;
    slot.address = addr;
    if (ks == "none") {
      slot.pmd = Pmd::none();
    } else if (ks == "table") {
      slot.pmd = Pmd::table();
    } else if (ks == "huge") {
      JsonInput pg = pj.at("page");
      const PageId page = page_of(pg);
      Page& p = k.pages[page];
      if (!p.PageTransHuge())
        pg.error("page " + p.name + " is not a compound page: a huge pmd maps a THP (give it \"subpages\")");
      if (p.in_free_pool) pg.error("page " + p.name + " is free");
      const int v = k.find_vma(mm, addr);
      if (v < 0 || k.vmas[static_cast<std::size_t>(v)].end < addr + kPmdSize)
        aj.error("a huge pmd needs one vma of mm " + k.mms[mm].name + " covering its whole 2 MiB");
      if (!k.vmas[static_cast<std::size_t>(v)].has_anon_vma())
        pg.error("an anon THP mapped in a vma without an anon_vma");
      const bool writable = pj.has("writable") ? pj.at("writable").as_bool() : false;
      // The fault that made a huge pmd made it dirty (__do_huge_pmd_anonymous_page, do_huge_pmd_wp_page);
      // a clean one is remove_migration_pmd's, or a fork's copy of a clean one.
      const bool dirty = pj.has("dirty") ? pj.at("dirty").as_bool() : writable;
      slot.pmd = Pmd::huge(page, writable, dirty);
      ++p.mapcount;
      ++p.refcount;
      k.ever_mapped_huge.insert({mm, addr, page});
    } else if (ks == "huge_zero") {
      // do_huge_pmd_anonymous_page's read fault mapped the huge zero page (set_huge_zero_page):
      // read-only, no rmap, no reference; anon_vma_prepare ran before it.
      const int v = k.find_vma(mm, addr);
      if (v < 0 || k.vmas[static_cast<std::size_t>(v)].end < addr + kPmdSize)
        aj.error("a huge pmd needs one vma of mm " + k.mms[mm].name + " covering its whole 2 MiB");
      if (!(k.vmas[static_cast<std::size_t>(v)].flags & VM_HUGEPAGE))
        kind.error("the huge zero page is mapped by a read fault in a VM_HUGEPAGE vma (THP \"enabled\" is "
                   "\"madvise\" in the model): declare the vma's VM_HUGEPAGE");
      if (!k.vmas[static_cast<std::size_t>(v)].has_anon_vma())
        kind.error("the huge zero page is mapped by a read fault after anon_vma_prepare: declare the vma's anon_vma");
      if (pj.has("page")) pj.at("page").error("a huge_zero pmd maps the huge zero page: it names no page");
      if (pj.has("writable") && pj.at("writable").as_bool())
        pj.at("writable").error("the huge zero page is always mapped read-only");
      if (pj.has("dirty") && pj.at("dirty").as_bool())
        pj.at("dirty").error("set_huge_zero_page maps the huge zero page clean; only touch_pmd with a8f97366452e "
                             "reverted dirties it: start a get_user_pages read thread for that");
      slot.pmd = Pmd::none();
      huge_zero.emplace_back(mm, addr);
    } else if (ks == "migration" || ks == "invalidated") {
      kind.error("a " + ks + " pmd needs a migration in progress: start a migrate_pages thread instead");
    } else {
      kind.error("unknown pmd \"" + ks + "\" (expected none, table, huge, huge_zero)");
    }
    pj.done();
    if (!k.mms[mm].pmds.emplace(addr, std::move(slot)).second)
      aj.error("a second pmd for " + k.where(mm, addr));
  }
}

std::string pte_table_error(Kernel& k, std::uint32_t mm, std::uint64_t addr) {
  auto& pmds = k.mms.at(mm).pmds;
  auto it = pmds.find(pmd_base(addr));
  if (it == pmds.end()) {
    PmdSlot slot;
    slot.address = pmd_base(addr);
    slot.pmd = Pmd::table();
    pmds.emplace(slot.address, std::move(slot));
    return {};
  }
  if (!it->second.pmd.is_table())
    return "the pmd over " + k.where(mm, addr) + " is " + k.pmd_str(it->second.pmd) + ", not a table of ptes";
  return {};
}

void parse_hmm_ranges(Kernel& k, JsonInput ranges, const NameLookup& mm_of) {
  ranges.expect_array();
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    JsonInput rj = ranges.at(i);
    rj.expect_object();
    HmmRange r;
    r.name = rj.at("name").as_string();
    if (r.name.empty()) rj.at("name").error("empty range name");
    for (const HmmRange& other : k.hmm_ranges)
      if (other.name == r.name) rj.at("name").error("duplicate range name \"" + r.name + "\"");
    r.mm = mm_of(rj.at("mm"));
    JsonInput sj = rj.at("start");
    r.start = sj.as_address();
    JsonInput ej = rj.at("end");
    r.end = ej.as_address();
    if (r.end <= r.start) ej.error("end must be above start");
    // hmm_vma_fault/hmm_vma_get_pfns refuse (-EINVAL) a range outside range->vma.
    const int v = k.find_vma(r.mm, r.start);
    if (v < 0) sj.error("no vma of mm " + k.mms[r.mm].name + " contains this address");
    const Vma& vma = k.vmas[static_cast<std::size_t>(v)];
    if (vma.end < r.end) ej.error("the range must lie in one vma (range->vma ends below end)");
    if (!vma.has_anon_vma() || !(vma.flags & VM_READ))
      sj.error("the model mirrors a readable anonymous vma with an anon_vma");
    r.vma = static_cast<std::uint32_t>(v);
    JsonInput pj = rj.at("pfns");
    pj.expect_array();
    const std::size_t npages = (r.end - r.start) / kPageSize;
    if (pj.size() != npages)
      pj.error("pfns has " + std::to_string(pj.size()) + " entries but the range has " + std::to_string(npages) +
               " pages");
    for (std::size_t e = 0; e < pj.size(); ++e) {
      JsonInput f = pj.at(e);
      const std::string fs = f.as_string();
      if (fs == "0") r.pfns.push_back(0);
      else if (fs == "VALID") r.pfns.push_back(HMM_PFN_VALID);
      else if (fs == "VALID|WRITE") r.pfns.push_back(HMM_PFN_VALID | HMM_PFN_WRITE);
      else f.error("unknown request \"" + fs + "\" (expected \"0\", \"VALID\", \"VALID|WRITE\")");
    }
    r.requested = r.pfns;
    // A huge pmd maps its THP's subpages only: every page of the range under it must be one.
    for (std::uint64_t a = r.start; a < r.end; a += kPageSize) {
      const PmdSlot* s = k.pmd_slot(r.mm, a);
      if (s && s->pmd.kind == Pmd::Kind::Huge && pte_index(a) >= k.pages[s->pmd.page].nr_pages)
        ej.error("the range covers " + k.where(r.mm, a) + ", subpage " + std::to_string(pte_index(a)) + " of " +
                 k.page_name(s->pmd.page) + ", which is declared with " +
                 std::to_string(k.pages[s->pmd.page].nr_pages) + " subpages");
    }
    rj.done();
    // Every pmd the walk meets gets a slot (a none one where nothing is mapped), so its reads are steps.
    for (std::uint64_t a = pmd_base(r.start); a < r.end; a += kPmdSize)
      if (!k.pmd_slot(r.mm, a)) {
        PmdSlot s;
        s.address = a;
        s.pmd = Pmd::none();
        k.mms[r.mm].pmds.emplace(a, std::move(s));
      }
    if (!k.hmm_of(r.mm)) {
      Hmm h;
      h.mm = r.mm;
      k.hmms.push_back(std::move(h));
    }
    k.hmm_ranges.push_back(std::move(r));
  }
}

void huge_pmd_anon_mapping(Kernel& k, PageId head) {
  Page& p = k.pages[head];
  for (std::uint32_t mm = 0; mm < k.mms.size(); ++mm)
    for (const auto& [addr, slot] : k.mms[mm].pmds)
      if (slot.pmd.kind == Pmd::Kind::Huge && slot.pmd.page == head && p.mapping.kind == Mapping::Kind::None) {
        const Vma& v = k.vmas[static_cast<std::size_t>(k.find_vma(mm, addr))];
        p.mapping = Mapping{Mapping::Kind::Anon, v.anon_vma};
        p.index = v.linear_page_index(addr);
      }
}

}  // namespace model
