#include "convert/ledger_converter.h"

#include <arrow/record_batch.h>
#include <arrow/util/future.h>
#include <arrow/util/key_value_metadata.h>
#include <arrow/util/thread_pool.h>

#include <algorithm>

#include "build_info.h"
#include "xdr/network.h"

namespace sas::convert {

std::string_view TableName(Table table) {
  switch (table) {
    case Table::kStellarLedger:
      return "stellar_ledger";
    case Table::kTransactions:
      return "transactions";
    case Table::kOperations:
      return "operations";
    case Table::kTokenTransfers:
      return "token_transfers";
    case Table::kContractEvents:
      return "contract_events";
  }
  return "unknown";
}

arrow::Result<Table> ParseTableName(std::string_view name) {
  for (Table table : kAllTables) {
    if (TableName(table) == name) return table;
  }
  if (name == "ttp_events") return Table::kTokenTransfers;
  return arrow::Status::Invalid("unknown table '", name,
                                "': expected stellar_ledger, transactions, operations, "
                                "token_transfers (ttp_events) or contract_events");
}

namespace {

std::shared_ptr<arrow::Schema> BareSchema(Table table, bool include_xdr) {
  switch (table) {
    case Table::kStellarLedger:
      return LedgerTableSchema();
    case Table::kTransactions:
      return TransactionTableSchema(include_xdr);
    case Table::kOperations:
      return OperationTableSchema();
    case Table::kTokenTransfers:
      return TokenTransferTableSchema();
    case Table::kContractEvents:
      return ContractEventTableSchema();
  }
  return nullptr;
}

std::shared_ptr<const arrow::KeyValueMetadata> TableMetadata(
    Table table, const std::string& network_passphrase) {
  std::vector<std::string> keys = {"stellar_arrow_source.table",
                                   "stellar_arrow_source.schema_version",
                                   "stellar_arrow_source.xdr_definitions_sha256"};
  std::vector<std::string> values = {std::string(TableName(table)), kSchemaVersion,
                                     kXdrDefinitionsHash};
  if (!network_passphrase.empty()) {
    keys.push_back("stellar_arrow_source.network");
    values.push_back(network_passphrase);
  }
  return arrow::key_value_metadata(std::move(keys), std::move(values));
}

}  // namespace

std::shared_ptr<arrow::Schema> TableSchema(Table table, bool include_xdr,
                                           const std::string& network_passphrase) {
  return BareSchema(table, include_xdr)
      ->WithMetadata(TableMetadata(table, network_passphrase));
}

/// One set of table builders; each worker converts one part of a chunk.
class LedgerConverter::Worker {
 public:
  static arrow::Result<std::unique_ptr<Worker>> Make(
      const ConverterOptions& options, const std::string& network_passphrase) {
    auto worker = std::make_unique<Worker>();
    worker->network_id_ = xdr::NetworkId(network_passphrase);
    worker->include_xdr_ = options.include_xdr;
    auto wanted = [&options](Table table) {
      return options.tables.empty() ||
             std::find(options.tables.begin(), options.tables.end(), table) !=
                 options.tables.end();
    };
    if (wanted(Table::kStellarLedger)) {
      std::optional<xdr::Digest> known_network;
      if (!network_passphrase.empty()) known_network = worker->network_id_;
      ARROW_ASSIGN_OR_RAISE(worker->ledgers_,
                            LedgerTableBuilder::Make(known_network, options.pool));
    }
    if (wanted(Table::kTransactions)) {
      ARROW_ASSIGN_OR_RAISE(worker->transactions_,
                            TransactionTableBuilder::Make(
                                worker->network_id_, options.include_xdr, options.pool));
    }
    if (wanted(Table::kOperations)) {
      ARROW_ASSIGN_OR_RAISE(worker->operations_, OperationTableBuilder::Make(
                                                     worker->network_id_, options.pool));
    }
    if (wanted(Table::kTokenTransfers)) {
      ARROW_ASSIGN_OR_RAISE(worker->transfers_, TokenTransferTableBuilder::Make(
                                                    worker->network_id_, options.pool));
    }
    if (wanted(Table::kContractEvents)) {
      ARROW_ASSIGN_OR_RAISE(worker->events_,
                            ContractEventTableBuilder::Make(options.pool));
    }
    return worker;
  }

  /// Converts `ledgers` (chunk positions from `first_index`); failures go to `errors`
  /// in best-effort mode (the failed ledger contributes no row to any table) and end the
  /// part otherwise.
  arrow::Status ConvertPart(std::span<const std::span<const uint8_t>> ledgers,
                            size_t first_index, bool best_effort,
                            std::vector<LedgerError>* errors,
                            std::vector<ConvertedLedgerStamp>* converted) {
    for (size_t i = 0; i < ledgers.size(); ++i) {
      TableRows rows_before = RowsPerTable();
      ConvertedLedgerStamp stamp{.index = first_index + i};
      arrow::Status status = ConvertLedger(ledgers[i], &stamp);
      if (status.ok()) {
        converted->push_back(stamp);
        continue;
      }
      // Named by the header's sequence: the parsed one, else what its start holds.
      std::optional<uint32_t> sequence = stamp.sequence != 0
                                             ? std::optional(stamp.sequence)
                                             : xdr::PeekLedgerSequence(ledgers[i]);
      status = status.WithMessage(
          "ledger ", first_index + i, " of the chunk",
          sequence ? " (sequence " + std::to_string(*sequence) + ")" : std::string(),
          ": ", status.message());
      if (!best_effort) return status;
      if (RowsPerTable() != rows_before) {
        if (arrow::Status set_aside = SetAsideRows(rows_before); !set_aside.ok()) {
          return status.WithMessage(
              status.message(),
              " (its partial rows could not be dropped: ", set_aside.message(), ")");
        }
      }
      errors->push_back({first_index + i, std::move(status)});
    }
    return arrow::Status::OK();
  }

  /// Returns per table (kAllTables order) its batches since the last flush, in ledger
  /// order, and resets the builders; tables not built come out as one empty batch.
  arrow::Result<std::array<arrow::RecordBatchVector, kAllTables.size()>> Flush() {
    ARROW_ASSIGN_OR_RAISE(auto last, FlushBuilders());
    std::array<arrow::RecordBatchVector, kAllTables.size()> out = std::move(set_aside_);
    set_aside_ = {};
    for (size_t t = 0; t < kAllTables.size(); ++t) {
      if (out[t].empty() || last[t]->num_rows() > 0) out[t].push_back(last[t]);
    }
    return out;
  }

 private:
  using TableRows = std::array<int64_t, kAllTables.size()>;

  /// A failed ledger left rows in some builders, which cannot take rows back: the rows
  /// before it are flushed and set aside, its own rows are cut off and dropped.
  arrow::Status SetAsideRows(const TableRows& keep) {
    ARROW_ASSIGN_OR_RAISE(auto batches, FlushBuilders());
    for (size_t t = 0; t < kAllTables.size(); ++t) {
      if (keep[t] > 0) set_aside_[t].push_back(batches[t]->Slice(0, keep[t]));
    }
    return arrow::Status::OK();
  }

  TableRows RowsPerTable() const {
    return {Rows(ledgers_), Rows(transactions_), Rows(operations_), Rows(transfers_),
            Rows(events_)};
  }

  /// Returns one batch per table (kAllTables order) and resets the builders; tables not
  /// built come out empty.
  arrow::Result<std::array<std::shared_ptr<arrow::RecordBatch>, kAllTables.size()>>
  FlushBuilders() {
    std::array<std::shared_ptr<arrow::RecordBatch>, kAllTables.size()> batches;
    ARROW_ASSIGN_OR_RAISE(batches[0],
                          FlushOrEmpty(ledgers_.get(), Table::kStellarLedger));
    ARROW_ASSIGN_OR_RAISE(batches[1],
                          FlushOrEmpty(transactions_.get(), Table::kTransactions));
    ARROW_ASSIGN_OR_RAISE(batches[2],
                          FlushOrEmpty(operations_.get(), Table::kOperations));
    ARROW_ASSIGN_OR_RAISE(batches[3],
                          FlushOrEmpty(transfers_.get(), Table::kTokenTransfers));
    ARROW_ASSIGN_OR_RAISE(batches[4],
                          FlushOrEmpty(events_.get(), Table::kContractEvents));
    return batches;
  }

  template <class Builder>
  arrow::Result<std::shared_ptr<arrow::RecordBatch>> FlushOrEmpty(Builder* builder,
                                                                  Table table) {
    if (builder != nullptr) return builder->Flush();
    return arrow::RecordBatch::MakeEmpty(BareSchema(table, include_xdr_));
  }

  template <class Builder>
  static int64_t Rows(const std::unique_ptr<Builder>& builder) {
    return builder ? builder->num_rows() : 0;
  }

  template <class Builder>
  static arrow::Status AppendTo(const std::unique_ptr<Builder>& builder,
                                const xdr::LedgerCloseMetaFrame& frame) {
    return builder ? builder->Append(frame) : arrow::Status::OK();
  }

  arrow::Status ConvertLedger(std::span<const uint8_t> bytes,
                              ConvertedLedgerStamp* stamp) {
    ARROW_ASSIGN_OR_RAISE(auto frame, xdr::LedgerCloseMetaFrame::Parse(bytes));
    stamp->sequence = frame.sequence();
    stamp->close_time = static_cast<int64_t>(frame.header().scpValue().closeTime());
    // Only the per-transaction tables need each result paired with its envelope (one
    // SHA-256 per envelope); `stellar_ledger` reads the header and the results alone.
    bool needs_envelopes = transactions_ || operations_ || transfers_ || events_;
    if (needs_envelopes && !frame.transactions().empty()) {
      ARROW_RETURN_NOT_OK(frame.JoinEnvelopes(network_id_));
    }
    ARROW_RETURN_NOT_OK(AppendTo(ledgers_, frame));
    ARROW_RETURN_NOT_OK(AppendTo(transactions_, frame));
    ARROW_RETURN_NOT_OK(AppendTo(operations_, frame));
    ARROW_RETURN_NOT_OK(AppendTo(transfers_, frame));
    return AppendTo(events_, frame);
  }

  xdr::Digest network_id_{};
  bool include_xdr_ = true;
  std::unique_ptr<LedgerTableBuilder> ledgers_;
  std::unique_ptr<TransactionTableBuilder> transactions_;
  std::unique_ptr<OperationTableBuilder> operations_;
  std::unique_ptr<TokenTransferTableBuilder> transfers_;
  std::unique_ptr<ContractEventTableBuilder> events_;
  /// Rows flushed early, before a ledger that failed in best-effort mode.
  std::array<arrow::RecordBatchVector, kAllTables.size()> set_aside_;
};

arrow::Result<std::shared_ptr<arrow::RecordBatch>> ConvertedChunk::batch(
    Table table, arrow::MemoryPool* pool) const {
  const arrow::RecordBatchVector& pieces = batches(table);
  if (pieces.size() == 1) return pieces[0];
  return arrow::ConcatenateRecordBatches(pieces, pool);
}

LedgerConverter::LedgerConverter(ConverterOptions options)
    : options_(std::move(options)), network_passphrase_(options_.network_passphrase) {}

LedgerConverter::~LedgerConverter() = default;

arrow::Result<std::unique_ptr<LedgerConverter>> LedgerConverter::Make(
    ConverterOptions options) {
  if (options.parallelism < 1) {
    return arrow::Status::Invalid("parallelism must be at least 1, got ",
                                  options.parallelism);
  }
  return std::make_unique<LedgerConverter>(std::move(options));
}

arrow::Status LedgerConverter::DetectNetwork(
    std::span<const std::span<const uint8_t>> ledgers) {
  for (auto bytes : ledgers) {
    auto frame = xdr::LedgerCloseMetaFrame::Parse(bytes);
    if (!frame.ok() || frame->transactions().empty()) continue;
    std::optional<std::string> detected = xdr::DetectNetwork(*frame);
    if (!detected) {
      return arrow::Status::Invalid(
          "ledger ", frame->sequence(),
          ": its transactions hash to no known network; give the "
          "network passphrase (--network)");
    }
    network_passphrase_ = *detected;
    return arrow::Status::OK();
  }
  return arrow::Status::OK();
}

arrow::Status LedgerConverter::ConvertParts(
    std::span<const std::span<const uint8_t>> ledgers, ConvertedChunk* chunk) {
  size_t parts = std::min<size_t>(workers_.size(), std::max<size_t>(ledgers.size(), 1));
  size_t part_size = (ledgers.size() + parts - 1) / std::max<size_t>(parts, 1);
  std::vector<std::vector<LedgerError>> part_errors(parts);
  std::vector<std::vector<ConvertedLedgerStamp>> part_stamps(parts);
  std::vector<arrow::Future<>> done;
  for (size_t p = 0; p < parts; ++p) {
    size_t begin = std::min(ledgers.size(), p * part_size);
    size_t end = std::min(ledgers.size(), begin + part_size);
    auto run = [this, p, begin, part = ledgers.subspan(begin, end - begin), &part_errors,
                &part_stamps] {
      return workers_[p]->ConvertPart(part, begin, options_.best_effort, &part_errors[p],
                                      &part_stamps[p]);
    };
    if (parts == 1) {
      ARROW_RETURN_NOT_OK(run());
      break;
    }
    auto future = arrow::internal::GetCpuThreadPool()->Submit(run);
    if (!future.ok()) {
      // The parts already running use the workers and part_errors: let them finish.
      arrow::AllFinished(done).Wait();
      return future.status();
    }
    done.push_back(std::move(*future));
  }
  arrow::Status status = arrow::AllFinished(done).status();
  for (auto& errors : part_errors) {
    chunk->errors.insert(chunk->errors.end(), errors.begin(), errors.end());
  }
  for (auto& stamps : part_stamps) {
    chunk->converted.insert(chunk->converted.end(), stamps.begin(), stamps.end());
  }
  ARROW_RETURN_NOT_OK(status);
  std::array<arrow::RecordBatchVector, kAllTables.size()> pieces;
  for (size_t p = 0; p < parts; ++p) {
    ARROW_ASSIGN_OR_RAISE(auto batches, workers_[p]->Flush());
    for (size_t t = 0; t < kAllTables.size(); ++t) {
      pieces[t].insert(pieces[t].end(), batches[t].begin(), batches[t].end());
    }
  }
  chunk->parts = std::move(pieces);
  return arrow::Status::OK();
}

arrow::Result<ConvertedChunk> LedgerConverter::Convert(
    std::span<const std::span<const uint8_t>> ledgers) {
  if (network_passphrase_.empty()) {
    // Workers made before the network was known only served ledgers without transactions.
    ARROW_RETURN_NOT_OK(DetectNetwork(ledgers));
    if (!network_passphrase_.empty()) workers_.clear();
  }
  if (workers_.empty()) {
    for (int i = 0; i < options_.parallelism; ++i) {
      ARROW_ASSIGN_OR_RAISE(auto worker, Worker::Make(options_, network_passphrase_));
      workers_.push_back(std::move(worker));
    }
  }
  ConvertedChunk chunk;
  if (arrow::Status status = ConvertParts(ledgers, &chunk); !status.ok()) {
    // The failed chunk's rows are still in the builders: start the next chunk afresh.
    workers_.clear();
    return status;
  }
  for (Table table : kAllTables) {
    for (auto& batch : chunk.parts[static_cast<size_t>(table)]) {
      batch = batch->ReplaceSchemaMetadata(TableMetadata(table, network_passphrase_));
    }
  }
  return chunk;
}

}  // namespace sas::convert
