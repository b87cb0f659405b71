#include "convert/ledger_converter.h"

#include <arrow/util/key_value_metadata.h>

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
    case Table::kContractEvents:
      return "contract_events";
  }
  return "unknown";
}

arrow::Result<Table> ParseTableName(std::string_view name) {
  for (Table table : kAllTables) {
    if (TableName(table) == name) return table;
  }
  if (name == "token_transfers" || name == "ttp_events") {
    return arrow::Status::NotImplemented("table '", name, "' is not built yet");
  }
  return arrow::Status::Invalid(
      "unknown table '", name,
      "': expected stellar_ledger, transactions, operations or contract_events");
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

LedgerConverter::LedgerConverter(ConverterOptions options)
    : options_(std::move(options)), network_passphrase_(options_.network_passphrase) {}

arrow::Result<std::unique_ptr<LedgerConverter>> LedgerConverter::Make(
    ConverterOptions options) {
  auto converter = std::make_unique<LedgerConverter>(std::move(options));
  ARROW_ASSIGN_OR_RAISE(converter->ledgers_,
                        LedgerTableBuilder::Make(converter->options_.pool));
  ARROW_ASSIGN_OR_RAISE(converter->operations_,
                        OperationTableBuilder::Make(converter->options_.pool));
  ARROW_ASSIGN_OR_RAISE(converter->events_,
                        ContractEventTableBuilder::Make(converter->options_.pool));
  if (!converter->network_passphrase_.empty())
    ARROW_RETURN_NOT_OK(converter->MakeBuilders());
  return converter;
}

arrow::Status LedgerConverter::MakeBuilders() {
  ARROW_ASSIGN_OR_RAISE(
      transactions_, TransactionTableBuilder::Make(xdr::NetworkId(network_passphrase_),
                                                   options_.include_xdr, options_.pool));
  return arrow::Status::OK();
}

arrow::Status LedgerConverter::EnsureNetwork(const xdr::LedgerCloseMetaFrame& frame) {
  if (!network_passphrase_.empty() || frame.transactions().empty()) {
    return arrow::Status::OK();
  }
  std::optional<std::string> detected = xdr::DetectNetwork(frame);
  if (!detected) {
    return arrow::Status::Invalid("ledger ", frame.sequence(),
                                  ": its transactions hash to no known network; give the "
                                  "network passphrase (--network)");
  }
  network_passphrase_ = *detected;
  return MakeBuilders();
}

arrow::Status LedgerConverter::ConvertLedger(std::span<const uint8_t> bytes) {
  ARROW_ASSIGN_OR_RAISE(auto frame, xdr::LedgerCloseMetaFrame::Parse(bytes));
  ARROW_RETURN_NOT_OK(EnsureNetwork(frame));
  if (!frame.transactions().empty()) {
    ARROW_RETURN_NOT_OK(frame.JoinEnvelopes(xdr::NetworkId(network_passphrase_)));
  }
  ARROW_RETURN_NOT_OK(ledgers_->Append(frame));
  if (transactions_) ARROW_RETURN_NOT_OK(transactions_->Append(frame));
  ARROW_RETURN_NOT_OK(operations_->Append(frame));
  return events_->Append(frame);
}

arrow::Result<ConvertedChunk> LedgerConverter::Convert(
    std::span<const std::span<const uint8_t>> ledgers) {
  ConvertedChunk chunk;
  for (size_t i = 0; i < ledgers.size(); ++i) {
    // Row counts before the ledger, to roll back a ledger that fails half-way.
    int64_t ledger_rows = ledgers_->num_rows();
    int64_t transaction_rows = transactions_ ? transactions_->num_rows() : 0;
    int64_t operation_rows = operations_->num_rows();
    int64_t event_rows = events_->num_rows();
    arrow::Status status = ConvertLedger(ledgers[i]);
    if (status.ok()) continue;
    status = status.WithMessage("ledger ", i, " of the chunk: ", status.message());
    if (!options_.best_effort) return status;
    bool partial = ledgers_->num_rows() != ledger_rows ||
                   (transactions_ && transactions_->num_rows() != transaction_rows) ||
                   operations_->num_rows() != operation_rows ||
                   events_->num_rows() != event_rows;
    if (partial) {
      return status.WithMessage(status.message(),
                                " (after rows were appended; cannot skip)");
    }
    chunk.errors.push_back({i, std::move(status)});
  }
  ARROW_ASSIGN_OR_RAISE(chunk.batches[0], ledgers_->Flush());
  if (transactions_) {
    ARROW_ASSIGN_OR_RAISE(chunk.batches[1], transactions_->Flush());
  } else {
    ARROW_ASSIGN_OR_RAISE(
        chunk.batches[1],
        arrow::RecordBatch::MakeEmpty(TransactionTableSchema(options_.include_xdr)));
  }
  ARROW_ASSIGN_OR_RAISE(chunk.batches[2], operations_->Flush());
  ARROW_ASSIGN_OR_RAISE(chunk.batches[3], events_->Flush());
  for (Table table : kAllTables) {
    auto& batch = chunk.batches[static_cast<size_t>(table)];
    batch = batch->ReplaceSchemaMetadata(TableMetadata(table, network_passphrase_));
  }
  return chunk;
}

}  // namespace sas::convert
