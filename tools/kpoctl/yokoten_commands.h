#pragma once

#include <CLI/CLI.hpp>

namespace kpo::kpoctl {

// `practices` and `deployment-tasks`: yokoten (daily kaizen service). Sets `rc` to the
// exit code of the command that ran.
void AddYokotenCommands(CLI::App& app, int& rc);

}  // namespace kpo::kpoctl
