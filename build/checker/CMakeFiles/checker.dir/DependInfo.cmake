
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/checker/src/api.cpp" "checker/CMakeFiles/checker.dir/src/api.cpp.o" "gcc" "checker/CMakeFiles/checker.dir/src/api.cpp.o.d"
  "/work/main/checker/src/dfs.cpp" "checker/CMakeFiles/checker.dir/src/dfs.cpp.o" "gcc" "checker/CMakeFiles/checker.dir/src/dfs.cpp.o.d"
  "/work/main/checker/src/execution.cpp" "checker/CMakeFiles/checker.dir/src/execution.cpp.o" "gcc" "checker/CMakeFiles/checker.dir/src/execution.cpp.o.d"
  "/work/main/checker/src/explorer.cpp" "checker/CMakeFiles/checker.dir/src/explorer.cpp.o" "gcc" "checker/CMakeFiles/checker.dir/src/explorer.cpp.o.d"
  "/work/main/checker/src/names.cpp" "checker/CMakeFiles/checker.dir/src/names.cpp.o" "gcc" "checker/CMakeFiles/checker.dir/src/names.cpp.o.d"
  "/work/main/checker/src/primitives.cpp" "checker/CMakeFiles/checker.dir/src/primitives.cpp.o" "gcc" "checker/CMakeFiles/checker.dir/src/primitives.cpp.o.d"
  "/work/main/checker/src/scheduler.cpp" "checker/CMakeFiles/checker.dir/src/scheduler.cpp.o" "gcc" "checker/CMakeFiles/checker.dir/src/scheduler.cpp.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
