#include "domain/figure_path.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "kpo/core/enums.h"
#include "kpo/core/money.h"

namespace kpo::reporting::domain {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

struct Step {
  std::string field;
  std::optional<std::string> key;  // [key] of a repeated entry
};

// "a.b[k].c" -> {a}, {b, k}, {c}; nullopt when malformed.
std::optional<std::vector<Step>> Parse(absl::string_view path) {
  std::vector<Step> steps;
  for (absl::string_view part : absl::StrSplit(path, '.')) {
    Step step;
    const size_t open = part.find('[');
    if (open == absl::string_view::npos) {
      step.field = std::string(part);
    } else {
      if (part.back() != ']') return std::nullopt;
      step.field = std::string(part.substr(0, open));
      step.key = std::string(part.substr(open + 1, part.size() - open - 2));
      if (step.key->empty()) return std::nullopt;
    }
    if (step.field.empty()) return std::nullopt;
    steps.push_back(std::move(step));
  }
  if (steps.empty()) return std::nullopt;
  return steps;
}

bool IsLeafMessage(const Descriptor* d) {
  const std::string& name = d->full_name();
  return name == "kpo.reporting.v1.Ratio" || name == "kpo.common.v1.Money" ||
         name == "google.protobuf.Duration";
}

bool IsNumber(const FieldDescriptor* f) {
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return true;
    default:
      return false;
  }
}

// The Scorecard's fields that are not figures.
bool IsSection(const FieldDescriptor* f) {
  return f->name() != "name" && f->name() != "period" && f->name() != "freshness";
}

}  // namespace

absl::Status CheckFigurePath(absl::string_view path) {
  auto steps = Parse(path);
  if (!steps) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", path, "' is not a figure path (section.figure, entries by [key])"));
  }
  const Descriptor* d = kpo::reporting::v1::Scorecard::descriptor();
  for (size_t i = 0; i < steps->size(); ++i) {
    const Step& step = (*steps)[i];
    const FieldDescriptor* f = d->FindFieldByName(step.field);
    if (f == nullptr || (i == 0 && !IsSection(f))) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", path, "': ", d->name(), " has no figure '", step.field, "'"));
    }
    const bool last = i + 1 == steps->size();
    if (f->is_repeated() != step.key.has_value() ||
        (f->is_repeated() && f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "'", path, "': '", step.field,
          f->is_repeated() ? "' has one entry per key: name it, e.g. " + step.field + "[KEY]"
                           : "' takes no [key]"));
    }
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (IsLeafMessage(f->message_type())) {
        if (!last) {
          return absl::InvalidArgumentError(
              absl::StrCat("'", path, "': '", step.field, "' is a figure, it has no parts"));
        }
        return absl::OkStatus();
      }
      if (last) {
        return absl::InvalidArgumentError(absl::StrCat(
            "'", path, "' is a group of figures; name one of them (", step.field, ".…)"));
      }
      d = f->message_type();
      continue;
    }
    if (!last || !IsNumber(f)) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", path, "': '", step.field, "' is not a figure"));
    }
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat("'", path, "' is not a figure path"));
}

std::optional<double> FigureValue(const kpo::reporting::v1::Scorecard& card,
                                  absl::string_view path) {
  auto steps = Parse(path);
  if (!steps) return std::nullopt;
  const Message* m = &card;
  for (size_t i = 0; i < steps->size(); ++i) {
    const Step& step = (*steps)[i];
    const auto* r = m->GetReflection();
    const FieldDescriptor* f = m->GetDescriptor()->FindFieldByName(step.field);
    if (f == nullptr) return std::nullopt;
    if (f->is_repeated()) {
      const Message* found = nullptr;
      for (int j = 0; j < r->FieldSize(*m, f) && found == nullptr; ++j) {
        const Message& entry = r->GetRepeatedMessage(*m, f, j);
        if (kpo::core::EntryKey(entry) == *step.key) found = &entry;
      }
      if (found == nullptr) return std::nullopt;
      m = found;
      continue;
    }
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      const Message& sub = r->GetMessage(*m, f);
      const std::string& type = f->message_type()->full_name();
      if (type == "kpo.reporting.v1.Ratio") {
        const auto& ratio = static_cast<const kpo::reporting::v1::Ratio&>(sub);
        if (!ratio.has_value()) return std::nullopt;
        return ratio.value();
      }
      if (type == "kpo.common.v1.Money") {
        return static_cast<double>(sub.GetReflection()->GetInt64(
            sub, sub.GetDescriptor()->FindFieldByName("minor_units")));
      }
      if (type == "google.protobuf.Duration") {
        if (!r->HasField(*m, f)) return std::nullopt;
        return static_cast<double>(
            sub.GetReflection()->GetInt64(sub, sub.GetDescriptor()->FindFieldByName("seconds")));
      }
      m = &sub;
      continue;
    }
    if (f->has_presence() && !r->HasField(*m, f)) return std::nullopt;
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        return r->GetInt32(*m, f);
      case FieldDescriptor::CPPTYPE_INT64:
        return static_cast<double>(r->GetInt64(*m, f));
      case FieldDescriptor::CPPTYPE_DOUBLE:
        return r->GetDouble(*m, f);
      default:
        return std::nullopt;
    }
  }
  return std::nullopt;
}

namespace {

std::string Number(double v) { return absl::StrFormat("%.10g", v); }

void Cells(const Message& m, const std::string& prefix, int first_field,
           std::vector<FigureCell>& out) {
  const Descriptor* d = m.GetDescriptor();
  const auto* r = m.GetReflection();
  for (int i = first_field; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (prefix.empty() && !IsSection(f)) continue;
    const std::string path = prefix.empty() ? f->name() : absl::StrCat(prefix, ".", f->name());
    if (f->is_repeated()) {
      if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
      for (int j = 0; j < r->FieldSize(m, f); ++j) {
        const Message& entry = r->GetRepeatedMessage(m, f, j);
        // The first field is the entry's key, in the path.
        Cells(entry, absl::StrCat(path, "[", kpo::core::EntryKey(entry), "]"), 1, out);
      }
      continue;
    }
    FigureCell cell;
    cell.path = path;
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      const Message& sub = r->GetMessage(m, f);
      const std::string& type = f->message_type()->full_name();
      if (type == "kpo.reporting.v1.Ratio") {
        const auto& ratio = static_cast<const kpo::reporting::v1::Ratio&>(sub);
        if (ratio.has_value()) cell.value = Number(ratio.value());
        cell.numerator = absl::StrCat(ratio.numerator());
        cell.denominator = absl::StrCat(ratio.denominator());
      } else if (type == "kpo.common.v1.Money") {
        const auto& money = static_cast<const kpo::common::v1::Money&>(sub);
        cell.value = kpo::core::DecimalAmount(money);
        cell.currency = money.currency_code();
      } else if (type == "google.protobuf.Duration") {
        if (r->HasField(m, f)) {
          cell.value = absl::StrCat(
              sub.GetReflection()->GetInt64(sub, sub.GetDescriptor()->FindFieldByName("seconds")));
        }
      } else {
        Cells(sub, path, 0, out);
        continue;
      }
      out.push_back(std::move(cell));
      continue;
    }
    if (!IsNumber(f)) continue;  // a title, a code: not figures
    if (!f->has_presence() || r->HasField(m, f)) {
      switch (f->cpp_type()) {
        case FieldDescriptor::CPPTYPE_INT32:
          cell.value = absl::StrCat(r->GetInt32(m, f));
          break;
        case FieldDescriptor::CPPTYPE_INT64:
          cell.value = absl::StrCat(r->GetInt64(m, f));
          break;
        default:
          cell.value = Number(r->GetDouble(m, f));
          break;
      }
    }
    out.push_back(std::move(cell));
  }
}

}  // namespace

std::vector<FigureCell> FigureCells(const kpo::reporting::v1::Scorecard& card) {
  std::vector<FigureCell> out;
  Cells(card, "", 0, out);
  return out;
}

}  // namespace kpo::reporting::domain
