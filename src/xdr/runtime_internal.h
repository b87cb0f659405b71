// Helpers for the .cc files that tools/xdrgen generates: checked validation, decoding
// and encoding of the XDR building blocks (primitives, opaque data, strings, arrays and
// optional data). Element functions are template arguments so that calls stay direct.
// Checked steps return false with the error recorded in the Reader (see Reader).
// Private to the generated code; use the generated headers instead.

#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "xdr/runtime.h"

namespace stellar::xdr::internal {

// ---------------------------------------------------------------------------------
// Validation. Like the Reader's steps, these return false with the error recorded in
// the reader.

/// Validate `count` consecutive elements with `ValidateElem`.
template <auto ValidateElem>
bool ValidateElements(Reader& r, uint32_t count) {
  for (uint32_t i = 0; i < count; ++i) {
    if (ARROW_PREDICT_FALSE(!ValidateElem(r))) return r.AddIndex(i);
  }
  return true;
}

/// Validate a variable-length array of at most `bound` elements of at least
/// `min_size` bytes each.
template <auto ValidateElem>
bool ValidateVarArray(Reader& r, uint32_t bound, size_t min_size) {
  uint32_t n = 0;
  return r.ReadLength(bound, &n) && r.NeedElements(n, min_size) &&
         ValidateElements<ValidateElem>(r, n);
}

/// Validate optional data whose value `ValidateElem` checks.
template <auto ValidateElem>
bool ValidateOptional(Reader& r) {
  bool present = false;
  if (ARROW_PREDICT_FALSE(!r.ReadOptionalFlag(&present))) return false;
  return !present || ValidateElem(r);
}

/// Validate a 4-byte integer (only its presence).
inline bool ValidateI32(Reader& r) { return r.Skip(4); }
/// Validate a 4-byte unsigned integer (only its presence).
inline bool ValidateU32(Reader& r) { return r.Skip(4); }
/// Validate an 8-byte integer (only its presence).
inline bool ValidateI64(Reader& r) { return r.Skip(8); }
/// Validate an 8-byte unsigned integer (only its presence).
inline bool ValidateU64(Reader& r) { return r.Skip(8); }
/// Validate a bool.
inline bool ValidateBool(Reader& r) { return r.SkipBool(); }

// ---------------------------------------------------------------------------------
// Unchecked skipping of validated bytes.

/// Skip a 4-byte integer.
inline const uint8_t* SkipI32(const uint8_t* p) { return p + 4; }
/// Skip a 4-byte unsigned integer.
inline const uint8_t* SkipU32(const uint8_t* p) { return p + 4; }
/// Skip an 8-byte integer.
inline const uint8_t* SkipI64(const uint8_t* p) { return p + 8; }
/// Skip an 8-byte unsigned integer.
inline const uint8_t* SkipU64(const uint8_t* p) { return p + 8; }
/// Skip a bool.
inline const uint8_t* SkipBool(const uint8_t* p) { return p + 4; }

// ---------------------------------------------------------------------------------
// Decoding into owning values, with the same checks and errors as validation.

/// Decode an int32.
inline bool DecodeI32(Reader& r, int32_t* out) { return r.ReadI32(out); }
/// Decode a uint32.
inline bool DecodeU32(Reader& r, uint32_t* out) { return r.ReadU32(out); }
/// Decode an int64.
inline bool DecodeI64(Reader& r, int64_t* out) { return r.ReadI64(out); }
/// Decode a uint64.
inline bool DecodeU64(Reader& r, uint64_t* out) { return r.ReadU64(out); }
/// Decode a bool.
inline bool DecodeBool(Reader& r, bool* out) { return r.ReadBool(out); }

/// Decode fixed-length opaque data.
template <size_t N>
bool DecodeFixedOpaque(Reader& r, std::array<uint8_t, N>* out) {
  if (ARROW_PREDICT_FALSE(!r.CheckOpaque(N))) return false;
  if constexpr (N != 0) std::memcpy(out->data(), r.pos(), N);
  r.Advance(PaddedSize(N));
  return true;
}

/// Decode variable-length opaque data (`std::vector<uint8_t>`) or a string
/// (`std::string`) of at most `bound` bytes.
template <class Bytes>
bool DecodeVarOpaque(Reader& r, uint32_t bound, Bytes* out) {
  uint32_t n = 0;
  if (ARROW_PREDICT_FALSE(!r.ReadLength(bound, &n) || !r.CheckOpaque(n))) return false;
  using Char = typename Bytes::value_type;
  out->assign(reinterpret_cast<const Char*>(r.pos()),
              reinterpret_cast<const Char*>(r.pos()) + n);
  r.Advance(PaddedSize(n));
  return true;
}

/// Decode one element with `DecodeElem` and append it to `out`.
template <auto DecodeElem, class T>
bool DecodeAppend(Reader& r, std::vector<T>* out) {
  if constexpr (std::is_same_v<T, bool>) {
    bool v = false;
    if (ARROW_PREDICT_FALSE(!DecodeElem(r, &v))) return false;
    out->push_back(v);
    return true;
  } else {
    return DecodeElem(r, &out->emplace_back());
  }
}

/// Decode a variable-length array of at most `bound` elements of at least `min_size`
/// bytes each; the element count is checked against the input before reserving.
template <auto DecodeElem, class T>
bool DecodeVarArray(Reader& r, uint32_t bound, size_t min_size, std::vector<T>* out) {
  uint32_t n = 0;
  if (ARROW_PREDICT_FALSE(!r.ReadLength(bound, &n) || !r.NeedElements(n, min_size))) {
    return false;
  }
  out->clear();
  out->reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    if (ARROW_PREDICT_FALSE(!DecodeAppend<DecodeElem>(r, out))) return r.AddIndex(i);
  }
  return true;
}

/// Decode a fixed-length array.
template <auto DecodeElem, class T, size_t N>
bool DecodeFixedArray(Reader& r, std::array<T, N>* out) {
  for (size_t i = 0; i < N; ++i) {
    if (ARROW_PREDICT_FALSE(!DecodeElem(r, &(*out)[i]))) return r.AddIndex(i);
  }
  return true;
}

/// Decode optional data.
template <auto DecodeElem, class T>
bool DecodeOptional(Reader& r, Box<T>* out) {
  bool present = false;
  if (ARROW_PREDICT_FALSE(!r.ReadOptionalFlag(&present))) return false;
  if (!present) {
    out->reset();
    return true;
  }
  return DecodeElem(r, &out->emplace());
}

// ---------------------------------------------------------------------------------
// Encoding owning values.

/// Encode an int32.
inline void EncodeI32(int32_t v, Writer& w) { w.PutI32(v); }
/// Encode a uint32.
inline void EncodeU32(uint32_t v, Writer& w) { w.PutU32(v); }
/// Encode an int64.
inline void EncodeI64(int64_t v, Writer& w) { w.PutI64(v); }
/// Encode a uint64.
inline void EncodeU64(uint64_t v, Writer& w) { w.PutU64(v); }
/// Encode a bool.
inline void EncodeBool(bool v, Writer& w) { w.PutBool(v); }

/// Encode fixed-length opaque data.
template <size_t N>
void EncodeFixedOpaque(const std::array<uint8_t, N>& v, Writer& w) {
  w.PutOpaque(v.data(), N);
}

/// Encode variable-length opaque data or a string.
template <class Bytes>
void EncodeVarOpaque(const Bytes& v, Writer& w) {
  w.PutVarOpaque(reinterpret_cast<const uint8_t*>(v.data()), v.size());
}

/// Encode a variable-length array.
template <auto EncodeElem, class T>
void EncodeVarArray(const std::vector<T>& v, Writer& w) {
  w.PutU32(static_cast<uint32_t>(v.size()));
  for (const auto& e : v) EncodeElem(e, w);
}

/// Encode a fixed-length array.
template <auto EncodeElem, class T, size_t N>
void EncodeFixedArray(const std::array<T, N>& v, Writer& w) {
  for (const auto& e : v) EncodeElem(e, w);
}

/// Encode optional data.
template <auto EncodeElem, class T>
void EncodeOptional(const Box<T>& v, Writer& w) {
  w.PutU32(v.has_value() ? 1 : 0);
  if (v.has_value()) EncodeElem(*v, w);
}

}  // namespace stellar::xdr::internal
