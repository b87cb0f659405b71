// Link-and-run proof that the Arrow C++ we build against works from our own binary:
// Flight (server + client in-process), Parquet with ZSTD, compute, Acero, filesystems.
#include <filesystem>

#include <arrow/acero/exec_plan.h>
#include <arrow/acero/options.h>
#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/filesystem/api.h>
#include <arrow/flight/api.h>
#include <arrow/io/api.h>
#include <gtest/gtest.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/writer.h>

#include "testing/status_matchers.h"

namespace {

namespace fl = arrow::flight;
using sas::testing::AssertTablesEqual;

std::shared_ptr<arrow::Table> SampleTable() {
  arrow::Int64Builder values;
  arrow::StringBuilder keys;
  for (int64_t i = 0; i < 1000; ++i) {
    EXPECT_TRUE(values.Append(i).ok());
    EXPECT_TRUE(keys.Append(i % 2 == 0 ? "even" : "odd").ok());
  }
  auto schema = arrow::schema(
      {arrow::field("key", arrow::utf8()), arrow::field("value", arrow::int64())});
  return arrow::Table::Make(schema,
                            {keys.Finish().ValueOrDie(), values.Finish().ValueOrDie()});
}

/// A Flight server whose DoGet returns SampleTable().
class TableServer : public fl::FlightServerBase {
  arrow::Status DoGet(const fl::ServerCallContext&, const fl::Ticket&,
                      std::unique_ptr<fl::FlightDataStream>* stream) override {
    auto reader = std::make_shared<arrow::TableBatchReader>(SampleTable());
    *stream = std::make_unique<fl::RecordBatchStream>(reader);
    return arrow::Status::OK();
  }
};

TEST(ArrowSmoke, FlightServerAndClientInProcess) {
  TableServer server;
  ASSERT_OK_AND_ASSIGN(auto location, fl::Location::ForGrpcTcp("127.0.0.1", 0));
  ASSERT_OK(server.Init(fl::FlightServerOptions(location)));
  ASSERT_OK_AND_ASSIGN(auto client_location,
                       fl::Location::ForGrpcTcp("127.0.0.1", server.port()));
  ASSERT_OK_AND_ASSIGN(auto client, fl::FlightClient::Connect(client_location));
  ASSERT_OK_AND_ASSIGN(auto reader, client->DoGet(fl::Ticket{"any"}));
  ASSERT_OK_AND_ASSIGN(auto table, reader->ToTable());
  AssertTablesEqual(*SampleTable(), *table);
  ASSERT_OK(server.Shutdown());
}

TEST(ArrowSmoke, ParquetZstdRoundTrip) {
  auto path = std::filesystem::temp_directory_path() / "sas_smoke.parquet";
  auto table = SampleTable();
  {
    ASSERT_OK_AND_ASSIGN(auto out, arrow::io::FileOutputStream::Open(path.string()));
    auto properties = parquet::WriterProperties::Builder()
                          .compression(arrow::Compression::ZSTD)
                          ->build();
    ASSERT_OK(parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), out, 256,
                                         properties));
    ASSERT_OK(out->Close());
  }
  ASSERT_OK_AND_ASSIGN(auto in, arrow::io::ReadableFile::Open(path.string()));
  ASSERT_OK_AND_ASSIGN(auto reader,
                       parquet::arrow::OpenFile(in, arrow::default_memory_pool()));
  EXPECT_EQ(
      reader->parquet_reader()->metadata()->RowGroup(0)->ColumnChunk(0)->compression(),
      arrow::Compression::ZSTD);
  ASSERT_OK_AND_ASSIGN(auto read_back, reader->ReadTable());
  AssertTablesEqual(*table, *read_back);
  std::filesystem::remove(path);
}

TEST(ArrowSmoke, ComputeKernel) {
  ASSERT_OK_AND_ASSIGN(auto sum,
                       arrow::compute::Sum(SampleTable()->GetColumnByName("value")));
  EXPECT_EQ(sum.scalar_as<arrow::Int64Scalar>().value, 999 * 1000 / 2);
}

TEST(ArrowSmoke, AceroPlanFilterAndGroupBy) {
  namespace ac = arrow::acero;
  namespace cp = arrow::compute;
  ac::Declaration plan = ac::Declaration::Sequence({
      {"table_source", ac::TableSourceNodeOptions(SampleTable())},
      {"filter", ac::FilterNodeOptions(cp::greater_equal(cp::field_ref("value"),
                                                         cp::literal(int64_t{500})))},
      {"aggregate",
       ac::AggregateNodeOptions({{"hash_count", nullptr, "value", "n"}}, {"key"})},
  });
  ASSERT_OK_AND_ASSIGN(auto result, ac::DeclarationToTable(std::move(plan)));
  ASSERT_EQ(result->num_rows(), 2);
  ASSERT_OK_AND_ASSIGN(auto total, arrow::compute::Sum(result->GetColumnByName("n")));
  EXPECT_EQ(total.scalar_as<arrow::Int64Scalar>().value, 500);
}

TEST(ArrowSmoke, FileSystemFromUri) {
  auto dir = std::filesystem::temp_directory_path() / "sas_smoke_fs";
  std::filesystem::create_directories(dir);
  std::string path;
  ASSERT_OK_AND_ASSIGN(auto fs,
                       arrow::fs::FileSystemFromUri("file://" + dir.string(), &path));
  ASSERT_OK_AND_ASSIGN(auto out, fs->OpenOutputStream(path + "/hello.txt"));
  ASSERT_OK(out->Write("hello"));
  ASSERT_OK(out->Close());
  ASSERT_OK_AND_ASSIGN(auto info, fs->GetFileInfo(path + "/hello.txt"));
  EXPECT_EQ(info.size(), 5);
  std::filesystem::remove_all(dir);
}

}  // namespace
