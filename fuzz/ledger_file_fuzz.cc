// libFuzzer target: arbitrary bytes as a ledger file (auto-detected raw, base64, Galexie
// batch, record-marked, zstd). Nothing may crash; every delimited ledger is then parsed.
#include <cstdint>
#include <string>

#include "ingest/ledger_file.h"
#include "xdr/ledger_close_meta.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto buffer =
      arrow::Buffer::FromString(std::string(reinterpret_cast<const char*>(data), size));
  auto contents =
      sas::ingest::SplitLedgerBytes(buffer, sas::ingest::LedgerFileFormat::kAuto);
  if (!contents.ok()) return 0;
  for (const auto& ledger : contents->ledgers) {
    if (ledger.status.ok()) (void)sas::xdr::LedgerCloseMetaFrame::Parse(ledger.bytes);
  }
  return 0;
}
