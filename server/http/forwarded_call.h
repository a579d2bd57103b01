#pragma once

// One call of a gRPC method known only by name, with messages as serialized
// bytes: how the REST gateway reaches the services without depending on
// their classes. The call runs on its own completion queue and is driven by
// the caller's thread, so the caller can wait for the next message with a
// timeout and meanwhile check that its own HTTP client is still there.
// Unary and server-streaming methods are called the same way: one request,
// then messages until the end.

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include "absl/time/time.h"

namespace armada::server {

class ForwardedCall {
 public:
  enum class Outcome { kMessage, kEnd, kTimeout };
  struct Next {
    Outcome outcome;
    std::string message;  // the serialized response when kMessage
  };

  // Starts `method` ("/api.Submit/SubmitJobs") on `channel` with the
  // serialized `request` as its only message and `metadata` as headers.
  // A call that cannot start ends at once, its status saying why.
  ForwardedCall(std::shared_ptr<grpc::ChannelInterface> channel, const std::string& method,
                const std::string& request,
                const std::vector<std::pair<std::string, std::string>>& metadata);
  // Cancels the call when it has not ended.
  ~ForwardedCall();

  ForwardedCall(const ForwardedCall&) = delete;
  ForwardedCall& operator=(const ForwardedCall&) = delete;

  // The next response message, kEnd once the server has finished (then
  // status() is final), or kTimeout when nothing came within `timeout`
  // (calling again keeps waiting for the same message). Not thread-safe.
  Next Read(absl::Duration timeout = absl::InfiniteDuration());

  // The call's status; meaningful once Read() returned kEnd.
  const grpc::Status& status() const { return status_; }

 private:
  enum Tag : intptr_t { kStart = 1, kWrite, kRead, kFinish };

  // Waits for the one operation in flight: its success, or nullopt on timeout.
  std::optional<bool> Await(absl::Duration timeout);
  void FinishCall();

  grpc::GenericStub stub_;
  grpc::ClientContext context_;
  grpc::CompletionQueue queue_;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call_;
  grpc::ByteBuffer buffer_;
  grpc::Status status_;
  bool read_pending_ = false;
  bool ended_ = false;
};

}  // namespace armada::server
