#include "kpo/events/mock_cluster.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "absl/strings/str_cat.h"

namespace kpo::events {

class MockCluster::Impl {
 public:
  ~Impl() {
    if (cluster != nullptr) rd_kafka_mock_cluster_destroy(cluster);
    if (handle != nullptr) rd_kafka_destroy(handle);
  }
  rd_kafka_t* handle = nullptr;
  rd_kafka_mock_cluster_t* cluster = nullptr;
};

absl::StatusOr<std::unique_ptr<MockCluster>> MockCluster::Create(int brokers) {
  if (brokers < 1 || brokers > 16) return absl::InvalidArgumentError("brokers must be 1..16");
  auto impl = std::make_unique<Impl>();
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof(err));
  impl->handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (impl->handle == nullptr) {
    rd_kafka_conf_destroy(conf);
    return absl::InternalError(absl::StrCat("mock cluster handle: ", err));
  }
  impl->cluster = rd_kafka_mock_cluster_new(impl->handle, brokers);
  if (impl->cluster == nullptr) return absl::InternalError("cannot create the mock cluster");
  return std::unique_ptr<MockCluster>(new MockCluster(std::move(impl), brokers));
}

MockCluster::MockCluster(std::unique_ptr<Impl> impl, int brokers)
    : impl_(std::move(impl)), brokers_(brokers) {}
MockCluster::~MockCluster() = default;

std::string MockCluster::bootstrap_servers() const {
  return rd_kafka_mock_cluster_bootstraps(impl_->cluster);
}

absl::Status MockCluster::CreateTopic(const std::string& name, int partitions, int replication) {
  rd_kafka_resp_err_t err =
      rd_kafka_mock_topic_create(impl_->cluster, name.c_str(), partitions, replication);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::InternalError(absl::StrCat("create topic ", name, ": ", rd_kafka_err2str(err)));
  }
  return absl::OkStatus();
}

void MockCluster::SetAllBrokersDown() {
  for (int id = 1; id <= brokers_; ++id) rd_kafka_mock_broker_set_down(impl_->cluster, id);
}

void MockCluster::SetAllBrokersUp() {
  for (int id = 1; id <= brokers_; ++id) rd_kafka_mock_broker_set_up(impl_->cluster, id);
}

}  // namespace kpo::events
