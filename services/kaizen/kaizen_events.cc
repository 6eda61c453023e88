#include "kaizen_events.h"

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "domain/lifecycle.h"
#include "domain/money.h"
#include "domain/sustainment.h"
#include "google/protobuf/util/field_mask_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "kpo/core/errors.h"
#include "kpo/core/ids.h"
#include "kpo/core/update_mask.h"
#include "kpo/idempotency/idempotency.h"
#include "kpo/kaizen/v1/events.pb.h"
#include "kpo/people/v1/resources.pb.h"
#include "kpo/replica/directory_replica.h"
#include "store.h"

namespace kpo::kaizen {

namespace pb = kpo::kaizen::v1;
namespace dir = kpo::people::v1;
using google::protobuf::FieldMask;
using google::protobuf::Message;
using google::protobuf::util::FieldMaskUtil;
using google::protobuf::util::TimeUtil;
using kpo::common::v1::Date;
using kpo::core::FieldViolations;
using kpo::storage::Transaction;
using kpo::storage::Value;

namespace {

constexpr int kMaxText = 2000;
constexpr int kMaxTitle = 200;

// Builds an outbox event from the event's final state and revision.
using Publish = std::function<std::unique_ptr<Message>(const pb::KaizenEvent&, int64_t)>;

template <class E>
Publish Emit() {
  return [](const pb::KaizenEvent& event, int64_t revision) {
    auto e = std::make_unique<E>();
    *e->mutable_kaizen_event() = event;
    e->set_revision(revision);
    return std::unique_ptr<Message>(std::move(e));
  };
}

// KaizenEventUpdated with the fields that changed.
Publish EmitUpdated(FieldMask mask) {
  return [mask = std::move(mask)](const pb::KaizenEvent& event, int64_t revision) {
    auto u = std::make_unique<pb::KaizenEventUpdated>();
    *u->mutable_kaizen_event() = event;
    u->set_revision(revision);
    *u->mutable_update_mask() = mask;
    return std::unique_ptr<Message>(std::move(u));
  };
}

FieldMask Mask(const char* path) {
  FieldMask m;
  m.add_paths(path);
  return m;
}

// What a command did to an event: nothing, or a change to publish.
struct Change {
  bool changed = false;
  std::vector<Publish> publish;
};

bool ParseName(absl::string_view name, std::vector<std::string> collections,
               std::vector<std::string>* ids) {
  std::vector<std::string> parts = absl::StrSplit(name, '/');
  if (parts.size() != collections.size() * 2) return false;
  for (size_t i = 0; i < collections.size(); ++i) {
    if (parts[2 * i] != collections[i] || !kpo::core::IsValidResourceId(parts[2 * i + 1])) {
      return false;
    }
    ids->push_back(parts[2 * i + 1]);
  }
  return true;
}

bool IsEventName(absl::string_view name) {
  std::vector<std::string> ids;
  return ParseName(name, {"organizations", "kaizenEvents"}, &ids);
}
bool IsSiteName(absl::string_view name) {
  std::vector<std::string> ids;
  return ParseName(name, {"organizations", "sites"}, &ids);
}
bool IsAreaName(absl::string_view name) {
  std::vector<std::string> ids;
  return ParseName(name, {"organizations", "sites", "areas"}, &ids);
}
bool IsPersonName(absl::string_view name) {
  std::vector<std::string> ids;
  return ParseName(name, {"organizations", "people"}, &ids);
}
// ".../kaizenEvents/{e}/actionItems/{i}" or ".../audits/{a}": the event's name.
std::string ParentEvent(absl::string_view child, const char* collection) {
  std::vector<std::string> ids;
  if (!ParseName(child, {"organizations", "kaizenEvents", collection}, &ids)) return "";
  return absl::StrCat("organizations/", ids[0], "/kaizenEvents/", ids[1]);
}

google::protobuf::Timestamp Ts(absl::Time t) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

void Text(const std::string& value, const std::string& field, int max, FieldViolations& v) {
  if (static_cast<int>(value.size()) > max) {
    v.Add(field, absl::StrCat("must be at most ", max, " characters"));
  }
}

// Pure field rules of an event as a client may set it.
void ValidateEvent(const pb::KaizenEvent& e, FieldViolations& v) {
  const std::string p = "kaizen_event.";
  if (e.title().empty()) v.Add(p + "title", "is required");
  Text(e.title(), p + "title", kMaxTitle, v);
  if (!IsSiteName(e.site()))
    v.Add(p + "site", "must be a site name: organizations/{org}/sites/{site}");
  if (!e.area().empty()) {
    if (!IsAreaName(e.area())) {
      v.Add(p + "area", "must be an area name: organizations/{org}/sites/{site}/areas/{area}");
    } else if (IsSiteName(e.site()) && !absl::StartsWith(e.area(), e.site() + "/areas/")) {
      v.Add(p + "area", "must be an area of the event's site");
    }
  }
  if (e.event_type() == pb::EVENT_TYPE_UNSPECIFIED || !pb::EventType_IsValid(e.event_type())) {
    v.Add(p + "event_type", "is required (RAPID_IMPROVEMENT, VALUE_STREAM_ANALYSIS, FIVE_S, ...)");
  }
  const pb::Charter& c = e.charter();
  const std::string cp = p + "charter.";
  for (auto [field, value] :
       {std::pair{"problem_statement", &c.problem_statement()}, std::pair{"purpose", &c.purpose()},
        std::pair{"customer", &c.customer()},
        std::pair{"scope.process_start", &c.scope().process_start()},
        std::pair{"scope.process_end", &c.scope().process_end()}}) {
    Text(*value, cp + field, kMaxText, v);
  }
  for (auto [field, list] :
       {std::pair{"goals", &c.goals()}, std::pair{"scope.in_scope", &c.scope().in_scope()},
        std::pair{"scope.out_of_scope", &c.scope().out_of_scope()}}) {
    if (list->size() > 50) v.Add(cp + field, "at most 50 entries");
    for (int i = 0; i < list->size(); ++i) {
      Text((*list)[i], absl::StrCat(cp, field, "[", i, "]"), kMaxText, v);
    }
  }
  for (auto [field, date] : {std::pair{"planned_start_date", &c.planned_start_date()},
                             std::pair{"planned_end_date", &c.planned_end_date()}}) {
    if (date->year() != 0 && !domain::IsValidDate(*date)) v.Add(cp + field, "is not a valid date");
  }
  if (c.has_planned_start_date() && c.has_planned_end_date() &&
      domain::IsValidDate(c.planned_start_date()) && domain::IsValidDate(c.planned_end_date()) &&
      domain::DateKey(c.planned_end_date()) < domain::DateKey(c.planned_start_date())) {
    v.Add(cp + "planned_end_date", "is before planned_start_date");
  }
  for (auto [field, person] :
       {std::pair{"sponsor", &c.sponsor()}, std::pair{"team_leader", &c.team_leader()},
        std::pair{"facilitator", &c.facilitator()}}) {
    if (!person->empty() && !IsPersonName(*person)) {
      v.Add(cp + field, "must be a person name: organizations/{org}/people/{person}");
    }
  }
  std::set<std::string> members;
  for (int i = 0; i < c.team_members_size(); ++i) {
    const std::string f = absl::StrCat(cp, "team_members[", i, "]");
    if (!IsPersonName(c.team_members(i))) {
      v.Add(f, "must be a person name: organizations/{org}/people/{person}");
    } else if (!members.insert(c.team_members(i)).second) {
      v.Add(f, "is listed twice");
    }
  }
  if (c.team_members_size() > 30) v.Add(cp + "team_members", "at most 30 people");
  std::set<std::string> metric_ids;
  for (int i = 0; i < e.metrics_size(); ++i) {
    const pb::Metric& m = e.metrics(i);
    const std::string f = absl::StrCat(p, "metrics[", i, "].");
    if (!kpo::core::IsValidResourceId(m.id())) {
      v.Add(f + "id", "must be 1-63 of a-z, 0-9 and '-'");
    } else if (!metric_ids.insert(m.id()).second) {
      v.Add(f + "id", absl::StrCat("'", m.id(), "' is used by another metric"));
    }
    if (m.name().empty()) v.Add(f + "name", "is required");
    Text(m.name(), f + "name", kMaxTitle, v);
    if (m.direction() == pb::DIRECTION_UNSPECIFIED || !pb::Direction_IsValid(m.direction())) {
      v.Add(f + "direction", "is required (HIGHER_IS_BETTER or LOWER_IS_BETTER)");
    }
    for (auto [field, value] :
         {std::pair{"baseline", m.baseline()}, std::pair{"target", m.target()}}) {
      if (!std::isfinite(value)) v.Add(f + field, "must be a finite number");
    }
    if (m.has_result() && !std::isfinite(m.result()))
      v.Add(f + "result", "must be a finite number");
    const double improvement = m.direction() == pb::LOWER_IS_BETTER ? m.baseline() - m.target()
                                                                    : m.target() - m.baseline();
    if (m.direction() != pb::DIRECTION_UNSPECIFIED && !(improvement > 0)) {
      v.Add(f + "target", "must be better than the baseline in the metric's direction");
    }
  }
  if (e.metrics_size() > 20) v.Add(p + "metrics", "at most 20 metrics");
  domain::ValidateEventMoney(e.money(), p + "money.", v);
}

// Which update_mask paths a state allows (sub-paths follow: "charter.sponsor").
std::set<std::string> UpdatablePaths(pb::EventState state) {
  switch (state) {
    case pb::PROPOSED:
    case pb::CHARTERED:
      return {"title",
              "site",
              "area",
              "event_type",
              "charter",
              "metrics",
              "money.event_cost",
              "money.estimated_savings"};
    case pb::IN_PROGRESS:
      return {"metrics", "money.event_cost", "money.estimated_savings", "money.realized_savings"};
    case pb::COMPLETED:
    case pb::FOLLOW_UP:
    case pb::SUSTAINED:
    case pb::BACKSLID:
      return {"money.event_cost", "money.realized_savings"};
    default:
      return {};
  }
}

}  // namespace

class KaizenEvents::Impl {
 public:
  Impl(kpo::storage::Database& db, const kpo::events::Outbox& outbox, const kpo::core::Clock& clock,
       const kpo::core::PageTokenCodec& tokens, std::function<void()> on_commit)
      : db_(db),
        outbox_(outbox),
        clock_(clock),
        tokens_(tokens),
        on_commit_(std::move(on_commit)) {}

  using EventRow = store::EventRow;

  // ---- Storage (SQL lives in store.h)

  absl::StatusOr<std::optional<EventRow>> LoadEvent(Transaction& tx, const std::string& org,
                                                    const std::string& name) {
    return store::LoadEvent(tx, org, name);
  }

  // Stamps the output fields (times, etag) and writes the event.
  absl::Status SaveEvent(Transaction& tx, const std::string& org, pb::KaizenEvent& e,
                         int64_t revision, bool insert) {
    const absl::Time now = clock_.Now();
    *e.mutable_update_time() = Ts(now);
    if (insert) *e.mutable_create_time() = Ts(now);
    e.set_etag(std::to_string(revision));
    return insert ? store::InsertEvent(tx, org, e, revision, now)
                  : store::UpdateEvent(tx, org, e, revision, now);
  }

  // The organization's settings, or the shipped defaults (revision 0).
  absl::StatusOr<pb::KaizenSettings> LoadSettings(Transaction& tx, const std::string& org,
                                                  int64_t* revision) {
    auto stored = store::LoadSettings(tx, org);
    if (!stored.ok()) return stored.status();
    if (stored->has_value()) {
      if (revision != nullptr) *revision = (*stored)->first;
      return (*stored)->second;
    }
    if (revision != nullptr) *revision = 0;
    pb::KaizenSettings s;
    s.set_name(absl::StrCat("organizations/", org, "/kaizenSettings"));
    for (int d : {30, 60, 90}) s.add_audit_offset_days(d);
    s.set_backslide_threshold(domain::kDefaultBackslideThreshold);
    for (auto& item : domain::DefaultChecklistTemplate()) *s.add_checklist_template() = item;
    s.set_etag("0");
    return s;
  }

  // ---- Directory replica

  // The replica's active resource of `kind` named `name`, or a violation of `field`.
  template <class T>
  absl::StatusOr<std::optional<T>> Active(Transaction& tx, const std::string& org,
                                          const std::string& name, const char* kind,
                                          const std::string& field, FieldViolations& v) {
    if (name.empty() || v.Has(field)) return std::optional<T>();
    if (!absl::StartsWith(name, absl::StrCat("organizations/", org, "/"))) {
      v.Add(field, absl::StrCat("must belong to organizations/", org));
      return std::optional<T>();
    }
    auto entry = kpo::replica::Lookup(tx, org, name);
    if (!entry.ok()) return entry.status();
    if (!entry->has_value() || (*entry)->kind != kind) {
      v.Add(field, absl::StrCat(name,
                                " is not in the directory (or has not reached this service "
                                "yet)"));
      return std::optional<T>();
    }
    if (!(*entry)->active) {
      v.Add(field, absl::StrCat(name, " is inactive in the directory"));
      return std::optional<T>();
    }
    T resource;
    if (!(*entry)->resource.UnpackTo(&resource))
      return absl::InternalError("corrupt replica entry");
    return std::optional<T>(std::move(resource));
  }

  // Site, area and every person the event names must be active in the directory.
  absl::Status CheckDirectory(Transaction& tx, const std::string& org, const pb::KaizenEvent& e,
                              FieldViolations& v) {
    const std::string p = "kaizen_event.";
    if (auto s = Active<dir::Site>(tx, org, e.site(), "site", p + "site", v); !s.ok()) {
      return s.status();
    }
    if (auto s = Active<dir::Area>(tx, org, e.area(), "area", p + "area", v); !s.ok()) {
      return s.status();
    }
    const pb::Charter& c = e.charter();
    for (auto [field, person] :
         {std::pair{"sponsor", &c.sponsor()}, std::pair{"team_leader", &c.team_leader()},
          std::pair{"facilitator", &c.facilitator()}}) {
      if (auto s = Active<dir::Person>(tx, org, *person, "person", p + "charter." + field, v);
          !s.ok()) {
        return s.status();
      }
    }
    for (int i = 0; i < c.team_members_size(); ++i) {
      if (auto s = Active<dir::Person>(tx, org, c.team_members(i), "person",
                                       absl::StrCat(p, "charter.team_members[", i, "]"), v);
          !s.ok()) {
        return s.status();
      }
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<std::string>> ObjectiveIds(Transaction& tx, const std::string& org) {
    std::vector<std::string> ids;
    auto entry = kpo::replica::Lookup(tx, org, "organizations/" + org);
    if (!entry.ok()) return entry.status();
    if (entry->has_value()) {
      dir::Organization o;
      if ((*entry)->resource.UnpackTo(&o)) {
        for (const auto& obj : o.strategic_objectives()) ids.push_back(obj.id());
      }
    }
    return ids;
  }

  // Today in the site's time zone (UTC if the replica does not know the site).
  absl::StatusOr<Date> Today(Transaction& tx, const std::string& org, const std::string& site) {
    absl::TimeZone zone = absl::UTCTimeZone();
    auto entry = kpo::replica::Lookup(tx, org, site);
    if (!entry.ok()) return entry.status();
    if (entry->has_value()) {
      dir::Site s;
      absl::TimeZone tz;
      if ((*entry)->resource.UnpackTo(&s) && absl::LoadTimeZone(s.time_zone(), &tz)) zone = tz;
    }
    return domain::FromCivil(absl::ToCivilDay(clock_.Now(), zone));
  }

  // "organizations/acme/people/p1" for a subject "p1"; full names pass through.
  static std::string PersonOf(const Principal& p) {
    if (absl::StartsWith(p.subject, "organizations/")) return p.subject;
    return absl::StrCat(p.organization_name(), "/people/", p.subject);
  }

  // ---- The one way an event changes

  using ChangeFn = std::function<absl::StatusOr<Change>(Transaction&, const std::string& org,
                                                        pb::KaizenEvent& event)>;

  // Loads the event, checks its etag, lets `fn` change it, and (if it changed) stores it
  // with the next revision and appends its events to the outbox, all in one
  // transaction; a retried request_id returns the first answer.
  absl::StatusOr<pb::KaizenEvent> Mutate(const Principal& p, const char* method,
                                         const std::string& name, const std::string& etag,
                                         const std::string& request_id, ChangeFn fn) {
    if (!IsEventName(name)) {
      return kpo::core::InvalidField("name",
                                     absl::StrCat("'", name, "' is not a kaizen event name"));
    }
    if (absl::Status s = kpo::auth::CheckOrganization(p, name, "name"); !s.ok()) return s;
    if (absl::Status s = kpo::idempotency::ValidateRequestId(request_id); !s.ok()) return s;
    const std::string org = p.organization_id;
    pb::KaizenEvent result;
    bool changed = false;
    absl::Status s = db_.Write([&](Transaction& tx) -> absl::Status {
      auto seen = kpo::idempotency::Replay(tx, org, request_id, method, result);
      if (!seen.ok() || *seen) return seen.status();
      auto row = LoadEvent(tx, org, name);
      if (!row.ok()) return row.status();
      if (!row->has_value()) return kpo::core::NotFound(name);
      pb::KaizenEvent event = (*row)->event;
      if (!etag.empty() && etag != event.etag()) return kpo::core::EtagMismatch(name);
      auto change = fn(tx, org, event);
      if (!change.ok()) return change.status();
      if (change->changed) {
        const int64_t revision = (*row)->revision + 1;
        if (absl::Status ss = SaveEvent(tx, org, event, revision, false); !ss.ok()) {
          return ss;
        }
        for (const auto& publish : change->publish) {
          if (auto a = outbox_.Append(tx, "organizations/" + org, name, *publish(event, revision));
              !a.ok()) {
            return a.status();
          }
        }
        changed = true;
      }
      result = event;
      return kpo::idempotency::Remember(tx, org, request_id, method, result, clock_.Now());
    });
    if (!s.ok()) return s;
    if (changed && on_commit_) on_commit_();
    return result;
  }

  // A lifecycle step: the state machine, the phase's checklist, then `gate` (extra
  // checks and effects), then the new state and its event.
  absl::StatusOr<pb::KaizenEvent> Transition(
      const Principal& p, const char* method, const std::string& name, const std::string& etag,
      const std::string& request_id, pb::EventState to, Publish publish,
      std::function<absl::Status(Transaction&, const std::string&, pb::KaizenEvent&)> gate) {
    return Mutate(p, method, name, etag, request_id,
                  [&](Transaction& tx, const std::string& org,
                      pb::KaizenEvent& event) -> absl::StatusOr<Change> {
                    if (absl::Status s = domain::CheckTransition(event.state(), to); !s.ok()) {
                      return s;
                    }
                    const pb::Phase phase = domain::PhaseToLeave(event.state(), to);
                    if (absl::Status s = domain::CheckChecklist(event, phase, to); !s.ok())
                      return s;
                    if (gate) {
                      if (absl::Status s = gate(tx, org, event); !s.ok()) return s;
                    }
                    event.set_state(to);
                    return Change{true, {std::move(publish)}};
                  });
  }

  // ---- Lists (keyset pagination inside sealed tokens)

  struct Page {
    std::vector<std::string> data;
    std::string next;
  };

  // `order_sql` orders by (`key_sql`, name); `key_sql` is an integer column.
  absl::StatusOr<Page> List(const Principal& p, const std::string& table, const std::string& scope,
                            const std::string& where, std::vector<Value> params,
                            const std::string& key_sql, int32_t page_size,
                            const std::string& page_token) {
    if (page_size < 0) return kpo::core::InvalidField("page_size", "must not be negative");
    const int limit = page_size == 0 ? 50 : std::min(page_size, 1000);
    int64_t after_key = std::numeric_limits<int64_t>::min();
    std::string after_name;
    if (!page_token.empty()) {
      auto cursor = tokens_.Open(page_token, scope);
      if (!cursor.ok()) return cursor.status();
      std::vector<std::string> parts = absl::StrSplit(cursor->last_key, absl::MaxSplits('|', 1));
      if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &after_key)) {
        return kpo::core::InvalidField("page_token", "is not valid for this request");
      }
      after_name = parts[1];
    }
    store::PageQuery query{table, key_sql, where, std::move(params), after_key, after_name, limit};
    Page page;
    absl::Status s = db_.Read([&](Transaction& tx) -> absl::Status {
      auto rows = store::Page(tx, p.organization_id, query);
      if (!rows.ok()) return rows.status();
      for (size_t i = 0; i < rows->size() && i < static_cast<size_t>(limit); ++i) {
        page.data.push_back((*rows)[i].data);
      }
      if (rows->size() > static_cast<size_t>(limit)) {
        const auto& last = (*rows)[limit - 1];
        page.next = tokens_.Seal({scope, absl::StrCat(last.key, "|", last.name)});
      }
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    return page;
  }

  kpo::storage::Database& db_;
  const kpo::events::Outbox& outbox_;
  const kpo::core::Clock& clock_;
  const kpo::core::PageTokenCodec& tokens_;
  std::function<void()> on_commit_;
};

KaizenEvents::KaizenEvents(kpo::storage::Database& db, const kpo::events::Outbox& outbox,
                           const kpo::core::Clock& clock, const kpo::core::PageTokenCodec& tokens,
                           std::function<void()> on_commit)
    : impl_(std::make_unique<Impl>(db, outbox, clock, tokens, std::move(on_commit))) {}
KaizenEvents::~KaizenEvents() = default;

// ---- Events

absl::StatusOr<pb::KaizenEvent> KaizenEvents::CreateKaizenEvent(
    const Principal& p, const pb::CreateKaizenEventRequest& r) {
  if (absl::Status s = kpo::auth::CheckOrganization(p, r.parent(), "parent"); !s.ok()) return s;
  if (r.parent() != p.organization_name()) {
    return kpo::core::InvalidField("parent", "must be organizations/{organization}");
  }
  FieldViolations v;
  if (!r.kaizen_event_id().empty() && !kpo::core::IsValidResourceId(r.kaizen_event_id())) {
    v.Add("kaizen_event_id", "must be 1-63 of a-z, 0-9 and '-'");
  }
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  pb::KaizenEvent event = r.kaizen_event();
  // Output-only fields are the service's.
  for (const char* f : {"state", "facilitator_kind", "checklist", "reopened_by", "completion_date",
                        "cancel_reason", "warnings", "create_time", "update_time", "etag"}) {
    event.GetReflection()->ClearField(&event, event.GetDescriptor()->FindFieldByName(f));
  }
  event.mutable_money()->clear_validation();
  event.mutable_money()->clear_realized_savings();
  for (auto& m : *event.mutable_metrics()) m.clear_result();
  ValidateEvent(event, v);
  if (!event.reopens().empty() && !IsEventName(event.reopens())) {
    v.Add("kaizen_event.reopens", "must be a kaizen event name");
  }
  const std::string org = p.organization_id;
  const std::string name =
      absl::StrCat(r.parent(), "/kaizenEvents/",
                   r.kaizen_event_id().empty() ? kpo::core::NewUuid() : r.kaizen_event_id());
  event.set_name(name);
  event.set_state(pb::PROPOSED);
  for (const auto& w : domain::CharterWarnings(event.charter())) event.add_warnings(w);
  Impl& im = *impl_;
  bool replayed = false;
  absl::Status s = im.db_.Write([&](Transaction& tx) -> absl::Status {
    if (!v.Has("request_id")) {
      auto seen = kpo::idempotency::Replay(tx, org, r.request_id(), "CreateKaizenEvent", event);
      if (!seen.ok()) return seen.status();
      if (*seen) {
        replayed = true;
        return absl::OkStatus();
      }
    }
    if (absl::Status ds = im.CheckDirectory(tx, org, event, v); !ds.ok()) return ds;
    // A redo of a backslid event links to it.
    std::optional<Impl::EventRow> reopened;
    if (!event.reopens().empty() && !v.Has("kaizen_event.reopens")) {
      auto row = im.LoadEvent(tx, org, event.reopens());
      if (!row.ok()) return row.status();
      if (!row->has_value()) {
        v.Add("kaizen_event.reopens", absl::StrCat(event.reopens(), " does not exist"));
      } else {
        bool backslid = (*row)->event.state() == pb::BACKSLID;
        if ((*row)->event.state() == pb::CLOSED) {  // closed after backsliding?
          auto failed = store::AuditsOf(tx, org, event.reopens(), pb::FAILED);
          if (!failed.ok()) return failed.status();
          backslid = !failed->empty();
        }
        if (backslid) {
          reopened = *row;
        } else {
          v.Add("kaizen_event.reopens",
                absl::StrCat(event.reopens(), " is ", domain::StateName((*row)->event.state()),
                             "; only an event that backslid is reopened by a new one"));
        }
      }
    }
    if (!v.empty()) return v.ToStatus();
    auto existing = im.LoadEvent(tx, org, name);
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) return kpo::core::AlreadyExists(name);
    int64_t ignored = 0;
    auto settings = im.LoadSettings(tx, org, &ignored);
    if (!settings.ok()) return settings.status();
    for (const auto& t : settings->checklist_template()) {
      auto* item = event.add_checklist();
      item->set_id(t.id());
      item->set_phase(t.phase());
      item->set_text(t.text());
      item->set_required(t.required());
    }
    if (absl::Status ss = im.SaveEvent(tx, org, event, 1, true); !ss.ok()) return ss;
    if (auto a = im.outbox_.Append(tx, "organizations/" + org, name,
                                   *Emit<pb::KaizenEventProposed>()(event, 1));
        !a.ok()) {
      return a.status();
    }
    if (reopened.has_value()) {
      pb::KaizenEvent& old = reopened->event;
      old.add_reopened_by(name);
      const int64_t rev = reopened->revision + 1;
      if (absl::Status ss = im.SaveEvent(tx, org, old, rev, false); !ss.ok()) {
        return ss;
      }
      if (auto a = im.outbox_.Append(tx, "organizations/" + org, old.name(),
                                     *EmitUpdated(Mask("reopened_by"))(old, rev));
          !a.ok()) {
        return a.status();
      }
    }
    return kpo::idempotency::Remember(tx, org, r.request_id(), "CreateKaizenEvent", event,
                                      im.clock_.Now());
  });
  if (!s.ok()) return s;
  if (!replayed && im.on_commit_) im.on_commit_();
  return event;
}

absl::StatusOr<pb::KaizenEvent> KaizenEvents::GetKaizenEvent(const Principal& p,
                                                             const pb::GetKaizenEventRequest& r) {
  if (!IsEventName(r.name())) {
    return kpo::core::InvalidField("name",
                                   absl::StrCat("'", r.name(), "' is not a kaizen event name"));
  }
  if (absl::Status s = kpo::auth::CheckOrganization(p, r.name(), "name"); !s.ok()) return s;
  std::optional<Impl::EventRow> row;
  absl::Status s = impl_->db_.Read([&](Transaction& tx) -> absl::Status {
    auto loaded = impl_->LoadEvent(tx, p.organization_id, r.name());
    if (!loaded.ok()) return loaded.status();
    row = *std::move(loaded);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (!row.has_value()) return kpo::core::NotFound(r.name());
  return row->event;
}

absl::StatusOr<pb::ListKaizenEventsResponse> KaizenEvents::ListKaizenEvents(
    const Principal& p, const pb::ListKaizenEventsRequest& r) {
  if (absl::Status s = kpo::auth::CheckOrganization(p, r.parent(), "parent"); !s.ok()) return s;
  FieldViolations v;
  if (!r.site().empty() && !IsSiteName(r.site())) v.Add("site", "must be a site name");
  if (!r.area().empty() && !IsAreaName(r.area())) v.Add("area", "must be an area name");
  if (!pb::EventState_IsValid(r.state())) v.Add("state", "is not a state");
  if (!pb::EventType_IsValid(r.event_type())) v.Add("event_type", "is not an event type");
  if (!pb::FacilitatorKind_IsValid(r.facilitator_kind()))
    v.Add("facilitator_kind", "is not a kind");
  for (auto [field, date] : {std::pair{"start_date_from", &r.start_date_from()},
                             std::pair{"start_date_to", &r.start_date_to()}}) {
    if (date->year() != 0 && !domain::IsValidDate(*date)) v.Add(field, "is not a valid date");
  }
  if (!v.empty()) return v.ToStatus();
  std::string where;
  std::vector<Value> params;
  auto filter = [&](const char* sql, Value value) {
    absl::StrAppend(&where, " AND ", sql);
    params.push_back(std::move(value));
  };
  if (!r.site().empty()) filter("site = ?", r.site());
  if (!r.area().empty()) filter("area = ?", r.area());
  if (r.state() != pb::EVENT_STATE_UNSPECIFIED)
    filter("state = ?", static_cast<int64_t>(r.state()));
  if (r.event_type() != pb::EVENT_TYPE_UNSPECIFIED) {
    filter("event_type = ?", static_cast<int64_t>(r.event_type()));
  }
  if (r.facilitator_kind() != pb::FACILITATOR_KIND_UNSPECIFIED) {
    filter("facilitator_kind = ?", static_cast<int64_t>(r.facilitator_kind()));
  }
  if (!r.strategic_objective().empty()) filter("strategic_objective = ?", r.strategic_objective());
  if (r.start_date_from().year() != 0)
    filter("planned_start >= ?", domain::DateKey(r.start_date_from()));
  if (r.start_date_to().year() != 0)
    filter("planned_start <= ?", domain::DateKey(r.start_date_to()));
  const std::string scope =
      absl::StrCat(p.organization_id, "|events|", r.site(), "|", r.area(), "|", r.state(), "|",
                   r.event_type(), "|", r.facilitator_kind(), "|", r.strategic_objective(), "|",
                   domain::DateKey(r.start_date_from()), "|", domain::DateKey(r.start_date_to()));
  auto page = impl_->List(p, "kaizen_events", scope, where, params, "planned_start", r.page_size(),
                          r.page_token());
  if (!page.ok()) return page.status();
  pb::ListKaizenEventsResponse out;
  for (const auto& d : page->data) out.add_kaizen_events()->ParseFromString(d);
  out.set_next_page_token(page->next);
  return out;
}

absl::StatusOr<pb::KaizenEvent> KaizenEvents::UpdateKaizenEvent(
    const Principal& p, const pb::UpdateKaizenEventRequest& r) {
  const pb::KaizenEvent& patch = r.kaizen_event();
  Impl& im = *impl_;
  return im.Mutate(
      p, "UpdateKaizenEvent", patch.name(), patch.etag(), r.request_id(),
      [&](Transaction& tx, const std::string& org,
          pb::KaizenEvent& event) -> absl::StatusOr<Change> {
        const std::set<std::string> allowed = UpdatablePaths(event.state());
        if (allowed.empty()) {
          return kpo::core::FailedPrecondition(
              "EVENT_NOT_EDITABLE",
              absl::StrCat(event.name(), " is ", domain::StateName(event.state()),
                           " and can no longer be changed"),
              {{"current_state", domain::StateName(event.state())}});
        }
        const FieldMask mask = kpo::core::EffectiveMask(r.update_mask(), allowed);
        FieldViolations v;
        kpo::core::CheckUpdateMask(
            mask, pb::KaizenEvent::descriptor(), allowed,
            absl::StrCat("cannot be changed while the event is ", domain::StateName(event.state())),
            v);
        if (!v.empty()) return v.ToStatus();
        const bool touches_realized =
            std::any_of(mask.paths().begin(), mask.paths().end(),
                        [](const std::string& path) { return path == "money.realized_savings"; });
        if (touches_realized && event.money().validation().validated()) {
          return kpo::core::FailedPrecondition(
              "SAVINGS_ALREADY_VALIDATED",
              "finance validated the realized savings; they can no longer be changed");
        }
        pb::KaizenEvent merged = event;
        FieldMaskUtil::MergeOptions opts;
        opts.set_replace_message_fields(true);
        opts.set_replace_repeated_fields(true);
        FieldMaskUtil::MergeMessageTo(patch, mask, opts, &merged);
        // Results belong to the event days; definitions are fixed once it started.
        for (int i = 0; i < merged.metrics_size(); ++i) {
          const pb::Metric& m = merged.metrics(i);
          const bool result_changed = i >= event.metrics_size() ||
                                      m.has_result() != event.metrics(i).has_result() ||
                                      (m.has_result() && m.result() != event.metrics(i).result());
          if (result_changed && m.has_result() && event.state() != pb::IN_PROGRESS) {
            v.Add(absl::StrCat("kaizen_event.metrics[", i, "].result"),
                  "results are recorded while the event is in progress");
          }
          if (event.state() == pb::IN_PROGRESS) {
            pb::Metric defined = m, before;
            defined.clear_result();
            if (i < event.metrics_size()) before = event.metrics(i);
            before.clear_result();
            if (i >= event.metrics_size() ||
                !google::protobuf::util::MessageDifferencer::Equals(defined, before)) {
              v.Add(absl::StrCat("kaizen_event.metrics[", i, "]"),
                    "once the event has started only results may change, not the metrics");
            }
          }
        }
        if (event.state() == pb::IN_PROGRESS && merged.metrics_size() != event.metrics_size()) {
          v.Add("kaizen_event.metrics", "metrics cannot be added or removed once started");
        }
        ValidateEvent(merged, v);
        if (absl::Status ds = im.CheckDirectory(tx, org, merged, v); !ds.ok()) return ds;
        if (event.state() == pb::CHARTERED) {
          auto objectives = im.ObjectiveIds(tx, org);
          if (!objectives.ok()) return objectives.status();
          domain::CheckCharterComplete(merged, *objectives, v);  // stays complete
        }
        if (!v.empty()) return v.ToStatus();
        merged.clear_warnings();
        for (const auto& w : domain::CharterWarnings(merged.charter())) merged.add_warnings(w);
        if (google::protobuf::util::MessageDifferencer::Equals(merged, event)) return Change{};
        event = merged;
        return Change{true, {EmitUpdated(mask)}};
      });
}

absl::StatusOr<pb::KaizenEvent> KaizenEvents::CharterKaizenEvent(const Principal& p,
                                                                 const pb::TransitionRequest& r) {
  Impl& im = *impl_;
  return im.Transition(
      p, "CharterKaizenEvent", r.name(), r.etag(), r.request_id(), pb::CHARTERED,
      Emit<pb::KaizenEventChartered>(),
      [&im](Transaction& tx, const std::string& org, pb::KaizenEvent& event) -> absl::Status {
        auto objectives = im.ObjectiveIds(tx, org);
        if (!objectives.ok()) return objectives.status();
        FieldViolations v;
        domain::CheckCharterComplete(event, *objectives, v);
        if (absl::Status ds = im.CheckDirectory(tx, org, event, v); !ds.ok()) return ds;
        if (!v.empty()) {
          return kpo::core::FailedPrecondition(
              "CHARTER_INCOMPLETE",
              absl::StrCat("cannot move the kaizen event from PROPOSED to CHARTERED: ",
                           v.ToStatus().message()),
              {{"current_state", "PROPOSED"}, {"requested_state", "CHARTERED"}});
        }
        // Who facilitates: the KPO or the line, from the facilitator's directory roles.
        FieldViolations ignored;
        auto facilitator = im.Active<dir::Person>(tx, org, event.charter().facilitator(), "person",
                                                  "facilitator", ignored);
        if (!facilitator.ok()) return facilitator.status();
        std::vector<int> roles;
        if (facilitator->has_value())
          roles.assign((*facilitator)->roles().begin(), (*facilitator)->roles().end());
        event.set_facilitator_kind(domain::FacilitatorKindFromRoles(roles));
        event.clear_warnings();
        for (const auto& w : domain::CharterWarnings(event.charter())) event.add_warnings(w);
        return absl::OkStatus();
      });
}

absl::StatusOr<pb::KaizenEvent> KaizenEvents::StartKaizenEvent(const Principal& p,
                                                               const pb::TransitionRequest& r) {
  return impl_->Transition(p, "StartKaizenEvent", r.name(), r.etag(), r.request_id(),
                           pb::IN_PROGRESS, Emit<pb::KaizenEventStarted>(), nullptr);
}

absl::StatusOr<pb::KaizenEvent> KaizenEvents::CompleteKaizenEvent(
    const Principal& p, const pb::CompleteKaizenEventRequest& r) {
  Impl& im = *impl_;
  if (r.has_completion_date() && !domain::IsValidDate(r.completion_date())) {
    return kpo::core::InvalidField("completion_date", "is not a valid date");
  }
  auto audits = std::make_shared<std::vector<pb::Audit>>();
  Publish completed = [audits](const pb::KaizenEvent& e, int64_t revision) {
    auto c = std::make_unique<pb::KaizenEventCompleted>();
    *c->mutable_kaizen_event() = e;
    c->set_revision(revision);
    std::set<std::string> seen;
    for (const std::string* person : {&e.charter().team_leader()}) {
      if (!person->empty() && seen.insert(*person).second) c->add_participants(*person);
    }
    for (const auto& m : e.charter().team_members()) {
      if (seen.insert(m).second) c->add_participants(m);
    }
    c->set_facilitator(e.charter().facilitator());
    c->set_facilitator_kind(e.facilitator_kind());
    for (const auto& a : *audits) *c->add_audits() = a;
    return std::unique_ptr<Message>(std::move(c));
  };
  return im.Transition(
      p, "CompleteKaizenEvent", r.name(), r.etag(), r.request_id(), pb::COMPLETED, completed,
      [&im, &r, audits](Transaction& tx, const std::string& org,
                        pb::KaizenEvent& event) -> absl::Status {
        FieldViolations v;
        domain::CheckResultsRecorded(event, v);
        if (!v.empty()) {
          return kpo::core::FailedPrecondition(
              "RESULTS_MISSING",
              absl::StrCat("cannot move the kaizen event from IN_PROGRESS to COMPLETED: ",
                           v.ToStatus().message()),
              {{"current_state", "IN_PROGRESS"}, {"requested_state", "COMPLETED"}});
        }
        Date completion = r.completion_date();
        if (!r.has_completion_date()) {
          auto today = im.Today(tx, org, event.site());
          if (!today.ok()) return today.status();
          completion = *today;
        }
        *event.mutable_completion_date() = completion;
        int64_t ignored = 0;
        auto settings = im.LoadSettings(tx, org, &ignored);
        if (!settings.ok()) return settings.status();
        std::vector<int32_t> offsets(settings->audit_offset_days().begin(),
                                     settings->audit_offset_days().end());
        const auto due = domain::AuditDueDates(completion, offsets);
        for (size_t i = 0; i < due.size(); ++i) {
          pb::Audit audit;
          audit.set_name(absl::StrCat(event.name(), "/audits/day-", offsets[i]));
          audit.set_offset_days(offsets[i]);
          *audit.mutable_due_date() = due[i];
          audit.set_state(pb::SCHEDULED);
          audit.set_site(event.site());
          audit.set_etag("1");
          if (absl::Status ins = store::InsertAudit(tx, org, event.name(), audit); !ins.ok()) {
            return ins;
          }
          audits->push_back(std::move(audit));
        }
        return absl::OkStatus();
      });
}

absl::StatusOr<pb::KaizenEvent> KaizenEvents::StartFollowUp(const Principal& p,
                                                            const pb::TransitionRequest& r) {
  return impl_->Transition(p, "StartFollowUp", r.name(), r.etag(), r.request_id(), pb::FOLLOW_UP,
                           Emit<pb::KaizenEventFollowUpStarted>(), nullptr);
}

absl::StatusOr<pb::KaizenEvent> KaizenEvents::CloseKaizenEvent(const Principal& p,
                                                               const pb::TransitionRequest& r) {
  return impl_->Transition(p, "CloseKaizenEvent", r.name(), r.etag(), r.request_id(), pb::CLOSED,
                           Emit<pb::KaizenEventClosed>(), nullptr);
}

absl::StatusOr<pb::KaizenEvent> KaizenEvents::CancelKaizenEvent(
    const Principal& p, const pb::CancelKaizenEventRequest& r) {
  if (r.reason().empty()) {
    return kpo::core::InvalidField("reason", "say why the event is cancelled");
  }
  if (r.reason().size() > kMaxText) {
    return kpo::core::InvalidField("reason", "must be at most 2000 characters");
  }
  return impl_->Transition(p, "CancelKaizenEvent", r.name(), r.etag(), r.request_id(),
                           pb::CANCELLED, Emit<pb::KaizenEventCancelled>(),
                           [&r](Transaction&, const std::string&, pb::KaizenEvent& event) {
                             event.set_cancel_reason(r.reason());
                             return absl::OkStatus();
                           });
}

absl::StatusOr<pb::KaizenEvent> KaizenEvents::CompleteChecklistItem(
    const Principal& p, const pb::CompleteChecklistItemRequest& r) {
  const std::string person = Impl::PersonOf(p);
  const absl::Time now = impl_->clock_.Now();
  return impl_->Mutate(
      p, "CompleteChecklistItem", r.name(), r.etag(), r.request_id(),
      [&](Transaction&, const std::string&, pb::KaizenEvent& event) -> absl::StatusOr<Change> {
        auto it = std::find_if(event.mutable_checklist()->begin(), event.mutable_checklist()->end(),
                               [&](const pb::ChecklistItem& i) { return i.id() == r.item_id(); });
        if (it == event.mutable_checklist()->end()) {
          return kpo::core::InvalidField(
              "item_id", absl::StrCat("the event has no checklist item '", r.item_id(), "'"));
        }
        if (!domain::PhaseOpen(event.state(), it->phase())) {
          return kpo::core::FailedPrecondition(
              "PHASE_CLOSED",
              absl::StrCat("the event is ", domain::StateName(event.state()), ": its ",
                           pb::Phase_Name(it->phase()), " phase is over"),
              {{"current_state", domain::StateName(event.state())},
               {"phase", pb::Phase_Name(it->phase())}});
        }
        if (it->done() == r.done()) return Change{};
        it->set_done(r.done());
        if (r.done()) {
          it->set_done_by(person);
          *it->mutable_done_time() = Ts(now);
        } else {
          it->clear_done_by();
          it->clear_done_time();
        }
        return Change{true, {EmitUpdated(Mask("checklist"))}};
      });
}

absl::StatusOr<pb::KaizenEvent> KaizenEvents::ValidateSavings(const Principal& p,
                                                              const pb::ValidateSavingsRequest& r) {
  if (r.note().size() > kMaxText) return kpo::core::InvalidField("note", "at most 2000 characters");
  const std::string person = Impl::PersonOf(p);
  const absl::Time now = impl_->clock_.Now();
  return impl_->Mutate(
      p, "ValidateSavings", r.name(), r.etag(), r.request_id(),
      [&](Transaction&, const std::string&, pb::KaizenEvent& event) -> absl::StatusOr<Change> {
        const pb::EventState s = event.state();
        if (s == pb::PROPOSED || s == pb::CHARTERED || s == pb::IN_PROGRESS || s == pb::CANCELLED) {
          return kpo::core::FailedPrecondition(
              "EVENT_NOT_COMPLETED",
              absl::StrCat("savings are validated after completion; the event is ",
                           domain::StateName(s)),
              {{"current_state", domain::StateName(s)}});
        }
        if (event.money().realized_savings().empty()) {
          return kpo::core::FailedPrecondition("NO_REALIZED_SAVINGS",
                                               "record the realized savings before validating");
        }
        if (event.money().validation().validated()) {
          return kpo::core::FailedPrecondition("SAVINGS_ALREADY_VALIDATED",
                                               "finance already validated these savings");
        }
        auto* val = event.mutable_money()->mutable_validation();
        val->set_validated(true);
        val->set_validated_by(person);
        *val->mutable_validate_time() = Ts(now);
        val->set_note(r.note());
        return Change{true, {Emit<pb::SavingsValidated>()}};
      });
}

// ---- The kaizen newspaper

namespace {

void ValidateActionItem(const pb::ActionItem& item, FieldViolations& v) {
  const std::string p = "action_item.";
  if (item.what().empty()) v.Add(p + "what", "is required");
  Text(item.what(), p + "what", 500, v);
  if (!IsPersonName(item.owner())) {
    v.Add(p + "owner", "is required: a person name, organizations/{org}/people/{person}");
  }
  if (!domain::IsValidDate(item.due_date())) v.Add(p + "due_date", "is required: a valid date");
  if (!pb::ActionItemStatus_IsValid(item.status())) v.Add(p + "status", "is not a status");
}

// Stamps the output fields and writes the item.
absl::Status SaveActionItem(Transaction& tx, const std::string& org, const std::string& event,
                            pb::ActionItem& item, int64_t revision, absl::Time now, bool insert) {
  *item.mutable_update_time() = Ts(now);
  if (insert) *item.mutable_create_time() = Ts(now);
  item.set_etag(std::to_string(revision));
  return insert ? store::InsertActionItem(tx, org, event, item, revision)
                : store::UpdateActionItem(tx, org, item, revision);
}

}  // namespace

absl::StatusOr<pb::ActionItem> KaizenEvents::CreateActionItem(
    const Principal& p, const pb::CreateActionItemRequest& r) {
  if (!IsEventName(r.parent())) {
    return kpo::core::InvalidField("parent", "must be a kaizen event name");
  }
  if (absl::Status s = kpo::auth::CheckOrganization(p, r.parent(), "parent"); !s.ok()) return s;
  FieldViolations v;
  if (!r.action_item_id().empty() && !kpo::core::IsValidResourceId(r.action_item_id())) {
    v.Add("action_item_id", "must be 1-63 of a-z, 0-9 and '-'");
  }
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  pb::ActionItem item = r.action_item();
  if (item.status() == pb::ACTION_ITEM_STATUS_UNSPECIFIED) item.set_status(pb::OPEN);
  ValidateActionItem(item, v);
  if (!v.empty()) return v.ToStatus();
  item.set_name(
      absl::StrCat(r.parent(), "/actionItems/",
                   r.action_item_id().empty() ? kpo::core::NewUuid() : r.action_item_id()));
  const std::string org = p.organization_id;
  Impl& im = *impl_;
  bool replayed = false;
  absl::Status s = im.db_.Write([&](Transaction& tx) -> absl::Status {
    auto seen = kpo::idempotency::Replay(tx, org, r.request_id(), "CreateActionItem", item);
    if (!seen.ok()) return seen.status();
    if (*seen) {
      replayed = true;
      return absl::OkStatus();
    }
    auto event = im.LoadEvent(tx, org, r.parent());
    if (!event.ok()) return event.status();
    if (!event->has_value()) return kpo::core::NotFound(r.parent());
    const pb::EventState state = (*event)->event.state();
    if (state == pb::CLOSED || state == pb::CANCELLED) {
      return kpo::core::FailedPrecondition(
          "EVENT_NOT_EDITABLE",
          absl::StrCat(r.parent(), " is ", domain::StateName(state), "; its newspaper is closed"),
          {{"current_state", domain::StateName(state)}});
    }
    if (auto a = im.Active<dir::Person>(tx, org, item.owner(), "person", "action_item.owner", v);
        !a.ok()) {
      return a.status();
    }
    if (!v.empty()) return v.ToStatus();
    auto exists = store::LoadActionItem(tx, org, item.name());
    if (!exists.ok()) return exists.status();
    if (exists->has_value()) return kpo::core::AlreadyExists(item.name());
    item.set_site((*event)->event.site());
    if (absl::Status ss = SaveActionItem(tx, org, r.parent(), item, 1, im.clock_.Now(), true);
        !ss.ok()) {
      return ss;
    }
    pb::ActionItemCreated created;
    *created.mutable_action_item() = item;
    created.set_revision(1);
    if (auto a = im.outbox_.Append(tx, "organizations/" + org, item.name(), created); !a.ok()) {
      return a.status();
    }
    return kpo::idempotency::Remember(tx, org, r.request_id(), "CreateActionItem", item,
                                      im.clock_.Now());
  });
  if (!s.ok()) return s;
  if (!replayed && im.on_commit_) im.on_commit_();
  return item;
}

absl::StatusOr<pb::ActionItem> KaizenEvents::UpdateActionItem(
    const Principal& p, const pb::UpdateActionItemRequest& r) {
  const pb::ActionItem& patch = r.action_item();
  const std::string event_name = ParentEvent(patch.name(), "actionItems");
  if (event_name.empty()) {
    return kpo::core::InvalidField("action_item.name", "is not an action item name");
  }
  if (absl::Status s = kpo::auth::CheckOrganization(p, patch.name(), "action_item.name"); !s.ok()) {
    return s;
  }
  static const std::set<std::string> kUpdatable = {"what", "owner", "due_date", "status"};
  const FieldMask mask = kpo::core::EffectiveMask(r.update_mask(), kUpdatable);
  FieldViolations v;
  kpo::core::CheckUpdateMask(mask, pb::ActionItem::descriptor(), kUpdatable, "cannot be updated",
                             v);
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  if (!v.empty()) return v.ToStatus();
  const std::string org = p.organization_id;
  Impl& im = *impl_;
  pb::ActionItem result;
  bool changed = false;
  absl::Status s = im.db_.Write([&](Transaction& tx) -> absl::Status {
    auto seen = kpo::idempotency::Replay(tx, org, r.request_id(), "UpdateActionItem", result);
    if (!seen.ok() || *seen) return seen.status();
    auto row = store::LoadActionItem(tx, org, patch.name());
    if (!row.ok()) return row.status();
    if (!row->has_value()) return kpo::core::NotFound(patch.name());
    const pb::ActionItem current = (*row)->item;
    if (!patch.etag().empty() && patch.etag() != current.etag()) {
      return kpo::core::EtagMismatch(patch.name());
    }
    pb::ActionItem merged = current;
    FieldMaskUtil::MergeMessageTo(patch, mask, FieldMaskUtil::MergeOptions(), &merged);
    ValidateActionItem(merged, v);
    if (merged.status() == pb::ACTION_ITEM_STATUS_UNSPECIFIED) {
      v.Add("action_item.status", "is required (OPEN, DONE or DROPPED)");
    }
    if (merged.owner() != current.owner()) {
      if (auto a =
              im.Active<dir::Person>(tx, org, merged.owner(), "person", "action_item.owner", v);
          !a.ok()) {
        return a.status();
      }
    }
    if (!v.empty()) return v.ToStatus();
    result = current;
    if (!google::protobuf::util::MessageDifferencer::Equals(merged, current)) {
      const int64_t revision = (*row)->revision + 1;
      if (absl::Status ss =
              SaveActionItem(tx, org, event_name, merged, revision, im.clock_.Now(), false);
          !ss.ok()) {
        return ss;
      }
      pb::ActionItemUpdated updated;
      *updated.mutable_action_item() = merged;
      updated.set_revision(revision);
      *updated.mutable_update_mask() = mask;
      if (auto a = im.outbox_.Append(tx, "organizations/" + org, merged.name(), updated); !a.ok()) {
        return a.status();
      }
      result = merged;
      changed = true;
    }
    return kpo::idempotency::Remember(tx, org, r.request_id(), "UpdateActionItem", result,
                                      im.clock_.Now());
  });
  if (!s.ok()) return s;
  if (changed && im.on_commit_) im.on_commit_();
  return result;
}

namespace {

// "organizations/{org}/kaizenEvents/-" (every event) or one event; the SQL filter.
absl::StatusOr<std::string> EventScope(const std::string& org, const std::string& parent,
                                       std::string& where, std::vector<Value>& params) {
  if (parent == absl::StrCat("organizations/", org, "/kaizenEvents/-")) return std::string("-");
  if (!IsEventName(parent)) {
    return kpo::core::InvalidField(
        "parent", "must be a kaizen event name, or organizations/{org}/kaizenEvents/- for all");
  }
  absl::StrAppend(&where, " AND event = ?");
  params.emplace_back(parent);
  return parent;
}

}  // namespace

absl::StatusOr<pb::ListActionItemsResponse> KaizenEvents::ListActionItems(
    const Principal& p, const pb::ListActionItemsRequest& r) {
  if (absl::Status s = kpo::auth::CheckOrganization(p, r.parent(), "parent"); !s.ok()) return s;
  std::string where;
  std::vector<Value> params;
  auto scope_event = EventScope(p.organization_id, r.parent(), where, params);
  if (!scope_event.ok()) return scope_event.status();
  FieldViolations v;
  if (!r.site().empty() && !IsSiteName(r.site())) v.Add("site", "must be a site name");
  if (!r.owner().empty() && !IsPersonName(r.owner())) v.Add("owner", "must be a person name");
  if (r.has_as_of() && !domain::IsValidDate(r.as_of())) v.Add("as_of", "is not a valid date");
  if (!v.empty()) return v.ToStatus();
  if (!r.site().empty()) {
    absl::StrAppend(&where, " AND site = ?");
    params.emplace_back(r.site());
  }
  if (!r.owner().empty()) {
    absl::StrAppend(&where, " AND owner = ?");
    params.emplace_back(r.owner());
  }
  int64_t as_of = 0;
  if (r.overdue_only()) {
    as_of = r.has_as_of() ? domain::DateKey(r.as_of())
                          : domain::DateKey(domain::FromCivil(
                                absl::ToCivilDay(impl_->clock_.Now(), absl::UTCTimeZone())));
    absl::StrAppend(&where, " AND status = ? AND due < ?");
    params.emplace_back(static_cast<int64_t>(pb::OPEN));
    params.emplace_back(as_of);
  }
  const std::string scope = absl::StrCat(p.organization_id, "|actions|", *scope_event, "|",
                                         r.site(), "|", r.owner(), "|", as_of);
  auto page =
      impl_->List(p, "action_items", scope, where, params, "due", r.page_size(), r.page_token());
  if (!page.ok()) return page.status();
  pb::ListActionItemsResponse out;
  for (const auto& d : page->data) out.add_action_items()->ParseFromString(d);
  out.set_next_page_token(page->next);
  return out;
}

// ---- Audits

absl::StatusOr<pb::ListAuditsResponse> KaizenEvents::ListAudits(const Principal& p,
                                                                const pb::ListAuditsRequest& r) {
  if (absl::Status s = kpo::auth::CheckOrganization(p, r.parent(), "parent"); !s.ok()) return s;
  std::string where;
  std::vector<Value> params;
  auto scope_event = EventScope(p.organization_id, r.parent(), where, params);
  if (!scope_event.ok()) return scope_event.status();
  FieldViolations v;
  if (!r.site().empty() && !IsSiteName(r.site())) v.Add("site", "must be a site name");
  if (r.due_within_days() < 0 || r.due_within_days() > 3660) {
    v.Add("due_within_days", "must be 0 to 3660");
  }
  if (r.has_as_of() && !domain::IsValidDate(r.as_of())) v.Add("as_of", "is not a valid date");
  if (!pb::AuditState_IsValid(r.state())) v.Add("state", "is not an audit state");
  if (!v.empty()) return v.ToStatus();
  if (!r.site().empty()) {
    absl::StrAppend(&where, " AND site = ?");
    params.emplace_back(r.site());
  }
  if (r.state() != pb::AUDIT_STATE_UNSPECIFIED) {
    absl::StrAppend(&where, " AND state = ?");
    params.emplace_back(static_cast<int64_t>(r.state()));
  }
  int64_t horizon = 0;
  if (r.due_within_days() > 0) {
    const absl::CivilDay from = r.has_as_of()
                                    ? domain::ToCivil(r.as_of())
                                    : absl::ToCivilDay(impl_->clock_.Now(), absl::UTCTimeZone());
    horizon = domain::DateKey(domain::FromCivil(from + r.due_within_days()));
    absl::StrAppend(&where, " AND state = ? AND due <= ?");
    params.emplace_back(static_cast<int64_t>(pb::SCHEDULED));
    params.emplace_back(horizon);
  }
  const std::string scope = absl::StrCat(p.organization_id, "|audits|", *scope_event, "|", r.site(),
                                         "|", r.state(), "|", horizon);
  auto page = impl_->List(p, "audits", scope, where, params, "due", r.page_size(), r.page_token());
  if (!page.ok()) return page.status();
  pb::ListAuditsResponse out;
  for (const auto& d : page->data) out.add_audits()->ParseFromString(d);
  out.set_next_page_token(page->next);
  return out;
}

absl::StatusOr<pb::Audit> KaizenEvents::RecordAudit(const Principal& p,
                                                    const pb::RecordAuditRequest& r) {
  const std::string event_name = ParentEvent(r.name(), "audits");
  if (event_name.empty()) return kpo::core::InvalidField("name", "is not an audit name");
  if (absl::Status s = kpo::auth::CheckOrganization(p, r.name(), "name"); !s.ok()) return s;
  if (r.notes().size() > kMaxText)
    return kpo::core::InvalidField("notes", "at most 2000 characters");
  const std::string person = Impl::PersonOf(p);
  Impl& im = *impl_;
  pb::Audit recorded;
  // The audit changes together with its event (state, events), in one transaction.
  auto event = im.Mutate(
      p, "RecordAudit", event_name, "", r.request_id(),
      [&](Transaction& tx, const std::string& org, pb::KaizenEvent& e) -> absl::StatusOr<Change> {
        auto row = store::LoadAudit(tx, org, r.name());
        if (!row.ok()) return row.status();
        if (!row->has_value()) return kpo::core::NotFound(r.name());
        pb::Audit audit = (*row)->audit;
        if (!r.etag().empty() && r.etag() != audit.etag()) return kpo::core::EtagMismatch(r.name());
        if (audit.state() != pb::SCHEDULED) {
          return kpo::core::FailedPrecondition(
              "AUDIT_NOT_OPEN",
              absl::StrCat(r.name(), " is ", pb::AuditState_Name(audit.state()),
                           "; only a scheduled audit can be recorded"),
              {{"audit_state", pb::AuditState_Name(audit.state())}});
        }
        if (e.state() != pb::FOLLOW_UP) {
          return kpo::core::FailedPrecondition(
              "EVENT_NOT_IN_FOLLOW_UP",
              absl::StrCat("audits are recorded during follow-up; the event is ",
                           domain::StateName(e.state()),
                           e.state() == pb::COMPLETED ? " (start the follow-up first)" : ""),
              {{"current_state", domain::StateName(e.state())}});
        }
        int64_t ignored = 0;
        auto settings = im.LoadSettings(tx, org, &ignored);
        if (!settings.ok()) return settings.status();
        auto outcome = domain::EvaluateAudit(
            e, std::vector<pb::Measurement>(r.measurements().begin(), r.measurements().end()),
            settings->backslide_threshold());
        if (!outcome.ok()) return outcome.status();
        audit.clear_measurements();
        for (const auto& m : outcome->measurements) *audit.add_measurements() = m;
        audit.set_state(outcome->backslid() ? pb::FAILED : pb::PASSED);
        audit.set_recorded_by(person);
        *audit.mutable_record_time() = Ts(im.clock_.Now());
        audit.set_notes(r.notes());
        const int64_t audit_revision = (*row)->revision + 1;
        audit.set_etag(std::to_string(audit_revision));
        if (absl::Status ss = store::UpdateAudit(tx, org, audit, audit_revision); !ss.ok()) {
          return ss;
        }
        // The remaining audits: skipped after a backslide; none left means sustained.
        auto others = store::AuditsOf(tx, org, e.name(), pb::SCHEDULED, r.name());
        if (!others.ok()) return others.status();
        Change change{true, {}};
        const pb::Audit snapshot = audit;
        const std::vector<std::string> backslid = outcome->backslid_metric_ids;
        change.publish.push_back([snapshot](const pb::KaizenEvent& ev, int64_t revision) {
          auto a = std::make_unique<pb::AuditRecorded>();
          *a->mutable_kaizen_event() = ev;
          a->set_revision(revision);
          *a->mutable_audit() = snapshot;
          return std::unique_ptr<Message>(std::move(a));
        });
        if (outcome->backslid()) {
          for (const auto& other : *others) {
            pb::Audit skipped = other.audit;
            skipped.set_state(pb::SKIPPED);
            skipped.set_etag(std::to_string(other.revision + 1));
            if (absl::Status ss = store::UpdateAudit(tx, org, skipped, other.revision + 1);
                !ss.ok()) {
              return ss;
            }
          }
          e.set_state(pb::BACKSLID);
          change.publish.push_back(
              [snapshot, backslid](const pb::KaizenEvent& ev, int64_t revision) {
                auto b = std::make_unique<pb::KaizenEventBackslid>();
                *b->mutable_kaizen_event() = ev;
                b->set_revision(revision);
                *b->mutable_audit() = snapshot;
                for (const auto& id : backslid) b->add_backslid_metrics(id);
                return std::unique_ptr<Message>(std::move(b));
              });
        } else if (others->empty()) {
          e.set_state(pb::SUSTAINED);
          change.publish.push_back(Emit<pb::KaizenEventSustained>());
        }
        recorded = audit;
        return change;
      });
  if (!event.ok()) return event.status();
  if (recorded.name().empty()) {
    // A retried request: the event came from the idempotency record; read the audit.
    absl::Status s = im.db_.Read([&](Transaction& tx) -> absl::Status {
      auto row = store::LoadAudit(tx, p.organization_id, r.name());
      if (!row.ok()) return row.status();
      if (row->has_value()) recorded = (*row)->audit;
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
  }
  return recorded;
}

// ---- Settings

absl::StatusOr<pb::KaizenSettings> KaizenEvents::GetKaizenSettings(
    const Principal& p, const pb::GetKaizenSettingsRequest& r) {
  if (r.name() != p.organization_name() + "/kaizenSettings") {
    if (absl::Status s = kpo::auth::CheckOrganization(p, r.name(), "name"); !s.ok()) return s;
    return kpo::core::InvalidField("name", "must be organizations/{organization}/kaizenSettings");
  }
  pb::KaizenSettings out;
  absl::Status s = impl_->db_.Read([&](Transaction& tx) -> absl::Status {
    int64_t revision = 0;
    auto settings = impl_->LoadSettings(tx, p.organization_id, &revision);
    if (!settings.ok()) return settings.status();
    out = *settings;
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<pb::KaizenSettings> KaizenEvents::UpdateKaizenSettings(
    const Principal& p, const pb::UpdateKaizenSettingsRequest& r) {
  const pb::KaizenSettings& patch = r.kaizen_settings();
  if (patch.name() != p.organization_name() + "/kaizenSettings") {
    if (absl::Status s = kpo::auth::CheckOrganization(p, patch.name(), "kaizen_settings.name");
        !s.ok()) {
      return s;
    }
    return kpo::core::InvalidField("kaizen_settings.name",
                                   "must be organizations/{organization}/kaizenSettings");
  }
  static const std::set<std::string> kUpdatable = {"audit_offset_days", "backslide_threshold",
                                                   "checklist_template"};
  const FieldMask mask = kpo::core::EffectiveMask(r.update_mask(), kUpdatable);
  FieldViolations v;
  kpo::core::CheckUpdateMask(mask, pb::KaizenSettings::descriptor(), kUpdatable,
                             "cannot be updated", v);
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  if (!v.empty()) return v.ToStatus();
  const std::string org = p.organization_id;
  Impl& im = *impl_;
  pb::KaizenSettings result;
  bool changed = false;
  absl::Status s = im.db_.Write([&](Transaction& tx) -> absl::Status {
    auto seen = kpo::idempotency::Replay(tx, org, r.request_id(), "UpdateKaizenSettings", result);
    if (!seen.ok() || *seen) return seen.status();
    int64_t revision = 0;
    auto current = im.LoadSettings(tx, org, &revision);
    if (!current.ok()) return current.status();
    if (!patch.etag().empty() && patch.etag() != current->etag()) {
      return kpo::core::EtagMismatch(patch.name());
    }
    pb::KaizenSettings merged = *current;
    FieldMaskUtil::MergeOptions opts;
    opts.set_replace_repeated_fields(true);
    FieldMaskUtil::MergeMessageTo(patch, mask, opts, &merged);
    domain::ValidateSustainmentSettings(
        std::vector<int32_t>(merged.audit_offset_days().begin(), merged.audit_offset_days().end()),
        merged.backslide_threshold(), "kaizen_settings.", v);
    std::set<std::string> ids;
    for (int i = 0; i < merged.checklist_template_size(); ++i) {
      const auto& t = merged.checklist_template(i);
      const std::string f = absl::StrCat("kaizen_settings.checklist_template[", i, "].");
      if (!kpo::core::IsValidResourceId(t.id())) {
        v.Add(f + "id", "must be 1-63 of a-z, 0-9 and '-'");
      } else if (!ids.insert(t.id()).second) {
        v.Add(f + "id", "is used twice");
      }
      if (t.phase() == pb::PHASE_UNSPECIFIED || !pb::Phase_IsValid(t.phase())) {
        v.Add(f + "phase", "is required (PLANNING, PREPARATION, EXECUTION or HANDOVER)");
      }
      if (t.text().empty()) v.Add(f + "text", "is required");
      Text(t.text(), f + "text", 500, v);
    }
    if (!v.empty()) return v.ToStatus();
    result = *current;
    if (google::protobuf::util::MessageDifferencer::Equals(merged, *current)) {
      return kpo::idempotency::Remember(tx, org, r.request_id(), "UpdateKaizenSettings", result,
                                        im.clock_.Now());
    }
    const int64_t next = revision + 1;
    *merged.mutable_update_time() = Ts(im.clock_.Now());
    merged.set_etag(std::to_string(next));
    if (absl::Status saved = store::SaveSettings(tx, org, merged, next); !saved.ok()) return saved;
    pb::KaizenSettingsUpdated updated;
    *updated.mutable_kaizen_settings() = merged;
    updated.set_revision(next);
    if (auto a = im.outbox_.Append(tx, "organizations/" + org, merged.name(), updated); !a.ok()) {
      return a.status();
    }
    // A changed template reaches the events that have not yet left the phases it
    // changes; events past a phase keep the standard work they were held to.
    pb::KaizenSettings old_template, new_template;
    *old_template.mutable_checklist_template() = current->checklist_template();
    *new_template.mutable_checklist_template() = merged.checklist_template();
    const bool template_changed =
        !google::protobuf::util::MessageDifferencer::Equals(old_template, new_template);
    if (template_changed) {
      auto events = store::EventsInStates(
          tx, org, {pb::PROPOSED, pb::CHARTERED, pb::IN_PROGRESS, pb::COMPLETED});
      if (!events.ok()) return events.status();
      for (const auto& row : *events) {
        pb::KaizenEvent e = row.event;
        google::protobuf::RepeatedPtrField<pb::ChecklistItem> items;
        for (const auto& item : e.checklist()) {
          if (!domain::PhaseOpen(e.state(), item.phase())) *items.Add() = item;  // kept as held
        }
        for (const auto& t : merged.checklist_template()) {
          if (!domain::PhaseOpen(e.state(), t.phase())) continue;
          pb::ChecklistItem item;
          for (const auto& old : e.checklist()) {
            if (old.id() == t.id() && old.phase() == t.phase()) item = old;  // keeps done state
          }
          item.set_id(t.id());
          item.set_phase(t.phase());
          item.set_text(t.text());
          item.set_required(t.required());
          *items.Add() = item;
        }
        pb::KaizenEvent before = e;
        *e.mutable_checklist() = items;
        if (google::protobuf::util::MessageDifferencer::Equals(before, e)) continue;
        const int64_t rev = row.revision + 1;
        if (absl::Status ss = im.SaveEvent(tx, org, e, rev, false); !ss.ok()) return ss;
        if (auto a = im.outbox_.Append(tx, "organizations/" + org, e.name(),
                                       *EmitUpdated(Mask("checklist"))(e, rev));
            !a.ok()) {
          return a.status();
        }
      }
    }
    result = merged;
    changed = true;
    return kpo::idempotency::Remember(tx, org, r.request_id(), "UpdateKaizenSettings", result,
                                      im.clock_.Now());
  });
  if (!s.ok()) return s;
  if (changed && im.on_commit_) im.on_commit_();
  return result;
}

}  // namespace kpo::kaizen
