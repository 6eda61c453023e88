#include "output.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "kpo/common/v1/money.pb.h"
#include "kpo/core/enums.h"
#include "values.h"

namespace kpo::kpoctl {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

void Table::Print(std::ostream& out) const {
  std::vector<size_t> width(headers_.size());
  for (size_t i = 0; i < headers_.size(); ++i) width[i] = headers_[i].size();
  for (const auto& r : rows_) {
    for (size_t i = 0; i < r.size() && i < width.size(); ++i)
      width[i] = std::max(width[i], r[i].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s;
    for (size_t i = 0; i < width.size(); ++i) {
      const std::string& c = i < cells.size() ? cells[i] : "";
      s += c;
      if (i + 1 < width.size()) s.append(width[i] - c.size() + 2, ' ');
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    out << s << "\n";
  };
  line(headers_);
  for (const auto& r : rows_) line(r);
}

void Table::PrintCsv(std::ostream& out) const {
  auto cell = [](const std::string& c) {
    if (c.find_first_of(",\"\r\n") == std::string::npos) return c;
    std::string quoted = "\"";
    for (char ch : c) {
      if (ch == '"') quoted += '"';
      quoted += ch;
    }
    return quoted + "\"";
  };
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < headers_.size(); ++i) {
      if (i > 0) out << ',';
      out << cell(i < cells.size() ? cells[i] : "");
    }
    out << "\r\n";
  };
  line(headers_);
  for (const auto& r : rows_) line(r);
}

std::string ToJson(const Message& m, bool pretty) {
  google::protobuf::util::JsonPrintOptions o;
  o.add_whitespace = pretty;
  o.preserve_proto_field_names = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(m, &out, o);
  if (!pretty) return out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string ShortName(const std::string& name) {
  const size_t slash = name.rfind('/');
  return slash == std::string::npos ? name : name.substr(slash + 1);
}

namespace {

std::string Scalar(const Message& m, const FieldDescriptor* f, int index) {
  const auto* r = m.GetReflection();
  const bool rep = f->is_repeated();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return rep ? r->GetRepeatedString(m, f, index) : r->GetString(m, f);
    case FieldDescriptor::CPPTYPE_INT32:
      return std::to_string(rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f));
    case FieldDescriptor::CPPTYPE_INT64:
      return std::to_string(rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f));
    case FieldDescriptor::CPPTYPE_BOOL:
      return (rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f)) ? "true" : "false";
    case FieldDescriptor::CPPTYPE_ENUM:
      return (rep ? r->GetRepeatedEnum(m, f, index) : r->GetEnum(m, f))->name();
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const Message& sub = rep ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f);
      if (sub.GetDescriptor()->full_name() == "google.protobuf.Timestamp") {
        return google::protobuf::util::TimeUtil::ToString(
            static_cast<const google::protobuf::Timestamp&>(sub));
      }
      return ToJson(sub, false);
    }
    default:
      return "";
  }
}

}  // namespace

void PrintFields(const Message& m, std::ostream& out) {
  const auto* d = m.GetDescriptor();
  const auto* r = m.GetReflection();
  size_t width = 0;
  for (int i = 0; i < d->field_count(); ++i) width = std::max(width, d->field(i)->name().size());
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    std::string value;
    if (f->is_repeated()) {
      std::vector<std::string> items;
      for (int j = 0; j < r->FieldSize(m, f); ++j) items.push_back(Scalar(m, f, j));
      // Messages one per line, aligned under the first; scalars on one line.
      std::string separator = ", ";
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        separator.assign(1, '\n');
        separator.append(width + 2, ' ');
      }
      value = absl::StrJoin(items, separator);
    } else if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || r->HasField(m, f)) {
      value = Scalar(m, f, 0);
    }
    out << f->name() << ":" << std::string(width - f->name().size() + 1, ' ') << value << "\n";
  }
}

namespace {

void Flatten(const Message& m, const std::string& prefix, int first_field,
             std::vector<std::pair<std::string, std::string>>& out) {
  const auto* d = m.GetDescriptor();
  const auto* r = m.GetReflection();
  for (int i = first_field; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    const std::string path = prefix.empty() ? f->name() : prefix + "." + f->name();
    if (f->is_repeated()) {
      if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
      for (int j = 0; j < r->FieldSize(m, f); ++j) {
        const Message& entry = r->GetRepeatedMessage(m, f, j);
        Flatten(entry, absl::StrCat(path, "[", kpo::core::EntryKey(entry), "]"), 1, out);
      }
      continue;
    }
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
      out.emplace_back(path, Scalar(m, f, 0));
      continue;
    }
    const Message& sub = r->GetMessage(m, f);
    const std::string type = f->message_type()->full_name();
    if (type == "kpo.reporting.v1.Ratio") {
      const auto* sd = sub.GetDescriptor();
      const auto* sr = sub.GetReflection();
      const int64_t num = sr->GetInt64(sub, sd->FindFieldByName("numerator"));
      const int64_t den = sr->GetInt64(sub, sd->FindFieldByName("denominator"));
      const auto* value = sd->FindFieldByName("value");
      std::string text = "n/a";
      if (sr->HasField(sub, value)) {
        const double v = sr->GetDouble(sub, value);
        const bool rate = path.size() > 5 && path.compare(path.size() - 5, 5, "_rate") == 0;
        text = rate ? absl::StrFormat("%.1f%%", v * 100) : absl::StrFormat("%.2f", v);
      }
      out.emplace_back(path, absl::StrCat(text, " (", num, "/", den, ")"));
    } else if (type == "google.protobuf.Duration") {
      if (!r->HasField(m, f)) {
        out.emplace_back(path, "n/a");
      } else {
        const int64_t seconds =
            sub.GetReflection()->GetInt64(sub, sub.GetDescriptor()->FindFieldByName("seconds"));
        out.emplace_back(path, absl::StrFormat("%.1f d", static_cast<double>(seconds) / 86400));
      }
    } else if (type == "kpo.common.v1.Money") {
      out.emplace_back(path, FormatMoney(static_cast<const kpo::common::v1::Money&>(sub)));
    } else {
      Flatten(sub, path, 0, out);
    }
  }
}

}  // namespace

std::vector<std::pair<std::string, std::string>> FlattenFigures(const Message& m,
                                                                const std::string& prefix) {
  std::vector<std::pair<std::string, std::string>> out;
  Flatten(m, prefix, 0, out);
  return out;
}

}  // namespace kpo::kpoctl
