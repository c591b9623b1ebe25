// classic_programs.h: the classic programs of the DPOR literature (lastzero,
// indexer, filesystem), written against the engine's public API, shared by
// the benchmarks (search_bench, cluster_bench). Their trace counts are
// derived in search_bench.cpp's header comment.
#pragma once

#include <checker/checker.h>

#include <memory>
#include <string>
#include <vector>

namespace bench {

using namespace checker;

struct LastZero : Program {
  int n;
  std::vector<std::unique_ptr<Shared<int>>> a;
  explicit LastZero(int n_) : n(n_) {}
  void setup() override {
    a.clear();
    for (int i = 0; i <= n; ++i) a.push_back(std::make_unique<Shared<int>>("a" + std::to_string(i), 0));
    spawn("scan", [this] {
      int i = n;
      while (i > 0 && a[i]->load() != 0) --i;
    });
    for (int j = 1; j <= n; ++j)
      spawn("w" + std::to_string(j), [this, j] { a[j]->store(a[j - 1]->load() + 1); });
  }
};

struct Indexer : Program {
  int n;
  bool bug;  // assert that no insertion has to probe
  static constexpr int kSize = 128;
  std::vector<std::unique_ptr<Shared<int>>> table;
  Indexer(int n_, bool b) : n(n_), bug(b) {}
  void setup() override {
    table.clear();
    for (int i = 0; i < kSize; ++i)
      table.push_back(std::make_unique<Shared<int>>("table[" + std::to_string(i) + "]", 0));
    for (int t = 0; t < n; ++t)
      spawn("T" + std::to_string(t), [this, t] {
        for (int m = 1; m <= 4; ++m) {
          int w = m * 11 + t;
          int h = (w * 7) % kSize;
          int expected = 0;
          while (!table[h]->compare_exchange(expected, w)) {
            check(!bug, FailureKind::Assertion, "indexer: hash collision");
            expected = 0;
            h = (h + 1) % kSize;
          }
        }
      });
  }
};

struct FileSystem : Program {
  int n;
  bool bug;  // assert every thread gets its first-choice block
  static constexpr int kBlocks = 26, kInodes = 32;
  std::vector<std::unique_ptr<Mutex>> locki, lockb;
  std::vector<std::unique_ptr<Shared<int>>> inode, busy;
  FileSystem(int n_, bool b) : n(n_), bug(b) {}
  void setup() override {
    locki.clear(), lockb.clear(), inode.clear(), busy.clear();
    for (int i = 0; i < kInodes; ++i) {
      locki.push_back(std::make_unique<Mutex>("locki[" + std::to_string(i) + "]"));
      inode.push_back(std::make_unique<Shared<int>>("inode[" + std::to_string(i) + "]", 0));
    }
    for (int b = 0; b < kBlocks; ++b) {
      lockb.push_back(std::make_unique<Mutex>("lockb[" + std::to_string(b) + "]"));
      busy.push_back(std::make_unique<Shared<int>>("busy[" + std::to_string(b) + "]", 0));
    }
    for (int t = 0; t < n; ++t)
      spawn("T" + std::to_string(t), [this, t] {
        int i = t % kInodes;
        locki[i]->lock();
        if (inode[i]->load() == 0) {
          int b = (i * 2) % kBlocks;
          for (;;) {
            lockb[b]->lock();
            if (busy[b]->load() == 0) {
              busy[b]->store(1);
              inode[i]->store(b + 1);
              lockb[b]->unlock();
              break;
            }
            lockb[b]->unlock();
            check(!bug, FailureKind::Assertion, "filesystem: first-choice block taken");
            b = (b + 1) % kBlocks;
          }
        }
        locki[i]->unlock();
      });
  }
};

}  // namespace bench
