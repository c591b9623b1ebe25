// output_file.cpp: checked, atomic output files (see output_file.h).
#include "tool/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "tool/errors.h"

namespace tool {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& path, const char* what, const std::string& reason) {
  throw BadInput(path + ": cannot write " + what + " file: " + reason);
}

fs::path parent_of(const std::string& path) {
  fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? fs::path(".") : parent;
}

}  // namespace

void check_output(const std::string& path, const char* what, const std::vector<std::string>& inputs) {
  if (path.empty()) fail(path, what, "empty path");
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) fail(path, what, ec.message());
  if (fs::is_directory(st)) fail(path, what, "it is a directory");
  if (fs::exists(st)) {
    if (!fs::is_regular_file(st)) fail(path, what, "not a regular file");
    for (const std::string& in : inputs) {
      std::error_code e2;
      if (fs::equivalent(path, in, e2) && !e2)
        fail(path, what, "it is the input file " + in + " (choose another path)");
    }
  }
  fs::path parent = parent_of(path);
  fs::create_directories(parent, ec);
  if (ec) fail(path, what, "directory " + parent.string() + ": " + ec.message());
  if (!fs::is_directory(parent, ec)) fail(path, what, "directory " + parent.string() + ": not a directory");
  if (::access(parent.c_str(), W_OK) != 0) fail(path, what, "directory " + parent.string() + ": " + std::strerror(errno));
}

void write_atomically(const std::string& path, const std::string& text, const char* what) {
  fs::path parent = parent_of(path);
  std::error_code ec;
  fs::create_directories(parent, ec);
  std::string tmpl = (parent / ("." + fs::path(path).filename().string() + ".XXXXXX")).string();
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) fail(path, what, std::strerror(errno));
  auto give_up = [&](int err) {
    ::close(fd);
    ::unlink(tmpl.c_str());
    fail(path, what, std::strerror(err));
  };
  // mkstemp creates 0600; a trace is an ordinary file (0666 less the umask).
  mode_t mask = ::umask(0);
  ::umask(mask);
  if (::fchmod(fd, 0666 & ~mask) != 0) give_up(errno);
  const char* p = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      give_up(errno);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) give_up(errno);
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(tmpl.c_str());
    fail(path, what, std::strerror(err));
  }
  if (::rename(tmpl.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmpl.c_str());
    fail(path, what, std::strerror(err));
  }
}

}  // namespace tool
