// Short text held inline, without a heap allocation: StrKeys, hex digests, asset codes.
// Conversion produces millions of these per second; each would otherwise be a malloc.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>

namespace sas::xdr {

/// Up to `kCapacity` characters stored in place; longer input is cut at the capacity.
template <size_t kCapacity>
class InlineText {
 public:
  /// Starts empty.
  InlineText() = default;

  /// Copies `text` (at most kCapacity characters).
  explicit InlineText(std::string_view text) { Append(text); }

  /// Appends `text` (as much as fits).
  void Append(std::string_view text) {
    size_t count = std::min(text.size(), kCapacity - size_);
    std::copy_n(text.data(), count, chars_ + size_);
    size_ = static_cast<uint8_t>(size_ + count);
  }

  /// Appends one character (dropped when full).
  void Push(char c) {
    if (size_ < kCapacity) chars_[size_++] = c;
  }

  /// Returns the characters for writing a text of exactly `size` (at most kCapacity).
  char* Resize(size_t size) {
    size_ = static_cast<uint8_t>(std::min(size, kCapacity));
    return chars_;
  }

  /// Returns the text.
  std::string_view view() const { return {chars_, size_}; }
  /// Converts to a view of the text (so it passes wherever a string_view is taken).
  operator std::string_view() const { return view(); }  // NOLINT: a view of itself

  /// Returns a copy as std::string.
  std::string str() const { return std::string(view()); }

  /// Returns the character at `i` (i < size()).
  char operator[](size_t i) const { return chars_[i]; }

  /// Returns true when the text is empty.
  bool empty() const { return size_ == 0; }

  /// Returns the number of characters.
  size_t size() const { return size_; }

  /// Returns the most characters it holds.
  static constexpr size_t capacity() { return kCapacity; }

  /// Compares the texts.
  friend bool operator==(const InlineText& a, const InlineText& b) {
    return a.view() == b.view();
  }
  /// Compares with any text.
  friend bool operator==(const InlineText& a, std::string_view b) {
    return a.view() == b;
  }
  /// Writes the text.
  friend std::ostream& operator<<(std::ostream& out, const InlineText& text) {
    return out << text.view();
  }

 private:
  static_assert(kCapacity <= 255, "the size is a byte");
  char chars_[kCapacity] = {};
  uint8_t size_ = 0;
};

}  // namespace sas::xdr
