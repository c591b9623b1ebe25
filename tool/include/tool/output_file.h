// output_file.h: files mmcheck writes (traces, JUnit reports), checked before
// the work that produces them and written atomically.
//
// Invariants: check_output() runs before a search, so a path that cannot be
// written fails in a second, not after an hour; write_atomically() writes a
// temporary file in the same directory and renames it into place, so the path
// holds either its old content or the whole new text, never a truncated file;
// an output never replaces one of the command's input files; every failure is
// a BadInput line "PATH: cannot write WHAT file: <the system's reason>".
#pragma once

#include <string>
#include <vector>

namespace tool {

/// Throws BadInput unless `path` can be written as a `what` file ("trace",
/// "JUnit"): not a directory, not one of `inputs` (the same file by any path),
/// in a directory that exists (or can be created) and is writable.
void check_output(const std::string& path, const char* what, const std::vector<std::string>& inputs = {});

/// Write `text` to `path` through a temporary file renamed into place. Throws
/// BadInput with strerror on failure, leaving `path` as it was.
void write_atomically(const std::string& path, const std::string& text, const char* what);

}  // namespace tool
