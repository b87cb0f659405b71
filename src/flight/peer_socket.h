// The TCP connection of a Flight client, found from the peer name gRPC gives a call, so
// that a client which stopped reading can be disconnected (Arrow Flight has no per-call
// cancel on the server side).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include <arrow/result.h>

namespace sas::flight {

/// An IPv4 or IPv6 address and port (IPv4-mapped IPv6 addresses are held as IPv4).
struct PeerAddress {
  /// AF_INET or AF_INET6.
  int family = 0;
  /// The address in network order (the first 4 bytes for IPv4).
  std::array<uint8_t, 16> address{};
  /// The port in host order.
  uint16_t port = 0;

  bool operator==(const PeerAddress&) const = default;
};

/// Parses a gRPC peer name: "ipv4:127.0.0.1:5000", "ipv6:[::1]:5000" (brackets may be
/// percent-encoded); other kinds (unix:...) are Invalid.
arrow::Result<PeerAddress> ParseGrpcPeer(std::string_view peer);

/// Shuts down, both ways, every TCP socket of this process connected from `peer` to the
/// local port `local_port`; returns how many (the owner still closes them). Linux only.
arrow::Result<int> ShutdownConnectionsFrom(const PeerAddress& peer, uint16_t local_port);

}  // namespace sas::flight
