#include "store.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "kpo/storage/sql.h"

namespace kpo::daily::store {

using namespace kpo::storage::sql;  // NOLINT: the statement helpers

namespace pb = kpo::daily::v1;
using google::protobuf::util::TimeUtil;
using kpo::storage::Blob;
using kpo::storage::Value;

namespace {

int64_t SubmitUs(const pb::Idea& idea) {
  return TimeUtil::TimestampToMicroseconds(idea.create_time());
}

}  // namespace

absl::StatusOr<std::optional<IdeaRow>> LoadIdea(Transaction& tx, const std::string& org,
                                                const std::string& name) {
  return LoadOne(tx, "ideas", org, name, &IdeaRow::idea);
}

absl::Status InsertIdea(Transaction& tx, const std::string& org, const pb::Idea& idea,
                        absl::Time now) {
  const int64_t submit_us = SubmitUs(idea);
  absl::Status s =
      tx.Exec(
            "INSERT INTO ideas (org, name, site, area, state, category, reviewer, "
            "strategic_objective, circle, submit_us, revision, data, update_us) VALUES (?, ?, ?, "
            "?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
            {org, idea.name(), idea.site(), idea.area(), static_cast<int64_t>(idea.state()),
             static_cast<int64_t>(idea.category()), idea.reviewer(), idea.strategic_objective(),
             idea.circle(), submit_us, Blob{idea.SerializeAsString()}, absl::ToUnixMicros(now)})
          .status();
  for (const std::string& person : idea.submitters()) {
    if (!s.ok()) return s;
    s = tx.Exec("INSERT INTO idea_submitters (org, person, idea, submit_us) VALUES (?, ?, ?, ?)",
                {org, person, idea.name(), submit_us})
            .status();
  }
  return s;
}

absl::Status UpdateIdea(Transaction& tx, const std::string& org, const pb::Idea& idea,
                        int64_t revision, absl::Time now) {
  return tx
      .Exec(
          "UPDATE ideas SET area = ?, state = ?, category = ?, reviewer = ?, "
          "strategic_objective = ?, circle = ?, revision = ?, data = ?, update_us = ? WHERE org "
          "= ? AND name = ?",
          {idea.area(), static_cast<int64_t>(idea.state()), static_cast<int64_t>(idea.category()),
           idea.reviewer(), idea.strategic_objective(), idea.circle(), revision,
           Blob{idea.SerializeAsString()}, absl::ToUnixMicros(now), org, idea.name()})
      .status();
}

absl::StatusOr<std::vector<PageRow>> ListIdeas(Transaction& tx, const std::string& org,
                                               const IdeaFilter& f,
                                               const kpo::storage::KeysetPage& keyset) {
  kpo::storage::KeysetPage page = keyset;
  std::string sql;
  std::vector<Value> params = {org};
  if (f.submitter.empty()) {
    sql = "SELECT i.submit_us, i.name, i.data FROM ideas i WHERE i.org = ?";
    page.sort_column = "i.submit_us";
    page.name_column = "i.name";
  } else {
    // A person's ideas: walk their submitter rows in submission order.
    sql =
        "SELECT s.submit_us, s.idea, i.data FROM idea_submitters s JOIN ideas i ON i.org = s.org "
        "AND i.name = s.idea WHERE s.org = ? AND s.person = ?";
    params.emplace_back(f.submitter);
    page.sort_column = "s.submit_us";
    page.name_column = "s.idea";
  }
  Equal("i.site", f.site, sql, params);
  Equal("i.area", f.area, sql, params);
  Equal("i.state", static_cast<int64_t>(f.state), sql, params);
  Equal("i.category", static_cast<int64_t>(f.category), sql, params);
  Equal("i.reviewer", f.reviewer, sql, params);
  Equal("i.strategic_objective", f.strategic_objective, sql, params);
  Equal("i.circle", f.circle, sql, params);
  if (f.submitted_before_us != 0) {
    absl::StrAppend(&sql, f.submitter.empty() ? " AND i.submit_us < ?" : " AND s.submit_us < ?");
    params.emplace_back(f.submitted_before_us);
  }
  kpo::storage::AppendKeyset(page, sql, params);
  auto rows = tx.Query(sql, params);
  if (!rows.ok()) return rows.status();
  std::vector<PageRow> out;
  for (const auto& r : *rows) out.push_back({r.Int(0), r.Text(1), r.Text(2)});
  return out;
}

absl::StatusOr<std::optional<CircleRow>> LoadCircle(Transaction& tx, const std::string& org,
                                                    const std::string& name) {
  return LoadOne(tx, "circles", org, name, &CircleRow::circle);
}

absl::Status SaveCircle(Transaction& tx, const std::string& org, const pb::Circle& c,
                        int64_t revision) {
  absl::Status s =
      tx.Exec(
            "INSERT INTO circles (org, name, site, area, active, revision, data) VALUES (?, ?, "
            "?, ?, ?, ?, ?) ON CONFLICT (org, name) DO UPDATE SET active = excluded.active, "
            "revision = excluded.revision, data = excluded.data",
            {org, c.name(), c.site(), c.area(), int64_t{c.active()}, revision,
             Blob{c.SerializeAsString()}})
          .status();
  if (!s.ok()) return s;
  if (revision > 1) {
    s = tx.Exec("DELETE FROM circle_members WHERE org = ? AND circle = ?", {org, c.name()})
            .status();
  }
  for (const std::string& person : c.members()) {
    if (!s.ok()) return s;
    s = tx.Exec("INSERT INTO circle_members (org, person, circle) VALUES (?, ?, ?)",
                {org, person, c.name()})
            .status();
  }
  return s;
}

absl::StatusOr<std::vector<PageRow>> ListCircles(Transaction& tx, const std::string& org,
                                                 const CircleFilter& f,
                                                 const kpo::storage::KeysetPage& keyset) {
  kpo::storage::KeysetPage page = keyset;
  page.sort_column.clear();  // by name alone
  std::string sql;
  std::vector<Value> params = {org};
  if (f.member.empty()) {
    sql = "SELECT c.name, c.data FROM circles c WHERE c.org = ?";
    page.name_column = "c.name";
    Equal("c.site", f.site, sql, params);
    Equal("c.area", f.area, sql, params);
  } else {
    sql =
        "SELECT m.circle, c.data FROM circle_members m JOIN circles c ON c.org = m.org AND "
        "c.name = m.circle WHERE m.org = ? AND m.person = ?";
    params.emplace_back(f.member);
    page.name_column = "m.circle";
  }
  kpo::storage::AppendKeyset(page, sql, params);
  auto rows = tx.Query(sql, params);
  if (!rows.ok()) return rows.status();
  std::vector<PageRow> out;
  for (const auto& r : *rows) out.push_back({0, r.Text(0), r.Text(1)});
  return out;
}

absl::StatusOr<std::optional<std::pair<int64_t, pb::DailySettings>>> LoadSettings(
    Transaction& tx, const std::string& org) {
  auto rows = tx.Query("SELECT revision, data FROM daily_settings WHERE org = ?", {org});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<std::pair<int64_t, pb::DailySettings>>();
  pb::DailySettings s;
  if (!s.ParseFromString(rows->front().Text(1))) {
    return absl::InternalError("corrupt daily settings of " + org);
  }
  return std::optional<std::pair<int64_t, pb::DailySettings>>(
      std::make_pair(rows->front().Int(0), std::move(s)));
}

absl::Status SaveSettings(Transaction& tx, const std::string& org, const pb::DailySettings& s,
                          int64_t revision) {
  return tx
      .Exec(
          "INSERT INTO daily_settings (org, revision, data) VALUES (?, ?, ?) ON CONFLICT (org) "
          "DO UPDATE SET revision = excluded.revision, data = excluded.data",
          {org, revision, Blob{s.SerializeAsString()}})
      .status();
}

}  // namespace kpo::daily::store
