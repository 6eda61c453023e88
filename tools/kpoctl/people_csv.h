#pragma once

// Reading a people CSV for `kpoctl people import`. Pure: no I/O beyond the text given.
//
// Header (any order, case-insensitive; unknown columns are an error):
//   person_id, display_name, email, employee_id, site, area, roles, manager
// site/area/manager may be ids ("lyon", "assembly", "p-42") or full resource names.
// roles: one or more of TEAM_MEMBER, TEAM_LEADER, ... separated by ';' or '|'.
// Fields follow RFC 4180 (double quotes, "" inside quotes, CRLF or LF).

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kpo/people/v1/people_service.pb.h"

namespace kpo::kpoctl {

struct CsvRow {
  int line = 0;  // 1-based line of the file where the row starts
  kpo::people::v1::CreatePersonRequest request;
};

struct CsvError {
  int line = 0;
  std::string field;
  std::string message;
};

struct ImportPlan {
  // In an order where every manager precedes the people who report to them.
  std::vector<CsvRow> rows;
  std::vector<CsvError> errors;
};

// Splits CSV text into records of fields.
absl::StatusOr<std::vector<std::vector<std::string>>> ParseCsv(const std::string& text);

// Builds the import for organization `org`: maps columns, expands ids to names, checks
// what can be checked locally (roles, duplicate ids, manager cycles) and orders rows.
ImportPlan PlanImport(const std::string& org, const std::string& text);

}  // namespace kpo::kpoctl
