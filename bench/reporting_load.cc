#include "reporting_load.h"

#include <grpcpp/grpcpp.h>
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/time_util.h"
#include "kpo/common/v1/event.pb.h"
#include "kpo/core/date.h"
#include "kpo/daily/v1/daily_service.grpc.pb.h"
#include "kpo/daily/v1/events.pb.h"
#include "kpo/kaizen/v1/events.pb.h"
#include "kpo/people/v1/events.pb.h"
#include "kpo/reporting/v1/projection_service.grpc.pb.h"
#include "kpo/reporting/v1/reporting_service.grpc.pb.h"

namespace kpo::bench {
namespace {

namespace dir = kpo::people::v1;
namespace dk = kpo::daily::v1;
namespace kz = kpo::kaizen::v1;
namespace rp = kpo::reporting::v1;
using google::protobuf::util::TimeUtil;

google::protobuf::Timestamp At(absl::Time t) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

// Produces envelopes onto the topics as the services' relays would.
class Producer {
 public:
  Producer(const std::string& bootstrap, std::string org) : org_(std::move(org)) {
    char err[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof(err));
    rd_kafka_conf_set(conf, "linger.ms", "20", err, sizeof(err));
    rd_kafka_conf_set(conf, "batch.num.messages", "10000", err, sizeof(err));
    rd_kafka_conf_set(conf, "queue.buffering.max.messages", "500000", err, sizeof(err));
    producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    if (producer_ == nullptr) std::fprintf(stderr, "kpo-bench: producer: %s\n", err);
  }
  ~Producer() {
    if (producer_ != nullptr) rd_kafka_destroy(producer_);
  }
  bool ok() const { return producer_ != nullptr; }

  // `message`'s event of type its full name, about `subject`, committed at `at`.
  void Send(const char* topic, const std::string& subject, const google::protobuf::Message& message,
            absl::Time at) {
    kpo::common::v1::EventEnvelope envelope;
    envelope.set_id(absl::StrCat("bench-", org_, "-", ++sent_));
    envelope.set_source("//kpo.platform/bench");
    envelope.set_type(message.GetDescriptor()->full_name());
    envelope.set_spec_version("1.0");
    *envelope.mutable_time() = At(at);
    envelope.set_subject(subject);
    envelope.set_organization(absl::StrCat("organizations/", org_));
    envelope.mutable_data()->PackFrom(message);
    const std::string value = envelope.SerializeAsString();
    while (rd_kafka_producev(producer_, RD_KAFKA_V_TOPIC(topic),
                             RD_KAFKA_V_KEY(subject.data(), subject.size()),
                             RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                             RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(producer_, 10);
    }
    if (sent_ % 10000 == 0) rd_kafka_poll(producer_, 0);
  }
  void Flush() { rd_kafka_flush(producer_, 600000); }
  int64_t sent() const { return sent_; }

 private:
  std::string org_;
  rd_kafka_t* producer_ = nullptr;
  int64_t sent_ = 0;
};

// Every record reporting's consumer has taken in (applied or skipped).
double Consumed(kpo::testing::Stack& stack) {
  return stack.MetricValue("reporting", "kpo_consumer_records_total", "outcome=\"applied\"") +
         stack.MetricValue("reporting", "kpo_consumer_records_total", "outcome=\"skipped\"");
}

}  // namespace

ProjectionResult GenerateAndProject(kpo::testing::Stack& stack, const SyntheticOrganization& s,
                                    absl::Duration timeout) {
  ProjectionResult out;
  Producer producer(stack.bootstrap(), s.id);
  if (!producer.ok()) return out;
  const std::string org = absl::StrCat("organizations/", s.id);
  const absl::Time now = absl::Now();
  const absl::CivilMonth this_month = absl::ToCivilMonth(now, absl::UTCTimeZone());
  const absl::CivilMonth first = this_month - (12 * s.years - 1);
  const absl::Time origin = absl::FromCivil(first, absl::UTCTimeZone()) - absl::Hours(24);
  const char* zones[] = {"Europe/Paris", "Asia/Kolkata", "America/Sao_Paulo", "America/Chicago",
                         "Asia/Shanghai"};
  const double before = Consumed(stack);
  const absl::Time start = absl::Now();

  dir::Organization organization;
  organization.set_name(org);
  organization.set_display_name("Synthetic");
  organization.set_state(dir::ACTIVE);
  dir::OrganizationCreated org_created;
  *org_created.mutable_organization() = organization;
  org_created.set_revision(1);
  producer.Send("kpo.people.v1", org, org_created, origin);
  auto person_name = [&](int site, int p) { return absl::StrCat(org, "/people/s", site, "-p", p); };
  auto site_name = [&](int site) { return absl::StrCat(org, "/sites/s", site); };
  for (int i = 0; i < s.sites; ++i) {
    dir::SiteCreated site;
    site.mutable_site()->set_name(site_name(i));
    site.mutable_site()->set_display_name(absl::StrCat("Site ", i));
    site.mutable_site()->set_time_zone(zones[i % 5]);
    site.mutable_site()->set_state(dir::ACTIVE);
    site.set_revision(1);
    producer.Send("kpo.people.v1", site_name(i), site, origin);
    for (int p = 0; p < s.people_per_site; ++p) {
      dir::PersonCreated person;
      dir::Person& who = *person.mutable_person();
      who.set_name(person_name(i, p));
      who.set_display_name(absl::StrCat("Person ", i, "-", p));
      who.set_home_site(site_name(i));
      who.add_roles(p == 0 ? dir::TEAM_LEADER : dir::TEAM_MEMBER);
      who.set_state(dir::ACTIVE);
      *who.mutable_create_time() = At(origin);
      *who.mutable_update_time() = At(origin);
      person.set_revision(1);
      producer.Send("kpo.people.v1", who.name(), person, origin);
    }
  }

  int64_t n = 0;
  for (absl::CivilMonth month = first; month <= this_month; ++month) {
    const absl::Time month_start = absl::FromCivil(month, absl::UTCTimeZone());
    const absl::Duration month_length =
        absl::FromCivil(month + 1, absl::UTCTimeZone()) - month_start;
    for (int i = 0; i < s.sites; ++i) {
      for (int k = 0; k < s.ideas_per_site_month; ++k) {
        const absl::Time submitted =
            month_start + month_length * (k + 0.5) / (s.ideas_per_site_month + 1);
        if (submitted > now) break;
        dk::Idea idea;
        idea.set_name(absl::StrCat(org, "/ideas/i", ++n));
        idea.set_title("Synthetic idea");
        idea.set_site(site_name(i));
        idea.add_submitters(person_name(i, k % s.people_per_site));
        idea.set_state(dk::IDEA_STATE_SUBMITTED);
        *idea.mutable_create_time() = At(submitted);
        *idea.mutable_update_time() = At(submitted);
        dk::IdeaSubmitted e;
        *e.mutable_idea() = idea;
        e.set_revision(1);
        producer.Send("kpo.daily.v1", idea.name(), e, submitted);
        const absl::Time implemented = submitted + absl::Hours(24 * 20);
        if (k % 2 == 0 && implemented < now) {
          idea.set_state(dk::IDEA_STATE_IMPLEMENTED);
          *idea.mutable_implement_time() = At(implemented);
          idea.mutable_time_to_implement()->set_seconds(
              absl::ToInt64Seconds(implemented - submitted));
          *idea.mutable_update_time() = At(implemented);
          dk::IdeaImplemented done;
          *done.mutable_idea() = idea;
          done.set_revision(3);
          producer.Send("kpo.daily.v1", idea.name(), done, implemented);
        }
      }
      for (int k = 0; k < s.cycles_per_site_month; ++k) {
        const absl::Time held =
            month_start + month_length * (k + 0.5) / (s.cycles_per_site_month + 1);
        if (held > now) break;
        dk::CoachingCycleRecorded e;
        dk::CoachingCycle& c = *e.mutable_coaching_cycle();
        c.set_name(absl::StrCat(org, "/storyboards/b", i, "/coachingCycles/c", ++n));
        c.set_site(site_name(i));
        c.set_learner(person_name(i, 1 + k % std::max(1, s.people_per_site - 1)));
        c.set_coach(person_name(i, 0));
        c.set_coach_kind(k % 3 == 0 ? dk::COACH_KIND_KPO : dk::COACH_KIND_LINE);
        *c.mutable_date() = kpo::core::FromCivil(absl::ToCivilDay(held, absl::UTCTimeZone()));
        e.set_revision(1);
        producer.Send("kpo.daily.v1", c.name(), e, held);
      }
      if (month.month() % 3 == 1) {
        for (int k = 0; k < s.events_per_site_quarter; ++k) {
          const absl::Time proposed = month_start + absl::Hours(24 * (3 + k));
          const absl::Time completed = proposed + absl::Hours(24 * 30);
          if (completed > now) break;
          kz::KaizenEvent event;
          event.set_name(absl::StrCat(org, "/kaizenEvents/k", ++n));
          event.set_title("Synthetic kaizen event");
          event.set_site(site_name(i));
          event.set_state(kz::PROPOSED);
          *event.mutable_create_time() = At(proposed);
          kz::KaizenEventProposed p;
          *p.mutable_kaizen_event() = event;
          p.set_revision(1);
          producer.Send("kpo.kaizen.v1", event.name(), p, proposed);
          event.set_state(kz::COMPLETED);
          event.set_facilitator_kind(k % 2 == 0 ? kz::LINE : kz::KPO);
          *event.mutable_completion_date() =
              kpo::core::FromCivil(absl::ToCivilDay(completed, absl::UTCTimeZone()));
          kz::KaizenEventCompleted c;
          *c.mutable_kaizen_event() = event;
          c.set_revision(4);
          producer.Send("kpo.kaizen.v1", event.name(), c, completed);
        }
      }
    }
  }
  producer.Flush();
  out.events = producer.sent();
  out.produced = absl::Now() - start;
  std::fprintf(stderr, "kpo-bench: %lld events produced in %.1f s; waiting for reporting\n",
               static_cast<long long>(out.events), absl::ToDoubleSeconds(out.produced));
  while (absl::Now() - start < timeout) {
    if (Consumed(stack) - before >= static_cast<double>(out.events)) {
      out.complete = true;
      break;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  out.applied = absl::Now() - start;
  out.reporting_rss_kib = ProcessRssKib(stack.ServicePid("reporting"));
  return out;
}

std::vector<LoadSpec> ReportingCalls(kpo::testing::Stack& stack, const std::string& org) {
  const std::string token = kpo::testing::Stack::Token(org, {"senior_leader"}, "bench-exec");
  rp::GetScorecardRequest card;
  card.set_name(absl::StrCat("organizations/", org, "/scorecard"));
  card.mutable_period()->set_granularity(rp::GRANULARITY_YEAR);
  rp::GetScorecardRequest site = card;
  site.set_name(absl::StrCat("organizations/", org, "/sites/s1/scorecard"));
  rp::RankSitesRequest rank;
  rank.set_name(card.name());
  rank.mutable_period()->set_granularity(rp::GRANULARITY_YEAR);
  rank.set_figure("daily_kaizen.participation_rate");
  rank.set_page_size(50);
  const pid_t pid = stack.ServicePid("reporting");
  const std::string target = stack.GrpcAddress("reporting");
  return {
      {.label = absl::StrCat("GetScorecard (", org, ", year, Redis)"),
       .target = target,
       .method = "/kpo.reporting.v1.ReportingService/GetScorecard",
       .requests = {card.SerializeAsString()},
       .token = token,
       .server_pid = pid},
      {.label = absl::StrCat("GetScorecard (a site of ", org, ", year)"),
       .target = target,
       .method = "/kpo.reporting.v1.ReportingService/GetScorecard",
       .requests = {site.SerializeAsString()},
       .token = token,
       .server_pid = pid},
      {.label = absl::StrCat("RankSites (", org, ", participation, top 50)"),
       .target = target,
       .method = "/kpo.reporting.v1.ReportingService/RankSites",
       .requests = {rank.SerializeAsString()},
       .token = token,
       .server_pid = pid},
  };
}

LatencyResult WriteToFigure(kpo::testing::Stack& stack, const std::string& token, int samples) {
  LatencyResult out;
  auto daily = dk::DailyKaizenService::NewStub(
      grpc::CreateChannel(stack.GrpcAddress("daily"), grpc::InsecureChannelCredentials()));
  auto reporting = rp::ReportingService::NewStub(
      grpc::CreateChannel(stack.GrpcAddress("reporting"), grpc::InsecureChannelCredentials()));
  rp::GetScorecardRequest card;
  card.set_name("organizations/acme/sites/lyon/scorecard");
  card.mutable_period()->set_granularity(rp::GRANULARITY_YEAR);
  auto submitted = [&]() -> int64_t {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + token);
    rp::Scorecard out_card;
    if (!reporting->GetScorecard(&ctx, card, &out_card).ok()) return -1;
    return out_card.daily_kaizen().ideas_submitted();
  };
  std::vector<absl::Duration> times;
  for (int i = 0; i < samples; ++i) {
    const int64_t before = submitted();
    dk::CreateIdeaRequest r;
    r.set_parent("organizations/acme");
    r.set_idea_id(absl::StrCat("latency-", absl::ToUnixMicros(absl::Now()), "-", i));
    dk::Idea* idea = r.mutable_idea();
    idea->set_title("Latency probe");
    idea->set_problem("Walking to fetch parts");
    idea->set_countermeasure("A kitting cart");
    idea->set_category(dk::CATEGORY_DELIVERY);
    idea->set_site("organizations/acme/sites/lyon");
    idea->add_submitters("organizations/acme/people/seed-1");
    idea->set_reviewer("organizations/acme/people/seed-0");
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + token);
    dk::Idea created;
    if (!daily->CreateIdea(&ctx, r, &created).ok()) continue;
    const absl::Time ok = absl::Now();
    while (absl::Now() - ok < absl::Seconds(10) && submitted() <= before) {
    }
    times.push_back(absl::Now() - ok);
  }
  out.samples = static_cast<int>(times.size());
  if (times.empty()) return out;
  out.max = *std::max_element(times.begin(), times.end());
  out.p50 = Percentile(times, 0.5);
  out.p99 = Percentile(times, 0.99);
  return out;
}

RebuildResult Rebuild(kpo::testing::Stack& stack, absl::Duration timeout) {
  RebuildResult out;
  const std::string token =
      kpo::testing::Stack::Token("bench-ops", {"platform_operator"}, "bench-ops");
  auto projections = rp::ProjectionService::NewStub(
      grpc::CreateChannel(stack.GrpcAddress("reporting"), grpc::InsecureChannelCredentials()));
  const absl::Time start = absl::Now();
  rp::ProjectionGeneration started;
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + token);
    const grpc::Status s = projections->StartProjectionRebuild(&ctx, {}, &started);
    if (!s.ok()) {
      std::fprintf(stderr, "kpo-bench: cannot start a rebuild: %s\n", s.error_message().c_str());
      return out;
    }
  }
  while (absl::Now() - start < timeout) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + token);
    rp::ListProjectionGenerationsResponse list;
    if (projections->ListProjectionGenerations(&ctx, {}, &list).ok()) {
      for (const auto& g : list.generations()) {
        if (g.number() != started.number()) continue;
        out.records = g.records_applied();
        if (g.state() == rp::ProjectionGeneration::STATE_SERVING) out.complete = true;
      }
    }
    if (out.complete) break;
    out.reporting_rss_kib =
        std::max(out.reporting_rss_kib, ProcessRssKib(stack.ServicePid("reporting")));
    absl::SleepFor(absl::Milliseconds(50));
  }
  out.took = absl::Now() - start;
  return out;
}

}  // namespace kpo::bench
