#include "app/run_main.h"

#include <cstdlib>
#include <iostream>
#include <span>
#include <string>
#include <vector>

#include <arrow/compute/initialize.h>
#include <arrow/config.h>
#include <arrow/filesystem/filesystem.h>

#include "app/analyze_command.h"
#include "app/archive_command.h"
#include "app/client_commands.h"
#include "app/convert_command.h"
#include "app/decode_command.h"
#include "app/ingest_command.h"
#include "app/server.h"
#include "build_info.h"
#include "ops/config.h"
#include "ops/log.h"
#include "ops/metric_catalog.h"

namespace sas::app {
namespace {

constexpr const char* kUsage =
    "Usage: stellar-arrow-source [OPTIONS]        run the server\n"
    "       stellar-arrow-source decode [--format F] [--network N] FILE...\n"
    "       stellar-arrow-source convert --table NAME [--format F] --out PATH FILE...\n"
    "       stellar-arrow-source ingest --source URI [--network N] --start S [--end E] "
    "[--print]\n"
    "       stellar-arrow-source archive --source URI [--network N] --start S --end E "
    "[--out BASE]\n"
    "       stellar-arrow-source analyze --source URI [--network N] --start S --end E "
    "--config FILE [--format F] [--out PATH]\n"
    "       stellar-arrow-source tail [--server grpc://HOST:PORT] [--stream NAME] "
    "[--format table|jsonl|csv]\n"
    "       stellar-arrow-source fetch [--server …] --stream NAME --start S --end E "
    "--out FILE.(parquet|arrow|csv|jsonl)\n"
    "       stellar-arrow-source analytics [--server …] [NAME]\n"
    "       stellar-arrow-source docs configuration|metrics   (docs/*.md, generated)\n"
    "       stellar-arrow-source --version | --help\n\n";

void PrintVersion() {
  std::cout << "stellar-arrow-source " << kVersion << " (Arrow C++ "
            << arrow::GetBuildInfo().version_string << ", Stellar XDR definitions "
            << kXdrDefinitionsHash << ")\n";
}

int RunServerCommand(const std::vector<std::string>& args) {
  arrow::Result<ops::ServerOptions> options =
      ops::ParseServerOptions(args, ops::ProcessEnvironment());
  if (!options.ok()) {
    std::cerr << "stellar-arrow-source: " << options.status().message() << "\n";
    return kExitUsage;
  }
  ops::SetLogLevel(options->log_level);
  arrow::Status status = RunServer(*options);
  if (!status.ok()) {
    ops::LogError("server", "failed", {{"error", status.ToString()}});
    return kExitFailure;
  }
  return kExitOk;
}

/// Runs the command the arguments name.
int RunCommand(std::vector<std::string> args);

}  // namespace

int RunMain(int argc, char** argv) {
  // gRPC (inside Arrow Flight) would print its own plain-text INFO lines (e.g. a failed
  // TLS handshake) on stderr, which must hold JSON lines only; its errors still show.
  setenv("GRPC_VERBOSITY", "ERROR", /*overwrite=*/0);
  int code = RunCommand(std::vector<std::string>(argv + 1, argv + argc));
  // Filesystem modules (S3) must shut down before static destructors run.
  arrow::fs::EnsureFinalized();
  return code;
}

namespace {

int RunCommand(std::vector<std::string> args) {
  if (arrow::Status status = arrow::compute::Initialize(); !status.ok()) {
    std::cerr << "stellar-arrow-source: cannot initialize Arrow compute: "
              << status.ToString() << "\n";
    return kExitFailure;
  }
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << kUsage << ops::FormatOptionsHelp();
    return kExitOk;
  }
  if (args.size() == 2 && args[0] == "docs" && args[1] == "configuration") {
    std::cout << ops::FormatOptionsMarkdown();
    return kExitOk;
  }
  if (args.size() == 2 && args[0] == "docs" && args[1] == "metrics") {
    std::cout << ops::metric::FormatMetricsMarkdown();
    return kExitOk;
  }
  if (!args.empty() && args[0] == "--version") {
    PrintVersion();
    return kExitOk;
  }
  if (!args.empty() && args[0] == "convert") {
    return RunConvertCommand(std::span(args).subspan(1));
  }
  if (!args.empty() && args[0] == "ingest") {
    return RunIngestCommand(std::span(args).subspan(1));
  }
  if (!args.empty() && args[0] == "analyze") {
    return RunAnalyzeCommand(std::span(args).subspan(1));
  }
  if (!args.empty() && args[0] == "archive") {
    return RunArchiveCommand(std::span(args).subspan(1));
  }
  if (!args.empty() && args[0] == "tail")
    return RunTailCommand(std::span(args).subspan(1));
  if (!args.empty() && args[0] == "fetch")
    return RunFetchCommand(std::span(args).subspan(1));
  if (!args.empty() && args[0] == "analytics") {
    return RunAnalyticsCommand(std::span(args).subspan(1));
  }
  if (!args.empty() && args[0] == "decode") {
    return RunDecodeCommand(std::span(args).subspan(1));
  }
  return RunServerCommand(args);
}

}  // namespace
}  // namespace sas::app
