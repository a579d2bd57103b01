// Submit validation's rules for hostile input: queue names, job set ids,
// labels, annotations and byte limits.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "lib/model/submit_validation.h"

namespace armada::model {
namespace {

SubmitItemView ValidItem() {
  SubmitItemView item;
  item.pod_spec_count = 1;
  ContainerView container;
  container.name = "main";
  container.requests = {{"cpu", "1"}, {"memory", "1Gi"}};
  container.limits = container.requests;
  item.containers = {container};
  return item;
}

std::string ItemError(const SubmitItemView& item, const SubmitConfig& config = {}) {
  auto result = ValidateSubmitItem(3, item, config);
  if (result.ok()) return "";
  CHECK(result.status().code() == absl::StatusCode::kInvalidArgument);
  return std::string(result.status().message());
}

std::string RequestError(const std::string& queue, const std::string& job_set,
                         size_t request_bytes = 0, const SubmitConfig& config = {}) {
  absl::Status s = ValidateSubmitRequest(queue, job_set, 1, config, request_bytes);
  if (!s.ok()) CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  return std::string(s.message());
}

TEST_CASE("queue names are Kubernetes label values") {
  for (const char* ok : {"q", "team-a", "Team_A.1", "a1"}) {
    CHECK(ValidateQueueName("queue", ok).ok());
  }
  for (const std::string& bad :
       std::vector<std::string>{"", "-a", "a-", "a b", "a/b", "caf\xC3\xA9", "a\xFF",
                                std::string(64, 'a'), std::string("a\0b", 3)}) {
    absl::Status s = ValidateQueueName("queue", bad);
    CHECK_FALSE(s.ok());
    CHECK_THAT(std::string(s.message()), Catch::StartsWith("queue:"));
  }
  CHECK_THAT(RequestError("bad queue", "set"), Catch::StartsWith("queue: \"bad queue\""));
}

TEST_CASE("job set ids: UTF-8, no control characters, under 1024 bytes") {
  CHECK(RequestError("q", "my set/2024 \xE2\x9C\x93").empty());
  CHECK_THAT(RequestError("q", "set\xFF"), Catch::Contains("not valid UTF-8"));
  CHECK_THAT(RequestError("q", "set\xFF"), Catch::Contains("\\xff"));
  CHECK_THAT(RequestError("q", std::string("a\0b", 3)), Catch::Contains("control character"));
  CHECK_THAT(RequestError("q", "a\nb"), Catch::StartsWith("job_set_id:"));
  CHECK(RequestError("q", std::string(1023, 's')).empty());
  CHECK_THAT(RequestError("q", std::string(1024, 's')), Catch::StartsWith("job_set_id:"));
}

TEST_CASE("the whole request has a byte limit") {
  SubmitConfig config;
  config.max_request_bytes = 1000;
  CHECK(RequestError("q", "s", 1000, config).empty());
  CHECK_THAT(RequestError("q", "s", 1001, config),
             Catch::StartsWith("job_request_items: the request is 1001 bytes") &&
                 Catch::Contains("submit.maxRequestBytes"));
}

TEST_CASE("one item has a byte limit") {
  SubmitConfig config;
  config.max_item_bytes = 100;
  SubmitItemView item = ValidItem();
  item.item_bytes = 101;
  CHECK_THAT(ItemError(item, config), Catch::StartsWith("job_request_items[3]: is 101 bytes") &&
                                          Catch::Contains("submit.maxItemBytes"));
  item.item_bytes = 100;
  CHECK(ItemError(item, config).empty());
}

TEST_CASE("label keys and values follow Kubernetes' rules") {
  SubmitItemView item = ValidItem();
  item.labels = {{"app", "web"},
                 {"example.com/tier", "Front_end.1"},
                 {"empty", ""},
                 {std::string(63, 'k'), std::string(63, 'v')}};
  CHECK(ItemError(item).empty());

  struct Case {
    std::string key, value, mention;
  };
  for (const Case& c :
       {Case{"", "x", "must not be empty"}, Case{std::string(64, 'k'), "x", "64 characters"},
        Case{"a b", "x", "only letters"}, Case{"-a", "x", "start and end"},
        Case{"Example.com/a", "x", "DNS subdomain"}, Case{"/a", "x", "prefix"},
        Case{"a.com/", "x", "after '/'"}, Case{"a/b/c", "x", "more than one"},
        Case{std::string(254, 'a') + "/b", "x", "253"}, Case{"k\xFF", "x", "\\xff"}}) {
    DYNAMIC_SECTION("key " << c.key) {
      SubmitItemView bad = ValidItem();
      bad.labels = {{c.key, c.value}};
      CHECK_THAT(ItemError(bad), Catch::StartsWith("job_request_items[3].labels: key") &&
                                     Catch::Contains(c.mention));
    }
  }
  for (const Case& c :
       {Case{"k", std::string(64, 'v'), "64 characters"}, Case{"k", "a b", "only letters"},
        Case{"k", "x.", "start and end"}, Case{"k", "caf\xC3\xA9s", "only letters"}}) {
    DYNAMIC_SECTION("value " << c.value) {
      SubmitItemView bad = ValidItem();
      bad.labels = {{c.key, c.value}};
      CHECK_THAT(ItemError(bad), Catch::StartsWith("job_request_items[3].labels[k]:") &&
                                     Catch::Contains(c.mention));
    }
  }
}

TEST_CASE("annotations: qualified keys, any value, 256 KiB in total") {
  SubmitItemView item = ValidItem();
  item.annotations = {{"armadaproject.io/gangId", "g"}, {"Free.Text", "any value at all: \n\t"}};
  item.annotations["armadaproject.io/gangCardinality"] = "1";
  CHECK(ItemError(item).empty());

  item.annotations = {{"bad key", "v"}};
  CHECK_THAT(ItemError(item),
             Catch::StartsWith("job_request_items[3].annotations: key \"bad key\""));

  item.annotations = {{"a", std::string(256 * 1024 - 1, 'x')}};
  CHECK(ItemError(item).empty());
  item.annotations["b"] = "x";
  CHECK_THAT(ItemError(item),
             Catch::StartsWith("job_request_items[3].annotations: are 262146 bytes"));
}

}  // namespace
}  // namespace armada::model
