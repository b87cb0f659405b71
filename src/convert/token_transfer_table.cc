#include "convert/token_transfer_table.h"

#include "convert/token_transfers.h"
#include "convert/values.h"

namespace sas::convert {
namespace {

enum Column : int {
  kLedgerSequence,
  kLedgerCloseTime,
  kTransactionHash,
  kTransactionIndex,
  kOperationIndex,
  kEventType,
  kFrom,
  kTo,
  kAsset,
  kAssetType,
  kAssetCode,
  kAssetIssuer,
  kAmount,
  kContractId,
  kToMuxedType,
  kToMuxedValue,
};

std::string_view AssetTypeName(const TokenAsset& asset) {
  if (asset.kind == TokenAsset::Kind::kNative) return "native";
  if (asset.kind == TokenAsset::Kind::kNone) return "none";
  return asset.code.size() <= 4 ? "credit_alphanum4" : "credit_alphanum12";
}

arrow::Status AppendText(ColumnBuilders& c, int column, std::string_view value) {
  auto* builder = c.column<arrow::StringBuilder>(column);
  return value.empty() ? builder->AppendNull() : builder->Append(value);
}

arrow::Status AppendEnum(ColumnBuilders& c, int column, std::string_view value) {
  auto* builder = c.column<arrow::StringDictionary32Builder>(column);
  return value.empty() ? builder->AppendNull() : builder->Append(value);
}

/// Writes each event of one ledger straight into the columns.
class ColumnSink : public TokenTransferSink {
 public:
  ColumnSink(ColumnBuilders* columns, const xdr::LedgerCloseMetaFrame& frame)
      : c_(*columns), frame_(frame), close_time_(CloseTimeMicros(frame)) {}

  arrow::Status Add(const TokenTransferEvent& event) override {
    ARROW_RETURN_NOT_OK(
        c_.column<arrow::UInt32Builder>(kLedgerSequence)->Append(frame_.sequence()));
    ARROW_RETURN_NOT_OK(
        c_.column<arrow::TimestampBuilder>(kLedgerCloseTime)->Append(close_time_));
    ARROW_RETURN_NOT_OK(c_.column<arrow::StringBuilder>(kTransactionHash)
                            ->Append(TransactionHash(event.transaction_index)));
    ARROW_RETURN_NOT_OK(c_.column<arrow::UInt32Builder>(kTransactionIndex)
                            ->Append(event.transaction_index));
    ARROW_RETURN_NOT_OK(AppendOptional(c_.column<arrow::UInt32Builder>(kOperationIndex),
                                       event.operation_index));
    ARROW_RETURN_NOT_OK(c_.column<EnumStringBuilder>(kEventType)
                            ->AppendName(TransferKindName(event.kind)));
    ARROW_RETURN_NOT_OK(AppendText(c_, kFrom, event.from));
    ARROW_RETURN_NOT_OK(AppendText(c_, kTo, event.to));
    ARROW_RETURN_NOT_OK(AppendCanonicalAsset(event.asset));
    ARROW_RETURN_NOT_OK(
        c_.column<EnumStringBuilder>(kAssetType)->AppendName(AssetTypeName(event.asset)));
    ARROW_RETURN_NOT_OK(AppendEnum(c_, kAssetCode, event.asset.code));
    ARROW_RETURN_NOT_OK(AppendText(c_, kAssetIssuer, event.asset.issuer));
    ARROW_RETURN_NOT_OK(
        c_.column<arrow::Decimal128Builder>(kAmount)->Append(event.amount));
    ARROW_RETURN_NOT_OK(
        c_.column<arrow::StringBuilder>(kContractId)->Append(event.contract_id.view()));
    ARROW_RETURN_NOT_OK(AppendEnum(c_, kToMuxedType, event.to_muxed_type));
    // An empty text memo is a value: only an absent type makes the value null.
    auto* muxed_value = c_.column<arrow::StringBuilder>(kToMuxedValue);
    return event.to_muxed_type.empty() ? muxed_value->AppendNull()
                                       : muxed_value->Append(event.to_muxed_value);
  }

 private:
  /// Appends `native`, `CODE:ISSUER` or null, written in place.
  arrow::Status AppendCanonicalAsset(const TokenAsset& asset) {
    auto* builder = c_.column<arrow::StringBuilder>(kAsset);
    switch (asset.kind) {
      case TokenAsset::Kind::kNative:
        return builder->Append("native");
      case TokenAsset::Kind::kIssued: {
        std::string_view code = asset.code;
        std::string_view issuer = asset.issuer;
        ARROW_RETURN_NOT_OK(builder->Append(code));
        ARROW_RETURN_NOT_OK(builder->ExtendCurrent(":"));
        return builder->ExtendCurrent(issuer);
      }
      case TokenAsset::Kind::kNone:
        break;
    }
    return builder->AppendNull();
  }

  /// The hex hash of the transaction at 1-based `index`, kept while its events arrive.
  std::string_view TransactionHash(uint32_t index) {
    if (index != hash_index_) {
      hash_ = xdr::HashHex(frame_.transactions()[index - 1].result.transactionHash());
      hash_index_ = index;
    }
    return hash_;
  }

  ColumnBuilders& c_;
  const xdr::LedgerCloseMetaFrame& frame_;
  int64_t close_time_;
  uint32_t hash_index_ = 0;
  xdr::HexText hash_;
};

}  // namespace

std::shared_ptr<arrow::Schema> TokenTransferTableSchema() {
  static const std::shared_ptr<arrow::Schema> schema = arrow::schema({
      arrow::field("ledger_sequence", arrow::uint32(), false),
      arrow::field("ledger_close_time", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"),
                   false),
      arrow::field("transaction_hash", arrow::utf8(), false),
      arrow::field("transaction_index", arrow::uint32(), false),
      arrow::field("operation_index", arrow::uint32()),
      arrow::field("event_type", EnumStringType(), false),
      arrow::field("from", arrow::utf8()),
      arrow::field("to", arrow::utf8()),
      arrow::field("asset", arrow::utf8()),
      arrow::field("asset_type", EnumStringType(), false),
      arrow::field("asset_code", EnumStringType()),
      arrow::field("asset_issuer", arrow::utf8()),
      arrow::field("amount", StroopsType(), false),
      arrow::field("contract_id", arrow::utf8(), false),
      arrow::field("to_muxed_type", EnumStringType()),
      arrow::field("to_muxed_value", arrow::utf8()),
  });
  return schema;
}

arrow::Result<std::unique_ptr<TokenTransferTableBuilder>> TokenTransferTableBuilder::Make(
    const xdr::Digest& network_id, arrow::MemoryPool* pool) {
  ARROW_ASSIGN_OR_RAISE(auto columns,
                        ColumnBuilders::Make(TokenTransferTableSchema(), pool));
  return std::make_unique<TokenTransferTableBuilder>(std::move(columns), network_id);
}

arrow::Status TokenTransferTableBuilder::Append(const xdr::LedgerCloseMetaFrame& frame) {
  ColumnSink sink(&columns_, frame);
  return DeriveTokenTransfers(frame, network_id_, &sink);
}

}  // namespace sas::convert
