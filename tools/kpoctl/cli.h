#pragma once

// Plumbing shared by kpoctl's command groups: global options, the caller's
// organization from the token, channels with auth and trace headers, error printing,
// and rendering (table by default, --output json).

#include <grpcpp/grpcpp.h>

#include <cstdlib>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/message.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "kpo/common/v1/date.pb.h"
#include "output.h"

namespace kpo::kpoctl {

struct Globals {
  std::string people = "127.0.0.1:7101";
  std::string kaizen = "127.0.0.1:7102";
  std::string daily = "127.0.0.1:7103";
  std::string reporting = "127.0.0.1:7104";
  std::string token;
  std::string output = "table";
  double timeout_seconds = 30;
};

extern Globals g;

std::string EnvOr(const char* name, const std::string& fallback);
// The organization id the token names (read without verifying; the server verifies).
// Exits with code 2 and a message when there is no usable token.
std::string Org();
std::string OrgName();
// "lyon" -> organizations/<org>/<collection>/lyon; full names pass through.
std::string Name(const std::string& collection, const std::string& id);
std::string AreaName(const std::string& site, const std::string& id);
// A date option: YYYY-MM-DD (Usage() when malformed), or today on this machine's
// calendar when empty.
kpo::common::v1::Date DateOrToday(const std::string& text);
std::shared_ptr<grpc::Channel> Channel(const std::string& address);
// people, kaizen, daily, reporting -> address (exits 2 on an unknown name).
std::string Address(const std::string& service);
// Bearer token, a new traceparent, the deadline.
void Prepare(grpc::ClientContext& ctx);
// Prints code, message, reason and every field violation; returns 1.
int Fail(const grpc::Status& s);
// Prints one message (fields or JSON).
void Render(const google::protobuf::Message& m);
void Progress(const std::string& label, size_t done, size_t total);

// Prints a table, as CSV with --output csv.
inline void Show(const Table& t) {
  if (g.output == "csv") {
    t.PrintCsv(std::cout);
  } else {
    t.Print(std::cout);
  }
}

// Prints items as a table (or a JSON object {json_field: [...]}, or CSV).
template <class T>
void RenderList(const std::vector<T>& items, const std::string& json_field,
                const std::vector<std::string>& headers,
                const std::function<std::vector<std::string>(const T&)>& row) {
  if (g.output == "json") {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& i : items) arr.push_back(nlohmann::json::parse(ToJson(i, false)));
    std::cout << nlohmann::json{{json_field, arr}}.dump(2) << "\n";
    return;
  }
  Table t(headers);
  for (const auto& i : items) t.Add(row(i));
  Show(t);
  if (g.output != "csv") std::cout << items.size() << " item(s)\n";
}

// Calls a List method page by page and renders everything.
template <class Req, class Resp, class T>
int ListAll(Req req, std::function<grpc::Status(grpc::ClientContext*, const Req&, Resp*)> call,
            std::function<const google::protobuf::RepeatedPtrField<T>&(const Resp&)> items,
            const std::string& json_field, const std::vector<std::string>& headers,
            const std::function<std::vector<std::string>(const T&)>& row) {
  std::vector<T> all;
  do {
    grpc::ClientContext ctx;
    Prepare(ctx);
    Resp resp;
    grpc::Status s = call(&ctx, req, &resp);
    if (!s.ok()) return Fail(s);
    for (const auto& i : items(resp)) all.push_back(i);
    req.set_page_token(resp.next_page_token());
  } while (!req.page_token().empty());
  RenderList<T>(all, json_field, headers, row);
  return 0;
}

// Prints "error: <message>" and exits with 2 (bad usage).
[[noreturn]] inline void Usage(const std::string& message) {
  std::cerr << "error: " << message << "\n";
  std::exit(2);
}

// The value, or Usage() with the status's message.
template <class T>
T Must(absl::StatusOr<T> v) {
  if (!v.ok()) Usage(std::string(v.status().message()));
  return *std::move(v);
}

// An enum value from its lower-case name without `prefix` ("in_progress" ->
// IDEA_STATE_IN_PROGRESS with prefix "IDEA_STATE_"); Usage() for an unknown or zero
// value, listing `choices`.
template <class Enum>
Enum ParseEnum(const std::string& text, bool (*parse)(const std::string&, Enum*),
               const std::string& what, const std::string& choices,
               const std::string& prefix = "") {
  Enum value{};
  if (!parse(prefix + absl::AsciiStrToUpper(text), &value) || static_cast<int>(value) == 0) {
    Usage(absl::StrCat("unknown ", what, " '", text, "' (", choices, ")"));
  }
  return value;
}

// One call rendered.
template <class Resp>
int Unary(std::function<grpc::Status(grpc::ClientContext*, Resp*)> call) {
  grpc::ClientContext ctx;
  Prepare(ctx);
  Resp resp;
  grpc::Status s = call(&ctx, &resp);
  if (!s.ok()) return Fail(s);
  Render(resp);
  return 0;
}

}  // namespace kpo::kpoctl
