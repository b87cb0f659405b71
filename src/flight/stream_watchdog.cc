#include "flight/stream_watchdog.h"

#include <algorithm>

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
    for (Registration* watched : shared_->streams) {
      if (!watched->cancel_passed_on_ && watched->stream_.client_cancelled()) {
        watched->cancel_passed_on_ = true;
        watched->stream_.cancel();
      }
      Clock::rep since = watched->writing_since_.load();
      if (options_.stall_timeout.count() == 0 || watched->ended_ || since == 0) continue;
      auto waited = now - Clock::time_point(Clock::duration(since));
      if (waited < options_.stall_timeout) continue;
      watched->ended_ = true;
      watched->stream_.cancel();
      stalled.push_back({watched->stream_.peer, watched->stream_.stream,
                         std::chrono::duration<double>(waited).count()});
    }
  }
  for (const Stalled& one : stalled) EndStalled(one);
}

void StreamWatchdog::EndStalled(const Stalled& stalled) {
  nlohmann::json fields = {
      {"stream", stalled.stream},
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
    ops::LogError("flight", "cannot end the connection of a stalled client", fields);
    return;
  }
  fields["connections_ended"] = *ended;
  ops::LogWarn("flight", "ended the connection of a client that stopped reading", fields);
  options_.on_stalled(stalled.stream);
}

}  // namespace sas::flight
