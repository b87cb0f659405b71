// LedgerConverter over every fixture ledger, checked per ledger against the independent
// oracle (ORACLE-ledgers.jsonl, from @stellar/stellar-base): row counts of every table,
// operation types, result codes, fee bumps, first/last transaction hash, contract events.
#include "convert/ledger_converter.h"

#include <map>

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <gtest/gtest.h>

#include "ingest/generator.h"
#include "stellar_xdr_types.h"
#include "testing/fixtures.h"
#include "testing/status_matchers.h"

namespace sas::convert {
namespace {

using sas::testing::FixtureLedger;
namespace sx = stellar::xdr;

/// "manageSellOffer" -> "manage_sell_offer".
std::string SnakeCase(const std::string& camel) {
  std::string out;
  for (char c : camel) {
    if (std::isupper(static_cast<unsigned char>(c)) != 0) {
      out.push_back('_');
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

/// Counts the values of a string (or dictionary) column, optionally where `filter` holds.
std::map<std::string, int> ValueCounts(const arrow::RecordBatch& batch,
                                       const char* column,
                                       const char* bool_filter = nullptr) {
  std::map<std::string, int> counts;
  auto values =
      arrow::compute::Cast(batch.GetColumnByName(column), arrow::utf8()).ValueOrDie();
  auto strings = std::static_pointer_cast<arrow::StringArray>(values.make_array());
  std::shared_ptr<arrow::BooleanArray> filter;
  if (bool_filter != nullptr) {
    filter =
        std::static_pointer_cast<arrow::BooleanArray>(batch.GetColumnByName(bool_filter));
  }
  for (int64_t i = 0; i < strings->length(); ++i) {
    if (strings->IsNull(i) || (filter && !filter->Value(i))) continue;
    ++counts[std::string(strings->GetView(i))];
  }
  return counts;
}

void CheckLedger(const FixtureLedger& ledger, const ConvertedChunk& chunk) {
  const auto& oracle = ledger.oracle;
  const auto& ledgers = *chunk.batch(Table::kStellarLedger).ValueOrDie();
  const auto& transactions = *chunk.batch(Table::kTransactions).ValueOrDie();
  const auto& operations = *chunk.batch(Table::kOperations).ValueOrDie();
  const auto& events = *chunk.batch(Table::kContractEvents).ValueOrDie();
  EXPECT_EQ(ledgers.num_rows(), 1);
  EXPECT_EQ(transactions.num_rows(), oracle["txCount"].get<int64_t>());
  EXPECT_EQ(operations.num_rows(), oracle["opCount"].get<int64_t>());
  std::map<std::string, int> op_types;
  for (const auto& [name, count] : oracle["opTypes"].items()) {
    op_types[SnakeCase(name)] = count.get<int>();
  }
  EXPECT_EQ(ValueCounts(operations, "op_type"), op_types);
  int successful_ops = 0;
  for (const auto& [type, count] : ValueCounts(operations, "op_type", "successful")) {
    successful_ops += count;
  }
  EXPECT_EQ(successful_ops, oracle["opCountInSuccessfulTxs"].get<int>());
  int fee_bumps = 0;
  for (const auto& [value, count] : ValueCounts(transactions, "inner_transaction_hash")) {
    fee_bumps += count;
  }
  EXPECT_EQ(fee_bumps, oracle["feeBumpTxs"].get<int>());
  int operation_events = ValueCounts(events, "origin")["operation"];
  EXPECT_EQ(operation_events, oracle["contractEvents"].get<int>());
  if (transactions.num_rows() > 0) {
    auto hashes = std::static_pointer_cast<arrow::StringArray>(
        transactions.GetColumnByName("transaction_hash"));
    EXPECT_EQ(hashes->GetString(0), oracle["firstTxHash"]);
    EXPECT_EQ(hashes->GetString(hashes->length() - 1), oracle["lastTxHash"]);
  }
}

TEST(LedgerConverter, EveryFixtureLedgerAgreesWithTheOracle) {
  size_t checked = 0;
  for (const auto& ledger : sas::testing::AllFixtureLedgers()) {
    if (ledger.oracle.is_null()) continue;
    SCOPED_TRACE(ledger.file + " #" + std::to_string(ledger.index));
    ConverterOptions options;
    options.network_passphrase = sas::testing::PassphraseOf(
        ledger.oracle["network"].is_null() ? "testnet"
                                           : ledger.oracle["network"].get<std::string>());
    ASSERT_OK_AND_ASSIGN(auto converter, LedgerConverter::Make(options));
    std::span<const uint8_t> bytes = ledger.bytes;
    ASSERT_OK_AND_ASSIGN(auto chunk, converter->Convert({&bytes, 1}));
    for (Table table : kAllTables)
      ASSERT_OK(chunk.batch(table).ValueOrDie()->ValidateFull());
    CheckLedger(ledger, chunk);
    ++checked;
  }
  EXPECT_GE(checked, 900u);
}

TEST(LedgerConverter, RecognisesTheNetworkAndNamesItInTheSchema) {
  auto ledgers =
      sas::testing::FixtureFileLedgers("pubnet/wallet-backend/ledger-63092988.xdr");
  ASSERT_EQ(ledgers.size(), 1u);
  ASSERT_OK_AND_ASSIGN(auto converter, LedgerConverter::Make({}));
  std::span<const uint8_t> bytes = ledgers[0].bytes;
  ASSERT_OK_AND_ASSIGN(auto chunk, converter->Convert({&bytes, 1}));
  EXPECT_EQ(converter->network_passphrase(),
            "Public Global Stellar Network ; September 2015");
  auto metadata = chunk.batches(Table::kOperations)[0]->schema()->metadata();
  ASSERT_NE(metadata, nullptr);
  EXPECT_EQ(metadata->Get("stellar_arrow_source.network").ValueOrDie(),
            "Public Global Stellar Network ; September 2015");
  EXPECT_EQ(metadata->Get("stellar_arrow_source.table").ValueOrDie(), "operations");
  EXPECT_EQ(metadata->Get("stellar_arrow_source.schema_version").ValueOrDie(),
            kSchemaVersion);
}

TEST(LedgerConverter, StrictModeNamesTheBadLedgerBestEffortKeepsTheOthers) {
  auto good =
      sas::testing::FixtureFileLedgers("pubnet/wallet-backend/ledger-51000294.xdr");
  ASSERT_EQ(good.size(), 1u);
  std::vector<uint8_t> bad(good[0].bytes.begin(), good[0].bytes.end());
  bad[3] = 7;  // unknown LedgerCloseMeta version
  std::vector<std::span<const uint8_t>> chunk_input = {good[0].bytes, bad, good[0].bytes};

  ASSERT_OK_AND_ASSIGN(auto strict, LedgerConverter::Make({}));
  auto failed = strict->Convert(chunk_input);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("ledger 1 of the chunk: "), std::string::npos)
      << failed.status();  // an unknown version: no header to name it by
  EXPECT_NE(failed.status().message().find("unknown union discriminant 7"),
            std::string::npos);

  ConverterOptions options;
  options.best_effort = true;
  ASSERT_OK_AND_ASSIGN(auto lenient, LedgerConverter::Make(options));
  ASSERT_OK_AND_ASSIGN(auto chunk, lenient->Convert(chunk_input));
  ASSERT_EQ(chunk.errors.size(), 1u);
  EXPECT_EQ(chunk.errors[0].index, 1u);
  EXPECT_EQ(chunk.batch(Table::kStellarLedger).ValueOrDie()->num_rows(), 2);
  ASSERT_EQ(chunk.converted.size(), 2u);
  EXPECT_EQ(chunk.converted[0].index, 0u);
  EXPECT_EQ(chunk.converted[1].index, 2u);
  for (const ConvertedLedgerStamp& stamp : chunk.converted) {
    EXPECT_EQ(stamp.sequence, 51000294u);
    EXPECT_EQ(std::to_string(stamp.close_time), good[0].oracle["closeTime"]);
  }
}

/// Returns a column with dictionary-encoded values decoded (batches built apart hold the
/// same values under different dictionaries).
std::shared_ptr<arrow::Array> Decoded(const std::shared_ptr<arrow::Array>& column) {
  if (column->type_id() != arrow::Type::DICTIONARY) return column;
  const auto& type = static_cast<const arrow::DictionaryType&>(*column->type());
  return arrow::compute::Cast(*column, type.value_type()).ValueOrDie();
}

/// Generated ledgers; in the second, a Soroban fee refund is made negative (the fee
/// payer's balance falls in its post-apply fee processing). That ledger parses and fills
/// the first tables, then fails in `token_transfers`.
std::vector<std::vector<uint8_t>> LedgersWithALateFailure() {
  ingest::GeneratorOptions generator_options;
  generator_options.transactions_per_ledger = 40;
  ingest::LedgerGenerator generator(generator_options);
  std::vector<std::vector<uint8_t>> ledgers = {generator.Next()};
  while (ledgers.size() < 2) {
    auto lcm = sx::DecodeXdr<sx::LedgerCloseMeta>(generator.Next()).ValueOrDie();
    for (auto& processing : lcm.v2->txProcessing) {
      for (auto& change : processing.postTxApplyFeeProcessing) {
        if (change.type != sx::LedgerEntryChangeType::LEDGER_ENTRY_UPDATED) continue;
        change.updated->data.account->balance -= 1'000'000'000;
        ledgers.push_back(sx::EncodeXdr(lcm));
        break;
      }
      if (ledgers.size() == 2) break;
    }
  }
  ledgers.push_back(generator.Next());
  return ledgers;
}

TEST(LedgerConverter, BestEffortDropsALedgerThatFailsAfterItsFirstRows) {
  auto ledgers = LedgersWithALateFailure();
  std::vector<std::span<const uint8_t>> chunk_input(ledgers.begin(), ledgers.end());
  ConverterOptions options;
  options.network_passphrase = ingest::GeneratorOptions().network_passphrase;

  ASSERT_OK_AND_ASSIGN(auto strict, LedgerConverter::Make(options));
  auto failed = strict->Convert(chunk_input);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("ledger 1 of the chunk (sequence "),
            std::string::npos)
      << failed.status();
  EXPECT_NE(failed.status().message().find("negative fee refund"), std::string::npos)
      << failed.status();

  options.best_effort = true;
  ASSERT_OK_AND_ASSIGN(auto lenient, LedgerConverter::Make(options));
  ASSERT_OK_AND_ASSIGN(auto chunk, lenient->Convert(chunk_input));
  ASSERT_EQ(chunk.errors.size(), 1u);
  EXPECT_EQ(chunk.errors[0].index, 1u);
  // Every table holds exactly the rows of the two good ledgers, in order (converted by
  // the strict converter, which must not keep rows of the chunk it failed).
  std::vector<std::span<const uint8_t>> good = {chunk_input[0], chunk_input[2]};
  ASSERT_OK_AND_ASSIGN(auto expected, strict->Convert(good));
  for (Table table : kAllTables) {
    SCOPED_TRACE(std::string(TableName(table)));
    ASSERT_OK_AND_ASSIGN(auto got, chunk.batch(table));
    ASSERT_OK_AND_ASSIGN(auto want, expected.batch(table));
    EXPECT_GT(want->num_rows(), 0);
    ASSERT_EQ(got->num_rows(), want->num_rows());
    for (int i = 0; i < want->num_columns(); ++i) {
      EXPECT_TRUE(Decoded(got->column(i))->Equals(*Decoded(want->column(i))))
          << want->schema()->field(i)->name();
    }
  }
  // The converter goes on as before with the next chunk.
  ASSERT_OK_AND_ASSIGN(auto again, lenient->Convert(good));
  EXPECT_TRUE(again.errors.empty());
  EXPECT_EQ(again.batch(Table::kOperations).ValueOrDie()->num_rows(),
            expected.batch(Table::kOperations).ValueOrDie()->num_rows());
}

TEST(LedgerConverter, UnknownNetworkIsAClearError) {
  auto ledgers = sas::testing::FixtureFileLedgers(
      "coretest/horizon-test-lcms/PathPaymentTests/6b8dd7030be55252.xdr");
  ASSERT_FALSE(ledgers.empty());
  ASSERT_OK_AND_ASSIGN(auto converter, LedgerConverter::Make({}));
  std::span<const uint8_t> bytes = ledgers[0].bytes;
  auto chunk = converter->Convert({&bytes, 1});
  ASSERT_FALSE(chunk.ok());
  EXPECT_NE(chunk.status().message().find("hash to no known network"), std::string::npos);
}

TEST(LedgerConverter, ParallelConversionKeepsLedgerOrder) {
  std::vector<std::span<const uint8_t>> ledgers;
  for (const auto& ledger : sas::testing::AllFixtureLedgers()) {
    if (ledger.file.find("lighthorizon") != std::string::npos)
      ledgers.push_back(ledger.bytes);
  }
  ASSERT_EQ(ledgers.size(), 320u);
  ASSERT_OK_AND_ASSIGN(auto serial, LedgerConverter::Make({}));
  ConverterOptions options;
  options.parallelism = 3;
  ASSERT_OK_AND_ASSIGN(auto parallel, LedgerConverter::Make(options));
  for (int round = 0; round < 2; ++round) {
    ASSERT_OK_AND_ASSIGN(auto one, serial->Convert(ledgers));
    ASSERT_OK_AND_ASSIGN(auto many, parallel->Convert(ledgers));
    for (Table table : kAllTables) {
      SCOPED_TRACE(TableName(table));
      ASSERT_OK_AND_ASSIGN(auto expected, one.batch(table));
      ASSERT_OK_AND_ASSIGN(auto actual, many.batch(table));
      ASSERT_OK(actual->ValidateFull());
      EXPECT_EQ(many.batches(table).size(), 3u);
      EXPECT_TRUE(expected->Equals(*actual, /*check_metadata=*/true));
    }
    EXPECT_GT(one.batch(Table::kOperations).ValueOrDie()->num_rows(), 0);
  }
}

TEST(LedgerConverter, BuildsOnlyTheTablesAskedFor) {
  auto ledgers =
      sas::testing::FixtureFileLedgers("pubnet/wallet-backend/ledger-51000294.xdr");
  ASSERT_EQ(ledgers.size(), 1u);
  ConverterOptions options;
  options.tables = {Table::kOperations};
  ASSERT_OK_AND_ASSIGN(auto converter, LedgerConverter::Make(options));
  std::span<const uint8_t> bytes = ledgers[0].bytes;
  ASSERT_OK_AND_ASSIGN(auto chunk, converter->Convert({&bytes, 1}));
  EXPECT_GT(chunk.batch(Table::kOperations).ValueOrDie()->num_rows(), 0);
  for (Table table :
       {Table::kStellarLedger, Table::kTransactions, Table::kTokenTransfers}) {
    ASSERT_OK_AND_ASSIGN(auto batch, chunk.batch(table));
    EXPECT_EQ(batch->num_rows(), 0) << TableName(table);
    EXPECT_TRUE(batch->schema()->Equals(*TableSchema(table), /*check_metadata=*/false));
  }
}

TEST(LedgerConverter, TableNames) {
  for (Table table : kAllTables) {
    ASSERT_OK_AND_ASSIGN(Table parsed, ParseTableName(TableName(table)));
    EXPECT_EQ(parsed, table);
  }
  ASSERT_OK_AND_ASSIGN(Table alias, ParseTableName("ttp_events"));
  EXPECT_EQ(alias, Table::kTokenTransfers);
  EXPECT_TRUE(ParseTableName("nope").status().IsInvalid());
}

}  // namespace
}  // namespace sas::convert
