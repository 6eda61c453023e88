#pragma once

#include <CLI/CLI.hpp>

namespace kpo::kpoctl {

// `gemba` and `follow-ups`: gemba walks and their follow-up actions (daily kaizen
// service). Sets `rc` to the exit code of the command that ran.
void AddGembaCommands(CLI::App& app, int& rc);

}  // namespace kpo::kpoctl
