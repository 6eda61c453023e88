#pragma once

#include <CLI/CLI.hpp>

namespace kpo::kpoctl {

// `modules`, `learning-paths`, `training-sessions` and `enrolments`: the curriculum in
// the people service. Sets `rc` to the exit code of the command that ran.
void AddCurriculumCommands(CLI::App& app, int& rc);

}  // namespace kpo::kpoctl
