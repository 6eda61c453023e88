#pragma once

#include <CLI/CLI.hpp>

namespace kpo::kpoctl {

// `plan` (a person's development plan) and `study` (its study items). Sets `rc` to the
// exit code of the command that ran.
void AddPlanCommands(CLI::App& app, int& rc);

}  // namespace kpo::kpoctl
