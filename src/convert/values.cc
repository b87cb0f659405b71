#include "convert/values.h"

#include <array>
#include <cctype>
#include <mutex>

#include <arrow/util/utf8.h>

#include "xdr/strkey.h"

namespace sas::convert {

xdr::StrKeyText ContractIdFromPreimage(std::span<const uint8_t> preimage,
                                       const xdr::Digest& network_id) {
  std::array<uint8_t, 4> type;
  sx::StoreU32(type.data(),
               static_cast<uint32_t>(sx::EnvelopeType::ENVELOPE_TYPE_CONTRACT_ID));
  xdr::Sha256 hasher;
  hasher.Update(type);
  hasher.Update(network_id);
  hasher.Update(preimage);
  return xdr::ContractStrKey(hasher.Finish());
}

xdr::StrKeyText AccountId(sx::PublicKeyView account) {
  return xdr::AccountStrKey(account.ed25519());
}

AccountColumns MuxedAccount(sx::MuxedAccountView account) {
  if (account.type() == sx::CryptoKeyType::KEY_TYPE_ED25519) {
    return {xdr::AccountStrKey(account.ed25519()), std::nullopt, std::nullopt};
  }
  auto muxed = account.med25519();
  return {xdr::AccountStrKey(muxed.ed25519()),
          xdr::MuxedAccountStrKey(muxed.ed25519(), muxed.id()), muxed.id()};
}

AssetCodeText AssetCode(std::span<const uint8_t> padded) {
  size_t length = padded.size();
  while (length > 0 && padded[length - 1] == 0) --length;
  return AssetCodeText({reinterpret_cast<const char*>(padded.data()), length});
}

template <class AnyAssetView>
AssetColumns CreditAsset(AnyAssetView asset) {
  switch (asset.type()) {
    case sx::AssetType::ASSET_TYPE_CREDIT_ALPHANUM4:
      return {"credit_alphanum4", AssetCode(asset.alphaNum4().assetCode()),
              AccountId(asset.alphaNum4().issuer())};
    case sx::AssetType::ASSET_TYPE_CREDIT_ALPHANUM12:
      return {"credit_alphanum12", AssetCode(asset.alphaNum12().assetCode()),
              AccountId(asset.alphaNum12().issuer())};
    case sx::AssetType::ASSET_TYPE_POOL_SHARE:
      return {"pool_share", std::nullopt, std::nullopt};
    default:
      return {"native", std::nullopt, std::nullopt};
  }
}

AssetColumns Asset(sx::AssetView asset) { return CreditAsset(asset); }

AssetColumns Asset(sx::ChangeTrustAssetView asset) { return CreditAsset(asset); }

CanonicalAssetText CanonicalAsset(sx::AssetView asset) {
  AssetColumns columns = Asset(asset);
  if (!columns.code) return CanonicalAssetText("native");
  return CanonicalIssuedAsset(*columns.code, *columns.issuer);
}

CanonicalAssetText CanonicalIssuedAsset(std::string_view code, std::string_view issuer) {
  CanonicalAssetText text(code);
  text.Push(':');
  text.Append(issuer);
  return text;
}

bool IsValidUtf8(std::span<const uint8_t> bytes) {
  static std::once_flag once;
  std::call_once(once, [] { arrow::util::InitializeUTF8(); });
  return arrow::util::ValidateUTF8(bytes.data(), static_cast<int64_t>(bytes.size()));
}

std::string Utf8OrReplaced(std::string_view text) {
  std::span<const uint8_t> raw(reinterpret_cast<const uint8_t*>(text.data()),
                               text.size());
  if (IsValidUtf8(raw)) return std::string(text);
  std::string replaced;
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x80) {
      replaced.push_back(c);
    } else {
      replaced.append("\xEF\xBF\xBD");  // U+FFFD
    }
  }
  return replaced;
}

std::string_view OperationTypeName(sx::OperationType type) {
  static constexpr int kMaxTypes = 64;
  static std::array<std::string, kMaxTypes> names;
  static std::once_flag once;
  std::call_once(once, [] {
    for (int value = 0; value < kMaxTypes; ++value) {
      auto op = static_cast<sx::OperationType>(value);
      if (!sx::IsValid(op)) continue;
      std::string name(sx::ToString(op));
      for (char& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      names[static_cast<size_t>(value)] = std::move(name);
    }
  });
  auto index = static_cast<size_t>(type);
  return index < names.size() ? std::string_view(names[index])
                              : std::string_view("unknown");
}

}  // namespace sas::convert
