// Ledger files as users have them: raw LedgerCloseMeta XDR, base64 lines, Galexie objects
// (zstd LedgerCloseMetaBatch) and RFC 5531 record-marked streams (optionally zstd).
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <arrow/buffer.h>
#include <arrow/result.h>
#include <arrow/status.h>

namespace sas::ingest {

/// How the bytes of a ledger file are laid out.
enum class LedgerFileFormat { kAuto, kRaw, kBase64, kGalexie, kFramed };

/// Parses "auto", "raw", "base64", "galexie" or "framed".
arrow::Result<LedgerFileFormat> ParseLedgerFileFormat(std::string_view name);

/// Returns the name of a format.
std::string_view LedgerFileFormatName(LedgerFileFormat format);

/// One ledger inside a file: its LedgerCloseMeta bytes, or why they could not be
/// delimited.
struct LedgerSlice {
  std::span<const uint8_t> bytes;
  arrow::Status status;
};

/// The first and last ledger a Galexie batch declares.
struct BatchRange {
  uint32_t start = 0;
  uint32_t end = 0;
};

/// The ledgers of one file, in file order; `buffers` own the bytes the slices point into.
struct LedgerFileContents {
  LedgerFileFormat format = LedgerFileFormat::kAuto;
  std::vector<std::shared_ptr<arrow::Buffer>> buffers;
  std::vector<LedgerSlice> ledgers;
  std::optional<BatchRange> batch;
};

/// Largest decompressed object accepted (a guard against decompression bombs).
inline constexpr int64_t kMaxDecompressedBytes = int64_t{2} << 30;

/// Reads a ledger file from the local filesystem and splits it into ledgers.
arrow::Result<LedgerFileContents> ReadLedgerFile(const std::string& path,
                                                 LedgerFileFormat format);

/// Splits bytes already in memory into ledgers (`format` kAuto detects it).
arrow::Result<LedgerFileContents> SplitLedgerBytes(std::shared_ptr<arrow::Buffer> data,
                                                   LedgerFileFormat format);

/// Splits a decompressed Galexie object (one XDR LedgerCloseMetaBatch) into ledgers,
/// checking the declared count against start and end.
arrow::Result<LedgerFileContents> SplitLedgerCloseMetaBatch(
    std::shared_ptr<arrow::Buffer> data);

/// Returns true when `bytes` start with the zstd frame magic number.
bool IsZstdFrame(std::span<const uint8_t> bytes);

/// Decompresses every zstd frame of `compressed` (at most `max_output` bytes).
arrow::Result<std::shared_ptr<arrow::Buffer>> DecompressZstd(
    std::span<const uint8_t> compressed, int64_t max_output = kMaxDecompressedBytes);

}  // namespace sas::ingest
