#pragma once

#include <CLI/CLI.hpp>

namespace kpo::kpoctl {

// `certification`: the requirements of each level, Knowledge exams, "what does this
// person still need" (progress), applications and their decisions, certificates. Sets
// `rc` to the exit code of the command that ran.
void AddCertificationCommands(CLI::App& app, int& rc);

}  // namespace kpo::kpoctl
