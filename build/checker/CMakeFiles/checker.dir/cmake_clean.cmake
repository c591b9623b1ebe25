file(REMOVE_RECURSE
  "CMakeFiles/checker.dir/src/api.cpp.o"
  "CMakeFiles/checker.dir/src/api.cpp.o.d"
  "CMakeFiles/checker.dir/src/dfs.cpp.o"
  "CMakeFiles/checker.dir/src/dfs.cpp.o.d"
  "CMakeFiles/checker.dir/src/execution.cpp.o"
  "CMakeFiles/checker.dir/src/execution.cpp.o.d"
  "CMakeFiles/checker.dir/src/explorer.cpp.o"
  "CMakeFiles/checker.dir/src/explorer.cpp.o.d"
  "CMakeFiles/checker.dir/src/names.cpp.o"
  "CMakeFiles/checker.dir/src/names.cpp.o.d"
  "CMakeFiles/checker.dir/src/primitives.cpp.o"
  "CMakeFiles/checker.dir/src/primitives.cpp.o.d"
  "CMakeFiles/checker.dir/src/scheduler.cpp.o"
  "CMakeFiles/checker.dir/src/scheduler.cpp.o.d"
  "libchecker.a"
  "libchecker.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/checker.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
