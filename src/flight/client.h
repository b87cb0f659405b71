// A Flight client of a stellar-arrow-source server, for the command-line tools: connects
// with the server's auth and TLS settings and turns transport errors into messages that
// name the server and what to check.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <arrow/flight/client.h>
#include <arrow/result.h>

namespace sas::flight {

/// How to reach a server.
struct ClientOptions {
  /// `grpc://host:port`, `grpc+tcp://…` or `grpc+tls://…`.
  std::string server;
  /// Bearer token sent with every call (empty: none).
  std::string auth_token;
  /// PEM file of the root certificates to trust for TLS (empty: the system's).
  std::string tls_ca_file;
};

/// A connected client; every call carries the bearer token.
class StellarFlightClient {
 public:
  /// Connects to `options.server`; fails on a malformed URI or an unreadable CA file.
  static arrow::Result<std::unique_ptr<StellarFlightClient>> Connect(
      const ClientOptions& options);

  /// Returns the FlightInfo of the stream a ticket string names.
  arrow::Result<std::unique_ptr<arrow::flight::FlightInfo>> GetFlightInfo(
      std::string_view ticket);

  /// Opens the stream of a ticket string.
  arrow::Result<std::unique_ptr<arrow::flight::FlightStreamReader>> DoGet(
      std::string_view ticket);

  /// Runs an action and returns the bodies of its results, concatenated.
  arrow::Result<std::string> DoAction(std::string_view type, std::string_view body);

  /// Returns `status` of a call, reworded to name the server and the likely cause.
  arrow::Status Explain(const arrow::Status& status) const;

 private:
  struct PrivateTag {};

 public:
  /// Use Connect(); public only for std::make_unique.
  StellarFlightClient(PrivateTag, std::string server,
                      std::unique_ptr<arrow::flight::FlightClient> client,
                      arrow::flight::FlightCallOptions call_options);

 private:
  std::string server_;
  std::unique_ptr<arrow::flight::FlightClient> client_;
  arrow::flight::FlightCallOptions call_options_;
};

}  // namespace sas::flight
