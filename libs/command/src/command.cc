#include "kpo/command/command.h"

#include "kpo/idempotency/idempotency.h"

namespace kpo::command {

absl::Status Context::Publish(absl::string_view subject, const google::protobuf::Message& event) {
  auto appended = outbox_.Append(tx_, organization_name(), subject, event);
  if (!appended.ok()) return appended.status();
  ++published_;
  return absl::OkStatus();
}

namespace {

// Returned from the transaction to roll back a validate-only command that succeeded.
const absl::Status& ValidateOnlyRollback() {
  static const auto* const kStatus =
      new absl::Status(absl::StatusCode::kCancelled, "validate_only: rolled back");
  return *kStatus;
}

}  // namespace

absl::Status Runner::Run(const Command& command, google::protobuf::Message& response,
                         absl::FunctionRef<absl::Status(Context&)> work) const {
  if (absl::Status s = kpo::idempotency::ValidateRequestId(command.request_id); !s.ok()) return s;
  kpo::idempotency::Key key{command.organization_id, command.request_id, command.method, ""};
  // A validate-only request is not compared: it may check part of what a request_id
  // later carries (kpoctl validates an import in growing prefixes under the import's
  // request_id), and after that request ran it gets its answer.
  if (!command.request_id.empty() && command.request != nullptr && !command.validate_only) {
    key.fingerprint = kpo::idempotency::Fingerprint(*command.request);
  }
  absl::Status s = db_.Write([&](kpo::storage::Transaction& tx) -> absl::Status {
    auto seen = kpo::idempotency::Replay(tx, key, response);
    if (!seen.ok() || *seen) return seen.status();
    Context context(tx, outbox_, command.organization_id, clock_.Now());
    if (absl::Status w = work(context); !w.ok()) return w;
    if (command.validate_only) return ValidateOnlyRollback();
    return kpo::idempotency::Remember(tx, key, response, context.now());
  });
  if (command.validate_only && s == ValidateOnlyRollback()) return absl::OkStatus();
  return s;
}

}  // namespace kpo::command
