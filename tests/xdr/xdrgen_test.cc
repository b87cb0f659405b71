// Tests of the C++ that tools/xdrgen generates for tests/xdr/xdrgen_test.x
// (--namespace xdrgen_test --prefix xdrgen_test --roots Everything,Tree): owning types
// round trip through Encode and Decode, views read the values back, SkipX agrees with
// the validated size, and Validate / Decode reject malformed input with messages that
// name the path and byte offset. Lazy union arms (Arm<T>) read as defaults until written.

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "xdrgen_test_types.h"

namespace xdrgen_test {
namespace {

using ::stellar::xdr::DecodeXdr;
using ::stellar::xdr::EncodeXdr;
using ::stellar::xdr::ParseView;
using ::stellar::xdr::ParseViewPrefix;
using ::stellar::xdr::StoreU32;

// Byte offsets of the fields of a default-constructed Everything.
constexpr size_t kOddOffset = 32;
constexpr size_t kLimitedOffset = 48;
constexpr size_t kListOffset = 108;
constexpr size_t kShapesOffset = 112;
constexpr size_t kFlagOffset = 132;
constexpr size_t kColorOffset = 136;
constexpr size_t kMaybePointOffset = 140;
constexpr size_t kResultsOffset = 152;
constexpr size_t kExtOffset = 156;
constexpr size_t kDefaultSize = 220;

/// Return a value with every field set away from its default.
Everything Filled() {
  Everything e;
  for (size_t i = 0; i < e.hash.size(); ++i) e.hash[i] = static_cast<uint8_t>(i);
  e.odd = {7, 8, 9};
  e.raw = {1, 2, 3, 4, 5};
  e.bytes = {0xAA, 0xBB, 0xCC, 0xDD, 0xEE};
  e.limited = {1, 2, 3, 4, 5, 6, 7, 8};
  e.name = "abc";
  e.text = "a longer string";
  e.points = {Point{1, 2}, Point{-3, -4}};
  e.pixels[1] = Pixel{Point{5, 6}, Color::BLUE, true};
  e.list = {Point{10, 11}, Point{12, 13}};
  Shape dot;
  dot.kind = Color::RED;
  dot.dot = Point{20, 21};
  Shape corners;
  corners.kind = Color::BLUE;
  corners.corners = {Point{30, 31}, Point{32, 33}, Point{34, 35}};
  e.shapes = {dot, corners};
  e.big = -1234567890123;
  e.ubig = 0xFEDCBA9876543210ull;
  e.flag = true;
  e.color = Color::GREEN;
  e.maybePoint = stellar::xdr::Box<Point>(Point{40, 41});
  Tree leaf;
  leaf.id = 3;
  Tree root;
  root.id = 1;
  root.right = stellar::xdr::Box<Tree>(leaf);
  root.children = {leaf, leaf};
  e.tree = stellar::xdr::Box<Tree>(root);
  e.version.v = 1;
  e.version.label = "v1";
  Result ok;
  ok.code = Code::CODE_OK;
  ok.value = 99;
  Result bad;
  bad.code = Code::CODE_WORSE;
  e.results = {ok, bad};
  e.ext.v = 1;
  e.ext.v1->count = 77;
  e.ext.v1->blob = {9, 9};
  e.names = {"x", "yy", "zzz"};
  e.class_ = 123;
  e.which.which = 1;
  e.toggle.on = false;
  e.small = {-5, 6};
  e.choice.k = 1;
  for (size_t i = 0; i < e.choice.wide->words.size(); ++i) {
    e.choice.wide->words[i] = static_cast<int64_t>(i) - 4;
  }
  return e;
}

/// Return the message of a failed result, or "OK".
template <class R>
std::string MessageOf(const R& result) {
  return result.ok() ? std::string("OK") : result.status().message();
}

/// Expect that both the validating view parser and the owning decoder reject `bytes`
/// with `message`.
void ExpectRejected(std::span<const uint8_t> bytes, const std::string& message) {
  EXPECT_EQ(MessageOf(ParseView<Everything>(bytes)), message);
  EXPECT_EQ(MessageOf(DecodeXdr<Everything>(bytes)), message);
}

/// Encode a chain of `depth` Trees linked through `left`.
std::vector<uint8_t> TreeChain(uint32_t depth) {
  std::vector<uint8_t> out;
  stellar::xdr::Writer w(&out);
  for (uint32_t i = 0; i < depth; ++i) {
    w.PutU32(i);                      // id
    w.PutU32(i + 1 < depth ? 1 : 0);  // left present?
  }
  for (uint32_t i = 0; i < depth; ++i) {
    w.PutU32(0);  // right absent
    w.PutU32(0);  // no children
  }
  return out;
}

TEST(XdrgenTest, DefaultValuesEncodeToValidXdr) {
  std::vector<uint8_t> bytes = EncodeXdr(Everything{});
  ASSERT_EQ(bytes.size(), kDefaultSize);
  ASSERT_TRUE(ParseView<Everything>(bytes).ok());
  auto decoded = DecodeXdr<Everything>(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, Everything{});
  // The first enumerator and the first arm are the defaults.
  EXPECT_EQ(Shape{}.kind, Color::RED);
  EXPECT_EQ(Which{}.which, 4000000000u);
  EXPECT_EQ(Which{}.mode, Mode::NULL_);
  EXPECT_TRUE(Toggle{}.on);
}

TEST(XdrgenTest, RoundTrip) {
  Everything original = Filled();
  std::vector<uint8_t> bytes = EncodeXdr(original);
  auto decoded = DecodeXdr<Everything>(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, original);
  EXPECT_EQ(EncodeXdr(*decoded), bytes);

  // Copies of values holding Boxes are deep.
  Everything copy = original;
  copy.tree->children[0].id = 1000;
  EXPECT_EQ(original.tree->children[0].id, 3u);
  EXPECT_NE(copy, original);
}

TEST(XdrgenTest, ViewsReadValuesBack) {
  std::vector<uint8_t> bytes = EncodeXdr(Filled());
  auto parsed = ParseView<Everything>(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EverythingView v = *parsed;

  EXPECT_EQ(v.data(), bytes.data());
  EXPECT_EQ(v.size(), bytes.size());
  EXPECT_EQ(v.bytes().size(), bytes.size());
  EXPECT_EQ(v.hash()[31], 31);
  EXPECT_EQ(v.odd()[2], 9);
  EXPECT_EQ(v.raw()[4], 5);
  ASSERT_EQ(v.bytes_().size(), 5u);
  EXPECT_EQ(v.bytes_()[4], 0xEE);
  EXPECT_EQ(v.limited().size(), 8u);
  EXPECT_EQ(v.name(), "abc");
  EXPECT_EQ(v.text(), "a longer string");
  ASSERT_EQ(v.points().size(), 2u);
  EXPECT_EQ(v.points()[1].y(), -4);
  EXPECT_EQ(v.pixels()[1].color(), Color::BLUE);
  EXPECT_TRUE(v.pixels()[1].visible());
  EXPECT_EQ(v.pixels()[1].at().x(), 5);

  int32_t sum = 0;
  for (PointView p : v.list()) sum += p.x() + p.y();
  EXPECT_EQ(sum, 10 + 11 + 12 + 13);

  ASSERT_EQ(v.shapes().size(), 2u);
  EXPECT_EQ(v.shapes()[0].kind(), Color::RED);
  EXPECT_EQ(v.shapes()[0].dot().y(), 21);
  ShapeView corners = v.shapes()[1];
  EXPECT_EQ(corners.kind(), Color::BLUE);
  ASSERT_EQ(corners.corners().size(), 3u);
  EXPECT_EQ(corners.corners()[2].x(), 34);

  EXPECT_EQ(v.big(), -1234567890123);
  EXPECT_EQ(v.ubig(), 0xFEDCBA9876543210ull);
  EXPECT_TRUE(v.flag());
  EXPECT_EQ(v.color(), Color::GREEN);
  ASSERT_TRUE(v.maybePoint().has_value());
  EXPECT_EQ(v.maybePoint().value().y(), 41);

  ASSERT_TRUE(v.tree().has_value());
  TreeView root = v.tree().value();
  EXPECT_EQ(root.id(), 1u);
  EXPECT_FALSE(root.left().has_value());
  ASSERT_TRUE(root.right().has_value());
  EXPECT_EQ(root.right().value().id(), 3u);
  uint32_t ids = 0;
  for (TreeView child : root.children()) ids += child.id();
  EXPECT_EQ(ids, 6u);

  EXPECT_EQ(v.version().v(), 1);
  EXPECT_EQ(v.version().label(), "v1");
  ASSERT_EQ(v.results().size(), 2u);
  EXPECT_EQ(v.results()[0].code(), Code::CODE_OK);
  EXPECT_EQ(v.results()[0].value(), 99u);
  EXPECT_EQ(v.results()[1].code(), Code::CODE_WORSE);
  EXPECT_EQ(v.ext().v(), 1);
  EXPECT_EQ(v.ext().v1().count(), 77u);
  EXPECT_EQ(v.ext().v1().blob().size(), 2u);

  std::string names;
  for (std::string_view n : v.names()) names += n;
  EXPECT_EQ(names, "xyyzzz");
  EXPECT_EQ(v.class_(), 123u);
  EXPECT_EQ(v.which().which(), 1u);
  EXPECT_FALSE(v.toggle().on());
  EXPECT_EQ(v.small()[0], -5);
  EXPECT_EQ(v.small()[1], 6);
  EXPECT_EQ(v.choice().k(), 1);
  EXPECT_EQ(v.choice().wide().words()[8], 4);
}

/// Whether a view class has fields().
template <class View>
concept HasFields = requires(View view) {
  view.fields();
};

TEST(XdrgenTest, FieldsLocatesEveryFieldWhereItsAccessorDoes) {
  std::vector<uint8_t> bytes = EncodeXdr(Filled());
  auto parsed = ParseView<Everything>(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EverythingView v = *parsed;
  EverythingView::Fields f = v.fields();
  EXPECT_EQ(f.hash.data(), v.hash().data());
  EXPECT_EQ(f.bytes_.data(), v.bytes_().data());
  EXPECT_EQ(f.text, v.text());
  EXPECT_EQ(f.points[1].data(), v.points()[1].data());
  EXPECT_EQ(f.list.data(), v.list().data());
  EXPECT_EQ(f.shapes.data(), v.shapes().data());
  EXPECT_EQ(f.big, v.big());
  EXPECT_EQ(f.ubig, v.ubig());
  EXPECT_EQ(f.flag, v.flag());
  EXPECT_EQ(f.color, v.color());
  EXPECT_EQ(f.maybePoint.value().data(), v.maybePoint().value().data());
  EXPECT_EQ(f.tree.value().data(), v.tree().value().data());
  EXPECT_EQ(f.results.data(), v.results().data());
  EXPECT_EQ(f.ext.data(), v.ext().data());
  EXPECT_EQ(f.class_, v.class_());
  EXPECT_EQ(f.choice.data(), v.choice().data());
  EXPECT_EQ(f.choice.wide().words()[8], 4);
  // Structs whose fields all have fixed sizes need no fields(): accessors add constants.
  EXPECT_TRUE(HasFields<EverythingView>);
  EXPECT_FALSE(HasFields<PixelView>);
}

TEST(XdrgenTest, SkipAgreesWithValidatedSize) {
  std::vector<uint8_t> bytes = EncodeXdr(Filled());
  const uint8_t* p = bytes.data();
  EXPECT_EQ(SkipEverything(p), p + bytes.size());
  EXPECT_EQ(EverythingView(p).size(), bytes.size());

  // Fixed-size types skip by a constant; views know it.
  EXPECT_EQ(SkipPixel(p), p + 16);
  EXPECT_EQ(PixelView::kFixedSize, 16u);
  EXPECT_EQ(EverythingView::kFixedSize, 0u);

  // Two values back to back: the prefix parser finds the boundary.
  std::vector<uint8_t> two = bytes;
  std::vector<uint8_t> second = EncodeXdr(Everything{});
  two.insert(two.end(), second.begin(), second.end());
  auto prefix = ParseViewPrefix<Everything>(two);
  ASSERT_TRUE(prefix.ok()) << prefix.status().ToString();
  EXPECT_EQ(prefix->size, bytes.size());
  auto next = ParseViewPrefix<Everything>(std::span(two).subspan(prefix->size));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->size, kDefaultSize);
}

TEST(XdrgenTest, RejectsTruncation) {
  std::vector<uint8_t> bytes = EncodeXdr(Everything{});
  // pixels[1] starts at 92; its color is at 100.
  ExpectRejected(std::span(bytes).first(100),
                 "Everything.pixels[1].color: truncated: need 4 bytes at offset 100, "
                 "have 0");
  ExpectRejected(std::span(bytes).first(0),
                 "Everything.hash: truncated: need 32 bytes at offset 0, have 0");
}

TEST(XdrgenTest, RejectsLengthAboveBound) {
  std::vector<uint8_t> bytes = EncodeXdr(Everything{});
  StoreU32(bytes.data() + kLimitedOffset, 9);
  ExpectRejected(bytes, "Everything.limited: length 9 exceeds bound 8 at offset 48");

  bytes = EncodeXdr(Everything{});
  StoreU32(bytes.data() + kListOffset, 5);
  ExpectRejected(bytes, "Everything.list: length 5 exceeds bound 4 at offset 108");

  bytes = EncodeXdr(Everything{});
  StoreU32(bytes.data() + kResultsOffset, 3);
  ExpectRejected(bytes, "Everything.results: length 3 exceeds bound 2 at offset 152");
}

TEST(XdrgenTest, RejectsCountsTheInputCannotHold) {
  // No allocation from a length field: 2^31-1 shapes of at least 8 bytes each.
  std::vector<uint8_t> bytes = EncodeXdr(Everything{});
  StoreU32(bytes.data() + kShapesOffset, 0x7FFFFFFF);
  ExpectRejected(bytes,
                 "Everything.shapes: truncated: need 17179869176 bytes at offset 116, "
                 "have 104");
}

TEST(XdrgenTest, RejectsErrorsInsideArrayElements) {
  Everything e;
  Shape dot;
  Shape corners;
  corners.kind = Color::BLUE;
  corners.corners = {Point{1, 2}};
  e.shapes = {dot, corners};
  std::vector<uint8_t> bytes = EncodeXdr(e);
  // shapes[0] (RED dot) spans 116..128; shapes[1].corners' count is at 132.
  auto view = ParseView<Everything>(bytes);
  ASSERT_TRUE(view.ok());
  ASSERT_EQ(view->shapes()[1].data() - bytes.data() + 4, 132);
  StoreU32(bytes.data() + 132, 5);
  ExpectRejected(bytes,
                 "Everything.shapes[1].corners: length 5 exceeds bound 4 at offset 132");
  StoreU32(bytes.data() + 128, 3);
  ExpectRejected(bytes,
                 "Everything.shapes[1]: unknown union discriminant 3 at offset 128");
}

TEST(XdrgenTest, RejectsNonZeroPadding) {
  std::vector<uint8_t> bytes = EncodeXdr(Everything{});
  bytes[kOddOffset + 3] = 1;
  ExpectRejected(bytes, "Everything.odd: non-zero padding at offset 35");

  Everything e;
  e.name = "abc";
  bytes = EncodeXdr(e);
  bytes[56 + 3] = 0x20;  // name: length at 52, "abc" at 56..59, padding at 59
  ExpectRejected(bytes, "Everything.name: non-zero padding at offset 59");
}

TEST(XdrgenTest, RejectsBadBoolAndOptionalFlag) {
  std::vector<uint8_t> bytes = EncodeXdr(Everything{});
  StoreU32(bytes.data() + kFlagOffset, 2);
  ExpectRejected(bytes, "Everything.flag: bool value 2 at offset 132");

  bytes = EncodeXdr(Everything{});
  StoreU32(bytes.data() + kMaybePointOffset, 2);
  ExpectRejected(bytes, "Everything.maybePoint: optional flag value 2 at offset 140");
}

TEST(XdrgenTest, RejectsUnknownEnumValuesAndDiscriminants) {
  std::vector<uint8_t> bytes = EncodeXdr(Everything{});
  StoreU32(bytes.data() + kColorOffset, 3);
  ExpectRejected(bytes, "Everything.color: unknown enum value 3 for Color at offset 136");

  bytes = EncodeXdr(Everything{});
  StoreU32(bytes.data() + kExtOffset, 9);
  ExpectRejected(bytes, "Everything.ext: unknown union discriminant 9 at offset 156");

  // A union with a default arm still requires a valid enum discriminant.
  Everything e;
  e.results.resize(1);
  bytes = EncodeXdr(e);
  StoreU32(bytes.data() + kResultsOffset + 4, 7);
  ExpectRejected(bytes,
                 "Everything.results[0]: unknown enum value 7 for Code at offset 156");
  // CODE_BAD is a member of Code: the void default arm takes it.
  StoreU32(bytes.data() + kResultsOffset + 4, static_cast<uint32_t>(-1));
  std::vector<uint8_t> shorter(bytes.begin(), bytes.begin() + kResultsOffset + 8);
  shorter.insert(shorter.end(), bytes.begin() + kResultsOffset + 16, bytes.end());
  EXPECT_TRUE(ParseView<Everything>(shorter).ok());
}

TEST(XdrgenTest, RejectsTrailingBytes) {
  std::vector<uint8_t> bytes = EncodeXdr(Everything{});
  bytes.resize(bytes.size() + 4);
  ExpectRejected(bytes, "4 trailing bytes after Everything at offset 220");
}

TEST(XdrgenTest, LazyArmsAreEmptyUntilWritten) {
  // Small fixed-size arms are direct members; the others hold a pointer.
  Choice choice;
  EXPECT_EQ(sizeof(choice.wide), sizeof(void*));
  EXPECT_EQ(sizeof(choice.versions), sizeof(void*));
  EXPECT_EQ(sizeof(choice.pixel), sizeof(Pixel));
  EXPECT_FALSE(choice.wide.has_value());
  EXPECT_FALSE(choice.shape.has_value());
  // Reading an empty arm gives a default value and does not fill the arm.
  const Choice& read = choice;
  EXPECT_EQ(read.wide->words[8], 0);
  EXPECT_EQ(read.shape->kind, Color::RED);
  EXPECT_TRUE(read.versions->at(1).label.empty());
  EXPECT_FALSE(choice.wide.has_value());
  // Writing through an empty arm creates its default value first.
  choice.k = 2;
  choice.shape->corners.push_back(Point{1, 2});
  EXPECT_TRUE(choice.shape.has_value());
  EXPECT_EQ(choice.shape->kind, Color::RED);
  // A whole value can be assigned.
  Shape corners;
  corners.kind = Color::BLUE;
  corners.corners = {Point{3, 4}};
  choice.shape = corners;
  EXPECT_EQ(*choice.shape, corners);
}

TEST(XdrgenTest, LazyArmsCopyDeeplyAndCompareEmptyAsDefault) {
  Choice a;
  Choice b;
  b.wide.emplace();
  EXPECT_EQ(a, b);  // an empty arm equals one holding a default value
  b.wide->words[0] = 1;
  EXPECT_NE(a, b);
  EXPECT_NE(b, a);

  Choice copy = b;
  copy.wide->words[0] = 2;
  EXPECT_EQ(b.wide->words[0], 1);
  copy = b;
  EXPECT_EQ(copy, b);
  copy = a;
  EXPECT_FALSE(copy.wide.has_value());

  Choice moved = std::move(b);
  EXPECT_EQ(moved.wide->words[0], 1);
  moved.wide.reset();
  EXPECT_EQ(moved, a);
}

TEST(XdrgenTest, LazyArmsDecodeOnlyTheActiveArm) {
  Choice choice;
  choice.k = 3;
  choice.versions->at(1).v = 1;
  choice.versions->at(1).label = "b";
  std::vector<uint8_t> bytes = EncodeXdr(choice);
  auto decoded = DecodeXdr<Choice>(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, choice);
  EXPECT_TRUE(decoded->versions.has_value());
  EXPECT_FALSE(decoded->wide.has_value());
  EXPECT_FALSE(decoded->shape.has_value());
  EXPECT_EQ(EncodeXdr(*decoded), bytes);

  // An empty lazy arm encodes as its default value.
  Choice empty;
  empty.k = 1;
  EXPECT_EQ(EncodeXdr(empty).size(), 4u + 72u);
  EXPECT_TRUE(ParseView<Choice>(EncodeXdr(empty)).ok());

  // Errors inside a lazy arm name it.
  Choice shape;
  shape.k = 2;
  bytes = EncodeXdr(shape);
  StoreU32(bytes.data() + 4, 3);
  EXPECT_EQ(MessageOf(DecodeXdr<Choice>(bytes)),
            "Choice.shape: unknown union discriminant 3 at offset 4");
}

TEST(XdrgenTest, BoundsRecursionDepth) {
  // The default limit admits 512 nested Trees and rejects the 513th.
  EXPECT_TRUE(ParseView<Tree>(TreeChain(512)).ok());
  EXPECT_TRUE(DecodeXdr<Tree>(TreeChain(512)).ok());

  std::vector<uint8_t> deep = TreeChain(513);
  std::string path = "Tree";
  for (int i = 0; i < 512; ++i) path += ".left";
  const std::string message = path + ": nesting depth exceeds 512 at offset 4096";
  EXPECT_EQ(MessageOf(ParseView<Tree>(deep)), message);
  EXPECT_EQ(MessageOf(DecodeXdr<Tree>(deep)), message);

  // A caller may choose another limit.
  EXPECT_FALSE(ParseView<Tree>(TreeChain(20), /*max_depth=*/10).ok());
  EXPECT_TRUE(ParseView<Tree>(TreeChain(10), /*max_depth=*/10).ok());
}

TEST(XdrgenTest, EnumHelpers) {
  EXPECT_EQ(ToString(Color::BLUE), "BLUE");
  EXPECT_EQ(ToString(Code::CODE_WORSE), "CODE_WORSE");
  EXPECT_EQ(ToString(Mode::NULL_), "NULL");
  EXPECT_EQ(ToString(static_cast<Color>(3)), "");
  EXPECT_TRUE(IsValid(Color::BLUE));
  EXPECT_FALSE(IsValid(static_cast<Color>(3)));
  EXPECT_EQ(static_cast<int32_t>(Code::CODE_WORSE), -2);
  EXPECT_EQ(MAX_ITEMS, 4u);
}

}  // namespace
}  // namespace xdrgen_test
