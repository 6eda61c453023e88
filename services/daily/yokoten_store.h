#pragma once

// The SQL of yokoten: practices and their deployment tasks (the rules of store.h).

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kpo/daily/v1/resources.pb.h"
#include "kpo/storage/database.h"
#include "kpo/storage/keyset.h"

namespace kpo::daily::store {

using kpo::storage::Transaction;

struct PracticeRow {
  int64_t revision = 0;
  v1::Practice practice;
};

absl::StatusOr<std::optional<PracticeRow>> LoadPractice(Transaction& tx, const std::string& org,
                                                        const std::string& name);
absl::Status SavePractice(Transaction& tx, const std::string& org, const v1::Practice& practice,
                          int64_t revision);

// By name; at most one filter is set.
struct PracticeFilter {
  std::string origin_site;
  std::string idea;
  std::string strategic_objective;
};
absl::StatusOr<std::vector<v1::Practice>> ListPractices(Transaction& tx, const std::string& org,
                                                        const PracticeFilter& filter,
                                                        const kpo::storage::KeysetPage& page);

// How many tasks of the practice are in each state.
absl::StatusOr<std::map<v1::DeploymentState, int32_t>> CountTasks(Transaction& tx,
                                                                  const std::string& org,
                                                                  const std::string& practice);

struct TaskRow {
  int64_t revision = 0;
  v1::DeploymentTask task;
};

absl::StatusOr<std::optional<TaskRow>> LoadTask(Transaction& tx, const std::string& org,
                                                const std::string& name);
absl::Status SaveTask(Transaction& tx, const std::string& org, const std::string& practice,
                      const v1::DeploymentTask& task, int64_t revision);

// By (due date, name); unset fields do not filter; due_before YYYYMMDD (0: none).
struct TaskFilter {
  std::string practice;
  std::string owner;
  std::string site;
  v1::DeploymentState state = v1::DEPLOYMENT_STATE_UNSPECIFIED;
  int64_t due_before = 0;
};
absl::StatusOr<std::vector<v1::DeploymentTask>> ListTasks(Transaction& tx, const std::string& org,
                                                          const TaskFilter& filter,
                                                          const kpo::storage::KeysetPage& page);

}  // namespace kpo::daily::store
