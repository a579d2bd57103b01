#include "server/http/forwarded_call.h"

namespace armada::server {

ForwardedCall::ForwardedCall(std::shared_ptr<grpc::ChannelInterface> channel,
                             const std::string& method, const std::string& request,
                             const std::vector<std::pair<std::string, std::string>>& metadata)
    : stub_(std::move(channel)) {
  for (const auto& [key, value] : metadata) context_.AddMetadata(key, value);
  call_ = stub_.PrepareCall(&context_, method, &queue_);
  if (call_ == nullptr) {
    status_ = grpc::Status(grpc::StatusCode::INTERNAL, "cannot prepare a call to " + method);
    ended_ = true;
    return;
  }
  call_->StartCall(reinterpret_cast<void*>(kStart));
  bool ok = Await(absl::InfiniteDuration()).value_or(false);
  if (ok) {
    grpc::Slice slice(request);
    grpc::ByteBuffer payload(&slice, 1);
    call_->WriteLast(payload, grpc::WriteOptions(), reinterpret_cast<void*>(kWrite));
    ok = Await(absl::InfiniteDuration()).value_or(false);
  }
  // A failed start or write means the call is over; its status says why.
  if (!ok) FinishCall();
}

ForwardedCall::~ForwardedCall() {
  if (call_ != nullptr && !ended_) {
    context_.TryCancel();
    if (read_pending_) Await(absl::InfiniteDuration());
    FinishCall();
  }
  queue_.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (queue_.Next(&tag, &ok)) {
  }
}

ForwardedCall::Next ForwardedCall::Read(absl::Duration timeout) {
  if (ended_) return {Outcome::kEnd, ""};
  if (!read_pending_) {
    call_->Read(&buffer_, reinterpret_cast<void*>(kRead));
    read_pending_ = true;
  }
  std::optional<bool> ok = Await(timeout);
  if (!ok.has_value()) return {Outcome::kTimeout, ""};
  read_pending_ = false;
  if (!*ok) {
    FinishCall();
    return {Outcome::kEnd, ""};
  }
  std::vector<grpc::Slice> slices;
  Next next{Outcome::kMessage, ""};
  if (!buffer_.Dump(&slices).ok()) return next;
  for (const auto& slice : slices) {
    next.message.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return next;
}

std::optional<bool> ForwardedCall::Await(absl::Duration timeout) {
  void* tag = nullptr;
  bool ok = false;
  if (timeout == absl::InfiniteDuration()) {
    if (!queue_.Next(&tag, &ok)) return false;  // shut down: cannot happen while in use
    return ok;
  }
  auto deadline = std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout);
  if (queue_.AsyncNext(&tag, &ok, deadline) != grpc::CompletionQueue::GOT_EVENT) {
    return std::nullopt;
  }
  return ok;
}

void ForwardedCall::FinishCall() {
  call_->Finish(&status_, reinterpret_cast<void*>(kFinish));
  Await(absl::InfiniteDuration());
  ended_ = true;
}

}  // namespace armada::server
