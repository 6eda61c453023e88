#pragma once

#include <librdkafka/rdkafka.h>

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "kpo/common/v1/event.pb.h"

namespace kpo::events::internal {

// A configuration with bootstrap.servers and every property set; INVALID_ARGUMENT
// naming the property librdkafka refused.
absl::StatusOr<rd_kafka_conf_t*> MakeConf(const std::string& bootstrap_servers,
                                          const std::map<std::string, std::string>& properties);

// CloudEvents binary-mode headers mirroring the envelope's attributes.
rd_kafka_headers_t* EnvelopeHeaders(const kpo::common::v1::EventEnvelope& env);

}  // namespace kpo::events::internal
