// The curriculum over a real SQLite file: modules and the competencies they build,
// learning paths per role, sessions, enrolments refused past capacity or put on the
// waiting list and promoted when a seat frees, and attendance and completion.
#include "curriculum.h"

#include "domain/curriculum.h"
#include "fixture.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "kpo/core/errors.h"
#include "kpo/people/v1/events.pb.h"

namespace kpo::people {
namespace {

namespace pb = kpo::people::v1;
using google::protobuf::util::TimeUtil;
using kpo::auth::Principal;
using kpo::core::ErrorMetadata;
using kpo::core::ErrorReason;
using kpo::core::FieldViolationsOf;
using ::testing::ElementsAre;
using testing::kOrg;
using testing::P;
using ::testing::Pair;

std::vector<std::string> Fields(const absl::Status& s) {
  std::vector<std::string> out;
  for (const auto& v : FieldViolationsOf(s)) out.push_back(v.field);
  return out;
}

std::string C(const std::string& id) { return std::string(kOrg) + "/competencies/" + id; }
std::string M(const std::string& id) { return std::string(kOrg) + "/trainingModules/" + id; }
std::string S(const std::string& id) { return std::string(kOrg) + "/trainingSessions/" + id; }

class CurriculumTest : public testing::PeopleFixture {
 protected:
  void SetUp() override {
    PeopleFixture::SetUp();
    curriculum_ = std::make_unique<Curriculum>(*commands_, tokens_);
  }

  absl::StatusOr<pb::TrainingModule> Module(const std::string& id,
                                            std::vector<std::string> competencies) {
    pb::CreateTrainingModuleRequest r;
    r.set_parent(kOrg);
    r.set_training_module_id(id);
    r.mutable_training_module()->set_title("Module " + id);
    for (const auto& c : competencies) r.mutable_training_module()->add_competencies(C(c));
    r.mutable_training_module()->set_duration_minutes(240);
    return curriculum_->CreateTrainingModule(kpo_, r);
  }

  absl::StatusOr<pb::LearningPath> Path(const std::string& id, pb::Role role,
                                        std::vector<std::string> modules) {
    pb::CreateLearningPathRequest r;
    r.set_parent(kOrg);
    r.set_learning_path_id(id);
    r.mutable_learning_path()->set_title("Path " + id);
    r.mutable_learning_path()->set_role(role);
    for (const auto& m : modules) r.mutable_learning_path()->add_modules(M(m));
    return curriculum_->CreateLearningPath(kpo_, r);
  }

  // A session of `module` taught by tl at Lyon, a week from now.
  absl::StatusOr<pb::TrainingSession> Session(const std::string& id, const std::string& module,
                                              int capacity) {
    pb::CreateTrainingSessionRequest r;
    r.set_parent(kOrg);
    r.set_training_session_id(id);
    auto* s = r.mutable_training_session();
    s->set_module(M(module));
    s->set_trainer(P("tl"));
    s->set_site(std::string(kOrg) + "/sites/lyon");
    s->set_place("Training room B");
    *s->mutable_start_time() =
        TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(clock_.Now() + absl::Hours(24 * 7)));
    s->set_capacity(capacity);
    return curriculum_->CreateTrainingSession(kpo_, r);
  }

  absl::StatusOr<pb::Enrolment> Enrol(const std::string& session, const std::string& person,
                                      const Principal& by, bool waitlist = false) {
    pb::CreateEnrolmentRequest r;
    r.set_parent(S(session));
    r.set_person(P(person));
    r.set_join_waitlist(waitlist);
    return curriculum_->CreateEnrolment(by, r);
  }

  pb::Enrolment Get(const std::string& session, const std::string& person) {
    pb::GetEnrolmentRequest r;
    r.set_name(S(session) + "/enrolments/" + person);
    return curriculum_->GetEnrolment(admin_, r).value();
  }

  absl::StatusOr<pb::Enrolment> Outcome(const std::string& session, const std::string& person,
                                        const Principal& by, bool attended, bool passed,
                                        int score) {
    pb::RecordTrainingOutcomeRequest r;
    r.set_name(S(session) + "/enrolments/" + person);
    r.set_attended(attended);
    r.set_passed(passed);
    r.set_score_percent(score);
    return curriculum_->RecordTrainingOutcome(by, r);
  }

  pb::TrainingSession GetSession(const std::string& id) {
    pb::GetTrainingSessionRequest r;
    r.set_name(S(id));
    return curriculum_->GetTrainingSession(admin_, r).value();
  }

  Principal ann_{"ann", "acme", {kpo::auth::kTeamMember}};
  std::unique_ptr<Curriculum> curriculum_;
};

TEST_F(CurriculumTest, ModulesBuildActiveCompetenciesAndStayWhileAPathNamesThem) {
  auto module = Module("kata-basics", {"improvement-kata", "coaching-kata"});
  ASSERT_TRUE(module.ok()) << module.status();
  EXPECT_EQ(module->state(), pb::ACTIVE);
  EXPECT_EQ(LastEvent<pb::TrainingModuleCreated>().training_module().name(), M("kata-basics"));
  ASSERT_TRUE(Module("five-s-day", {"five-s"}).ok());
  EXPECT_EQ(Module("kata-basics", {"pdca"}).status().code(), absl::StatusCode::kAlreadyExists);
  pb::CreateTrainingModuleRequest bad;
  bad.set_parent(kOrg);
  bad.mutable_training_module()->add_competencies(C("juggling"));
  bad.mutable_training_module()->add_competencies(C("juggling"));
  bad.mutable_training_module()->set_duration_minutes(5);
  const int64_t before = OutboxCount();
  EXPECT_THAT(Fields(curriculum_->CreateTrainingModule(kpo_, bad).status()),
              ElementsAre("training_module.title", "training_module.competencies[1]",
                          "training_module.duration_minutes", "training_module.competencies[0]"));
  EXPECT_EQ(OutboxCount(), before);
  // Which modules build coaching kata.
  pb::ListTrainingModulesRequest list;
  list.set_parent(kOrg);
  list.set_competency(C("coaching-kata"));
  auto building = curriculum_->ListTrainingModules(ann_, list);
  ASSERT_TRUE(building.ok()) << building.status();
  ASSERT_EQ(building->training_modules_size(), 1);
  EXPECT_EQ(building->training_modules(0).name(), M("kata-basics"));

  ASSERT_TRUE(Path("team-leader", pb::TEAM_LEADER, {"five-s-day", "kata-basics"}).ok());
  pb::DeactivateTrainingModuleRequest retire;
  retire.set_name(M("kata-basics"));
  auto in_use = curriculum_->DeactivateTrainingModule(kpo_, retire);
  EXPECT_EQ(ErrorReason(in_use.status()), "MODULE_IN_USE");
  EXPECT_THAT(ErrorMetadata(in_use.status()),
              ::testing::Contains(
                  Pair("learning_paths", std::string(kOrg) + "/learningPaths/team-leader")));
  pb::UpdateLearningPathRequest shorter;
  shorter.mutable_learning_path()->set_name(std::string(kOrg) + "/learningPaths/team-leader");
  shorter.mutable_learning_path()->add_modules(M("five-s-day"));
  shorter.mutable_update_mask()->add_paths("modules");
  auto updated = curriculum_->UpdateLearningPath(kpo_, shorter);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->etag(), "2");
  auto retired = curriculum_->DeactivateTrainingModule(kpo_, retire);
  ASSERT_TRUE(retired.ok()) << retired.status();
  EXPECT_EQ(retired->state(), pb::INACTIVE);
  EXPECT_EQ(curriculum_->ListTrainingModules(ann_, list)->training_modules_size(), 0);
  // A retired module is no longer put on a path or scheduled.
  EXPECT_THAT(Fields(Path("middle-manager", pb::MIDDLE_MANAGER, {"kata-basics"}).status()),
              ElementsAre("learning_path.modules[0]"));
  EXPECT_THAT(Fields(Session("s1", "kata-basics", 10).status()),
              ElementsAre("training_session.module"));
}

TEST_F(CurriculumTest, ARoleFollowsOneLearningPath) {
  ASSERT_TRUE(Module("five-s-day", {"five-s"}).ok());
  ASSERT_TRUE(Path("team-member", pb::TEAM_MEMBER, {"five-s-day"}).ok());
  auto second = Path("team-member-2", pb::TEAM_MEMBER, {"five-s-day"});
  EXPECT_EQ(second.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ErrorReason(second.status()), "ROLE_HAS_LEARNING_PATH");
  EXPECT_THAT(Fields(Path("x", pb::ROLE_UNSPECIFIED, {"five-s-day", "five-s-day"}).status()),
              ElementsAre("learning_path.role", "learning_path.modules[1]"));
  pb::ListLearningPathsRequest list;
  list.set_parent(kOrg);
  list.set_role(pb::TEAM_MEMBER);
  EXPECT_EQ(curriculum_->ListLearningPaths(ann_, list)->learning_paths_size(), 1);
}

TEST_F(CurriculumTest, APastStartTheWrongTrainerOrNoSeatsAreRefused) {
  ASSERT_TRUE(Module("five-s-day", {"five-s"}).ok());
  pb::CreateTrainingSessionRequest r;
  r.set_parent(kOrg);
  auto* s = r.mutable_training_session();
  s->set_module(M("five-s-day"));
  s->set_trainer(P("nobody"));
  s->set_site(std::string(kOrg) + "/sites/atlantis");
  *s->mutable_start_time() =
      TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(clock_.Now() - absl::Hours(1)));
  EXPECT_THAT(Fields(curriculum_->CreateTrainingSession(kpo_, r).status()),
              ElementsAre("training_session.place", "training_session.capacity",
                          "training_session.start_time", "training_session.trainer",
                          "training_session.site"));
}

TEST_F(CurriculumTest, PastCapacityIsRefusedOrWaitsAndAFreedSeatGoesToTheFirstWaiting) {
  ASSERT_TRUE(Module("five-s-day", {"five-s"}).ok());
  ASSERT_TRUE(Session("s1", "five-s-day", 2).ok());
  auto ann = Enrol("s1", "ann", ann_);  // herself
  ASSERT_TRUE(ann.ok()) << ann.status();
  EXPECT_EQ(ann->state(), pb::ENROLMENT_STATE_ENROLLED);
  EXPECT_EQ(ann->enrolled_by(), P("ann"));
  const auto event = LastEvent<pb::EnrolmentChanged>();
  EXPECT_EQ(event.session(), S("s1"));
  EXPECT_EQ(event.module(), M("five-s-day"));
  EXPECT_EQ(event.person_site(), std::string(kOrg) + "/sites/lyon");
  EXPECT_EQ(event.previous_state(), pb::ENROLMENT_STATE_UNSPECIFIED);
  EXPECT_EQ(Enrol("s1", "ann", ann_).status().code(), absl::StatusCode::kAlreadyExists);
  // peer is not above ben: refused; ben's team leader enrols him.
  EXPECT_EQ(ErrorReason(Enrol("s1", "ben", peer_).status()), "NOT_AN_ENROLLER");
  ASSERT_TRUE(Enrol("s1", "ben", tl_).ok());
  // Full.
  auto full = Enrol("s1", "raj", kpo_);
  EXPECT_EQ(ErrorReason(full.status()), "SESSION_FULL");
  EXPECT_THAT(ErrorMetadata(full.status()), ::testing::Contains(Pair("capacity", "2")));
  auto raj = Enrol("s1", "raj", kpo_, /*waitlist=*/true);
  ASSERT_TRUE(raj.ok()) << raj.status();
  EXPECT_EQ(raj->state(), pb::ENROLMENT_STATE_WAITLISTED);
  EXPECT_EQ(raj->waitlist_position(), 1);
  clock_.Advance(absl::Seconds(1));
  auto peer = Enrol("s1", "peer", mgr_, true);
  ASSERT_TRUE(peer.ok());
  EXPECT_EQ(peer->waitlist_position(), 2);
  pb::TrainingSession session = GetSession("s1");
  EXPECT_EQ(session.enrolled_count(), 2);
  EXPECT_EQ(session.waitlisted_count(), 2);

  // Ann cancels: Raj, first in line, gets her seat; Peer moves up.
  pb::CancelEnrolmentRequest cancel;
  cancel.set_name(ann->name());
  auto cancelled = curriculum_->CancelEnrolment(ann_, cancel);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  EXPECT_EQ(cancelled->state(), pb::ENROLMENT_STATE_CANCELLED);
  EXPECT_EQ(Get("s1", "raj").state(), pb::ENROLMENT_STATE_ENROLLED);
  EXPECT_EQ(LastEvent<pb::EnrolmentChanged>().previous_state(), pb::ENROLMENT_STATE_WAITLISTED);
  EXPECT_EQ(Get("s1", "peer").waitlist_position(), 1);
  EXPECT_EQ(ErrorReason(curriculum_->CancelEnrolment(ann_, cancel).status()), "ENROLMENT_NOT_OPEN");
  // Ann comes back: the session is full again, so she waits behind Peer.
  clock_.Advance(absl::Seconds(1));
  auto back = Enrol("s1", "ann", ann_, true);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->state(), pb::ENROLMENT_STATE_WAITLISTED);
  EXPECT_EQ(back->waitlist_position(), 2);

  // Fewer seats than taken is refused; more seats go to the waiting list in order.
  pb::UpdateTrainingSessionRequest seats;
  seats.mutable_training_session()->set_name(S("s1"));
  seats.mutable_training_session()->set_capacity(1);
  seats.mutable_update_mask()->add_paths("capacity");
  EXPECT_EQ(ErrorReason(curriculum_->UpdateTrainingSession(kpo_, seats).status()),
            "CAPACITY_BELOW_ENROLMENT");
  seats.mutable_training_session()->set_capacity(3);
  auto bigger = curriculum_->UpdateTrainingSession(kpo_, seats);
  ASSERT_TRUE(bigger.ok()) << bigger.status();
  EXPECT_EQ(bigger->enrolled_count(), 3);
  EXPECT_EQ(bigger->waitlisted_count(), 1);
  EXPECT_EQ(Get("s1", "peer").state(), pb::ENROLMENT_STATE_ENROLLED);
  EXPECT_EQ(Get("s1", "ann").waitlist_position(), 1);

  // The session's roster, in enrolment order; a person's record across sessions.
  pb::ListEnrolmentsRequest roster;
  roster.set_parent(S("s1"));
  auto listed = curriculum_->ListEnrolments(ann_, roster);
  ASSERT_TRUE(listed.ok()) << listed.status();
  std::vector<std::string> who;
  for (const auto& e : listed->enrolments()) who.push_back(e.person());
  EXPECT_THAT(who, ElementsAre(P("ben"), P("raj"), P("peer"), P("ann")));
  roster.set_parent(std::string(kOrg) + "/trainingSessions/-");
  EXPECT_THAT(Fields(curriculum_->ListEnrolments(ann_, roster).status()), ElementsAre("person"));
  roster.set_person(P("ann"));
  EXPECT_EQ(curriculum_->ListEnrolments(ann_, roster)->enrolments_size(), 1);
}

TEST_F(CurriculumTest, TheTrainerRecordsAttendanceAndCompletionOnceAfterTheSessionStarts) {
  ASSERT_TRUE(Module("kata-basics", {"improvement-kata", "coaching-kata"}).ok());
  ASSERT_TRUE(Session("s1", "kata-basics", 10).ok());
  for (const char* person : {"ann", "ben", "raj"}) ASSERT_TRUE(Enrol("s1", person, kpo_).ok());
  EXPECT_EQ(ErrorReason(Outcome("s1", "ann", tl_, true, true, 90).status()), "SESSION_NOT_STARTED");
  clock_.Advance(absl::Hours(24 * 7 + 4));
  EXPECT_EQ(ErrorReason(Enrol("s1", "peer", kpo_).status()), "SESSION_STARTED");
  EXPECT_EQ(ErrorReason(Outcome("s1", "ann", peer_, true, true, 90).status()), "NOT_THE_TRAINER");
  EXPECT_THAT(Fields(Outcome("s1", "ann", tl_, false, true, 120).status()),
              ElementsAre("score_percent", "passed"));
  auto done = Outcome("s1", "ann", tl_, true, true, 90);
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->state(), pb::ENROLMENT_STATE_COMPLETED);
  EXPECT_EQ(done->recorded_by(), P("tl"));
  const auto completed = LastEvent<pb::TrainingCompleted>();
  EXPECT_EQ(completed.enrolment().person(), P("ann"));
  EXPECT_THAT(completed.competencies(), ElementsAre(C("improvement-kata"), C("coaching-kata")));
  EXPECT_EQ(completed.duration_minutes(), 240);
  EXPECT_EQ(completed.person_area(), std::string(kOrg) + "/sites/lyon/areas/assembly");
  EXPECT_EQ(ErrorReason(Outcome("s1", "ann", tl_, true, true, 90).status()), "ENROLMENT_NOT_OPEN");
  const int64_t before = OutboxCount();
  EXPECT_EQ(Outcome("s1", "ben", kpo_, true, false, 45)->state(), pb::ENROLMENT_STATE_ATTENDED);
  EXPECT_EQ(Outcome("s1", "raj", admin_, false, false, 0)->state(), pb::ENROLMENT_STATE_NO_SHOW);
  EXPECT_EQ(OutboxCount(), before + 2);             // EnrolmentChanged each; no TrainingCompleted
  EXPECT_EQ(GetSession("s1").enrolled_count(), 3);  // seats stay taken
}

TEST_F(CurriculumTest, ACancelledSessionCancelsItsEnrolments) {
  ASSERT_TRUE(Module("five-s-day", {"five-s"}).ok());
  ASSERT_TRUE(Session("s1", "five-s-day", 1).ok());
  ASSERT_TRUE(Enrol("s1", "ann", kpo_).ok());
  ASSERT_TRUE(Enrol("s1", "ben", kpo_, true).ok());
  pb::CancelTrainingSessionRequest cancel;
  cancel.set_name(S("s1"));
  auto cancelled = curriculum_->CancelTrainingSession(kpo_, cancel);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  EXPECT_EQ(cancelled->state(), pb::TRAINING_SESSION_STATE_CANCELLED);
  EXPECT_EQ(cancelled->enrolled_count(), 0);
  EXPECT_EQ(cancelled->waitlisted_count(), 0);
  EXPECT_EQ(Get("s1", "ann").state(), pb::ENROLMENT_STATE_CANCELLED);
  EXPECT_EQ(Get("s1", "ben").state(), pb::ENROLMENT_STATE_CANCELLED);
  EXPECT_EQ(ErrorReason(Enrol("s1", "raj", kpo_).status()), "SESSION_CANCELLED");
  pb::ListTrainingSessionsRequest list;
  list.set_parent(kOrg);
  EXPECT_EQ(curriculum_->ListTrainingSessions(ann_, list)->training_sessions_size(), 0);
  list.set_show_cancelled(true);
  EXPECT_EQ(curriculum_->ListTrainingSessions(ann_, list)->training_sessions_size(), 1);
}

TEST_F(CurriculumTest, AnotherOrganizationSeesAndChangesNothing) {
  ASSERT_TRUE(Module("five-s-day", {"five-s"}).ok());
  ASSERT_TRUE(Session("s1", "five-s-day", 1).ok());
  pb::GetTrainingModuleRequest get;
  get.set_name(M("five-s-day"));
  EXPECT_EQ(curriculum_->GetTrainingModule(globex_, get).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Enrol("s1", "ann", globex_).status().code(), absl::StatusCode::kPermissionDenied);
  pb::CreateEnrolmentRequest foreign;
  foreign.set_parent(S("s1"));
  foreign.set_person("organizations/globex/people/spy");
  EXPECT_EQ(curriculum_->CreateEnrolment(kpo_, foreign).status().code(),
            absl::StatusCode::kPermissionDenied);
  pb::ListTrainingSessionsRequest list;
  list.set_parent(kOrg);
  EXPECT_EQ(curriculum_->ListTrainingSessions(globex_, list).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(CurriculumRulesTest, AnOutcomeGivesTheEnrolmentItsState) {
  EXPECT_EQ(domain::OutcomeState(true, true), pb::ENROLMENT_STATE_COMPLETED);
  EXPECT_EQ(domain::OutcomeState(true, false), pb::ENROLMENT_STATE_ATTENDED);
  EXPECT_EQ(domain::OutcomeState(false, false), pb::ENROLMENT_STATE_NO_SHOW);
  EXPECT_TRUE(domain::HoldsSeat(pb::ENROLMENT_STATE_NO_SHOW));
  EXPECT_FALSE(domain::HoldsSeat(pb::ENROLMENT_STATE_WAITLISTED));
  EXPECT_FALSE(domain::HoldsSeat(pb::ENROLMENT_STATE_CANCELLED));
}

}  // namespace
}  // namespace kpo::people
