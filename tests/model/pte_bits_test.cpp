// pte_bits_test.cpp: the pte's dirty and young bits (_PAGE_DIRTY, _PAGE_ACCESSED)
// as v3.9 (and 2.6.33 where it differs) sets, moves and clears them: mk_pte is young
// and clean; a write fault makes the pte dirty; the MMU sets both bits before a store
// goes through a clean translation; try_to_unmap_one moves the dirty bit to the page
// (set_page_dirty) and reclaim writes a swap-cache page back only when it is dirty;
// fork's child copy is old; write_protect_page (v3.9) checks the count, moves the
// dirty bit and cleans the pte for a writable or dirty pte only; page_referenced_one
// counts and clears young bits. Each test runs one path in one thread on a small
// state written here; the expected values are derived by hand from the kernel code
// quoted in each comment. Bad input for the new fields names its JSON pointer.
#include <string>

#include "model_fixture.h"
#include <model/fork.h>
#include <model/initial_state.h>
#include <model/ksmd.h>
#include <model/memory.h>
#include <model/swap_state.h>
#include <model/user_access.h>
#include <model/v2_6_33.h>

#include <CppUTest/TestHarness.h>

using namespace model;
using namespace model_test;

namespace {

// P (content 7) is anon, mapped once by A at 0x1000 through `pte` (writable unless said),
// in the swap cache at slot 1 when `swapcache` (then clean: the device holds 7, and the
// swap cache holds a second reference); C (fork child) is declared empty; F1, F2 free.
// PageIds P=0, F1=1, F2=2.
nlohmann::json one_page(const nlohmann::json& pte_bits, bool swapcache = false) {
  auto j = nlohmann::json::parse(R"({
    "pages": [
      { "name": "P", "flags": ["Anon", "Uptodate", "LRU"], "mapcount": 1, "refcount": 1, "content": 7 },
      { "name": "F1", "free": true },
      { "name": "F2", "free": true }
    ],
    "mms": [
      { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "av" } ] },
      { "name": "C", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "avC" } ] }
    ],
    "ptes": [
      { "mm": "A", "address": "0x1000", "pte": "present", "page": "P", "writable": true },
      { "mm": "C", "address": "0x1000", "pte": "none" }
    ]
  })");
  for (const auto& [key, value] : pte_bits.items()) j["ptes"][0][key] = value;
  if (swapcache) {
    j["pages"][0]["flags"].push_back("SwapCache");
    j["pages"][0]["swap_entry"] = 1;
    j["pages"][0]["refcount"] = 2;
  }
  return j;
}

constexpr PageId P = 0, F1 = 1;
constexpr std::uint32_t mA = 0, mC = 1;

const Pte& pte_at(const Kernel& k, std::uint32_t mm, std::uint64_t addr) { return k.mms.at(mm).ptes.at(addr).pte; }

Kernel reclaiming(const nlohmann::json& initial) {
  Kernel k = kernel_v39(initial);
  k.track_writeback = true;  // as Scenario::parse sets it for a reclaim of a non-KSM page
  return k;
}

/// The load error's JSON pointer (and message) for `initial`, or "<none>".
std::string pointer_of(const nlohmann::json& initial, std::string* message = nullptr) {
  try {
    kernel_v39(initial);
  } catch (const InputError& e) {
    if (message) *message = e.what();
    return e.pointer();
  }
  return "<none>";
}

}  // namespace

TEST_GROUP(PteBits){};

// A declared writable pte is dirty unless said otherwise (a write fault made it:
// pte_mkdirty), a read-only one clean; every declared pte is young unless "young": false.
TEST(PteBits, DeclaredBitsAndTheirDefaults) {
  const Kernel rw = kernel_v39(one_page({}));
  CHECK(pte_at(rw, mA, 0x1000) == Pte::present(P, true, true, true));
  const Kernel ro = kernel_v39(one_page({{"writable", false}}));
  CHECK(pte_at(ro, mA, 0x1000) == Pte::present(P, false, false, true));
  const Kernel clean_old = kernel_v39(one_page({{"dirty", false}, {"young", false}}));
  CHECK(pte_at(clean_old, mA, 0x1000) == Pte::present(P, true, false, false));
  const Kernel ro_dirty = kernel_v39(one_page({{"writable", false}, {"dirty", true}}));
  CHECK(pte_at(ro_dirty, mA, 0x1000) == Pte::present(P, false, true, true));
  STRCMP_EQUAL("present(P,rw,dirty)", clean_old.pte_str(Pte::present(P, true, true, true)).c_str());
  STRCMP_EQUAL("present(P,rw,old)", clean_old.pte_str(pte_at(clean_old, mA, 0x1000)).c_str());
}

TEST(PteBits, BadBitsNameTheirPointer) {
  std::string msg;
  STRCMP_EQUAL("/initial/ptes/0/dirty", pointer_of(one_page({{"dirty", 1}})).c_str());
  STRCMP_EQUAL("/initial/ptes/0/young", pointer_of(one_page({{"young", "yes"}})).c_str());
  nlohmann::json none = one_page({});
  none["ptes"][1]["dirty"] = true;
  STRCMP_EQUAL("/initial/ptes/1/dirty", pointer_of(none, &msg).c_str());
  CHECK(contains(msg, "a bit of a present pte"));
  nlohmann::json swap = one_page({});
  swap["ptes"][1] = {{"mm", "C"}, {"address", "0x1000"}, {"pte", "swap"}, {"entry", 3}, {"young", true}};
  STRCMP_EQUAL("/initial/ptes/1/young", pointer_of(swap).c_str());
  nlohmann::json zero = one_page({});
  zero["ptes"][1] = {{"mm", "C"}, {"address", "0x1000"}, {"pte", "zero"}, {"dirty", true}};
  STRCMP_EQUAL("/initial/ptes/1/dirty", pointer_of(zero, &msg).c_str());
  CHECK(contains(msg, "never dirty"));
}

// handle_pte_fault on a present pte that allows the access: under the ptl, pte_same,
// entry = pte_mkyoung(entry), pte_mkdirty on a write; x86's ptep_set_access_flags stores
// it only for a write (`if (changed && dirty)`): a read fault leaves the pte as it was.
TEST(PteBits, FaultSetsTheAccessBits) {
  OneThread w(kernel_v39(one_page({{"dirty", false}, {"young", false}})),
              [](Kernel& k) { LONGS_EQUAL(0, fault(k, mA, 0x1000, true)); });
  CHECK(explore_once(w).verdict == checker::Verdict::Pass);
  CHECK(pte_at(*w.kernel, mA, 0x1000) == Pte::present(P, true, true, true));
  OneThread r(kernel_v39(one_page({{"dirty", false}, {"young", false}})),
              [](Kernel& k) { LONGS_EQUAL(0, fault(k, mA, 0x1000, false)); });
  CHECK(explore_once(r).verdict == checker::Verdict::Pass);
  CHECK(pte_at(*r.kernel, mA, 0x1000) == Pte::present(P, true, false, false));
}

// A write fault on a none pte: do_anonymous_page's entry is
// pte_mkwrite(pte_mkdirty(mk_pte(page))): writable, dirty, young. PG_dirty stays clear.
TEST(PteBits, AnonymousWriteFaultMapsADirtyPte) {
  nlohmann::json j = one_page({});
  OneThread p(kernel_v39(j), [](Kernel& k) { LONGS_EQUAL(0, fault(k, mC, 0x1000, true)); });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  CHECK(pte_at(*p.kernel, mC, 0x1000) == Pte::present(F1, true, true, true));
  CHECK_FALSE(p.kernel->pages[F1].test(PG_dirty));
}

// The store through a writable clean, old pte: the MMU sets dirty and young, then the data.
TEST(PteBits, StoreSetsDirtyAndYoung) {
  Kernel k0 = kernel_v39(one_page({{"dirty", false}, {"young", false}}));
  k0.user_data.track = true;
  OneThread p(std::move(k0), [](Kernel& k) { LONGS_EQUAL(0, user_store(k, mA, 0x1000, 9)); });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  CHECK(pte_at(*p.kernel, mA, 0x1000) == Pte::present(P, true, true, true));
  LONGS_EQUAL(9u, p.kernel->pages[P].content);
}

// Reclaim of a clean swap-cache page (the device holds its 7) mapped by a clean pte.
// A store of 9 first: the MMU sets the pte dirty, try_to_unmap_one moves the bit to the
// page (set_page_dirty), pageout writes 9 to slot 1, __remove_mapping frees the page.
// The same 9 written behind the pte's back (no MMU, as a device would without
// set_page_dirty): try_to_unmap_one finds !pte_dirty, pageout is skipped, the page is
// freed clean and the device keeps 7.
TEST(PteBits, TryToUnmapMovesTheDirtyBitToThePage) {
  for (bool through_the_pte : {true, false}) {
    Kernel k0 = reclaiming(one_page({{"dirty", false}}, true));
    k0.user_data.track = true;
    bool freed = false;
    OneThread p(std::move(k0), [&](Kernel& k) {
      if (through_the_pte)
        LONGS_EQUAL(0, user_store(k, mA, 0x1000, 9));
      else
        k.pages[P].content = 9;
      freed = reclaim_swapcache_page(k, P);
    }, {"page_counts_consistent"});
    CHECK(explore_once(p).verdict == checker::Verdict::Pass);
    const Kernel& k = *p.kernel;
    CHECK(freed);
    CHECK(pte_at(k, mA, 0x1000) == Pte::swap(1));
    LONGS_EQUAL(through_the_pte ? 9u : 7u, k.swap.device.at(1));
  }
}

// copy_one_pte of a private writable pte: ptep_set_wrprotect on the parent (dirty and
// young kept), the child gets pte_wrprotect + pte_mkold of the value read: dirty, old.
TEST(PteBits, ForkChildCopyIsOldAndKeepsTheDirtyBit) {
  OneThread p(kernel_v39(one_page({})), [](Kernel& k) { LONGS_EQUAL(0, dup_mmap(k, mC, mA)); });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  CHECK(pte_at(*p.kernel, mA, 0x1000) == Pte::present(P, false, true, true));
  CHECK(pte_at(*p.kernel, mC, 0x1000) == Pte::present(P, false, true, false));
}

namespace {

// A and B each map an anon page (PA, PB, data 7) at 0x1000 in a VM_MERGEABLE vma; PA is
// pinned (a get_user_pages reference: refcount 2) and mapped read-only through `pa_bits`;
// PB writable and dirty; S preallocated; run 1, mm list [A, B]. PageIds PA=0, PB=1.
nlohmann::json pinned_pair(const nlohmann::json& pa_bits) {
  auto j = nlohmann::json::parse(R"({
    "pages": [
      { "name": "PA", "flags": ["Anon", "Uptodate", "LRU"], "content": 7, "pins": 1 },
      { "name": "PB", "flags": ["Anon", "Uptodate", "LRU"], "content": 7 },
      { "name": "C1", "free": true }
    ],
    "mms": [
      { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE", "VM_MERGEABLE"], "anon_vma": "avA" } ] },
      { "name": "B", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE", "VM_MERGEABLE"], "anon_vma": "avB" } ] }
    ],
    "ptes": [
      { "mm": "A", "address": "0x1000", "pte": "present", "page": "PA", "writable": false },
      { "mm": "B", "address": "0x1000", "pte": "present", "page": "PB", "writable": true }
    ],
    "stable_nodes": [ { "name": "S", "unused": true } ],
    "ksm": { "run": 1, "mm_slots": ["A", "B"] }
  })");
  for (const auto& [key, value] : pa_bits.items()) j["ptes"][0][key] = value;
  return j;
}

constexpr PageId PA = 0, PB = 1;
constexpr std::uint32_t mB = 1;

}  // namespace

// Two full scans (the second merges, as KsmdFullScan39.SecondScanMergesTwoEqualPages
// derives): PB is write-protected first. v3.9's write_protect_page runs its
// ptep_clear_flush and count check only `if (pte_write(*ptep) || pte_dirty(*ptep))`.
// B's pte is writable and dirty: the count holds (mapcount 1 + 1 == refcount 2 with the
// scan's reference), set_page_dirty(PB), pte_mkclean(pte_wrprotect()): ro, clean, young.
// PA's pte is read-only and clean: no count check, so the pin does not stop the merge;
// replace_page maps PB at A with mk_pte (ro, clean, young), PA keeps its pin only.
TEST(PteBits, WriteProtectPageSkipsACleanReadOnlyPte) {
  OneThread p(kernel_v39(pinned_pair({})), [](Kernel& k) { ksmd_scan(k, 3, 2); }, {"page_counts_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK(pte_at(k, mA, 0x1000) == Pte::present(PB, false, false, true));
  CHECK(pte_at(k, mB, 0x1000) == Pte::present(PB, false, false, true));
  CHECK(k.pages[PB].PageKsm());
  CHECK(k.pages[PB].test(PG_dirty));
  LONGS_EQUAL(1, k.pages[PA].refcount);
  LONGS_EQUAL(0, k.pages[PA].mapcount);
}

// The same with PA's read-only pte dirty (as fork's ptep_set_wrprotect leaves the parent):
// write_protect_page clears and checks it, mapcount 1 + 1 != refcount 3 (the pin), the pte
// is put back and the merge of PA fails: A keeps PA, dirty, and no stable node is used.
TEST(PteBits, WriteProtectPageChecksTheCountOfADirtyReadOnlyPte) {
  OneThread p(kernel_v39(pinned_pair({{"dirty", true}})), [](Kernel& k) { ksmd_scan(k, 3, 2); },
              {"page_counts_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK(pte_at(k, mA, 0x1000) == Pte::present(PA, false, true, true));
  CHECK(k.stable_nodes[0].unused);
  LONGS_EQUAL(0, k.ksm.pages_shared);
}

namespace {

// 2.6.33: KSM page K mapped by A (young) and B (declared old) through stable node S.
Kernel referenced_kernel() {
  nlohmann::json initial = seed000_initial();
  initial["ptes"].erase(1);              // A:0x2000's swap pte: no swap ptes in 2.6.33
  initial["ptes"][1]["young"] = false;  // B:0x1000
  KernelConfig config;
  config.era = Era::V2_6_33;
  return parse_initial_state(initial, "t", "/initial", config);
}

}  // namespace

// page_referenced_ksm -> page_referenced_one at each rmap_item: only A's pte is young:
// one reference, and ptep_clear_flush_young leaves both ptes old.
TEST(PteBits, PageReferencedCountsAndClearsYoungBits) {
  int referenced = -1;
  OneThread p(referenced_kernel(), [&](Kernel& k) { referenced = v2_6_33::reclaim_page_referenced(k, K); });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  LONGS_EQUAL(1, referenced);
  CHECK(pte_at(*p.kernel, mmA, 0x1000) == Pte::present(K, false, false, false));
  CHECK(pte_at(*p.kernel, mmB, 0x1000) == Pte::present(K, false, false, false));
}
