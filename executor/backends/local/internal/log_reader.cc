#include "executor/backends/local/internal/log_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace armada::executor::local_internal {

absl::StatusOr<std::vector<std::string>> ReadLogLines(const std::string& path, int64_t max_bytes,
                                                      int64_t tail_lines) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("open ", path));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int error = errno;
    ::close(fd);
    return absl::ErrnoToStatus(error, absl::StrCat("stat ", path));
  }
  const int64_t size = st.st_size;
  const int64_t want = std::max<int64_t>(0, std::min(size, max_bytes));
  const int64_t offset = tail_lines > 0 ? size - want : 0;
  std::string text(static_cast<size_t>(want), '\0');
  int64_t got = 0;
  while (got < want) {
    const ssize_t n = ::pread(fd, text.data() + got, static_cast<size_t>(want - got), offset + got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      return absl::ErrnoToStatus(error, absl::StrCat("read ", path));
    }
    if (n == 0) break;  // the file shrank while we read it
    got += n;
  }
  ::close(fd);
  text.resize(static_cast<size_t>(got));
  if (offset > 0) {
    // Reading from the middle: the first line is only the tail of a line.
    const size_t newline = text.find('\n');
    text.erase(0, newline == std::string::npos ? text.size() : newline + 1);
  } else if (offset + got < size) {
    // The budget cut the file: drop the line it cut.
    const size_t newline = text.rfind('\n');
    text.resize(newline == std::string::npos ? 0 : newline + 1);
  }
  if (!text.empty() && text.back() == '\n') text.pop_back();
  std::vector<std::string> lines;
  if (!text.empty()) lines = absl::StrSplit(text, '\n');
  if (tail_lines > 0 && static_cast<int64_t>(lines.size()) > tail_lines) {
    lines.erase(lines.begin(), lines.end() - tail_lines);
  }
  return lines;
}

}  // namespace armada::executor::local_internal
