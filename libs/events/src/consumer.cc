#include "kpo/events/consumer.h"

#include <librdkafka/rdkafka.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <atomic>
#include <limits>
#include <optional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "kpo/core/log.h"
#include "kpo/core/trace.h"
#include "src/kafka_internal.h"

namespace kpo::events {

using kpo::common::v1::EventEnvelope;
using kpo::storage::Transaction;

class Consumer::Impl {
 public:
  Impl(kpo::storage::Database& db, ConsumerOptions options, const kpo::core::Clock& clock,
       prometheus::Registry* registry)
      : db_(db), options_(std::move(options)), clock_(clock) {
    if (options_.consumer_name.empty()) options_.consumer_name = options_.group_id;
    if (registry != nullptr) {
      auto& family = prometheus::BuildCounter()
                         .Name("kpo_consumer_records_total")
                         .Help("Records handled by the event consumer, by outcome")
                         .Register(*registry);
      for (const char* outcome : {"applied", "duplicate", "skipped", "dead_lettered"}) {
        outcome_metrics_[outcome] = &family.Add({{"service", options_.service},
                                                 {"consumer", options_.consumer_name},
                                                 {"outcome", outcome}});
      }
      lag_metric_ =
          &prometheus::BuildGauge()
               .Name("kpo_consumer_lag")
               .Help("Records on the consumed partitions not yet processed")
               .Register(*registry)
               .Add({{"service", options_.service}, {"consumer", options_.consumer_name}});
    }
  }

  ~Impl() {
    // Stop already closed the consumer (or gave up on a broker that does not answer):
    // never close it again here, which could block.
    if (consumer_ != nullptr)
      rd_kafka_destroy_flags(consumer_, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
    if (dlt_producer_ != nullptr) rd_kafka_destroy(dlt_producer_);
  }

  void On(const std::string& type, EventHandler handler) { handlers_[type] = std::move(handler); }
  void BeforeCommit(std::function<absl::Status(Transaction&)> hook) {
    before_commit_ = std::move(hook);
  }
  const std::string& name() const { return options_.consumer_name; }

  absl::Status Start() {
    std::map<std::string, std::string> props = options_.kafka.properties;
    props["group.id"] = options_.group_id;
    props["enable.auto.commit"] = "false";
    props["enable.auto.offset.store"] = "false";
    props.emplace("auto.offset.reset", "earliest");
    if (options_.fetch_wait_max > absl::ZeroDuration()) {
      props["fetch.wait.max.ms"] =
          std::to_string(std::max<int64_t>(1, absl::ToInt64Milliseconds(options_.fetch_wait_max)));
    }
    props["session.timeout.ms"] =
        std::to_string(absl::ToInt64Milliseconds(options_.session_timeout));
    props.emplace("heartbeat.interval.ms",
                  std::to_string(absl::ToInt64Milliseconds(options_.session_timeout) / 3));
    auto conf = internal::MakeConf(options_.kafka.bootstrap_servers, props);
    if (!conf.ok()) return conf.status();
    rd_kafka_conf_set_rebalance_cb(*conf, &Impl::OnRebalance);
    char err[512];
    consumer_ = rd_kafka_new(RD_KAFKA_CONSUMER, *conf, err, sizeof(err));
    if (consumer_ == nullptr) {
      rd_kafka_conf_destroy(*conf);
      return absl::InvalidArgumentError(absl::StrCat("kafka consumer: ", err));
    }
    rd_kafka_poll_set_consumer(consumer_);

    std::map<std::string, std::string> pprops = options_.kafka.properties;
    pprops.emplace("enable.idempotence", "true");
    pprops.emplace("acks", "all");
    auto pconf = internal::MakeConf(options_.kafka.bootstrap_servers, pprops);
    if (!pconf.ok()) return pconf.status();
    dlt_producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, *pconf, err, sizeof(err));
    if (dlt_producer_ == nullptr) {
      rd_kafka_conf_destroy(*pconf);
      return absl::InvalidArgumentError(absl::StrCat("kafka dead-letter producer: ", err));
    }

    rd_kafka_topic_partition_list_t* topics =
        rd_kafka_topic_partition_list_new(static_cast<int>(options_.topics.size()));
    for (const auto& t : options_.topics) {
      rd_kafka_topic_partition_list_add(topics, t.c_str(), RD_KAFKA_PARTITION_UA);
    }
    rd_kafka_resp_err_t e = rd_kafka_subscribe(consumer_, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return absl::InvalidArgumentError(absl::StrCat("kafka subscribe: ", rd_kafka_err2str(e)));
    }
    thread_ = std::thread([this] { Run(); });
    return absl::OkStatus();
  }

  void Stop() {
    stopping_.store(true);
    if (thread_.joinable()) thread_.join();
    if (consumer_ == nullptr) return;
    rd_kafka_queue_t* queue = rd_kafka_queue_new(consumer_);
    // The final commit, waited for at most close_timeout.
    if (uncommitted_) {
      rd_kafka_commit_queue(consumer_, nullptr, queue, nullptr, nullptr);
      const absl::Time deadline = absl::Now() + options_.close_timeout;
      bool done = false;
      while (!done && absl::Now() < deadline) {
        rd_kafka_event_t* ev = rd_kafka_queue_poll(queue, 50);
        if (ev == nullptr) continue;
        if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_OFFSET_COMMIT) {
          done = true;
          if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
            kpo::log::Warn(
                "final offset commit failed; events after the last commit will be "
                "redelivered (the inbox skips them)",
                {{"error", rd_kafka_event_error_string(ev)}});
          }
        }
        rd_kafka_event_destroy(ev);
      }
      if (!done) kpo::log::Warn("final offset commit not confirmed in time; giving up on it");
    }
    // Leave the group through the queue, serving its rebalance events, at most
    // close_timeout.
    if (rd_kafka_error_t* error = rd_kafka_consumer_close_queue(consumer_, queue)) {
      kpo::log::Warn("consumer close failed", {{"error", rd_kafka_error_string(error)}});
      rd_kafka_error_destroy(error);
    } else {
      const absl::Time deadline = absl::Now() + options_.close_timeout;
      while (!rd_kafka_consumer_closed(consumer_) && absl::Now() < deadline) {
        rd_kafka_event_t* ev = rd_kafka_queue_poll(queue, 50);
        if (ev == nullptr) continue;
        if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_REBALANCE)
          rd_kafka_assign(consumer_, nullptr);
        rd_kafka_event_destroy(ev);
      }
      if (!rd_kafka_consumer_closed(consumer_)) {
        kpo::log::Warn("left the consumer group without the broker's answer (unreachable?)");
      }
    }
    rd_kafka_queue_destroy(queue);
  }

  std::map<std::pair<std::string, int32_t>, int64_t> ConsumedOffsets() const {
    absl::MutexLock lock(&consumed_mu_);
    return consumed_;
  }

  ConsumerStats stats() const {
    return ConsumerStats{processed_.load(), duplicates_.load(), skipped_.load(),
                         dead_lettered_.load(), lag_.load()};
  }

 private:
  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* partitions, void*) {
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      rd_kafka_assign(rk, partitions);
    } else {
      // Commit what was processed before giving the partitions away.
      rd_kafka_commit(rk, nullptr, 0);
      rd_kafka_assign(rk, nullptr);
    }
  }

  void Run() {
    absl::Time next_commit = absl::Now() + options_.commit_interval;
    absl::Time next_lag = absl::Now();
    std::vector<rd_kafka_message_t*> batch;
    while (!stopping_.load()) {
      // Wait for a record, then take what else is already fetched, up to max_batch: a
      // burst is applied in few transactions (one sync each), a lone event at once.
      if (rd_kafka_message_t* first = rd_kafka_consumer_poll(consumer_, 100)) {
        batch.push_back(first);
        while (static_cast<int>(batch.size()) < options_.max_batch) {
          rd_kafka_message_t* more = rd_kafka_consumer_poll(consumer_, 0);
          if (more == nullptr) break;
          batch.push_back(more);
        }
        HandleBatch(batch);
        for (rd_kafka_message_t* m : batch) rd_kafka_message_destroy(m);
        batch.clear();
      }
      rd_kafka_poll(dlt_producer_, 0);
      const absl::Time now = absl::Now();
      if (now >= next_commit) {
        Commit(/*async=*/true);
        next_commit = now + options_.commit_interval;
      }
      if (now >= next_lag) {
        UpdateLag();
        next_lag = now + absl::Seconds(1);
      }
    }
  }

  // A record of a batch that has a handler, decoded.
  struct Applicable {
    const rd_kafka_message_t* msg;
    EventEnvelope env;
    const EventHandler* handler;
    bool duplicate = false;
  };

  // In order: consecutive records with handlers are applied together in one
  // transaction (inbox rows and effects); records without a handler are skipped and
  // undecodable ones dead-lettered in place, after the run before them.
  void HandleBatch(const std::vector<rd_kafka_message_t*>& batch) {
    std::vector<Applicable> run;
    auto flush = [&] {
      if (!run.empty()) ApplyRun(run);
      run.clear();
    };
    for (const rd_kafka_message_t* msg : batch) {
      if (stopping_.load()) return;  // the rest is redelivered after restart
      if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
          kpo::log::Warn("kafka consumer error", {{"error", rd_kafka_message_errstr(msg)},
                                                  {"consumer", options_.consumer_name}});
        }
        continue;
      }
      auto decoded = DecodeEnvelope(msg->payload, msg->len);
      if (!decoded.ok()) {
        flush();
        if (DeadLetter(*msg, std::string(decoded.status().message()))) {
          Count("dead_lettered", dead_lettered_);
          StoreOffset(*msg);
        }
        continue;
      }
      auto handler = handlers_.find(decoded->type());
      if (handler == handlers_.end()) {
        flush();
        Count("skipped", skipped_);
        StoreOffset(*msg);
        continue;
      }
      run.push_back(Applicable{msg, *std::move(decoded), &handler->second});
    }
    flush();
  }

  // One transaction for the whole run. If a handler fails, the transaction rolls back;
  // the records before the failing one are applied again together, the failing one is
  // handled alone (retries, then the dead-letter topic), and the rest go on as a run:
  // one bad event never holds the others back nor turns a burst into single commits.
  void ApplyRun(std::vector<Applicable>& run) {
    size_t begin = 0;
    while (begin < run.size() && !stopping_.load()) {
      const size_t end = run.size();
      if (end - begin == 1) {
        ApplyAlone(run[begin]);
        return;
      }
      size_t failed_at = end;
      absl::Status status = db_.Write([&](Transaction& tx) -> absl::Status {
        for (size_t i = begin; i < end; ++i) {
          Applicable& a = run[i];
          std::optional<kpo::core::TraceContext> parent =
              kpo::core::TraceContext::Parse(a.env.traceparent());
          kpo::core::ScopedTrace trace(parent ? parent->Child()
                                              : kpo::core::TraceContext::NewRoot());
          auto applied = ApplyOne(tx, *a.handler, a.env);
          if (!applied.ok()) {
            failed_at = i;
            return applied.status();
          }
          a.duplicate = !*applied;
        }
        if (before_commit_) {
          if (absl::Status s = before_commit_(tx); !s.ok()) return s;
        }
        return RecordPositions(tx, run, begin, end);
      });
      if (status.ok()) {
        Done(run, begin, end);
        return;
      }
      if (failed_at == end) {
        // Not a handler's failure (the commit itself): record by record, with retries.
        kpo::log::Warn("applying a batch of events failed; applying them one by one",
                       {{"events", end - begin}, {"error", status.ToString()}});
        for (size_t i = begin; i < end && !stopping_.load(); ++i) ApplyAlone(run[i]);
        return;
      }
      if (failed_at > begin) {
        std::vector<Applicable> head(std::make_move_iterator(run.begin() + begin),
                                     std::make_move_iterator(run.begin() + failed_at));
        ApplyRun(head);  // fails no handler this time, unless one is not deterministic
      }
      if (stopping_.load()) return;
      ApplyAlone(run[failed_at]);
      begin = failed_at + 1;
    }
  }

  void Done(const std::vector<Applicable>& run, size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      if (run[i].duplicate) {
        Count("duplicate", duplicates_);
      } else {
        Count("applied", processed_);
      }
      StoreOffset(*run[i].msg);
    }
  }

  // The inbox row, then the handler, in `tx`. False: already applied (the row was there;
  // one statement checks and records). A handler's failure rolls the row back with it.
  absl::StatusOr<bool> ApplyOne(Transaction& tx, const EventHandler& handler,
                                const EventEnvelope& env) {
    auto inserted = tx.Exec(
        "INSERT INTO inbox (consumer, source, event_id, event_type, organization, "
        "processed_at_us) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (consumer, source, event_id) DO NOTHING",
        {options_.consumer_name, env.source(), env.id(), env.type(), env.organization(),
         absl::ToUnixMicros(clock_.Now())});
    if (!inserted.ok()) return inserted.status();
    if (*inserted == 0) return false;
    if (absl::Status s = handler(tx, env); !s.ok()) return s;
    return true;
  }

  // The position of each partition of run[begin, end): its last record (records of one
  // partition are in offset order).
  absl::Status RecordPositions(Transaction& tx, const std::vector<Applicable>& run, size_t begin,
                               size_t end) {
    for (size_t i = begin; i < end; ++i) {
      bool last_of_partition = true;
      for (size_t j = i + 1; j < end && last_of_partition; ++j) {
        last_of_partition =
            run[j].msg->rkt != run[i].msg->rkt || run[j].msg->partition != run[i].msg->partition;
      }
      if (!last_of_partition) continue;
      if (absl::Status s = RecordPosition(tx, *run[i].msg, run[i].env); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  absl::Status RecordPosition(Transaction& tx, const rd_kafka_message_t& msg,
                              const EventEnvelope& env) {
    const int64_t event_us = env.time().seconds() * 1000000 + env.time().nanos() / 1000;
    return tx
        .Exec(
            "INSERT INTO consumer_positions (consumer, topic, kafka_partition, last_offset, "
            "event_time_us, applied_at_us) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (consumer, topic, kafka_partition) DO UPDATE SET "
            "last_offset = excluded.last_offset, event_time_us = excluded.event_time_us, "
            "applied_at_us = excluded.applied_at_us WHERE excluded.last_offset > "
            "consumer_positions.last_offset",
            {options_.consumer_name, std::string(rd_kafka_topic_name(msg.rkt)),
             static_cast<int64_t>(msg.partition), static_cast<int64_t>(msg.offset), event_us,
             absl::ToUnixMicros(clock_.Now())})
        .status();
  }

  void Count(const char* outcome, std::atomic<int64_t>& counter) {
    ++counter;
    auto it = outcome_metrics_.find(outcome);
    if (it != outcome_metrics_.end()) it->second->Increment();
  }

  // One record in its own transaction, retried with backoff; after max_attempts it goes
  // to the dead-letter topic and consumption goes on.
  void ApplyAlone(const Applicable& a) {
    const rd_kafka_message_t& msg = *a.msg;
    const EventEnvelope& env = a.env;
    std::optional<kpo::core::TraceContext> parent =
        kpo::core::TraceContext::Parse(env.traceparent());
    kpo::core::ScopedTrace trace(parent ? parent->Child() : kpo::core::TraceContext::NewRoot());

    absl::Status status;
    bool duplicate = false;
    for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
      duplicate = false;
      status = db_.Write([&](Transaction& tx) -> absl::Status {
        auto applied = ApplyOne(tx, *a.handler, env);
        if (!applied.ok()) return applied.status();
        duplicate = !*applied;
        if (before_commit_) {
          if (absl::Status s = before_commit_(tx); !s.ok()) return s;
        }
        return RecordPosition(tx, *a.msg, env);
      });
      if (status.ok()) break;
      kpo::log::Warn("event handler failed", {{"event_id", env.id()},
                                              {"type", env.type()},
                                              {"attempt", attempt},
                                              {"error", status.ToString()}});
      if (stopping_.load()) return;  // not stored: redelivered after restart
      std::this_thread::sleep_for(absl::ToChronoMilliseconds(options_.retry_backoff * attempt));
    }
    if (!status.ok()) {
      if (!DeadLetter(msg, absl::StrCat("handler failed ", options_.max_attempts,
                                        " times: ", status.ToString()))) {
        return;
      }
      Count("dead_lettered", dead_lettered_);
    } else if (duplicate) {
      Count("duplicate", duplicates_);
    } else {
      Count("applied", processed_);
    }
    StoreOffset(msg);
  }

  // Copies the record to the dead-letter topic and waits for Kafka to take it. Returns
  // false only if stopping before that happened (the record is then redelivered).
  bool DeadLetter(const rd_kafka_message_t& msg, const std::string& reason) {
    kpo::log::Error("sending record to the dead-letter topic",
                    {{"topic", options_.dead_letter_topic},
                     {"from_topic", rd_kafka_topic_name(msg.rkt)},
                     {"partition", msg.partition},
                     {"offset", msg.offset},
                     {"reason", reason}});
    while (!stopping_.load()) {
      rd_kafka_headers_t* headers = nullptr;
      rd_kafka_headers_t* original = nullptr;
      if (rd_kafka_message_headers(&msg, &original) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        headers = rd_kafka_headers_copy(original);
      } else {
        headers = rd_kafka_headers_new(6);
      }
      auto add = [headers](const char* k, const std::string& v) {
        rd_kafka_header_add(headers, k, -1, v.data(), v.size());
      };
      add("kpo_dlt_reason", reason);
      add("kpo_dlt_consumer", options_.consumer_name);
      add("kpo_dlt_topic", rd_kafka_topic_name(msg.rkt));
      add("kpo_dlt_partition", std::to_string(msg.partition));
      add("kpo_dlt_offset", std::to_string(msg.offset));
      rd_kafka_resp_err_t err = rd_kafka_producev(
          dlt_producer_, RD_KAFKA_V_TOPIC(options_.dead_letter_topic.c_str()),
          RD_KAFKA_V_KEY(msg.key, msg.key_len), RD_KAFKA_V_VALUE(msg.payload, msg.len),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_END);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_headers_destroy(headers);
      } else if (rd_kafka_flush(dlt_producer_, 2000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        return true;
      }
      kpo::log::Warn("cannot reach the dead-letter topic yet; retrying");
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    return false;
  }

  void StoreOffset(const rd_kafka_message_t& msg) {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, rd_kafka_topic_name(msg.rkt), msg.partition)->offset =
        msg.offset + 1;
    rd_kafka_offsets_store(consumer_, list);
    rd_kafka_topic_partition_list_destroy(list);
    uncommitted_ = true;
  }

  void Commit(bool async) {
    if (!uncommitted_) return;
    rd_kafka_resp_err_t err = rd_kafka_commit(consumer_, nullptr, async ? 1 : 0);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET) {
      uncommitted_ = false;
    }
  }

  void UpdateLag() {
    rd_kafka_topic_partition_list_t* parts = nullptr;
    if (rd_kafka_assignment(consumer_, &parts) != RD_KAFKA_RESP_ERR_NO_ERROR || parts == nullptr) {
      return;
    }
    rd_kafka_position(consumer_, parts);
    int64_t lag = 0;
    std::map<std::pair<std::string, int32_t>, int64_t> consumed;
    for (int i = 0; i < parts->cnt; ++i) {
      int64_t low = 0, high = 0;
      if (rd_kafka_get_watermark_offsets(consumer_, parts->elems[i].topic,
                                         parts->elems[i].partition, &low,
                                         &high) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        continue;
      }
      const int64_t pos = parts->elems[i].offset >= 0 ? parts->elems[i].offset : low;
      if (high > pos) lag += high - pos;
      consumed[{parts->elems[i].topic, parts->elems[i].partition}] = pos;
    }
    rd_kafka_topic_partition_list_destroy(parts);
    {
      absl::MutexLock lock(&consumed_mu_);
      consumed_ = std::move(consumed);
    }
    lag_.store(lag);
    if (lag_metric_ != nullptr) lag_metric_->Set(static_cast<double>(lag));
  }

  mutable absl::Mutex consumed_mu_;
  std::map<std::pair<std::string, int32_t>, int64_t> consumed_ ABSL_GUARDED_BY(consumed_mu_);
  kpo::storage::Database& db_;
  ConsumerOptions options_;
  const kpo::core::Clock& clock_;
  std::map<std::string, EventHandler> handlers_;
  std::function<absl::Status(Transaction&)> before_commit_;
  rd_kafka_t* consumer_ = nullptr;
  rd_kafka_t* dlt_producer_ = nullptr;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  bool uncommitted_ = false;  // consumer thread only (and Stop after join)
  std::atomic<int64_t> processed_{0}, duplicates_{0}, skipped_{0}, dead_lettered_{0}, lag_{0};
  std::map<std::string, prometheus::Counter*> outcome_metrics_;
  prometheus::Gauge* lag_metric_ = nullptr;
};

Consumer::Consumer(kpo::storage::Database& db, ConsumerOptions options,
                   const kpo::core::Clock& clock, prometheus::Registry* registry)
    : impl_(std::make_unique<Impl>(db, std::move(options), clock, registry)) {}
Consumer::~Consumer() = default;
void Consumer::On(const std::string& type, EventHandler handler) {
  impl_->On(type, std::move(handler));
}
absl::Status Consumer::Start() { return impl_->Start(); }
void Consumer::BeforeCommit(std::function<absl::Status(kpo::storage::Transaction&)> hook) {
  impl_->BeforeCommit(std::move(hook));
}
void Consumer::Stop() { impl_->Stop(); }
const std::string& Consumer::name() const { return impl_->name(); }

absl::StatusOr<EventEnvelope> DecodeEnvelope(const void* data, size_t size) {
  EventEnvelope env;
  if (data == nullptr || size > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      !env.ParseFromArray(data, static_cast<int>(size)) || env.id().empty() ||
      env.source().empty() || env.type().empty()) {
    return absl::InvalidArgumentError(
        "the record is not a kpo.common.v1.EventEnvelope with id, source and type");
  }
  return env;
}
ConsumerStats Consumer::stats() const { return impl_->stats(); }
std::map<std::pair<std::string, int32_t>, int64_t> Consumer::ConsumedOffsets() const {
  return impl_->ConsumedOffsets();
}

absl::StatusOr<std::vector<ConsumerPosition>> ReadPositions(kpo::storage::Transaction& tx,
                                                            const std::string& consumer_name) {
  auto rows = tx.Query(
      "SELECT topic, kafka_partition, last_offset, event_time_us, applied_at_us "
      "FROM consumer_positions WHERE consumer = ? ORDER BY topic, kafka_partition",
      {consumer_name});
  if (!rows.ok()) return rows.status();
  std::vector<ConsumerPosition> out;
  for (const auto& row : *rows) {
    out.push_back({row.Text(0), static_cast<int32_t>(row.Int(1)), row.Int(2),
                   absl::FromUnixMicros(row.Int(3)), absl::FromUnixMicros(row.Int(4))});
  }
  return out;
}

absl::StatusOr<PositionsDigest> ReadPositionsDigest(kpo::storage::Transaction& tx,
                                                    const std::string& consumer_name) {
  auto rows = tx.Query(
      "SELECT COUNT(*), COALESCE(SUM(last_offset), 0) FROM consumer_positions WHERE consumer = ?",
      {consumer_name});
  if (!rows.ok()) return rows.status();
  return PositionsDigest{(*rows)[0].Int(0), (*rows)[0].Int(1)};
}

}  // namespace kpo::events
