// xdr_split: writes every LedgerCloseMeta of the given ledger files (any format the
// decode command reads) as a raw XDR file named by its SHA-256, e.g. to seed a fuzzing
// corpus.
//
// Usage: xdr_split [--max-bytes N] --out DIR FILE...
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "ingest/ledger_file.h"
#include "xdr/sha256.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  size_t max_bytes = SIZE_MAX;
  std::filesystem::path out;
  std::vector<std::string> files;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--max-bytes" && i + 1 < args.size()) {
      max_bytes = std::stoull(args[++i]);
    } else if (args[i] == "--out" && i + 1 < args.size()) {
      out = args[++i];
    } else {
      files.push_back(args[i]);
    }
  }
  if (out.empty() || files.empty()) {
    std::cerr << "usage: xdr_split [--max-bytes N] --out DIR FILE...\n";
    return 2;
  }
  std::filesystem::create_directories(out);
  size_t written = 0;
  for (const std::string& file : files) {
    auto contents =
        sas::ingest::ReadLedgerFile(file, sas::ingest::LedgerFileFormat::kAuto);
    if (!contents.ok()) continue;
    for (const auto& ledger : contents->ledgers) {
      if (!ledger.status.ok() || ledger.bytes.size() > max_bytes) continue;
      std::ofstream(out / sas::xdr::ToHex(sas::xdr::Sha256Of(ledger.bytes)),
                    std::ios::binary)
          .write(reinterpret_cast<const char*>(ledger.bytes.data()),
                 static_cast<std::streamsize>(ledger.bytes.size()));
      ++written;
    }
  }
  std::cout << "wrote " << written << " ledgers to " << out.string() << "\n";
  return 0;
}
