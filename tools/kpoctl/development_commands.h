#pragma once

#include <CLI/CLI.hpp>

namespace kpo::kpoctl {

// `competencies`, `target-profiles`, `assessments`, `skills` (profile, matrix) and
// `evidence` (portfolios) and `kpo-office`:
// people development in the people service. Sets `rc` to the exit code of the command
// that ran.
void AddDevelopmentCommands(CLI::App& app, int& rc);

}  // namespace kpo::kpoctl
