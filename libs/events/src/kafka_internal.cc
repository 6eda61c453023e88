#include "src/kafka_internal.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "kpo/core/log.h"
#include "kpo/events/outbox.h"

namespace kpo::events::internal {
namespace {

// librdkafka's own log lines, as structured JSON like every other line (syslog levels:
// 0-3 error, 4 warning, 5-6 info, 7 debug).
void LogToJson(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  const kpo::log::Level l = level <= 3   ? kpo::log::Level::kError
                            : level == 4 ? kpo::log::Level::kWarn
                            : level <= 6 ? kpo::log::Level::kInfo
                                         : kpo::log::Level::kDebug;
  kpo::log::Write(l, message,
                  {{"component", "librdkafka"},
                   {"client", rk != nullptr ? rd_kafka_name(rk) : ""},
                   {"facility", facility}});
}

}  // namespace

absl::StatusOr<rd_kafka_conf_t*> MakeConf(const std::string& bootstrap_servers,
                                          const std::map<std::string, std::string>& properties) {
  if (bootstrap_servers.empty()) {
    return absl::InvalidArgumentError("kafka: bootstrap servers are not set");
  }
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set_log_cb(conf, LogToJson);
  char err[512];
  auto set = [&](const std::string& k, const std::string& v) -> absl::Status {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
      return absl::InvalidArgumentError(absl::StrCat("kafka property ", k, ": ", err));
    }
    return absl::OkStatus();
  };
  absl::Status s = set("bootstrap.servers", bootstrap_servers);
  for (const auto& [k, v] : properties) {
    if (s.ok()) s = set(k, v);
  }
  if (!s.ok()) {
    rd_kafka_conf_destroy(conf);
    return s;
  }
  return conf;
}

rd_kafka_headers_t* EnvelopeHeaders(const kpo::common::v1::EventEnvelope& env) {
  rd_kafka_headers_t* h = rd_kafka_headers_new(10);
  auto add = [h](const char* name, const std::string& value) {
    if (!value.empty()) rd_kafka_header_add(h, name, -1, value.data(), value.size());
  };
  add(kHeaderId, env.id());
  add(kHeaderSource, env.source());
  add(kHeaderType, env.type());
  add(kHeaderSpecVersion, env.spec_version());
  add(kHeaderTime, google::protobuf::util::TimeUtil::ToString(env.time()));
  add(kHeaderSubject, env.subject());
  add(kHeaderContentType, kEnvelopeContentType);
  add(kHeaderOrganization, env.organization());
  add(kHeaderTraceparent, env.traceparent());
  return h;
}

}  // namespace kpo::events::internal
