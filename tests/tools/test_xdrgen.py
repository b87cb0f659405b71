"""Tests of tools/xdrgen: the XDR parser, the model, the C++ emitter and the
stellar-sdk collector.

Run with:  python -m pytest tests/tools/test_xdrgen.py
The collector tests are skipped when stellar-sdk is not installed.
"""

import os
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
XDRGEN_DIR = os.path.join(REPO, "tools", "xdrgen")
TEST_X = os.path.join(REPO, "tests", "xdr", "xdrgen_test.x")
sys.path.insert(0, XDRGEN_DIR)

import emit_cpp  # noqa: E402
import xdr_model  # noqa: E402
import xdr_parser as xp  # noqa: E402

STELLAR_ROOTS = [
    "LedgerCloseMeta", "LedgerCloseMetaBatch", "TransactionEnvelope", "TransactionResult",
    "TransactionResultPair", "TransactionMeta", "LedgerEntry", "LedgerKey", "LedgerHeader",
    "LedgerHeaderHistoryEntry", "SCVal", "ContractEvent", "TransactionSignaturePayload",
    "LedgerUpgrade", "SCPHistoryEntry", "TransactionEvent",
]


def parse_one(text, name):
    """Parse ``text`` and return the definition called ``name``."""
    return xp.parse(text).types[name]


# ----------------------------------------------------------------------------
# Tokenizer and parser


def test_tokenizer_skips_comments_and_tracks_positions():
    tokens = xp.tokenize("// line\n/* block\n */ struct %pass\n  X")
    assert [(t.text, t.line, t.column) for t in tokens[:-1]] == [
        ("struct", 3, 5), ("X", 4, 3)]
    assert tokens[-1].kind == "eof"


def test_numbers():
    assert xp.parse_number("42") == 42
    assert xp.parse_number("-7") == -7
    assert xp.parse_number("0x1F") == 31
    assert xp.parse_number("010") == 8


def test_const_and_enum():
    spec = xp.parse("const N = 0x10; enum E { A = 0, B = -2, C = N };")
    assert spec.consts["N"].value == 16
    assert spec.types["E"].members == [("A", 0), ("B", -2), ("C", "N")]
    assert spec.resolve("C") == 16
    assert spec.enum_values()["B"] == ("E", -2)


def test_struct_declarations():
    struct = parse_one("""
        const MAX = 3;
        typedef int Other;
        struct S {
            int a;
            unsigned int b;
            hyper c;
            unsigned hyper d;
            bool e;
            opaque f[32];
            opaque g<64>;
            opaque h<>;
            string i<MAX>;
            string j<>;
            Other k[2];
            Other l<MAX>;
            Other m<>;
            Other* n;
            Other *o;
        };""", "S")
    got = [(f.name, f.kind, f.type, f.bound) for f in struct.fields]
    assert got == [
        ("a", xp.SCALAR, xp.INT, None),
        ("b", xp.SCALAR, xp.UINT, None),
        ("c", xp.SCALAR, xp.HYPER, None),
        ("d", xp.SCALAR, xp.UHYPER, None),
        ("e", xp.SCALAR, xp.BOOL, None),
        ("f", xp.FIXED_OPAQUE, None, 32),
        ("g", xp.VAR_OPAQUE, None, 64),
        ("h", xp.VAR_OPAQUE, None, None),
        ("i", xp.STRING, None, "MAX"),
        ("j", xp.STRING, None, None),
        ("k", xp.FIXED_ARRAY, "Other", 2),
        ("l", xp.VAR_ARRAY, "Other", "MAX"),
        ("m", xp.VAR_ARRAY, "Other", None),
        ("n", xp.OPTIONAL, "Other", None),
        ("o", xp.OPTIONAL, "Other", None),
    ]


def test_union_arms():
    union = parse_one("""
        enum T { X = 0, Y = 1, Z = 2 };
        union U switch (T type) {
        case X:
        case Y:
            int shared;
        case Z:
            void;
        default:
            hyper other;
        };""", "U")
    assert union.discriminant.name == "type"
    assert union.discriminant.type == "T"
    assert [arm.labels for arm in union.arms] == [["X", "Y"], ["Z"], []]
    assert union.arms[1].decl.kind == xp.VOID
    assert union.default_arm.decl.name == "other"


def test_typedefs():
    spec = xp.parse("typedef opaque Hash[32]; typedef Hash* MaybeHash; "
                    "typedef Hash Hashes<>; typedef string Name<8>;")
    assert spec.types["Hash"].decl.kind == xp.FIXED_OPAQUE
    assert spec.types["MaybeHash"].decl.kind == xp.OPTIONAL
    assert spec.types["Hashes"].decl.kind == xp.VAR_ARRAY
    assert spec.types["Name"].decl.kind == xp.STRING


def test_namespace_blocks_and_passthrough_lines():
    spec = xp.parse("%#include \"x.h\"\nnamespace stellar {\nstruct A { int x; };\n}\n")
    assert list(spec.types) == ["A"]


def test_builtin_integer_aliases():
    spec = xp.parse("struct S { int32 a; uint32 b; int64 c; uint64 d; };")
    assert spec.types["uint32"].decl.type == xp.UINT
    assert spec.types["int64"].decl.type == xp.HYPER
    # A definitions file that defines them keeps its own definition.
    spec = xp.parse("typedef hyper uint32; struct S { uint32 a; };")
    assert spec.types["uint32"].decl.type == xp.HYPER


def test_nested_anonymous_definitions_are_named_like_xdrgen():
    spec = xp.parse("""
        struct Transaction {
            int fee;
            union switch (int v) {
            case 0:
                void;
            case 1:
                struct {
                    int a;
                    union switch (int v) { case 0: void; } ext;
                } v1;
            } ext;
        };
        union ContractIDPreimage switch (int type) {
        case 0:
            struct { int salt; } fromAddress;
        case 1:
            struct { int x; } from_asset;
        };""")
    assert spec.types["Transaction"].fields[1].type == "TransactionExt"
    # A nested union passes its prefix on: Transaction.ext.v1 is TransactionV1...
    assert spec.types["TransactionExt"].arms[1].decl.type == "TransactionV1"
    # ... while a nested struct prefixes its own children.
    assert spec.types["TransactionV1"].fields[1].type == "TransactionV1Ext"
    assert "ContractIDPreimageFromAddress" in spec.types
    assert "ContractIDPreimageFromAsset" in spec.types
    assert spec.types["TransactionV1"].parent == "TransactionExt"
    assert list(spec.types) == [
        "Transaction", "TransactionExt", "TransactionV1", "TransactionV1Ext",
        "ContractIDPreimage", "ContractIDPreimageFromAddress",
        "ContractIDPreimageFromAsset"]


@pytest.mark.parametrize("text, message", [
    ("struct A { int x }", "f.x:1:18: expected ';', found '}'"),
    ("struct A {\n  int x;\n  float y;\n};", "f.x:3:3: type 'float' is not supported"),
    ("struct A {\n  double y;\n};", "f.x:2:3: type 'double' is not supported"),
    ("typedef opaque H;", "f.x:1:17: expected '[' or '<' after opaque field name, found ';'"),
    ("union U switch (int v) { default: void; };", "f.x:1:26: expected 'case', found 'default'"),
    ("struct A { int x[]; };", "f.x:1:18: expected a number or constant name, found ']'"),
    ("union U switch (int v) { case 0: void; }", "f.x:1:41: expected ';', found end of input"),
    ("/* never closed", "f.x:1:1: unterminated comment"),
    ("struct A { int x; }; $", "f.x:1:22: unexpected character '$'"),
    ("struct struct { int x; };", "f.x:1:8: expected struct name, found 'struct'"),
    ("bogus A;", "f.x:1:1: expected 'const', 'enum', 'struct', 'union' or 'typedef', "
                 "found 'bogus'"),
])
def test_syntax_errors_give_line_column_and_expectation(text, message):
    with pytest.raises(xp.XdrSyntaxError) as err:
        xp.parse(text, "f.x")
    assert str(err.value) == message


@pytest.mark.parametrize("text, message", [
    ("struct A {\n  Foo x;\n};", "f.x:2: A.x: unknown type Foo"),
    ("const X = Y;", "f.x:1: X: unknown constant Y"),
    ("struct A { int x; };\nstruct A { int y; };", "f.x:2: A is defined twice"),
    ("typedef int T<N>;", "f.x:1: T.T: unknown constant N"),
    ("union U switch (int v) {\ncase Q: void; };", "f.x:2: U case Q: unknown constant Q"),
])
def test_semantic_errors(text, message):
    with pytest.raises(xp.XdrSemanticError) as err:
        xp.parse(text, "f.x")
    assert str(err.value) == message


# ----------------------------------------------------------------------------
# Model


SIZES_X = """
    typedef opaque Hash[32];
    typedef opaque uint256[32];
    enum KeyType { ED25519 = 0, OTHER = 1 };
    union PublicKey switch (KeyType type) {
    case ED25519: uint256 ed25519;
    case OTHER: Hash other;
    };
    struct Int128Parts { hyper hi; unsigned hyper lo; };
    struct Node { int id; Node* next; Node kids<>; };
    union Mixed switch (int v) { case 0: void; case 1: int x; };
    struct Holder { PublicKey key; Int128Parts parts; opaque odd[3]; bool b; };
"""


def test_fixed_sizes_and_plainness():
    model = xdr_model.Model(xp.parse(SIZES_X), ["Holder", "Node", "Mixed"])
    assert model.type_size("Hash") == 32
    assert model.type_size("PublicKey") == 36  # every arm has the same size
    assert model.type_size("Int128Parts") == 16
    assert model.type_size("Holder") == 36 + 16 + 4 + 4
    assert model.type_size("Node") is None
    assert model.type_size("Mixed") is None  # arms of 0 and 4 bytes
    assert model.min_type_size("Mixed") == 4
    assert model.min_type_size("Node") == 12
    assert model.is_plain_type("Int128Parts")
    assert not model.is_plain_type("PublicKey")  # the discriminant is checked
    assert not model.is_plain_type("Holder")


def test_recursion_and_reachability():
    model = xdr_model.Model(xp.parse(SIZES_X), ["Node"])
    assert model.names == ["Node"]
    assert model.recursive == {"Node"}
    model = xdr_model.Model(xp.parse(SIZES_X), ["Holder"])
    assert set(model.names) == {"Hash", "uint256", "KeyType", "PublicKey",
                                "Int128Parts", "Holder"}
    assert model.recursive == set()
    with pytest.raises(ValueError, match="unknown root type"):
        xdr_model.Model(xp.parse(SIZES_X), ["Nope"])


# ----------------------------------------------------------------------------
# Emitter


def render_test_x(parts=2):
    """Render tests/xdr/xdrgen_test.x as the C++ build does."""
    with open(TEST_X, encoding="utf-8") as source:
        spec = xp.parse(source.read(), "xdrgen_test.x")
    model = xdr_model.Model(spec, ["Everything", "Tree"])
    return emit_cpp.render(model, "xdrgen_test", "xdrgen_test", parts, "xdrgen_test.x")


def test_emitter_is_deterministic():
    assert render_test_x() == render_test_x()


def test_emitted_files_match_list_outputs():
    files = render_test_x(parts=3)
    assert sorted(files) == sorted(emit_cpp.output_names("xdrgen_test", 3))


def test_emitted_code_shapes():
    files = render_test_x()
    views = files["xdrgen_test_views.h"]
    types = files["xdrgen_test_types.h"]
    assert "inline constexpr uint32_t MAX_ITEMS = 4;" in views
    assert "enum class Mode : int32_t {\n  NULL_ = 0,\n  EOF_ = 1,\n};" in views
    assert "class EverythingView : public ViewBase<EverythingView> {" in views
    assert "std::span<const uint8_t> bytes_() const;" in views  # escaped accessor
    assert "inline const uint8_t* SkipPixel(const uint8_t* p) { return p + 16; }" in views
    assert "using HashView = std::span<const uint8_t, 32>;" in views
    assert "struct XdrTraits<::xdrgen_test::Everything> {" in views
    assert "  uint32 class_{};" in types
    assert "  Box<Tree> left;" in types
    assert "  Color kind = Color::RED;" in types
    # Structs come after the types they hold by value.
    assert types.index("struct Point {") < types.index("struct Pixel {")
    assert types.index("struct EverythingV1 {") < types.index("struct EverythingExt {")
    cc = "".join(text for name, text in files.items() if name.endswith(".cc"))
    assert "if (!r.Enter()) return false;" in cc  # Tree is recursive
    assert 'XDR_CHECK_FIELD(r, r.SkipOpaque(3), "odd");' in cc


def test_union_arms_are_direct_or_lazy():
    files = render_test_x()
    types = files["xdrgen_test_types.h"]
    assert "using ::stellar::xdr::Arm;" in files["xdrgen_test_views.h"]
    # Numbers, vectors, strings and small fixed-size types are direct members...
    assert "  Point dot;  // RED\n" in types
    assert "  std::vector<Point> corners;  // GREEN, BLUE\n" in types
    assert "  Name label;  // 1\n" in types
    assert "  Pixel pixel;  // 0\n" in types
    assert "  Hash hash{};  // 4\n" in types
    # ... the others are lazy: variable-size, too big, or arrays of those.
    assert "  Arm<EverythingV1> v1;  // 1\n" in types
    assert "  Arm<Wide> wide;  // 1\n" in types
    assert "  Arm<Shape> shape;  // 2\n" in types
    assert "  Arm<std::array<Version, 2>> versions;  // 3\n" in types
    cc = "".join(text for name, text in files.items() if name.endswith(".cc"))
    assert 'XDR_CHECK_FIELD(r, DecodeWide(r, &*out->wide), "wide");' in cc
    assert 'XDR_CHECK_FIELD(r, DecodePixel(r, &out->pixel), "pixel");' in cc
    assert "      EncodeWide(*v.wide, w);" in cc
    assert "      EncodePixel(v.pixel, w);" in cc


def test_lazy_arm_rule():
    spec = xp.parse(SIZES_X + """
        struct Big { hyper words[9]; };
        union Arms switch (int v) {
        case 0: int i;
        case 1: PublicKey key;
        case 2: Big big;
        case 3: Node node;
        case 4: Int128Parts pair[4];
        case 5: Int128Parts pairs[5];
        case 6: opaque small[64];
        case 7: opaque large[65];
        case 8: Node* maybe;
        case 9: Node many<>;
        };""")
    model = xdr_model.Model(spec, ["Arms"])
    emitter = emit_cpp.Emitter(model, "ns", "p", "in.x")
    arms = {arm.decl.name: arm.decl for arm in spec.types["Arms"].arms}
    lazy = {name for name, decl in arms.items() if emitter.is_lazy_arm(decl)}
    # PublicKey encodes in 36 bytes, but its owning form holds both of its 32-byte arms.
    assert emitter.owning_size(arms["key"]) == 4 + 32 + 32
    assert lazy == {"key", "big", "node", "pairs", "large"}
    assert emitter.owning_size(arms["pair"]) == 64


def test_cli_generates_hash_and_lists_outputs(tmp_path):
    script = os.path.join(XDRGEN_DIR, "xdrgen.py")
    args = [sys.executable, script, "--input", TEST_X, "--namespace", "xdrgen_test",
            "--prefix", "xdrgen_test", "--roots", "Everything,Tree", "--parts", "2"]
    for out in ("a", "b"):
        subprocess.run(args + ["--out-dir", str(tmp_path / out),
                               "--hash-out", str(tmp_path / out / "hash")], check=True)
    listed = subprocess.run(
        [sys.executable, script, "--list-outputs", "--prefix", "xdrgen_test", "--parts", "2"],
        check=True, capture_output=True, text=True).stdout.split()
    written = sorted(os.listdir(tmp_path / "a"))
    assert sorted(listed + ["hash"]) == written
    for name in written:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    import hashlib
    with open(TEST_X, "rb") as source:
        assert (tmp_path / "a" / "hash").read_text().strip() == \
            hashlib.sha256(source.read()).hexdigest()


def test_cli_reports_errors(tmp_path):
    bad = tmp_path / "bad.x"
    bad.write_text("struct A { int x }")
    result = subprocess.run(
        [sys.executable, os.path.join(XDRGEN_DIR, "xdrgen.py"), "--input", str(bad),
         "--out-dir", str(tmp_path / "out"), "--roots", "A"],
        capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.strip() == "xdrgen: error: bad.x:1:18: expected ';', found '}'"


# ----------------------------------------------------------------------------
# stellar-sdk collection


@pytest.fixture(scope="module")
def stellar_text():
    """The definitions collect_sdk.py prints."""
    pytest.importorskip("stellar_sdk")
    result = subprocess.run([sys.executable, os.path.join(XDRGEN_DIR, "collect_sdk.py")],
                            check=True, capture_output=True, text=True)
    return result.stdout


def test_collect_sdk_output(stellar_text):
    assert "const MAX_SIGNERS = 20;" in stellar_text
    for name in ("union LedgerCloseMeta switch", "struct TransactionV1Envelope",
                 "enum TransactionResultCode", "typedef opaque Hash[32];",
                 "typedef unsigned int uint32;"):
        assert name in stellar_text
    # Nested anonymous definitions only appear inside their parents.
    assert "\nunion switch" not in stellar_text
    assert "\nstruct\n" not in stellar_text


def test_collect_sdk_is_deterministic(stellar_text):
    again = subprocess.run([sys.executable, os.path.join(XDRGEN_DIR, "collect_sdk.py")],
                           check=True, capture_output=True, text=True).stdout
    assert again == stellar_text


def test_nested_names_match_stellar_sdk_classes(stellar_text):
    import inspect

    import collect_sdk
    import stellar_sdk.xdr

    spec = xp.parse(stellar_text)
    hoisted = {name for name, d in spec.types.items() if getattr(d, "parent", None)}
    anonymous = set()
    for name, cls in inspect.getmembers(stellar_sdk.xdr, inspect.isclass):
        source = collect_sdk.xdr_source(cls.__doc__)
        if source is not None and collect_sdk.definition_name(source) is None:
            anonymous.add(name)
    assert hoisted == anonymous
    assert {"TransactionExt", "AccountEntryExt", "LedgerHeaderExt"} <= hoisted


def test_stellar_roots_generate(stellar_text):
    spec = xp.parse(stellar_text)
    model = xdr_model.Model(spec, STELLAR_ROOTS)
    assert model.type_size("PublicKey") == 36
    assert model.type_size("Hash") == 32
    assert model.type_size("Int128Parts") == 16
    assert {"SCVal", "ClaimPredicate"} <= model.recursive
    files = emit_cpp.render(model, "stellar::xdr", "stellar_xdr", 4, "stellar.x")
    assert "class LedgerCloseMetaView" in files["stellar_xdr_views.h"]
    assert "std::string_view ToString(TransactionResultCode v);" in \
        files["stellar_xdr_views.h"]
    types = files["stellar_xdr_types.h"]
    assert "  Arm<AccountEntry> account;  // ACCOUNT\n" in types
    assert "  Arm<LedgerEntry> updated;  // LEDGER_ENTRY_UPDATED\n" in types
    assert "  AccountID accountId;  // SC_ADDRESS_TYPE_ACCOUNT\n" in types
    assert "  SCSymbol sym;  // SCV_SYMBOL\n" in types
