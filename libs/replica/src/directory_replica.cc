#include "kpo/replica/directory_replica.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "kpo/core/errors.h"
#include "kpo/people/v1/events.pb.h"
#include "kpo/people/v1/resources.pb.h"

namespace kpo::replica {

using google::protobuf::Message;
using kpo::storage::Blob;
using kpo::storage::Transaction;

namespace {

std::string KindOf(const google::protobuf::Descriptor* d) {
  const std::string n = d->name();
  if (n == "Organization") return "organization";
  if (n == "Site") return "site";
  if (n == "Area") return "area";
  if (n == "Person") return "person";
  if (n == "CoachingRelationship") return "coaching_relationship";
  return "";
}

}  // namespace

absl::Status ApplyDirectoryEvent(Transaction& tx, const kpo::common::v1::EventEnvelope& env,
                                 const kpo::core::Clock& clock) {
  const auto* desc =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(env.type());
  if (desc == nullptr) return absl::InvalidArgumentError("unknown event type " + env.type());
  std::unique_ptr<Message> event(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(desc)->New());
  if (!env.data().UnpackTo(event.get())) {
    return absl::InvalidArgumentError("event data does not match its type " + env.type());
  }
  // Field 1 is the resource, field 2 its revision (kpo/people/v1/events.proto).
  const auto* refl = event->GetReflection();
  const Message& resource = refl->GetMessage(*event, desc->FindFieldByNumber(1));
  const int64_t revision = refl->GetInt64(*event, desc->FindFieldByNumber(2));
  const auto* rdesc = resource.GetDescriptor();
  const std::string name =
      resource.GetReflection()->GetString(resource, rdesc->FindFieldByName("name"));
  const int state =
      resource.GetReflection()->GetEnumValue(resource, rdesc->FindFieldByName("state"));
  const std::string kind = KindOf(rdesc);
  // organizations/{org}[/...]: the resource must belong to the event's organization.
  if (kind.empty() || env.organization().empty() ||
      !(name == env.organization() || absl::StartsWith(name, env.organization() + "/"))) {
    return absl::InvalidArgumentError(
        absl::StrCat("event for ", name, " claims organization ", env.organization()));
  }
  const std::string org = env.organization().substr(std::string("organizations/").size());
  google::protobuf::Any any;
  any.PackFrom(resource);
  return tx
      .Exec(
          "INSERT INTO directory_replica (org, kind, name, revision, active, type_url, data, "
          "replicated_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org, name) DO UPDATE SET "
          "revision = excluded.revision, active = excluded.active, data = excluded.data, "
          "replicated_us = excluded.replicated_us WHERE excluded.revision > "
          "directory_replica.revision",
          {org, kind, name, revision, int64_t{state == kpo::people::v1::ACTIVE}, any.type_url(),
           Blob{any.value()}, absl::ToUnixMicros(clock.Now())})
      .status();
}

void RegisterDirectoryHandlers(kpo::events::Consumer& consumer, const kpo::core::Clock& clock) {
  const auto* file = kpo::people::v1::PersonCreated::descriptor()->file();
  for (int i = 0; i < file->message_type_count(); ++i) {
    consumer.On(file->message_type(i)->full_name(),
                [&clock](Transaction& tx, const kpo::common::v1::EventEnvelope& env) {
                  return ApplyDirectoryEvent(tx, env, clock);
                });
  }
}

absl::StatusOr<std::optional<Entry>> Lookup(Transaction& tx, const std::string& org,
                                            const std::string& name) {
  auto rows = tx.Query(
      "SELECT kind, revision, active, type_url, data, replicated_us FROM directory_replica "
      "WHERE org = ? AND name = ?",
      {org, name});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<Entry>();
  const auto& r = rows->front();
  Entry e;
  e.name = name;
  e.kind = r.Text(0);
  e.revision = r.Int(1);
  e.active = r.Int(2) != 0;
  e.resource.set_type_url(r.Text(3));
  e.resource.set_value(r.Text(4));
  e.replicated_time = absl::FromUnixMicros(r.Int(5));
  return std::optional<Entry>(std::move(e));
}

absl::StatusOr<std::optional<Entry>> Lookup(kpo::storage::Database& db, const std::string& org,
                                            const std::string& name) {
  absl::StatusOr<std::optional<Entry>> out;
  absl::Status s = db.Read([&](Transaction& tx) {
    out = Lookup(tx, org, name);
    return out.status();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<std::map<std::string, int64_t>> CountActive(kpo::storage::Database& db,
                                                           const std::string& org) {
  std::map<std::string, int64_t> counts;
  absl::Status s = db.Read([&](Transaction& tx) {
    auto rows = tx.Query(
        "SELECT kind, COUNT(*) FROM directory_replica WHERE org = ? AND active = 1 GROUP BY kind",
        {org});
    if (!rows.ok()) return rows.status();
    for (const auto& r : *rows) counts[r.Text(0)] = r.Int(1);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return counts;
}

absl::StatusOr<std::optional<Entry>> RequireActive(kpo::storage::Transaction& tx,
                                                   const std::string& org, const std::string& name,
                                                   absl::string_view kind, const std::string& field,
                                                   kpo::core::FieldViolations& v) {
  if (name.empty() || v.Has(field)) return std::optional<Entry>();
  if (!absl::StartsWith(name, absl::StrCat("organizations/", org, "/"))) {
    v.Add(field, absl::StrCat("must belong to organizations/", org));
    return std::optional<Entry>();
  }
  auto entry = Lookup(tx, org, name);
  if (!entry.ok()) return entry.status();
  if (!entry->has_value() || (*entry)->kind != kind) {
    v.Add(field,
          absl::StrCat(name, " is not in the directory (or has not reached this service yet)"));
    return std::optional<Entry>();
  }
  if (!(*entry)->active) {
    v.Add(field, absl::StrCat(name, " is inactive in the directory"));
    return std::optional<Entry>();
  }
  return entry;
}

absl::StatusOr<std::vector<std::string>> StrategicObjectiveIds(kpo::storage::Transaction& tx,
                                                               const std::string& org) {
  std::vector<std::string> ids;
  auto entry = Lookup(tx, org, "organizations/" + org);
  if (!entry.ok()) return entry.status();
  kpo::people::v1::Organization o;
  if (entry->has_value() && (*entry)->resource.UnpackTo(&o)) {
    for (const auto& objective : o.strategic_objectives()) ids.push_back(objective.id());
  }
  return ids;
}

absl::StatusOr<absl::TimeZone> SiteTimeZone(kpo::storage::Transaction& tx, const std::string& org,
                                            const std::string& site) {
  auto entry = Lookup(tx, org, site);
  if (!entry.ok()) return entry.status();
  kpo::people::v1::Site s;
  absl::TimeZone zone;
  if (entry->has_value() && (*entry)->resource.UnpackTo(&s) &&
      absl::LoadTimeZone(s.time_zone(), &zone)) {
    return zone;
  }
  return absl::UTCTimeZone();
}

}  // namespace kpo::replica
