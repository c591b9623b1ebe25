// lost_update.cpp: the engine's example program. Two threads increment a
// shared counter with a separate load and store; the engine finds the
// interleaving that loses an update and prints it.
#include <checker/checker.h>

#include <cstdio>
#include <optional>

struct LostUpdate : checker::Program {
  std::optional<checker::Shared<int>> counter;

  void setup() override {
    counter.emplace("counter", 0);
    for (const char* name : {"A", "B"}) {
      checker::spawn(name, [this] {
        int v = counter->load("read counter");
        counter->store(v + 1, "write counter");
      });
    }
  }

  void at_end() override {
    checker::check(counter->peek() == 2, checker::FailureKind::Invariant,
                   "lost update: counter == " + std::to_string(counter->peek()));
  }
};

int main() {
  LostUpdate program;
  checker::Report r = checker::explore(program, checker::Options{});
  std::printf("verdict: %s after %llu executions\n",
              std::string(checker::to_string(r.verdict)).c_str(),
              static_cast<unsigned long long>(r.stats.executions));
  if (r.counterexample) {
    std::printf("%s\n", r.counterexample->violation.message.c_str());
    for (std::size_t i = 0; i < r.counterexample->log.steps.size(); ++i)
      std::printf("  %zu: %s\n", i, checker::describe_step(r.counterexample->log, i).c_str());
  }
  return r.verdict == checker::Verdict::Pass ? 0 : 1;
}
