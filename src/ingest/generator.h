// The built-in ledger generator (MOCK_DATA=true, `generator:` sources): valid,
// hash-chained LedgerCloseMeta V2 XDR encoded by the codec, deterministic from a seed,
// with pubnet-like traffic (payments in XLM and issued assets, path payments crossing
// market makers' offers, new sell offers, fee bumps, Soroban transfers of the native
// asset contract with their contract events and fee refunds, failed transactions) whose
// ledger-entry changes keep every balance consistent; ledgers close 5-6 s apart.
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "ingest/ledger_source.h"
#include "xdr/sha256.h"

namespace sas::ingest {

/// What the generator produces.
struct GeneratorOptions {
  uint64_t seed = 1;
  /// Sequence of the first ledger.
  uint32_t start = 2;
  uint32_t transactions_per_ledger = 300;
  /// Share of transactions that fail (underfunded payments).
  double failed_fraction = 0.1;
  /// Share of transactions wrapped in a fee bump paid by another account.
  double fee_bump_fraction = 0.08;
  /// Shares of operations that are path payments and new sell offers (the rest are
  /// payments).
  double path_payment_fraction = 0.15;
  double sell_offer_fraction = 0.1;
  /// Share of transactions that are Soroban calls of the native asset contract's
  /// `transfer` (a contract event, resource fees and a refund after all transactions).
  double soroban_fraction = 0.04;
  uint32_t accounts = 1000;
  std::string network_passphrase = "Standalone Network ; February 2017";
  /// Close time of the first ledger (unix seconds) and the spacing of ledgers: 5 s, or
  /// 6 s for one ledger in `slow_close_one_in`.
  uint64_t first_close_time = 1'700'000'000;
  uint32_t close_interval_seconds = 5;
  uint32_t slow_close_one_in = 4;
  /// First ledger GeneratorLedgerSource delivers (earlier ones are generated and
  /// dropped, so ledger N is the same ledger whatever the start); 0: `start`.
  uint32_t deliver_from = 0;
  /// Pace of GeneratorLedgerSource in ledgers per wall-clock second (0: as fast as
  /// possible).
  double ledgers_per_second = 0;
};

/// Produces consecutive ledgers.
class LedgerGenerator {
 public:
  /// Creates a generator; the same options give the same ledgers.
  explicit LedgerGenerator(GeneratorOptions options);
  ~LedgerGenerator();

  /// Returns the LedgerCloseMeta XDR of the next ledger.
  std::vector<uint8_t> Next();

  /// Returns the sequence the next call produces.
  uint32_t next_sequence() const { return sequence_; }

  /// Accounts, balances, offers and the chain (defined in generator.cc).
  struct State;

 private:
  /// Adds an account with `native` stroops and `per_trust_line` of every issued asset.
  void AddAccount(const std::array<uint8_t, 32>& key, int64_t native,
                  int64_t per_trust_line);

  GeneratorOptions options_;
  uint32_t sequence_;
  std::unique_ptr<State> state_;
};

/// LedgerSource over the generator: ledgers start..end (or forever).
class GeneratorLedgerSource : public LedgerSource {
 public:
  /// Generates from `options.start`; stops after `end` when given.
  GeneratorLedgerSource(GeneratorOptions options, std::optional<uint32_t> end);

  arrow::Result<std::optional<SourcedLedger>> Next() override;

  void Cancel() override;

 private:
  /// Sleeps until the next ledger is due; false when cancelled meanwhile.
  bool WaitUntilDue();

  std::chrono::nanoseconds interval_{0};
  std::chrono::steady_clock::time_point next_due_;
  LedgerGenerator generator_;
  std::optional<uint32_t> end_;
  uint32_t deliver_from_ = 0;
  std::mutex mutex_;
  std::condition_variable cancelled_cv_;
  bool cancelled_ = false;
};

}  // namespace sas::ingest
