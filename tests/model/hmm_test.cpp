// hmm_test.cpp: kernel 4.19's pmd level, THP migration and HMM walkers, one
// thread at a time (each pmd path and each classification of hmm_vma_walk_pmd
// before and after d08faca018c4), and the bad input of their scenario fields.
// Expected pfns are derived by hand: pages get pfns from 0x1000 up in listing
// order (T: 0x1000..0x1003, T2: 0x1004..0x1007, P: 0x1008, P2: 0x1009).
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include <model/hmm.h>
#include <model/migrate_v4_19.h>
#include <model/pmd.h>
#include <model/scenario.h>

#include "model_fixture.h"

#include <CppUTest/TestHarness.h>

namespace {

using model::HMM_PFN_ERROR;
using model::HMM_PFN_NONE;
using model::HMM_PFN_VALID;
using model::HMM_PFN_WRITE;
using model_test::maps;
using model::hmm_pfn_from_pfn;
using model::Pmd;

nlohmann::json initial_419() {
  return nlohmann::json::parse(R"({
    "numa_nodes": 2,
    "pages": [
      { "name": "T", "nid": 0, "subpages": 4, "flags": ["Anon", "Uptodate", "LRU"] },
      { "name": "T2", "nid": 1, "subpages": 4, "free": true },
      { "name": "P", "nid": 0, "flags": ["Anon", "Uptodate", "LRU"] },
      { "name": "P2", "nid": 1, "free": true }
    ],
    "mms": [
      { "name": "A", "vmas": [ { "start": "0x200000", "end": "0x600000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "avA" } ] }
    ],
    "pmds": [
      { "mm": "A", "address": "0x200000", "pmd": "huge", "page": "T", "writable": true },
      { "mm": "A", "address": "0x400000", "pmd": "table" }
    ],
    "ptes": [ { "mm": "A", "address": "0x400000", "pte": "present", "page": "P", "writable": true } ],
    "hmm_ranges": [
      { "name": "R", "mm": "A", "start": "0x200000", "end": "0x204000", "pfns": ["VALID", "VALID", "VALID|WRITE", "VALID"] },
      { "name": "RP", "mm": "A", "start": "0x400000", "end": "0x401000", "pfns": ["0"] }
    ]
  })");
}

constexpr model::PageId T = 0, T2 = 1, P = 2, P2 = 3;
constexpr std::uint32_t mmA = 0, R = 0, RP = 1;
constexpr std::uint64_t kT = 0x1000, kT2 = 0x1004, kP = 0x1008, kP2 = 0x1009;

model::Kernel kernel_419(bool fixed, const char* layout = "pmd_bad") {
  model::KernelConfig config;
  config.era = model::Era::V4_19;
  if (!fixed) config.reverted.push_back(model::Fix::HmmMigrationPmd);
  nlohmann::json j = initial_419();
  j["migration_pmd_predicates"] = layout;
  return model::parse_initial_state(j, "hmm", "/initial", config);
}

/// Run `body` alone on a fresh copy of `k`; return the verdict, keep the state.
checker::Verdict run_alone(model_test::OneThread& p) { return model_test::explore_once(p).verdict; }

/// Put the pmd over 0x200000 in `pmd` (setup inside the thread: nothing else runs).
void set_pmd(model::Kernel& k, const Pmd& pmd) { k.pmd_slot(mmA, 0x200000)->pmd = pmd; }

}  // namespace

TEST_GROUP(PmdPredicates){};

// x86-64 v4.19 bit analysis (pmd.h): none 0; table _KERNPG_TABLE; huge PRESENT|PSE;
// invalidated PSE without PRESENT; migration ~offset in bits 9..58 (bit 58 set on the
// L1TF layout), PRESENT and PSE clear.
TEST(PmdPredicates, EachValueAsX86SeesIt) {
  using L = model::MigrationPmdLayout;
  const Pmd none = Pmd::none(), table = Pmd::table(), huge = Pmd::huge(T, true, true), inv = Pmd::invalidated(T, true, true),
            migr = Pmd::migration(T, true);
  CHECK(model::pmd_none(none) && !model::pmd_none(table) && !model::pmd_none(migr));
  CHECK(model::pmd_present(table) && model::pmd_present(huge) && model::pmd_present(inv));
  CHECK(!model::pmd_present(migr) && !model::pmd_present(none));
  CHECK(model::pmd_trans_huge(huge) && model::pmd_trans_huge(inv));
  CHECK(!model::pmd_trans_huge(migr) && !model::pmd_trans_huge(table));
  CHECK(!model::pmd_devmap(migr, L::PmdBad) && model::pmd_devmap(migr, L::PmdDevmap));
  CHECK(!model::pmd_devmap(huge, L::PmdDevmap));
  // _PAGE_DIRTY is read off a present pmd only (a swap pmd's bit 6 is part of its offset)
  CHECK(model::pmd_dirty(huge) && model::pmd_dirty(inv) && !model::pmd_dirty(migr));
  CHECK(!model::pmd_dirty(Pmd::huge(T, false, false)) && !model::pmd_dirty(none));
  // pmd_bad: (pmd_flags(pmd) & ~_PAGE_USER) != _KERNPG_TABLE, so a none pmd (no flags) is bad too.
  CHECK(model::pmd_bad(migr) && model::pmd_bad(huge) && !model::pmd_bad(table) && model::pmd_bad(none));
  CHECK(model::is_pmd_migration_entry(migr) && !model::is_pmd_migration_entry(inv));
  CHECK(model::is_swap_pmd(migr) && !model::is_swap_pmd(none) && !model::is_swap_pmd(huge));
  // pmd_pfn of the migration entry of pfn 0x1000: bits 3..42 of ~0x1000 = 2^40 - 1 - 0x200.
  LONGS_EQUAL(0xfffffffdffULL, model::migration_pmd_misread_pfn(0x1000));
}

TEST_GROUP(HmmWalk){};

TEST(HmmWalk, HugePmdGivesTheSubpagesPfns) {
  for (bool fixed : {false, true}) {
    model_test::OneThread p(kernel_419(fixed), [](model::Kernel& k) { model::hmm_vma_fault(k, R, true); });
    CHECK(run_alone(p) == checker::Verdict::Pass);
    const model::HmmRange& r = p.kernel->hmm_ranges[R];
    LONGS_EQUAL(0, r.ret);
    for (std::uint64_t i = 0; i < 4; ++i)
      CHECK_EQUAL(hmm_pfn_from_pfn(kT + i) | HMM_PFN_WRITE, r.pfns[i]);  // pmd_write: VALID|WRITE
  }
}

TEST(HmmWalk, NonePmdInSnapshotModeIsNone) {
  model_test::OneThread p(kernel_419(true), [](model::Kernel& k) {
    set_pmd(k, Pmd::none());
    model::hmm_vma_get_pfns(k, R);
  });
  CHECK(run_alone(p) == checker::Verdict::Pass);
  for (std::uint64_t v : p.kernel->hmm_ranges[R].pfns) CHECK_EQUAL(HMM_PFN_NONE, v);
}

TEST(HmmWalk, RevertedMigrationPmdIsErrorOnTheBadLayout) {
  model_test::OneThread p(kernel_419(false, "pmd_bad"), [](model::Kernel& k) {
    set_pmd(k, Pmd::migration(T, true));
    model::hmm_vma_get_pfns(k, R);
  });
  CHECK(run_alone(p) == checker::Verdict::Pass);
  LONGS_EQUAL(0, p.kernel->hmm_ranges[R].ret);
  for (std::uint64_t v : p.kernel->hmm_ranges[R].pfns) CHECK_EQUAL(HMM_PFN_ERROR, v);
}

TEST(HmmWalk, RevertedMigrationPmdIsBogusValidOnTheDevmapLayout) {
  model_test::OneThread p(kernel_419(false, "pmd_devmap"), [](model::Kernel& k) {
    set_pmd(k, Pmd::migration(T, true));
    model::hmm_vma_get_pfns(k, R);
  });
  CHECK(run_alone(p) == checker::Verdict::Pass);
  const auto& pfns = p.kernel->hmm_ranges[R].pfns;
  for (std::uint64_t i = 0; i < 4; ++i)
    CHECK_EQUAL(hmm_pfn_from_pfn(0xfffffffdffULL + i), pfns[i]);  // pmd_write of a swap pmd: no WRITE
}

TEST(HmmWalk, RevertedStepCheckCatchesTheMigrationPmd) {
  model_test::OneThread p(
      kernel_419(false, "pmd_bad"),
      [](model::Kernel& k) {
        set_pmd(k, Pmd::migration(T, true));
        model::hmm_vma_get_pfns(k, R);
      },
      {"hmm_no_spurious_error"});
  CHECK(run_alone(p) == checker::Verdict::Violation);
}

TEST(HmmWalk, FixedSnapshotLeavesAMigrationPmdAlone) {
  for (const char* layout : {"pmd_bad", "pmd_devmap"}) {
    model_test::OneThread p(kernel_419(true, layout), [](model::Kernel& k) {
      set_pmd(k, Pmd::migration(T, true));
      model::hmm_vma_get_pfns(k, R);
    });
    CHECK(run_alone(p) == checker::Verdict::Pass);
    const model::HmmRange& r = p.kernel->hmm_ranges[R];
    LONGS_EQUAL(0, r.ret);
    CHECK(r.pfns == r.requested);  // returns 0 without writing the entries
  }
}

TEST(HmmWalk, InvalidatedPmdStillLooksHuge) {
  model_test::OneThread p(kernel_419(true), [](model::Kernel& k) {
    set_pmd(k, Pmd::invalidated(T, false, false));
    model::hmm_vma_get_pfns(k, R);
  });
  CHECK(run_alone(p) == checker::Verdict::Pass);
  CHECK_EQUAL(hmm_pfn_from_pfn(kT + 2), p.kernel->hmm_ranges[R].pfns[2]);
}

TEST(HmmWalk, PteLevelPresentAndMigrationEntries) {
  model_test::OneThread p(kernel_419(true), [](model::Kernel& k) { model::hmm_vma_get_pfns(k, RP); });
  CHECK(run_alone(p) == checker::Verdict::Pass);
  CHECK_EQUAL(hmm_pfn_from_pfn(kP) | HMM_PFN_WRITE, p.kernel->hmm_ranges[RP].pfns[0]);
  model_test::OneThread q(kernel_419(true), [](model::Kernel& k) {
    k.pte_slot(mmA, 0x400000)->pte = model::Pte::migration(P, true);
    model::hmm_vma_get_pfns(k, RP);  // snapshot: a pte migration entry is NONE
  });
  CHECK(run_alone(q) == checker::Verdict::Pass);
  CHECK_EQUAL(HMM_PFN_NONE, q.kernel->hmm_ranges[RP].pfns[0]);
}

TEST_GROUP(PmdPaths){};

TEST(PmdPaths, ThpMigrationAloneMovesTheHugePmd) {
  model_test::OneThread p(kernel_419(true), [](model::Kernel& k) { model::v4_19::migrate_pages(k, T, 1, 1); },
                          {"page_counts_consistent", "no_leftover_migration_entry", "no_migration_entry_at_unlock"});
  CHECK(run_alone(p) == checker::Verdict::Pass);
  const model::Kernel& k = *p.kernel;
  // remove_migration_pmd: pmd_mkold(mk_huge_pmd(new)), no pmd_mkdirty; writable again (a write entry)
  CHECK(k.pmd_slot(mmA, 0x200000)->pmd == Pmd::huge(T2, true, false));
  CHECK(k.pages[T].freed);
  LONGS_EQUAL(1, k.pages[T2].mapcount);
  LONGS_EQUAL(1, k.pages[T2].refcount);  // the huge pmd's reference
  CHECK_EQUAL(kT2, k.pages[T2].pfn);
}

TEST(PmdPaths, PteMigrationAloneMovesThePte) {
  model_test::OneThread p(kernel_419(true), [](model::Kernel& k) { model::v4_19::migrate_pages(k, P, 1, 1); },
                          {"page_counts_consistent", "no_leftover_migration_entry"});
  CHECK(run_alone(p) == checker::Verdict::Pass);
  CHECK(maps(p.kernel->pte_slot(mmA, 0x400000)->pte, P2, true));
  CHECK_EQUAL(kP2, p.kernel->pages[P2].pfn);
}

TEST(PmdPaths, MigrationFailsAndRestoresTheHugePmdWhenReferenced) {
  // An extra reference (a fault's get_page_unless_zero) makes migrate_page_move_mapping refuse.
  model_test::OneThread p(kernel_419(true), [](model::Kernel& k) {
    ++k.pages[T].refcount;
    model::v4_19::migrate_pages(k, T, 1, 1);
    --k.pages[T].refcount;
  },
                          {"page_counts_consistent", "no_leftover_migration_entry"});
  CHECK(run_alone(p) == checker::Verdict::Pass);
  CHECK(p.kernel->pmd_slot(mmA, 0x200000)->pmd == Pmd::huge(T, true, false));  // restored clean, as above
  CHECK(p.kernel->pages[T2].freed);
}

TEST(PmdPaths, AccessToAHugePmdNeedsNoFault) {
  model_test::OneThread p(kernel_419(true), [](model::Kernel& k) { model::v4_19::user_access(k, mmA, 0x201000, true); });
  checker::Report r = model_test::explore_once(p);
  CHECK(r.verdict == checker::Verdict::Pass);
  LONGS_EQUAL(1, r.stats.total_steps);  // the hardware walk's one read of the pmd
}

TEST_GROUP(HmmInput){};

namespace {

nlohmann::json scenario_419() {
  nlohmann::json j;
  j["name"] = "t/hmm";
  j["summary"] = "s";
  j["kernel"] = "4.19";
  j["initial"] = initial_419();
  j["threads"] = nlohmann::json::parse(R"([{ "name": "G", "actor": "hmm_vma_fault", "args": { "range": "R" } }])");
  j["expect"] = nlohmann::json::parse(R"({ "result": "pass" })");
  return j;
}

std::string error_of(const std::function<void(nlohmann::json&)>& edit) {
  nlohmann::json j = scenario_419();
  edit(j);
  try {
    model::Scenario::parse(j, "t.json");
  } catch (const model::InputError& e) {
    return e.what();
  }
  return "<none>";
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST(HmmInput, ValidLoads) { STRCMP_EQUAL("<none>", error_of([](nlohmann::json&) {}).c_str()); }

TEST(HmmInput, HugePmdOfASmallPage) {
  std::string e = error_of([](nlohmann::json& j) { j["initial"]["pmds"][0]["page"] = "P"; });
  CHECK(has(e, "t.json: at /initial/pmds/0/page: page P is not a compound page"));
}

TEST(HmmInput, PteUnderAHugePmd) {
  std::string e = error_of([](nlohmann::json& j) { j["initial"]["ptes"][0]["address"] = "0x201000"; });
  CHECK(has(e, "at /initial/ptes/0/address: the pmd over A:0x201000 is huge(T,rw,dirty), not a table of ptes"));
}

TEST(HmmInput, HugePmdNeedsAVmaOverItsWhole2MiB) {
  std::string e = error_of([](nlohmann::json& j) { j["initial"]["mms"][0]["vmas"][0]["end"] = "0x300000"; });
  CHECK(has(e, "at /initial/pmds/0/address: a huge pmd needs one vma"));
}

TEST(HmmInput, RangeOutsideAnyVma) {
  std::string e = error_of([](nlohmann::json& j) {
    j["initial"]["hmm_ranges"][0]["start"] = "0x100000";
  });
  CHECK(has(e, "at /initial/hmm_ranges/0/start: no vma of mm A contains this address"));
}

TEST(HmmInput, PfnsOfTheWrongLength) {
  std::string e = error_of([](nlohmann::json& j) { j["initial"]["hmm_ranges"][0]["pfns"].erase(0); });
  CHECK(has(e, "at /initial/hmm_ranges/0/pfns: pfns has 3 entries but the range has 4 pages"));
}

TEST(HmmInput, RangeBeyondTheThpsSubpages) {
  std::string e = error_of([](nlohmann::json& j) {
    j["initial"]["hmm_ranges"][0]["end"] = "0x205000";
    j["initial"]["hmm_ranges"][0]["pfns"].push_back("VALID");
  });
  CHECK(has(e, "at /initial/hmm_ranges/0/end: the range covers A:0x204000, subpage 4 of T"));
}

TEST(HmmInput, PmdsAreRefusedBefore419) {
  std::string e = error_of([](nlohmann::json& j) {
    j["kernel"] = "3.9";
    j["initial"]["pages"][0].erase("subpages");
    j["initial"]["pages"][1].erase("subpages");
  });
  CHECK(has(e, "at /initial/pmds: the pmd level is modelled in kernel 4.19 only"));
}

TEST(HmmInput, UnknownRangeAndLayout) {
  CHECK(has(error_of([](nlohmann::json& j) { j["threads"][0]["args"]["range"] = "X"; }),
            "at /threads/0/args/range: no hmm range named \"X\""));
  CHECK(has(error_of([](nlohmann::json& j) { j["initial"]["migration_pmd_predicates"] = "pmd_none"; }),
            "at /initial/migration_pmd_predicates: unknown value \"pmd_none\""));
}

TEST(HmmInput, FaultsTheModelDoesNotHaveAreRefused) {
  // RP's page is requested but its pte is none: hmm_vma_fault reaches do_anonymous_page
  // (modelled since kernel 4.19's fault paths; a read maps the zero page): it loads.
  std::string e = error_of([](nlohmann::json& j) {
    j["initial"]["ptes"][0]["pte"] = "none";
    j["initial"]["ptes"][0].erase("page");
    j["initial"]["ptes"][0].erase("writable");
    j["initial"]["pages"][2]["flags"] = nlohmann::json::array({"Uptodate", "LRU"});
    j["initial"]["pages"][2]["pins"] = 1;  // referenced, not mapped
    j["initial"]["hmm_ranges"][1]["pfns"][0] = "VALID";
    j["threads"][0]["args"]["range"] = "RP";
  });
  STRCMP_EQUAL("<none>", e.c_str());
  // A requested page under a none pmd would reach create_huge_pmd: refused.
  e = error_of([](nlohmann::json& j) {
    j["initial"]["hmm_ranges"][1]["start"] = "0x600000";
    j["initial"]["hmm_ranges"][1]["end"] = "0x601000";
    j["initial"]["hmm_ranges"][1]["pfns"][0] = "VALID";
    j["initial"]["mms"][0]["vmas"][0]["end"] = "0x800000";
    j["initial"]["pmds"].push_back(nlohmann::json::parse(R"({ "mm": "A", "address": "0x600000", "pmd": "none" })"));
    j["threads"][0]["args"]["range"] = "RP";
  });
  CHECK(has(e, "at /threads/0/args/range: unsupported: hmm_vma_fault of range RP: a fault at A:0x600000 finds pmd none: "
               "create_huge_pmd (declare the vma VM_HUGEPAGE, covering the 2 MiB) and __pte_alloc are not modelled"));
}

TEST_GROUP(HmmInvariants){};

// A remap the notifier never heard of (pmd set behind the walker's back): the fault-mode
// result names T while T2 is mapped, and the range is still valid: I-004b must object.
TEST(HmmInvariants, FaultCompleteRejectsAStalePfn) {
  model_test::OneThread p(
      kernel_419(true),
      [](model::Kernel& k) {
        model::hmm_vma_fault(k, R, true);
        k.pages[T2].in_free_pool = false;
        set_pmd(k, Pmd::huge(T2, true, true));
      },
      {"hmm_fault_complete"});
  CHECK(run_alone(p) == checker::Verdict::Violation);
  model_test::OneThread q(kernel_419(true), [](model::Kernel& k) { model::hmm_vma_fault(k, R, true); },
                          {"hmm_fault_complete", "hmm_valid_pfn_mapped", "hmm_no_error_pfn"});
  CHECK(run_alone(q) == checker::Verdict::Pass);
}

TEST(HmmInvariants, ValidPfnMustHaveBeenMappedThere) {
  model_test::OneThread p(
      kernel_419(true),
      [](model::Kernel& k) {
        model::hmm_vma_get_pfns(k, R);
        k.hmm_ranges[R].pfns[1] = hmm_pfn_from_pfn(kP);  // P is mapped, but at 0x400000, not 0x201000
      },
      {"hmm_valid_pfn_mapped"});
  CHECK(run_alone(p) == checker::Verdict::Violation);
}

// A struct hmm_range is its walker's own: a second walker of the same declared range is bad
// input naming both threads; a second range of its own loads.
TEST(HmmInput, TwoWalkersOfOneRangeAreRefused) {
  std::string e = error_of([](nlohmann::json& j) {
    j["threads"].push_back({{"name", "Z"}, {"actor", "hmm_vma_get_pfns"}, {"args", {{"range", "R"}}}});
  });
  CHECK_TEXT(has(e, "t.json: at /threads/1/args/range: hmm range \"R\" is already walked by thread \"G\": each walker "
                    "needs its own range"),
             e.c_str());
  e = error_of([](nlohmann::json& j) {
    nlohmann::json r2 = j["initial"]["hmm_ranges"][0];
    r2["name"] = "R2";
    j["initial"]["hmm_ranges"].push_back(r2);
    j["threads"].push_back({{"name", "Z"}, {"actor", "hmm_vma_get_pfns"}, {"args", {{"range", "R2"}}}});
  });
  STRCMP_EQUAL("<none>", e.c_str());
}
