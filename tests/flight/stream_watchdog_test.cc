#include "flight/stream_watchdog.h"

#include <thread>

#include <gtest/gtest.h>

namespace sas::flight {
namespace {

using namespace std::chrono_literals;
using Clock = StreamWatchdog::Clock;

/// What a watchdog did to its streams.
struct Record {
  std::vector<std::string> ended_peers;
  std::vector<std::string> stalled_streams;
  int cancels = 0;
};

StreamWatchdogOptions OptionsFor(Record* record,
                                 std::chrono::milliseconds stall_timeout) {
  StreamWatchdogOptions options;
  options.stall_timeout = stall_timeout;
  options.end_connection = [record](const std::string& peer) -> arrow::Result<int> {
    record->ended_peers.push_back(peer);
    return 1;
  };
  options.on_stalled = [record](const std::string& stream) {
    record->stalled_streams.push_back(stream);
  };
  return options;
}

WatchedStream Stream(Record* record, std::string peer, const bool* client_cancelled) {
  return {std::move(peer), "operations", [client_cancelled] { return *client_cancelled; },
          [record] { ++record->cancels; }};
}

TEST(StreamWatchdog, EndsTheConnectionOfAStreamStuckInAWriteOnceOnly) {
  Record record;
  StreamWatchdog watchdog(OptionsFor(&record, 30s));
  bool cancelled = false;
  auto stuck = watchdog.Watch(Stream(&record, "ipv4:127.0.0.1:1000", &cancelled));
  auto busy = watchdog.Watch(Stream(&record, "ipv4:127.0.0.1:2000", &cancelled));
  busy->Producing();  // waiting for the next ledger, not for the client

  watchdog.Check(Clock::now() + 10s);
  EXPECT_TRUE(record.ended_peers.empty()) << "not stalled for long enough yet";

  watchdog.Check(Clock::now() + 31s);
  watchdog.Check(Clock::now() + 62s);
  EXPECT_EQ(record.ended_peers, std::vector<std::string>{"ipv4:127.0.0.1:1000"});
  EXPECT_EQ(record.stalled_streams, std::vector<std::string>{"operations"});
}

TEST(StreamWatchdog, KeepsAConnectionWhileOneOfItsStreamsStillTakesData) {
  Record record;
  StreamWatchdog watchdog(OptionsFor(&record, 50ms));
  bool cancelled = false;
  auto stuck = watchdog.Watch(Stream(&record, "ipv4:127.0.0.1:1000", &cancelled));
  auto reading = watchdog.Watch(Stream(&record, "ipv4:127.0.0.1:1000", &cancelled));
  std::this_thread::sleep_for(60ms);  // the stuck write is now past the timeout
  reading->Producing();               // while the other stream's write just finished
  watchdog.Check(Clock::now());
  EXPECT_TRUE(record.ended_peers.empty()) << "the client still reads its other stream";
  reading->Writing();  // and its next write is under way
  watchdog.Check(Clock::now() + 20ms);
  EXPECT_TRUE(record.ended_peers.empty());

  watchdog.Check(Clock::now() + 60ms);  // now neither took data for a timeout
  EXPECT_EQ(record.ended_peers, std::vector<std::string>{"ipv4:127.0.0.1:1000"});
}

TEST(StreamWatchdog, AnIdleStreamDoesNotKeepAStalledConnectionAlive) {
  Record record;
  StreamWatchdog watchdog(OptionsFor(&record, 30s));
  bool cancelled = false;
  auto stuck = watchdog.Watch(Stream(&record, "ipv4:127.0.0.1:1000", &cancelled));
  auto idle = watchdog.Watch(Stream(&record, "ipv4:127.0.0.1:1000", &cancelled));
  idle->Producing();  // a quiet tail: it waits on the source, its last write long done
  watchdog.Check(Clock::now() + 31s);
  EXPECT_EQ(record.ended_peers, std::vector<std::string>{"ipv4:127.0.0.1:1000"});
  EXPECT_EQ(record.stalled_streams,
            (std::vector<std::string>{"operations", "operations"}));
}

TEST(StreamWatchdog, TriesAgainATimeoutAfterItCouldNotEndAConnection) {
  Record record;
  StreamWatchdogOptions options = OptionsFor(&record, 30s);
  int attempts = 0;
  options.end_connection = [&](const std::string& peer) -> arrow::Result<int> {
    record.ended_peers.push_back(peer);
    if (++attempts == 1) return arrow::Status::IOError("too many open files");
    return 1;
  };
  StreamWatchdog watchdog(options);
  bool cancelled = false;
  auto stuck = watchdog.Watch(Stream(&record, "ipv4:127.0.0.1:1000", &cancelled));
  auto now = Clock::now();
  watchdog.Check(now + 31s);
  EXPECT_TRUE(record.stalled_streams.empty()) << "not counted: it is still connected";
  watchdog.Check(now + 40s);
  EXPECT_EQ(attempts, 1) << "no new attempt before the retry time";
  watchdog.Check(now + 62s);
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(record.stalled_streams, std::vector<std::string>{"operations"});
}

TEST(StreamWatchdog, AWriteThatFinishesInTimeIsNotAStall) {
  Record record;
  StreamWatchdog watchdog(OptionsFor(&record, 30s));
  bool cancelled = false;
  auto stream = watchdog.Watch(Stream(&record, "ipv4:127.0.0.1:1000", &cancelled));
  for (int i = 0; i < 3; ++i) {
    stream->Producing();
    stream->Writing();
    watchdog.Check(Clock::now() + 20s);
  }
  EXPECT_TRUE(record.ended_peers.empty());
}

TEST(StreamWatchdog, ATimeoutOfZeroNeverEndsAConnection) {
  Record record;
  StreamWatchdog watchdog(OptionsFor(&record, 0s));
  bool cancelled = false;
  auto stream = watchdog.Watch(Stream(&record, "ipv4:127.0.0.1:1000", &cancelled));
  watchdog.Check(Clock::now() + 24h);
  EXPECT_TRUE(record.ended_peers.empty());
}

TEST(StreamWatchdog, PassesAClientCancellationOnOnceAndForgetsRemovedStreams) {
  Record record;
  StreamWatchdog watchdog(OptionsFor(&record, 0s));
  bool cancelled = false;
  auto stream = watchdog.Watch(Stream(&record, "ipv4:127.0.0.1:1000", &cancelled));
  watchdog.Check(Clock::now());
  EXPECT_EQ(record.cancels, 0);
  cancelled = true;
  watchdog.Check(Clock::now());
  watchdog.Check(Clock::now());
  EXPECT_EQ(record.cancels, 1);

  bool other_cancelled = true;
  auto other = watchdog.Watch(Stream(&record, "ipv4:127.0.0.1:2000", &other_cancelled));
  other.reset();
  watchdog.Check(Clock::now());
  EXPECT_EQ(record.cancels, 1) << "a stream off the list is not looked at";
}

TEST(StreamWatchdog, ItsThreadLooksEveryTick) {
  Record record;
  StreamWatchdogOptions options = OptionsFor(&record, 0s);
  options.tick = 5ms;
  std::atomic<bool> cancelled{true};
  std::atomic<int> cancels{0};
  StreamWatchdog watchdog(options);
  auto stream = watchdog.Watch({"ipv4:127.0.0.1:1000", "operations",
                                [&cancelled] { return cancelled.load(); },
                                [&cancels] { ++cancels; }});
  watchdog.Start();
  for (int i = 0; i < 2000 && cancels.load() == 0; ++i) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(cancels.load(), 1);
}

}  // namespace
}  // namespace sas::flight
