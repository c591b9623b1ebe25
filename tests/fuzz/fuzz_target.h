// fuzz_target.h: what every fuzz target of tests/fuzz/ promises, and the
// helpers they share. A target is one libFuzzer entry point,
// LLVMFuzzerTestOneInput, built two ways: with clang -fsanitize=fuzzer (the
// long fuzzing run, MMCHECK_FUZZ=ON) and with any compiler beside
// replay_driver.cpp (ctest replays the seed corpus and deterministic mutants of
// it through the same code).
//
// Invariant: a target returns normally for every input that mmcheck answers
// as documented (a result, or bad input: one line, exit 2); anything else (an
// exception other than InputError, exit 3, an error of more than one line, a
// trace that does not read back as written) aborts with a message, which both
// libFuzzer and the driver report as a failure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace fuzz {

[[noreturn]] inline void fail(const std::string& why) {
  std::fprintf(stderr, "fuzz target failure: %s\n", why.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
