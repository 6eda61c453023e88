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
  bool empty() const { return rows_.empty(); }

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// One message as JSON with proto field names.
std::string ToJson(const google::protobuf::Message& m, bool pretty = true);
// One message as "field: value" lines (enums by name, timestamps in RFC 3339).
void PrintFields(const google::protobuf::Message& m, std::ostream& out);
// The last segment of a resource name ("organizations/a/people/p1" -> "p1").
std::string ShortName(const std::string& name);

}  // namespace kpo::kpoctl
