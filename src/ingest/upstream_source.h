// LedgerSource over the upstream gRPC stream (`raw_ledger_service.RawLedgerService/
// StreamRawLedgers` of a stellar-live-source service): reconnects with backoff when the
// stream breaks, resuming at the ledger after the last one delivered, and checks every
// ledger (its XDR parses, its sequence is the next one, its previous-ledger hash is the
// last ledger's hash) before handing it on.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "ingest/ledger_source.h"

namespace sas::ingest {

/// How the upstream is reached and how hard the source tries.
struct UpstreamOptions {
  /// `host:port` of the RawLedgerService.
  std::string endpoint = "localhost:50053";
  uint32_t start = 2;
  /// Last ledger; without one the source follows the stream forever.
  std::optional<uint32_t> end;
  /// TLS to the upstream; roots from `tls_root_cert_file` (PEM) or the system's.
  bool tls = false;
  std::string tls_root_cert_file;
  /// Largest message accepted: ledgers can be several MB.
  int max_message_bytes = 64 << 20;
  /// Interval of HTTP/2 keepalive pings on the connection, and how long to wait for
  /// their answer before the connection is treated as broken.
  std::chrono::milliseconds keepalive_time{30'000};
  std::chrono::milliseconds keepalive_timeout{10'000};
  /// Reconnect backoff: doubles from the initial delay up to the maximum.
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{10'000};
  /// Consecutive failed connection attempts before Next() fails (0: never give up).
  int max_connect_attempts = 0;
  /// Consecutive bad ledgers (a skipped sequence, bytes that are not a LedgerCloseMeta,
  /// a broken hash chain) before Next() fails; each one is reported and re-requested.
  int max_bad_ledgers = 5;
};

/// What the source has done so far; safe to read from any thread.
struct UpstreamStats {
  uint64_t ledgers = 0;
  uint64_t bytes = 0;
  /// Streams opened after the first one.
  uint64_t reconnects = 0;
  /// Ledgers sent again that were already delivered, and dropped.
  uint64_t duplicates_dropped = 0;
  /// Ledgers rejected: skipped sequences, bytes that do not decode, broken chain.
  uint64_t bad_ledgers = 0;
};

/// Reads the upstream gRPC stream as a LedgerSource.
class UpstreamLedgerSource : public LedgerSource {
 public:
  /// Creates the channel (no connection is made until the first Next()).
  static arrow::Result<std::unique_ptr<UpstreamLedgerSource>> Open(
      UpstreamOptions options);

  arrow::Result<std::optional<SourcedLedger>> Next() override;

  void Cancel() override;

  /// Returns the counters of the source.
  UpstreamStats stats() const;

  /// Use Open().
  explicit UpstreamLedgerSource(UpstreamOptions options);
  ~UpstreamLedgerSource() override;

 private:
  struct Connection;
  /// What Check() makes of a ledger the stream sent.
  enum class Verdict { kDeliver, kDuplicate, kBad };

  arrow::Status OpenStream();
  void CloseStream();
  Verdict Check(uint32_t sequence, std::span<const uint8_t> bytes, std::string* problem);
  /// Records a failure and waits before the next attempt; an error once the attempts
  /// are used up or when cancelled.
  arrow::Status Backoff(bool bad_ledger, const std::string& problem);
  bool Cancelled();

  UpstreamOptions options_;
  std::unique_ptr<Connection> connection_;
  uint32_t next_ledger_;
  std::optional<std::array<uint8_t, 32>> last_hash_;
  int failed_connects_ = 0;
  int bad_ledgers_in_a_row_ = 0;
  std::chrono::milliseconds backoff_;
  bool opened_once_ = false;

  std::mutex mutex_;
  std::condition_variable cancelled_cv_;
  bool cancelled_ = false;

  std::atomic<uint64_t> ledgers_{0};
  std::atomic<uint64_t> bytes_{0};
  std::atomic<uint64_t> reconnects_{0};
  std::atomic<uint64_t> duplicates_{0};
  std::atomic<uint64_t> bad_{0};
};

}  // namespace sas::ingest
