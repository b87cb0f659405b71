#include "flight/peer_socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace sas::flight {
namespace {

TEST(ParseGrpcPeer, ReadsIpv4AndIpv6PeersAndMapsIpv4InIpv6ToIpv4) {
  ASSERT_OK_AND_ASSIGN(PeerAddress v4, ParseGrpcPeer("ipv4:127.0.0.1:50123"));
  EXPECT_EQ(v4.family, AF_INET);
  EXPECT_EQ(v4.port, 50123);
  EXPECT_EQ(v4.address[0], 127);
  EXPECT_EQ(v4.address[3], 1);

  ASSERT_OK_AND_ASSIGN(PeerAddress v6, ParseGrpcPeer("ipv6:[::1]:8815"));
  EXPECT_EQ(v6.family, AF_INET6);
  EXPECT_EQ(v6.port, 8815);
  EXPECT_EQ(v6.address[15], 1);
  ASSERT_OK_AND_ASSIGN(PeerAddress escaped, ParseGrpcPeer("ipv6:%5B::1%5D:8815"));
  EXPECT_EQ(escaped, v6);

  ASSERT_OK_AND_ASSIGN(PeerAddress mapped,
                       ParseGrpcPeer("ipv6:[::ffff:127.0.0.1]:50123"));
  EXPECT_EQ(mapped, v4);
}

TEST(ParseGrpcPeer, NamesWhatIsWrongWithAPeerItCannotRead) {
  for (const char* peer : {"unix:/tmp/socket", "ipv4:127.0.0.1", "ipv4:127.0.0.1:99999",
                           "ipv4:300.0.0.1:1", "ipv6:::1:5", "ipv6:[nonsense]:5"}) {
    auto parsed = ParseGrpcPeer(peer);
    ASSERT_FALSE(parsed.ok()) << peer;
    EXPECT_NE(parsed.status().message().find(peer), std::string::npos)
        << parsed.status().ToString();
  }
}

/// A socket file descriptor closed when it goes out of scope.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

uint16_t LocalPort(int fd) {
  sockaddr_in address{};
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  return ntohs(address.sin_port);
}

TEST(ShutdownConnectionsFrom, EndsOnlyTheAcceptedConnectionOfThatPeer) {
  Fd listener{socket(AF_INET, SOCK_STREAM, 0)};
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener.fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(listener.fd, 4), 0);
  uint16_t server_port = LocalPort(listener.fd);
  address.sin_port = htons(server_port);

  Fd stalled{socket(AF_INET, SOCK_STREAM, 0)};
  Fd other{socket(AF_INET, SOCK_STREAM, 0)};
  for (int fd : {stalled.fd, other.fd}) {
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  }
  Fd accepted_stalled{accept(listener.fd, nullptr, nullptr)};
  Fd accepted_other{accept(listener.fd, nullptr, nullptr)};

  std::string peer = "ipv4:127.0.0.1:" + std::to_string(LocalPort(stalled.fd));
  ASSERT_OK_AND_ASSIGN(PeerAddress stalled_peer, ParseGrpcPeer(peer));
  // The client's own end (local port = its ephemeral port) is not a connection *to* the
  // server port, so only the accepted socket matches.
  ASSERT_OK_AND_ASSIGN(int ended, ShutdownConnectionsFrom(stalled_peer, server_port));
  EXPECT_EQ(ended, 1);

  char byte = 0;
  EXPECT_EQ(recv(stalled.fd, &byte, 1, 0), 0) << "the stalled client sees end of stream";
  EXPECT_EQ(send(accepted_other.fd, "x", 1, MSG_NOSIGNAL), 1);
  EXPECT_EQ(recv(other.fd, &byte, 1, 0), 1) << "the other client is still connected";

  ASSERT_OK_AND_ASSIGN(int again, ShutdownConnectionsFrom(stalled_peer, server_port + 1));
  EXPECT_EQ(again, 0) << "another local port matches nothing";
}

}  // namespace
}  // namespace sas::flight
