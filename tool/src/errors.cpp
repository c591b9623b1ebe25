// errors.cpp: path checks shared by every command (see errors.h).
#include "tool/errors.h"

#include <filesystem>
#include <system_error>

namespace tool {

void require_file(const std::string& path, const char* what) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec && ec != std::errc::no_such_file_or_directory)  // a symlink loop, a denied directory, ...
    throw BadInput(path + ": cannot open " + what + " file: " + ec.message());
  if (!fs::exists(st)) throw BadInput(path + ": no such " + what + " file");
  if (fs::is_directory(st)) throw BadInput(path + ": is a directory, expected a " + what + " file");
  if (!fs::is_regular_file(st)) throw BadInput(path + ": not a regular file");
}

}  // namespace tool
