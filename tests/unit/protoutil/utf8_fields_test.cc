#include "lib/protoutil/utf8_fields.h"

#include <catch2/catch.hpp>

#include "api/submit.pb.h"

// The deprecated singular pod_spec is still accepted, so it is walked too.
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

namespace armada::protoutil {
namespace {

api::JobSubmitRequestItem Item() {
  api::JobSubmitRequestItem item;
  item.set_namespace_("default");
  auto* pod = item.add_pod_specs();
  for (const char* name : {"a", "b"}) {
    auto* c = pod->add_containers();
    c->set_name(name);
    c->add_command("sh");
    (*c->mutable_resources()->mutable_requests())["cpu"].set_string("1");
  }
  (*item.mutable_labels())["app"] = "web";
  return item;
}

TEST_CASE("FindInvalidUtf8: a valid message has nothing to report") {
  CHECK_FALSE(FindInvalidUtf8(Item()).has_value());
  CHECK_FALSE(FindInvalidUtf8(api::JobSubmitRequestItem()).has_value());
}

TEST_CASE("FindInvalidUtf8: names the path of the first bad string, at any depth") {
  struct Case {
    const char* name;
    void (*mutate)(api::JobSubmitRequestItem&);
    std::string path;
    std::string value;
  };
  const std::vector<Case> cases = {
      {"nested singular",
       [](auto& i) { i.mutable_pod_specs(0)->mutable_containers(1)->set_workingdir("\xff"); },
       "pod_specs[0].containers[1].workingDir", "\xff"},
      {"repeated string",
       [](auto& i) { i.mutable_pod_specs(0)->mutable_containers(0)->add_command("x\xc3"); },
       "pod_specs[0].containers[0].command[1]", "x\xc3"},
      {"map value of a message",
       [](auto& i) {
         (*i.mutable_pod_specs(0)
               ->mutable_containers(0)
               ->mutable_resources()
               ->mutable_limits())["cpu"]
             .set_string("\xed\xa0\x80");
       },
       "pod_specs[0].containers[0].resources.limits[cpu].string", "\xed\xa0\x80"},
      {"string map value",
       [](auto& i) { (*i.mutable_pod_specs(0)->mutable_nodeselector())["z"] = "\x80"; },
       "pod_specs[0].nodeSelector[z]", "\x80"},
      {"string map key",
       [](auto& i) { (*i.mutable_pod_specs(0)->mutable_nodeselector())["\xfe"] = "ok"; },
       "pod_specs[0].nodeSelector", "\xfe"},
      {"deprecated singular pod_spec",
       [](auto& i) { i.mutable_pod_spec()->add_containers()->set_image("img\xff"); },
       "pod_spec.containers[0].image", "img\xff"},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name) {
      api::JobSubmitRequestItem item = Item();
      c.mutate(item);
      auto bad = FindInvalidUtf8(item);
      REQUIRE(bad.has_value());
      CHECK(bad->path == c.path);
      CHECK(bad->value == c.value);
    }
  }
}

TEST_CASE("FindInvalidUtf8: bytes fields are binary and not checked") {
  api::Job job;
  job.set_compressed_queue_ownership_user_groups(std::string("\xff\x00\xfe", 3));
  CHECK_FALSE(FindInvalidUtf8(job).has_value());
  job.add_pod_specs()->set_hostname("h\xff");
  auto bad = FindInvalidUtf8(job);
  REQUIRE(bad.has_value());
  CHECK(bad->path == "pod_specs[0].hostname");
}

}  // namespace
}  // namespace armada::protoutil
