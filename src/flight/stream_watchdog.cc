#include "flight/stream_watchdog.h"

#include <algorithm>
#include <map>

#include "ops/log.h"

namespace sas::flight {

/// The watch list, shared by the watchdog and the registrations it handed out.
struct StreamWatchdog::Registration::Shared {
  std::mutex mutex;
  std::vector<Registration*> streams;
};

StreamWatchdog::Registration::Registration(std::shared_ptr<Shared> shared,
                                           WatchedStream stream)
    : shared_(std::move(shared)),
      stream_(std::move(stream)),
      writing_since_(Clock::now().time_since_epoch().count()) {}

StreamWatchdog::Registration::~Registration() {
  std::lock_guard lock(shared_->mutex);
  std::erase(shared_->streams, this);
}

StreamWatchdog::StreamWatchdog(StreamWatchdogOptions options)
    : options_(std::move(options)), shared_(std::make_shared<Registration::Shared>()) {}

StreamWatchdog::~StreamWatchdog() {
  {
    std::lock_guard lock(thread_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void StreamWatchdog::Start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(thread_mutex_);
    while (!wake_.wait_for(lock, options_.tick, [this] { return stopping_; })) {
      lock.unlock();
      Check(Clock::now());
      lock.lock();
    }
  });
}

std::unique_ptr<StreamWatchdog::Registration> StreamWatchdog::Watch(
    WatchedStream stream) {
  auto registration = std::make_unique<Registration>(shared_, std::move(stream));
  std::lock_guard lock(shared_->mutex);
  shared_->streams.push_back(registration.get());
  return registration;
}

void StreamWatchdog::Check(Clock::time_point now) {
  std::vector<Stalled> stalled;
  {
    std::lock_guard lock(shared_->mutex);
    PassOnCancels();
    if (options_.stall_timeout.count() > 0) stalled = TakeStalledPeers(now);
  }
  for (const Stalled& peer : stalled) EndStalled(peer, now);
}

void StreamWatchdog::PassOnCancels() {
  for (Registration* watched : shared_->streams) {
    if (!watched->cancel_passed_on_ && watched->stream_.client_cancelled()) {
      watched->cancel_passed_on_ = true;
      watched->stream_.cancel();
    }
  }
}

std::vector<StreamWatchdog::Stalled> StreamWatchdog::TakeStalledPeers(
    Clock::time_point now) {
  std::map<std::string, std::vector<Registration*>> by_peer;
  for (Registration* watched : shared_->streams) {
    if (!watched->ended_ && now >= watched->retry_at_) {
      by_peer[watched->stream_.peer].push_back(watched);
    }
  }
  std::vector<Stalled> stalled;
  for (auto& [peer, streams] : by_peer) {
    auto longest = Clock::duration::zero();
    bool took_data = false;  // a write of the connection finished or began lately
    for (Registration* watched : streams) {
      auto since = Clock::time_point(Clock::duration(watched->writing_since_.load()));
      auto done = Clock::time_point(Clock::duration(watched->last_write_done_.load()));
      bool writing = since.time_since_epoch().count() != 0;
      auto quiet = now - (writing ? since : done);
      if (quiet < options_.stall_timeout) took_data = true;
      if (writing) longest = std::max(longest, quiet);
    }
    if (took_data || longest < options_.stall_timeout) continue;
    Stalled peer_stalled{peer, {}, std::chrono::duration<double>(longest).count()};
    for (Registration* watched : streams) {
      watched->ended_ = true;
      peer_stalled.streams.push_back(watched->stream_.stream);
    }
    stalled.push_back(std::move(peer_stalled));
  }
  return stalled;
}

void StreamWatchdog::EndStalled(const Stalled& stalled, Clock::time_point now) {
  nlohmann::json fields = {
      {"streams", stalled.streams},
      {"peer", stalled.peer},
      {"stalled_seconds", stalled.seconds},
      {"stall_timeout_seconds",
       std::chrono::duration<double>(options_.stall_timeout).count()}};
  arrow::Result<int> ended = options_.end_connection
                                 ? options_.end_connection(stalled.peer)
                                 : arrow::Status::NotImplemented("no end_connection");
  if (ended.ok() && *ended == 0) {
    ended = arrow::Status::IOError("no TCP connection from ", stalled.peer, " was found");
  }
  if (!ended.ok()) {
    fields["problem"] = ended.status().ToString();
    fields["retry_in_seconds"] = fields["stall_timeout_seconds"];
    ops::LogError("flight", "cannot end the connection of a stalled client", fields);
    RetryLater(stalled.peer, now + options_.stall_timeout);
    return;
  }
  for (const std::string& stream : stalled.streams) options_.on_stalled(stream);
  fields["connections_ended"] = *ended;
  ops::LogWarn("flight", "ended the connection of a client that stopped reading", fields);
}

void StreamWatchdog::RetryLater(const std::string& peer, Clock::time_point at) {
  std::lock_guard lock(shared_->mutex);
  for (Registration* watched : shared_->streams) {
    if (watched->stream_.peer != peer) continue;
    watched->ended_ = false;
    watched->retry_at_ = at;
  }
}

}  // namespace sas::flight
