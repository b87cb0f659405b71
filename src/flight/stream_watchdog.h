// Watches the DoGet streams being served, on one thread of its own: passes a client's
// cancellation to a stream blocked in a read (of a history source, say), and ends the
// connection of a client that stopped reading, whose stream is stuck in a gRPC write that
// Arrow Flight gives no way to cancel or time out.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <arrow/result.h>

namespace sas::flight {

/// One stream as the watchdog sees it.
struct WatchedStream {
  /// The client's gRPC peer name ("ipv4:127.0.0.1:5000").
  std::string peer;
  /// The stream's name (log field, and what on_stalled is given).
  std::string stream;
  /// True once the client cancelled the call; called from the watchdog's thread.
  std::function<bool()> client_cancelled = [] { return false; };
  /// Makes a blocked or later read of the stream return Cancelled; thread-safe.
  std::function<void()> cancel = [] {};
};

/// What the watchdog does and how often it looks.
struct StreamWatchdogOptions {
  /// A write pending this long is stalled; its connection is ended unless another of
  /// its streams began or finished a write within this time (0: never).
  std::chrono::milliseconds stall_timeout{0};
  /// Time between two looks.
  std::chrono::milliseconds tick{200};
  /// Ends the connections of a stalled client's peer; returns how many it ended.
  std::function<arrow::Result<int>(const std::string& peer)> end_connection;
  /// Called once for each stalled stream the watchdog ended (a metric, say).
  std::function<void(const std::string& stream)> on_stalled = [](const std::string&) {};
};

/// Watches every registered stream; see the file comment. A connection is ended when one
/// of its writes has waited stall_timeout and none of its streams began or finished a
/// write within it, so a client still reading one stream keeps its connection.
class StreamWatchdog {
 public:
  /// The clock of write start times and of Check().
  using Clock = std::chrono::steady_clock;

  /// Holds one stream on the watch list until destroyed; owned by the served stream.
  class Registration {
   public:
    /// The watch list the registrations share with their watchdog.
    struct Shared;
    /// Use StreamWatchdog::Watch().
    Registration(std::shared_ptr<Shared> shared, WatchedStream stream);
    ~Registration();
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;

    /// The stream is making its next payload: its last write is done.
    void Producing() {
      last_write_done_.store(Clock::now().time_since_epoch().count());
      writing_since_.store(0);
    }
    /// The stream handed over a payload (the schema first) and gRPC is writing it out.
    void Writing() { writing_since_.store(Clock::now().time_since_epoch().count()); }

   private:
    friend class StreamWatchdog;

    std::shared_ptr<Shared> shared_;
    WatchedStream stream_;
    /// Clock ticks when the pending write began; 0 while producing.
    std::atomic<Clock::rep> writing_since_;
    /// Clock ticks when the last write finished; 0 before the first.
    std::atomic<Clock::rep> last_write_done_{0};
    /// Guarded by Shared::mutex.
    bool cancel_passed_on_ = false;
    bool ended_ = false;
    Clock::time_point retry_at_{};
  };

  /// Watches with `options`; Start() begins the thread.
  explicit StreamWatchdog(StreamWatchdogOptions options);
  /// Stops and joins the thread.
  ~StreamWatchdog();
  StreamWatchdog(const StreamWatchdog&) = delete;
  StreamWatchdog& operator=(const StreamWatchdog&) = delete;

  /// Starts looking every tick.
  void Start();

  /// Puts `stream` on the watch list, as writing (its schema goes out first).
  std::unique_ptr<Registration> Watch(WatchedStream stream);

  /// Looks at every stream once, as of `now` (the thread calls it every tick).
  void Check(Clock::time_point now);

 private:
  /// A stalled connection, to end out of the lock.
  struct Stalled {
    std::string peer;
    std::vector<std::string> streams;
    /// How long its longest pending write has waited.
    double seconds;
  };
  /// Cancels the streams whose client cancelled (under the list's lock).
  void PassOnCancels();
  /// Marks ended, and returns, the peers with a write pending for stall_timeout and no
  /// write begun or finished within it.
  std::vector<Stalled> TakeStalledPeers(Clock::time_point now);
  /// Ends one stalled peer's connection; logs and counts it, or tries again a timeout
  /// later.
  void EndStalled(const Stalled& stalled, Clock::time_point now);
  /// Makes the streams of `peer` candidates again from `at` on.
  void RetryLater(const std::string& peer, Clock::time_point at);

  StreamWatchdogOptions options_;
  std::shared_ptr<Registration::Shared> shared_;
  std::mutex thread_mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sas::flight
