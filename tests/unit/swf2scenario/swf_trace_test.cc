#include "tools/swf2scenario/swf_trace.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace armada::swf2scenario {
namespace {

struct LineCase {
  std::string name;
  std::string line;
  bool ok;
  std::string error;  // a substring of the message when !ok
};

const std::vector<LineCase> kLineCases = {
    {"spaces",
     "   15   599850 192180   3477    4     -1    -1    4  53940    -1  1  12  13  -1 -1 -1 -1 -1",
     true, ""},
    {"tabs and a trailing CR",
     "15\t599850\t192180\t3477\t4\t-1\t-1\t4\t53940\t-1\t1\t12\t13\t-1\t-1\t-1\t-1\t-1\r", true,
     ""},
    {"fractional cpu time", "15 599850 192180 3477 4 12.5 -1 4 53940 -1 1 12 13 -1 -1 -1 -1 -1",
     true, ""},
    {"too few columns", "15 599850 192180 3477 4", false, "expected 18 columns, found 5"},
    {"not a number", "15 599850 x 3477 4 -1 -1 4 53940 -1 1 12 13 -1 -1 -1 -1 -1", false,
     "column 3: \"x\""},
};

TEST_CASE("ParseSwfLine reads the 18 columns or names the bad one") {
  const LineCase c = GENERATE(from_range(kLineCases));
  DYNAMIC_SECTION(c.name) {
    auto job = ParseSwfLine(c.line);
    REQUIRE(job.ok() == c.ok);
    if (!c.ok) {
      CHECK_THAT(std::string(job.status().message()), Catch::Contains(c.error));
      return;
    }
    CHECK(job->id == 15);
    CHECK(job->submit == 599850);
    CHECK(job->wait == 192180);
    CHECK(job->run_time == 3477);
    CHECK(job->allocated_procs == 4);
    CHECK(job->requested_procs == 4);
    CHECK(job->requested_time == 53940);
    CHECK(job->status == 1);
    CHECK(job->user == 12);
    CHECK(job->group == 13);
    CHECK(job->partition == -1);
  }
}

TEST_CASE("Processors prefers allocated, then requested") {
  SwfJob job;
  CHECK(job.Processors() == -1);
  job.requested_procs = 8;
  CHECK(job.Processors() == 8);
  job.allocated_procs = 4;
  CHECK(job.Processors() == 4);
}

TEST_CASE("ParseSwf reads the header, skips blank lines and names a bad line") {
  const std::string text =
      "; Version: 2.2\n"
      "; MaxNodes: 100\n"
      ";  MaxProcs:  128 \n"
      "; UnixStartTime: 843480031\n"
      "\n"
      "1 0 5 60 2 -1 -1 2 100 -1 1 7 3 -1 -1 -1 -1 -1\n"
      "2 10 5 -1 1 -1 -1 1 100 -1 0 8 3 -1 -1 -1 -1 -1\n";
  auto trace = ParseSwf(text);
  REQUIRE(trace.ok());
  CHECK(trace->header.max_nodes == 100);
  CHECK(trace->header.max_procs == 128);
  CHECK(trace->header.unix_start_time == 843480031);
  CHECK(trace->header.comments.size() == 4);
  REQUIRE(trace->jobs.size() == 2);
  CHECK(trace->jobs[1].run_time == -1);

  SECTION("max_jobs stops early") {
    auto first = ParseSwf(text, 1);
    REQUIRE(first.ok());
    CHECK(first->jobs.size() == 1);
  }
  SECTION("a bad line is named by number") {
    auto bad = ParseSwf(text + "3 20 oops\n");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(bad.status().message()), Catch::StartsWith("line 8: "));
  }
}

TEST_CASE("ReadSwfFile reports a missing file as not found") {
  auto trace = ReadSwfFile("/nonexistent/trace.swf");
  REQUIRE_FALSE(trace.ok());
  CHECK(trace.status().code() == absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace armada::swf2scenario
