#include <librdkafka/rdkafka.h>

#include <map>
#include <thread>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "google/protobuf/wrappers.pb.h"
#include "gtest/gtest.h"
#include "kpo/core/ids.h"
#include "kpo/core/trace.h"
#include "kpo/events/consumer.h"
#include "kpo/events/mock_cluster.h"
#include "kpo/events/outbox.h"
#include "kpo/events/relay.h"
#include "kpo/storage/postgres.h"
#include "kpo/testing/harness.h"
#include "kpo/testing/test_database.h"

namespace kpo::events {
namespace {

using kpo::common::v1::EventEnvelope;
using kpo::storage::Transaction;
using kpo::testing::WaitFor;

constexpr char kTopic[] = "kpo.test.v1";

// A record as an outside client sees it.
struct RawRecord {
  std::string key;
  std::string value;
  std::map<std::string, std::string> headers;
};

// Reads every record of `topic` from the beginning with a plain librdkafka consumer.
std::vector<RawRecord> ReadAll(const std::string& bootstrap, const std::string& topic,
                               size_t at_least) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof(err));
  rd_kafka_conf_set(conf, "group.id", ("raw-" + kpo::core::NewUuid()).c_str(), err, sizeof(err));
  rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", err, sizeof(err));
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* t = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(t, topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(rk, t);
  rd_kafka_topic_partition_list_destroy(t);
  std::vector<RawRecord> out;
  WaitFor(
      [&] {
        rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
        if (m != nullptr) {
          if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            RawRecord r;
            r.key.assign(static_cast<const char*>(m->key), m->key_len);
            r.value.assign(static_cast<const char*>(m->payload), m->len);
            rd_kafka_headers_t* h = nullptr;
            if (rd_kafka_message_headers(m, &h) == RD_KAFKA_RESP_ERR_NO_ERROR) {
              const char* name;
              const void* val;
              size_t size;
              for (size_t i = 0;
                   rd_kafka_header_get_all(h, i, &name, &val, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
                   ++i) {
                r.headers[name] = std::string(static_cast<const char*>(val), size);
              }
            }
            out.push_back(std::move(r));
          }
          rd_kafka_message_destroy(m);
        }
        return out.size() >= at_least;
      },
      absl::Seconds(20));
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return out;
}

class EventsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = MockCluster::Create(1);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
    ASSERT_TRUE(cluster_->CreateTopic(kTopic, 3).ok());
    ASSERT_TRUE(cluster_->CreateTopic("kpo.dlt.test", 1).ok());
    db_ = kpo::testing::OpenTestDatabase(dir_, "svc");
    ASSERT_TRUE(db_->Migrate("events", Migrations()).ok());
    ASSERT_TRUE(db_->Migrate("test", {{1, "effects", "CREATE TABLE effects (v TEXT);"}}).ok());
  }
  void TearDown() override {
    if (consumer_) consumer_->Stop();
    if (relay_) relay_->Stop(absl::Seconds(1));
  }

  RelayOptions RelayOpts() {
    RelayOptions o;
    o.kafka.bootstrap_servers = cluster_->bootstrap_servers();
    o.delivery_timeout = absl::Seconds(2);
    o.min_backoff = absl::Milliseconds(50);
    o.max_backoff = absl::Milliseconds(200);
    o.idle_poll = absl::Milliseconds(20);
    o.service = "test";
    return o;
  }

  void StartRelay() {
    auto relay = OutboxRelay::Create(*db_, RelayOpts(), kpo::core::Clock::Real(), nullptr);
    ASSERT_TRUE(relay.ok()) << relay.status();
    relay_ = *std::move(relay);
    relay_->Start();
  }

  // `handler` for events of `type`, in consumer group `group`.
  void StartConsumer(std::function<absl::Status(Transaction&, const EventEnvelope&)> handler,
                     const std::string& type = "google.protobuf.StringValue",
                     const std::string& group = "test-consumer",
                     std::function<absl::Status(Transaction&)> before_commit = nullptr) {
    ConsumerOptions o;
    o.kafka.bootstrap_servers = cluster_->bootstrap_servers();
    o.group_id = group;
    o.session_timeout = absl::Seconds(6);
    o.topics = {kTopic};
    o.dead_letter_topic = "kpo.dlt.test";
    o.max_attempts = 2;
    o.retry_backoff = absl::Milliseconds(10);
    o.service = "test";
    consumer_ = std::make_unique<Consumer>(*db_, o, kpo::core::Clock::Real(), nullptr);
    consumer_->On(type, std::move(handler));
    if (before_commit) consumer_->BeforeCommit(std::move(before_commit));
    ASSERT_TRUE(consumer_->Start().ok());
  }

  void Append(const std::string& value,
              const std::string& subject = "organizations/acme/things/1") {
    google::protobuf::StringValue event;
    event.set_value(value);
    ASSERT_TRUE(db_->Write([&](Transaction& tx) {
                     return outbox_.Append(tx, "organizations/acme", subject, event).status();
                   })
                    .ok());
    if (relay_) relay_->Wake();
  }

  int64_t Effects() {
    int64_t n = 0;
    EXPECT_TRUE(db_->Read([&](Transaction& tx) {
                     auto r = tx.Query("SELECT COUNT(*) FROM effects");
                     if (!r.ok()) return r.status();
                     n = r->at(0).Int(0);
                     return absl::OkStatus();
                   })
                    .ok());
    return n;
  }

  static absl::Status RecordEffect(Transaction& tx, const EventEnvelope& e) {
    google::protobuf::StringValue v;
    if (!e.data().UnpackTo(&v)) return absl::InvalidArgumentError("bad data");
    return tx.Exec("INSERT INTO effects (v) VALUES (?)", {v.value()}).status();
  }

  kpo::testing::TempDir dir_;
  std::unique_ptr<MockCluster> cluster_;
  std::unique_ptr<kpo::storage::Database> db_;
  Outbox outbox_{{"//kpo.platform/test", kTopic}, kpo::core::Clock::Real()};
  std::unique_ptr<OutboxRelay> relay_;
  std::unique_ptr<Consumer> consumer_;
};

TEST_F(EventsTest, AppendedEventIsPublishedWithCloudEventsHeadersAndMarkedSent) {
  kpo::core::TraceContext trace = kpo::core::TraceContext::NewRoot();
  {
    kpo::core::ScopedTrace scoped(trace);
    Append("hello");
  }
  StartRelay();
  ASSERT_TRUE(WaitFor([&] { return CountOutbox(*db_, "")->pending == 0; }));
  EXPECT_EQ(CountOutbox(*db_, "organizations/acme")->sent_retained, 1);

  auto records = ReadAll(cluster_->bootstrap_servers(), kTopic, 1);
  ASSERT_EQ(records.size(), 1u);
  const RawRecord& r = records[0];
  EXPECT_EQ(r.key, "organizations/acme/things/1");
  EXPECT_EQ(r.headers.at("ce_type"), "google.protobuf.StringValue");
  EXPECT_EQ(r.headers.at("ce_source"), "//kpo.platform/test");
  EXPECT_EQ(r.headers.at("ce_specversion"), "1.0");
  EXPECT_EQ(r.headers.at("kpo_organization"), "organizations/acme");
  EXPECT_EQ(r.headers.at("traceparent"), trace.ToTraceparent());
  EXPECT_THAT(r.headers.at("content-type"), ::testing::HasSubstr("EventEnvelope"));
  EventEnvelope env;
  ASSERT_TRUE(env.ParseFromString(r.value)) << "value is a self-describing envelope";
  EXPECT_EQ(env.id(), r.headers.at("ce_id"));
  // The sequence is the outbox row's (added by the relay: the row is written once).
  int64_t seq = 0;
  ASSERT_TRUE(db_->Read([&](Transaction& tx) {
                   auto rows = tx.Query("SELECT seq FROM outbox WHERE event_id = ?", {env.id()});
                   if (!rows.ok()) return rows.status();
                   if (rows->empty()) return absl::NotFoundError(env.id());
                   seq = rows->at(0).Int(0);
                   return absl::OkStatus();
                 })
                  .ok());
  EXPECT_GT(seq, 0);
  EXPECT_EQ(env.sequence(), seq);
  google::protobuf::StringValue data;
  ASSERT_TRUE(env.data().UnpackTo(&data));
  EXPECT_EQ(data.value(), "hello");
}

TEST_F(EventsTest, RolledBackTransactionPublishesNothing) {
  google::protobuf::StringValue event;
  absl::Status s = db_->Write([&](Transaction& tx) {
    EXPECT_TRUE(outbox_.Append(tx, "organizations/acme", "x", event).ok());
    return absl::AbortedError("business rule failed");
  });
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(CountOutbox(*db_, "")->pending, 0);
}

TEST_F(EventsTest, BrokerOutageKeepsEventsInOutboxUntilItReturns) {
  cluster_->SetAllBrokersDown();
  StartRelay();
  for (int i = 0; i < 20; ++i) Append("e" + std::to_string(i), "s" + std::to_string(i % 4));
  ASSERT_TRUE(WaitFor([&] { return relay_->stats().failed_attempts > 0; }));
  EXPECT_EQ(CountOutbox(*db_, "")->pending, 20) << "nothing marked sent while Kafka is down";
  EXPECT_TRUE(relay_->stats().backing_off);

  cluster_->SetAllBrokersUp();
  ASSERT_TRUE(WaitFor([&] { return CountOutbox(*db_, "")->pending == 0; }, absl::Seconds(30)));
  StartConsumer(RecordEffect);
  ASSERT_TRUE(WaitFor([&] { return Effects() == 20; }, absl::Seconds(30)));
}

TEST_F(EventsTest, StopDuringAnOutageDoesNotWaitForKafkaAndKeepsEventsPending) {
  cluster_->SetAllBrokersDown();
  RelayOptions o = RelayOpts();
  o.delivery_timeout = absl::Seconds(120);  // far longer than any shutdown grace period
  auto relay = OutboxRelay::Create(*db_, o, kpo::core::Clock::Real(), nullptr);
  ASSERT_TRUE(relay.ok());
  relay_ = *std::move(relay);
  relay_->Start();
  Append("in flight during shutdown");
  absl::Notification stopped;
  std::thread stopper([&] {
    relay_->Stop(absl::Milliseconds(100));
    stopped.Notify();
  });
  EXPECT_TRUE(stopped.WaitForNotificationWithTimeout(absl::Seconds(20)))
      << "Stop must not wait for the delivery timeout";
  stopper.join();
  relay_.reset();
  EXPECT_EQ(CountOutbox(*db_, "")->pending, 1) << "the event waits in the outbox for next time";
}

TEST_F(EventsTest, ConsumerStopDuringAnOutageIsBoundedNotTheSessionTimeout) {
  StartRelay();
  StartConsumer(RecordEffect);
  Append("before the outage");
  ASSERT_TRUE(WaitFor([&] { return Effects() == 1; }));
  cluster_->SetAllBrokersDown();
  absl::Notification stopped;
  std::thread stopper([&] {
    consumer_->Stop();  // close_timeout 3 s by default: commit, then leave the group
    stopped.Notify();
  });
  // Without a bound, leaving the group waits for the unreachable coordinator (request
  // and session timeouts, 30 s and more).
  EXPECT_TRUE(stopped.WaitForNotificationWithTimeout(absl::Seconds(15)))
      << "Stop must give up on an unreachable broker";
  stopper.join();
  consumer_.reset();
  EXPECT_EQ(Effects(), 1);
}

TEST_F(EventsTest, RedeliveredEventsChangeNothing) {
  StartRelay();
  StartConsumer(RecordEffect);
  Append("once");
  ASSERT_TRUE(WaitFor([&] { return Effects() == 1; }));
  // The operator republishes everything: the same event ids arrive again.
  auto requeued = RepublishSince(*db_, "organizations/acme", absl::UnixEpoch());
  ASSERT_TRUE(requeued.ok());
  EXPECT_EQ(*requeued, 1);
  relay_->Wake();
  ASSERT_TRUE(WaitFor([&] { return consumer_->stats().duplicates == 1; }));
  EXPECT_EQ(Effects(), 1);
  EXPECT_EQ(RepublishSince(*db_, "organizations/other", absl::UnixEpoch()).value(), 0)
      << "republish is scoped to one organization";
}

TEST_F(EventsTest, PoisonEventGoesToDeadLetterTopicAndConsumptionGoesOn) {
  StartRelay();
  StartConsumer([](Transaction& tx, const EventEnvelope& e) -> absl::Status {
    google::protobuf::StringValue v;
    e.data().UnpackTo(&v);
    if (v.value() == "poison") return absl::InternalError("cannot digest this");
    return RecordEffect(tx, e);
  });
  Append("poison");
  Append("fine");
  ASSERT_TRUE(WaitFor([&] { return Effects() == 1; }));
  EXPECT_EQ(consumer_->stats().dead_lettered, 1);
  auto dlt = ReadAll(cluster_->bootstrap_servers(), "kpo.dlt.test", 1);
  ASSERT_EQ(dlt.size(), 1u);
  EXPECT_THAT(dlt[0].headers.at("kpo_dlt_reason"), ::testing::HasSubstr("cannot digest this"));
  EXPECT_EQ(dlt[0].headers.at("kpo_dlt_topic"), kTopic);
  EXPECT_EQ(dlt[0].headers.at("ce_type"), "google.protobuf.StringValue");
}

TEST_F(EventsTest, UndecodableRecordGoesToDeadLetterTopic) {
  StartConsumer(RecordEffect);
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", cluster_->bootstrap_servers().c_str(), err,
                    sizeof(err));
  rd_kafka_t* p = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  std::string junk = "\xff\xff not a protobuf";
  rd_kafka_producev(p, RD_KAFKA_V_TOPIC(kTopic), RD_KAFKA_V_VALUE(junk.data(), junk.size()),
                    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
  rd_kafka_flush(p, 5000);
  rd_kafka_destroy(p);
  StartRelay();
  Append("after-junk");
  ASSERT_TRUE(WaitFor([&] { return consumer_->stats().dead_lettered == 1; }));
  ASSERT_TRUE(WaitFor([&] { return Effects() == 1; }));
}

TEST_F(EventsTest, RestartedConsumerResumesFromCommittedOffsets) {
  StartRelay();
  StartConsumer(RecordEffect);
  Append("before");
  ASSERT_TRUE(WaitFor([&] { return Effects() == 1; }));
  consumer_->Stop();
  consumer_.reset();
  Append("while-stopped");
  StartConsumer(RecordEffect);
  Append("after");
  ASSERT_TRUE(WaitFor([&] { return Effects() == 3; }, absl::Seconds(30)));
  EXPECT_EQ(consumer_->stats().duplicates, 0) << "offsets were committed on stop";
}

// A burst already in the topic when the consumer starts: applied in batches (far fewer
// commits than events), each event once, also when the whole burst is redelivered, and
// a poison event in the middle holds none of the others back.
TEST_F(EventsTest, ABurstIsAppliedInBatchesEffectivelyOnce) {
  StartRelay();
  constexpr int kEvents = 300;
  for (int i = 0; i < kEvents; ++i) {
    Append(i == 150 ? "poison" : "burst-" + std::to_string(i),
           "organizations/acme/things/" + std::to_string(i % 7));
  }
  ASSERT_TRUE(WaitFor([&] { return relay_->stats().published == kEvents; }));
  const auto before = db_->write_stats();
  StartConsumer([](Transaction& tx, const EventEnvelope& e) -> absl::Status {
    google::protobuf::StringValue v;
    e.data().UnpackTo(&v);
    if (v.value() == "poison") return absl::InternalError("cannot digest this");
    return RecordEffect(tx, e);
  });
  ASSERT_TRUE(WaitFor([&] { return Effects() == kEvents - 1; }, absl::Seconds(30)));
  ASSERT_TRUE(WaitFor([&] { return consumer_->stats().dead_lettered == 1; }));
  const auto after = db_->write_stats();
  EXPECT_EQ(consumer_->stats().processed, kEvents - 1);
  EXPECT_LT(after.commits - before.commits, kEvents / 3)
      << "a burst of " << kEvents << " events took " << after.commits - before.commits
      << " commits";

  // Everything again (an operator's republish): every event is a duplicate.
  ASSERT_EQ(RepublishSince(*db_, "organizations/acme", absl::UnixEpoch()).value(), kEvents);
  relay_->Wake();
  ASSERT_TRUE(
      WaitFor([&] { return consumer_->stats().duplicates == kEvents - 1; }, absl::Seconds(30)));
  // The poison event is not in the inbox: it goes to the dead-letter topic again.
  ASSERT_TRUE(WaitFor([&] { return consumer_->stats().dead_lettered == 2; }));
  EXPECT_EQ(Effects(), kEvents - 1);
  int64_t inbox = 0;
  ASSERT_TRUE(db_->Read([&](Transaction& tx) {
                   auto r = tx.Query("SELECT COUNT(*) FROM inbox");
                   if (!r.ok()) return r.status();
                   inbox = r->at(0).Int(0);
                   return absl::OkStatus();
                 })
                  .ok());
  EXPECT_EQ(inbox, kEvents - 1);
}

TEST_F(EventsTest, TheConsumerRecordsItsPositionWithItsEffects) {
  StartRelay();
  const absl::Time start = absl::Now();
  constexpr int kEvents = 40;
  for (int i = 0; i < kEvents; ++i) {
    Append("p-" + std::to_string(i), "organizations/acme/things/" + std::to_string(i % 5));
  }
  StartConsumer(RecordEffect);
  ASSERT_TRUE(WaitFor([&] { return Effects() == kEvents; }, absl::Seconds(30)));
  auto positions = [&] {
    std::vector<ConsumerPosition> out;
    EXPECT_TRUE(db_->Read([&](Transaction& tx) -> absl::Status {
                     auto p = ReadPositions(tx, "test-consumer");
                     if (!p.ok()) return p.status();
                     out = *std::move(p);
                     return absl::OkStatus();
                   })
                    .ok());
    return out;
  };
  // Every partition's last record (offsets from 0 on a new topic): all 40 are covered.
  const auto first = positions();
  ASSERT_FALSE(first.empty());
  int64_t covered = 0;
  for (const auto& p : first) {
    EXPECT_EQ(p.topic, kTopic);
    covered += p.last_offset + 1;
    EXPECT_GE(p.event_time, start - absl::Seconds(1));
    EXPECT_GE(p.applied_time, p.event_time - absl::Seconds(1));
  }
  EXPECT_EQ(covered, kEvents);
  std::vector<ConsumerPosition> other;
  ASSERT_TRUE(db_->Read([&](Transaction& tx) -> absl::Status {
                   auto p = ReadPositions(tx, "another-consumer");
                   if (!p.ok()) return p.status();
                   other = *std::move(p);
                   return absl::OkStatus();
                 })
                  .ok());
  EXPECT_TRUE(other.empty()) << "positions are per consumer";
  // A republish moves the positions on (the records are new), never back.
  ASSERT_EQ(RepublishSince(*db_, "organizations/acme", absl::UnixEpoch()).value(), kEvents);
  relay_->Wake();
  ASSERT_TRUE(WaitFor([&] { return consumer_->stats().duplicates == kEvents; }, absl::Seconds(30)));
  covered = 0;
  for (const auto& p : positions()) covered += p.last_offset + 1;
  EXPECT_EQ(covered, 2 * kEvents);
}

// Records of a type nobody handles are skipped: no effect, no position, yet the
// consumer is past them (what a rebuild's catch-up check relies on).
TEST_F(EventsTest, ConsumedOffsetsPassSkippedRecordsThatCarryNoPosition) {
  StartRelay();
  constexpr int kEvents = 12;
  for (int i = 0; i < kEvents; ++i) {
    Append("s-" + std::to_string(i), "organizations/acme/things/" + std::to_string(i % 4));
  }
  StartConsumer(RecordEffect, "some.other.Type", "skipping-consumer");
  ASSERT_TRUE(WaitFor(
      [&] {
        int64_t next = 0;
        for (const auto& [partition, offset] : consumer_->ConsumedOffsets()) {
          EXPECT_EQ(partition.first, kTopic);
          next += offset;  // offsets from 0 on a new topic
        }
        return next == kEvents;
      },
      absl::Seconds(30)));
  EXPECT_EQ(consumer_->stats().skipped, kEvents);
  EXPECT_EQ(Effects(), 0);
  ASSERT_TRUE(db_->Read([&](Transaction& tx) -> absl::Status {
                   auto p = ReadPositions(tx, "skipping-consumer");
                   if (!p.ok()) return p.status();
                   EXPECT_TRUE(p->empty());
                   return absl::OkStatus();
                 })
                  .ok());
}

// The hook runs once per transaction of applied events, after all of its handlers, in
// the same transaction; a hook that fails rolls its events back like a handler's failure
// (they are applied again, each once).
TEST_F(EventsTest, TheBeforeCommitHookRunsOncePerTransactionAfterItsHandlers) {
  StartRelay();
  constexpr int kEvents = 200;
  for (int i = 0; i < kEvents; ++i) {
    Append("h-" + std::to_string(i), "organizations/acme/things/" + std::to_string(i % 5));
  }
  ASSERT_TRUE(WaitFor([&] { return relay_->stats().published == kEvents; }));
  ASSERT_TRUE(
      db_->Write([](Transaction& tx) {
           return tx
               .Exec("CREATE TABLE hook_runs (run INTEGER NOT NULL, effects_seen INTEGER NOT NULL)")
               .status();
         })
          .ok());
  std::atomic<bool> fail_next = false;
  StartConsumer(RecordEffect, "google.protobuf.StringValue", "test-consumer",
                [&fail_next](Transaction& tx) -> absl::Status {
                  if (fail_next.exchange(false)) return absl::UnavailableError("failing once");
                  return tx
                      .Exec(
                          "INSERT INTO hook_runs (run, effects_seen) SELECT (SELECT COUNT(*) "
                          "FROM hook_runs), COUNT(*) FROM effects")
                      .status();
                });
  ASSERT_TRUE(WaitFor([&] { return Effects() == kEvents; }, absl::Seconds(30)));
  auto seen = [&] {
    std::vector<int64_t> out;
    EXPECT_TRUE(db_->Read([&](Transaction& tx) -> absl::Status {
                     auto rows = tx.Query("SELECT effects_seen FROM hook_runs ORDER BY run");
                     if (!rows.ok()) return rows.status();
                     for (const auto& row : *rows) out.push_back(row.Int(0));
                     return absl::OkStatus();
                   })
                    .ok());
    return out;
  };
  const std::vector<int64_t> burst = seen();
  ASSERT_FALSE(burst.empty());
  EXPECT_LT(burst.size(), static_cast<size_t>(kEvents / 3)) << "once per transaction";
  EXPECT_EQ(burst.back(), kEvents);

  // The next transaction's hook fails: its events are applied again, each once.
  fail_next = true;
  for (int i = 0; i < 20; ++i) Append("f-" + std::to_string(i));
  ASSERT_TRUE(WaitFor([&] { return Effects() == kEvents + 20; }, absl::Seconds(30)));
  EXPECT_FALSE(fail_next.load());
  const std::vector<int64_t> all = seen();
  // Each committed transaction's hook saw its own handlers' effects and every earlier one's.
  for (size_t i = 1; i < all.size(); ++i) EXPECT_GT(all[i], all[i - 1]);
  EXPECT_EQ(all.back(), kEvents + 20);
  EXPECT_EQ(consumer_->stats().processed, kEvents + 20);
  EXPECT_EQ(consumer_->stats().dead_lettered, 0);
}

TEST_F(EventsTest, SentRowsAreDeletedAfterRetention) {
  kpo::core::FakeClock clock(absl::Now());
  RelayOptions o = RelayOpts();
  o.retention = absl::Hours(1);
  o.cleanup_interval = absl::Milliseconds(10);
  Outbox outbox({"//kpo.platform/test", kTopic}, clock);
  google::protobuf::StringValue event;
  ASSERT_TRUE(db_->Write([&](Transaction& tx) {
                   return outbox.Append(tx, "organizations/acme", "x", event).status();
                 })
                  .ok());
  auto relay = OutboxRelay::Create(*db_, o, clock, nullptr);
  ASSERT_TRUE(relay.ok());
  relay_ = *std::move(relay);
  relay_->Start();
  ASSERT_TRUE(WaitFor([&] { return CountOutbox(*db_, "")->sent_retained == 1; }));
  clock.Advance(absl::Hours(2));
  ASSERT_TRUE(WaitFor([&] { return CountOutbox(*db_, "")->sent_retained == 0; }));
}

// Two replicas' relays over one PostgreSQL database: only the holder of the relay lease
// publishes; once it is gone the standby takes over, and every event reaches the topic
// once, in the outbox's order.
TEST_F(EventsTest, OneReplicaRelaysAtATimeAndAStandbyTakesOver) {
  if (db_->dialect() != kpo::storage::Dialect::kPostgres) {
    GTEST_SKIP() << "a SQLite database belongs to one process: its relay always holds the lease";
  }
  const std::string url = kpo::testing::SharedPostgresServer().NewDatabase();
  struct Replica {
    std::unique_ptr<kpo::storage::Database> db;
    std::unique_ptr<OutboxRelay> relay;
  };
  auto start = [&](Replica& r) {
    auto db = kpo::storage::OpenPostgres({.url = url, .lease_check = absl::Milliseconds(100)});
    ASSERT_TRUE(db.ok()) << db.status();
    r.db = *std::move(db);
    ASSERT_TRUE(r.db->Migrate("events", Migrations()).ok());
    RelayOptions o = RelayOpts();
    o.lease = r.db->NewLease("test");
    o.standby_poll = absl::Milliseconds(50);
    auto relay = OutboxRelay::Create(*r.db, o, kpo::core::Clock::Real(), nullptr);
    ASSERT_TRUE(relay.ok()) << relay.status();
    r.relay = *std::move(relay);
    r.relay->Start();
  };
  Replica a, b;
  start(a);
  ASSERT_TRUE(WaitFor([&] { return a.relay->stats().active; }));
  start(b);
  auto append = [&](kpo::storage::Database& db, int from, int to) {
    for (int i = from; i < to; ++i) {
      google::protobuf::StringValue event;
      event.set_value(std::to_string(i));
      ASSERT_TRUE(db.Write([&](Transaction& tx) {
                      return outbox_
                          .Append(tx, "organizations/acme", "organizations/acme/x/1", event)
                          .status();
                    }).ok());
    }
  };
  append(*b.db, 0, 20);  // written through the standby's replica, published by a's relay
  ASSERT_TRUE(WaitFor([&] { return CountOutbox(*a.db, "")->pending == 0; }));
  EXPECT_EQ(a.relay->stats().published, 20);
  EXPECT_EQ(b.relay->stats().published, 0);
  EXPECT_FALSE(b.relay->stats().active);

  // The holder goes away (its lease's connection closes with it): b takes over.
  a.relay->Stop(absl::Seconds(1));
  a = Replica{};
  ASSERT_TRUE(WaitFor([&] { return b.relay->stats().active; }, absl::Seconds(10)));
  append(*b.db, 20, 40);
  ASSERT_TRUE(WaitFor([&] { return CountOutbox(*b.db, "")->pending == 0; }));
  EXPECT_EQ(b.relay->stats().published, 20);
  b.relay->Stop(absl::Seconds(1));

  const std::vector<RawRecord> records = ReadAll(cluster_->bootstrap_servers(), kTopic, 40);
  ASSERT_EQ(records.size(), 40u);
  int64_t last = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    EventEnvelope env;
    ASSERT_TRUE(env.ParseFromString(records[i].value));
    google::protobuf::StringValue v;
    ASSERT_TRUE(env.data().UnpackTo(&v));
    EXPECT_EQ(v.value(), std::to_string(i)) << "in the order they were written";
    EXPECT_GT(env.sequence(), last);
    last = env.sequence();
  }
}

}  // namespace
}  // namespace kpo::events
