#include "kpo/replica/directory_replica.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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

// Rewrites the query columns of a person or coaching relationship at `revision`.
absl::Status WriteIndex(Transaction& tx, const std::string& org, const std::string& name,
                        int64_t revision, const google::protobuf::Any& any) {
  kpo::people::v1::Person person;
  kpo::people::v1::CoachingRelationship rel;
  if (any.Is<kpo::people::v1::Person>()) {
    if (!any.UnpackTo(&person)) return absl::InternalError("corrupt replica entry " + name);
    if (auto moved =
            tx.Exec("UPDATE replica_coaching SET learner_site = ? WHERE org = ? AND learner = ?",
                    {person.home_site(), org, name});
        !moved.ok()) {
      return moved.status();
    }
    return tx
        .Exec(
            "INSERT INTO replica_people (org, name, revision, active, home_site, manager) VALUES "
            "(?, ?, ?, ?, ?, ?) ON CONFLICT (org, name) DO UPDATE SET revision = "
            "excluded.revision, active = excluded.active, home_site = excluded.home_site, "
            "manager = excluded.manager",
            {org, name, revision, int64_t{person.state() == kpo::people::v1::ACTIVE},
             person.home_site(), person.manager()})
        .status();
  }
  if (any.Is<kpo::people::v1::CoachingRelationship>()) {
    if (!any.UnpackTo(&rel)) return absl::InternalError("corrupt replica entry " + name);
    return tx
        .Exec(
            "INSERT INTO replica_coaching (org, name, revision, active, coach, learner, "
            "second_coach, sessions_per_week, learner_site) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
            "COALESCE((SELECT home_site FROM replica_people WHERE org = ? AND name = ?), '')) "
            "ON CONFLICT (org, name) DO UPDATE SET revision = excluded.revision, active = "
            "excluded.active, coach = excluded.coach, learner = excluded.learner, second_coach = "
            "excluded.second_coach, sessions_per_week = excluded.sessions_per_week, learner_site "
            "= excluded.learner_site",
            {org, name, revision, int64_t{rel.state() == kpo::people::v1::ACTIVE}, rel.coach(),
             rel.learner(), rel.second_coach(), int64_t{rel.cadence().sessions_per_week()}, org,
             rel.learner()})
        .status();
  }
  return absl::OkStatus();
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
  // Field 1 is the resource, field 2 its revision (kpo/people/v1/events.proto); only
  // the directory's kinds are replicated (the same topic carries people development).
  const auto* resource_field = desc->FindFieldByNumber(1);
  const auto* revision_field = desc->FindFieldByNumber(2);
  if (resource_field == nullptr || resource_field->message_type() == nullptr ||
      KindOf(resource_field->message_type()).empty() || revision_field == nullptr ||
      revision_field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_INT64) {
    return absl::InvalidArgumentError("not a directory event: " + env.type());
  }
  const auto* refl = event->GetReflection();
  const Message& resource = refl->GetMessage(*event, resource_field);
  const int64_t revision = refl->GetInt64(*event, revision_field);
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
  auto changed = tx.Exec(
      "INSERT INTO directory_replica (org, kind, name, revision, active, type_url, data, "
      "replicated_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org, name) DO UPDATE SET "
      "revision = excluded.revision, active = excluded.active, data = excluded.data, "
      "replicated_us = excluded.replicated_us WHERE excluded.revision > "
      "directory_replica.revision",
      {org, kind, name, revision, int64_t{state == kpo::people::v1::ACTIVE}, any.type_url(),
       Blob{any.value()}, absl::ToUnixMicros(clock.Now())});
  if (!changed.ok()) return changed.status();
  if (*changed == 0) return absl::OkStatus();  // an older or the same revision
  return WriteIndex(tx, org, name, revision, any);
}

absl::Status Reindex(kpo::storage::Database& db) {
  return db.Write([](Transaction& tx) -> absl::Status {
    auto rows = tx.Query(
        "SELECT d.org, d.name, d.revision, d.type_url, d.data FROM directory_replica d "
        "WHERE d.kind = 'person' AND NOT EXISTS (SELECT 1 FROM replica_people p WHERE p.org = "
        "d.org AND p.name = d.name AND p.revision = d.revision) UNION ALL "
        "SELECT d.org, d.name, d.revision, d.type_url, d.data FROM directory_replica d "
        "WHERE d.kind = 'coaching_relationship' AND NOT EXISTS (SELECT 1 FROM replica_coaching "
        "c WHERE c.org = d.org AND c.name = d.name AND c.revision = d.revision)");
    if (!rows.ok()) return rows.status();
    for (const auto& r : *rows) {
      google::protobuf::Any any;
      any.set_type_url(r.Text(3));
      any.set_value(r.Text(4));
      if (absl::Status s = WriteIndex(tx, r.Text(0), r.Text(1), r.Int(2), any); !s.ok()) return s;
    }
    return absl::OkStatus();
  });
}

void RegisterDirectoryHandlers(kpo::events::Consumer& consumer, const kpo::core::Clock& clock) {
  const auto* file = kpo::people::v1::PersonCreated::descriptor()->file();
  for (int i = 0; i < file->message_type_count(); ++i) {
    // Directory events only: their field 1 is an organization, site, area, person or
    // coaching relationship. People development's events share the topic; the
    // replica has no use for them (they are skipped, not dead-lettered).
    const auto* resource = file->message_type(i)->FindFieldByNumber(1);
    if (resource == nullptr || resource->message_type() == nullptr ||
        KindOf(resource->message_type()).empty()) {
      continue;
    }
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

absl::Status RequireStrategicObjective(Transaction& tx, const std::string& org,
                                       const std::string& objective, const std::string& field,
                                       kpo::core::FieldViolations& v) {
  if (objective.empty() || v.Has(field)) return absl::OkStatus();
  auto ids = StrategicObjectiveIds(tx, org);
  if (!ids.ok()) return ids.status();
  if (std::find(ids->begin(), ids->end(), objective) == ids->end()) {
    v.Add(field, ids->empty()
                     ? absl::StrCat("'", objective,
                                    "' is not a strategic objective: the organization has none")
                     : absl::StrCat("'", objective, "' is not one of the organization's ",
                                    "strategic objectives (", absl::StrJoin(*ids, ", "), ")"));
  }
  return absl::OkStatus();
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

namespace {

CoachingPair PairOf(const kpo::storage::Row& r) {
  return {r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Int(4), r.Text(5)};
}

constexpr char kPairColumns[] =
    "SELECT c.name, c.coach, c.learner, c.second_coach, c.sessions_per_week, c.learner_site "
    "FROM replica_coaching c ";

}  // namespace

absl::StatusOr<std::optional<CoachingPair>> FindCoaching(Transaction& tx, const std::string& org,
                                                         const std::string& learner,
                                                         const std::string& coach) {
  auto rows = tx.Query(absl::StrCat(kPairColumns,
                                    "WHERE c.org = ? AND c.learner = ? AND c.coach = ? AND "
                                    "c.active = 1 ORDER BY c.name LIMIT 1"),
                       {org, learner, coach});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<CoachingPair>();
  return std::optional<CoachingPair>(PairOf(rows->front()));
}

absl::StatusOr<std::vector<CoachingPair>> ListCoaching(Transaction& tx, const std::string& org,
                                                       const CoachingFilter& filter,
                                                       const std::string& after_learner,
                                                       const std::string& after_name,
                                                       int64_t limit) {
  std::string sql = absl::StrCat(kPairColumns, "WHERE c.org = ? AND c.active = 1");
  std::vector<kpo::storage::Value> params = {org};
  if (!filter.coach.empty()) {
    sql += " AND c.coach = ?";
    params.emplace_back(filter.coach);
  }
  if (!filter.learner.empty()) {
    sql += " AND c.learner = ?";
    params.emplace_back(filter.learner);
  }
  if (!filter.site.empty()) {
    sql += " AND c.learner_site = ?";
    params.emplace_back(filter.site);
  }
  if (!after_learner.empty() && !filter.learner.empty()) {
    sql += " AND c.name > ?";  // one learner: their relationships by name
    params.emplace_back(after_name);
  } else if (!after_learner.empty()) {
    // A row-value comparison: the index seeks straight to the position.
    sql += " AND (c.learner, c.name) > (?, ?)";
    params.emplace_back(after_learner);
    params.emplace_back(after_name);
  }
  sql += " ORDER BY c.learner, c.name LIMIT ?";
  params.emplace_back(limit);
  auto rows = tx.Query(sql, params);
  if (!rows.ok()) return rows.status();
  std::vector<CoachingPair> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) out.push_back(PairOf(r));
  return out;
}

}  // namespace kpo::replica
