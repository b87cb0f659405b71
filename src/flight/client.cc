#include "flight/client.h"

#include <fstream>
#include <sstream>

#include <arrow/buffer.h>

namespace sas::flight {
namespace fl = arrow::flight;
namespace {

/// Returns the server's own words: Flight wraps them in "Flight returned <code> error,
/// with message: " and ". gRPC client debug context: …".
std::string ServerMessage(const arrow::Status& status) {
  constexpr std::string_view kPrefix = "with message: ";
  constexpr std::string_view kSuffix = ". gRPC client debug context:";
  std::string message = status.message();
  if (size_t at = message.find(kPrefix); at != std::string::npos) {
    message = message.substr(at + kPrefix.size());
  }
  if (size_t at = message.find(kSuffix); at != std::string::npos) message.resize(at);
  return message;
}

arrow::Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return arrow::Status::IOError("cannot read the TLS CA file ", path);
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

}  // namespace

StellarFlightClient::StellarFlightClient(PrivateTag, std::string server,
                                         std::unique_ptr<fl::FlightClient> client,
                                         fl::FlightCallOptions call_options)
    : server_(std::move(server)),
      client_(std::move(client)),
      call_options_(std::move(call_options)) {}

arrow::Result<std::unique_ptr<StellarFlightClient>> StellarFlightClient::Connect(
    const ClientOptions& options) {
  auto location = fl::Location::Parse(options.server);
  if (!location.ok() || !options.server.starts_with("grpc")) {
    return arrow::Status::Invalid("--server='", options.server,
                                  "': expected grpc://host:port or grpc+tls://host:port");
  }
  auto client_options = fl::FlightClientOptions::Defaults();
  if (!options.tls_ca_file.empty()) {
    ARROW_ASSIGN_OR_RAISE(client_options.tls_root_certs, ReadFile(options.tls_ca_file));
  }
  auto client = fl::FlightClient::Connect(*location, client_options);
  if (!client.ok()) {
    return arrow::Status::IOError("cannot connect to ", options.server, ": ",
                                  ServerMessage(client.status()));
  }
  fl::FlightCallOptions call_options;
  if (!options.auth_token.empty()) {
    call_options.headers.emplace_back("authorization", "Bearer " + options.auth_token);
  }
  return std::make_unique<StellarFlightClient>(
      PrivateTag{}, options.server, std::move(*client), std::move(call_options));
}

arrow::Status StellarFlightClient::Explain(const arrow::Status& status) const {
  if (status.ok()) return status;
  auto detail = fl::FlightStatusDetail::UnwrapStatus(status);
  std::string message = ServerMessage(status);
  if (detail == nullptr) return status.WithMessage(server_, ": ", message);
  switch (detail->code()) {
    case fl::FlightStatusCode::Unavailable:
      return arrow::Status::IOError("cannot reach ", server_,
                                    " (is the server running, and is the address and "
                                    "grpc:// or grpc+tls:// right?): ",
                                    message);
    case fl::FlightStatusCode::Unauthenticated:
    case fl::FlightStatusCode::Unauthorized:
      return arrow::Status::IOError("authentication failed at ", server_,
                                    " (check --auth-token / AUTH_TOKEN): ", message);
    case fl::FlightStatusCode::Cancelled:
      return arrow::Status::Cancelled(server_, " cancelled the stream: ", message);
    default:
      return status.WithMessage(server_, ": ", message);
  }
}

arrow::Result<std::unique_ptr<fl::FlightInfo>> StellarFlightClient::GetFlightInfo(
    std::string_view ticket) {
  auto info = client_->GetFlightInfo(call_options_,
                                     fl::FlightDescriptor::Command(std::string(ticket)));
  if (!info.ok()) return Explain(info.status());
  return std::move(*info);
}

arrow::Result<std::unique_ptr<fl::FlightStreamReader>> StellarFlightClient::DoGet(
    std::string_view ticket) {
  auto reader = client_->DoGet(call_options_, fl::Ticket{std::string(ticket)});
  if (!reader.ok()) return Explain(reader.status());
  return std::move(*reader);
}

arrow::Result<std::string> StellarFlightClient::DoAction(std::string_view type,
                                                         std::string_view body) {
  fl::Action action{std::string(type), arrow::Buffer::FromString(std::string(body))};
  auto results = client_->DoAction(call_options_, action);
  if (!results.ok()) return Explain(results.status());
  std::string text;
  while (true) {
    auto result = (*results)->Next();
    if (!result.ok()) return Explain(result.status());
    if (*result == nullptr) break;
    text += (*result)->body->ToString();
  }
  return text;
}

}  // namespace sas::flight
