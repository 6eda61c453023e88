#pragma once

#include <CLI/CLI.hpp>

namespace kpo::kpoctl {

// `orgs`, `sites`, `areas`, `people` (with `import`) and `coaching`: every operation of
// the people service's directory. Sets `rc` to the exit code of the command that ran.
void AddPeopleCommands(CLI::App& app, int& rc);

}  // namespace kpo::kpoctl
