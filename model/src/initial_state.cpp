// initial_state.cpp: "initial" JSON -> Kernel template, with every reference
// resolved and every derived count checked.
// Invariant: the returned Kernel satisfies the invariants stated in page.h,
// mm_struct.h and ksm_state.h (no migration in progress, counts consistent).
#include "model/initial_state.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "json_input.h"
#include "pmd_input.h"

namespace model {

namespace {

struct NameIndex {
  std::map<std::string, std::uint32_t> index;
  const char* what;
  std::uint32_t find(const JsonInput& in) const {
    std::string name = in.as_string();
    auto it = index.find(name);
    if (it == index.end()) in.error(std::string("no ") + what + " named " + quote_input(name));
    return it->second;
  }
  void add(const JsonInput& in, const std::string& name, std::uint32_t i) {
    if (name.empty()) in.error(std::string("empty ") + what + " name");
    if (name.size() > kMaxNameBytes)
      in.error(std::string("a ") + what + " name of more than " + std::to_string(kMaxNameBytes) + " bytes");
    if (!index.emplace(name, i).second) in.error(std::string("duplicate ") + what + " name " + quote_input(name));
  }
};

std::uint32_t parse_vm_flags(JsonInput in) {
  in.expect_array();
  std::uint32_t flags = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    JsonInput f = in.at(i);
    std::string s = f.as_string();
    if (s == "VM_READ") flags |= VM_READ;
    else if (s == "VM_WRITE") flags |= VM_WRITE;
    else if (s == "VM_SHARED") flags |= VM_SHARED;
    else if (s == "VM_MERGEABLE") flags |= VM_MERGEABLE;
    else if (s == "VM_LOCKED") flags |= VM_LOCKED;
    else if (s == "VM_HUGEPAGE") flags |= VM_HUGEPAGE;
    else f.error("unknown vma flag " + quote_input(s) +
                 " (expected VM_READ, VM_WRITE, VM_SHARED, VM_MERGEABLE, VM_LOCKED, VM_HUGEPAGE)");
  }
  return flags;
}

}  // namespace

Kernel parse_initial_state(const nlohmann::json& j, const std::string& file, const std::string& pointer,
                           const KernelConfig& config) {
  Kernel k;
  k.config = config;
  const bool era2633 = config.era == Era::V2_6_33;
  JsonInput in(j, file, pointer);
  in.expect_object();

  int numa_nodes = 1;
  if (in.has("numa_nodes")) numa_nodes = static_cast<int>(in.at("numa_nodes").as_int(1, 8));
  k.ksm.nr_node_ids = numa_nodes;
  k.ksm.root_stable_tree.assign(static_cast<std::size_t>(numa_nodes), {});
  k.ksm.root_unstable_tree.assign(static_cast<std::size_t>(numa_nodes), {});

  // ---- pages ----
  NameIndex page_names{{}, "page"};
  struct PageDecl {
    bool flag_ksm = false, flag_anon = false;
    std::optional<std::int64_t> refcount, mapcount;
    std::int64_t pins = 0;  ///< "pins": get_user_pages references
    std::string ptr;
  };
  std::vector<PageDecl> decls;
  {
    JsonInput pages = in.at("pages");
    pages.expect_array();
    for (std::size_t i = 0; i < pages.size(); ++i) {
      JsonInput pj = pages.at(i);
      pj.expect_object();
      Page p;
      PageDecl d;
      d.ptr = pj.pointer();
      p.name = pj.at("name").as_string();
      if (p.name == "ZERO_PAGE") pj.at("name").error("the name ZERO_PAGE is the zero page's (map it with a \"zero\" pte)");
      if (p.name == "HUGE_ZERO_PAGE")
        pj.at("name").error("the name HUGE_ZERO_PAGE is the huge zero page's (map it with a \"huge_zero\" pmd)");
      page_names.add(pj.at("name"), p.name, static_cast<std::uint32_t>(i));
      p.pfn = k.pages.empty() ? 0x1000 : k.pages.back().pfn + k.pages.back().nr_pages;  // pfns from 16 MiB up
      p.content = static_cast<std::uint32_t>(i + 1);
      if (pj.has("nid")) p.nid = static_cast<int>(pj.at("nid").as_int(0, numa_nodes - 1));
      if (pj.has("free")) p.in_free_pool = pj.at("free").as_bool();
      if (pj.has("flags")) {
        JsonInput fl = pj.at("flags");
        fl.expect_array();
        for (std::size_t f = 0; f < fl.size(); ++f) {
          JsonInput fi = fl.at(f);
          std::string s = fi.as_string();
          if (s == "Uptodate") p.flags |= PG_uptodate;
          else if (s == "LRU") p.flags |= PG_lru;
          else if (s == "SwapCache") p.flags |= PG_swapcache;
          else if (s == "Dirty") p.flags |= PG_dirty;
          else if (s == "Ksm") d.flag_ksm = true;
          else if (s == "Anon") d.flag_anon = true;
          else fi.error("unknown page flag " + quote_input(s) + " (expected Uptodate, LRU, SwapCache, Dirty, Anon, Ksm)");
        }
      }
      if (p.test(PG_swapcache)) {
        p.swap_entry = static_cast<std::uint32_t>(pj.at("swap_entry").as_int(0, 1 << 20));
        for (const Page& other : k.pages)
          if (other.test(PG_swapcache) && other.swap_entry == p.swap_entry)
            pj.at("swap_entry").error("swap cache slot " + std::to_string(p.swap_entry) + " already holds page " +
                                      other.name);
      }
      if (pj.has("content")) p.content = static_cast<std::uint32_t>(pj.at("content").as_int(1, 1 << 20));
      if (pj.has("subpages")) {
        JsonInput sp = pj.at("subpages");
        if (config.era != Era::V4_19) sp.error("compound pages (THP) are modelled in kernel 4.19 only");
        p.nr_pages = static_cast<std::uint32_t>(sp.as_int(2, 512));
      }
      if (pj.has("refcount")) d.refcount = pj.at("refcount").as_int(0, 1000);
      if (pj.has("mapcount")) d.mapcount = pj.at("mapcount").as_int(0, 1000);
      if (pj.has("pins")) {
        JsonInput pin = pj.at("pins");
        d.pins = pin.as_int(0, 1000);
        if (p.in_free_pool && d.pins) pin.error("a free page has no pins");
      }
      if (p.in_free_pool && (p.flags || d.flag_anon || d.flag_ksm))
        pj.at("flags").error("a free page has no flags");
      pj.done();
      k.pages.push_back(std::move(p));
      decls.push_back(d);
    }
  }

  // ---- mms, vmas, anon_vmas ----
  NameIndex mm_names{{}, "mm"};
  NameIndex anon_vma_names{{}, "anon_vma"};
  std::set<std::uint32_t> mm_without_tables;
  std::uint64_t total_vma_pages = 0;
  {
    JsonInput mms = in.at("mms");
    mms.expect_array();
    for (std::size_t i = 0; i < mms.size(); ++i) {
      JsonInput mj = mms.at(i);
      mj.expect_object();
      MmStruct m;
      m.name = mj.at("name").as_string();
      mm_names.add(mj.at("name"), m.name, static_cast<std::uint32_t>(i));
      bool no_tables = false;  // before 4.19: the mm's one pmd ("pmd": "none" leaves it without a page table)
      if (mj.has("pmd")) {
        JsonInput pmd = mj.at("pmd");
        if (config.era == Era::V4_19) pmd.error("in kernel 4.19 pmds are declared per 2 MiB range (initial.pmds)");
        std::string s = pmd.as_string();
        if (s == "none") no_tables = true;
        else if (s != "table") pmd.error("unsupported pmd " + quote_input(s) + " (expected \"table\" or \"none\")");
      }
      if (no_tables) mm_without_tables.insert(static_cast<std::uint32_t>(i));
      m.no_page_table = no_tables;
      JsonInput vmas = mj.at("vmas");
      vmas.expect_array();
      std::uint64_t prev_end = 0;
      for (std::size_t v = 0; v < vmas.size(); ++v) {
        JsonInput vj = vmas.at(v);
        vj.expect_object();
        Vma vma;
        vma.mm = static_cast<std::uint32_t>(i);
        vma.start = vj.at("start").as_address();
        vma.end = vj.at("end").as_address();
        if (vma.end <= vma.start) vj.at("end").error("vma end must be above its start");
        const std::uint64_t pages = (vma.end - vma.start) / kPageSize;
        if (pages > kMaxVmaPages)
          vj.at("end").error("a vma of " + std::to_string(pages) + " pages; at most " + std::to_string(kMaxVmaPages) +
                             " (" + std::to_string(kMaxVmaPages * kPageSize >> 20) + " MiB) are modelled");
        total_vma_pages += pages;
        if (total_vma_pages > kMaxTotalVmaPages)
          vj.at("end").error("the vmas span more than " + std::to_string(kMaxTotalVmaPages) +
                             " pages together, the most a scenario may hold");
        if (vma.start < prev_end) vj.at("start").error("vmas must be sorted and must not overlap");
        prev_end = vma.end;
        if (vj.has("flags")) vma.flags = parse_vm_flags(vj.at("flags"));
        if ((vma.flags & VM_HUGEPAGE) && config.era != Era::V4_19)
          vj.at("flags").unsupported("VM_HUGEPAGE (a THP fault under a none pmd) is modelled in kernel 4.19 only");
        // vm_pgoff: an anon vma's is the linear index of its start unless an
        // earlier mremap moved it (copy_vma keeps the old one).
        vma.pgoff = vma.start / kPageSize;
        if (vj.has("vm_pgoff")) vma.pgoff = static_cast<std::uint64_t>(vj.at("vm_pgoff").as_int(0, static_cast<std::int64_t>(kTaskSize / kPageSize)));
        if (vj.has("anon_vma")) {
          JsonInput aj = vj.at("anon_vma");
          std::string name = aj.as_string();
          auto it = anon_vma_names.index.find(name);
          std::uint32_t av;
          if (it == anon_vma_names.index.end()) {
            av = static_cast<std::uint32_t>(k.anon_vmas.size());
            anon_vma_names.add(aj, name, av);
            AnonVma a;
            a.name = name;
            a.root = av;
            k.anon_vmas.push_back(std::move(a));
          } else {
            av = it->second;
          }
          vma.anon_vma = av;
          k.anon_vmas[av].vmas.push_back(static_cast<std::uint32_t>(k.vmas.size()));
        }
        vj.done();
        m.vmas.push_back(static_cast<std::uint32_t>(k.vmas.size()));
        k.vmas.push_back(vma);
      }
      mj.done();
      k.mms.push_back(std::move(m));
    }
  }

  // ---- pmds (4.19): model/src/pmd.cpp ----
  std::vector<std::pair<std::uint32_t, std::uint64_t>> huge_zero_pmds;  ///< set once the huge zero page exists
  if (in.has("pmds")) {
    JsonInput pmds = in.at("pmds");
    if (config.era != Era::V4_19) pmds.error("the pmd level is modelled in kernel 4.19 only");
    parse_pmds(k, pmds, [&](const JsonInput& j) { return mm_names.find(j); },
               [&](const JsonInput& j) { return page_names.find(j); }, huge_zero_pmds);
  }
  if (in.has("migration_pmd_predicates")) {
    JsonInput mp = in.at("migration_pmd_predicates");
    if (config.era != Era::V4_19) mp.error("pmd migration entries exist in kernel 4.19 only");
    std::string s = mp.as_string();
    if (s == "pmd_bad") k.migration_pmd_layout = MigrationPmdLayout::PmdBad;
    else if (s == "pmd_devmap") k.migration_pmd_layout = MigrationPmdLayout::PmdDevmap;
    else mp.error("unknown value \"" + s + "\" (expected \"pmd_bad\" or \"pmd_devmap\")");
  }

  // ---- ptes ----
  std::vector<std::pair<std::uint32_t, std::uint64_t>> zero_ptes;  ///< "zero" ptes, set once the zero page exists
  std::set<std::pair<std::uint32_t, std::uint64_t>> zero_old;       ///< those declared "young": false
  if (in.has("ptes")) {
    JsonInput ptes = in.at("ptes");
    ptes.expect_array();
    for (std::size_t i = 0; i < ptes.size(); ++i) {
      JsonInput pj = ptes.at(i);
      pj.expect_object();
      std::uint32_t mm = mm_names.find(pj.at("mm"));
      std::uint64_t addr = pj.at("address").as_address();
      int vma = k.find_vma(mm, addr);
      if (vma < 0) pj.at("address").error("no vma of mm " + k.mms[mm].name + " contains this address");
      if (mm_without_tables.count(mm))
        pj.at("mm").error("mm " + k.mms[mm].name + " has no page table (pmd none)");
      if (std::find(huge_zero_pmds.begin(), huge_zero_pmds.end(), std::make_pair(mm, pmd_base(addr))) != huge_zero_pmds.end())
        pj.at("address").error("the pmd over " + k.where(mm, addr) + " maps the huge zero page (\"huge_zero\"), not a table of ptes");
      if (std::string err = pte_table_error(k, mm, addr); !err.empty()) pj.at("address").error(err);
      Pte pte;
      JsonInput kind = pj.at("pte");
      std::string ks = kind.as_string();
      if (ks == "none") {
        pte = Pte::none();
      } else if (ks == "present") {
        PageId page = page_names.find(pj.at("page"));
        if (k.pages[page].in_free_pool) pj.at("page").error("page " + k.pages[page].name + " is free");
        bool writable = pj.has("writable") ? pj.at("writable").as_bool() : false;
        // A writable anon pte got there by a write fault (pte_mkdirty): dirty unless declared
        // clean (as remove_migration_pte leaves it); every pte is young unless declared old.
        bool dirty = pj.has("dirty") ? pj.at("dirty").as_bool() : writable;
        bool young = pj.has("young") ? pj.at("young").as_bool() : true;
        pte = Pte::present(page, writable, dirty, young);
        ++k.pages[page].mapcount;
        ++k.pages[page].refcount;
        if (!k.vmas[static_cast<std::size_t>(vma)].has_anon_vma())
          pj.at("page").error("an anon page mapped in a vma without an anon_vma");
      } else if (ks == "swap") {
        pte = Pte::swap(static_cast<std::uint32_t>(pj.at("entry").as_int(0, 1 << 20)));
        // do_swap_page maps the page into the vma's anon_vma: a swap entry only
        // exists in an anonymous vma that has one.
        if (!k.vmas[static_cast<std::size_t>(vma)].has_anon_vma())
          pj.at("entry").error("a swap entry in a vma without an anon_vma");
      } else if (ks == "zero") {
        // do_anonymous_page's read fault left the zero page mapped (pte_special, read-only).
        if (pj.has("writable") && pj.at("writable").as_bool())
          pj.at("writable").error("the zero page is always mapped read-only");
        if (pj.has("dirty") && pj.at("dirty").as_bool())
          pj.at("dirty").error("the zero page is never written: its pte is never dirty");
        if (pj.has("young") && !pj.at("young").as_bool()) zero_old.insert({mm, addr});
        zero_ptes.emplace_back(mm, addr);
      } else if (ks == "migration") {
        kind.error("a migration entry needs a migration in progress: start a migrate_pages thread instead");
      } else {
        kind.error("unknown pte " + quote_input(ks) + " (expected none, present, zero, swap)");
      }
      if (ks == "none" || ks == "swap")
        for (const char* bit : {"writable", "dirty", "young"})
          if (pj.has(bit)) pj.at(bit).error(std::string("\"") + bit + "\" is a bit of a present pte, not of a " + ks + " pte");
      if (ks != "present" && pj.has("page"))
        pj.at("page").error("a " + ks + " pte maps no page (\"page\" is a field of a present pte" +
                            (ks == "swap" ? std::string("; a swap-cache page of the slot is the page declared with its "
                                                        "\"swap_entry\" and flag SwapCache)")
                                          : std::string(")")));
      if (ks != "swap" && pj.has("entry"))
        pj.at("entry").error("\"entry\" is the slot of a swap pte, not of a " + ks + " pte");
      pj.done();
      PteSlot slot;
      slot.address = addr;
      slot.pte = pte;
      if (!k.mms[mm].ptes.emplace(addr, slot).second)
        pj.at("address").error("a second pte for " + k.where(mm, addr));
      if (pte.is_present()) k.ever_mapped.insert({mm, addr, k.pages[pte.page].pfn});
    }
  }
  // init_mm.mmlist's order (Kernel::mmlist): history the state does not show
  for (std::uint32_t mm = 0; mm < k.mms.size(); ++mm) k.mmlist.push_back(mm);
  if (in.has("mmlist")) {
    JsonInput lj = in.at("mmlist");
    lj.expect_array();
    k.mmlist.clear();
    for (std::size_t i = 0; i < lj.size(); ++i) {
      const std::uint32_t mm = mm_names.find(lj.at(i));
      if (std::find(k.mmlist.begin(), k.mmlist.end(), mm) != k.mmlist.end())
        lj.at(i).error("mm " + k.mms[mm].name + " is on the mmlist twice");
      k.mmlist.push_back(mm);
    }
    k.mmlist_declared = true;
  }
  if (in.has("hmm_ranges")) {
    JsonInput ranges = in.at("hmm_ranges");
    if (config.era != Era::V4_19) ranges.error("HMM is modelled in kernel 4.19 only");
    parse_hmm_ranges(k, ranges, [&](const JsonInput& j) { return mm_names.find(j); });
  }

  // ---- KSM: sysfs state and mm_slots ----
  std::map<std::uint32_t, std::size_t> slot_of_mm;
  std::optional<std::int64_t> want_shared, want_sharing;
  std::string shared_ptr, sharing_ptr;
  if (in.has("ksm")) {
    JsonInput kj = in.at("ksm");
    kj.expect_object();
    if (kj.has("run")) k.ksm.ksm_run = static_cast<unsigned>(kj.at("run").as_int(0, 2));
    if (kj.has("merge_across_nodes") && era2633)
      kj.at("merge_across_nodes").error("kernel 2.6.33 has one stable tree and no merge_across_nodes knob (3.9)");
    if (kj.has("merge_across_nodes")) k.ksm.merge_across_nodes = kj.at("merge_across_nodes").as_bool();
    if (kj.has("mm_slots")) {
      JsonInput sj = kj.at("mm_slots");
      sj.expect_array();
      for (std::size_t i = 0; i < sj.size(); ++i) {
        std::uint32_t mm = mm_names.find(sj.at(i));
        if (slot_of_mm.count(mm)) sj.at(i).error("mm " + k.mms[mm].name + " has two mm_slots");
        slot_of_mm[mm] = k.ksm.mm_slots.size();
        k.ksm.mm_slots.push_back(MmSlot{mm, {}});
        k.mms[mm].mmf_vm_mergeable = true;
        ++k.mms[mm].mm_count;  // the mm_slot's reference (__ksm_enter's atomic_inc)
      }
    }
    if (kj.has("pages_shared")) {
      want_shared = kj.at("pages_shared").as_int(0, 1 << 20);
      shared_ptr = kj.pointer() + "/pages_shared";
    }
    if (kj.has("pages_sharing")) {
      want_sharing = kj.at("pages_sharing").as_int(0, 1 << 20);
      sharing_ptr = kj.pointer() + "/pages_sharing";
    }
    kj.done();
  }
  k.ksm.scan_cursor = k.ksm.mm_slots.size();

  // ---- stable nodes ----
  NameIndex node_names{{}, "stable node"};
  if (in.has("stable_nodes")) {
    JsonInput nodes = in.at("stable_nodes");
    nodes.expect_array();
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      JsonInput nj = nodes.at(i);
      nj.expect_object();
      StableNode s;
      s.name = nj.at("name").as_string();
      node_names.add(nj.at("name"), s.name, static_cast<std::uint32_t>(i));
      if (nj.has("unused") && nj.at("unused").as_bool()) {
        // A preallocated node for stable_tree_insert's alloc_stable_node (objects exist before a run).
        s.unused = true;
        s.tree = StableNode::kNotLinked;
        nj.done();
        k.stable_nodes.push_back(std::move(s));
        continue;
      }
      s.kpfn = page_names.find(nj.at("page"));
      Page& page = k.pages[s.kpfn];
      bool stale = nj.has("stale") ? nj.at("stale").as_bool() : false;
      int derived_nid = k.ksm.merge_across_nodes ? 0 : page.nid;
      s.nid = derived_nid;
      if (nj.has("nid")) {
        JsonInput nid = nj.at("nid");
        s.nid = static_cast<int>(nid.as_int(0, numa_nodes - 1));
        if (!stale && s.nid != derived_nid)
          nid.error("stable node nid " + std::to_string(s.nid) + " but its page gives " +
                    std::to_string(derived_nid) + " (merge_across_nodes " +
                    (k.ksm.merge_across_nodes ? "1" : "0") + ")");
      }
      s.tree = s.nid;
      if (nj.has("tree")) s.tree = static_cast<int>(nj.at("tree").as_int(0, numa_nodes - 1));
      if (!stale) {
        if (page.in_free_pool) nj.at("page").error("page " + page.name + " is free");
        if (page.PageKsm()) nj.at("page").error("page " + page.name + " already has a stable node");
        page.mapping = Mapping{Mapping::Kind::Ksm, static_cast<std::uint32_t>(i)};
      }
      nj.done();
      k.ksm.root_stable_tree[static_cast<std::size_t>(s.tree)].push_back(static_cast<std::uint32_t>(i));
      k.stable_nodes.push_back(std::move(s));
    }
  }

  // ---- rmap_items ----
  NameIndex item_names{{}, "rmap_item"};
  if (in.has("rmap_items")) {
    JsonInput items = in.at("rmap_items");
    items.expect_array();
    for (std::size_t i = 0; i < items.size(); ++i) {
      JsonInput rj = items.at(i);
      rj.expect_object();
      RmapItem r;
      r.name = rj.at("name").as_string();
      item_names.add(rj.at("name"), r.name, static_cast<std::uint32_t>(i));
      r.mm = mm_names.find(rj.at("mm"));
      r.address = rj.at("address").as_address();
      int vma = k.find_vma(r.mm, r.address);
      if (vma < 0) rj.at("address").error("no vma of mm " + k.mms[r.mm].name + " contains this address");
      const Vma& v = k.vmas[static_cast<std::size_t>(vma)];
      if (!(v.flags & VM_MERGEABLE) || !v.has_anon_vma())
        rj.at("address").error("rmap_item in a vma that is not VM_MERGEABLE with an anon_vma");
      auto slot = slot_of_mm.find(r.mm);
      if (slot == slot_of_mm.end()) rj.at("mm").error("mm " + k.mms[r.mm].name + " has no mm_slot (ksm.mm_slots)");
      if (rj.has("unstable") && rj.at("unstable").as_bool()) {
        // 2.6.33: a node of root_unstable_tree (inserted earlier in this pass).
        if (!era2633) rj.at("unstable").error("\"unstable\" rmap_items serve the 2.6.33 unstable tree only");
        if (rj.has("stable_node")) rj.at("unstable").error("an rmap_item is in the stable or the unstable tree, not both");
        r.unstable = true;
        k.ksm.root_unstable_tree.at(0).push_back(static_cast<std::uint32_t>(i));
        ++k.ksm.pages_unshared;
      }
      if (rj.has("stable_node")) {
        r.head = node_names.find(rj.at("stable_node"));
        if (k.stable_nodes[r.head].unused) rj.at("stable_node").error("stable node is unused");
        r.stable = true;
        r.anon_vma = v.anon_vma;
        ++k.anon_vmas[v.anon_vma].refcount;
        k.stable_nodes[r.head].hlist.push_back(static_cast<std::uint32_t>(i));
      }
      rj.done();
      auto& list = k.ksm.mm_slots[slot->second].rmap_list;
      for (std::uint32_t other : list)
        if (k.rmap_items[other].address == r.address)
          rj.at("address").error("mm " + k.mms[r.mm].name + " already has an rmap_item at this address");
      list.push_back(static_cast<std::uint32_t>(i));
      k.rmap_items.push_back(std::move(r));
    }
    for (MmSlot& s : k.ksm.mm_slots)
      std::sort(s.rmap_list.begin(), s.rmap_list.end(), [&k](std::uint32_t a, std::uint32_t b) {
        return k.rmap_items[a].address < k.rmap_items[b].address;
      });
  }
  for (const StableNode& s : k.stable_nodes) {
    if (s.hlist.empty()) continue;
    ++k.ksm.pages_shared;
    k.ksm.pages_sharing += static_cast<long>(s.hlist.size()) - 1;
  }
  if (want_shared && *want_shared != k.ksm.pages_shared)
    throw InputError(file, shared_ptr, "pages_shared " + std::to_string(*want_shared) + " but " +
                                           std::to_string(k.ksm.pages_shared) +
                                           " stable nodes have rmap_items");
  if (want_sharing && *want_sharing != k.ksm.pages_sharing)
    throw InputError(file, sharing_ptr, "pages_sharing " + std::to_string(*want_sharing) + " but the stable nodes' "
                                            "rmap_items give " + std::to_string(k.ksm.pages_sharing));

  // ---- 2.6.33: memory sections, checksums ----
  if (in.has("memory_sections")) {
    JsonInput secs = in.at("memory_sections");
    if (!era2633) secs.error("memory sections (memory hot-remove) are modelled in kernel 2.6.33 only");
    secs.expect_array();
    NameIndex sec_names{{}, "memory section"};
    for (std::size_t i = 0; i < secs.size(); ++i) {
      JsonInput sj = secs.at(i);
      sj.expect_object();
      MemorySection sec;
      sec.name = sj.at("name").as_string();
      sec_names.add(sj.at("name"), sec.name, static_cast<std::uint32_t>(i));
      sec.start_pfn = page_names.find(sj.at("first"));
      JsonInput last = sj.at("last");
      PageId last_pfn = page_names.find(last);
      if (last_pfn < sec.start_pfn) last.error("the last page lies before the first (pages are listed in pfn order)");
      sec.end_pfn = last_pfn + 1;
      for (const MemorySection& other : k.sections)
        if (sec.start_pfn < other.end_pfn && other.start_pfn < sec.end_pfn)
          sj.at("first").error("memory section " + sec.name + " overlaps section " + other.name);
      if (sj.has("state")) {
        JsonInput st = sj.at("state");
        std::string v = st.as_string();
        if (v == "online") sec.state = MemorySection::State::Online;
        else if (v == "isolated") sec.state = MemorySection::State::Isolated;
        else if (v == "offline") sec.state = MemorySection::State::Offline;
        else st.error("unknown section state \"" + v + "\" (expected online, isolated, offline; going_offline "
                      "only arises inside offline_pages)");
      }
      if (sec.state == MemorySection::State::Offline) {
        for (PageId p = sec.start_pfn; p < sec.end_pfn; ++p) {
          Page& page = k.pages[p];
          if (page.in_free_pool || page.refcount || page.flags || decls[p].flag_anon || decls[p].flag_ksm ||
              page.PageKsm())
            sj.at("state").error("page " + page.name + " of offline section " + sec.name +
                                 " must be unused: no flags, no mappings, not free, no stable node");
          page.offlined = true;
          page.offlined_at = "the initial state";
        }
      }
      sj.done();
      k.sections.push_back(std::move(sec));
    }
  }
  if (era2633) {
    // calc_checksum() of an rmap_item's page was recorded on ksmd's previous pass.
    for (RmapItem& r : k.rmap_items) {
      if (r.stable) continue;
      auto it = k.mms[r.mm].ptes.find(r.address);
      if (it != k.mms[r.mm].ptes.end() && it->second.pte.is_present()) {
        r.has_checksum = true;
        r.oldchecksum = k.pages[it->second.pte.page].content;
      }
    }
  }

  // ---- derived page state, checked against what was written ----
  for (std::size_t i = 0; i < k.pages.size(); ++i) {
    Page& p = k.pages[i];
    const PageDecl& d = decls[i];
    if (p.mapping.kind == Mapping::Kind::None && p.mapcount > 0 && p.PageTransHuge()) {
      // A THP head: the anon_vma of the first vma whose huge pmd maps it.
      huge_pmd_anon_mapping(k, static_cast<PageId>(i));
    }
    // The anon_vma (and linear index) of the first vma with a pte `takes` (that has an anon_vma
    // when `declared`).
    auto anon_of_first = [&](bool declared, const std::function<bool(const Pte&)>& takes) {
      for (const MmStruct& m : k.mms)
        for (const auto& [addr, slot] : m.ptes) {
          if (p.mapping.kind != Mapping::Kind::None || !takes(slot.pte)) continue;
          const Vma& v = k.vmas[static_cast<std::size_t>(k.find_vma(static_cast<std::uint32_t>(&m - k.mms.data()), addr))];
          if (declared && !v.has_anon_vma()) continue;
          p.mapping = Mapping{Mapping::Kind::Anon, v.anon_vma};
          p.index = v.linear_page_index(addr);
        }
    };
    // Anon: the anon_vma of the first vma mapping it.
    if (p.mapping.kind == Mapping::Kind::None && p.mapcount > 0)
      anon_of_first(false, [&](const Pte& pte) { return pte.is_present() && pte.page == i; });
    // Unmapped but still PageAnon: swapped out by reclaim's try_to_unmap (page_remove_rmap
    // leaves page->mapping), so its anon_vma is that of the first vma whose swap pte holds
    // its slot (and its index that address's linear index).
    if (p.mapping.kind == Mapping::Kind::None && p.mapcount == 0 && d.flag_anon && !d.flag_ksm &&
        p.test(PG_swapcache) && p.swap_entry != 0 && !p.PageTransHuge())
      anon_of_first(true, [&](const Pte& pte) { return pte.is_swap() && pte.entry == p.swap_entry; });
    if (p.mapping.kind == Mapping::Kind::Anon && !p.PageTransHuge()) {
      // rmap_walk_anon finds a pte only at vma_address(): each vma mapping the
      // page must give it the same linear index (vm_pgoff).
      for (const MmStruct& m : k.mms)
        for (const auto& [addr, slot] : m.ptes) {
          if (!slot.pte.is_present() || slot.pte.page != i) continue;
          const Vma& v = k.vmas[static_cast<std::size_t>(k.find_vma(static_cast<std::uint32_t>(&m - k.mms.data()), addr))];
          if (v.linear_page_index(addr) != p.index)
            throw InputError(file, d.ptr, "page " + p.name + " is mapped at " + k.where(static_cast<std::uint32_t>(&m - k.mms.data()), addr) +
                                              " with linear index " + std::to_string(v.linear_page_index(addr)) +
                                              " (vm_pgoff) but at index " + std::to_string(p.index) +
                                              " elsewhere: an rmap walk could not find one of them");
        }
    }
    if (p.test(PG_swapcache)) ++p.refcount;  // the swap cache's reference
    p.pins = static_cast<int>(d.pins);
    p.refcount += p.pins;  // mm/gup.c: each get_user_pages reference (a pin held all run)
    if (p.PageKsm() != d.flag_ksm)
      throw InputError(file, d.ptr + "/flags",
                       d.flag_ksm ? "page " + p.name + " is marked Ksm but no stable node names it"
                                  : "page " + p.name + " is the page of a stable node: add flag Ksm");
    if (p.PageAnon() != d.flag_anon)
      throw InputError(file, d.ptr + "/flags",
                       d.flag_anon ? "page " + p.name + " is marked Anon but nothing maps it (a swap-cache page stays Anon "
                                                     "while a swap pte of its slot, in a vma with an anon_vma, names it)"
                                   : "page " + p.name + " is mapped (or KSM): add flag Anon");
    if (d.mapcount && *d.mapcount != p.mapcount)
      throw InputError(file, d.ptr + "/mapcount", "mapcount " + std::to_string(*d.mapcount) + " but " +
                                                      std::to_string(p.mapcount) + (p.PageTransHuge() ? " huge pmds map " : " present ptes map ") + p.name);
    if (d.refcount && *d.refcount != p.refcount) {
      // refcount = mapcount + swap cache + pins: an extra reference must be declared as "pins".
      const std::string held = " references its mappings, swap cache and pins hold";
      if (*d.refcount < p.refcount)
        throw InputError(file, d.ptr + "/refcount", "refcount " + std::to_string(*d.refcount) +
                                                        " is below the " + std::to_string(p.refcount) + held);
      throw InputError(file, d.ptr + "/refcount",
                       "refcount " + std::to_string(*d.refcount) + " is above the " + std::to_string(p.refcount) +
                           held + ": declare the extra references as \"pins\": " +
                           std::to_string(*d.refcount - p.refcount + p.pins));
    }
    if (!p.in_free_pool && p.refcount == 0 && !p.offlined)
      throw InputError(file, d.ptr, "page " + p.name + " is neither free nor referenced: add \"free\": true");
    if (p.in_free_pool) k.free_pool.push_back(static_cast<PageId>(i));
  }
  in.done();
  if (!zero_ptes.empty()) {
    add_zero_page(k);
    for (const auto& [mm, addr] : zero_ptes) {
      k.mms[mm].ptes.at(addr).pte = Pte::present(k.zero_page, false, false, !zero_old.count({mm, addr}));
      k.ever_mapped.insert({mm, addr, k.pages[k.zero_page].pfn});  // 4.19's hmm_valid_pfn_mapped
    }
  }
  if (!huge_zero_pmds.empty()) {
    add_huge_zero_page(k);
    for (const auto& [mm, addr] : huge_zero_pmds) {
      k.mms[mm].pmds.at(addr).pmd = Pmd::huge(k.huge_zero_page, false, false);
      k.ever_mapped_huge.insert({mm, addr, k.huge_zero_page});  // hmm_valid_pfn_mapped
    }
  }
  return k;
}

// mm/memory.c v2.6.33, v3.9: the zero page (ZERO_PAGE(0), my_zero_pfn), PG_reserved
void add_zero_page(Kernel& k) {
  if (k.zero_page != kNoPage) return;
  Page z;
  z.name = "ZERO_PAGE";
  z.pfn = k.pages.empty() ? 0x1000 : k.pages.back().pfn + k.pages.back().nr_pages;
  z.refcount = 1;  // never freed
  z.flags = PG_uptodate;
  z.content = 0;
  z.reserved = true;
  k.zero_page = static_cast<PageId>(k.pages.size());
  k.pages.push_back(std::move(z));
}

// mm/huge_memory.c v4.19: get_huge_zero_page (alloc_pages(GFP_TRANSHUGE | __GFP_ZERO,
// HPAGE_PMD_ORDER), kept until the shrinker finds huge_zero_refcount at 1)
void add_huge_zero_page(Kernel& k) {
  if (k.huge_zero_page != kNoPage) return;
  Page z;
  z.name = "HUGE_ZERO_PAGE";
  z.pfn = k.pages.empty() ? 0x1000 : k.pages.back().pfn + k.pages.back().nr_pages;
  z.nr_pages = 512;  // HPAGE_PMD_NR
  z.refcount = 1;    // never freed during a run
  z.flags = PG_uptodate;
  z.content = 0;
  z.reserved = true;
  k.huge_zero_page = static_cast<PageId>(k.pages.size());
  k.pages.push_back(std::move(z));
}

}  // namespace model
