#include "people_csv.h"

#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace kpo::kpoctl {

namespace pb = kpo::people::v1;

absl::StatusOr<std::vector<std::vector<std::string>>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false, field_started = false;
  int line = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      continue;
    }
    if (c == '"' && !field_started) {
      quoted = true;
      field_started = true;
    } else if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
      field_started = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      record.push_back(std::move(field));
      field.clear();
      field_started = false;
      if (!(record.size() == 1 && record[0].empty())) records.push_back(std::move(record));
      record.clear();
      ++line;
    } else if (c == '"') {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line, ": a quote inside an unquoted field"));
    } else {
      field.push_back(c);
      field_started = true;
    }
  }
  if (quoted) return absl::InvalidArgumentError("the file ends inside a quoted field");
  if (field_started || !record.empty()) {
    record.push_back(std::move(field));
    records.push_back(std::move(record));
  }
  return records;
}

namespace {

std::string Expand(const std::string& org, const std::string& collection,
                   const std::string& value) {
  if (value.empty() || absl::StartsWith(value, "organizations/")) return value;
  return absl::StrCat("organizations/", org, "/", collection, "/", value);
}

}  // namespace

ImportPlan PlanImport(const std::string& org, const std::string& text) {
  ImportPlan plan;
  auto records = ParseCsv(text);
  if (!records.ok()) {
    plan.errors.push_back({0, "", std::string(records.status().message())});
    return plan;
  }
  if (records->empty()) {
    plan.errors.push_back({1, "", "the file is empty; it needs a header line"});
    return plan;
  }
  static const std::set<std::string> kColumns = {
      "person_id", "display_name", "email", "employee_id", "site", "area", "roles", "manager"};
  std::map<std::string, size_t> col;
  const auto& header = records->front();
  for (size_t i = 0; i < header.size(); ++i) {
    std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(header[i]));
    if (!kColumns.contains(name)) {
      plan.errors.push_back({1, name,
                             "unknown column; expected some of person_id, "
                             "display_name, email, employee_id, site, area, roles, "
                             "manager"});
    } else if (!col.emplace(name, i).second) {
      plan.errors.push_back({1, name, "column appears twice"});
    }
  }
  for (const char* required : {"display_name", "site", "roles"}) {
    if (!col.contains(required)) plan.errors.push_back({1, required, "required column is missing"});
  }
  if (!plan.errors.empty()) return plan;

  std::vector<CsvRow> rows;
  std::map<std::string, size_t> by_name;  // person name -> index in rows
  for (size_t r = 1; r < records->size(); ++r) {
    const auto& rec = (*records)[r];
    const int line = static_cast<int>(r) + 1;
    auto get = [&](const char* c) -> std::string {
      auto it = col.find(c);
      if (it == col.end() || it->second >= rec.size()) return "";
      return std::string(absl::StripAsciiWhitespace(rec[it->second]));
    };
    if (rec.size() != header.size()) {
      plan.errors.push_back(
          {line, "", absl::StrCat("has ", rec.size(), " fields, the header ", header.size())});
      continue;
    }
    CsvRow row;
    row.line = line;
    auto& req = row.request;
    req.set_parent("organizations/" + org);
    req.set_person_id(get("person_id"));
    auto* p = req.mutable_person();
    p->set_display_name(get("display_name"));
    p->set_email(get("email"));
    p->set_employee_id(get("employee_id"));
    p->set_home_site(Expand(org, "sites", get("site")));
    const std::string area = get("area");
    if (!area.empty()) {
      p->set_area(absl::StartsWith(area, "organizations/")
                      ? area
                      : absl::StrCat(p->home_site(), "/areas/", area));
    }
    p->set_manager(Expand(org, "people", get("manager")));
    for (absl::string_view role :
         absl::StrSplit(get("roles"), absl::ByAnyChar(";|"), absl::SkipWhitespace())) {
      pb::Role value;
      std::string upper = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(role));
      if (!pb::Role_Parse(upper, &value) || value == pb::ROLE_UNSPECIFIED) {
        plan.errors.push_back({line, "roles", absl::StrCat("'", role, "' is not a role")});
      } else {
        p->add_roles(value);
      }
    }
    if (!req.person_id().empty()) {
      const std::string name = absl::StrCat("organizations/", org, "/people/", req.person_id());
      if (by_name.contains(name)) {
        plan.errors.push_back(
            {line, "person_id", absl::StrCat("'", req.person_id(), "' appears twice in the file")});
        continue;
      }
      by_name[name] = rows.size();
    }
    rows.push_back(std::move(row));
  }
  // Order: managers defined in the file come before their reports (depth-first).
  std::vector<int> state(rows.size(), 0);  // 0 new, 1 visiting, 2 done
  std::vector<size_t> order;
  for (size_t start = 0; start < rows.size(); ++start) {
    std::vector<size_t> chain;
    size_t i = start;
    while (state[i] == 0) {
      state[i] = 1;
      chain.push_back(i);
      auto it = by_name.find(rows[i].request.person().manager());
      if (it == by_name.end()) break;
      if (state[it->second] == 1) {
        plan.errors.push_back({rows[i].line, "manager", "managers form a cycle"});
        break;
      }
      i = it->second;
    }
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      if (state[*it] == 1) {
        state[*it] = 2;
        order.push_back(*it);
      }
    }
  }
  for (size_t i : order) plan.rows.push_back(std::move(rows[i]));
  return plan;
}

}  // namespace kpo::kpoctl
