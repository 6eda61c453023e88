#pragma once

// librdkafka's mock cluster: N Kafka-protocol brokers on 127.0.0.1 inside this process
// (random ports; no persistence). The local broker tool (tools/kafka_broker) wraps it
// as a process; tests use it for fault injection. Thread-safe.

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace kpo::events {

class MockCluster {
 public:
  static absl::StatusOr<std::unique_ptr<MockCluster>> Create(int brokers);
  ~MockCluster();
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  // The bootstrap.servers string for clients.
  std::string bootstrap_servers() const;
  absl::Status CreateTopic(const std::string& name, int partitions, int replication = 1);
  // Every broker refuses connections (down) or accepts them again (up).
  void SetAllBrokersDown();
  void SetAllBrokersUp();
  int brokers() const { return brokers_; }

  class Impl;

 private:
  MockCluster(std::unique_ptr<Impl> impl, int brokers);
  std::unique_ptr<Impl> impl_;
  int brokers_;
};

}  // namespace kpo::events
