#pragma once

// Every SQL statement of the curriculum: modules and learning paths (one table, by
// kind), the competencies modules build and the modules paths name, sessions, and
// enrolments. Stateless: call within the caller's transaction.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kpo/people/v1/curriculum.pb.h"
#include "kpo/storage/database.h"
#include "kpo/storage/keyset.h"

namespace kpo::people::store {

inline constexpr char kModuleKind[] = "module";
inline constexpr char kPathKind[] = "path";

template <class T>
struct CurriculumRow {
  int64_t revision = 0;
  T resource;
};

// A module or path by name; nullopt when absent.
template <class T>
absl::StatusOr<std::optional<CurriculumRow<T>>> LoadCurriculum(kpo::storage::Transaction& tx,
                                                               const std::string& org,
                                                               const std::string& name);
// Writes a module (key 0) or a path (key: its role) at `revision`, and its index rows:
// the competencies a module builds, the modules a path names.
absl::Status SaveModule(kpo::storage::Transaction& tx, const std::string& org,
                        const v1::TrainingModule& m, int64_t revision);
absl::Status SavePath(kpo::storage::Transaction& tx, const std::string& org,
                      const v1::LearningPath& p, int64_t revision);

// Modules (by name), optionally only those building `competency`.
absl::StatusOr<std::vector<v1::TrainingModule>> ListModules(kpo::storage::Transaction& tx,
                                                            const std::string& org,
                                                            const std::string& competency,
                                                            bool show_inactive,
                                                            const kpo::storage::KeysetPage& page);
// Paths (by name), optionally of one role.
absl::StatusOr<std::vector<v1::LearningPath>> ListPaths(kpo::storage::Transaction& tx,
                                                        const std::string& org, int role,
                                                        bool show_inactive,
                                                        const kpo::storage::KeysetPage& page);
// The active paths of `role` (at most one, but any found) and those naming `module`.
absl::StatusOr<std::vector<std::string>> ActivePathsOfRole(kpo::storage::Transaction& tx,
                                                           const std::string& org, int role);
absl::StatusOr<std::vector<std::string>> ActivePathsNaming(kpo::storage::Transaction& tx,
                                                           const std::string& org,
                                                           const std::string& module);

struct SessionRow {
  int64_t revision = 0;
  v1::TrainingSession session;
};
absl::StatusOr<std::optional<SessionRow>> LoadSession(kpo::storage::Transaction& tx,
                                                      const std::string& org,
                                                      const std::string& name);
// The stored session without its counts (they are computed when read).
absl::Status SaveSession(kpo::storage::Transaction& tx, const std::string& org,
                         const v1::TrainingSession& s, int64_t revision);
struct SessionFilter {
  std::string site, module;
  int64_t start_after = 0, start_before = 0;  // microseconds; 0: open
  bool show_cancelled = false;
};
// By (start, name).
absl::StatusOr<std::vector<v1::TrainingSession>> ListSessions(kpo::storage::Transaction& tx,
                                                              const std::string& org,
                                                              const SessionFilter& f,
                                                              const kpo::storage::KeysetPage& page);

struct EnrolmentRow {
  int64_t revision = 0;
  v1::Enrolment enrolment;
  int64_t seq = 0;
};
absl::StatusOr<std::optional<EnrolmentRow>> LoadEnrolment(kpo::storage::Transaction& tx,
                                                          const std::string& org,
                                                          const std::string& name);
// `seq` orders the waiting list (kept on updates by the caller).
absl::Status SaveEnrolment(kpo::storage::Transaction& tx, const std::string& org,
                           const std::string& session, const v1::Enrolment& e, int64_t revision,
                           int64_t seq);
// How many enrolments of `session` are in `state`.
absl::StatusOr<int64_t> CountEnrolments(kpo::storage::Transaction& tx, const std::string& org,
                                        const std::string& session, v1::EnrolmentState state);
// Seats taken in `session`: enrolments ENROLLED, ATTENDED, COMPLETED or NO_SHOW.
absl::StatusOr<int64_t> CountSeats(kpo::storage::Transaction& tx, const std::string& org,
                                   const std::string& session);
// The enrolments of `session` in `state`, in enrolment order, up to `limit`.
absl::StatusOr<std::vector<EnrolmentRow>> EnrolmentsInState(kpo::storage::Transaction& tx,
                                                            const std::string& org,
                                                            const std::string& session,
                                                            v1::EnrolmentState state, int limit);
struct EnrolmentFilter {
  std::string session;  // or
  std::string person;
  int state = 0;
};
// By (seq, name).
absl::StatusOr<std::vector<EnrolmentRow>> ListEnrolments(kpo::storage::Transaction& tx,
                                                         const std::string& org,
                                                         const EnrolmentFilter& f,
                                                         const kpo::storage::KeysetPage& page);
// How many WAITLISTED enrolments of `session` enrolled before `seq`.
absl::StatusOr<int64_t> WaitingBefore(kpo::storage::Transaction& tx, const std::string& org,
                                      const std::string& session, int64_t seq);

}  // namespace kpo::people::store
