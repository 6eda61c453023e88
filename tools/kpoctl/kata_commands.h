#pragma once

#include <CLI/CLI.hpp>

namespace kpo::kpoctl {

// `storyboards`, `experiments`, `coaching-cycles` and `cadence`: the improvement kata
// operations of the daily kaizen service. Sets `rc` to the exit code of the command
// that ran.
void AddKataCommands(CLI::App& app, int& rc);

}  // namespace kpo::kpoctl
