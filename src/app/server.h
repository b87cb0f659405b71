// Wiring of the long-running server: Flight service, operator HTTP endpoints, signals.
#pragma once

#include <arrow/status.h>

#include "ops/config.h"

namespace sas::app {

/// Runs the server until SIGINT or SIGTERM, then stops both servers cleanly.
arrow::Status RunServer(const ops::ServerOptions& options);

}  // namespace sas::app
