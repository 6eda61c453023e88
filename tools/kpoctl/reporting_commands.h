#pragma once

#include <CLI/CLI.hpp>

namespace kpo::kpoctl {

// `scorecard` (one scope, one period) and `trend` (consecutive periods, with a terminal
// chart of one figure). Sets `rc` to the exit code of the command that ran.
void AddReportingCommands(CLI::App& app, int& rc);

}  // namespace kpo::kpoctl
