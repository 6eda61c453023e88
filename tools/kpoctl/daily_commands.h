#pragma once

#include <CLI/CLI.hpp>

namespace kpo::kpoctl {

// `ideas`, `circles` and `daily-settings`: every operation of the daily kaizen service. Sets `rc`
// to the exit code of the command that ran.
void AddDailyCommands(CLI::App& app, int& rc);

}  // namespace kpo::kpoctl
