// pmd_input.h: the initial-state input of kernel 4.19's page-table level and
// HMM ranges ("pmds", "hmm_ranges"), called by parse_initial_state.
// Invariant: every error is an InputError naming the JSON location; a huge pmd
// maps a compound page from a vma covering its whole 2 MiB, a pte lies under a
// table pmd, and a range's pfns match its length and lie in one anon vma.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "json_input.h"
#include "model/kernel.h"

namespace model {

using NameLookup = std::function<std::uint32_t(const JsonInput&)>;

/// initial.pmds: [{mm, address (2 MiB aligned), pmd: none|table|huge|huge_zero, page, writable}].
/// A huge_zero pmd is left none and listed in `huge_zero`: the caller maps the huge zero
/// page there once every declared page exists (add_huge_zero_page).
void parse_pmds(Kernel& k, JsonInput pmds, const NameLookup& mm_of, const NameLookup& page_of,
                std::vector<std::pair<std::uint32_t, std::uint64_t>>& huge_zero);
/// A pte at (mm, addr) needs a table pmd: creates the table when the range has
/// no pmd yet (every era's default); returns an error text when the pmd is not a table.
std::string pte_table_error(Kernel& k, std::uint32_t mm, std::uint64_t addr);
/// initial.hmm_ranges: [{name, mm, start, end, pfns: ["VALID"|"VALID|WRITE"|"0", ...]}].
void parse_hmm_ranges(Kernel& k, JsonInput ranges, const NameLookup& mm_of);
/// The anon mapping of a THP head mapped by huge pmds: the first such vma's anon_vma, index of the pmd.
void huge_pmd_anon_mapping(Kernel& k, PageId head);

}  // namespace model
