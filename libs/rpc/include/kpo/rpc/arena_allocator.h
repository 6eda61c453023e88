#pragma once

// Request and response of a unary callback method on one protobuf arena per call
// (gRPC's MessageAllocator). A handler that fills its response in place (kpo/rpc/
// unary.h, KPO_RPC_UNARY_INTO) then allocates every nested message and string from the
// arena, and the whole call's memory is released at once after the response has left:
// for responses of many small messages (a scorecard with its freshness positions) the
// copies and frees otherwise cost as much as the call's own work. Register with the
// generated SetMessageAllocatorFor_<Method>(&allocator); the allocator must outlive the
// server. Thread-safe.

#include <grpcpp/support/message_allocator.h>

#include <cstddef>

#include "google/protobuf/arena.h"

namespace kpo::rpc {

template <class Request, class Response>
class ArenaAllocator final : public grpc::MessageAllocator<Request, Response> {
 public:
  grpc::MessageHolder<Request, Response>* AllocateMessages() override { return new Holder; }

 private:
  // The first block inline (a typical call never allocates beyond it).
  static constexpr size_t kInitialBlock = 16 * 1024;

  class Holder final : public grpc::MessageHolder<Request, Response> {
   public:
    Holder() : arena_(Options()) {
      this->set_request(google::protobuf::Arena::CreateMessage<Request>(&arena_));
      this->set_response(google::protobuf::Arena::CreateMessage<Response>(&arena_));
    }
    void Release() override { delete this; }

   private:
    google::protobuf::ArenaOptions Options() {
      google::protobuf::ArenaOptions o;
      o.initial_block = block_;
      o.initial_block_size = sizeof(block_);
      return o;
    }
    alignas(8) char block_[kInitialBlock];
    google::protobuf::Arena arena_;
  };
};

}  // namespace kpo::rpc
