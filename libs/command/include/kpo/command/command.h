#pragma once

// The one way a mutation runs. Every create, update, transition and delete of every
// service goes through Runner::Run, which does, in one Database::Write transaction:
//
//   replay the request_id (a retry gets the first answer and nothing else happens;
//     a request_id reused for a different request is refused, REQUEST_ID_REUSED)
//   -> the command's work (validate, load, decide, store rows, Publish events)
//   -> remember the response under the request_id
//   -> commit; the outbox wakes its relay because events were appended, and the
//      work's own Transaction::OnCommit hooks run (cache invalidation, ...).
//
// A validate-only command runs the same work and is rolled back; it records nothing,
// and once its request_id has been used by the real request it gets that answer (the
// request would change nothing), whatever its body.
//
// Thread-safety: Runner is immutable and thread-safe; a Context belongs to one call.
// Errors: the work's status is returned as is (and everything is rolled back); a
// malformed request_id is INVALID_ARGUMENT naming "request_id".

#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "kpo/core/clock.h"
#include "kpo/events/outbox.h"
#include "kpo/storage/database.h"

namespace kpo::command {

// What is asked: by which organization (the caller's verified one, "acme"), through
// which method ("CreateSite": request_ids are scoped by it), under which request_id
// (empty: no replay), and the request itself (fingerprinted, so that a request_id
// reused with another body is refused; may be null).
struct Command {
  std::string organization_id;
  std::string method;
  std::string request_id;
  const google::protobuf::Message* request = nullptr;
  bool validate_only = false;
};

// What a command's work gets: its transaction, the organization, one clock reading for
// the whole command, and the outbox.
class Context {
 public:
  Context(kpo::storage::Transaction& tx, const kpo::events::Outbox& outbox,
          std::string organization_id, absl::Time now)
      : tx_(tx), outbox_(outbox), organization_id_(std::move(organization_id)), now_(now) {}
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  kpo::storage::Transaction& tx() { return tx_; }
  const std::string& organization_id() const { return organization_id_; }
  // "organizations/{organization_id}"
  std::string organization_name() const { return "organizations/" + organization_id_; }
  absl::Time now() const { return now_; }

  // Appends `event` about the resource named `subject` (the Kafka key) to the outbox of
  // this transaction.
  absl::Status Publish(absl::string_view subject, const google::protobuf::Message& event);
  // How many events this command published so far.
  int published() const { return published_; }

 private:
  kpo::storage::Transaction& tx_;
  const kpo::events::Outbox& outbox_;
  std::string organization_id_;
  absl::Time now_;
  int published_ = 0;
};

class Runner {
 public:
  // References must outlive the Runner.
  Runner(kpo::storage::Database& db, const kpo::events::Outbox& outbox,
         const kpo::core::Clock& clock)
      : db_(db), outbox_(outbox), clock_(clock) {}

  // Runs `work` as described above; `response` is what it produced, or the stored
  // response of the first request with this request_id.
  absl::Status Run(const Command& command, google::protobuf::Message& response,
                   absl::FunctionRef<absl::Status(Context&)> work) const;

  // The typed form: `work` returns the response.
  template <class Response>
  absl::StatusOr<Response> Run(const Command& command,
                               absl::FunctionRef<absl::StatusOr<Response>(Context&)> work) const {
    Response response;
    absl::Status s = Run(command, response, [&](Context& c) -> absl::Status {
      auto r = work(c);
      if (!r.ok()) return r.status();
      response = *std::move(r);
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    return response;
  }

  kpo::storage::Database& db() const { return db_; }
  const kpo::core::Clock& clock() const { return clock_; }

 private:
  kpo::storage::Database& db_;
  const kpo::events::Outbox& outbox_;
  const kpo::core::Clock& clock_;
};

}  // namespace kpo::command
