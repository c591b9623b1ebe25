file(REMOVE_RECURSE
  "CMakeFiles/lost_update.dir/lost_update.cpp.o"
  "CMakeFiles/lost_update.dir/lost_update.cpp.o.d"
  "lost_update"
  "lost_update.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/lost_update.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
