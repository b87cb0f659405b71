// Runtime support for the XDR code that tools/xdrgen generates: big-endian loads and
// stores, the checked Reader, the Writer, the copyable Box (optional data) and Arm (lazy
// union arms), zero-copy views over validated bytes and the typed entry points
// (ParseView, DecodeXdr, EncodeXdr).
//
// Error messages name the path to the failing value, collected only on the error path
// while the checked walk unwinds, and the byte offset:
// "LedgerCloseMeta.v1.txSet.txs[3]: unknown union discriminant 9 at offset 1234".

#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <arrow/result.h>
#include <arrow/status.h>
#include <arrow/util/logging.h>
#include <arrow/util/macros.h>

namespace stellar::xdr {

/// Default bound on the nesting of recursive types (SCVal, ClaimPredicate, ...).
inline constexpr int kDefaultMaxDepth = 512;

/// Bound of a variable-length array, opaque or string declared as `<>`.
inline constexpr uint32_t kUnbounded = 0xFFFFFFFFu;

/// Return the size of `n` bytes of opaque data padded to a multiple of four.
constexpr size_t PaddedSize(size_t n) { return (n + 3) & ~size_t{3}; }

/// Load a big-endian uint32 from `p`.
inline uint32_t LoadU32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof(v));
  return __builtin_bswap32(v);
}

/// Load a big-endian int32 from `p`.
inline int32_t LoadI32(const uint8_t* p) { return static_cast<int32_t>(LoadU32(p)); }

/// Load a big-endian uint64 from `p`.
inline uint64_t LoadU64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
  return __builtin_bswap64(v);
}

/// Load a big-endian int64 from `p`.
inline int64_t LoadI64(const uint8_t* p) { return static_cast<int64_t>(LoadU64(p)); }

/// Store `v` big-endian at `p`.
inline void StoreU32(uint8_t* p, uint32_t v) {
  v = __builtin_bswap32(v);
  std::memcpy(p, &v, sizeof(v));
}

/// Store `v` big-endian at `p`.
inline void StoreU64(uint8_t* p, uint64_t v) {
  v = __builtin_bswap64(v);
  std::memcpy(p, &v, sizeof(v));
}

/// Checked cursor over untrusted XDR bytes: bounds, lengths, padding and nesting depth.
///
/// The checked walk is the hot path, so its steps return `bool` instead of
/// arrow::Status (whose destructor is not inlined): a failing step records the error
/// in the reader and returns false; each enclosing field, arm or array index adds its
/// name to the error path while the walk unwinds (AddField / AddIndex, cold); the
/// entry points turn the error into an arrow::Status with status() / StatusFor().
class Reader {
 public:
  /// Read `bytes`, allowing recursive types to nest `max_depth` deep.
  explicit Reader(std::span<const uint8_t> bytes, int max_depth = kDefaultMaxDepth)
      : base_(bytes.data()),
        pos_(bytes.data()),
        end_(bytes.data() + bytes.size()),
        depth_left_(max_depth),
        max_depth_(max_depth) {}

  /// Return the current position.
  const uint8_t* pos() const { return pos_; }
  /// Return the offset of the current position from the start of the input.
  size_t offset() const { return static_cast<size_t>(pos_ - base_); }
  /// Return the number of bytes left.
  size_t remaining() const { return static_cast<size_t>(end_ - pos_); }

  /// Check that at least `n` bytes are left.
  bool Need(uint64_t n) {
    if (ARROW_PREDICT_FALSE(n > remaining())) return FailTruncated(n);
    return true;
  }

  /// Check that `count` values of at least `min_size` bytes each can still follow.
  bool NeedElements(uint32_t count, size_t min_size) {
    return Need(static_cast<uint64_t>(count) * min_size);
  }

  /// Skip `n` bytes after checking they are there.
  bool Skip(uint64_t n) {
    if (ARROW_PREDICT_FALSE(!Need(n))) return false;
    pos_ += n;
    return true;
  }

  /// Advance by `n` bytes already checked with Need().
  void Advance(size_t n) { pos_ += n; }

  /// Read a uint32.
  bool ReadU32(uint32_t* out) {
    if (ARROW_PREDICT_FALSE(!Need(4))) return false;
    *out = LoadU32(pos_);
    pos_ += 4;
    return true;
  }

  /// Read an int32.
  bool ReadI32(int32_t* out) {
    if (ARROW_PREDICT_FALSE(!Need(4))) return false;
    *out = LoadI32(pos_);
    pos_ += 4;
    return true;
  }

  /// Read a uint64.
  bool ReadU64(uint64_t* out) {
    if (ARROW_PREDICT_FALSE(!Need(8))) return false;
    *out = LoadU64(pos_);
    pos_ += 8;
    return true;
  }

  /// Read an int64.
  bool ReadI64(int64_t* out) {
    if (ARROW_PREDICT_FALSE(!Need(8))) return false;
    *out = LoadI64(pos_);
    pos_ += 8;
    return true;
  }

  /// Read a bool, rejecting values other than 0 and 1.
  bool ReadBool(bool* out) {
    uint32_t v = 0;
    if (ARROW_PREDICT_FALSE(!ReadU32(&v))) return false;
    if (ARROW_PREDICT_FALSE(v > 1)) return FailBool(v);
    *out = v != 0;
    return true;
  }

  /// Skip a bool, rejecting values other than 0 and 1.
  bool SkipBool() {
    bool ignored = false;
    return ReadBool(&ignored);
  }

  /// Read the presence flag of optional data, rejecting values other than 0 and 1.
  bool ReadOptionalFlag(bool* present) {
    uint32_t v = 0;
    if (ARROW_PREDICT_FALSE(!ReadU32(&v))) return false;
    if (ARROW_PREDICT_FALSE(v > 1)) return FailOptionalFlag(v);
    *present = v != 0;
    return true;
  }

  /// Read a length prefix, rejecting lengths above `bound`.
  bool ReadLength(uint32_t bound, uint32_t* out) {
    if (ARROW_PREDICT_FALSE(!ReadU32(out))) return false;
    if (ARROW_PREDICT_FALSE(*out > bound)) return FailBound(*out, bound);
    return true;
  }

  /// Check that `n` bytes of opaque data and their zero padding follow.
  bool CheckOpaque(size_t n) {
    if (ARROW_PREDICT_FALSE(!Need(PaddedSize(n)))) return false;
    for (size_t i = n; i < PaddedSize(n); ++i) {
      if (ARROW_PREDICT_FALSE(pos_[i] != 0)) return FailPadding(offset() + i);
    }
    return true;
  }

  /// Skip `n` bytes of opaque data and their zero padding.
  bool SkipOpaque(size_t n) {
    if (ARROW_PREDICT_FALSE(!CheckOpaque(n))) return false;
    pos_ += PaddedSize(n);
    return true;
  }

  /// Skip variable-length opaque data or a string of at most `bound` bytes.
  bool SkipVarOpaque(uint32_t bound) {
    uint32_t n = 0;
    return ReadLength(bound, &n) && SkipOpaque(n);
  }

  /// Skip a variable-length array of at most `bound` elements of `size` bytes each,
  /// elements that need no check beyond their size.
  bool SkipPlainArray(uint32_t bound, size_t size) {
    uint32_t n = 0;
    return ReadLength(bound, &n) && Skip(static_cast<uint64_t>(n) * size);
  }

  /// Enter one level of a recursive type, failing beyond the maximum depth.
  bool Enter() {
    if (ARROW_PREDICT_FALSE(depth_left_ <= 0)) return FailDepth();
    --depth_left_;
    return true;
  }

  /// Leave one level of a recursive type.
  void Leave() { ++depth_left_; }

  // Failures: each records the error and returns false.

  /// Fail with `error`.
  [[gnu::cold, gnu::noinline]] bool Fail(arrow::Status error) {
    error_ = std::move(error);
    path_.clear();
    return false;
  }
  /// Fail: fewer bytes left than `need`.
  [[gnu::cold, gnu::noinline]] bool FailTruncated(uint64_t need) {
    return Fail(arrow::Status::Invalid("truncated: need ", need, " bytes at offset ",
                                       offset(), ", have ", remaining()));
  }
  /// Fail: the length just read is above `bound`.
  [[gnu::cold, gnu::noinline]] bool FailBound(uint32_t length, uint32_t bound) {
    return Fail(arrow::Status::Invalid("length ", length, " exceeds bound ", bound,
                                       " at offset ", offset() - 4));
  }
  /// Fail: a non-zero padding byte at `at`.
  [[gnu::cold, gnu::noinline]] bool FailPadding(size_t at) {
    return Fail(arrow::Status::Invalid("non-zero padding at offset ", at));
  }
  /// Fail: the bool just read is neither 0 nor 1.
  [[gnu::cold, gnu::noinline]] bool FailBool(uint32_t value) {
    return Fail(
        arrow::Status::Invalid("bool value ", value, " at offset ", offset() - 4));
  }
  /// Fail: the optional-data flag just read is neither 0 nor 1.
  [[gnu::cold, gnu::noinline]] bool FailOptionalFlag(uint32_t value) {
    return Fail(arrow::Status::Invalid("optional flag value ", value, " at offset ",
                                       offset() - 4));
  }
  /// Fail: the value just read is not a member of the enum `type_name`.
  [[gnu::cold, gnu::noinline]] bool FailEnum(int32_t value, const char* type_name) {
    return Fail(arrow::Status::Invalid("unknown enum value ", value, " for ", type_name,
                                       " at offset ", offset() - 4));
  }
  /// Fail: the union discriminant just read has no arm.
  [[gnu::cold, gnu::noinline]] bool FailDiscriminant(int64_t value) {
    return Fail(arrow::Status::Invalid("unknown union discriminant ", value,
                                       " at offset ", offset() - 4));
  }
  /// Fail: recursive types nest deeper than allowed.
  [[gnu::cold, gnu::noinline]] bool FailDepth() {
    return Fail(arrow::Status::Invalid("nesting depth exceeds ", max_depth_,
                                       " at offset ", offset()));
  }

  /// Add the name of the field, arm or type enclosing a failure to its path; return
  /// false.
  [[gnu::cold, gnu::noinline]] bool AddField(std::string_view name) {
    path_.emplace_back(name);
    return false;
  }
  /// Add the array index enclosing a failure to its path; return false.
  [[gnu::cold, gnu::noinline]] bool AddIndex(uint64_t index) {
    path_.push_back("[" + std::to_string(index) + "]");
    return false;
  }

  /// Return the recorded error as "path: message" (OK if none).
  arrow::Status status() const { return StatusFor({}); }

  /// Return the recorded error as "root.path: message" (OK if none).
  arrow::Status StatusFor(std::string_view root) const {
    if (error_.ok()) return error_;
    std::string path(root);
    for (auto it = path_.rbegin(); it != path_.rend(); ++it) {
      if (!path.empty() && it->front() != '[') path += '.';
      path += *it;
    }
    if (path.empty()) return error_;
    return arrow::Status(error_.code(), path + ": " + error_.message());
  }

 private:
  const uint8_t* base_;
  const uint8_t* pos_;
  const uint8_t* end_;
  int depth_left_;
  int max_depth_;
  arrow::Status error_;
  std::vector<std::string> path_;  // innermost first
};

/// If `expr` (a checked step of `reader`) fails, add `name` to the error path and
/// return false.
#define XDR_CHECK_FIELD(reader, expr, name)                           \
  do {                                                                \
    if (ARROW_PREDICT_FALSE(!(expr))) return (reader).AddField(name); \
  } while (false)

/// Appends XDR encodings to a byte vector.
class Writer {
 public:
  /// Append to `*out`, which must outlive the writer.
  explicit Writer(std::vector<uint8_t>* out) : out_(out) {}

  /// Append a uint32.
  void PutU32(uint32_t v) {
    uint8_t b[4];
    StoreU32(b, v);
    out_->insert(out_->end(), b, b + 4);
  }
  /// Append an int32.
  void PutI32(int32_t v) { PutU32(static_cast<uint32_t>(v)); }
  /// Append a uint64.
  void PutU64(uint64_t v) {
    uint8_t b[8];
    StoreU64(b, v);
    out_->insert(out_->end(), b, b + 8);
  }
  /// Append an int64.
  void PutI64(int64_t v) { PutU64(static_cast<uint64_t>(v)); }
  /// Append a bool.
  void PutBool(bool v) { PutU32(v ? 1 : 0); }
  /// Append `n` bytes of opaque data and their zero padding.
  void PutOpaque(const uint8_t* data, size_t n) {
    out_->insert(out_->end(), data, data + n);
    out_->resize(out_->size() + (PaddedSize(n) - n), 0);
  }
  /// Append a length prefix, `n` bytes of data and their zero padding.
  void PutVarOpaque(const uint8_t* data, size_t n) {
    PutU32(static_cast<uint32_t>(n));
    PutOpaque(data, n);
  }

 private:
  std::vector<uint8_t>* out_;
};

/// A copyable, nullable owning pointer: the owning form of XDR optional data (`T*`).
template <class T>
class Box {
 public:
  /// Make an empty box.
  Box() = default;
  /// Make a box holding `value`.
  explicit Box(T value) : ptr_(std::make_unique<T>(std::move(value))) {}
  /// Deep-copy `other`.
  Box(const Box& other) : ptr_(other.ptr_ ? std::make_unique<T>(*other.ptr_) : nullptr) {}
  /// Move from `other`, leaving it empty.
  Box(Box&& other) noexcept = default;
  /// Deep-copy `other`.
  Box& operator=(const Box& other) {
    if (this != &other) ptr_ = other.ptr_ ? std::make_unique<T>(*other.ptr_) : nullptr;
    return *this;
  }
  /// Move from `other`, leaving it empty.
  Box& operator=(Box&& other) noexcept = default;

  /// Return whether the box holds a value.
  bool has_value() const { return ptr_ != nullptr; }
  /// Return whether the box holds a value.
  explicit operator bool() const { return has_value(); }
  /// Return the held value; the box must not be empty.
  T& operator*() { return *ptr_; }
  /// Return the held value; the box must not be empty.
  const T& operator*() const { return *ptr_; }
  /// Access the held value; the box must not be empty.
  T* operator->() { return ptr_.get(); }
  /// Access the held value; the box must not be empty.
  const T* operator->() const { return ptr_.get(); }
  /// Return the held value or nullptr.
  const T* get() const { return ptr_.get(); }
  /// Replace the content with a default-constructed value and return it.
  T& emplace() {
    ptr_ = std::make_unique<T>();
    return *ptr_;
  }
  /// Empty the box.
  void reset() { ptr_.reset(); }
  /// Compare the held values (two empty boxes are equal).
  bool operator==(const Box& other) const {
    if (!has_value() || !other.has_value()) return has_value() == other.has_value();
    return *ptr_ == *other.ptr_;
  }

 private:
  std::unique_ptr<T> ptr_;
};

/// A union arm of an owning union, held out of line and empty until first written, so
/// that the inactive arms cost one null pointer each. An empty arm reads as a
/// default-constructed T; writing through it creates that default value first.
template <class T>
class Arm {
 public:
  /// Make an empty arm (it reads as a default T).
  Arm() = default;
  /// Deep-copy `other`.
  Arm(const Arm& other) : ptr_(other.ptr_ ? std::make_unique<T>(*other.ptr_) : nullptr) {}
  /// Move from `other`, leaving it empty.
  Arm(Arm&& other) noexcept = default;
  /// Deep-copy `other`, reusing the held value if there is one.
  Arm& operator=(const Arm& other) {
    if (this == &other) return *this;
    if (!other.ptr_) {
      ptr_.reset();
    } else if (ptr_) {
      *ptr_ = *other.ptr_;
    } else {
      ptr_ = std::make_unique<T>(*other.ptr_);
    }
    return *this;
  }
  /// Move from `other`, leaving it empty.
  Arm& operator=(Arm&& other) noexcept = default;
  /// Replace the value with `value`.
  Arm& operator=(T value) {
    if (ptr_) {
      *ptr_ = std::move(value);
    } else {
      ptr_ = std::make_unique<T>(std::move(value));
    }
    return *this;
  }

  /// Return whether the arm holds a value of its own (else it reads as a default T).
  bool has_value() const { return ptr_ != nullptr; }
  /// Return the value, creating a default one if the arm is empty.
  T& operator*() { return ptr_ ? *ptr_ : emplace(); }
  /// Return the value, or a shared default T if the arm is empty.
  const T& operator*() const { return ptr_ ? *ptr_ : Default(); }
  /// Access the value, creating a default one if the arm is empty.
  T* operator->() { return &**this; }
  /// Access the value, or a shared default T if the arm is empty.
  const T* operator->() const { return &**this; }
  /// Replace the content with a default-constructed value and return it.
  T& emplace() {
    ptr_ = std::make_unique<T>();
    return *ptr_;
  }
  /// Empty the arm.
  void reset() { ptr_.reset(); }
  /// Compare the values read (an empty arm equals an arm holding a default T).
  bool operator==(const Arm& other) const {
    return ptr_ == other.ptr_ || **this == *other;
  }

 private:
  /// Return the value an empty arm reads as.
  static const T& Default() {
    static const T value{};
    return value;
  }

  std::unique_ptr<T> ptr_;
};

// Codecs describe how a view reads one value of a type out of validated bytes:
// `Value` is the type read, `Load(p)` reads it at `p`, `Skip(p)` returns the end of the
// encoding at `p`, and `kFixedSize` is the encoded size, or 0 if it varies. Generated
// view classes are codecs of themselves.

/// Codec of an XDR `unsigned int`.
struct U32Codec {
  using Value = uint32_t;
  static constexpr size_t kFixedSize = 4;
  static Value Load(const uint8_t* p) { return LoadU32(p); }
  static const uint8_t* Skip(const uint8_t* p) { return p + 4; }
};

/// Codec of an XDR `int`.
struct I32Codec {
  using Value = int32_t;
  static constexpr size_t kFixedSize = 4;
  static Value Load(const uint8_t* p) { return LoadI32(p); }
  static const uint8_t* Skip(const uint8_t* p) { return p + 4; }
};

/// Codec of an XDR `unsigned hyper`.
struct U64Codec {
  using Value = uint64_t;
  static constexpr size_t kFixedSize = 8;
  static Value Load(const uint8_t* p) { return LoadU64(p); }
  static const uint8_t* Skip(const uint8_t* p) { return p + 8; }
};

/// Codec of an XDR `hyper`.
struct I64Codec {
  using Value = int64_t;
  static constexpr size_t kFixedSize = 8;
  static Value Load(const uint8_t* p) { return LoadI64(p); }
  static const uint8_t* Skip(const uint8_t* p) { return p + 8; }
};

/// Codec of an XDR `bool`.
struct BoolCodec {
  using Value = bool;
  static constexpr size_t kFixedSize = 4;
  static Value Load(const uint8_t* p) { return LoadU32(p) != 0; }
  static const uint8_t* Skip(const uint8_t* p) { return p + 4; }
};

/// Codec of an XDR enum, read as the generated enum class `E`.
template <class E>
struct EnumCodec {
  using Value = E;
  static constexpr size_t kFixedSize = 4;
  static Value Load(const uint8_t* p) { return static_cast<E>(LoadI32(p)); }
  static const uint8_t* Skip(const uint8_t* p) { return p + 4; }
};

/// Codec of fixed-length opaque data `opaque x[N]`.
template <size_t N>
struct FixedOpaqueCodec {
  using Value = std::span<const uint8_t, N>;
  static constexpr size_t kFixedSize = PaddedSize(N);
  static Value Load(const uint8_t* p) { return Value(p, N); }
  static const uint8_t* Skip(const uint8_t* p) { return p + kFixedSize; }
};

/// Codec of variable-length opaque data `opaque x<N>`.
struct VarOpaqueCodec {
  using Value = std::span<const uint8_t>;
  static constexpr size_t kFixedSize = 0;
  static Value Load(const uint8_t* p) { return Value(p + 4, LoadU32(p)); }
  static const uint8_t* Skip(const uint8_t* p) { return p + 4 + PaddedSize(LoadU32(p)); }
};

/// Codec of a string `string x<N>`.
struct StringCodec {
  using Value = std::string_view;
  static constexpr size_t kFixedSize = 0;
  static Value Load(const uint8_t* p) {
    return Value(reinterpret_cast<const char*>(p + 4), LoadU32(p));
  }
  static const uint8_t* Skip(const uint8_t* p) { return p + 4 + PaddedSize(LoadU32(p)); }
};

/// Iterable view of the elements of a validated XDR array, read with `Codec`.
template <class Codec>
class ArrayView {
 public:
  using value_type = typename Codec::Value;

  /// Forward iterator yielding element values or views.
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = typename Codec::Value;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = value_type;

    Iterator() = default;
    Iterator(const uint8_t* p, uint32_t index) : p_(p), index_(index) {}
    /// Read the current element.
    value_type operator*() const { return Codec::Load(p_); }
    /// Step to the next element.
    Iterator& operator++() {
      p_ = Codec::Skip(p_);
      ++index_;
      return *this;
    }
    /// Step to the next element.
    Iterator operator++(int) {
      Iterator old = *this;
      ++*this;
      return old;
    }
    /// Compare positions (iterators of one array only).
    bool operator==(const Iterator& other) const { return index_ == other.index_; }
    /// Return the encoding of the current element.
    const uint8_t* data() const { return p_; }

   private:
    const uint8_t* p_ = nullptr;
    uint32_t index_ = 0;
  };

  ArrayView() = default;
  /// View `count` elements encoded from `first` on.
  ArrayView(const uint8_t* first, uint32_t count) : first_(first), count_(count) {}

  /// Return the number of elements.
  uint32_t size() const { return count_; }
  /// Return whether there are no elements.
  bool empty() const { return count_ == 0; }
  /// Return an iterator at the first element.
  Iterator begin() const { return Iterator(first_, 0); }
  /// Return the past-the-end iterator.
  Iterator end() const { return Iterator(nullptr, count_); }
  /// Return element `i` (< size()); O(i) unless elements have a fixed size.
  value_type operator[](uint32_t i) const {
    if constexpr (Codec::kFixedSize != 0) {
      return Codec::Load(first_ + static_cast<size_t>(i) * Codec::kFixedSize);
    } else {
      const uint8_t* p = first_;
      for (uint32_t k = 0; k < i; ++k) p = Codec::Skip(p);
      return Codec::Load(p);
    }
  }
  /// Return the encoding of the first element.
  const uint8_t* data() const { return first_; }

 private:
  const uint8_t* first_ = nullptr;
  uint32_t count_ = 0;
};

/// View of validated XDR optional data `T* x`, read with `Codec`.
template <class Codec>
class OptionalView {
 public:
  /// View the optional data encoded at `p`.
  explicit OptionalView(const uint8_t* p) : p_(p) {}
  /// Return whether a value is present.
  bool has_value() const { return LoadU32(p_) != 0; }
  /// Return whether a value is present.
  explicit operator bool() const { return has_value(); }
  /// Return the value; it must be present.
  typename Codec::Value value() const {
    ARROW_DCHECK(has_value());
    return Codec::Load(p_ + 4);
  }

 private:
  const uint8_t* p_;
};

/// Return the end of `count` elements encoded from `p` on.
template <class Codec>
const uint8_t* SkipElements(const uint8_t* p, uint32_t count) {
  if constexpr (Codec::kFixedSize != 0) {
    return p + static_cast<size_t>(count) * Codec::kFixedSize;
  } else {
    for (uint32_t i = 0; i < count; ++i) p = Codec::Skip(p);
    return p;
  }
}

/// Codec of a variable-length array `T x<N>` of `Codec` elements.
template <class Codec>
struct ArrayCodec {
  using Value = ArrayView<Codec>;
  static constexpr size_t kFixedSize = 0;
  static Value Load(const uint8_t* p) { return Value(p + 4, LoadU32(p)); }
  static const uint8_t* Skip(const uint8_t* p) {
    return SkipElements<Codec>(p + 4, LoadU32(p));
  }
};

/// Codec of a fixed-length array `T x[N]` of `Codec` elements.
template <class Codec, uint32_t N>
struct FixedArrayCodec {
  using Value = ArrayView<Codec>;
  static constexpr size_t kFixedSize = Codec::kFixedSize * N;
  static Value Load(const uint8_t* p) { return Value(p, N); }
  static const uint8_t* Skip(const uint8_t* p) { return SkipElements<Codec>(p, N); }
};

/// Codec of optional data `T* x` of a `Codec` value.
template <class Codec>
struct OptionalCodec {
  using Value = OptionalView<Codec>;
  static constexpr size_t kFixedSize = 0;
  static Value Load(const uint8_t* p) { return Value(p); }
  static const uint8_t* Skip(const uint8_t* p) {
    return LoadU32(p) != 0 ? Codec::Skip(p + 4) : p + 4;
  }
};

/// Base of the generated view classes: a pointer to validated bytes. `Derived` provides
/// the static `Skip` and `kFixedSize` that make it a codec of itself.
template <class Derived>
class ViewBase {
 public:
  using Value = Derived;

  /// View the value encoded at `p`, which must have been validated.
  explicit ViewBase(const uint8_t* p) : p_(p) {}
  /// Make a view of `p` (codec interface).
  static Derived Load(const uint8_t* p) { return Derived(p); }
  /// Return the start of the encoding.
  const uint8_t* data() const { return p_; }
  /// Return the encoded size in bytes.
  size_t size() const { return static_cast<size_t>(Derived::Skip(p_) - p_); }
  /// Return the encoded bytes.
  std::span<const uint8_t> bytes() const { return {p_, size()}; }

 protected:
  const uint8_t* p_;
};

/// Validate an enum value of the generated enum class `E`, named `type_name` in errors.
template <class E>
bool ValidateEnum(Reader& r, const char* type_name) {
  int32_t v = 0;
  if (ARROW_PREDICT_FALSE(!r.ReadI32(&v))) return false;
  if (ARROW_PREDICT_FALSE(!IsValid(static_cast<E>(v)))) return r.FailEnum(v, type_name);
  return true;
}

/// Decode an enum value of the generated enum class `E`, named `type_name` in errors.
template <class E>
bool DecodeEnum(Reader& r, E* out, const char* type_name) {
  int32_t v = 0;
  if (ARROW_PREDICT_FALSE(!r.ReadI32(&v))) return false;
  if (ARROW_PREDICT_FALSE(!IsValid(static_cast<E>(v)))) return r.FailEnum(v, type_name);
  *out = static_cast<E>(v);
  return true;
}

/// Traits of a generated struct or union type `T`, specialized by the generated views
/// header: `View` (its view class), `kName` (its XDR name) and `Validate(Reader&)`.
template <class T>
struct XdrTraits;

/// The view class of the generated type `T`.
template <class T>
using ViewOf = typename XdrTraits<T>::View;

/// A view parsed from the start of a buffer and the number of bytes it spans.
template <class View>
struct ParsedView {
  View view;
  size_t size;
};

/// Validate a `T` at the reader and move past it; the error names the path below `T`.
template <class T>
arrow::Status Validate(Reader& r) {
  return XdrTraits<T>::Validate(r) ? arrow::Status::OK() : r.status();
}

/// Validate a `T` at the start of `bytes`; return its view and encoded size.
template <class T>
arrow::Result<ParsedView<ViewOf<T>>> ParseViewPrefix(std::span<const uint8_t> bytes,
                                                     int max_depth = kDefaultMaxDepth) {
  Reader r(bytes, max_depth);
  if (ARROW_PREDICT_FALSE(!XdrTraits<T>::Validate(r))) {
    return r.StatusFor(XdrTraits<T>::kName);
  }
  return ParsedView<ViewOf<T>>{ViewOf<T>(bytes.data()), r.offset()};
}

/// Return the error for `count` bytes left after a `type_name` ending at `offset`.
[[gnu::cold, gnu::noinline]] inline arrow::Status TrailingBytesError(
    size_t count, const char* type_name, size_t offset) {
  return arrow::Status::Invalid(count, " trailing bytes after ", type_name, " at offset ",
                                offset);
}

/// Validate that `bytes` hold exactly one `T` and return its view.
template <class T>
arrow::Result<ViewOf<T>> ParseView(std::span<const uint8_t> bytes,
                                   int max_depth = kDefaultMaxDepth) {
  ARROW_ASSIGN_OR_RAISE(auto parsed, ParseViewPrefix<T>(bytes, max_depth));
  if (ARROW_PREDICT_FALSE(parsed.size != bytes.size())) {
    return TrailingBytesError(bytes.size() - parsed.size, XdrTraits<T>::kName,
                              parsed.size);
  }
  return parsed.view;
}

/// Decode exactly one `T` from `bytes` into an owning value.
template <class T>
arrow::Result<T> DecodeXdr(std::span<const uint8_t> bytes,
                           int max_depth = kDefaultMaxDepth) {
  Reader r(bytes, max_depth);
  T out;
  if (ARROW_PREDICT_FALSE(!Decode(r, &out).ok())) return r.StatusFor(XdrTraits<T>::kName);
  if (ARROW_PREDICT_FALSE(r.remaining() != 0)) {
    return TrailingBytesError(r.remaining(), XdrTraits<T>::kName, r.offset());
  }
  return out;
}

/// Encode an owning value.
template <class T>
std::vector<uint8_t> EncodeXdr(const T& value) {
  std::vector<uint8_t> out;
  Writer w(&out);
  Encode(value, w);
  return out;
}

}  // namespace stellar::xdr
