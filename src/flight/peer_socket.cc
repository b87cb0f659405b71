#include "flight/peer_socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>

namespace sas::flight {
namespace {

/// Decodes %XX escapes (gRPC writes IPv6 brackets as %5B and %5D).
std::string PercentDecoded(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned value = 0;
    if (text[i] == '%' && i + 2 < text.size() &&
        std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16).ptr ==
            text.data() + i + 3) {
      out.push_back(static_cast<char>(value));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

arrow::Result<uint16_t> ParsePort(std::string_view text, std::string_view peer) {
  uint32_t port = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (error != std::errc() || end != text.data() + text.size() || text.empty() ||
      port > UINT16_MAX) {
    return arrow::Status::Invalid("peer '", peer, "' has no valid port");
  }
  return static_cast<uint16_t>(port);
}

/// Holds an IPv4-mapped IPv6 address as the IPv4 address it is.
PeerAddress Normalized(PeerAddress address) {
  constexpr std::array<uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0,    0,
                                                     0, 0, 0, 0, 0xff, 0xff};
  if (address.family == AF_INET6 &&
      std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), address.address.begin())) {
    PeerAddress v4;
    v4.family = AF_INET;
    std::copy_n(address.address.begin() + 12, 4, v4.address.begin());
    v4.port = address.port;
    return v4;
  }
  return address;
}

std::optional<PeerAddress> FromSockaddr(const sockaddr_storage& storage) {
  PeerAddress address;
  if (storage.ss_family == AF_INET) {
    sockaddr_in in;
    std::memcpy(&in, &storage, sizeof(in));
    address.family = AF_INET;
    std::memcpy(address.address.data(), &in.sin_addr, 4);
    address.port = ntohs(in.sin_port);
    return address;
  }
  if (storage.ss_family == AF_INET6) {
    sockaddr_in6 in6;
    std::memcpy(&in6, &storage, sizeof(in6));
    address.family = AF_INET6;
    std::memcpy(address.address.data(), &in6.sin6_addr, 16);
    address.port = ntohs(in6.sin6_port);
    return Normalized(address);
  }
  return std::nullopt;
}

/// The local or remote address of socket `fd` (nullopt: not an IP socket).
std::optional<PeerAddress> SocketAddress(int fd, bool remote) {
  sockaddr_storage storage{};
  socklen_t length = sizeof(storage);
  auto* address = reinterpret_cast<sockaddr*>(&storage);
  int failed =
      remote ? getpeername(fd, address, &length) : getsockname(fd, address, &length);
  if (failed != 0) return std::nullopt;
  return FromSockaddr(storage);
}

}  // namespace

arrow::Result<PeerAddress> ParseGrpcPeer(std::string_view peer) {
  PeerAddress address;
  std::string host;
  std::string_view port;
  if (peer.starts_with("ipv4:")) {
    std::string_view rest = peer.substr(5);
    size_t colon = rest.rfind(':');
    if (colon == std::string_view::npos) {
      return arrow::Status::Invalid("peer '", peer, "' has no port");
    }
    address.family = AF_INET;
    host = std::string(rest.substr(0, colon));
    port = rest.substr(colon + 1);
  } else if (peer.starts_with("ipv6:")) {
    std::string rest = PercentDecoded(peer.substr(5));
    size_t close = rest.rfind("]:");
    if (rest.empty() || rest.front() != '[' || close == std::string::npos) {
      return arrow::Status::Invalid("peer '", peer, "' is not ipv6:[address]:port");
    }
    address.family = AF_INET6;
    host = rest.substr(1, close - 1);
    host = host.substr(0, host.find('%'));  // a zone id names the interface only
    ARROW_ASSIGN_OR_RAISE(address.port,
                          ParsePort(std::string_view(rest).substr(close + 2), peer));
    if (inet_pton(AF_INET6, host.c_str(), address.address.data()) != 1) {
      return arrow::Status::Invalid("peer '", peer, "' has no valid IPv6 address");
    }
    return Normalized(address);
  } else {
    return arrow::Status::Invalid("peer '", peer, "' is not an ipv4: or ipv6: address");
  }
  ARROW_ASSIGN_OR_RAISE(address.port, ParsePort(port, peer));
  if (inet_pton(AF_INET, host.c_str(), address.address.data()) != 1) {
    return arrow::Status::Invalid("peer '", peer, "' has no valid IPv4 address");
  }
  return address;
}

arrow::Result<int> ShutdownConnectionsFrom(const PeerAddress& peer, uint16_t local_port) {
  std::error_code error;
  int shut = 0;
  for (std::filesystem::directory_iterator fds("/proc/self/fd", error), end;
       !error && fds != end; fds.increment(error)) {
    std::string name = fds->path().filename().string();
    int fd = -1;
    auto parsed = std::from_chars(name.data(), name.data() + name.size(), fd);
    if (parsed.ec != std::errc() || parsed.ptr != name.data() + name.size()) continue;
    struct stat info {};
    if (fstat(fd, &info) != 0 || !S_ISSOCK(info.st_mode)) continue;
    auto local = SocketAddress(fd, /*remote=*/false);
    if (!local || local->port != local_port) continue;
    auto remote = SocketAddress(fd, /*remote=*/true);
    if (!remote || !(*remote == peer)) continue;
    if (shutdown(fd, SHUT_RDWR) == 0) ++shut;
  }
  if (error && shut == 0) {
    return arrow::Status::IOError("cannot list /proc/self/fd: ", error.message());
  }
  return shut;
}

}  // namespace sas::flight
