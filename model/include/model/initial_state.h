// initial_state.h: the "initial" section of a scenario, validated into a
// Kernel template (no checker objects yet; see Kernel::create_objects()).
//
// What is derived rather than written: page->mapping (a stable node's page is
// KSM, a mapped page is anon), mapcount and refcount (from the ptes), the
// stable trees, hlists and mm_slot rmap_lists (in listing order). What is
// written and checked against the derivation: page flags Ksm/Anon, optional
// mapcount/refcount, optional pages_shared/pages_sharing. Any disagreement is
// an impossible state and an InputError at the field that disagrees.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "model/kernel.h"

namespace model {

/// Parse and validate `j` (found at `pointer` in `file`) for a kernel `config`.
Kernel parse_initial_state(const nlohmann::json& j, const std::string& file,
                           const std::string& pointer, const KernelConfig& config);

/// Give `k` its zero page (once): a reserved page named "ZERO_PAGE" after the
/// declared ones, Uptodate, content 0, one reference of its own. Called for
/// scenarios that map it (a "zero" pte, a read fault on a none pte) only, so
/// the objects of every other scenario keep their ids.
void add_zero_page(Kernel& k);

/// Give a 4.19 `k` its huge zero page (once): a reserved compound page of 512 subpages
/// named "HUGE_ZERO_PAGE" after the declared ones, Uptodate, content 0, one reference of
/// its own (huge_zero_refcount is not modelled: the shrinker never frees it during a run).
/// Called for scenarios that map it (a "huge_zero" pmd, a read fault under a none pmd of a
/// VM_HUGEPAGE vma) only.
void add_huge_zero_page(Kernel& k);

}  // namespace model
