// replay_driver.cpp: main() for a fuzz target built without libFuzzer. Feeds
// every file under the given files and directories (sorted, recursively) to
// LLVMFuzzerTestOneInput, and with --mutants N also N deterministic mutants of
// each (byte flips, truncations, insertions of JSON punctuation, from a fixed
// seed), so ctest runs the targets over the seed corpus the same way each time.
// A target failure aborts the process: ctest reports it.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_target.h"

namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void feed(const std::string& s) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

/// A fixed-seed generator (splitmix64): the mutants are the same every run.
struct Rng {
  std::uint64_t x;
  std::uint64_t next() {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }
};

std::string mutate(const std::string& s, Rng& rng) {
  static const char* const pieces[] = {"[", "]", "{", "}", ",", ":", "\"", "0", "-1", "1e400",
                                       "18446744073709551615", "null", "true", "\"0x1000\"",
                                       "\"-0x1000\"", "\"0xfffffffffffff000\"", "[[[[[[[[", "\\u0000"};
  std::string m = s;
  int edits = 1 + static_cast<int>(rng.below(3));
  for (int i = 0; i < edits; ++i) {
    std::size_t at = rng.below(m.size() + 1);
    switch (rng.below(4)) {
      case 0:  // flip a byte
        if (!m.empty()) m[std::min(at, m.size() - 1)] ^= static_cast<char>(1u << rng.below(8));
        break;
      case 1:  // truncate
        m.resize(at);
        break;
      case 2:  // insert JSON punctuation or a hostile value
        m.insert(at, pieces[rng.below(sizeof pieces / sizeof *pieces)]);
        break;
      default:  // replace a number or string start with a hostile value
        if (at < m.size()) m.replace(at, std::min<std::size_t>(m.size() - at, 1 + rng.below(8)),
                                     pieces[rng.below(sizeof pieces / sizeof *pieces)]);
        break;
    }
  }
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t mutants = 0;
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--mutants" && i + 1 < argc) {
      mutants = static_cast<std::size_t>(std::stoul(argv[++i]));
      continue;
    }
    if (fs::is_directory(a)) {
      for (const auto& e : fs::recursive_directory_iterator(a))
        if (e.is_regular_file()) files.push_back(e.path());
    } else {
      files.push_back(a);
    }
  }
  std::sort(files.begin(), files.end());
  Rng rng{0x6d6d636865636bull};  // "mmcheck"
  std::size_t inputs = 0;
  for (const fs::path& f : files) {
    std::string s = read(f);
    feed(s);
    ++inputs;
    for (std::size_t k = 0; k < mutants; ++k, ++inputs) feed(mutate(s, rng));
  }
  std::printf("%zu inputs from %zu files: no failure\n", inputs, files.size());
  return files.empty() ? 1 : 0;
}
