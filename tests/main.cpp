// main.cpp: the CppUTest runner shared by every test binary. CppUTest's memory
// leak detector is off: the engine caches fiber stacks per OS thread and the
// STL/Boost allocate lazily, which it would misreport. Leaks are checked with
// LeakSanitizer instead (see README, "Checking for leaks").
#include <CppUTest/CommandLineTestRunner.h>
#include <CppUTest/MemoryLeakWarningPlugin.h>

int main(int argc, char** argv) {
  MemoryLeakWarningPlugin::turnOffNewDeleteOverloads();
  return CommandLineTestRunner::RunAllTests(argc, argv);
}
