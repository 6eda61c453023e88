#pragma once

#include <CLI/CLI.hpp>

namespace kpo::kpoctl {

// `ops` (status, republish, replica) for any service.
void AddOpsCommands(CLI::App& app, int& rc);
// `health`: liveness and readiness of the services.
void AddHealthCommand(CLI::App& app, int& rc);

}  // namespace kpo::kpoctl
