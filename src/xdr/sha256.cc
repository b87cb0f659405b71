#include "xdr/sha256.h"

#include <vector>

#include <openssl/evp.h>

namespace sas::xdr {
namespace {

/// SHA-256 fetched from the default provider once: EVP_sha256() would fetch it again at
/// every digest initialization.
const EVP_MD* FetchedSha256() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

/// Frees an OpenSSL digest context.
struct FreeContext {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};
using OwnedContext = std::unique_ptr<EVP_MD_CTX, FreeContext>;

/// Contexts of finished digests, kept per thread for the next ones (no allocation).
std::vector<OwnedContext>& SpareContexts() {
  thread_local std::vector<OwnedContext> spare;
  return spare;
}

}  // namespace

struct Sha256::Context {
  Context() {
    auto& spare = SpareContexts();
    if (spare.empty()) {
      md.reset(EVP_MD_CTX_new());
    } else {
      md = std::move(spare.back());
      spare.pop_back();
    }
    EVP_DigestInit_ex2(md.get(), FetchedSha256(), nullptr);
  }

  ~Context() {
    if (md) SpareContexts().push_back(std::move(md));
  }

  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  OwnedContext md;
};

Sha256::Sha256() : context_(std::make_unique<Context>()) {}

Sha256::~Sha256() = default;

void Sha256::Update(std::span<const uint8_t> bytes) {
  EVP_DigestUpdate(context_->md.get(), bytes.data(), bytes.size());
}

Digest Sha256::Finish() {
  Digest digest{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(context_->md.get(), digest.data(), &length);
  return digest;
}

Digest Sha256Of(std::span<const uint8_t> bytes) {
  Sha256 hasher;
  hasher.Update(bytes);
  return hasher.Finish();
}

Digest NetworkId(std::string_view passphrase) {
  return Sha256Of(
      {reinterpret_cast<const uint8_t*>(passphrase.data()), passphrase.size()});
}

void WriteHex(std::span<const uint8_t> bytes, char* out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0xF];
  }
}

std::string ToHex(std::span<const uint8_t> bytes) {
  std::string hex(bytes.size() * 2, '0');
  WriteHex(bytes, hex.data());
  return hex;
}

HexText HashHex(std::span<const uint8_t, 32> bytes) {
  HexText hex;
  WriteHex(bytes, hex.Resize(64));
  return hex;
}

}  // namespace sas::xdr
