#include "domain/portfolio.h"

#include <cstdint>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "kpo/core/date.h"
#include "kpo/core/resource_name.h"

namespace kpo::people::domain {

namespace pb = kpo::people::v1;
using kpo::core::CheckText;
using kpo::core::FieldViolations;

std::vector<Credit> CreditsOf(const kpo::kaizen::v1::KaizenEventCompleted& e) {
  const auto& event = e.kaizen_event();
  const bool vsa = event.event_type() == kpo::kaizen::v1::VALUE_STREAM_ANALYSIS;
  std::vector<Credit> out;
  auto credit = [&](const std::string& person, pb::EvidenceKind kind) {
    Credit c;
    c.person = person;
    c.kind = kind;
    c.source = event.name();
    c.title = event.title();
    c.date = event.completion_date();
    c.site = event.site();
    c.area = event.area();
    out.push_back(std::move(c));
  };
  std::set<std::string> seen;
  for (const auto& person : e.participants()) {
    if (person.empty() || person == e.facilitator() || !seen.insert(person).second) continue;
    credit(person, pb::EVIDENCE_KIND_KAIZEN_PARTICIPATION);
    if (vsa) credit(person, pb::EVIDENCE_KIND_VALUE_STREAM_ANALYSIS);
  }
  if (!e.facilitator().empty()) {
    credit(e.facilitator(), pb::EVIDENCE_KIND_KAIZEN_FACILITATION);
    if (vsa) credit(e.facilitator(), pb::EVIDENCE_KIND_VALUE_STREAM_ANALYSIS);
  }
  return out;
}

std::vector<Credit> CreditsOf(const kpo::daily::v1::CoachingCycleRecorded& e) {
  const auto& cycle = e.coaching_cycle();
  std::vector<Credit> out;
  auto credit = [&](const std::string& coach, const std::string& mentee) {
    Credit c;
    c.person = coach;
    c.kind = pb::EVIDENCE_KIND_MENTORING;
    c.source = cycle.name();
    c.title = absl::StrCat("Coaching cycle with ", mentee);
    c.date = cycle.date();
    c.site = cycle.site();
    c.area = cycle.area();
    c.mentee = mentee;
    out.push_back(std::move(c));
  };
  if (!cycle.coach().empty()) credit(cycle.coach(), cycle.learner());
  if (!cycle.second_coach().empty() && cycle.second_coach() != cycle.coach()) {
    credit(cycle.second_coach(), cycle.coach());
  }
  return out;
}

std::vector<Credit> CreditsOf(const kpo::daily::v1::IdeaImplemented& e) {
  const auto& idea = e.idea();
  std::vector<Credit> out;
  std::set<std::string> seen;
  for (const auto& person : idea.submitters()) {
    if (!seen.insert(person).second) continue;
    Credit c;
    c.person = person;
    c.kind = pb::EVIDENCE_KIND_IDEA_IMPLEMENTED;
    c.source = idea.name();
    c.title = idea.title();
    c.site = idea.site();
    c.area = idea.area();
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<Credit> CreditsOf(const kpo::daily::v1::DeploymentTaskResolved& e) {
  const auto& task = e.deployment_task();
  if (task.state() != kpo::daily::v1::DEPLOYMENT_STATE_ADOPTED &&
      task.state() != kpo::daily::v1::DEPLOYMENT_STATE_ADAPTED) {
    return {};
  }
  std::vector<Credit> out;
  std::set<std::pair<std::string, int>> seen;
  auto credit = [&](const std::string& person, pb::EvidenceKind kind, const std::string& title) {
    if (person.empty() || !seen.insert({person, kind}).second) return;
    Credit c;
    c.person = person;
    c.kind = kind;
    c.source = task.name();
    c.title = title;
    c.site = task.site();
    c.area = task.area();
    out.push_back(std::move(c));
  };
  const std::string place = task.area().empty() ? task.site() : task.area();
  if (task.adopting_team().empty()) {
    credit(task.owner(), pb::EVIDENCE_KIND_PRACTICE_ADOPTED,
           absl::StrCat("Adopted the practice of ", task.idea()));
  }
  for (const auto& person : task.adopting_team()) {
    credit(person, pb::EVIDENCE_KIND_PRACTICE_ADOPTED,
           absl::StrCat("Adopted the practice of ", task.idea()));
  }
  for (const auto& person : task.origin_team()) {
    credit(person, pb::EVIDENCE_KIND_PRACTICE_SPREAD, absl::StrCat("Practice adopted at ", place));
  }
  return out;
}

std::string CreditedEvidenceId(pb::EvidenceKind kind, const std::string& source) {
  // FNV-1a, 64 bits: stable across builds and machines (unlike std::hash).
  uint64_t h = 14695981039346656037ull;
  for (unsigned char ch : source) {
    h ^= ch;
    h *= 1099511628211ull;
  }
  std::string slug =
      absl::AsciiStrToLower(absl::StripPrefix(pb::EvidenceKind_Name(kind), "EVIDENCE_KIND_"));
  for (char& ch : slug) {
    if (ch == '_') ch = '-';
  }
  return absl::StrFormat("%s-%016x", slug, h);
}

void ValidateEvidence(const pb::Evidence& e, const std::string& prefix, FieldViolations& v) {
  if (e.kind() == pb::EVIDENCE_KIND_UNSPECIFIED || !pb::EvidenceKind_IsValid(e.kind())) {
    v.Add(prefix + "kind", "must be one of the evidence kinds");
  }
  CheckText(e.title(), prefix + "title", 200, true, v);
  CheckText(e.description(), prefix + "description", kMaxEvidenceDescription, false, v);
  if (!e.has_date()) {
    v.Add(prefix + "date", "is required");
  } else if (!kpo::core::IsValidDate(e.date())) {
    v.Add(prefix + "date", "must be a real calendar date");
  }
  if (!kpo::core::ParseName(e.site(), {"organizations", "sites"})) {
    v.Add(prefix + "site", "must be a site name (organizations/{org}/sites/{site})");
  } else if (!e.area().empty() &&
             (!kpo::core::ParseName(e.area(), {"organizations", "sites", "areas"}) ||
              e.area().rfind(e.site() + "/", 0) != 0)) {
    v.Add(prefix + "area", absl::StrCat("must be an area of ", e.site()));
  }
  if (e.value_streams_size() > kMaxValueStreams) {
    v.Add(prefix + "value_streams", absl::StrCat("at most ", kMaxValueStreams));
  }
  std::set<std::string> seen;
  for (int i = 0; i < e.value_streams_size() && i < kMaxValueStreams; ++i) {
    const std::string field = absl::StrCat(prefix, "value_streams[", i, "]");
    if (!kpo::core::ParseName(e.value_streams(i), {"organizations", "sites", "areas"})) {
      v.Add(field, "must be an area name (organizations/{org}/sites/{site}/areas/{area})");
    } else if (!seen.insert(e.value_streams(i)).second) {
      v.Add(field, absl::StrCat(e.value_streams(i), " is named twice"));
    }
  }
  if (e.kind() == pb::EVIDENCE_KIND_TRANSFORMATION_PROJECT && e.value_streams().empty()) {
    v.Add(prefix + "value_streams", "a transformation project names the value streams it spanned");
  }
  if (e.kind() == pb::EVIDENCE_KIND_MENTORING) {
    if (!kpo::core::ParseName(e.mentee(), {"organizations", "people"})) {
      v.Add(prefix + "mentee",
            "mentoring names the person coached (organizations/{org}/people/{p})");
    }
  } else if (!e.mentee().empty()) {
    v.Add(prefix + "mentee", "only mentoring names a mentee");
  }
}

}  // namespace kpo::people::domain
