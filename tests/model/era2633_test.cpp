// era2633_test.cpp: single-threaded runs of the 2.6.33 paths (seeds 001, 002)
// on a small state, each asserting the state the kernel leaves behind as
// derived by hand from the v2.6.33 sources; and bad input for the 2.6.33
// fields and actors (one InputError naming the JSON pointer).
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include <model/scenario.h>
#include <model/ksm.h>
#include <model/v2_6_33.h>

#include "model_fixture.h"

#include <CppUTest/TestHarness.h>

using namespace model;
using model_test::OneThread;
using model_test::maps;

namespace {

/// KSM page K (section X, node 0) mapped read-only by A and B at 0x1000 through
/// stable node S (rmap_items RA, RB); free pages N, N2 on node 1 (section Y).
/// PageIds: K=0, N=1, N2=2.
nlohmann::json era2633_initial() {
  nlohmann::json initial = model_test::seed000_scenario()["initial"];
  initial["pages"].push_back({{"name", "N2"}, {"nid", 1}, {"free", true}});
  initial["memory_sections"] = nlohmann::json::parse(R"([
      { "name": "X", "first": "K", "last": "K", "state": "online" },
      { "name": "Y", "first": "N", "last": "N2", "state": "online" }
    ])");
  return initial;
}

constexpr PageId K = 0, N = 1;
constexpr std::uint32_t mA = 0, mB = 1, nodeS = 0, itemRA = 0, avA = 0;

Kernel era2633_kernel(std::vector<Fix> reverted = {}) {
  KernelConfig config;
  config.era = Era::V2_6_33;
  config.reverted = std::move(reverted);
  return parse_initial_state(era2633_initial(), "era2633", "/initial", config);
}

const Pte& pte_at(const Kernel& k, std::uint32_t mm, std::uint64_t addr) { return k.mms.at(mm).ptes.at(addr).pte; }

std::string violation_of(const checker::Report& r) {
  return r.counterexample ? r.counterexample->violation.message : std::string("<none>");
}

/// The hot-remove migration of K alone: isolate, migrate_pages(offlining=1), as do_migrate_range does.
void migrate_k(Kernel& k, int offlining) {
  if (v2_6_33::isolate_lru_page(k, K) == 0) v2_6_33::migrate_pages(k, {K}, 1, offlining, 1);
}

}  // namespace

TEST_GROUP(Era2633Config){};

// Reverting a commit reverts its parts; a part alone leaves the rest; another era has none of them.
TEST(Era2633Config, PartsFollowTheirCommit) {
  KernelConfig whole;
  whole.era = Era::V2_6_33;
  whole.reverted = {Fix::RmapWalkMigrationPtes};
  CHECK_FALSE(whole.applied(Fix::RmapWalkRemoveMigrationPtes));
  CHECK_FALSE(whole.applied(Fix::KsmMigratePage));
  CHECK_TRUE(whole.applied(Fix::HotremoveKsmMutex));
  KernelConfig part2;
  part2.era = Era::V2_6_33;
  part2.reverted = {Fix::KsmMigrateOnlyOfflining};
  CHECK_TRUE(part2.applied(Fix::HotremoveKsmMutex));
  CHECK_FALSE(part2.applied(Fix::KsmMigrateOnlyOfflining));
  CHECK_TRUE(part2.applied(Fix::StableNodeKpfnPrune));
  KernelConfig v39;
  CHECK_FALSE(v39.applied(Fix::KsmMigratePage));
  CHECK(find_fix("62b61f611eb5/3")->fix == Fix::StableNodeKpfnPrune);
  POINTERS_EQUAL(nullptr, find_fix("e9995ef978a7/3"));
}

TEST_GROUP(Era2633Migration){};

// Fixed: K's two ptes come back as N's, S follows to N, K is freed.
// Counts: K 2 (ptes) + 1 (isolation) -> 1 after the unmap -> 0 at putback;
// N 1 (allocation) + 2 (restored ptes) - 1 (putback of the new page) = 2.
TEST(Era2633Migration, RmapWalkRestoresPtesAndKsmMigratePageMovesTheNode) {
  OneThread p(era2633_kernel(), [](Kernel& k) { migrate_k(k, 1); });
  checker::Report r = model_test::explore_once(p);
  STRCMP_EQUAL("<none>", violation_of(r).c_str());
  const Kernel& k = *p.kernel;
  CHECK(maps(pte_at(k, mA, 0x1000), N, false));
  CHECK(maps(pte_at(k, mB, 0x1000), N, false));
  LONGS_EQUAL(N, k.stable_nodes[nodeS].kpfn);
  CHECK_TRUE(k.pages[K].freed);
  LONGS_EQUAL(2, k.pages[N].mapcount);
  LONGS_EQUAL(2, k.pages[N].refcount);
  CHECK_TRUE(k.pages[N].PageKsm());
}

// Pre-001: the 2.6.32 anon path walks nothing (S is no anon_vma): both ptes keep
// migration(K) while K is unlocked and freed; without ksm_migrate_page S names K.
TEST(Era2633Migration, Pre001LeavesMigrationEntries) {
  OneThread p(era2633_kernel({Fix::RmapWalkMigrationPtes}), [](Kernel& k) { migrate_k(k, 1); });
  checker::Report r = model_test::explore_once(p);
  STRCMP_EQUAL("<none>", violation_of(r).c_str());
  const Kernel& k = *p.kernel;
  CHECK(pte_at(k, mA, 0x1000) == Pte::migration(K, false));
  CHECK(pte_at(k, mB, 0x1000) == Pte::migration(K, false));
  CHECK_TRUE(k.pages[K].freed);
  LONGS_EQUAL(K, k.stable_nodes[nodeS].kpfn);
  CHECK_FALSE(k.pages[K].PageLocked());
}

// The same walk with the step check on is the deterministic type-confusion failure.
TEST(Era2633Migration, Pre001TypeCheckFails) {
  OneThread p(era2633_kernel({Fix::RmapWalkMigrationPtes}), [](Kernel& k) { migrate_k(k, 1); },
              {"anon_rmap_walk_type"});
  checker::Report r = model_test::explore_once(p);
  CHECK(violation_of(r).find("an rmap walk over a mapping that is not an anon_vma: N->mapping is stable node S") !=
        std::string::npos);
}

// With 62b61f611eb5/2 a KSM page is refused after lock_page unless offlining: -EBUSY,
// ptes untouched, K back on the LRU with its two mapping references.
TEST(Era2633Migration, NumaMigrationRefusesKsmPage) {
  int rc = 1;
  OneThread p(era2633_kernel(), [&rc](Kernel& k) {
    v2_6_33::isolate_lru_page(k, K);
    rc = v2_6_33::unmap_and_move(k, K, 1, false, 0);
  });
  model_test::explore_once(p);
  const Kernel& k = *p.kernel;
  LONGS_EQUAL(-kEBUSY, rc);
  CHECK(maps(pte_at(k, mA, 0x1000), K, false));
  CHECK_TRUE(k.pages[K].test(PG_lru));
  LONGS_EQUAL(2, k.pages[K].refcount);
  CHECK_TRUE(k.pages[N].freed);  // the target page went back (freed: the pool never reuses it)
}

TEST_GROUP(Era2633Hotremove){};

// Hot-remove of X with K mapped: K migrates to N (node 1), X goes offline, K's struct page is poisoned.
TEST(Era2633Hotremove, OfflineMigratesAndPoisons) {
  long rc = 1;
  OneThread p(era2633_kernel(), [&rc](Kernel& k) { rc = v2_6_33::offline_pages(k, 0, 1, 1, 1); });
  checker::Report r = model_test::explore_once(p);
  STRCMP_EQUAL("<none>", violation_of(r).c_str());
  const Kernel& k = *p.kernel;
  LONGS_EQUAL(0, rc);
  CHECK(k.sections[0].state == MemorySection::State::Offline);
  CHECK_TRUE(k.pages[K].offlined);
  LONGS_EQUAL(N, k.stable_nodes[nodeS].kpfn);
  CHECK_FALSE(k.ksm.ksm_thread_mutex->is_locked());  // released at MEM_OFFLINE
}

// A and B unmap K first: K is freed with S left in the tree. Fixed, MEM_OFFLINE prunes
// S (and drops RA's and RB's anon_vma references, freeing the unmapped avA);
// with 62b61f611eb5/3 reverted S survives, naming an offlined page.
TEST(Era2633Hotremove, MemOfflinePrunesStaleNodes) {
  for (bool fixed : {true, false}) {
    OneThread p(era2633_kernel(fixed ? std::vector<Fix>{} : std::vector<Fix>{Fix::StableNodeKpfnPrune}),
                [](Kernel& k) {
                  v2_6_33::munmap(k, mA, 0x1000);
                  v2_6_33::munmap(k, mB, 0x1000);
                  v2_6_33::offline_pages(k, 0, 1, 1, 1);
                });
    checker::Report r = model_test::explore_once(p);
    STRCMP_EQUAL("<none>", violation_of(r).c_str());
    const Kernel& k = *p.kernel;
    CHECK_TRUE(k.pages[K].offlined);
    CHECK_EQUAL(fixed, k.stable_nodes[nodeS].freed);
    CHECK_EQUAL(fixed, k.anon_vmas[avA].freed);
    if (fixed) STRCMP_EQUAL("remove_node_from_stable_tree by T", k.stable_nodes[nodeS].freed_at.c_str());
  }
}

TEST_GROUP(Era2633Kasan){};

// After the reverted B run, get_ksm_page(S) reads the offlined K: KASAN names K and who offlined it.
TEST(Era2633Kasan, GetKsmPageOnOfflinedPage) {
  OneThread p(era2633_kernel({Fix::StableNodeKpfnPrune}), [](Kernel& k) {
    v2_6_33::munmap(k, mA, 0x1000);
    v2_6_33::munmap(k, mB, 0x1000);
    v2_6_33::offline_pages(k, 0, 1, 1, 1);
    v2_6_33::get_ksm_page(k, nodeS);
  });
  checker::Report r = model_test::explore_once(p);
  STRCMP_EQUAL("KASAN: use-after-free of struct page K in get_ksm_page (its memory section was offlined in "
               "offline_pages by T)",
               violation_of(r).c_str());
}

// get_ksm_page on a freed K (mapping NULL) removes S as stale and frees it; a second
// access to S is a use-after-free naming where S was freed. RA lost its STABLE_FLAG.
TEST(Era2633Kasan, StaleNodeFreedThenUsed) {
  PageId first = 0;
  bool ra_stable = true;
  OneThread p(era2633_kernel(), [&](Kernel& k) {
    v2_6_33::munmap(k, mA, 0x1000);
    v2_6_33::munmap(k, mB, 0x1000);
    first = v2_6_33::get_ksm_page(k, nodeS);
    ra_stable = k.rmap_items[itemRA].stable;
    v2_6_33::get_ksm_page(k, nodeS);
  });
  checker::Report r = model_test::explore_once(p);
  LONGS_EQUAL(kNoPage, first);
  CHECK_FALSE(ra_stable);
  STRCMP_EQUAL("KASAN: use-after-free of stable node S in get_ksm_page (freed in remove_node_from_stable_tree by T)",
               violation_of(r).c_str());
}

// ---- bad input ----

namespace {

nlohmann::json valid_2633() {
  nlohmann::json j;
  j["name"] = "t/2633";
  j["summary"] = "a valid 2.6.33 scenario";
  j["kernel"] = "2.6.33";
  j["initial"] = era2633_initial();
  j["threads"] = nlohmann::json::parse(R"([
    { "name": "H", "actor": "offline_pages", "args": { "section": "X", "to_node": 1 } },
    { "name": "F", "actor": "fault", "args": { "mm": "A", "address": "0x1000" } },
    { "name": "M", "actor": "mbind", "args": { "mm": "A", "start": "0x1000", "end": "0x2000", "to_node": 1 } },
    { "name": "R", "actor": "page_referenced", "args": { "page": "K" } },
    { "name": "T", "actor": "munmap", "args": { "mm": "A", "address": "0x1000" } },
    { "name": "E", "actor": "exit", "args": { "mm": "B" } },
    { "name": "KSMD", "actor": "ksmd", "args": { "pages": 1 } }
  ])");
  j["invariants"] = {"ksm_migrate_only_offlining", "no_stable_node_in_offlined_range"};
  j["expect"] = {{"result", "pass"}};
  return j;
}

std::string error_of(const std::function<void(nlohmann::json&)>& edit, std::string* message = nullptr) {
  nlohmann::json j = valid_2633();
  edit(j);
  return model_test::load_error_pointer(j, message);
}

}  // namespace

TEST_GROUP(Era2633Input){};

TEST(Era2633Input, ValidLoads) { STRCMP_EQUAL("<none>", error_of([](nlohmann::json&) {}).c_str()); }

TEST(Era2633Input, SectionsOnlyIn2633) {
  std::string msg;
  STRCMP_EQUAL("/initial/memory_sections", error_of([](nlohmann::json& j) {
                 j["kernel"] = "3.9";
                 j["threads"] = nlohmann::json::parse(R"([{ "actor": "ksmd" }])");
                 j.erase("invariants");
               }, &msg).c_str());
  CHECK(msg.find("kernel 2.6.33 only") != std::string::npos);
}

TEST(Era2633Input, BadSections) {
  STRCMP_EQUAL("/initial/memory_sections/1/first", error_of([](nlohmann::json& j) {
                 j["initial"]["memory_sections"][1]["first"] = "K";
               }).c_str());
  STRCMP_EQUAL("/initial/memory_sections/0/state", error_of([](nlohmann::json& j) {
                 j["initial"]["memory_sections"][0]["state"] = "going_offline";
               }).c_str());
  STRCMP_EQUAL("/initial/memory_sections/0/state", error_of([](nlohmann::json& j) {
                 j["initial"]["memory_sections"][0]["state"] = "offline";  // K is mapped
               }).c_str());
  STRCMP_EQUAL("/initial/memory_sections/0/last", error_of([](nlohmann::json& j) {
                 j["initial"]["memory_sections"][0]["last"] = "Z";
               }).c_str());
  STRCMP_EQUAL("/initial/memory_sections/0/size", error_of([](nlohmann::json& j) {
                 j["initial"]["memory_sections"][0]["size"] = 1;
               }).c_str());
}

TEST(Era2633Input, EraOnlyFields) {
  STRCMP_EQUAL("/initial/ksm/merge_across_nodes", error_of([](nlohmann::json& j) {
                 j["initial"]["ksm"]["merge_across_nodes"] = true;
               }).c_str());
  // A swap pte loads in 2.6.33 beside this scenario's migrators (swap2633_test.cpp).
  STRCMP_EQUAL("<none>", error_of([](nlohmann::json& j) {
                 j["initial"]["mms"][0]["vmas"][0]["end"] = "0x3000";
                 j["initial"]["ptes"].push_back({{"mm", "A"}, {"address", "0x2000"}, {"pte", "swap"}, {"entry", 3}});
               }).c_str());
  STRCMP_EQUAL("/initial/rmap_items/0/unstable", error_of([](nlohmann::json& j) {
                 j["initial"]["rmap_items"][0]["unstable"] = true;  // RA is stable
               }).c_str());
}

TEST(Era2633Input, BadActorArgs) {
  STRCMP_EQUAL("/threads/0/args/section", error_of([](nlohmann::json& j) {
                 j["threads"][0]["args"]["section"] = "W";
               }).c_str());
  STRCMP_EQUAL("/threads/0/args/rounds", error_of([](nlohmann::json& j) {
                 j["threads"][0]["args"]["rounds"] = 9;
               }).c_str());
  STRCMP_EQUAL("/threads/1/args/address", error_of([](nlohmann::json& j) {
                 j["threads"][1]["args"]["address"] = "0x5000";
               }).c_str());
  STRCMP_EQUAL("/threads/2/args/end", error_of([](nlohmann::json& j) {
                 j["threads"][2]["args"]["end"] = "0x3000";
               }).c_str());
  STRCMP_EQUAL("/threads/3/args/page", error_of([](nlohmann::json& j) {
                 j["threads"][3]["args"]["page"] = "N2x";  // no such page
               }).c_str());
  STRCMP_EQUAL("/threads/6/args/turbo", error_of([](nlohmann::json& j) {
                 j["threads"][6]["args"]["turbo"] = true;
               }).c_str());
}

TEST(Era2633Input, ActorsAndInvariantsOfOtherEras) {
  std::string msg;
  STRCMP_EQUAL("/threads/0/actor", error_of([](nlohmann::json& j) {
                 j["threads"][0] = {{"actor", "migrate_pages"}, {"args", {{"page", "K"}, {"to_node", 1}}}};
               }, &msg).c_str());
  CHECK(msg.find("not modelled in kernel 2.6.33") != std::string::npos);
  STRCMP_EQUAL("/invariants/0", error_of([](nlohmann::json& j) { j["invariants"] = {"stable_trees_empty_at_flip"}; }).c_str());
  STRCMP_EQUAL("/reverted/0", error_of([](nlohmann::json& j) { j["reverted"] = {"cbf86cfe04a6/1"}; }).c_str());
}

TEST_GROUP(Era2633Fork){};

// 2.6.33 dup_mmap links the child's vma to the parent's anon_vma itself (no
// anon_vma_chain), copies K's pte (K: 2 -> 3 mappings) and registers the child with KSM.
TEST(Era2633Fork, ChildJoinsTheParentsAnonVma) {
  nlohmann::json init = era2633_initial();
  model_test::add_fork_child(init);
  KernelConfig config;
  config.era = Era::V2_6_33;
  OneThread p(parse_initial_state(init, "fork", "/initial", config), [](Kernel& k) { v2_6_33::dup_mmap(k, 2, mA); });
  checker::Report r = model_test::explore_once(p);
  STRCMP_EQUAL("<none>", violation_of(r).c_str());
  const Kernel& k = *p.kernel;
  LONGS_EQUAL(avA, k.vmas[2].anon_vma);
  LONGS_EQUAL(2, k.anon_vmas[avA].vmas.size());
  CHECK_TRUE(k.anon_vmas[2].vmas.empty());  // avC, the placeholder
  CHECK(maps(pte_at(k, 2, 0x1000), K, false));
  LONGS_EQUAL(3, k.pages[K].mapcount);
  CHECK_TRUE(k.mms[2].mmf_vm_mergeable);
}

TEST_GROUP(Era2633Ksmd){};

namespace {

/// Sub-scenario C's state: anon P (content 7) mapped by A and its child D, anon Q
/// (content 7) mapped by B; D's rmap_item RD recorded P's checksum on the last
/// pass, B's RQ is in the unstable tree; S2 is a preallocated stable node.
/// PageIds: P=0, Q=1, N=2, C1=3; mms A=0, D=1, B=2; nodes S2=0; items RD=0, RQ=1.
Kernel upgrade_kernel(std::vector<Fix> reverted = {}) {
  KernelConfig config;
  config.era = Era::V2_6_33;
  config.reverted = std::move(reverted);
  return parse_initial_state(nlohmann::json::parse(R"({
    "numa_nodes": 2,
    "pages": [
      { "name": "P", "nid": 0, "content": 7, "flags": ["Anon", "Uptodate", "LRU"] },
      { "name": "Q", "nid": 0, "content": 7, "flags": ["Anon", "Uptodate", "LRU"] },
      { "name": "N", "nid": 1, "free": true },
      { "name": "C1", "nid": 0, "free": true }
    ],
    "mms": [
      { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_WRITE", "VM_MERGEABLE"], "anon_vma": "avA" } ] },
      { "name": "D", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_WRITE", "VM_MERGEABLE"], "anon_vma": "avA" } ] },
      { "name": "B", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_WRITE", "VM_MERGEABLE"], "anon_vma": "avB" } ] }
    ],
    "ptes": [
      { "mm": "A", "address": "0x1000", "pte": "present", "page": "P" },
      { "mm": "D", "address": "0x1000", "pte": "present", "page": "P" },
      { "mm": "B", "address": "0x1000", "pte": "present", "page": "Q" }
    ],
    "stable_nodes": [ { "name": "S2", "unused": true } ],
    "rmap_items": [
      { "name": "RD", "mm": "D", "address": "0x1000" },
      { "name": "RQ", "mm": "B", "address": "0x1000", "unstable": true }
    ],
    "ksm": { "run": 1, "mm_slots": ["D", "B"] }
  })"), "upgrade", "/initial", config);
}

}  // namespace

// One ksmd page: D's P matches B's Q in the unstable tree; P is upgraded to PageKsm
// and becomes S2's page, B's pte moves from Q to P, Q is freed (B's mapping and
// get_mergeable_page's reference dropped), S2.hlist = [RD, RQ] (hlist_add_head).
TEST(Era2633Ksmd, UnstableMatchUpgradesAndInsertsANode) {
  OneThread p(upgrade_kernel(), [](Kernel& k) { v2_6_33::ksmd_scan(k, 1); });
  checker::Report r = model_test::explore_once(p);
  STRCMP_EQUAL("<none>", violation_of(r).c_str());
  const Kernel& k = *p.kernel;
  CHECK_TRUE(k.pages[0].PageKsm());
  LONGS_EQUAL(0, k.page_stable_node(0));
  LONGS_EQUAL(0, k.stable_nodes[0].kpfn);
  CHECK(maps(pte_at(k, 2, 0x1000), 0, false));
  CHECK_TRUE(k.pages[1].freed);
  LONGS_EQUAL(3, k.pages[0].mapcount);
  LONGS_EQUAL(2, k.stable_nodes[0].hlist.size());
  LONGS_EQUAL(0, k.stable_nodes[0].hlist[0]);
  LONGS_EQUAL(1, k.ksm.pages_shared);
  LONGS_EQUAL(1, k.ksm.pages_sharing);
}

// mbind(MPOL_MF_MOVE_ALL) over A: with 62b61f611eb5/2 a KSM page is skipped at
// check_pte_range; without it K is collected and migrated to N (offlining = 0).
TEST(Era2633Ksmd, CheckPteRangeSkipsKsmOnlyWithTheFix) {
  for (bool fixed : {true, false}) {
    OneThread p(era2633_kernel(fixed ? std::vector<Fix>{} : std::vector<Fix>{Fix::KsmMigrateOnlyOfflining}),
                [](Kernel& k) { v2_6_33::do_mbind(k, mA, 0x1000, 0x2000, 1, true, 1); });
    checker::Report r = model_test::explore_once(p);
    STRCMP_EQUAL("<none>", violation_of(r).c_str());
    const Kernel& k = *p.kernel;
    CHECK(maps(pte_at(k, mA, 0x1000), fixed ? K : N, false));
    CHECK_EQUAL(!fixed, k.pages[K].freed);
  }
}

// A exits; ksmd reaches A's slot, finds no vma and frees A's rmap_item RA
// (remove_trailing_rmap_items: RA leaves S's hlist first); a later use of RA is a KASAN report.
TEST(Era2633Ksmd, TrailingRmapItemsOfAnExitedMmAreFreed) {
  long shared = -1, sharing = -1;
  OneThread p(era2633_kernel(), [&](Kernel& k) {
    v2_6_33::mmput(k, mA);
    v2_6_33::ksmd_scan(k, 1);
    shared = k.ksm.pages_shared;
    sharing = k.ksm.pages_sharing;
    v2_6_33::remove_rmap_item_from_tree(k, itemRA);
  });
  checker::Report r = model_test::explore_once(p);
  LONGS_EQUAL(1, shared);
  LONGS_EQUAL(0, sharing);
  STRCMP_EQUAL("KASAN: use-after-free of rmap_item RA in remove_rmap_item_from_tree (freed in "
               "remove_trailing_rmap_items by T)",
               violation_of(r).c_str());
}

TEST_GROUP(Store2633){};

// The store actor in 2.6.33 (issue 13): its scenarios are exhaustive and clean under DPOR,
// and plain DFS within two preemptions agrees; each one's scratch mutation (a TLB flush of
// 2.6.33's try_to_unmap_one, write_protect_page or dup_mmap dropped) is named in its summary.
TEST(Store2633, ScenariosAreCleanAndDfsAgrees) {
  for (const char* path : {"scenarios/ksm/store-vs-hotremove-2.6.33-fixed.json",
                           "scenarios/ksm/ksmd-merge-vs-store-2.6.33-fixed.json",
                           "scenarios/ksm/store-vs-fork-2.6.33-fixed.json",
                           "scenarios/ksm/store-vs-swapout-2.6.33-fixed.json"})
    model_test::check_clean_and_dfs_agrees(path);
}

TEST_GROUP(Unmerge2633){};

// run_store and madvise(MADV_UNMERGEABLE) in 2.6.33 (the 3.9 functions, with 2.6.33's
// break_ksm (FOLL_GET only) and remove_rmap_item_from_tree): both scenarios racing a
// swap-out of the KSM page are clean, and plain DFS agrees.
TEST(Unmerge2633, ScenariosAreCleanAndDfsAgrees) {
  for (const char* path : {"scenarios/ksm/unmerge-vs-swapout-2.6.33-fixed.json",
                           "scenarios/ksm/madvise-unmergeable-vs-swapout-2.6.33-fixed.json"})
    model_test::check_clean_and_dfs_agrees(path);
}

// run=2 alone on KSM page K mapped by A and B (v2.6.33 mm/ksm.c, by hand): A's break_ksm
// copies K into C1 (do_wp_page), remove_rmap_item_from_tree(RA) takes get_ksm_page's keyhole
// reference and drops RA (pages_sharing 1 -> 0); B's break_ksm copies K into C2 and drops
// the last reference to K, which is freed; remove_rmap_item_from_tree(RB) then finds S
// stale (K's mapping reset by the free) and remove_node_from_stable_tree drops RB's count
// (pages_shared 1 -> 0) and frees S. No stable-node sweep: that came with cbf86cfe04a6.
TEST(Unmerge2633, RunStoreUnmergesEveryPageAndTheLastRemovalFindsTheNodeStale) {
  nlohmann::json s = model::load_json_file("scenarios/ksm/unmerge-vs-swapout-2.6.33-fixed.json");
  KernelConfig config;
  config.era = Era::V2_6_33;
  long ret = 1;
  OneThread p(parse_initial_state(s["initial"], "t", "/initial", config),
              [&ret](Kernel& k) { ret = run_store(k, KSM_RUN_UNMERGE); },
              {"page_counts_consistent", "ksm_counters_consistent", "ksm_fully_unmerged"});
  checker::Report r = model_test::explore_once(p);
  STRCMP_EQUAL("<none>", violation_of(r).c_str());
  LONGS_EQUAL(0, ret);
  const Kernel& k = *p.kernel;
  const PageId K = 0, C1 = 1, C2 = 2;
  CHECK(model_test::maps(k.mms[0].ptes.at(0x1000).pte, C1, true));
  CHECK(model_test::maps(k.mms[1].ptes.at(0x1000).pte, C2, true));
  CHECK(k.pages[K].freed);
  CHECK(k.stable_nodes[0].freed);
  CHECK(k.ksm.root_stable_tree[0].empty());
  LONGS_EQUAL(0, k.ksm.pages_shared);
  LONGS_EQUAL(0, k.ksm.pages_sharing);
  LONGS_EQUAL(KSM_RUN_UNMERGE, k.ksm.ksm_run);
}

TEST_GROUP(Era2633RcuWindow){};

// v2.6.33's unmap_and_move takes rcu_read_lock for an anon page only after page_count and
// lock_page, pinning nothing: A's exit can free P's anon_vma AV in between (its last vma
// unlinked), and move_to_new_page's remove_migration_ptes then spin_locks AV in rmap_walk_anon.
// By hand: H's page_count read, X's whole exit, then H's lock_page, rcu_read_lock and the walk
// is such a schedule, so the search finds the KASAN report. With X started once H unlocked
// P (start_after unlock_page) AV is freed after the walk: clean, and DFS agrees.
TEST(Era2633RcuWindow, AnAnonVmaFreedBeforeRcuReadLockIsAUseAfterFree) {
  const char* file = "scenarios/ksm/exit-vs-hotremove-2.6.33.json";
  model::Scenario s = model::Scenario::load(file);
  auto program = s.make_program();
  checker::Options o = s.options();
  o.bounded_first = 0;
  const checker::Report r = checker::explore(*program, o);
  CHECK(r.verdict == checker::Verdict::Violation);
  CHECK_TEXT(r.counterexample && r.counterexample->violation.message.find(
                                     "KASAN: use-after-free of anon_vma AV in rmap_walk_anon") == 0,
             r.counterexample ? r.counterexample->violation.message.c_str() : "");
  nlohmann::json j = model::load_json_file(file);
  j["threads"][1]["start_after"] = {{"thread", "H"}, {"event", "unlock_page"}};
  j["expect"] = {{"result", "pass"}, {"exhaustive", true}};
  model_test::check_json_clean_and_dfs_agrees(j);
}
