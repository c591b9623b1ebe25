// input_limits.h: the limits every input file (scenario or trace) must keep,
// and the short, escaped excerpt of input that error lines may quote.
//
// Invariant: a file within these limits loads in bounded time and memory, and
// every loop of the model that does not announce steps (a walk over a vma's
// pages) is bounded by them; anything beyond is an InputError naming the file
// and the JSON pointer. The README's "Input limits" section lists the same
// numbers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace model {

/// A scenario or trace file: at most 8 MiB.
inline constexpr std::uint64_t kMaxFileBytes = 8u << 20;
/// JSON nesting: at most 64 arrays/objects deep.
inline constexpr std::size_t kMaxJsonDepth = 64;
/// Any array of a scenario (pages, ptes, vmas, threads' args, ...): at most 4096 elements.
inline constexpr std::size_t kMaxArrayItems = 4096;
/// User addresses end at x86_64's TASK_SIZE (47 bits, the last page excluded).
inline constexpr std::uint64_t kTaskSize = 0x7ffffffff000ull;
/// One vma spans at most 4096 pages (16 MiB); the vmas of a scenario at most
/// 16384 pages together: page walks (break_ksm over a range, ksmd's scan) do
/// not announce a step per empty page.
inline constexpr std::uint64_t kMaxVmaPages = 4096;
inline constexpr std::uint64_t kMaxTotalVmaPages = 16384;
/// Names (scenario, threads, pages, mms, anon_vmas, stable nodes, rmap_items):
/// at most 128 bytes; timelines and error lines show them whole.
inline constexpr std::size_t kMaxNameBytes = 128;
/// Steps per execution (explore.max_steps, --max-steps, a trace's max_steps).
inline constexpr std::uint64_t kMaxSteps = 1000000;

/// `text` as it may appear in an error line: control characters and non-ASCII
/// bytes escaped (\n, \xNN), at most `max` characters of it, then "..." and
/// how many bytes were left out.
std::string excerpt(const std::string& text, std::size_t max = 48);

/// excerpt() in double quotes.
std::string quote_input(const std::string& text, std::size_t max = 48);

/// The Levenshtein distance of two short names (a typo's distance from what it meant: an
/// unknown field's hint, run --reach's names that look like the one asked); two names of
/// which one is longer than 64 bytes are 64 apart unless equal.
std::size_t edit_distance(const std::string& a, const std::string& b);

/// An object key as a JSON pointer token (RFC 6901: "~" -> "~0", "/" -> "~1"),
/// control bytes as \xNN and a long key cut to its first 48 bytes and "...":
/// pointers in error lines stay short.
std::string pointer_token(const std::string& key);

}  // namespace model
