// mremap_test.cpp: the v3.9 mremap of issue 13 (sys_mremap -> move_vma -> copy_vma,
// move_page_tables -> move_ptes, do_munmap) and the vm_pgoff it relies on. Each
// test runs the path in one thread and asserts on the state left behind; the
// expected values are derived by hand from the v3.9 code in each comment. The
// state: mm A with vma [0x1000, 0x3000) (anon_vma AV, vm_pgoff 1) mapping anon
// pages P at 0x1000 (index 1) and Q at 0x2000 (index 2), a second vma
// [0x8000, 0x9000) (AV, vm_pgoff 8) mapping R; N free on node 1.
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model_fixture.h"
#include <model/actors.h>
#include <model/gup.h>
#include <model/lint.h>
#include <model/madvise.h>
#include <model/memory.h>
#include <model/migrate.h>
#include <model/mmap.h>
#include <model/mremap.h>
#include <model/path_stats.h>
#include <model/rmap.h>
#include <model/scenario.h>
#include <model/user_access.h>

#include <CppUTest/TestHarness.h>

using namespace model;
using namespace model_test;

namespace {

constexpr PageId P = 0, Q = 1, R = 2, NP = 3;
constexpr std::uint32_t AV = 0, vma1 = 0, vma2 = 1;

nlohmann::json two_vmas() {
  return nlohmann::json::parse(R"({
    "numa_nodes": 2,
    "pages": [
      { "name": "P", "nid": 0, "flags": ["Anon", "Uptodate", "LRU"] },
      { "name": "Q", "nid": 0, "flags": ["Anon", "Uptodate", "LRU"] },
      { "name": "R", "nid": 0, "flags": ["Anon", "Uptodate", "LRU"] },
      { "name": "N", "nid": 1, "free": true }
    ],
    "mms": [
      { "name": "A", "vmas": [
        { "start": "0x1000", "end": "0x3000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "AV" },
        { "start": "0x8000", "end": "0x9000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "AV" } ] }
    ],
    "ptes": [
      { "mm": "A", "address": "0x1000", "pte": "present", "page": "P", "writable": true },
      { "mm": "A", "address": "0x2000", "pte": "present", "page": "Q", "writable": true },
      { "mm": "A", "address": "0x8000", "pte": "present", "page": "R", "writable": true }
    ]
  })");
}

Kernel kernel_of(const nlohmann::json& initial) { return kernel_v39(initial); }

const Pte& pte_at(const Kernel& k, std::uint64_t addr) { return k.mms.at(mmA).ptes.at(addr).pte; }

/// The scenario form: thread R moves A's vma at `from` to `to`.
nlohmann::json mremap_scenario(const char* from = "0x1000", const char* to = "0x10000") {
  nlohmann::json j;
  j["name"] = "t/mremap";
  j["summary"] = "s";
  j["kernel"] = "3.9";
  j["initial"] = two_vmas();
  j["threads"] = nlohmann::json::array(
      {{{"name", "R"}, {"actor", "mremap"}, {"args", {{"mm", "A"}, {"old_address", from}, {"new_address", to}}}}});
  j["expect"] = {{"result", "pass"}};
  return j;
}

}  // namespace

TEST_GROUP(VmPgoff){};

// Without "vm_pgoff" a vma's is vm_start's linear index, so every page's index
// is its address / 4 KiB, as the model computed it before vm_pgoff existed.
TEST(VmPgoff, DefaultIsTheLinearIndexOfTheStart) {
  const Kernel k = kernel_of(two_vmas());
  UNSIGNED_LONGS_EQUAL(1, k.vmas[vma1].pgoff);
  UNSIGNED_LONGS_EQUAL(8, k.vmas[vma2].pgoff);
  UNSIGNED_LONGS_EQUAL(2, k.pages[Q].index);
  UNSIGNED_LONGS_EQUAL(0x2000, k.vmas[vma1].address_of(2));
  UNSIGNED_LONGS_EQUAL(0, k.vmas[vma1].address_of(3));  // past vm_end
  UNSIGNED_LONGS_EQUAL(0, k.vmas[vma2].address_of(2));  // before vm_pgoff
}

// A declared vm_pgoff sets the index of the pages mapped there: vma2 with
// vm_pgoff 3 maps R at index 3, and vma_address(R, vma2) is 0x8000 again.
TEST(VmPgoff, DeclaredPgoffGivesThePageIndex) {
  nlohmann::json j = two_vmas();
  j["mms"][0]["vmas"][1]["vm_pgoff"] = 3;
  const Kernel k = kernel_of(j);
  UNSIGNED_LONGS_EQUAL(3, k.pages[R].index);
  UNSIGNED_LONGS_EQUAL(0x8000, k.vmas[vma2].address_of(3));
}

// One page at two linear indices (B's vma with vm_pgoff 5 maps P, which A maps at
// index 1) could not be found by an rmap walk at one of them: refused at load.
TEST(VmPgoff, APageAtTwoLinearIndicesIsRefused) {
  nlohmann::json s = mremap_scenario();
  s["initial"]["mms"].push_back(nlohmann::json::parse(
      R"({ "name": "B", "vmas": [ { "start": "0x1000", "end": "0x2000", "vm_pgoff": 5, "anon_vma": "AV" } ] })"));
  s["initial"]["ptes"].push_back(nlohmann::json::parse(R"({ "mm": "B", "address": "0x1000", "pte": "present", "page": "P" })"));
  std::string msg;
  STRCMP_EQUAL("/initial/pages/0", load_error_pointer(s, &msg).c_str());
  CHECK_TEXT(contains(msg, "B:0x1000 with linear index 5"), msg.c_str());
  s["initial"]["mms"][1]["vmas"][0]["vm_pgoff"] = "1";
  STRCMP_EQUAL("/initial/mms/1/vmas/0/vm_pgoff", load_error_pointer(s, &msg).c_str());
}

TEST_GROUP(Mremap39){};

// mremap(0x1000 -> 0x10000) of vma1, no neighbour at the target: copy_vma makes a
// new vma [0x10000, 0x12000) with vm_pgoff 1 (move_vma's new_pgoff: vma1's). AV's
// interval tree orders by vm_pgoff, an equal key going right: the walk becomes
// vma1 (1), new (1), vma2 (8); do_munmap then unlinks vma1: AV = [new, vma2]. The
// ptes move, the old ones are none, counts and indices unchanged, and A's vma
// list is [vma2, new], sorted by start.
TEST(Mremap39, MovesTheVmaAndItsPtes) {
  Kernel k0 = kernel_of(two_vmas());
  const std::uint32_t nv = mremap_reserve(k0, mmA, 0x1000, 0x10000);
  long ret = 0;
  OneThread p(k0, [&](Kernel& k) { ret = sys_mremap(k, mmA, 0x1000, 0x10000, nv); });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  LONGS_EQUAL(0x10000, ret);
  UNSIGNED_LONGS_EQUAL(0x10000, k.vmas[nv].start);
  UNSIGNED_LONGS_EQUAL(0x12000, k.vmas[nv].end);
  UNSIGNED_LONGS_EQUAL(1, k.vmas[nv].pgoff);
  UNSIGNED_LONGS_EQUAL(AV, k.vmas[nv].anon_vma);
  CHECK(k.anon_vmas[AV].vmas == (std::vector<std::uint32_t>{nv, vma2}));
  CHECK(k.mms[mmA].vmas == (std::vector<std::uint32_t>{vma2, nv}));
  CHECK(pte_at(k, 0x1000).is_none());
  CHECK(pte_at(k, 0x2000).is_none());
  CHECK(maps(pte_at(k, 0x10000), P, true));
  CHECK(maps(pte_at(k, 0x11000), Q, true));
  LONGS_EQUAL(1, k.pages[P].mapcount);
  LONGS_EQUAL(1, k.pages[P].refcount);
  UNSIGNED_LONGS_EQUAL(1, k.pages[P].index);
  UNSIGNED_LONGS_EQUAL(0x10000, k.vmas[nv].address_of(k.pages[P].index));
  CHECK(k.mms[mmA].mmap_sem->writer() == checker::kNoThread);
}

// vma2 (vm_pgoff 8) moved to 0x10000: the new vma (key 8) goes right of vma1 (1)
// and of vma2 (8, an equal key) in AV's walk; after do_munmap AV is [vma1, new].
// A new vma put in front would walk [new, vma1]: the order rmap walks rely on.
TEST(Mremap39, TheNewVmaFollowsEveryEqualOrLowerKeyInTheWalk) {
  Kernel k0 = kernel_of(two_vmas());
  const std::uint32_t nv = mremap_reserve(k0, mmA, 0x8000, 0x10000);
  OneThread p(k0, [&](Kernel& k) { sys_mremap(k, mmA, 0x8000, 0x10000, nv); });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  CHECK(p.kernel->anon_vmas[AV].vmas == (std::vector<std::uint32_t>{vma1, nv}));
  UNSIGNED_LONGS_EQUAL(8, p.kernel->vmas[nv].pgoff);
  CHECK(maps(pte_at(*p.kernel, 0x10000), R, true));
}

// After the move, migrating P finds it at 0x10000 through rmap_walk_anon
// (vma_address with the new vma's vm_pgoff): P's pte becomes present(N) there.
TEST(Mremap39, MigrationAfterTheMoveFindsTheNewAddress) {
  Kernel k0 = kernel_of(two_vmas());
  const std::uint32_t nv = mremap_reserve(k0, mmA, 0x1000, 0x10000);
  int err = -1;
  OneThread p(k0, [&](Kernel& k) {
    sys_mremap(k, mmA, 0x1000, 0x10000, nv);
    err = migrate_one_page(k, P, 1, 1);
  });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  LONGS_EQUAL(0, err);
  CHECK(maps(pte_at(*p.kernel, 0x10000), NP, true));
}

// vma2 [0x8000, 0x9000) with vm_pgoff 3 moved to 0x3000, right behind vma1
// [0x1000, 0x3000) (vm_pgoff 1, two pages: 1 + 2 = 3): vma_merge grows vma1 to
// 0x4000 (vma_adjust) instead of using the reserved vma, need_rmap_locks is true
// (1 <= 3), R's pte moves to 0x3000 and stays reachable (index 3 in vma1), and
// do_munmap leaves AV with vma1 alone.
TEST(Mremap39, MergesIntoTheVmaBefore) {
  nlohmann::json j = two_vmas();
  j["mms"][0]["vmas"][1]["vm_pgoff"] = 3;
  Kernel k0 = kernel_of(j);
  const std::uint32_t nv = mremap_reserve(k0, mmA, 0x8000, 0x3000);
  OneThread p(k0, [&](Kernel& k) { sys_mremap(k, mmA, 0x8000, 0x3000, nv); });
  checker::Report r = explore_once(p);
  CHECK(r.verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  UNSIGNED_LONGS_EQUAL(0x4000, k.vmas[vma1].end);
  UNSIGNED_LONGS_EQUAL(1, k.vmas[vma1].pgoff);
  CHECK(k.mms[mmA].vmas == (std::vector<std::uint32_t>{vma1}));
  CHECK(k.anon_vmas[AV].vmas == (std::vector<std::uint32_t>{vma1}));
  CHECK(maps(pte_at(k, 0x3000), R, true));
  CHECK(pte_at(k, 0x8000).is_none());
  UNSIGNED_LONGS_EQUAL(0x3000, k.vmas[vma1].address_of(k.pages[R].index));
}

// vma1 [0x1000, 0x3000) (vm_pgoff 1) moved to 0x6000, right in front of vma2
// [0x8000, 0x9000) declared with vm_pgoff 3 (1 + 2 pages: continuing): vma_merge
// grows vma2 down to 0x6000 with vm_pgoff 3 - 2 = 1 (case 3); need_rmap_locks
// (1 <= 1). P and Q land at 0x6000 and 0x7000, where vma2 finds them (indices 1,
// 2), R stays at 0x8000 (index 3); after do_munmap AV holds vma2 alone.
TEST(Mremap39, MergesIntoTheVmaAfter) {
  nlohmann::json j = two_vmas();
  j["mms"][0]["vmas"][1]["vm_pgoff"] = 3;
  Kernel k0 = kernel_of(j);
  const std::uint32_t nv = mremap_reserve(k0, mmA, 0x1000, 0x6000);
  OneThread p(k0, [&](Kernel& k) { sys_mremap(k, mmA, 0x1000, 0x6000, nv); });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  UNSIGNED_LONGS_EQUAL(0x6000, k.vmas[vma2].start);
  UNSIGNED_LONGS_EQUAL(0x9000, k.vmas[vma2].end);
  UNSIGNED_LONGS_EQUAL(1, k.vmas[vma2].pgoff);
  CHECK(k.mms[mmA].vmas == (std::vector<std::uint32_t>{vma2}));
  CHECK(k.anon_vmas[AV].vmas == (std::vector<std::uint32_t>{vma2}));
  CHECK(maps(pte_at(k, 0x6000), P, true));
  CHECK(maps(pte_at(k, 0x7000), Q, true));
  UNSIGNED_LONGS_EQUAL(0x7000, k.vmas[vma2].address_of(k.pages[Q].index));
  UNSIGNED_LONGS_EQUAL(0x8000, k.vmas[vma2].address_of(k.pages[R].index));
}

// The old vma gone before mremap runs (munmap): vma_to_resize finds none, -EFAULT,
// and nothing moves: the reserved vma stays out of A and of AV.
TEST(Mremap39, NoVmaAnyMoreIsEfault) {
  Kernel k0 = kernel_of(two_vmas());
  const std::uint32_t nv = mremap_reserve(k0, mmA, 0x1000, 0x10000);
  long ret = 0;
  OneThread p(k0, [&](Kernel& k) {
    vm_munmap(k, mmA, 0x1000);
    ret = sys_mremap(k, mmA, 0x1000, 0x10000, nv);
  });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  LONGS_EQUAL(-14, ret);
  CHECK(p.kernel->mms[mmA].vmas == (std::vector<std::uint32_t>{vma2}));
  CHECK(p.kernel->anon_vmas[AV].vmas == (std::vector<std::uint32_t>{vma2}));
  CHECK(pte_at(*p.kernel, 0x10000).is_none());
}

// Seed-000's A (VM_MERGEABLE [0x1000, 0x3000): KSM page K at 0x1000, swap(7) at
// 0x2000) moved to 0x10000: ksm_madvise's break_ksm copies K into C1 (the first
// free page of node 0; do_wp_page maps it writable: VM_WRITE) before the move;
// 0x2000's swap pte has no page to break. The copy (index 1) and swap(7) move;
// K keeps B's mapping only; the new vma keeps VM_MERGEABLE (move_vma clears it in
// a local copy only); RA still names 0x1000.
TEST(Mremap39, KsmPagesAreUnmergedBeforeTheMove) {
  Kernel k0 = seed000_kernel();
  const std::uint32_t nv = mremap_reserve(k0, mmA, 0x1000, 0x10000);
  OneThread p(k0, [&](Kernel& k) { sys_mremap(k, mmA, 0x1000, 0x10000, nv); });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK(maps(k.mms[mmA].ptes.at(0x10000).pte, C1, true));
  CHECK(k.mms[mmA].ptes.at(0x11000).pte == Pte::swap(7));
  LONGS_EQUAL(1, k.pages[K].mapcount);
  LONGS_EQUAL(1, k.pages[K].refcount);
  UNSIGNED_LONGS_EQUAL(1, k.pages[C1].index);
  CHECK(k.vmas[nv].flags & VM_MERGEABLE);
  LONGS_EQUAL(1, k.swap.swap_map.at(7));
  UNSIGNED_LONGS_EQUAL(0x1000, k.rmap_items[0].address);
}

// 486cf46f3f9b reverted (v3.0's remove_migration_pte, which 2.6.33 has too): the walk
// peeks at each pte without the ptl. R's move_ptes clears P's migration entry at 0x1000
// and sets it at 0x10000 in two steps under the ptl; a walk that visits the old vma
// after the clear and the new one before the set skips both (none, not a swap entry), so
// M unlocks and frees P behind migration(P) at 0x10000, and F's fault there hits
// migration_entry_to_page's BUG_ON(!PageLocked(p)). The counterexample must show that
// order: the peek at the old address after R's clear, the peek at the new address before
// R's set. With the fix the same threads are clean (DFS agrees), and with it reverted but
// no mremap the peek alone is harmless (nothing else moves a migration entry).
namespace {

/// The peek race's counterexample in `file`: the BUG_ON at A:0x10000, and the order clear of
/// the old pte, peek at it, peek at the new one, set of the new one.
void check_peek_order(const char* file) {
  const checker::Report r = [file] {
    Scenario s = Scenario::load(file);
    auto program = s.make_program();
    return checker::explore(*program, s.options());
  }();
  CHECK_TEXT(r.verdict == checker::Verdict::Violation, file);
  CHECK(r.counterexample.has_value());
  CHECK_TEXT(contains(r.counterexample->violation.message, "BUG_ON(!PageLocked(p)) in migration_entry_to_page: A:0x10000"),
             r.counterexample->violation.message.c_str());
  const auto& steps = r.counterexample->log.steps;
  auto first = [&](const std::string& text) {
    for (std::size_t i = 0; i < steps.size(); ++i)
      if (contains(steps[i].note, text)) return static_cast<long>(i);
    return -1L;
  };
  const long clear_old = first("migration(P,w) -> none"), peek_old = first("pte A:0x1000 = none (read without the ptl)");
  const long peek_new = first("pte A:0x10000 = none (read without the ptl)"), set_new = first("none -> migration(P,w)");
  CHECK(clear_old >= 0 && peek_old >= 0 && peek_new >= 0 && set_new >= 0);
  CHECK_TEXT(clear_old < peek_old && peek_old < peek_new && peek_new < set_new,
             (std::to_string(clear_old) + " " + std::to_string(peek_old) + " " + std::to_string(peek_new) + " " +
              std::to_string(set_new)).c_str());
}

}  // namespace

TEST(Mremap39, TheV30LocklessPeekMissesAnEntryInMidMove) {
  check_peek_order("scenarios/ksm/mremap-peek-vs-migration-reverted.json");
  std::ifstream in("scenarios/ksm/mremap-peek-vs-migration-reverted.json");
  nlohmann::json j = nlohmann::json::parse(in);
  j["reverted"] = nlohmann::json::array();
  check_json_clean_and_dfs_agrees(j);
  j["reverted"] = {"486cf46f3f9b"};
  j["threads"].erase(0);  // no mremap: F starts at once, on P's own pte
  j["threads"][1]["start_after"] = nullptr;
  j["threads"][1].erase("start_after");
  j["threads"][1]["args"]["address"] = "0x1000";
  check_json_clean_and_dfs_agrees(j);
}

TEST_GROUP(Mremap2633){};

// 2.6.33 has the lockless peek as its own code (486cf46f3f9b is v3.1) and mremap's move_vma:
// the same race with memory hot-remove migrating P (offline_pages, no mmap_sem), in the same
// order. 2.6.33's move_ptes flushes each present pte (ptep_clear_flush) under the ptl, so a
// store racing the move and a swap-out of the moved page never loses its data (the stale-TLB
// race of 3.x needs the batched flush after the ptls): clean, DFS agrees.
TEST(Mremap2633, ThePeekRaceIsThereAndEachMovedPteIsFlushedUnderThePtl) {
  check_peek_order("scenarios/ksm/mremap-peek-vs-hotremove-2.6.33.json");
  check_clean_and_dfs_agrees("scenarios/ksm/mremap-vs-store-vs-reclaim-2.6.33-fixed.json");
}

// 2.6.33's vma_merge: the vma grown over the target comes first in AV's list, and move_ptes
// takes no anon_vma lock, so remove_migration_ptes can look at the new address before the move
// set it and at the old one after the move cleared it (948f017b093a's order problem, v3.7).
// By hand, the counterexample's order: the walk's look at A:0x2000, the clear of A:0x5000 and
// the set of A:0x2000, then the walk's look at A:0x5000. The same merge against reclaim is clean
// (a missed pte keeps the page mapped, and reclaim keeps it).
TEST(Mremap2633, AMergedVmaWalkedFirstMissesTheMovedEntry) {
  Scenario s = Scenario::load("scenarios/ksm/mremap-merge-vs-hotremove-2.6.33.json");
  const checker::Report r = checker::explore(*s.make_program(), s.options());
  CHECK(r.verdict == checker::Verdict::Violation);
  CHECK_TEXT(contains(r.counterexample->violation.message, "no_leftover_migration_entry: A:0x2000 = migration(P,w)"),
             r.counterexample->violation.message.c_str());
  const auto& steps = r.counterexample->log.steps;
  auto first = [&](const std::string& text) {
    for (std::size_t i = 0; i < steps.size(); ++i)
      if (contains(steps[i].note, text)) return static_cast<long>(i);
    return -1L;
  };
  const long look_new = first("pte A:0x2000 = none (read without the ptl)"), clear_old = first("migration(P,w) -> none");
  const long set_new = first("none -> migration(P,w)"), look_old = first("pte A:0x5000 = none (read without the ptl)");
  CHECK(look_new >= 0 && clear_old >= 0 && set_new >= 0 && look_old >= 0);
  CHECK(look_new < clear_old && clear_old < set_new && set_new < look_old);
  CHECK(first("vma_adjust: vma of A now [A:0x1000, A:0x3000)") >= 0);
  const checker::Report clean = [] {
    Scenario c = Scenario::load("scenarios/ksm/mremap-merge-vs-store-vs-reclaim-2.6.33-fixed.json");
    checker::Options o = c.options();
    o.fewest_preemptions = false;
    return checker::explore(*c.make_program(), o);
  }();
  CHECK(clean.verdict == checker::Verdict::Pass);
  CHECK(clean.stats.complete);
}

// The arguments: each bad one names its pointer.
TEST(Mremap39, BadArgumentsNameTheirPointer) {
  STRCMP_EQUAL("<none>", load_error_pointer(mremap_scenario()).c_str());
  std::string msg;
  STRCMP_EQUAL("/threads/0/args/old_address", load_error_pointer(mremap_scenario("0x2000"), &msg).c_str());
  CHECK_TEXT(contains(msg, "no vma of mm A starts at this address"), msg.c_str());
  STRCMP_EQUAL("/threads/0/args/new_address", load_error_pointer(mremap_scenario("0x1000", "0x8000"), &msg).c_str());
  CHECK_TEXT(contains(msg, "overlaps the vma A:0x8000"), msg.c_str());
  STRCMP_EQUAL("/threads/0/args/new_address", load_error_pointer(mremap_scenario("0x1000", "0x2000"), &msg).c_str());
  CHECK_TEXT(contains(msg, "overlaps the old one"), msg.c_str());
  STRCMP_EQUAL("/threads/0/args/new_address",
               load_error_pointer(mremap_scenario("0x1000", "0x7ffffffff000"), &msg).c_str());
  CHECK_TEXT(contains(msg, "above the end of user space"), msg.c_str());
  STRCMP_EQUAL("/threads/0/args/new_address", load_error_pointer(mremap_scenario("0x1000", "0x1234"), &msg).c_str());
  nlohmann::json j = mremap_scenario();
  j["threads"][0]["args"]["flags"] = 3;
  STRCMP_EQUAL("/threads/0/args/flags", load_error_pointer(j).c_str());
  j = mremap_scenario();
  j["threads"][0]["args"].erase("new_address");
  STRCMP_EQUAL("/threads/0/args", load_error_pointer(j, &msg).c_str());
  CHECK_TEXT(contains(msg, "missing required field \"new_address\""), msg.c_str());
  j = mremap_scenario();
  j["initial"]["mms"][0]["vmas"][0].erase("anon_vma");
  j["initial"]["ptes"] = nlohmann::json::array();
  j["initial"]["pages"] = nlohmann::json::array({{{"name", "N"}, {"free", true}}});
  STRCMP_EQUAL("/threads/0/args/old_address", load_error_pointer(j, &msg).c_str());
  CHECK_TEXT(contains(msg, "has no anon_vma"), msg.c_str());
}

// vma_merge with both neighbours (case 1) is not modelled: vma1 [0x1000, 0x3000)
// (vm_pgoff 1) and vma2 at 0x4000 with vm_pgoff 4 around a one-page vma at 0x6000
// with vm_pgoff 3 moved to 0x3000: refused. With one neighbour it loads.
TEST(Mremap39, AMergeWithBothNeighboursIsRefused) {
  nlohmann::json j = mremap_scenario("0x6000", "0x3000");
  j["initial"]["mms"][0]["vmas"][1] = nlohmann::json::parse(
      R"({ "start": "0x4000", "end": "0x5000", "vm_pgoff": 4, "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "AV" })");
  j["initial"]["mms"][0]["vmas"].push_back(nlohmann::json::parse(
      R"({ "start": "0x6000", "end": "0x7000", "vm_pgoff": 3, "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "AV" })"));
  j["initial"]["ptes"][2]["address"] = "0x6000";
  std::string msg;
  STRCMP_EQUAL("/threads/0/args/new_address", load_error_pointer(j, &msg).c_str());
  CHECK_TEXT(contains(msg, "both neighbours"), msg.c_str());
  j["initial"]["mms"][0]["vmas"][1]["vm_pgoff"] = 5;  // next no longer continues
  STRCMP_EQUAL("<none>", load_error_pointer(j, &msg).c_str());
}

// Threads: one mremap per mm, none in an mm a fork copies or that exits.
TEST(Mremap39, ThreadsThatCannotShareTheMmAreRefused) {
  nlohmann::json j = mremap_scenario();
  j["threads"].push_back({{"name", "R2"}, {"actor", "mremap"},
                          {"args", {{"mm", "A"}, {"old_address", "0x8000"}, {"new_address", "0x20000"}}}});
  std::string msg;
  STRCMP_EQUAL("/threads/1/actor", load_error_pointer(j, &msg).c_str());
  CHECK_TEXT(contains(msg, "one mremap per mm"), msg.c_str());
  j = mremap_scenario();
  j["threads"].push_back({{"name", "X"}, {"actor", "exit"}, {"args", {{"mm", "A"}}}});
  STRCMP_EQUAL("/threads/0/actor", load_error_pointer(j, &msg).c_str());
  CHECK_TEXT(contains(msg, "last mmput"), msg.c_str());
  j = mremap_scenario();
  j["initial"]["mms"].push_back(nlohmann::json::parse(R"({ "name": "C", "vmas": [
      { "start": "0x1000", "end": "0x3000", "anon_vma": "AC" }, { "start": "0x8000", "end": "0x9000", "anon_vma": "AC" } ] })"));
  for (const char* a : {"0x1000", "0x2000", "0x8000"})
    j["initial"]["ptes"].push_back({{"mm", "C"}, {"address", a}, {"pte", "none"}});
  j["threads"].push_back({{"name", "F"}, {"actor", "fork"}, {"args", {{"mm", "A"}, {"child", "C"}}}});
  STRCMP_EQUAL("/threads/0/actor", load_error_pointer(j, &msg).c_str());
  CHECK_TEXT(contains(msg, "forks or creates"), msg.c_str());
  j = mremap_scenario();
  // A swapin_fault in the moved mm loads: after its vma left it gets SIGSEGV, as "fault" does.
  j["threads"].push_back({{"name", "S"}, {"actor", "swapin_fault"}, {"args", {{"mm", "A"}, {"address", "0x8000"}}}});
  STRCMP_EQUAL("<none>", load_error_pointer(j, &msg).c_str());
  // 2.6.33 has mremap too (the same move_vma without need_rmap_locks), and its vma_merge: a new
  // place next to a vma it would merge with (vm_pgoff 3 follows [0x1000, 0x3000)'s) loads in both eras.
  j = mremap_scenario();
  j["kernel"] = "2.6.33";
  STRCMP_EQUAL("<none>", load_error_pointer(j, &msg).c_str());
  j = mremap_scenario("0x8000", "0x3000");
  j["initial"]["mms"][0]["vmas"][1]["vm_pgoff"] = 3;
  for (const char* era : {"2.6.33", "3.9"}) {
    j["kernel"] = era;
    STRCMP_EQUAL("<none>", load_error_pointer(j, &msg).c_str());
  }
}

// mmcheck check: a VM_MERGEABLE vma's KSM pages cost move_vma's ksm_madvise one
// COW copy each. Seed 000 with no free page on node 0 and R moving A's vma: a
// free-pages finding naming A:0x1000.
TEST(Mremap39, LintCountsTheUnmergeCopies) {
  nlohmann::json j = mremap_scenario();
  j["initial"] = seed000_initial();
  j["initial"]["pages"].erase(1);  // C1
  j["initial"]["pages"].erase(1);  // C2
  const LintReport r = lint(Scenario::parse(j, "t.json"));
  bool found = false;
  for (const LintFinding& f : r.findings)
    found |= f.kind == LintFinding::Kind::FreePages && contains(f.message, "mremap's ksm_madvise break_ksm COW copies at A:0x1000");
  CHECK(found);
}

// A fault may name an address an mremap thread moves a vma to (the pte slots
// there are reserved at load); without that mremap the address has no vma.
TEST(Mremap39, FaultAtTheTargetLoads) {
  nlohmann::json j = mremap_scenario();
  j["threads"].push_back({{"name", "W"}, {"actor", "fault"}, {"args", {{"mm", "A"}, {"address", "0x10000"}, {"write", true}}}});
  STRCMP_EQUAL("<none>", load_error_pointer(j).c_str());
  j["threads"].erase(0);
  std::string msg;
  STRCMP_EQUAL("/threads/0/args/address", load_error_pointer(j, &msg).c_str());
  CHECK_TEXT(contains(msg, "no pte slot"), msg.c_str());
}

// ---- eb66ae030829 (mremap: properly flush TLB before releasing the page, v4.20) ----

namespace {

Kernel storing(Kernel k) {
  k.user_data.track = true;
  return k;
}

Kernel kernel_reverting_tlb_flush(const nlohmann::json& initial) {
  KernelConfig config;
  config.era = Era::V3_9;
  config.reverted = {Fix::MremapTlbFlush};
  return parse_initial_state(initial, "t", "/initial", config);
}

}  // namespace

// A store at 0x1000 before the move: the data moves with P's pte, so the record of the
// last write follows it to 0x10000 (the old address has no vma any more), with the fix
// (the record moves in move_ptes, at its flush under the ptl) and without it (at
// move_page_tables' flush); a store at 0x2000 (Q) follows Q the same way.
TEST(Mremap39, TheLastStoreFollowsTheMovedPte) {
  for (bool fixed : {true, false}) {
    Kernel k0 = storing(fixed ? kernel_of(two_vmas()) : kernel_reverting_tlb_flush(two_vmas()));
    const std::uint32_t nv = mremap_reserve(k0, mmA, 0x1000, 0x10000);
    OneThread p(k0, [&](Kernel& k) {
      LONGS_EQUAL(0, user_store(k, mmA, 0x1000, 9));
      LONGS_EQUAL(0, user_store(k, mmA, 0x2000, 11));
      sys_mremap(k, mmA, 0x1000, 0x10000, nv);
    }, {"no_lost_write"});
    CHECK(explore_once(p).verdict == checker::Verdict::Pass);
    const Kernel& k = *p.kernel;
    const std::map<std::pair<std::uint32_t, std::uint64_t>, std::uint32_t> expected{{{mmA, 0x10000}, 9}, {{mmA, 0x11000}, 11}};
    CHECK(k.user_data.last_store == expected);
    LONGS_EQUAL(P, k.user_data.last_page.at({mmA, 0x10000}));
    LONGS_EQUAL(9, k.pages[P].content);
    CHECK(maps(pte_at(k, 0x10000), P, true));
  }
}

// A translation cached before the move is dropped by the move's flush, so the same
// CPU's next store at the old address walks again, finds no vma there (do_munmap
// removed it) and gets SIGSEGV; P keeps the token stored before the move.
TEST(Mremap39, TheMoveDropsTheOldTranslationAndTheOldAddressFaults) {
  Kernel k0 = storing(kernel_of(two_vmas()));
  const std::uint32_t nv = mremap_reserve(k0, mmA, 0x1000, 0x10000);
  unsigned after = 0;
  OneThread p(k0, [&](Kernel& k) {
    LONGS_EQUAL(0, user_store(k, mmA, 0x1000, 9));
    CHECK(k.user_data.tlb.at(0).valid);
    sys_mremap(k, mmA, 0x1000, 0x10000, nv);
    CHECK_FALSE(k.user_data.tlb.at(0).valid);
    after = user_store(k, mmA, 0x1000, 5);
  });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  UNSIGNED_LONGS_EQUAL(VM_FAULT_BAD_AREA_GHOST, after);  // no vma at the old address: SIGSEGV
  LONGS_EQUAL(9, p.kernel->pages[P].content);
}

// The race of the commit, both ways, against migration and against reclaim (each frees
// the page after unmapping it at its new address): with the fix each scenario is clean
// under DPOR and bounded DFS; reverted, both searches end in no_lost_write at the new
// address with the store's page named free (the use-after-free write).
TEST(Mremap39, StaleTlbRaceIsFoundOnlyWhenTheFixIsReverted) {
  for (const std::string against : {"migration", "reclaim"}) {
    const std::string base = "scenarios/ksm/mremap-stale-tlb-vs-" + against;
    check_clean_and_dfs_agrees((base + "-fixed.json").c_str());
    Scenario s = Scenario::load(base + "-reverted.json");
    auto program = s.make_program();
    checker::Options o = s.options();
    for (checker::StrategyKind kind : {checker::StrategyKind::Dpor, checker::StrategyKind::Dfs}) {
      o.strategy = kind;
      o.preemption_bound = kind == checker::StrategyKind::Dfs ? std::optional<unsigned>(2u) : std::nullopt;
      const checker::Report r = checker::explore(*program, o);
      CHECK_TEXT(r.verdict == checker::Verdict::Violation, base.c_str());
      CHECK_TEXT(r.counterexample->violation.message.find("no_lost_write: a read of A:0x10000") != std::string::npos,
                 base.c_str());
      CHECK_TEXT(r.counterexample->violation.message.find("into P, which was free when it was written: a write through a stale TLB entry") != std::string::npos, base.c_str());
    }
  }
}

// A page pinned at 0x1000 (get_user_pages, as O_DIRECT does) and moved by mremap before the
// device writes it: the DMA writes the buffer now at 0x10000, so no_lost_write reads the DMA's
// token there (the pinned page is the page mapped there: P). Before 2026-11-26 the record
// stayed at the old address and a store's record, moved to 0x10000, was taken as the last.
TEST(Mremap39, ADmaAfterTheMoveWritesTheBufferAtItsNewAddress) {
  Kernel k0 = storing(kernel_of(two_vmas()));
  const std::uint32_t nv = mremap_reserve(k0, mmA, 0x1000, 0x10000);
  OneThread p(k0, [&](Kernel& k) {
    LONGS_EQUAL(0, user_store(k, mmA, 0x1000, 9));
    PageId pinned = kNoPage;
    LONGS_EQUAL(1, get_user_pages(k, mmA, 0x1000, true, pinned));
    LONGS_EQUAL(P, pinned);
    sys_mremap(k, mmA, 0x1000, 0x10000, nv);
    dma_pinned_page(k, 1, pinned, mmA, 0x1000, true, 8);
  }, {"no_lost_write"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  LONGS_EQUAL(8, k.user_data.last_store.at({mmA, 0x10000}));
  CHECK(k.user_data.last_by_dma.count({mmA, 0x10000}) == 1);
  CHECK(k.user_data.last_store.count({mmA, 0x1000}) == 0);
  LONGS_EQUAL(8, k.pages[P].content);
}

// Pinned at 0x1000, discarded there by MADV_DONTNEED (the pinned page orphaned), then moved:
// the DMA into the orphaned page owes nothing to the new address either (the discard's mark
// moves with the buffer). no_lost_write passes; before the mark moved it reported the new
// address as mapping nothing.
TEST(Mremap39, ADiscardBeforeTheMoveStillExcusesTheOrphanedDma) {
  Kernel k0 = storing(kernel_of(two_vmas()));
  const std::uint32_t nv = mremap_reserve(k0, mmA, 0x1000, 0x10000);
  OneThread p(k0, [&](Kernel& k) {
    PageId pinned = kNoPage;
    LONGS_EQUAL(1, get_user_pages(k, mmA, 0x1000, true, pinned));
    LONGS_EQUAL(0, madvise_dontneed(k, mmA, 0x1000, 0x2000));
    sys_mremap(k, mmA, 0x1000, 0x10000, nv);
    dma_pinned_page(k, 1, pinned, mmA, 0x1000, true, 8);
  }, {"no_lost_write"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK(k.user_data.last_by_dma.count({mmA, 0x10000}) == 1);
  CHECK(k.user_data.ever_discarded.count({mmA, 0x10000}) == 1);
  CHECK(pte_at(k, 0x10000).is_none());
}

// arch/x86/mm/fault.c v3.9 __do_page_fault: no vma -> bad_area -> SIGSEGV (SEGV_MAPERR), not a
// VM_FAULT error. In mremap-fault-at-target-fixed, W faults at the new address: before the move
// it finds no vma there, and the thread's outcome says SIGSEGV (it once said VM_FAULT_SIGBUS).
TEST(Mremap39, AFaultAtTheTargetBeforeTheMoveIsSigsegvNotSigbus) {
  std::shared_ptr<model::PathStats> paths;
  const checker::Report r = model_test::explore_recording_paths(
      model::Scenario::load("scenarios/ksm/mremap-fault-at-target-fixed.json"), paths);
  CHECK(r.verdict == checker::Verdict::Pass);
  CHECK(r.stats.complete);
  CHECK(paths->count(1, model::Outcome::BadArea) > 0);  // W before R's move
  CHECK(paths->count(1, model::Outcome::Ok) > 0);       // W after it
  LONGS_EQUAL(0, paths->count(1, model::Outcome::FaultSigbus));
  STRCMP_EQUAL("SIGSEGV (bad_area: no vma)", model::outcome_name(model::Outcome::BadArea));
}
