#include "lib/common/yaml_config.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

namespace armada::common {
namespace {

// Writes `text` to a new file under /tmp and removes it when destroyed.
class TempYaml {
 public:
  explicit TempYaml(const std::string& text) {
    char name[] = "/tmp/yaml_config_test.XXXXXX";
    int fd = mkstemp(name);
    REQUIRE(fd >= 0);
    close(fd);
    path_ = name;
    std::ofstream(path_) << text;
  }
  ~TempYaml() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

absl::Status ParseWithDuration(const std::string& path, absl::Duration* period) {
  return ParseYamlFile(path, [&](const YAML::Node& root) -> absl::Status {
    if (absl::Status s = CheckKnownKeys(root, {"period", "name"}); !s.ok()) return s;
    return ReadDuration(root, "period", period);
  });
}

TEST_CASE("yaml config: a good file is read") {
  TempYaml file("name: x\nperiod: 250ms\n");
  absl::Duration period;
  REQUIRE(ParseWithDuration(file.path(), &period).ok());
  CHECK(period == absl::Milliseconds(250));
}

TEST_CASE("yaml config: a misspelt key is named with its line and the known keys") {
  TempYaml file("name: x\nperoid: 1s\n");
  absl::Duration period;
  absl::Status status = ParseWithDuration(file.path(), &period);
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  const std::string message(status.message());
  CHECK_THAT(message, Catch::StartsWith(file.path() + ": line 2: unknown key \"peroid\""));
  CHECK_THAT(message, Catch::Contains("period, name"));
}

TEST_CASE("yaml config: a bad duration names the key and value") {
  TempYaml file("period: soon\n");
  absl::Duration period;
  CHECK_THAT(std::string(ParseWithDuration(file.path(), &period).message()),
             Catch::Contains("period: \"soon\" is not a duration"));
}

TEST_CASE("yaml config: syntax errors and missing files name the file") {
  TempYaml file("period: [1s\n");
  absl::Duration period;
  CHECK_THAT(std::string(ParseWithDuration(file.path(), &period).message()),
             Catch::StartsWith(file.path() + ": "));
  CHECK_THAT(std::string(ParseWithDuration("/nonexistent/x.yaml", &period).message()),
             Catch::StartsWith("/nonexistent/x.yaml: "));
}

}  // namespace
}  // namespace armada::common
