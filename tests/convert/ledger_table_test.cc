#include "convert/ledger_table.h"

#include <arrow/array.h>
#include <gtest/gtest.h>

#include "testing/fixtures.h"
#include "testing/status_matchers.h"
#include "xdr/network.h"

namespace sas::convert {
namespace {

TEST(LedgerTable, SchemaKeepsThe14ColumnsUsersConsumeThenAddsTheLedgersTotals) {
  auto schema = LedgerTableSchema();
  std::vector<std::string> names;
  for (const auto& field : schema->fields()) names.push_back(field->name());
  EXPECT_EQ(names, (std::vector<std::string>{"ledger_sequence",
                                             "ledger_close_time",
                                             "ledger_hash",
                                             "previous_ledger_hash",
                                             "transaction_count",
                                             "operation_count",
                                             "successful_transaction_count",
                                             "failed_transaction_count",
                                             "protocol_version",
                                             "base_fee",
                                             "base_reserve",
                                             "max_tx_set_size",
                                             "close_time_resolution",
                                             "ledger_close_meta_xdr",
                                             "total_coins",
                                             "fee_pool",
                                             "soroban_fee_write_1kb",
                                             "live_soroban_state_bytes",
                                             "upgrade_count",
                                             "ledger_close_meta_version",
                                             "network_id"}));
  EXPECT_TRUE(
      schema->field(1)->type()->Equals(arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")));
  EXPECT_TRUE(schema->field(2)->type()->Equals(arrow::fixed_size_binary(32)));
}

TEST(LedgerTable, EveryFixtureRowAgreesWithTheOracle) {
  ASSERT_OK_AND_ASSIGN(auto builder, LedgerTableBuilder::Make());
  std::vector<const sas::testing::FixtureLedger*> rows;
  for (const auto& ledger : sas::testing::AllFixtureLedgers()) {
    if (ledger.oracle.is_null()) continue;
    ASSERT_OK_AND_ASSIGN(auto frame, xdr::LedgerCloseMetaFrame::Parse(ledger.bytes));
    ASSERT_OK(builder->Append(frame));
    rows.push_back(&ledger);
  }
  ASSERT_OK_AND_ASSIGN(auto batch, builder->Flush());
  ASSERT_OK(batch->ValidateFull());
  ASSERT_EQ(batch->num_rows(), static_cast<int64_t>(rows.size()));
  EXPECT_EQ(builder->num_rows(), 0);

  auto u32 = [&](const char* name) {
    return std::static_pointer_cast<arrow::UInt32Array>(batch->GetColumnByName(name));
  };
  auto hex = [&](const char* name, int64_t row) {
    auto column = std::static_pointer_cast<arrow::FixedSizeBinaryArray>(
        batch->GetColumnByName(name));
    return xdr::ToHex({column->GetValue(row), 32});
  };
  auto i64 = [&](const char* name) {
    return std::static_pointer_cast<arrow::Int64Array>(batch->GetColumnByName(name));
  };
  auto close_time = std::static_pointer_cast<arrow::TimestampArray>(
      batch->GetColumnByName("ledger_close_time"));
  auto xdr_column = std::static_pointer_cast<arrow::BinaryArray>(
      batch->GetColumnByName("ledger_close_meta_xdr"));
  for (int64_t row = 0; row < batch->num_rows(); ++row) {
    const auto& oracle = rows[static_cast<size_t>(row)]->oracle;
    SCOPED_TRACE(rows[static_cast<size_t>(row)]->file);
    EXPECT_EQ(u32("ledger_sequence")->Value(row), oracle["sequence"].get<uint32_t>());
    EXPECT_EQ(std::to_string(close_time->Value(row) / 1'000'000),
              oracle["closeTime"].get<std::string>());
    EXPECT_EQ(hex("ledger_hash", row), oracle["ledgerHash"]);
    EXPECT_EQ(hex("previous_ledger_hash", row), oracle["previousLedgerHash"]);
    EXPECT_EQ(u32("transaction_count")->Value(row), oracle["txCount"].get<uint32_t>());
    EXPECT_EQ(u32("operation_count")->Value(row),
              oracle["opCountInSuccessfulTxs"].get<uint32_t>());
    EXPECT_EQ(u32("successful_transaction_count")->Value(row),
              oracle["successfulTx"].get<uint32_t>());
    EXPECT_EQ(u32("failed_transaction_count")->Value(row),
              oracle["failedTx"].get<uint32_t>());
    EXPECT_EQ(u32("protocol_version")->Value(row), oracle["protocol"].get<uint32_t>());
    EXPECT_EQ(u32("close_time_resolution")->Value(row), kCloseTimeResolutionSeconds);
    EXPECT_EQ(xdr_column->GetView(row).size(), oracle["bytes"].get<size_t>());
    EXPECT_EQ(std::to_string(i64("total_coins")->Value(row)), oracle["totalCoins"]);
    EXPECT_EQ(std::to_string(i64("fee_pool")->Value(row)), oracle["feePool"]);
    EXPECT_EQ(u32("ledger_close_meta_version")->Value(row),
              oracle["lcmVersion"].get<uint32_t>());
    bool v0 = oracle["lcmVersion"].get<int>() == 0;
    EXPECT_EQ(batch->GetColumnByName("live_soroban_state_bytes")->IsNull(row), v0);
    EXPECT_TRUE(batch->GetColumnByName("network_id")->IsNull(row));
  }
}

TEST(LedgerTable, NetworkIdIsTheHashOfTheGivenPassphrase) {
  const std::string passphrase = "Public Global Stellar Network ; September 2015";
  ASSERT_OK_AND_ASSIGN(auto builder,
                       LedgerTableBuilder::Make(xdr::NetworkId(passphrase)));
  const auto& ledger = sas::testing::AllFixtureLedgers().front();
  ASSERT_OK_AND_ASSIGN(auto frame, xdr::LedgerCloseMetaFrame::Parse(ledger.bytes));
  ASSERT_OK(builder->Append(frame));
  ASSERT_OK_AND_ASSIGN(auto batch, builder->Flush());
  auto column = std::static_pointer_cast<arrow::FixedSizeBinaryArray>(
      batch->GetColumnByName("network_id"));
  ASSERT_FALSE(column->IsNull(0));
  // stellar-core's well-known pubnet network id.
  EXPECT_EQ(xdr::ToHex({column->GetValue(0), 32}),
            "7ac33997544e3175d266bd022439b22cdb16508c01163f26e5cb2a3e1045a979");
}

}  // namespace
}  // namespace sas::convert
