// mpi_classic.cpp: classic programs under the distributed search, for
// tests/tool/mpi.sh: run alone it prints what one process finds; under
// `mpirun -np N` rank 0 prints what N processes find, which must be the same
// lines (executions, steps, verdict, counterexample length).
//   lastzero, indexer, filesystem: bench/classic_programs.h.
//   counters(N)  N threads each take a lock, add to a shared total, and the
//                last one asserts the total is N (a lost update when one skips
//                the lock: the "-bug" variant fails).
#include <checker/checker.h>
#include <checker/cluster.h>

#include "../../bench/classic_programs.h"

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

using namespace checker;

namespace {

struct Counters : Program {
  int n;
  bool bug;
  std::unique_ptr<Mutex> m;
  std::unique_ptr<Shared<int>> total, done;
  Counters(int n_, bool b) : n(n_), bug(b) {}
  void setup() override {
    m = std::make_unique<Mutex>("lock");
    total = std::make_unique<Shared<int>>("total", 0);
    done = std::make_unique<Shared<int>>("done", 0);
    for (int t = 0; t < n; ++t)
      spawn("T" + std::to_string(t), [this, t] {
        const bool locked = !(bug && t == 0);
        if (locked) m->lock();
        int v = total->load();
        total->store(v + 1);
        if (locked) m->unlock();
        int d = 0;
        while (!done->compare_exchange(d, d + 1)) {
        }
        if (d == n - 1) check(total->load() == n, FailureKind::Assertion, "lost update: total != n");
      });
  }
};

void one(const char* name, const ProgramFactory& make) {
  Options o;
  o.strategy = StrategyKind::Dpor;
  Report r = explore(make, o);
  if (Cluster::rank() != 0) return;
  std::printf("%s: %llu executions, %llu steps, %s, %s, counterexample of %zu choices\n", name,
              static_cast<unsigned long long>(r.stats.executions),
              static_cast<unsigned long long>(r.stats.total_steps),
              std::string(to_string(r.verdict)).c_str(),
              r.stats.complete ? "complete" : "stopped",
              r.counterexample ? r.counterexample->schedule.size() : std::size_t{0});
}

}  // namespace

int main(int argc, char** argv) {
  Cluster::join(&argc, &argv);
  one("lastzero(6)", [] { return std::make_unique<bench::LastZero>(6); });
  one("indexer(13)", [] { return std::make_unique<bench::Indexer>(13, false); });
  one("filesystem(15)", [] { return std::make_unique<bench::FileSystem>(15, false); });
  one("counters(4)", [] { return std::make_unique<Counters>(4, false); });
  one("counters-bug(4)", [] { return std::make_unique<Counters>(4, true); });
  Cluster::leave(0);
  return 0;
}
