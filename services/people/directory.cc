#include "directory.h"

#include <set>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "domain/validation.h"
#include "google/protobuf/util/field_mask_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "kpo/core/enums.h"
#include "kpo/core/errors.h"
#include "kpo/core/ids.h"
#include "kpo/core/resource_name.h"
#include "kpo/core/update_mask.h"
#include "kpo/idempotency/idempotency.h"
#include "kpo/people/v1/events.pb.h"
#include "kpo/storage/keyset.h"
#include "store.h"

namespace kpo::people {

namespace pb = kpo::people::v1;
using google::protobuf::FieldMask;
using google::protobuf::Message;
using google::protobuf::util::FieldMaskUtil;
using kpo::command::Command;
using kpo::command::Context;
using kpo::core::FieldViolations;
using kpo::storage::Transaction;
using Indexes = std::vector<std::pair<std::string, std::string>>;

namespace {

constexpr char kOrgKind[] = "organization";
constexpr char kSiteKind[] = "site";
constexpr char kAreaKind[] = "area";
constexpr char kPersonKind[] = "person";
constexpr char kCoachingKind[] = "coaching_relationship";

using StoredRow = store::Row;

void SetOutputFields(Message& m, const std::string& name, bool active, int64_t create_us,
                     int64_t update_us, int64_t revision) {
  using google::protobuf::util::TimeUtil;
  const auto* d = m.GetDescriptor();
  const auto* r = m.GetReflection();
  r->SetString(&m, d->FindFieldByName("name"), name);
  r->SetEnumValue(&m, d->FindFieldByName("state"), active ? pb::ACTIVE : pb::INACTIVE);
  r->MutableMessage(&m, d->FindFieldByName("create_time"))
      ->CopyFrom(TimeUtil::MicrosecondsToTimestamp(create_us));
  r->MutableMessage(&m, d->FindFieldByName("update_time"))
      ->CopyFrom(TimeUtil::MicrosecondsToTimestamp(update_us));
  r->SetString(&m, d->FindFieldByName("etag"), std::to_string(revision));
}

std::string StringField(const Message& m, const char* field) {
  return m.GetReflection()->GetString(m, m.GetDescriptor()->FindFieldByName(field));
}

// Every event message has the resource as field 1, the revision as 2 and, for updates,
// the update mask as 3.
template <class Event>
Event MakeEvent(const Message& resource, int64_t revision, const FieldMask* mask) {
  Event e;
  const auto* d = e.GetDescriptor();
  const auto* r = e.GetReflection();
  r->MutableMessage(&e, d->FindFieldByNumber(1))->CopyFrom(resource);
  r->SetInt64(&e, d->FindFieldByNumber(2), revision);
  if (mask != nullptr && d->FindFieldByNumber(3) != nullptr) {
    r->MutableMessage(&e, d->FindFieldByNumber(3))->CopyFrom(*mask);
  }
  return e;
}

std::string EnumName(int role) { return pb::Role_Name(static_cast<pb::Role>(role)); }

}  // namespace

class Directory::Impl {
 public:
  Impl(const kpo::command::Runner& commands, const kpo::core::PageTokenCodec& tokens,
       ResourceCache* cache, DirectoryOptions options)
      : commands_(commands),
        db_(commands.db()),
        clock_(commands.clock()),
        tokens_(tokens),
        cache_(cache),
        options_(options) {}

  // ---- Storage primitives

  absl::StatusOr<std::optional<StoredRow>> Load(Transaction& tx, const std::string& org,
                                                const char* kind, const std::string& name) {
    return store::Load(tx, org, kind, name);
  }

  absl::Status Put(Transaction& tx, const std::string& org, const char* kind,
                   const std::string& parent, const Message& m, int64_t revision, bool active,
                   int64_t create_us, int64_t update_us, bool insert) {
    const std::string name = StringField(m, "name");
    return insert ? store::Insert(tx, org, kind, name, parent, m.SerializeAsString(), revision,
                                  active, create_us, update_us)
                  : store::Update(tx, org, kind, name, m.SerializeAsString(), revision, active,
                                  update_us);
  }

  // Replaces the index and unique entries of `name`. A unique value held by another
  // resource becomes a violation of `field_prefix + key`.
  // `fresh`: the resource is being created, so it has no index rows to replace.
  absl::Status Reindex(Transaction& tx, const std::string& org, const char* kind,
                       const std::string& name, const Indexes& index, const Indexes& unique,
                       const std::string& field_prefix, FieldViolations& v, bool fresh) {
    if (fresh) {
      if (absl::Status s = store::InsertIndex(tx, org, kind, name, index); !s.ok()) return s;
    } else {
      if (absl::Status s = store::ReplaceIndex(tx, org, kind, name, index); !s.ok()) return s;
      if (absl::Status s = store::ClearUnique(tx, org, kind, name); !s.ok()) return s;
    }
    for (const auto& [k, value] : unique) {
      if (value.empty()) continue;
      auto holder = store::ClaimUnique(tx, org, kind, k, value, name);
      if (!holder.ok()) return holder.status();
      if (holder->has_value()) {
        v.Add(field_prefix + k, absl::StrCat("'", value, "' is already used by ", **holder));
      }
    }
    return absl::OkStatus();
  }

  // A reference to another directory resource of the caller's organization that must
  // exist and be active; problems become violations of `field`.
  // `tolerated`: names of the same batch refused for their own problems; a reference
  // to one of them is not reported again.
  absl::Status RequireActive(Transaction& tx, const std::string& org, const char* kind,
                             const std::string& name, const std::string& field,
                             const std::set<std::string>& tolerated, FieldViolations& v) {
    if (name.empty() || v.Has(field)) return absl::OkStatus();
    if (!absl::StartsWith(name, absl::StrCat("organizations/", org, "/"))) {
      v.Add(field, absl::StrCat("must belong to organizations/", org));
      return absl::OkStatus();
    }
    auto row = Load(tx, org, kind, name);
    if (!row.ok()) return row.status();
    if (!row->has_value()) {
      if (!tolerated.contains(name)) v.Add(field, absl::StrCat(name, " does not exist"));
    } else if (!(*row)->active) {
      v.Add(field, absl::StrCat(name, " is inactive"));
    }
    return absl::OkStatus();
  }

  absl::Status RequireParent(Transaction& tx, const std::string& org, const char* kind,
                             const std::string& parent) {
    auto row = Load(tx, org, kind, parent);
    if (!row.ok()) return row.status();
    if (!row->has_value()) return kpo::core::NotFound(parent);
    if (!(*row)->active) {
      return kpo::core::FailedPrecondition("PARENT_INACTIVE", absl::StrCat(parent, " is inactive"),
                                           {{"parent", parent}});
    }
    return absl::OkStatus();
  }

  // Once the command's transaction commits, cached copies of `name` older than
  // `revision` are no longer served.
  void InvalidateOnCommit(Context& c, const std::string& name, int64_t revision) {
    if (cache_ == nullptr) return;
    c.tx().OnCommit([cache = cache_, org = c.organization_id(), name, revision] {
      cache->Invalidate(org, name, revision);
    });
  }

  // ---- Generic flows

  using RefCheck = std::function<absl::Status(
      Transaction&, const std::string& org, const Message&, const std::string& prefix,
      const std::set<std::string>& tolerated, FieldViolations&)>;
  using IndexFn = std::function<std::pair<Indexes, Indexes>(const Message&)>;

  struct KindSpec {
    const char* kind;
    const char* field;  // request field of the resource, e.g. "site"
    std::function<bool(const std::string&)> name_valid;
    std::function<void(const Message&, const std::string&, FieldViolations&)> validate;
    RefCheck refs;    // may be empty
    IndexFn indexes;  // may be empty
  };

  // Writes one new resource within the command.
  template <class Event>
  absl::Status InsertInTx(Context& c, const KindSpec& spec, const std::string& parent,
                          const std::string& name, Message& resource, const std::string& prefix,
                          FieldViolations& v, const std::set<std::string>& tolerated = {}) {
    Transaction& tx = c.tx();
    const std::string& org = c.organization_id();
    const size_t violations_before = v.size();
    if (spec.refs) {
      if (absl::Status s = spec.refs(tx, org, resource, prefix, tolerated, v); !s.ok()) return s;
    }
    auto existing = Load(tx, org, spec.kind, name);
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) return kpo::core::AlreadyExists(name);
    const int64_t now = absl::ToUnixMicros(c.now());
    SetOutputFields(resource, name, true, now, now, 1);
    if (spec.indexes) {
      auto [index, unique] = spec.indexes(resource);
      if (absl::Status s = Reindex(tx, org, spec.kind, name, index, unique, prefix, v, true);
          !s.ok()) {
        return s;
      }
    }
    // Rows with problems of their own are not written; the caller rolls back anyway
    // when `v` is not empty, but later rows of a batch may refer to the good ones.
    if (v.size() > violations_before) return absl::OkStatus();
    if (absl::Status s = Put(tx, org, spec.kind, parent, resource, 1, true, now, now, true);
        !s.ok()) {
      return s;
    }
    // No cache invalidation: the name is new (names are never reused, resources never
    // deleted) and readers cache only rows they found, so no entry can exist for it.
    return c.Publish(name, MakeEvent<Event>(resource, 1, nullptr));
  }

  template <class T, class Event>
  absl::StatusOr<T> Create(const Principal& p, const char* method, const Message& request,
                           const KindSpec& spec, const std::string& parent, const char* parent_kind,
                           const std::string& id, const T& input, const std::string& request_id) {
    if (parent_kind != nullptr) {
      auto ids = std::string(parent_kind) == kSiteKind
                     ? kpo::auth::CheckName(p, "parent", parent, {"organizations", "sites"})
                     : kpo::auth::CheckName(p, "parent", parent, {"organizations"});
      if (!ids.ok()) return ids.status();
    }
    FieldViolations v;
    if (!id.empty() && !kpo::core::IsValidResourceId(id)) {
      v.Add(absl::StrCat(spec.field, "_id"), "must be 1-63 of a-z, 0-9 and '-'");
    }
    kpo::idempotency::CheckRequestId(request_id, v);
    if (v.Has("request_id")) return v.ToStatus();
    // Field rules first; references are checked below too, so one answer names every
    // problem.
    spec.validate(input, absl::StrCat(spec.field, "."), v);
    const std::string name = parent_kind == nullptr
                                 ? parent
                                 : absl::StrCat(parent, "/", CollectionOf(spec.kind), "/",
                                                id.empty() ? kpo::core::NewUuid() : id);
    return commands_.Run<T>(
        {p.organization_id, method, request_id, &request}, [&](Context& c) -> absl::StatusOr<T> {
          if (parent_kind != nullptr) {
            if (absl::Status ps = RequireParent(c.tx(), c.organization_id(), parent_kind, parent);
                !ps.ok()) {
              return ps;
            }
          }
          T resource = input;
          if (absl::Status is = InsertInTx<Event>(c, spec, parent_kind ? parent : "", name,
                                                  resource, absl::StrCat(spec.field, "."), v);
              !is.ok() && (v.empty() || is.code() != absl::StatusCode::kAlreadyExists)) {
            return is;
          }
          if (!v.empty()) return v.ToStatus();
          return resource;
        });
  }

  template <class T, class Event>
  absl::StatusOr<T> Update(const Principal& p, const char* method, const Message& request,
                           const KindSpec& spec, const T& patch, const FieldMask& mask,
                           const std::set<std::string>& updatable, const std::string& request_id) {
    const std::string name = patch.name();
    const std::string name_field = absl::StrCat(spec.field, ".name");
    if (!spec.name_valid(name)) {
      return kpo::core::InvalidField(name_field,
                                     absl::StrCat("'", name, "' is not a ", spec.kind, " name"));
    }
    if (absl::Status s = kpo::auth::CheckOrganization(p, name, name_field); !s.ok()) return s;
    FieldViolations v;
    const FieldMask effective = kpo::core::EffectiveMask(mask, updatable);
    kpo::core::CheckUpdateMask(effective, T::descriptor(), updatable, "cannot be updated", v);
    kpo::idempotency::CheckRequestId(request_id, v);
    if (!v.empty()) return v.ToStatus();
    return commands_.Run<T>(
        {p.organization_id, method, request_id, &request}, [&](Context& c) -> absl::StatusOr<T> {
          Transaction& tx = c.tx();
          const std::string& org = c.organization_id();
          auto row = Load(tx, org, spec.kind, name);
          if (!row.ok()) return row.status();
          if (!row->has_value()) return kpo::core::NotFound(name);
          T current;
          if (!current.ParseFromString((*row)->data))
            return absl::InternalError("corrupt row " + name);
          if (!(*row)->active) {
            return kpo::core::FailedPrecondition(
                "RESOURCE_INACTIVE", absl::StrCat(name, " is inactive and cannot be updated"),
                {{"resource", name}});
          }
          if (!patch.etag().empty() && patch.etag() != current.etag()) {
            return kpo::core::EtagMismatch(name);
          }
          T merged = current;
          FieldMaskUtil::MergeOptions opts;
          opts.set_replace_message_fields(true);
          opts.set_replace_repeated_fields(true);
          FieldMaskUtil::MergeMessageTo(patch, effective, opts, &merged);
          const std::string prefix = absl::StrCat(spec.field, ".");
          spec.validate(merged, prefix, v);
          if (!v.empty()) return v.ToStatus();
          if (google::protobuf::util::MessageDifferencer::Equals(merged, current)) return current;
          if (spec.refs) {
            if (absl::Status rs = spec.refs(tx, org, merged, prefix, {}, v); !rs.ok()) return rs;
          }
          const int64_t now = absl::ToUnixMicros(c.now());
          const int64_t revision = (*row)->revision + 1;
          SetOutputFields(merged, name, true, (*row)->create_us, now, revision);
          if (spec.indexes) {
            auto [index, unique] = spec.indexes(merged);
            if (absl::Status rs =
                    Reindex(tx, org, spec.kind, name, index, unique, prefix, v, false);
                !rs.ok()) {
              return rs;
            }
          }
          if (!v.empty()) return v.ToStatus();
          if (absl::Status ps = Put(tx, org, spec.kind, "", merged, revision, true, 0, now, false);
              !ps.ok()) {
            return ps;
          }
          InvalidateOnCommit(c, name, revision);
          if (absl::Status ps = c.Publish(name, MakeEvent<Event>(merged, revision, &effective));
              !ps.ok()) {
            return ps;
          }
          return merged;
        });
  }

  // Marks one active row inactive within the command and publishes `Event` for it.
  template <class T, class Event>
  absl::StatusOr<T> DeactivateRow(Context& c, const char* kind, const std::string& name,
                                  const StoredRow& row) {
    T current;
    if (!current.ParseFromString(row.data)) return absl::InternalError("corrupt row " + name);
    const int64_t now = absl::ToUnixMicros(c.now());
    const int64_t revision = row.revision + 1;
    SetOutputFields(current, name, false, row.create_us, now, revision);
    if (absl::Status ps =
            Put(c.tx(), c.organization_id(), kind, "", current, revision, false, 0, now, false);
        !ps.ok()) {
      return ps;
    }
    InvalidateOnCommit(c, name, revision);
    if (absl::Status ps = c.Publish(name, MakeEvent<Event>(current, revision, nullptr)); !ps.ok()) {
      return ps;
    }
    return current;
  }

  // Runs within the deactivation's command before the row changes: may refuse (return
  // an error) or change related resources.
  using DeactivationHook = std::function<absl::Status(Context&, const std::string& name)>;

  template <class T, class Event>
  absl::StatusOr<T> Deactivate(const Principal& p, const char* method, const Message& request,
                               const KindSpec& spec, const std::string& name,
                               const std::string& etag, const std::string& request_id,
                               DeactivationHook hook) {
    if (!spec.name_valid(name)) {
      return kpo::core::InvalidField("name",
                                     absl::StrCat("'", name, "' is not a ", spec.kind, " name"));
    }
    if (absl::Status s = kpo::auth::CheckOrganization(p, name, "name"); !s.ok()) return s;
    if (absl::Status s = kpo::idempotency::ValidateRequestId(request_id); !s.ok()) return s;
    return commands_.Run<T>({p.organization_id, method, request_id, &request},
                            [&](Context& c) -> absl::StatusOr<T> {
                              auto row = Load(c.tx(), c.organization_id(), spec.kind, name);
                              if (!row.ok()) return row.status();
                              if (!row->has_value()) return kpo::core::NotFound(name);
                              T current;
                              if (!current.ParseFromString((*row)->data)) {
                                return absl::InternalError("corrupt row " + name);
                              }
                              if (!etag.empty() && etag != current.etag())
                                return kpo::core::EtagMismatch(name);
                              if (!(*row)->active)
                                return current;  // already inactive: nothing to do
                              if (hook) {
                                if (absl::Status hs = hook(c, name); !hs.ok()) return hs;
                              }
                              return DeactivateRow<T, Event>(c, spec.kind, name, **row);
                            });
  }

  template <class T>
  absl::StatusOr<T> Get(const Principal& p, const KindSpec& spec, const std::string& name) {
    if (!spec.name_valid(name)) {
      return kpo::core::InvalidField("name",
                                     absl::StrCat("'", name, "' is not a ", spec.kind, " name"));
    }
    if (absl::Status s = kpo::auth::CheckOrganization(p, name, "name"); !s.ok()) return s;
    const std::string org = p.organization_id;
    T out;
    if (cache_ != nullptr) {
      if (auto hit = cache_->Get(org, name); hit.has_value() && out.ParseFromString(*hit)) {
        return out;
      }
    }
    std::optional<StoredRow> found;
    absl::Status s = db_.Read([&](Transaction& tx) -> absl::Status {
      auto row = Load(tx, org, spec.kind, name);
      if (!row.ok()) return row.status();
      found = *row;
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    if (!found.has_value()) return kpo::core::NotFound(name);
    if (!out.ParseFromString(found->data)) return absl::InternalError("corrupt row " + name);
    if (cache_ != nullptr) cache_->Put(org, name, found->revision, found->data);
    return out;
  }

  // Lists one kind under `parent` (empty = any parent) with index filters.
  absl::StatusOr<std::pair<std::vector<std::string>, std::string>> List(
      const Principal& p, const char* kind, const std::string& parent_field_value,
      const std::string& parent_filter, int32_t page_size, const std::string& page_token,
      const Indexes& filters, bool show_inactive) {
    std::string scope = absl::StrCat(p.organization_id, "|", kind, "|", parent_field_value, "|",
                                     show_inactive ? 1 : 0);
    for (const auto& [k, value] : filters) absl::StrAppend(&scope, "|", k, "=", value);
    auto page = kpo::core::OpenPage(tokens_, options_.pages, page_size, page_token, scope);
    if (!page.ok()) return page.status();
    store::ListQuery query{kind, parent_filter, show_inactive, filters};
    kpo::storage::KeysetPage keyset;
    keyset.limit = page->limit;
    if (page->after.has_value()) keyset.after = {{0, page->after->name}};
    std::vector<std::string> items;
    std::string next;
    absl::Status s = db_.Read([&](Transaction& tx) -> absl::Status {
      auto rows = store::List(tx, p.organization_id, query, keyset);
      if (!rows.ok()) return rows.status();
      const size_t limit = static_cast<size_t>(page->limit);
      for (size_t i = 0; i < rows->size() && i < limit; ++i) {
        items.push_back((*rows)[i].second);
      }
      if (rows->size() > limit) {
        next = kpo::core::NextPageToken(tokens_, *page, {0, (*rows)[limit - 1].first});
      }
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    return std::make_pair(std::move(items), std::move(next));
  }

  static const char* CollectionOf(const char* kind) {
    const std::string k = kind;
    if (k == kSiteKind) return "sites";
    if (k == kAreaKind) return "areas";
    if (k == kPersonKind) return "people";
    return "coachingRelationships";
  }

  const kpo::command::Runner& commands_;
  kpo::storage::Database& db_;
  const kpo::core::Clock& clock_;
  const kpo::core::PageTokenCodec& tokens_;
  ResourceCache* cache_;
  DirectoryOptions options_;
  KindSpec org_spec_, site_spec_, area_spec_, person_spec_, coaching_spec_;
};

namespace {

template <class T>
const T& As(const Message& m) {
  return static_cast<const T&>(m);
}

// The description of one resource kind: its name rule and field rules (pure), and
// optionally its reference checks and index entries.
template <class T>
Directory::Impl::KindSpec MakeSpec(const char* kind, const char* field,
                                   bool (*parse)(absl::string_view, domain::ParsedName*),
                                   void (*validate)(const T&, const std::string&, FieldViolations&),
                                   Directory::Impl::RefCheck refs = nullptr,
                                   Directory::Impl::IndexFn indexes = nullptr) {
  return {kind,
          field,
          [parse](const std::string& name) {
            domain::ParsedName parsed;
            return parse(name, &parsed);
          },
          [validate](const Message& m, const std::string& prefix, FieldViolations& v) {
            validate(As<T>(m), prefix, v);
          },
          std::move(refs),
          std::move(indexes)};
}

}  // namespace

Directory::Directory(const kpo::command::Runner& commands, const kpo::core::PageTokenCodec& tokens,
                     ResourceCache* cache, DirectoryOptions options)
    : impl_(std::make_unique<Impl>(commands, tokens, cache, options)) {
  Impl& im = *impl_;
  im.org_spec_ = MakeSpec<pb::Organization>(kOrgKind, "organization", domain::ParseOrganizationName,
                                            domain::ValidateOrganization);
  im.site_spec_ =
      MakeSpec<pb::Site>(kSiteKind, "site", domain::ParseSiteName, domain::ValidateSite);
  im.area_spec_ =
      MakeSpec<pb::Area>(kAreaKind, "area", domain::ParseAreaName, domain::ValidateArea);
  im.person_spec_ = MakeSpec<pb::Person>(
      kPersonKind, "person", domain::ParsePersonName, domain::ValidatePerson,
      [&im](Transaction& tx, const std::string& org, const Message& m, const std::string& prefix,
            const std::set<std::string>& tolerated, FieldViolations& v) -> absl::Status {
        const auto& person = As<pb::Person>(m);
        domain::ParsedName site;
        const bool site_ok =
            domain::ParseSiteName(person.home_site(), &site) && !v.Has(prefix + "home_site");
        if (absl::Status s = im.RequireActive(tx, org, kSiteKind, person.home_site(),
                                              prefix + "home_site", tolerated, v);
            !s.ok()) {
          return s;
        }
        if (!person.area().empty()) {
          domain::ParsedName area;
          domain::ParseAreaName(person.area(), &area);
          if (site_ok && area.site != site.id && !v.Has(prefix + "area")) {
            v.Add(prefix + "area", "must be an area of the person's home_site");
          } else if (absl::Status s = im.RequireActive(tx, org, kAreaKind, person.area(),
                                                       prefix + "area", tolerated, v);
                     !s.ok()) {
            return s;
          }
        }
        if (!person.manager().empty()) {
          if (person.manager() == person.name()) {
            v.Add(prefix + "manager", "a person cannot be their own manager");
          } else if (absl::Status s = im.RequireActive(tx, org, kPersonKind, person.manager(),
                                                       prefix + "manager", tolerated, v);
                     !s.ok()) {
            return s;
          }
        }
        return absl::OkStatus();
      },
      [](const Message& m) {
        const auto& person = As<pb::Person>(m);
        Indexes index = {
            {"site", person.home_site()}, {"area", person.area()}, {"manager", person.manager()}};
        for (int r : person.roles()) index.emplace_back("role", EnumName(r));
        return std::make_pair(index, Indexes{{"employee_id", person.employee_id()}});
      });
  im.coaching_spec_ = MakeSpec<pb::CoachingRelationship>(
      kCoachingKind, "coaching_relationship", domain::ParseCoachingRelationshipName,
      domain::ValidateCoachingRelationship,
      [&im](Transaction& tx, const std::string& org, const Message& m, const std::string& prefix,
            const std::set<std::string>& tolerated, FieldViolations& v) -> absl::Status {
        const auto& rel = As<pb::CoachingRelationship>(m);
        for (auto [field, value] :
             {std::pair{"coach", rel.coach()}, std::pair{"learner", rel.learner()},
              std::pair{"second_coach", rel.second_coach()}}) {
          if (absl::Status s =
                  im.RequireActive(tx, org, kPersonKind, value, prefix + field, tolerated, v);
              !s.ok()) {
            return s;
          }
        }
        return absl::OkStatus();
      },
      [](const Message& m) {
        const auto& rel = As<pb::CoachingRelationship>(m);
        return std::make_pair(
            Indexes{
                {"person", rel.coach()}, {"person", rel.learner()}, {"person", rel.second_coach()}},
            Indexes{});
      });
}

Directory::~Directory() = default;

// ---- Organization

absl::StatusOr<pb::Organization> Directory::CreateOrganization(
    const Principal& p, const pb::CreateOrganizationRequest& r) {
  if (!kpo::core::IsValidOrganizationId(r.organization_id())) {
    // Reported with any other malformed field of the request, all at once.
    FieldViolations v;
    v.Add("organization_id", "must be 3-40 of a-z, 0-9 and '-', starting with a letter");
    kpo::idempotency::CheckRequestId(r.request_id(), v);
    return v.ToStatus();
  }
  const std::string name = "organizations/" + r.organization_id();
  if (absl::Status s = kpo::auth::CheckOrganization(p, name, "organization_id"); !s.ok()) return s;
  return impl_->Create<pb::Organization, pb::OrganizationCreated>(
      p, "CreateOrganization", r, impl_->org_spec_, name, nullptr, "", r.organization(),
      r.request_id());
}

absl::StatusOr<pb::Organization> Directory::GetOrganization(const Principal& p,
                                                            const pb::GetOrganizationRequest& r) {
  return impl_->Get<pb::Organization>(p, impl_->org_spec_, r.name());
}

absl::StatusOr<pb::Organization> Directory::UpdateOrganization(
    const Principal& p, const pb::UpdateOrganizationRequest& r) {
  return impl_->Update<pb::Organization, pb::OrganizationUpdated>(
      p, "UpdateOrganization", r, impl_->org_spec_, r.organization(), r.update_mask(),
      {"display_name", "maturity_stage", "strategic_objectives"}, r.request_id());
}

// ---- Site

absl::StatusOr<pb::Site> Directory::CreateSite(const Principal& p, const pb::CreateSiteRequest& r) {
  return impl_->Create<pb::Site, pb::SiteCreated>(p, "CreateSite", r, impl_->site_spec_, r.parent(),
                                                  kOrgKind, r.site_id(), r.site(), r.request_id());
}

absl::StatusOr<pb::Site> Directory::GetSite(const Principal& p, const pb::GetSiteRequest& r) {
  return impl_->Get<pb::Site>(p, impl_->site_spec_, r.name());
}

absl::StatusOr<pb::ListSitesResponse> Directory::ListSites(const Principal& p,
                                                           const pb::ListSitesRequest& r) {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), {"organizations"}); !ids.ok()) {
    return ids.status();
  }
  auto page = impl_->List(p, kSiteKind, r.parent(), r.parent(), r.page_size(), r.page_token(), {},
                          r.show_inactive());
  if (!page.ok()) return page.status();
  pb::ListSitesResponse out;
  for (const auto& data : page->first) out.add_sites()->ParseFromString(data);
  out.set_next_page_token(page->second);
  return out;
}

absl::StatusOr<pb::Site> Directory::UpdateSite(const Principal& p, const pb::UpdateSiteRequest& r) {
  return impl_->Update<pb::Site, pb::SiteUpdated>(
      p, "UpdateSite", r, impl_->site_spec_, r.site(), r.update_mask(),
      {"display_name", "code", "time_zone"}, r.request_id());
}

absl::StatusOr<pb::Site> Directory::DeactivateSite(const Principal& p,
                                                   const pb::DeactivateSiteRequest& r) {
  return impl_->Deactivate<pb::Site, pb::SiteDeactivated>(
      p, "DeactivateSite", r, impl_->site_spec_, r.name(), r.etag(), r.request_id(),
      [](Context& c, const std::string& name) -> absl::Status {
        auto people_here =
            store::ActiveWithEntry(c.tx(), c.organization_id(), kPersonKind, "site", name);
        if (!people_here.ok()) return people_here.status();
        auto areas_here = store::CountActiveChildren(c.tx(), c.organization_id(), kAreaKind, name);
        if (!areas_here.ok()) return areas_here.status();
        const int64_t people = static_cast<int64_t>(people_here->size()), areas = *areas_here;
        if (people > 0 || areas > 0) {
          return kpo::core::FailedPrecondition(
              "SITE_IN_USE",
              absl::StrCat(name, " still has ", people, " active people and ", areas,
                           " active areas; move or deactivate them first"),
              {{"active_people", std::to_string(people)}, {"active_areas", std::to_string(areas)}});
        }
        return absl::OkStatus();
      });
}

// ---- Area

absl::StatusOr<pb::Area> Directory::CreateArea(const Principal& p, const pb::CreateAreaRequest& r) {
  domain::ParsedName site;
  if (!domain::ParseSiteName(r.parent(), &site)) {
    return kpo::core::InvalidField("parent",
                                   "must be a site name: organizations/{org}/sites/{site}");
  }
  return impl_->Create<pb::Area, pb::AreaCreated>(p, "CreateArea", r, impl_->area_spec_, r.parent(),
                                                  kSiteKind, r.area_id(), r.area(), r.request_id());
}

absl::StatusOr<pb::Area> Directory::GetArea(const Principal& p, const pb::GetAreaRequest& r) {
  return impl_->Get<pb::Area>(p, impl_->area_spec_, r.name());
}

absl::StatusOr<pb::ListAreasResponse> Directory::ListAreas(const Principal& p,
                                                           const pb::ListAreasRequest& r) {
  // A site, or "organizations/{org}/sites/-" for every site.
  auto ids = kpo::auth::CheckName(p, "parent", r.parent(), {"organizations", "sites"},
                                  kpo::core::LastId::kOrAll);
  if (!ids.ok()) return ids.status();
  const bool all_sites = ids->back() == "-";
  auto page = impl_->List(p, kAreaKind, r.parent(), all_sites ? "" : r.parent(), r.page_size(),
                          r.page_token(), {}, r.show_inactive());
  if (!page.ok()) return page.status();
  pb::ListAreasResponse out;
  for (const auto& data : page->first) out.add_areas()->ParseFromString(data);
  out.set_next_page_token(page->second);
  return out;
}

absl::StatusOr<pb::Area> Directory::UpdateArea(const Principal& p, const pb::UpdateAreaRequest& r) {
  return impl_->Update<pb::Area, pb::AreaUpdated>(p, "UpdateArea", r, impl_->area_spec_, r.area(),
                                                  r.update_mask(), {"display_name", "kind"},
                                                  r.request_id());
}

absl::StatusOr<pb::Area> Directory::DeactivateArea(const Principal& p,
                                                   const pb::DeactivateAreaRequest& r) {
  return impl_->Deactivate<pb::Area, pb::AreaDeactivated>(
      p, "DeactivateArea", r, impl_->area_spec_, r.name(), r.etag(), r.request_id(), nullptr);
}

// ---- Person

absl::StatusOr<pb::Person> Directory::CreatePerson(const Principal& p,
                                                   const pb::CreatePersonRequest& r) {
  return impl_->Create<pb::Person, pb::PersonCreated>(p, "CreatePerson", r, impl_->person_spec_,
                                                      r.parent(), kOrgKind, r.person_id(),
                                                      r.person(), r.request_id());
}

absl::StatusOr<pb::BatchCreatePeopleResponse> Directory::BatchCreatePeople(
    const Principal& p, const pb::BatchCreatePeopleRequest& r) {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), {"organizations"}); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  if (r.requests().empty()) v.Add("requests", "at least one person is required");
  if (r.requests_size() > impl_->options_.max_batch_size) {
    v.Add("requests", absl::StrCat("at most ", impl_->options_.max_batch_size,
                                   " people per batch; split the import"));
  }
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  std::set<std::string> ids;
  std::vector<std::string> names;
  for (int i = 0; i < r.requests_size(); ++i) {
    const auto& req = r.requests(i);
    const std::string prefix = absl::StrCat("requests[", i, "].");
    if (!req.parent().empty() && req.parent() != r.parent()) {
      v.Add(prefix + "parent", "must be empty or equal to the batch parent");
    }
    std::string id = req.person_id().empty() ? kpo::core::NewUuid() : req.person_id();
    if (!kpo::core::IsValidResourceId(id)) {
      v.Add(prefix + "person_id", "must be 1-63 of a-z, 0-9 and '-'");
    } else if (!ids.insert(id).second) {
      v.Add(prefix + "person_id", absl::StrCat("'", id, "' appears twice in the batch"));
    }
    names.push_back(absl::StrCat(r.parent(), "/people/", id));
  }
  if (!v.empty()) return v.ToStatus();
  // Field rules of every row, then (in the transaction) references of every row, so a
  // file with several problems gets them all in one answer.
  std::vector<size_t> row_violations(r.requests_size(), 0);
  for (int i = 0; i < r.requests_size(); ++i) {
    const size_t before = v.size();
    domain::ValidatePerson(r.requests(i).person(), absl::StrCat("requests[", i, "].person."), v);
    row_violations[i] = v.size() - before;
  }
  pb::BatchCreatePeopleResponse out;
  Command command{p.organization_id, "BatchCreatePeople", r.request_id(), &r, r.validate_only()};
  absl::Status s = impl_->commands_.Run(command, out, [&](Context& c) -> absl::Status {
    Transaction& tx = c.tx();
    const std::string& org = c.organization_id();
    if (absl::Status ps = impl_->RequireParent(tx, org, kOrgKind, r.parent()); !ps.ok()) return ps;
    std::set<std::string> refused;
    for (int i = 0; i < r.requests_size(); ++i) {
      if (row_violations[i] > 0) refused.insert(names[i]);
    }
    for (int i = 0; i < r.requests_size(); ++i) {
      pb::Person person = r.requests(i).person();
      const std::string prefix = absl::StrCat("requests[", i, "].person.");
      if (row_violations[i] > 0) {
        // Still check its references, for a complete report; it is not written.
        FieldViolations row;
        for (const auto& fv : v.violations()) {
          if (fv.field.rfind(prefix, 0) == 0) row.Add(fv.field, fv.description);
        }
        const size_t before = row.size();
        if (absl::Status rs = impl_->person_spec_.refs(tx, org, person, prefix, refused, row);
            !rs.ok()) {
          return rs;
        }
        for (size_t k = before; k < row.size(); ++k) {
          v.Add(row.violations()[k].field, row.violations()[k].description);
        }
        continue;
      }
      const size_t before = v.size();
      absl::Status is = impl_->InsertInTx<pb::PersonCreated>(c, impl_->person_spec_, r.parent(),
                                                             names[i], person, prefix, v, refused);
      if (v.size() > before) refused.insert(names[i]);  // refused for a reference problem
      if (is.code() == absl::StatusCode::kAlreadyExists) {
        v.Add(absl::StrCat("requests[", i, "].person_id"),
              absl::StrCat(names[i], " already exists"));
      } else if (!is.ok()) {
        return is;
      }
      *out.add_people() = person;
    }
    return v.ToStatus();
  });
  if (!s.ok()) return s;
  if (r.validate_only()) return pb::BatchCreatePeopleResponse();
  return out;
}

absl::StatusOr<pb::Person> Directory::GetPerson(const Principal& p, const pb::GetPersonRequest& r) {
  return impl_->Get<pb::Person>(p, impl_->person_spec_, r.name());
}

absl::StatusOr<pb::ListPeopleResponse> Directory::ListPeople(const Principal& p,
                                                             const pb::ListPeopleRequest& r) {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), {"organizations"}); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  domain::ParsedName parsed;
  if (!r.site().empty() && !domain::ParseSiteName(r.site(), &parsed))
    v.Add("site", "must be a site name");
  if (!r.area().empty() && !domain::ParseAreaName(r.area(), &parsed))
    v.Add("area", "must be an area name");
  kpo::core::CheckEnum(pb::Role_descriptor(), r.role(), "role", false, v);
  if (!v.empty()) return v.ToStatus();
  Indexes filters;
  if (!r.site().empty()) filters.emplace_back("site", r.site());
  if (!r.area().empty()) filters.emplace_back("area", r.area());
  if (r.role() != pb::ROLE_UNSPECIFIED) filters.emplace_back("role", EnumName(r.role()));
  auto page = impl_->List(p, kPersonKind, r.parent(), r.parent(), r.page_size(), r.page_token(),
                          filters, r.show_inactive());
  if (!page.ok()) return page.status();
  pb::ListPeopleResponse out;
  for (const auto& data : page->first) out.add_people()->ParseFromString(data);
  out.set_next_page_token(page->second);
  return out;
}

absl::StatusOr<pb::Person> Directory::UpdatePerson(const Principal& p,
                                                   const pb::UpdatePersonRequest& r) {
  return impl_->Update<pb::Person, pb::PersonUpdated>(
      p, "UpdatePerson", r, impl_->person_spec_, r.person(), r.update_mask(),
      {"display_name", "email", "employee_id", "home_site", "area", "roles", "manager"},
      r.request_id());
}

absl::StatusOr<pb::Person> Directory::DeactivatePerson(const Principal& p,
                                                       const pb::DeactivatePersonRequest& r) {
  // Someone who leaves coaches nobody and is coached by nobody: their active coaching
  // relationships end in the same transaction, each with its own event. Reports keep
  // pointing at their (inactive) manager, which is history, until HR reassigns them.
  Impl& im = *impl_;
  return impl_->Deactivate<pb::Person, pb::PersonDeactivated>(
      p, "DeactivatePerson", r, impl_->person_spec_, r.name(), r.etag(), r.request_id(),
      [&im](Context& c, const std::string& person) -> absl::Status {
        auto relationships =
            store::ActiveWithEntry(c.tx(), c.organization_id(), kCoachingKind, "person", person);
        if (!relationships.ok()) return relationships.status();
        for (const auto& [name, row] : *relationships) {
          auto done =
              im.DeactivateRow<pb::CoachingRelationship, pb::CoachingRelationshipDeactivated>(
                  c, kCoachingKind, name, row);
          if (!done.ok()) return done.status();
        }
        return absl::OkStatus();
      });
}

// ---- Coaching relationship

absl::StatusOr<pb::CoachingRelationship> Directory::CreateCoachingRelationship(
    const Principal& p, const pb::CreateCoachingRelationshipRequest& r) {
  return impl_->Create<pb::CoachingRelationship, pb::CoachingRelationshipCreated>(
      p, "CreateCoachingRelationship", r, impl_->coaching_spec_, r.parent(), kOrgKind,
      r.coaching_relationship_id(), r.coaching_relationship(), r.request_id());
}

absl::StatusOr<pb::CoachingRelationship> Directory::GetCoachingRelationship(
    const Principal& p, const pb::GetCoachingRelationshipRequest& r) {
  return impl_->Get<pb::CoachingRelationship>(p, impl_->coaching_spec_, r.name());
}

absl::StatusOr<pb::ListCoachingRelationshipsResponse> Directory::ListCoachingRelationships(
    const Principal& p, const pb::ListCoachingRelationshipsRequest& r) {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), {"organizations"}); !ids.ok()) {
    return ids.status();
  }
  Indexes filters;
  if (!r.person().empty()) filters.emplace_back("person", r.person());
  auto page = impl_->List(p, kCoachingKind, r.parent(), r.parent(), r.page_size(), r.page_token(),
                          filters, r.show_inactive());
  if (!page.ok()) return page.status();
  pb::ListCoachingRelationshipsResponse out;
  for (const auto& data : page->first) out.add_coaching_relationships()->ParseFromString(data);
  out.set_next_page_token(page->second);
  return out;
}

absl::StatusOr<pb::CoachingRelationship> Directory::UpdateCoachingRelationship(
    const Principal& p, const pb::UpdateCoachingRelationshipRequest& r) {
  return impl_->Update<pb::CoachingRelationship, pb::CoachingRelationshipUpdated>(
      p, "UpdateCoachingRelationship", r, impl_->coaching_spec_, r.coaching_relationship(),
      r.update_mask(), {"second_coach", "cadence"}, r.request_id());
}

absl::StatusOr<pb::CoachingRelationship> Directory::DeactivateCoachingRelationship(
    const Principal& p, const pb::DeactivateCoachingRelationshipRequest& r) {
  return impl_->Deactivate<pb::CoachingRelationship, pb::CoachingRelationshipDeactivated>(
      p, "DeactivateCoachingRelationship", r, impl_->coaching_spec_, r.name(), r.etag(),
      r.request_id(), nullptr);
}

}  // namespace kpo::people
