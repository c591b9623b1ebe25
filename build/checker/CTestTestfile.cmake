# CMake generated Testfile for 
# Source directory: /work/main/checker
# Build directory: /work/main/build/checker
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
