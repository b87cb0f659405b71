#include "convert/contract_event_table.h"

#include <optional>
#include <string>

#include "convert/scval.h"
#include "convert/values.h"
#include "xdr/strkey.h"

namespace sas::convert {
namespace {

namespace sx = stellar::xdr;

enum Column : int {
  kLedgerSequence,
  kLedgerCloseTime,
  kTransactionHash,
  kTransactionOrder,
  kSuccessful,
  kOperationIndex,
  kEventIndex,
  kOrigin,
  kStage,
  kType,
  kContractId,
  kTopics,
  kTopicsXdr,
  kData,
  kDataXdr,
  kInSuccessfulContractCall,
};

/// Where an event was found.
struct EventPlace {
  std::string_view origin;  // operation, transaction, diagnostic
  std::optional<uint32_t> operation_index;
  std::optional<std::string_view> stage;
  bool in_successful_call = false;
};

/// Ledger and transaction facts shared by the rows of one transaction.
struct TransactionContext {
  uint32_t ledger_sequence;
  int64_t close_time_micros;
  xdr::HexText hash;
  uint32_t order;
  bool successful;
};

std::string_view EventTypeName(sx::ContractEventType type) {
  switch (type) {
    case sx::ContractEventType::SYSTEM:
      return "system";
    case sx::ContractEventType::CONTRACT:
      return "contract";
    default:
      return "diagnostic";
  }
}

std::string_view StageName(sx::TransactionEventStage stage) {
  switch (stage) {
    case sx::TransactionEventStage::TRANSACTION_EVENT_STAGE_BEFORE_ALL_TXS:
      return "before_all_txs";
    case sx::TransactionEventStage::TRANSACTION_EVENT_STAGE_AFTER_TX:
      return "after_tx";
    default:
      return "after_all_txs";
  }
}

/// Appends the rows of one transaction's events.
class EventAppender {
 public:
  EventAppender(ColumnBuilders& columns, const TransactionContext& tx)
      : c_(columns), tx_(tx) {}

  arrow::Status Append(sx::ContractEventView event, const EventPlace& place) {
    ARROW_RETURN_NOT_OK(
        c_.column<arrow::UInt32Builder>(kLedgerSequence)->Append(tx_.ledger_sequence));
    ARROW_RETURN_NOT_OK(c_.column<arrow::TimestampBuilder>(kLedgerCloseTime)
                            ->Append(tx_.close_time_micros));
    ARROW_RETURN_NOT_OK(
        c_.column<arrow::StringBuilder>(kTransactionHash)->Append(tx_.hash.view()));
    ARROW_RETURN_NOT_OK(
        c_.column<arrow::UInt32Builder>(kTransactionOrder)->Append(tx_.order));
    ARROW_RETURN_NOT_OK(
        c_.column<arrow::BooleanBuilder>(kSuccessful)->Append(tx_.successful));
    ARROW_RETURN_NOT_OK(AppendOptional(c_.column<arrow::UInt32Builder>(kOperationIndex),
                                       place.operation_index));
    ARROW_RETURN_NOT_OK(
        c_.column<arrow::UInt32Builder>(kEventIndex)->Append(next_index_++));
    ARROW_RETURN_NOT_OK(c_.column<EnumStringBuilder>(kOrigin)->AppendName(place.origin));
    auto* stage = c_.column<EnumStringBuilder>(kStage);
    ARROW_RETURN_NOT_OK(place.stage ? stage->AppendName(*place.stage)
                                    : stage->AppendNull());
    ARROW_RETURN_NOT_OK(
        c_.column<EnumStringBuilder>(kType)->AppendName(EventTypeName(event.type())));
    auto* contract = c_.column<arrow::StringBuilder>(kContractId);
    ARROW_RETURN_NOT_OK(
        event.contractID().has_value()
            ? contract->Append(xdr::ContractStrKey(event.contractID().value()).view())
            : contract->AppendNull());
    ARROW_RETURN_NOT_OK(AppendBody(event.body().v0()));
    return c_.column<arrow::BooleanBuilder>(kInSuccessfulContractCall)
        ->Append(place.in_successful_call);
  }

 private:
  arrow::Status AppendBody(sx::ContractEventV0View body) {
    auto* topics = c_.column<arrow::ListBuilder>(kTopics);
    auto* topic_values = static_cast<arrow::StringBuilder*>(topics->value_builder());
    auto* topics_xdr = c_.column<arrow::ListBuilder>(kTopicsXdr);
    auto* topic_xdr_values =
        static_cast<arrow::BinaryBuilder*>(topics_xdr->value_builder());
    ARROW_RETURN_NOT_OK(topics->Append());
    ARROW_RETURN_NOT_OK(topics_xdr->Append());
    for (auto topic : body.topics()) {
      ARROW_RETURN_NOT_OK(topic_values->Append(Json(topic)));
      ARROW_RETURN_NOT_OK(
          topic_xdr_values->Append(topic.data(), static_cast<int32_t>(topic.size())));
    }
    auto data = body.data_();
    ARROW_RETURN_NOT_OK(c_.column<arrow::StringBuilder>(kData)->Append(Json(data)));
    return c_.column<arrow::BinaryBuilder>(kDataXdr)->Append(
        data.data(), static_cast<int32_t>(data.size()));
  }

  /// Returns the typed JSON summary of `value`, rendered into a reused buffer.
  std::string_view Json(sx::SCValView value) {
    json_.clear();
    AppendScValJson(value, &json_);
    return json_;
  }

  ColumnBuilders& c_;
  const TransactionContext& tx_;
  uint32_t next_index_ = 1;
  std::string json_;
};

arrow::Status AppendDiagnostics(EventAppender& appender,
                                sx::ArrayView<sx::DiagnosticEventView> events) {
  for (auto diagnostic : events) {
    ARROW_RETURN_NOT_OK(
        appender.Append(diagnostic.event(), {"diagnostic", std::nullopt, std::nullopt,
                                             diagnostic.inSuccessfulContractCall()}));
  }
  return arrow::Status::OK();
}

/// TransactionMeta v3: a Soroban transaction's events belong to its single operation.
arrow::Status AppendV3(EventAppender& appender, const xdr::AppliedTransaction& tx,
                       bool successful) {
  if (!tx.soroban_meta_v3) return arrow::Status::OK();
  auto soroban = tx.soroban_meta_v3->fields();
  for (auto event : soroban.events) {
    ARROW_RETURN_NOT_OK(
        appender.Append(event, {"operation", 1, std::nullopt, successful}));
  }
  return AppendDiagnostics(appender, soroban.diagnosticEvents);
}

/// TransactionMeta v4: operation events, then transaction events, then diagnostics (all
/// located by the frame while parsing).
arrow::Status AppendV4(EventAppender& appender, const xdr::LedgerCloseMetaFrame& frame,
                       const xdr::AppliedTransaction& tx, bool successful) {
  uint32_t operation = 0;
  for (const xdr::OperationMetaParts& op_meta : frame.operation_metas(tx)) {
    ++operation;
    for (auto event : op_meta.events) {
      ARROW_RETURN_NOT_OK(
          appender.Append(event, {"operation", operation, std::nullopt, successful}));
    }
  }
  for (auto tx_event : tx.transaction_events) {
    ARROW_RETURN_NOT_OK(appender.Append(
        tx_event.event(),
        {"transaction", std::nullopt, StageName(tx_event.stage()), true}));
  }
  return AppendDiagnostics(appender, tx.diagnostic_events);
}

}  // namespace

std::shared_ptr<arrow::Schema> ContractEventTableSchema() {
  static const std::shared_ptr<arrow::Schema> schema = arrow::schema({
      arrow::field("ledger_sequence", arrow::uint32(), false),
      arrow::field("ledger_close_time", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"),
                   false),
      arrow::field("transaction_hash", arrow::utf8(), false),
      arrow::field("transaction_order", arrow::uint32(), false),
      arrow::field("successful", arrow::boolean(), false),
      arrow::field("operation_index", arrow::uint32()),
      arrow::field("event_index", arrow::uint32(), false),
      arrow::field("origin", EnumStringType(), false),
      arrow::field("stage", EnumStringType()),
      arrow::field("type", EnumStringType(), false),
      arrow::field("contract_id", arrow::utf8()),
      arrow::field("topics", arrow::list(arrow::utf8()), false),
      arrow::field("topics_xdr", arrow::list(arrow::binary()), false),
      arrow::field("data", arrow::utf8(), false),
      arrow::field("data_xdr", arrow::binary(), false),
      arrow::field("in_successful_contract_call", arrow::boolean(), false),
  });
  return schema;
}

arrow::Result<std::unique_ptr<ContractEventTableBuilder>> ContractEventTableBuilder::Make(
    arrow::MemoryPool* pool) {
  ARROW_ASSIGN_OR_RAISE(auto columns,
                        ColumnBuilders::Make(ContractEventTableSchema(), pool));
  return std::make_unique<ContractEventTableBuilder>(std::move(columns));
}

arrow::Status ContractEventTableBuilder::Append(const xdr::LedgerCloseMetaFrame& frame) {
  int64_t close_time = CloseTimeMicros(frame);
  for (const xdr::AppliedTransaction& tx : frame.transactions()) {
    int32_t version = tx.meta.v();
    if (version < 3) continue;
    TransactionContext context{frame.sequence(), close_time,
                               xdr::HashHex(tx.result.transactionHash()), tx.apply_order,
                               xdr::IsSuccess(tx.result.result().result().code())};
    EventAppender appender(columns_, context);
    ARROW_RETURN_NOT_OK(version == 3 ? AppendV3(appender, tx, context.successful)
                                     : AppendV4(appender, frame, tx, context.successful));
  }
  return arrow::Status::OK();
}

}  // namespace sas::convert
