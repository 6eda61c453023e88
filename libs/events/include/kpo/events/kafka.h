#pragma once

// Kafka client settings shared by the relay and the consumer. Production adds TLS/SASL
// through `properties` (any librdkafka configuration property); nothing else changes
// between the local mock-cluster broker and a real cluster.

#include <map>
#include <string>

namespace kpo::events {

struct KafkaOptions {
  std::string bootstrap_servers;
  std::map<std::string, std::string> properties;
};

}  // namespace kpo::events
