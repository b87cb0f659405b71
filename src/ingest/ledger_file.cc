#include "ingest/ledger_file.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>

#include <arrow/io/file.h>
#include <arrow/util/base64.h>
#include <arrow/util/compression.h>

#include "stellar_xdr_views.h"

namespace sas::ingest {
namespace {

namespace sx = stellar::xdr;

constexpr std::array<uint8_t, 4> kZstdMagic = {0x28, 0xB5, 0x2F, 0xFD};
constexpr uint32_t kLastFragmentBit = 0x80000000u;
constexpr size_t kBatchHeaderSize = 12;

std::span<const uint8_t> AsSpan(const arrow::Buffer& buffer) {
  return {buffer.data(), static_cast<size_t>(buffer.size())};
}

/// True when every byte is a base64 character or white space.
bool LooksLikeBase64(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return false;
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t c) {
    return std::isalnum(c) != 0 || c == '+' || c == '/' || c == '=' || c == '\n' ||
           c == '\r' || c == ' ' || c == '\t';
  });
}

/// True when the first word is a final-fragment record mark that fits the input.
bool LooksFramed(std::span<const uint8_t> bytes) {
  if (bytes.data() == nullptr || bytes.size() < 4) return false;
  uint32_t mark = sx::LoadU32(bytes.data());
  return (mark & kLastFragmentBit) != 0 && (mark & ~kLastFragmentBit) <= bytes.size() - 4;
}

LedgerFileFormat DetectUncompressed(std::span<const uint8_t> bytes) {
  if (LooksFramed(bytes)) return LedgerFileFormat::kFramed;
  if (LooksLikeBase64(bytes)) return LedgerFileFormat::kBase64;
  return LedgerFileFormat::kRaw;
}

/// One whole-buffer LedgerCloseMeta.
LedgerFileContents SplitRaw(std::shared_ptr<arrow::Buffer> data) {
  LedgerFileContents contents;
  contents.format = LedgerFileFormat::kRaw;
  contents.ledgers.push_back({AsSpan(*data), arrow::Status::OK()});
  contents.buffers.push_back(std::move(data));
  return contents;
}

/// One LedgerCloseMeta per non-empty line of base64.
LedgerFileContents SplitBase64(std::shared_ptr<arrow::Buffer> data) {
  LedgerFileContents contents;
  contents.format = LedgerFileFormat::kBase64;
  std::string_view text(reinterpret_cast<const char*>(data->data()),
                        static_cast<size_t>(data->size()));
  size_t line_number = 0;
  while (!text.empty()) {
    size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text =
        newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    ++line_number;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
      line.remove_suffix(1);
    if (line.empty()) continue;
    arrow::Result<std::string> decoded = arrow::util::base64_decode(line);
    if (!decoded.ok()) {
      contents.ledgers.push_back(
          {{},
           arrow::Status::Invalid("line ", line_number,
                                  ": not base64: ", decoded.status().message())});
      continue;
    }
    std::shared_ptr<arrow::Buffer> buffer =
        arrow::Buffer::FromString(std::move(*decoded));
    contents.ledgers.push_back({AsSpan(*buffer), arrow::Status::OK()});
    contents.buffers.push_back(std::move(buffer));
  }
  return contents;
}

/// RFC 5531 record marking: a 4-byte mark (high bit: last fragment) before each record.
LedgerFileContents SplitFramed(std::shared_ptr<arrow::Buffer> data) {
  LedgerFileContents contents;
  contents.format = LedgerFileFormat::kFramed;
  std::span<const uint8_t> rest = AsSpan(*data);
  size_t offset = 0;
  while (!rest.empty()) {
    if (rest.size() < 4) {
      contents.ledgers.push_back(
          {{}, arrow::Status::Invalid("record mark truncated at offset ", offset)});
      break;
    }
    uint32_t mark = sx::LoadU32(rest.data());
    uint32_t length = mark & ~kLastFragmentBit;
    if ((mark & kLastFragmentBit) == 0) {
      contents.ledgers.push_back(
          {{},
           arrow::Status::Invalid("multi-fragment record at offset ", offset,
                                  " is not supported")});
      break;
    }
    if (length > rest.size() - 4) {
      contents.ledgers.push_back(
          {{},
           arrow::Status::Invalid("record of ", length, " bytes at offset ", offset,
                                  " runs past the end (", rest.size() - 4, " left)")});
      break;
    }
    contents.ledgers.push_back({rest.subspan(4, length), arrow::Status::OK()});
    rest = rest.subspan(4 + length);
    offset += 4 + length;
  }
  contents.buffers.push_back(std::move(data));
  return contents;
}

}  // namespace

arrow::Result<LedgerFileFormat> ParseLedgerFileFormat(std::string_view name) {
  if (name == "auto") return LedgerFileFormat::kAuto;
  if (name == "raw") return LedgerFileFormat::kRaw;
  if (name == "base64") return LedgerFileFormat::kBase64;
  if (name == "galexie") return LedgerFileFormat::kGalexie;
  if (name == "framed") return LedgerFileFormat::kFramed;
  return arrow::Status::Invalid("unknown format '", name,
                                "': expected auto, raw, base64, galexie or framed");
}

std::string_view LedgerFileFormatName(LedgerFileFormat format) {
  switch (format) {
    case LedgerFileFormat::kAuto:
      return "auto";
    case LedgerFileFormat::kRaw:
      return "raw";
    case LedgerFileFormat::kBase64:
      return "base64";
    case LedgerFileFormat::kGalexie:
      return "galexie";
    case LedgerFileFormat::kFramed:
      return "framed";
  }
  return "auto";
}

bool IsZstdFrame(std::span<const uint8_t> bytes) {
  return bytes.size() >= 4 &&
         std::equal(kZstdMagic.begin(), kZstdMagic.end(), bytes.begin());
}

arrow::Result<std::shared_ptr<arrow::Buffer>> DecompressZstd(
    std::span<const uint8_t> compressed, int64_t max_output) {
  ARROW_ASSIGN_OR_RAISE(auto codec, arrow::util::Codec::Create(arrow::Compression::ZSTD));
  ARROW_ASSIGN_OR_RAISE(auto decompressor, codec->MakeDecompressor());
  int64_t capacity = std::min<int64_t>(
      max_output, std::max<int64_t>(4096, static_cast<int64_t>(compressed.size()) * 6));
  ARROW_ASSIGN_OR_RAISE(auto output, arrow::AllocateResizableBuffer(capacity));
  int64_t written = 0;
  size_t read = 0;
  while (true) {
    if (decompressor->IsFinished()) {
      if (read == compressed.size()) break;
      ARROW_RETURN_NOT_OK(decompressor->Reset());  // next frame
    }
    ARROW_ASSIGN_OR_RAISE(
        auto step,
        decompressor->Decompress(static_cast<int64_t>(compressed.size() - read),
                                 compressed.data() + read, output->size() - written,
                                 output->mutable_data() + written));
    read += static_cast<size_t>(step.bytes_read);
    written += step.bytes_written;
    if (step.need_more_output) {
      if (output->size() >= max_output) {
        return arrow::Status::Invalid("zstd: decompressed size exceeds ", max_output,
                                      " bytes");
      }
      ARROW_RETURN_NOT_OK(output->Resize(std::min(max_output, output->size() * 2)));
    } else if (step.bytes_read == 0 && step.bytes_written == 0 &&
               !decompressor->IsFinished()) {
      return arrow::Status::Invalid("zstd: truncated frame after ", read, " of ",
                                    compressed.size(), " bytes");
    }
  }
  ARROW_RETURN_NOT_OK(output->Resize(written));
  return std::shared_ptr<arrow::Buffer>(std::move(output));
}

arrow::Result<LedgerFileContents> SplitLedgerCloseMetaBatch(
    std::shared_ptr<arrow::Buffer> data) {
  std::span<const uint8_t> bytes = AsSpan(*data);
  if (bytes.size() < kBatchHeaderSize) {
    return arrow::Status::Invalid("LedgerCloseMetaBatch: truncated header (",
                                  bytes.size(), " bytes)");
  }
  LedgerFileContents contents;
  contents.format = LedgerFileFormat::kGalexie;
  BatchRange range{sx::LoadU32(bytes.data()), sx::LoadU32(bytes.data() + 4)};
  uint32_t count = sx::LoadU32(bytes.data() + 8);
  contents.batch = range;
  if (range.end < range.start || count != range.end - range.start + 1) {
    return arrow::Status::Invalid("LedgerCloseMetaBatch: start ", range.start, " end ",
                                  range.end, " but ", count, " ledgers");
  }
  size_t offset = kBatchHeaderSize;
  for (uint32_t i = 0; i < count; ++i) {
    auto parsed = sx::ParseViewPrefix<sx::LedgerCloseMeta>(bytes.subspan(offset));
    if (!parsed.ok()) {
      contents.ledgers.push_back(
          {{},
           parsed.status().WithMessage("LedgerCloseMetaBatch.ledgerCloseMetas[", i, "].",
                                       parsed.status().message(), " (batch offset ",
                                       offset, "; the remaining ", count - i - 1,
                                       " ledgers cannot be delimited)")});
      break;
    }
    contents.ledgers.push_back(
        {bytes.subspan(offset, parsed->size), arrow::Status::OK()});
    offset += parsed->size;
  }
  if (contents.ledgers.size() == count && offset != bytes.size()) {
    contents.ledgers.push_back(
        {{},
         arrow::Status::Invalid("LedgerCloseMetaBatch: ", bytes.size() - offset,
                                " trailing bytes")});
  }
  contents.buffers.push_back(std::move(data));
  return contents;
}

arrow::Result<LedgerFileContents> SplitLedgerBytes(std::shared_ptr<arrow::Buffer> data,
                                                   LedgerFileFormat format) {
  if (data->size() == 0) return arrow::Status::Invalid("empty input: no ledger");
  bool compressed = IsZstdFrame(AsSpan(*data));
  if (compressed) {
    ARROW_ASSIGN_OR_RAISE(data, DecompressZstd(AsSpan(*data)));
  }
  if (format == LedgerFileFormat::kAuto) {
    format = compressed && !LooksFramed(AsSpan(*data))
                 ? LedgerFileFormat::kGalexie
                 : DetectUncompressed(AsSpan(*data));
  }
  switch (format) {
    case LedgerFileFormat::kGalexie:
      return SplitLedgerCloseMetaBatch(std::move(data));
    case LedgerFileFormat::kFramed:
      return SplitFramed(std::move(data));
    case LedgerFileFormat::kBase64:
      return SplitBase64(std::move(data));
    case LedgerFileFormat::kRaw:
    case LedgerFileFormat::kAuto:
      break;
  }
  return SplitRaw(std::move(data));
}

arrow::Result<LedgerFileContents> ReadLedgerFile(const std::string& path,
                                                 LedgerFileFormat format) {
  ARROW_ASSIGN_OR_RAISE(auto file, arrow::io::ReadableFile::Open(path));
  ARROW_ASSIGN_OR_RAISE(int64_t size, file->GetSize());
  ARROW_ASSIGN_OR_RAISE(auto data, file->Read(size));
  ARROW_RETURN_NOT_OK(file->Close());
  return SplitLedgerBytes(std::move(data), format);
}

}  // namespace sas::ingest
