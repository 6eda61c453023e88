#include "kpo/events/relay.h"

#include <librdkafka/rdkafka.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/time_util.h"
#include "kpo/common/v1/event.pb.h"
#include "kpo/core/log.h"
#include "kpo/events/outbox.h"
#include "src/kafka_internal.h"

namespace kpo::events {

using kpo::storage::Transaction;

namespace {

struct PendingRow {
  int64_t seq;
  std::string topic;
  std::string key;
  std::string envelope;
  // Filled by the delivery report callback.
  std::atomic<int> result{kWaiting};
  static constexpr int kWaiting = -1;      // produced, no delivery report yet
  static constexpr int kNotProduced = -2;  // skipped to keep order after an earlier failure
};

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* msg, void*) {
  auto* row = static_cast<PendingRow*>(msg->_private);
  if (row != nullptr) row->result.store(static_cast<int>(msg->err));
}

}  // namespace

class OutboxRelay::Impl {
 public:
  Impl(kpo::storage::Database& db, RelayOptions options, const kpo::core::Clock& clock,
       prometheus::Registry* registry)
      : db_(db), options_(std::move(options)), clock_(clock) {
    if (registry != nullptr) {
      const prometheus::Labels labels{{"service", options_.service}};
      published_metric_ = &prometheus::BuildCounter()
                               .Name("kpo_outbox_published_total")
                               .Help("Outbox events acknowledged by Kafka")
                               .Register(*registry)
                               .Add(labels);
      failures_metric_ = &prometheus::BuildCounter()
                              .Name("kpo_outbox_publish_failures_total")
                              .Help("Outbox events whose publication failed and will be retried")
                              .Register(*registry)
                              .Add(labels);
      pending_metric_ = &prometheus::BuildGauge()
                             .Name("kpo_outbox_backlog")
                             .Help("Outbox events waiting to be published")
                             .Register(*registry)
                             .Add(labels);
      active_metric_ = &prometheus::BuildGauge()
                            .Name("kpo_outbox_relay_active")
                            .Help("1 while this replica holds the relay lease and publishes")
                            .Register(*registry)
                            .Add(labels);
    }
  }

  ~Impl() {
    if (producer_ != nullptr) rd_kafka_destroy(producer_);
  }

  absl::Status CreateProducer() {
    std::map<std::string, std::string> props = options_.kafka.properties;
    props.emplace("enable.idempotence", "true");
    props.emplace("acks", "all");
    props.emplace("linger.ms", std::to_string(absl::ToInt64Milliseconds(options_.linger)));
    props.emplace("partitioner", "murmur2_random");
    props.emplace("message.timeout.ms",
                  std::to_string(absl::ToInt64Milliseconds(options_.delivery_timeout)));
    auto conf = internal::MakeConf(options_.kafka.bootstrap_servers, props);
    if (!conf.ok()) return conf.status();
    rd_kafka_conf_set_dr_msg_cb(*conf, OnDelivery);
    char err[512];
    producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, *conf, err, sizeof(err));
    if (producer_ == nullptr) {
      rd_kafka_conf_destroy(*conf);
      return absl::InvalidArgumentError(absl::StrCat("kafka producer: ", err));
    }
    return absl::OkStatus();
  }

  void Start() {
    thread_ = std::thread([this] { Run(); });
  }

  void Stop(absl::Duration flush_timeout) {
    stopping_.store(true);
    Wake();
    if (thread_.joinable()) thread_.join();
    if (producer_ != nullptr) {
      rd_kafka_flush(producer_, static_cast<int>(absl::ToInt64Milliseconds(flush_timeout)));
    }
  }

  void Wake() {
    absl::MutexLock lock(&mu_);
    woken_ = true;
  }

  RelayStats stats() const {
    return RelayStats{published_.load(), failed_.load(), backing_off_.load(), active_.load()};
  }

 private:
  void WaitIdle(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&woken_), d);
    woken_ = false;
  }

  void Run() {
    absl::Duration backoff = options_.min_backoff;
    absl::Time next_cleanup = absl::InfinitePast();
    absl::Time next_gauge = absl::InfinitePast();
    while (!stopping_.load()) {
      if (options_.lease != nullptr && !options_.lease->Held()) {
        if (active_.exchange(false) || !announced_) {
          kpo::log::Info("outbox relay standing by: another replica holds the relay lease",
                         {{"service", options_.service}});
        }
        announced_ = true;
        if (active_metric_ != nullptr) active_metric_->Set(0);
        WaitIdle(options_.standby_poll);
        continue;
      }
      if (!active_.exchange(true)) {
        if (options_.lease != nullptr) {
          kpo::log::Info("outbox relay active: this replica holds the relay lease",
                         {{"service", options_.service}});
        }
        announced_ = true;
        if (active_metric_ != nullptr) active_metric_->Set(1);
      }
      const absl::Time now = clock_.Now();
      if (now >= next_cleanup) {
        Cleanup(now);
        next_cleanup = now + options_.cleanup_interval;
      }
      if (pending_metric_ != nullptr && absl::Now() >= next_gauge) {
        if (auto pending = CountPendingOutbox(db_); pending.ok()) {
          pending_metric_->Set(static_cast<double>(*pending));
        }
        next_gauge = absl::Now() + absl::Seconds(1);
      }
      auto batch = LoadBatch();
      if (!batch.ok()) {
        kpo::log::Error("outbox relay cannot read the outbox",
                        {{"error", batch.status().ToString()}});
        WaitIdle(options_.max_backoff);
        continue;
      }
      if (batch->empty()) {
        rd_kafka_poll(producer_, 0);
        WaitIdle(options_.idle_poll);
        continue;
      }
      const bool all_ok = PublishBatch(*batch);
      if (all_ok) {
        if (backing_off_.exchange(false)) {
          kpo::log::Info("outbox relay publishing again", {{"service", options_.service}});
        }
        backoff = options_.min_backoff;
      } else {
        if (!backing_off_.exchange(true)) {
          kpo::log::Warn("outbox relay cannot publish to Kafka; events wait in the outbox",
                         {{"service", options_.service}});
        }
        WaitIdle(backoff);
        backoff = std::min(backoff * 2, options_.max_backoff);
      }
    }
  }

  absl::StatusOr<std::vector<std::unique_ptr<PendingRow>>> LoadBatch() {
    std::vector<std::unique_ptr<PendingRow>> batch;
    absl::Status s = db_.Read([&](Transaction& tx) {
      auto rows = tx.Query(
          "SELECT seq, topic, event_key, envelope FROM outbox WHERE sent_at_us IS NULL "
          "ORDER BY seq LIMIT ?",
          {static_cast<int64_t>(options_.batch_size)});
      if (!rows.ok()) return rows.status();
      for (const auto& r : *rows) {
        auto row = std::make_unique<PendingRow>();
        row->seq = r.Int(0);
        row->topic = r.Text(1);
        row->key = r.Text(2);
        row->envelope = r.Text(3);
        batch.push_back(std::move(row));
      }
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    return batch;
  }

  // Produces every row, waits for every delivery report, marks the delivered rows sent.
  // Returns false if any row failed.
  bool PublishBatch(std::vector<std::unique_ptr<PendingRow>>& batch) {
    bool stop_producing = false;
    for (auto& row : batch) {
      if (stop_producing) {
        row->result = PendingRow::kNotProduced;
        continue;
      }
      kpo::common::v1::EventEnvelope env;
      if (!env.ParseFromString(row->envelope)) {
        kpo::log::Error("outbox row is not an envelope; skipping it", {{"seq", row->seq}});
        row->result = RD_KAFKA_RESP_ERR__BAD_MSG;
        continue;
      }
      // The stored envelope has no sequence (Outbox::Append writes the row once): the
      // row's seq is appended as one more field; protobuf takes the last value of a
      // repeated scalar field, so this also holds for rows that had one.
      env.set_sequence(row->seq);
      kpo::common::v1::EventEnvelope sequence_only;
      sequence_only.set_sequence(row->seq);
      row->envelope += sequence_only.SerializeAsString();
      rd_kafka_headers_t* headers = internal::EnvelopeHeaders(env);
      rd_kafka_resp_err_t err;
      while (true) {
        err =
            rd_kafka_producev(producer_, RD_KAFKA_V_TOPIC(row->topic.c_str()),
                              RD_KAFKA_V_KEY(row->key.data(), row->key.size()),
                              RD_KAFKA_V_VALUE(row->envelope.data(), row->envelope.size()),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(headers),
                              RD_KAFKA_V_OPAQUE(row.get()), RD_KAFKA_V_END);
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) break;
        rd_kafka_poll(producer_, 50);
      }
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_headers_destroy(headers);
        row->result = err;
        stop_producing = true;  // keep order: do not produce later rows of this batch
      }
    }
    // Wait for every produced row's delivery report.
    const absl::Time deadline = absl::Now() + options_.delivery_timeout + absl::Seconds(5);
    auto all_reported = [&] {
      for (auto& row : batch) {
        if (row->result.load() == PendingRow::kWaiting) return false;
      }
      return true;
    };
    // Stopping does not wait for Kafka: what is not acknowledged stays pending in the
    // outbox and is published after the restart.
    while (!all_reported() && absl::Now() < deadline && !stopping_.load()) {
      rd_kafka_poll(producer_, 50);
    }
    if (!all_reported()) {
      // Never free a row librdkafka still points at: purge and drain its reports.
      rd_kafka_purge(producer_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
      while (!all_reported()) rd_kafka_poll(producer_, 50);
    }

    std::vector<int64_t> delivered;
    bool all_ok = true;
    int logged = 0;
    for (auto& row : batch) {
      const int r = row->result.load();
      if (r == RD_KAFKA_RESP_ERR_NO_ERROR) {
        delivered.push_back(row->seq);
      } else {
        all_ok = false;
        if (r >= 0 && logged++ == 0 && !backing_off_.load()) {
          kpo::log::Warn("outbox publish failed",
                         {{"seq", row->seq},
                          {"error", rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(r))}});
        }
      }
    }
    if (!delivered.empty()) MarkSent(delivered);
    const int64_t failed = static_cast<int64_t>(batch.size() - delivered.size());
    published_ += static_cast<int64_t>(delivered.size());
    failed_ += failed;
    if (published_metric_ != nullptr)
      published_metric_->Increment(static_cast<double>(delivered.size()));
    if (failures_metric_ != nullptr && failed > 0)
      failures_metric_->Increment(static_cast<double>(failed));
    if (rd_kafka_fatal_error(producer_, nullptr, 0) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      kpo::log::Error("kafka producer hit a fatal error; recreating it");
      rd_kafka_destroy(producer_);
      producer_ = nullptr;
      if (absl::Status s = CreateProducer(); !s.ok()) {
        kpo::log::Error("cannot recreate kafka producer", {{"error", s.ToString()}});
      }
    }
    return all_ok;
  }

  void MarkSent(const std::vector<int64_t>& seqs) {
    const int64_t now_us = absl::ToUnixMicros(clock_.Now());
    absl::Status s = db_.Write([&](Transaction& tx) {
      for (size_t i = 0; i < seqs.size(); i += 200) {
        const size_t n = std::min<size_t>(200, seqs.size() - i);
        std::vector<kpo::storage::Value> params = {now_us};
        std::string placeholders;
        for (size_t j = 0; j < n; ++j) {
          placeholders += j == 0 ? "?" : ",?";
          params.emplace_back(seqs[i + j]);
        }
        auto r = tx.Exec(absl::StrCat("UPDATE outbox SET sent_at_us = ?, attempts = attempts + 1 "
                                      "WHERE seq IN (",
                                      placeholders, ")"),
                         params);
        if (!r.ok()) return r.status();
      }
      return absl::OkStatus();
    });
    if (!s.ok()) {
      // The events were delivered; they will be delivered again (consumers dedupe).
      kpo::log::Error("cannot mark outbox rows sent", {{"error", s.ToString()}});
    }
  }

  void Cleanup(absl::Time now) {
    const int64_t cutoff = absl::ToUnixMicros(now - options_.retention);
    absl::Status s = db_.Write([&](Transaction& tx) {
      return tx.Exec("DELETE FROM outbox WHERE sent_at_us IS NOT NULL AND sent_at_us < ?", {cutoff})
          .status();
    });
    if (!s.ok()) kpo::log::Warn("outbox cleanup failed", {{"error", s.ToString()}});
  }

  kpo::storage::Database& db_;
  RelayOptions options_;
  const kpo::core::Clock& clock_;
  rd_kafka_t* producer_ = nullptr;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> published_{0};
  std::atomic<int64_t> failed_{0};
  std::atomic<bool> backing_off_{false};
  std::atomic<bool> active_{false};
  bool announced_ = false;  // the relay thread has logged its role once
  absl::Mutex mu_;
  bool woken_ ABSL_GUARDED_BY(mu_) = false;
  prometheus::Counter* published_metric_ = nullptr;
  prometheus::Counter* failures_metric_ = nullptr;
  prometheus::Gauge* pending_metric_ = nullptr;
  prometheus::Gauge* active_metric_ = nullptr;
};

absl::StatusOr<std::unique_ptr<OutboxRelay>> OutboxRelay::Create(kpo::storage::Database& db,
                                                                 RelayOptions options,
                                                                 const kpo::core::Clock& clock,
                                                                 prometheus::Registry* registry) {
  auto impl = std::make_unique<Impl>(db, std::move(options), clock, registry);
  if (absl::Status s = impl->CreateProducer(); !s.ok()) return s;
  return std::unique_ptr<OutboxRelay>(new OutboxRelay(std::move(impl)));
}

OutboxRelay::OutboxRelay(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OutboxRelay::~OutboxRelay() = default;
void OutboxRelay::Start() { impl_->Start(); }
void OutboxRelay::Stop(absl::Duration flush_timeout) { impl_->Stop(flush_timeout); }
void OutboxRelay::Wake() { impl_->Wake(); }
RelayStats OutboxRelay::stats() const { return impl_->stats(); }

}  // namespace kpo::events
