// Helpers for the .cc files that tools/xdrgen generates: checked validation, decoding
// and encoding of the XDR building blocks (primitives, opaque data, strings, arrays and
// optional data). Element functions are template arguments so that calls stay direct.
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
// Validation.

/// Validate `count` consecutive elements with `ValidateElem`.
template <auto ValidateElem>
arrow::Status ValidateElements(Reader& r, uint32_t count) {
  for (uint32_t i = 0; i < count; ++i) {
    arrow::Status st = ValidateElem(r);
    if (ARROW_PREDICT_FALSE(!st.ok())) return AddIndex(st, i);
  }
  return arrow::Status::OK();
}

/// Validate a variable-length array of at most `bound` elements of at least
/// `min_size` bytes each.
template <auto ValidateElem>
arrow::Status ValidateVarArray(Reader& r, uint32_t bound, size_t min_size) {
  uint32_t n = 0;
  ARROW_RETURN_NOT_OK(r.ReadLength(bound, &n));
  ARROW_RETURN_NOT_OK(r.NeedElements(n, min_size));
  return ValidateElements<ValidateElem>(r, n);
}

/// Validate optional data whose value `ValidateElem` checks.
template <auto ValidateElem>
arrow::Status ValidateOptional(Reader& r) {
  bool present = false;
  ARROW_RETURN_NOT_OK(r.ReadOptionalFlag(&present));
  return present ? ValidateElem(r) : arrow::Status::OK();
}

/// Validate a 4-byte integer (only its presence).
inline arrow::Status ValidateI32(Reader& r) { return r.Skip(4); }
/// Validate a 4-byte unsigned integer (only its presence).
inline arrow::Status ValidateU32(Reader& r) { return r.Skip(4); }
/// Validate an 8-byte integer (only its presence).
inline arrow::Status ValidateI64(Reader& r) { return r.Skip(8); }
/// Validate an 8-byte unsigned integer (only its presence).
inline arrow::Status ValidateU64(Reader& r) { return r.Skip(8); }
/// Validate a bool.
inline arrow::Status ValidateBool(Reader& r) { return r.SkipBool(); }

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
// Decoding into owning values.

/// Decode an int32.
inline arrow::Status DecodeI32(Reader& r, int32_t* out) { return r.ReadI32(out); }
/// Decode a uint32.
inline arrow::Status DecodeU32(Reader& r, uint32_t* out) { return r.ReadU32(out); }
/// Decode an int64.
inline arrow::Status DecodeI64(Reader& r, int64_t* out) { return r.ReadI64(out); }
/// Decode a uint64.
inline arrow::Status DecodeU64(Reader& r, uint64_t* out) { return r.ReadU64(out); }
/// Decode a bool.
inline arrow::Status DecodeBool(Reader& r, bool* out) { return r.ReadBool(out); }

/// Decode fixed-length opaque data.
template <size_t N>
arrow::Status DecodeFixedOpaque(Reader& r, std::array<uint8_t, N>* out) {
  ARROW_RETURN_NOT_OK(r.CheckOpaque(N));
  if constexpr (N != 0) std::memcpy(out->data(), r.pos(), N);
  r.Advance(PaddedSize(N));
  return arrow::Status::OK();
}

/// Decode variable-length opaque data (`std::vector<uint8_t>`) or a string
/// (`std::string`) of at most `bound` bytes.
template <class Bytes>
arrow::Status DecodeVarOpaque(Reader& r, uint32_t bound, Bytes* out) {
  uint32_t n = 0;
  ARROW_RETURN_NOT_OK(r.ReadLength(bound, &n));
  ARROW_RETURN_NOT_OK(r.CheckOpaque(n));
  out->assign(reinterpret_cast<const typename Bytes::value_type*>(r.pos()),
              reinterpret_cast<const typename Bytes::value_type*>(r.pos()) + n);
  r.Advance(PaddedSize(n));
  return arrow::Status::OK();
}

/// Decode one element with `DecodeElem` and append it to `out`.
template <auto DecodeElem, class T>
arrow::Status DecodeAppend(Reader& r, std::vector<T>* out) {
  if constexpr (std::is_same_v<T, bool>) {
    bool v = false;
    ARROW_RETURN_NOT_OK(DecodeElem(r, &v));
    out->push_back(v);
    return arrow::Status::OK();
  } else {
    return DecodeElem(r, &out->emplace_back());
  }
}

/// Decode a variable-length array of at most `bound` elements of at least `min_size`
/// bytes each; the element count is checked against the input before reserving.
template <auto DecodeElem, class T>
arrow::Status DecodeVarArray(Reader& r, uint32_t bound, size_t min_size,
                             std::vector<T>* out) {
  uint32_t n = 0;
  ARROW_RETURN_NOT_OK(r.ReadLength(bound, &n));
  ARROW_RETURN_NOT_OK(r.NeedElements(n, min_size));
  out->clear();
  out->reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    arrow::Status st = DecodeAppend<DecodeElem>(r, out);
    if (ARROW_PREDICT_FALSE(!st.ok())) return AddIndex(st, i);
  }
  return arrow::Status::OK();
}

/// Decode a fixed-length array.
template <auto DecodeElem, class T, size_t N>
arrow::Status DecodeFixedArray(Reader& r, std::array<T, N>* out) {
  for (size_t i = 0; i < N; ++i) {
    arrow::Status st = DecodeElem(r, &(*out)[i]);
    if (ARROW_PREDICT_FALSE(!st.ok())) return AddIndex(st, i);
  }
  return arrow::Status::OK();
}

/// Decode optional data.
template <auto DecodeElem, class T>
arrow::Status DecodeOptional(Reader& r, Box<T>* out) {
  bool present = false;
  ARROW_RETURN_NOT_OK(r.ReadOptionalFlag(&present));
  if (!present) {
    out->reset();
    return arrow::Status::OK();
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
