#pragma once

// Human-readable tables and JSON for kpoctl.

#include <iostream>
#include <string>
#include <vector>

#include "google/protobuf/message.h"

namespace kpo::kpoctl {

// Columns padded to the widest cell; header in upper case.
class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void Print(std::ostream& out) const;
  // RFC 4180: a header line, then one line per row; a cell with a comma, a quote or a
  // line break is quoted (quotes doubled).
  void PrintCsv(std::ostream& out) const;
  bool empty() const { return rows_.empty(); }

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// One message as JSON with proto field names.
std::string ToJson(const google::protobuf::Message& m, bool pretty = true);
// One message as "field: value" lines (enums by name, timestamps in RFC 3339).
void PrintFields(const google::protobuf::Message& m, std::ostream& out);
// The figures of a report message as (path, readable value) pairs, depth first in field
// order: "daily_kaizen.ideas_submitted" -> "12". A ratio reads as a percentage for a
// field named *_rate and as a decimal otherwise, followed by its parts ("62.5% (5/8)");
// "n/a" when its denominator is 0. A duration reads in days ("3.5 d"); an unset one
// "n/a"; money reads in its currency ("EUR 1234.50", as FormatMoney writes it). Nested
// messages are walked with their field name as a prefix; the entries of a repeated one
// by their first field ("certifications[BRONZE].holders", "currencies[EUR].kpo_cost").
std::vector<std::pair<std::string, std::string>> FlattenFigures(const google::protobuf::Message& m,
                                                                const std::string& prefix = "");

// The last segment of a resource name ("organizations/a/people/p1" -> "p1").
std::string ShortName(const std::string& name);

}  // namespace kpo::kpoctl
