#pragma once

#include <CLI/CLI.hpp>

namespace kpo::kpoctl {

// `events`, `actions`, `audits` and `kaizen-settings`: every operation of the kaizen
// events service. Sets `rc` to the exit code of the command that ran.
void AddKaizenCommands(CLI::App& app, int& rc);

}  // namespace kpo::kpoctl
