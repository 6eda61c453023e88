#include "development_load.h"

#include <grpcpp/grpcpp.h>
#include <librdkafka/rdkafka.h>

#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "kpo/common/v1/event.pb.h"
#include "kpo/kaizen/v1/events.pb.h"
#include "kpo/people/v1/development_service.grpc.pb.h"
#include "kpo/people/v1/people_service.grpc.pb.h"

namespace kpo::bench {
namespace {

namespace pb = kpo::people::v1;
namespace kz = kpo::kaizen::v1;

std::string Person(int i) { return absl::StrCat("organizations/acme/people/seed-", i); }

template <class Stub, class Req, class Resp>
void Must(Stub& stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
          const std::string& token, const Req& req, const char* what) {
  Resp resp;
  grpc::Status s;
  // The people service answers at once; retry briefly for anything transient.
  for (int attempt = 0; attempt < 50; ++attempt) {
    grpc::ClientContext ctx;
    kpo::testing::Authorize(ctx, token);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    s = (stub.*method)(&ctx, req, &resp);
    if (s.ok()) return;
    absl::SleepFor(absl::Milliseconds(100));
  }
  std::fprintf(stderr, "kpo-bench: %s failed: %s\n", what, s.error_message().c_str());
  std::exit(1);
}

}  // namespace

void SeedDevelopment(kpo::testing::Stack& stack, const std::string& token) {
  std::fprintf(stderr, "kpo-bench: seeding people development (2,000-person site)\n");
  auto people = stack.People();
  for (int b = 10; b < 20; ++b) {
    pb::BatchCreatePeopleRequest batch;
    batch.set_parent("organizations/acme");
    for (int i = b * 100; i < (b + 1) * 100; ++i) {
      auto* r = batch.add_requests();
      r->set_person_id(absl::StrCat("seed-", i));
      r->mutable_person()->set_display_name(absl::StrCat("Seed ", i));
      r->mutable_person()->set_home_site("organizations/acme/sites/lyon");
      r->mutable_person()->add_roles(i % 10 == 0 ? pb::TEAM_LEADER : pb::TEAM_MEMBER);
    }
    Must<pb::PeopleService::Stub, pb::BatchCreatePeopleRequest, pb::BatchCreatePeopleResponse>(
        *people, &pb::PeopleService::Stub::BatchCreatePeople, token, batch, "BatchCreatePeople");
  }
  auto dev = pb::PeopleDevelopmentService::NewStub(
      grpc::CreateChannel(stack.GrpcAddress("people"), grpc::InsecureChannelCredentials()));
  const std::string c = "organizations/acme/competencies/";
  for (auto [id, role, targets] :
       {std::tuple{"team-member", pb::TEAM_MEMBER,
                   std::vector<std::string>{"five-s", "standard-work", "pdca"}},
        std::tuple{
            "team-leader", pb::TEAM_LEADER,
            std::vector<std::string>{"coaching-kata", "standard-work", "a3-problem-solving"}}}) {
    pb::CreateTargetProfileRequest r;
    r.set_parent("organizations/acme");
    r.set_target_profile_id(id);
    r.mutable_target_profile()->set_display_name(id);
    r.mutable_target_profile()->set_role(role);
    for (const auto& t : targets) {
      auto* target = r.mutable_target_profile()->add_targets();
      target->set_competency(c + t);
      target->set_level(2);
    }
    Must<pb::PeopleDevelopmentService::Stub, pb::CreateTargetProfileRequest, pb::TargetProfile>(
        *dev, &pb::PeopleDevelopmentService::Stub::CreateTargetProfile, token, r,
        "CreateTargetProfile");
  }
  for (int i = 0; i < 2000; ++i) {
    for (const char* competency : {"five-s", "pdca"}) {
      pb::CreateAssessmentRequest r;
      r.set_parent(Person(i));
      r.mutable_assessment()->set_competency(c + competency);
      r.mutable_assessment()->set_level((i + competency[0]) % 5);
      r.mutable_assessment()->mutable_assess_date()->set_year(2026);
      r.mutable_assessment()->mutable_assess_date()->set_month(1 + i % 10);
      r.mutable_assessment()->mutable_assess_date()->set_day(1 + i % 28);
      Must<pb::PeopleDevelopmentService::Stub, pb::CreateAssessmentRequest, pb::Assessment>(
          *dev, &pb::PeopleDevelopmentService::Stub::CreateAssessment, token, r,
          "CreateAssessment");
    }
  }
  // seed-1..seed-50: the exam and a portfolio of approved evidence, two kinds short of
  // Bronze (so "what do they still need" has items to list).
  for (int i = 1; i <= 50; ++i) {
    pb::RecordKnowledgeExamRequest exam;
    exam.set_parent(Person(i));
    exam.set_exam("Lean fundamentals");
    exam.mutable_date()->set_year(2026);
    exam.mutable_date()->set_month(2);
    exam.mutable_date()->set_day(1);
    Must<pb::PeopleDevelopmentService::Stub, pb::RecordKnowledgeExamRequest, pb::Certificate>(
        *dev, &pb::PeopleDevelopmentService::Stub::RecordKnowledgeExam, token, exam,
        "RecordKnowledgeExam");
    for (int e = 0; e < 6; ++e) {
      pb::CreateEvidenceRequest r;
      r.set_parent(Person(i));
      r.set_evidence_id(absl::StrCat("e", e));
      r.mutable_evidence()->set_kind(pb::EVIDENCE_KIND_KAIZEN_PARTICIPATION);
      r.mutable_evidence()->set_title(absl::StrCat("Event ", e));
      r.mutable_evidence()->set_site("organizations/acme/sites/lyon");
      r.mutable_evidence()->mutable_date()->set_year(2026);
      r.mutable_evidence()->mutable_date()->set_month(3);
      r.mutable_evidence()->mutable_date()->set_day(1 + e);
      Must<pb::PeopleDevelopmentService::Stub, pb::CreateEvidenceRequest, pb::Evidence>(
          *dev, &pb::PeopleDevelopmentService::Stub::CreateEvidence, token, r, "CreateEvidence");
      pb::ApproveEvidenceRequest approve;
      approve.set_name(absl::StrCat(Person(i), "/evidence/e", e));
      Must<pb::PeopleDevelopmentService::Stub, pb::ApproveEvidenceRequest, pb::Evidence>(
          *dev, &pb::PeopleDevelopmentService::Stub::ApproveEvidence, token, approve,
          "ApproveEvidence");
    }
  }
}

std::vector<LoadSpec> DevelopmentCalls(kpo::testing::Stack& stack) {
  std::vector<LoadSpec> out;
  pb::QuerySkillsMatrixRequest matrix;
  matrix.set_parent("organizations/acme");
  matrix.set_site("organizations/acme/sites/lyon");
  matrix.set_page_size(50);
  out.push_back({.label = "QuerySkillsMatrix (2,000-person site, 50 rows)",
                 .target = stack.GrpcAddress("people"),
                 .method = "/kpo.people.v1.PeopleDevelopmentService/QuerySkillsMatrix",
                 .requests = {matrix.SerializeAsString()}});
  std::vector<std::string> progress;
  for (int i = 1; i <= 50; ++i) {
    pb::GetCertificationProgressRequest r;
    r.set_name(Person(i) + "/certificationProgress");
    progress.push_back(r.SerializeAsString());
  }
  out.push_back({.label = "GetCertificationProgress (what do I still need)",
                 .target = stack.GrpcAddress("people"),
                 .method = "/kpo.people.v1.PeopleDevelopmentService/GetCertificationProgress",
                 .requests = progress});
  return out;
}

CreditResult CreditProbe(kpo::testing::Stack& stack, int events, int per_event) {
  CreditResult out;
  out.events = events;
  out.credits = events * per_event;
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", stack.bootstrap().c_str(), err, sizeof(err));
  rd_kafka_conf_set(conf, "linger.ms", "5", err, sizeof(err));
  rd_kafka_t* producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (producer == nullptr) {
    std::fprintf(stderr, "kpo-bench: producer: %s\n", err);
    return out;
  }
  const double applied_before =
      stack.MetricValue("people", "kpo_consumer_records_total", "outcome=\"applied\"");
  const absl::Time start = absl::Now();
  for (int i = 0; i < events; ++i) {
    kz::KaizenEventCompleted completed;
    const std::string name = absl::StrCat("organizations/acme/kaizenEvents/credit-", i);
    completed.mutable_kaizen_event()->set_name(name);
    completed.mutable_kaizen_event()->set_title(absl::StrCat("Credited event ", i));
    completed.mutable_kaizen_event()->set_site("organizations/acme/sites/lyon");
    completed.mutable_kaizen_event()->set_event_type(kz::RAPID_IMPROVEMENT);
    completed.mutable_kaizen_event()->mutable_completion_date()->set_year(2026);
    completed.mutable_kaizen_event()->mutable_completion_date()->set_month(11);
    completed.mutable_kaizen_event()->mutable_completion_date()->set_day(2);
    completed.set_revision(5);
    for (int p = 1; p < per_event; ++p) completed.add_participants(Person((i * 7 + p) % 2000));
    completed.set_facilitator(Person((i * 7) % 2000));
    kpo::common::v1::EventEnvelope envelope;
    envelope.set_id(absl::StrCat("bench-credit-", i));
    envelope.set_source("//kpo.platform/kaizen");
    envelope.set_type("kpo.kaizen.v1.KaizenEventCompleted");
    envelope.set_spec_version("1.0");
    *envelope.mutable_time() = google::protobuf::util::TimeUtil::GetCurrentTime();
    envelope.set_subject(name);
    envelope.set_organization("organizations/acme");
    envelope.mutable_data()->PackFrom(completed);
    const std::string value = envelope.SerializeAsString();
    rd_kafka_resp_err_t e;
    while ((e = rd_kafka_producev(producer, RD_KAFKA_V_TOPIC("kpo.kaizen.v1"),
                                  RD_KAFKA_V_KEY(name.data(), name.size()),
                                  RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                  RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END)) ==
           RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(producer, 10);
    }
  }
  rd_kafka_flush(producer, 30000);
  rd_kafka_destroy(producer);
  while (absl::Now() - start < absl::Minutes(1)) {
    const double applied =
        stack.MetricValue("people", "kpo_consumer_records_total", "outcome=\"applied\"");
    if (applied - applied_before >= events) {
      out.complete = true;
      break;
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
  out.took = absl::Now() - start;
  return out;
}

}  // namespace kpo::bench
