// TempFile: a file with given contents in the system temp directory, removed on destruction.
// Test code only.
#pragma once

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace armada::cli::testing {

class TempFile {
 public:
  // `name` ends the file name ("jobs.yaml"); a per-process counter keeps paths distinct.
  TempFile(absl::string_view name, absl::string_view contents) {
    static std::atomic<int> counter{0};
    path_ = (std::filesystem::temp_directory_path() /
             absl::StrCat("armada_cli_test_", getpid(), "_", counter++, "_", name))
                .string();
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace armada::cli::testing
