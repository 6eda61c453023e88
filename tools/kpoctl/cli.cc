#include "cli.h"

#include <unistd.h>

#include <cstdlib>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "kpo/core/errors.h"
#include "kpo/core/trace.h"
#include "kpo/rpc/status.h"
#include "values.h"

namespace kpo::kpoctl {

Globals g;

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

// The organization id the token names (read without verifying; the server verifies).
namespace {
std::string TokenOrganization() {
  std::vector<std::string> parts = absl::StrSplit(g.token, '.');
  if (parts.size() != 3) return "";
  std::string payload;
  if (!absl::WebSafeBase64Unescape(parts[1], &payload)) return "";
  auto claims = nlohmann::json::parse(payload, nullptr, false);
  if (!claims.is_object() || !claims.contains("org") || !claims["org"].is_string()) return "";
  return claims["org"];
}
}  // namespace

std::string Org() {
  if (g.token.empty()) {
    std::cerr << "error: no token; set KPO_TOKEN or pass --token (kpoctl token mint ...)\n";
    std::exit(2);
  }
  std::string org = TokenOrganization();
  if (org.empty()) {
    std::cerr << "error: the token names no organization\n";
    std::exit(2);
  }
  return org;
}

std::string OrgName() { return "organizations/" + Org(); }

// "lyon" -> organizations/<org>/sites/lyon; full names pass through.
std::string Name(const std::string& collection, const std::string& id) {
  if (absl::StartsWith(id, "organizations/")) return id;
  return absl::StrCat(OrgName(), "/", collection, "/", id);
}

std::string AreaName(const std::string& site, const std::string& id) {
  if (absl::StartsWith(id, "organizations/")) return id;
  return absl::StrCat(Name("sites", site), "/areas/", id);
}

kpo::common::v1::Date DateOrToday(const std::string& text) {
  if (!text.empty()) return Must(ParseDate(text));
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::LocalTimeZone());
  kpo::common::v1::Date d;
  d.set_year(static_cast<int32_t>(today.year()));
  d.set_month(today.month());
  d.set_day(today.day());
  return d;
}

std::shared_ptr<grpc::Channel> Channel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
  args.SetMaxSendMessageSize(64 * 1024 * 1024);
  args.SetInt(GRPC_ARG_MAX_METADATA_SIZE, 1024 * 1024);  // rich error details
  // Retries come from the service config: UNAVAILABLE only. Every mutation kpoctl
  // sends carries a request_id, so a retried one cannot apply twice.
  args.SetServiceConfigJSON(R"({"methodConfig": [{"name": [{}], "retryPolicy": {
      "maxAttempts": 4, "initialBackoff": "0.2s", "maxBackoff": "2s",
      "backoffMultiplier": 2, "retryableStatusCodes": ["UNAVAILABLE"]}}]})");
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

std::string Address(const std::string& service) {
  if (service == "people") return g.people;
  if (service == "kaizen") return g.kaizen;
  if (service == "daily") return g.daily;
  if (service == "reporting") return g.reporting;
  std::cerr << "error: unknown service '" << service << "' (people, kaizen, daily, reporting)\n";
  std::exit(2);
}

void Prepare(grpc::ClientContext& ctx) {
  if (!g.token.empty()) ctx.AddMetadata("authorization", "Bearer " + g.token);
  ctx.AddMetadata("traceparent", kpo::core::TraceContext::NewRoot().ToTraceparent());
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(static_cast<int64_t>(g.timeout_seconds * 1000)));
}

int Fail(const grpc::Status& s) {
  absl::Status rich = kpo::rpc::FromGrpcStatus(s);
  std::cerr << "error: " << absl::StatusCodeToString(rich.code()) << ": " << s.error_message()
            << "\n";
  if (auto reason = kpo::core::ErrorReason(rich)) std::cerr << "  reason: " << *reason << "\n";
  for (const auto& v : kpo::core::FieldViolationsOf(rich)) {
    std::cerr << "  " << v.field << ": " << v.description << "\n";
  }
  return 1;
}

void Render(const google::protobuf::Message& m) {
  if (g.output == "json") {
    std::cout << ToJson(m) << "\n";
  } else {
    PrintFields(m, std::cout);
  }
}

void Progress(const std::string& label, size_t done, size_t total) {
  if (!isatty(STDERR_FILENO) && done != total) return;
  const int width = 30;
  const int filled = total == 0 ? width : static_cast<int>(width * done / total);
  std::cerr << "\r" << label << " [" << std::string(filled, '#') << std::string(width - filled, '.')
            << "] " << done << "/" << total << (done == total ? "\n" : "") << std::flush;
}

}  // namespace kpo::kpoctl
