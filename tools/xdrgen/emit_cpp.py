"""Emit C++20 for a Model of XDR definitions.

Two headers and their .cc parts come out:

* ``<prefix>_views.h`` / ``<prefix>_views_<i>.cc``: constants, enums, zero-copy
  view classes, ``ValidateX`` (checked walk of untrusted bytes) and ``SkipX``
  (unchecked walk of validated bytes).
* ``<prefix>_types.h`` / ``<prefix>_types_<i>.cc``: owning structs and
  ``DecodeX`` / ``EncodeX``. Union arms that are costly to hold (structs, unions)
  are lazy ``Arm<T>`` members (see ``Emitter.is_lazy_arm``).

The per-type walks (``ValidateX``, ``DecodeX``) return ``bool``: a failing
step records its error in the ``Reader`` and every enclosing field, arm or
index adds its name while the walk unwinds; ``arrow::Status`` is made at the
entry points (``ParseView``, ``DecodeXdr``, the ``Decode`` overloads), which
keeps the hot path free of Status objects.

The generated code relies on ``src/xdr/runtime.h`` (public) and
``src/xdr/runtime_internal.h`` (the helpers the .cc files use).
"""

import dataclasses

import xdr_parser as xp
from xdr_model import PRIMITIVE_SIZES

RUNTIME_NS = "stellar::xdr"

CPP_KEYWORDS = frozenset("""
    alignas alignof and and_eq asm auto bitand bitor bool break case catch char char8_t
    char16_t char32_t class compl concept const consteval constexpr constinit const_cast
    continue co_await co_return co_yield decltype default delete do double dynamic_cast
    else enum explicit export extern false float for friend goto if inline int long
    mutable namespace new noexcept not not_eq nullptr operator or or_eq private protected
    public register reinterpret_cast requires return short signed sizeof static
    static_assert static_cast struct switch template this thread_local throw true try
    typedef typeid typename union unsigned using virtual void volatile wchar_t while xor
    xor_eq final override import module
""".split())

# Names that the C and C++ standard libraries (or common platforms) define as
# macros; an identifier spelled like one of them would be macro-expanded.
MACRO_NAMES = frozenset("""
    NULL EOF TRUE FALSE DOMAIN SING OVERFLOW UNDERFLOW TLOSS PLOSS EDOM ERANGE EILSEQ
    errno assert offsetof setjmp va_arg va_start va_end stdin stdout stderr BUFSIZ
    FILENAME_MAX INFINITY NAN HUGE_VAL CHAR_BIT INT_MAX INT_MIN UINT_MAX LONG_MAX LONG_MIN
    EXIT_SUCCESS EXIT_FAILURE RAND_MAX SIGINT SIGTERM SIGABRT SIGSEGV SIGFPE SIGILL
    linux unix i386 major minor minor_t makedev
""".split())

# Members of the generated view classes besides the field accessors.
VIEW_RESERVED = frozenset(["data", "size", "bytes", "Load", "Skip", "Value",
                           "kFixedSize", "p_", "ViewBase"])

# C++ spelling of each primitive: owning type, codec, runtime helper suffix.
PRIMITIVE_CPP = {xp.INT: "int32_t", xp.UINT: "uint32_t", xp.HYPER: "int64_t",
                 xp.UHYPER: "uint64_t", xp.BOOL: "bool"}
PRIMITIVE_SUFFIX = {xp.INT: "I32", xp.UINT: "U32", xp.HYPER: "I64", xp.UHYPER: "U64",
                    xp.BOOL: "Bool"}
PRIMITIVE_LOAD = {xp.INT: "LoadI32({})", xp.UINT: "LoadU32({})", xp.HYPER: "LoadI64({})",
                  xp.UHYPER: "LoadU64({})", xp.BOOL: "(LoadU32({}) != 0)"}

# Runtime names the generated headers use unqualified.
RUNTIME_NAMES = [
    "Arm", "ArrayCodec", "ArrayView", "BoolCodec", "Box", "DecodeEnum", "EnumCodec",
    "FixedArrayCodec", "FixedOpaqueCodec", "I32Codec", "I64Codec", "LoadI32", "LoadI64",
    "LoadU32", "LoadU64", "OptionalCodec", "OptionalView", "Reader", "StringCodec",
    "U32Codec", "U64Codec", "ValidateEnum", "VarOpaqueCodec", "ViewBase", "Writer",
    "kUnbounded",
]

LINE_WIDTH = 90

# Largest owning size (bytes, estimated) of a fixed-size union arm that stays a direct
# member of its union; bigger arms and arms of variable-size types are Arm<T>s.
MAX_DIRECT_ARM_SIZE = 64

INTERNAL = "xdr_internal"  # alias of stellar::xdr::internal in the .cc files


def cap(name):
    """Capitalize the first letter (``uint32`` -> ``Uint32``)."""
    return name[:1].upper() + name[1:]


def escape(name):
    """Append ``_`` to names that are C++ keywords or library macros."""
    return name + "_" if name in CPP_KEYWORDS or name in MACRO_NAMES else name


def view_class(type_name):
    """Name of the view class (or alias) of a type."""
    return cap(type_name) + "View"


def fn(verb, type_name):
    """Name of a generated per-type function, e.g. ``ValidateLedgerHeader``."""
    return verb + cap(type_name)


def field_check(expr, name, indent="  "):
    """An XDR_CHECK_FIELD statement (on failure of the checked step ``expr``, add
    ``name`` to the error path and return false), wrapped after the expression when
    it would pass the 90-column limit."""
    head = f"{indent}XDR_CHECK_FIELD(r, "
    line = f'{head}{expr}, "{name}");'
    if len(line) <= LINE_WIDTH:
        return [line]
    return [f"{head}{expr},", " " * len(head) + f'"{name}");']


def doc(text, indent=""):
    """A one-line ``///`` doc comment."""
    return f"{indent}/// {text}"


@dataclasses.dataclass
class Outputs:
    """Generated file contents: headers and the chunks of each .cc kind."""
    views_header: str
    types_header: str
    views_chunks: list  # of (type name, code)
    types_chunks: list


class Emitter:
    """Generates the C++ text for one Model."""

    def __init__(self, model, namespace, prefix, input_name):
        self.m = model
        self.ns = namespace
        self.prefix = prefix
        self.input_name = input_name
        self.type_names = set(model.names)
        self.check_names()

    # ------------------------------------------------------------------------
    # Names

    def check_names(self):
        """Fail if two generated identifiers would collide."""
        owners = {}
        for name in self.m.names:
            for ident in (name, view_class(name), fn("Validate", name), fn("Skip", name),
                          fn("Decode", name), fn("Encode", name)):
                if ident in owners and owners[ident] != name:
                    raise ValueError(f"generated name {ident} of {name} collides with "
                                     f"a name of {owners[ident]}")
                owners[ident] = name

    def member(self, name):
        """Owning-struct member name of an XDR field."""
        name = escape(name)
        return name + "_" if name in self.type_names else name

    def accessor(self, name):
        """View accessor name of an XDR field."""
        name = self.member(name)
        return name + "_" if name in VIEW_RESERVED else name

    def enum_member(self, name):
        """C++ enumerator name of an XDR enum member."""
        return escape(name)

    def bound(self, decl):
        """C++ expression of a declaration's bound."""
        if decl.bound is None:
            return "kUnbounded"
        if isinstance(decl.bound, int):
            return str(decl.bound)
        if decl.bound in self.m.spec.consts:
            return decl.bound
        return str(self.m.resolve(decl.bound))

    def label_value(self, union, label):
        """C++ case label (an int literal) for a union case label."""
        value = self.m.resolve(label)
        if union.discriminant.type == xp.UINT:
            return f"{value & 0xFFFFFFFF}u"
        return str(value)

    def label_comment(self, label):
        """A comment naming a symbolic case label, or ''."""
        return f"  // {label}" if isinstance(label, str) else ""

    # ------------------------------------------------------------------------
    # Types of declarations

    def cpp_type(self, decl):
        """Owning C++ type of a declaration."""
        elem = self.elem_cpp(decl.type) if decl.type else None
        if decl.kind == xp.SCALAR:
            return elem
        if decl.kind == xp.OPTIONAL:
            return f"Box<{elem}>"
        if decl.kind == xp.FIXED_ARRAY:
            return f"std::array<{elem}, {self.bound(decl)}>"
        if decl.kind == xp.VAR_ARRAY:
            return f"std::vector<{elem}>"
        if decl.kind == xp.FIXED_OPAQUE:
            return f"std::array<uint8_t, {self.bound(decl)}>"
        if decl.kind == xp.VAR_OPAQUE:
            return "std::vector<uint8_t>"
        if decl.kind == xp.STRING:
            return "std::string"
        raise ValueError(f"no C++ type for {decl.kind}")

    def elem_cpp(self, type_name):
        """Owning C++ type of a named or primitive type."""
        return PRIMITIVE_CPP.get(type_name, type_name)

    def is_lazy_arm(self, decl):
        """Whether a union arm is held in an ``Arm<T>`` (out of line, empty until
        written). Arms that cost nothing to hold stay direct members: numbers, enums,
        variable-length opaque data, strings, vectors, optional data, and fixed-size
        types whose owning form takes at most MAX_DIRECT_ARM_SIZE bytes."""
        decl = self.m.expand(decl)
        if decl.kind in (xp.OPTIONAL, xp.VAR_ARRAY, xp.VAR_OPAQUE, xp.STRING):
            return False
        if self.m.decl_size(decl) is None:
            return True
        return self.owning_size(decl) > MAX_DIRECT_ARM_SIZE

    def owning_size(self, decl):
        """Estimated bytes of the owning form of a fixed-size declaration: a union
        takes its discriminant, its direct arms and a pointer per lazy arm."""
        decl = self.m.expand(decl)
        if decl.kind == xp.FIXED_OPAQUE:
            return self.m.resolve(decl.bound)
        count = self.m.resolve(decl.bound) if decl.kind == xp.FIXED_ARRAY else 1
        definition = self.m.definition(decl.type)
        if isinstance(definition, xp.Struct):
            size = sum(self.owning_size(field) for field in definition.fields)
        elif isinstance(definition, xp.UnionDef):
            size = 4 + sum(8 if self.is_lazy_arm(arm.decl) else self.owning_size(arm.decl)
                           for arm in self.value_arms(definition))
        else:
            size = self.m.type_size(decl.type)  # a primitive or an enum
        return count * size

    def arm_member(self, arm, owner):
        """Expression naming the value of a union arm in the owning union ``owner``
        (``out->`` or ``v.``): lazy arms are dereferenced."""
        member = f"{owner}{self.member(arm.decl.name)}"
        return f"*{member}" if self.is_lazy_arm(arm.decl) else member

    def codec(self, decl):
        """View codec of a declaration (typedefs expanded)."""
        decl = self.m.expand(decl)
        if decl.kind == xp.SCALAR:
            return self.type_codec(decl.type)
        if decl.kind == xp.FIXED_OPAQUE:
            return f"FixedOpaqueCodec<{self.bound(decl)}>"
        if decl.kind in (xp.VAR_OPAQUE,):
            return "VarOpaqueCodec"
        if decl.kind == xp.STRING:
            return "StringCodec"
        elem = self.type_codec(decl.type)
        if decl.kind == xp.OPTIONAL:
            return f"OptionalCodec<{elem}>"
        if decl.kind == xp.FIXED_ARRAY:
            return f"FixedArrayCodec<{elem}, {self.bound(decl)}>"
        return f"ArrayCodec<{elem}>"

    def type_codec(self, type_name):
        """View codec of a named or primitive type."""
        if type_name in PRIMITIVE_SUFFIX:
            return PRIMITIVE_SUFFIX[type_name] + "Codec"
        if self.m.is_enum(type_name):
            return f"EnumCodec<{type_name}>"
        if self.m.is_aggregate(type_name):
            return view_class(type_name)
        return self.codec(xp.Decl(None, xp.SCALAR, type_name))

    def view_type(self, decl):
        """Type a view accessor returns for a declaration."""
        if decl.kind == xp.SCALAR:
            name = decl.type
            if name in PRIMITIVE_CPP:
                return PRIMITIVE_CPP[name]
            if self.m.is_enum(name):
                return name
            if self.m.is_aggregate(name):
                return view_class(name)
            expanded = self.m.expand(decl)
            if expanded.kind == xp.SCALAR:
                return self.view_type(expanded)
            return view_class(name)
        decl = self.m.expand(decl)
        if decl.kind == xp.FIXED_OPAQUE:
            return f"std::span<const uint8_t, {self.bound(decl)}>"
        if decl.kind == xp.VAR_OPAQUE:
            return "std::span<const uint8_t>"
        if decl.kind == xp.STRING:
            return "std::string_view"
        elem = self.type_codec(decl.type)
        if decl.kind == xp.OPTIONAL:
            return f"OptionalView<{elem}>"
        return f"ArrayView<{elem}>"

    def load_expr(self, decl, ptr):
        """Expression reading a declaration's view or value at ``ptr``."""
        expanded = self.m.expand(decl)
        if expanded.kind == xp.SCALAR:
            name = expanded.type
            if name in PRIMITIVE_LOAD:
                return PRIMITIVE_LOAD[name].format(ptr)
            if self.m.is_enum(name):
                return f"static_cast<{name}>(LoadI32({ptr}))"
            return f"{view_class(name)}({ptr})"
        return f"{self.codec(decl)}::Load({ptr})"

    # ------------------------------------------------------------------------
    # Per-declaration code: validate, skip, decode, encode

    def elem_fn(self, verb, type_name):
        """Function (usable as a template argument) doing ``verb`` on one
        element of a named or primitive type."""
        resolved = self.m.element_type(type_name)
        if resolved in PRIMITIVE_SUFFIX:
            return f"{INTERNAL}::{verb}{PRIMITIVE_SUFFIX[resolved]}"
        return fn(verb, resolved)

    def validate_expr(self, decl):
        """Checked-step expression (bool) validating one declaration at the reader."""
        decl = self.m.expand(decl)
        if self.m.is_plain(decl):
            return f"r.Skip({self.m.decl_size(decl)})"
        if decl.kind == xp.SCALAR:
            if decl.type == xp.BOOL:
                return "r.SkipBool()"
            return f"{fn('Validate', decl.type)}(r)"
        if decl.kind == xp.FIXED_OPAQUE:
            return f"r.SkipOpaque({self.bound(decl)})"
        if decl.kind in (xp.VAR_OPAQUE, xp.STRING):
            return f"r.SkipVarOpaque({self.bound(decl)})"
        elem = self.elem_fn("Validate", decl.type)
        if decl.kind == xp.OPTIONAL:
            return f"{INTERNAL}::ValidateOptional<{elem}>(r)"
        if decl.kind == xp.FIXED_ARRAY:
            return f"{INTERNAL}::ValidateElements<{elem}>(r, {self.bound(decl)})"
        if self.m.is_plain_type(decl.type):
            size = self.m.type_size(decl.type)
            return f"r.SkipPlainArray({self.bound(decl)}, {size})"
        min_size = self.m.min_type_size(decl.type)
        return f"{INTERNAL}::ValidateVarArray<{elem}>(r, {self.bound(decl)}, {min_size})"

    def skip_expr(self, decl, base, offset=0):
        """Pointer expression skipping one validated declaration found
        ``offset`` bytes after pointer ``base``."""
        decl = self.m.expand(decl)
        size = self.m.decl_size(decl)
        if size is not None:
            return f"{base} + {offset + size}" if offset + size else base
        ptr = f"{base} + {offset}" if offset else base
        if decl.kind == xp.SCALAR:
            return f"{fn('Skip', decl.type)}({ptr})"
        return f"{self.codec(decl)}::Skip({ptr})"

    def decode_expr(self, decl, target):
        """Checked-step expression (bool) decoding one declaration into ``target``."""
        decl = self.m.expand(decl)
        if decl.kind == xp.SCALAR:
            return f"{self.elem_fn('Decode', decl.type)}(r, {target})"
        if decl.kind == xp.FIXED_OPAQUE:
            return f"{INTERNAL}::DecodeFixedOpaque(r, {target})"
        if decl.kind in (xp.VAR_OPAQUE, xp.STRING):
            return f"{INTERNAL}::DecodeVarOpaque(r, {self.bound(decl)}, {target})"
        elem = self.elem_fn("Decode", decl.type)
        if decl.kind == xp.OPTIONAL:
            return f"{INTERNAL}::DecodeOptional<{elem}>(r, {target})"
        if decl.kind == xp.FIXED_ARRAY:
            return f"{INTERNAL}::DecodeFixedArray<{elem}>(r, {target})"
        min_size = self.m.min_type_size(decl.type)
        return (f"{INTERNAL}::DecodeVarArray<{elem}>(r, {self.bound(decl)}, {min_size}, "
                f"{target})")

    def encode_stmt(self, decl, value):
        """Statement encoding one declaration's ``value``."""
        decl = self.m.expand(decl)
        if decl.kind == xp.SCALAR:
            return f"{self.elem_fn('Encode', decl.type)}({value}, w);"
        if decl.kind == xp.FIXED_OPAQUE:
            return f"{INTERNAL}::EncodeFixedOpaque({value}, w);"
        if decl.kind in (xp.VAR_OPAQUE, xp.STRING):
            return f"{INTERNAL}::EncodeVarOpaque({value}, w);"
        elem = self.elem_fn("Encode", decl.type)
        helper = {xp.OPTIONAL: "EncodeOptional", xp.FIXED_ARRAY: "EncodeFixedArray",
                  xp.VAR_ARRAY: "EncodeVarArray"}[decl.kind]
        return f"{INTERNAL}::{helper}<{elem}>({value}, w);"

    # ------------------------------------------------------------------------
    # Files

    def banner(self, what):
        """The first lines of every generated file."""
        return [f"// {what}",
                f"// Generated by tools/xdrgen/xdrgen.py from {self.input_name}. "
                "Do not edit.", ""]

    def open_ns(self):
        """Lines opening the target namespace."""
        return [f"namespace {self.ns} {{", ""]

    def close_ns(self):
        """Lines closing the target namespace."""
        return ["", f"}}  // namespace {self.ns}"]

    def runtime_usings(self):
        """Using-declarations of the runtime names, when in another namespace."""
        if self.ns == RUNTIME_NS:
            return []
        return [f"using ::{RUNTIME_NS}::{name};" for name in RUNTIME_NAMES] + [""]

    def generate(self):
        """Generate every output."""
        return Outputs(self.views_header(), self.types_header(), self.views_chunks(),
                       self.types_chunks())

    # ------------------------------------------------------------------------
    # Views header

    def views_header(self):
        """Text of <prefix>_views.h."""
        lines = self.banner("Constants, enums, zero-copy views, Validate and Skip.")
        lines += ["#pragma once", "", "#include <cstddef>", "#include <cstdint>",
                  "#include <span>", "#include <string_view>", "",
                  '#include "xdr/runtime.h"', ""]
        lines += self.open_ns() + self.runtime_usings()
        lines += self.constants()
        for enum in self.m.of_kind(xp.Enum):
            lines += self.enum_decl(enum)
        aggregates = self.aggregates()
        lines.append("// Owning types (defined in the types header).")
        lines += [f"struct {d.name};" for d in aggregates] + [""]
        lines.append("// View classes.")
        lines += [f"class {view_class(d.name)};" for d in aggregates] + [""]
        lines.append("// Views of typedefs.")
        for typedef in self.ordered_typedefs():
            lines.append(doc(f"View of XDR typedef {typedef.name}."))
            lines.append(f"using {view_class(typedef.name)} = "
                         f"{self.view_type(typedef.decl)};")
        lines.append("")
        lines.append("// Checked walks of untrusted bytes and unchecked skips of "
                     "validated bytes.")
        for definition in aggregates + self.m.of_kind(xp.Typedef):
            lines += self.walk_decls(definition)
        lines.append("")
        for definition in aggregates:
            lines += self.view_class_decl(definition)
        for definition in aggregates:
            lines += self.view_class_defs(definition)
        lines += self.close_ns()
        lines += self.traits(aggregates)
        return "\n".join(lines) + "\n"

    def aggregates(self):
        """Reachable structs and unions in source order."""
        return [self.m.definition(n) for n in self.m.names
                if self.m.is_aggregate(n)]

    def constants(self):
        """Constant definitions (all of the input's constants)."""
        lines = []
        for const in self.m.spec.consts.values():
            value = self.m.resolve(const.value)
            ctype = "uint32_t" if 0 <= value <= 0xFFFFFFFF else "int64_t"
            lines.append(doc(f"XDR constant {const.name}."))
            lines.append(f"inline constexpr {ctype} {escape(const.name)} = {value};")
        return lines + [""] if lines else lines

    def enum_decl(self, enum):
        """Enum class, IsValid, ToString, ValidateX and SkipX of one enum."""
        name = enum.name
        lines = [doc(f"XDR enum {name}."), f"enum class {name} : int32_t {{"]
        for member, value in enum.members:
            lines.append(f"  {self.enum_member(member)} = {self.m.resolve(value)},")
        lines += ["};", "", doc(f"Return the XDR name of a {name} value, or \"\" if "
                              "unknown."),
                  f"std::string_view ToString({name} v);", "",
                  doc(f"Return whether `v` is a member of {name}."),
                  f"inline bool IsValid({name} v) {{", "  switch (v) {"]
        for member in self.distinct_members(enum):
            lines.append(f"    case {name}::{self.enum_member(member)}:")
        lines += ["      return true;", "  }", "  return false;", "}", "",
                  doc(f"Validate a {name} value (false: error in `r`)."),
                  f"inline bool {fn('Validate', name)}(Reader& r) {{",
                  f'  return ValidateEnum<{name}>(r, "{name}");', "}", "",
                  doc(f"Skip a validated {name} value."),
                  f"inline const uint8_t* {fn('Skip', name)}(const uint8_t* p) "
                  "{ return p + 4; }", ""]
        return lines

    def distinct_members(self, enum):
        """Enum member names, the first one of each distinct value only."""
        seen, members = set(), []
        for member, value in enum.members:
            value = self.m.resolve(value)
            if value not in seen:
                seen.add(value)
                members.append(member)
        return members

    def ordered_typedefs(self):
        """Reachable typedefs, each after the typedefs its declaration names."""
        typedefs = {t.name: t for t in self.m.of_kind(xp.Typedef)}
        ordered, done = [], set()

        def visit(name):
            if name in done:
                return
            done.add(name)
            target = typedefs[name].decl.type
            if target in typedefs:
                visit(target)
            ordered.append(typedefs[name])

        for name in typedefs:
            visit(name)
        return ordered

    def walk_decls(self, definition):
        """Declarations of ValidateX and SkipX (inline Skip for fixed sizes)."""
        name = definition.name
        size = self.m.type_size(name)
        lines = [doc(f"Validate an untrusted {name} at the reader and move past it "
                     "(false: error in `r`)."),
                 f"bool {fn('Validate', name)}(Reader& r);",
                 doc(f"Return the end of the validated {name} encoded at `p`.")]
        if size is not None:
            lines.append(f"inline const uint8_t* {fn('Skip', name)}(const uint8_t* p) "
                         f"{{ return p + {size}; }}")
        else:
            lines.append(f"const uint8_t* {fn('Skip', name)}(const uint8_t* p);")
        return lines

    def view_class_decl(self, definition):
        """The view class of a struct or union (member declarations only)."""
        cls = view_class(definition.name)
        kind = "struct" if isinstance(definition, xp.Struct) else "union"
        size = self.m.type_size(definition.name) or 0
        lines = [doc(f"Zero-copy view of a validated XDR {kind} {definition.name}."),
                 f"class {cls} : public ViewBase<{cls}> {{", " public:",
                 "  using ViewBase::ViewBase;",
                 doc("Encoded size if fixed, else 0.", "  "),
                 f"  static constexpr size_t kFixedSize = {size};",
                 doc("Return the end of the encoding at `p`.", "  "),
                 "  static const uint8_t* Skip(const uint8_t* p);", ""]
        if isinstance(definition, xp.Struct):
            for field in definition.fields:
                lines.append(doc(f"Return field {field.name}.", "  "))
                lines.append(f"  {self.view_type(field)} {self.accessor(field.name)}() "
                             "const;")
            if self.wants_fields(definition):
                lines.append(doc("Every field, as its accessor returns it (defined once "
                                 "every view class is).", "  "))
                lines.append("  struct Fields;")
                lines.append(doc("Return every field, located in one pass (each accessor "
                                 "skips the fields before its own).", "  "))
                lines.append("  Fields fields() const;")
        else:
            disc = definition.discriminant
            lines.append(doc("Return the discriminant.", "  "))
            lines.append(f"  {self.view_type(disc)} {self.accessor(disc.name)}() const;")
            for arm in self.value_arms(definition):
                cases = ", ".join(str(l) for l in arm.labels) or "default"
                lines.append(doc(f"Return arm {arm.decl.name} ({cases}).", "  "))
                lines.append(f"  {self.view_type(arm.decl)} "
                             f"{self.accessor(arm.decl.name)}() const;")
        lines += ["};", ""]
        return lines

    def value_arms(self, union):
        """Union arms that carry a value (not void), one per arm name."""
        arms, seen = [], {}
        for arm in union.arms:
            if arm.decl.kind == xp.VOID:
                continue
            previous = seen.get(arm.decl.name)
            if previous is not None:
                if self.cpp_type(previous.decl) != self.cpp_type(arm.decl):
                    raise ValueError(f"{union.name}: arms named {arm.decl.name} have "
                                     "different types")
                previous.labels = previous.labels + arm.labels
                continue
            copy = xp.Arm(list(arm.labels), arm.decl)
            seen[arm.decl.name] = copy
            arms.append(copy)
        return arms

    def view_class_defs(self, definition):
        """Inline definitions of a view class's members."""
        cls = view_class(definition.name)
        lines = [f"inline const uint8_t* {cls}::Skip(const uint8_t* p) {{ "
                 f"return {fn('Skip', definition.name)}(p); }}"]
        if isinstance(definition, xp.Struct):
            for index, field in enumerate(definition.fields):
                lines += self.field_accessor(cls, definition.fields[:index], field)
            if self.wants_fields(definition):
                lines += self.fields_accessor(cls, definition)
        else:
            disc = definition.discriminant
            lines.append(f"inline {self.view_type(disc)} {cls}::"
                         f"{self.accessor(disc.name)}() const {{ "
                         f"return {self.load_expr(disc, 'p_')}; }}")
            for arm in self.value_arms(definition):
                lines += self.arm_accessor(cls, definition, arm)
        return lines + [""]

    def offset_code(self, preceding, base):
        """Statements and a pointer expression locating the field after
        ``preceding`` fields from ``base`` (constant-folded when fixed)."""
        statements, offset, ptr = [], 0, base
        for field in preceding:
            size = self.m.decl_size(self.m.expand(field))
            if size is not None:
                offset += size
                continue
            statements.append(f"p = {self.skip_expr(field, ptr, offset)};")
            ptr, offset = "p", 0
        if statements:
            statements[0] = "const uint8_t* " + statements[0]
        return statements, (f"{ptr} + {offset}" if offset else ptr)

    def wants_fields(self, struct):
        """Whether a struct gets fields(): when two or more of its fields vary in size,
        reading several of them through accessors would skip the same bytes again."""
        variable = [f for f in struct.fields
                    if self.m.decl_size(self.m.expand(f)) is None]
        return len(variable) >= 2

    def fields_accessor(self, cls, struct):
        """Inline definition of fields(): each field loaded, then skipped."""
        lines = [f"struct {cls}::Fields {{"]
        lines += [f"  {self.view_type(f)} {self.accessor(f.name)};" for f in struct.fields]
        lines += ["};", f"inline {cls}::Fields {cls}::fields() const {{",
                  "  const uint8_t* p = p_;"]
        names = []
        for index, field in enumerate(struct.fields):
            name = f"f{index}"
            names.append(name)
            lines.append(f"  auto {name} = {self.load_expr(field, 'p')};")
            if index + 1 < len(struct.fields):
                lines.append(f"  p = {self.skip_expr(field, 'p')};")
        lines += [f"  return {{{', '.join(names)}}};", "}"]
        return lines

    def field_accessor(self, cls, preceding, field):
        """Inline definition of one struct field accessor."""
        statements, ptr = self.offset_code(preceding, "p_")
        head = f"inline {self.view_type(field)} {cls}::{self.accessor(field.name)}() const"
        body = f"return {self.load_expr(field, ptr)};"
        if not statements:
            return [f"{head} {{ {body} }}"]
        return [f"{head} {{"] + [f"  {s}" for s in statements] + [f"  {body}", "}"]

    def arm_accessor(self, cls, union, arm):
        """Inline definition of one union arm accessor."""
        head = (f"inline {self.view_type(arm.decl)} {cls}::"
                f"{self.accessor(arm.decl.name)}() const {{")
        lines = [head]
        if arm.labels:
            load = "LoadU32(p_)" if union.discriminant.type == xp.UINT else "LoadI32(p_)"
            checks = " || ".join(f"{load} == {self.label_value(union, l)}"
                                 for l in arm.labels)
            lines.append(f"  ARROW_DCHECK({checks});")
        lines += [f"  return {self.load_expr(arm.decl, 'p_ + 4')};", "}"]
        return lines

    def traits(self, aggregates):
        """XdrTraits specializations, in the runtime namespace."""
        lines = ["", f"namespace {RUNTIME_NS} {{", ""]
        for definition in aggregates:
            name = definition.name
            lines += ["template <>", f"struct XdrTraits<::{self.ns}::{name}> {{",
                      f"  using View = ::{self.ns}::{view_class(name)};",
                      f'  static constexpr const char* kName = "{name}";',
                      "  static bool Validate(Reader& r) { return "
                      f"::{self.ns}::{fn('Validate', name)}(r); }}", "};", ""]
        lines.append(f"}}  // namespace {RUNTIME_NS}")
        return lines

    # ------------------------------------------------------------------------
    # Views .cc chunks

    def views_chunks(self):
        """(type name, code) chunks of the views .cc files."""
        chunks = []
        for name in self.m.names:
            definition = self.m.definition(name)
            if isinstance(definition, xp.Enum):
                code = self.enum_to_string(definition)
            elif isinstance(definition, xp.Struct):
                code = self.struct_validate(definition) + self.struct_skip(definition)
            elif isinstance(definition, xp.UnionDef):
                code = self.union_validate(definition) + self.union_skip(definition)
            else:
                code = self.typedef_validate(definition) + self.typedef_skip(definition)
            chunks.append((name, "\n".join(code) + "\n"))
        return chunks

    def enum_to_string(self, enum):
        """ToString of an enum."""
        name = enum.name
        lines = [f"std::string_view ToString({name} v) {{", "  switch (v) {"]
        for member in self.distinct_members(enum):
            lines += [f"    case {name}::{self.enum_member(member)}:",
                      f'      return "{member}";']
        return lines + ["  }", "  return {};", "}", ""]

    def depth_guard(self, name):
        """(enter, leave) statements for recursive types, else empty lists."""
        if name not in self.m.recursive:
            return [], []
        return ["  if (!r.Enter()) return false;"], ["  r.Leave();"]

    def struct_validate(self, struct):
        """ValidateX of a struct: plain runs of fields become one bounds check."""
        enter, leave = self.depth_guard(struct.name)
        lines = [f"bool {fn('Validate', struct.name)}(Reader& r) {{"] + enter
        run_name, run_size = None, 0
        for field in struct.fields:
            expanded = self.m.expand(field)
            if self.m.is_plain(expanded):
                run_name = run_name or field.name
                run_size += self.m.decl_size(expanded)
                continue
            if run_name:
                lines += field_check(f"r.Skip({run_size})", run_name)
                run_name, run_size = None, 0
            lines += field_check(self.validate_expr(field), field.name)
        if run_name:
            lines += field_check(f"r.Skip({run_size})", run_name)
        return lines + leave + ["  return true;", "}", ""]

    def struct_skip(self, struct):
        """SkipX of a variable-size struct (fixed sizes are inline)."""
        if self.m.type_size(struct.name) is not None:
            return []
        statements, ptr = self.offset_code(struct.fields, "p")
        statements = [s.replace("const uint8_t* ", "", 1) for s in statements]
        return ([f"const uint8_t* {fn('Skip', struct.name)}(const uint8_t* p) {{"] +
                [f"  {s}" for s in statements] + [f"  return {ptr};", "}", ""])

    def read_discriminant(self, union):
        """Statements reading a union's discriminant into `d`."""
        if union.discriminant.type == xp.UINT:
            return ["  uint32_t d = 0;", "  if (!r.ReadU32(&d)) return false;"]
        return ["  int32_t d = 0;", "  if (!r.ReadI32(&d)) return false;"]

    def case_lines(self, union, arm, indent="  "):
        """The case labels of one arm."""
        if not arm.labels:
            return [f"{indent}default:"]
        return [f"{indent}case {self.label_value(union, l)}:{self.label_comment(l)}"
                for l in arm.labels]

    def default_check(self, union):
        """Statements checking an enum discriminant before a default arm."""
        disc = self.m.expand(union.discriminant)
        if union.default_arm is None or not self.m.is_enum(disc.type):
            return []
        return [f"  if (ARROW_PREDICT_FALSE(!IsValid(static_cast<{disc.type}>(d)))) {{",
                f'    return r.FailEnum(d, "{disc.type}");',
                "  }"]

    def unknown_arm(self, union):
        """The default case rejecting unknown discriminants (if no default arm)."""
        if union.default_arm is not None:
            return []
        return ["    default:",
                "      return r.FailDiscriminant(d);"]

    def union_validate(self, union):
        """ValidateX of a union: check the discriminant, validate the arm."""
        enter, leave = self.depth_guard(union.name)
        lines = [f"bool {fn('Validate', union.name)}(Reader& r) {{"] + enter
        lines += self.read_discriminant(union) + self.default_check(union)
        lines.append("  switch (d) {")
        for arm in union.arms:
            lines += self.case_lines(union, arm, "    ")
            if arm.decl.kind != xp.VOID:
                lines += field_check(self.validate_expr(arm.decl), arm.decl.name,
                                     "      ")
            lines.append("      break;")
        lines += self.unknown_arm(union) + ["  }"]
        return lines + leave + ["  return true;", "}", ""]

    def union_skip(self, union):
        """SkipX of a variable-size union."""
        if self.m.type_size(union.name) is not None:
            return []
        load = "LoadU32(p)" if union.discriminant.type == xp.UINT else "LoadI32(p)"
        lines = [f"const uint8_t* {fn('Skip', union.name)}(const uint8_t* p) {{",
                 f"  switch ({load}) {{"]
        for arm in union.arms:
            if arm.decl.kind == xp.VOID or not arm.labels:
                continue
            lines += self.case_lines(union, arm, "    ")
            lines.append(f"      return {self.skip_expr(arm.decl, 'p', 4)};")
        default = union.default_arm
        tail = "p + 4" if default is None or default.decl.kind == xp.VOID \
            else self.skip_expr(default.decl, "p", 4)
        return lines + ["    default:", f"      return {tail};", "  }", "}", ""]

    def typedef_validate(self, typedef):
        """ValidateX of a typedef."""
        return [f"bool {fn('Validate', typedef.name)}(Reader& r) {{",
                f"  return {self.validate_expr(typedef.decl)};", "}", ""]

    def typedef_skip(self, typedef):
        """SkipX of a variable-size typedef."""
        if self.m.type_size(typedef.name) is not None:
            return []
        return [f"const uint8_t* {fn('Skip', typedef.name)}(const uint8_t* p) {{",
                f"  return {self.skip_expr(typedef.decl, 'p')};", "}", ""]

    # ------------------------------------------------------------------------
    # Types header

    def types_header(self):
        """Text of <prefix>_types.h."""
        lines = self.banner("Owning XDR types with Decode and Encode.")
        lines += ["#pragma once", "", "#include <array>", "#include <cstdint>",
                  "#include <string>", "#include <vector>", "",
                  f'#include "{self.prefix}_views.h"', '#include "xdr/runtime.h"', ""]
        lines += self.open_ns()
        aggregates = self.aggregates()
        for definition in self.definition_order():
            if isinstance(definition, xp.Typedef):
                lines.append(doc(f"XDR typedef {definition.name}."))
                lines.append(f"using {definition.name} = "
                             f"{self.cpp_type(definition.decl)};")
            elif isinstance(definition, xp.Struct):
                lines += self.struct_def(definition)
            else:
                lines += self.union_def(definition)
        lines.append("")
        for enum in self.m.of_kind(xp.Enum):
            lines += self.enum_codec_fns(enum)
        for definition in aggregates + self.m.of_kind(xp.Typedef):
            lines += self.codec_decls(definition)
        lines += self.close_ns()
        return "\n".join(lines) + "\n"

    def definition_order(self):
        """Structs, unions and typedefs ordered so that every type a definition
        holds by value (directly or in std::array) comes first."""
        pending = [self.m.definition(n) for n in self.m.names
                   if not self.m.is_enum(n)]
        ordered, done, active = [], set(), set()

        def visit(definition):
            if definition.name in done:
                return
            if definition.name in active:
                raise ValueError(f"{definition.name} contains itself by value")
            active.add(definition.name)
            for dep in self.value_dependencies(definition):
                visit(self.m.definition(dep))
            active.discard(definition.name)
            done.add(definition.name)
            ordered.append(definition)

        for definition in pending:
            visit(definition)
        return ordered

    def value_dependencies(self, definition):
        """Types that must be defined before ``definition``: typedefs it names
        and structs/unions it holds by value."""
        deps = []
        for decl in xp.declarations(definition):
            name = decl.type
            if name is None or name in PRIMITIVE_CPP or self.m.is_enum(name):
                continue
            by_value = decl.kind in (xp.SCALAR, xp.FIXED_ARRAY)
            if by_value or isinstance(self.m.definition(name), xp.Typedef):
                deps.append(name)
        return deps

    def default_init(self, decl):
        """Default member initializer making a default value valid XDR."""
        expanded = self.m.expand(decl)
        if expanded.kind == xp.SCALAR:
            if self.m.is_enum(expanded.type):
                first = self.m.definition(expanded.type).members[0][0]
                return f" = {expanded.type}::{self.enum_member(first)}"
            if expanded.type in PRIMITIVE_CPP:
                return "{}"
            return ""
        return "{}" if expanded.kind in (xp.FIXED_OPAQUE, xp.FIXED_ARRAY) else ""

    def struct_def(self, struct):
        """Owning struct of an XDR struct."""
        lines = [doc(f"XDR struct {struct.name}."), f"struct {struct.name} {{"]
        for field in struct.fields:
            lines.append(f"  {self.cpp_type(field)} {self.member(field.name)}"
                         f"{self.default_init(field)};")
        lines += ["", doc("Compare all fields.", "  "),
                  f"  bool operator==(const {struct.name}&) const = default;", "};", ""]
        return lines

    def union_def(self, union):
        """Owning struct of an XDR union: the discriminant and one member per arm
        (an ``Arm<T>`` for the lazy ones)."""
        disc = union.discriminant
        lines = [doc(f"XDR union {union.name}: `{self.member(disc.name)}` selects the "
                     "member that is encoded."),
                 f"struct {union.name} {{",
                 f"  {self.cpp_type(disc)} {self.member(disc.name)} = "
                 f"{self.default_discriminant(union)};"]
        for arm in self.value_arms(union):
            cases = ", ".join(str(l) for l in arm.labels) or "default"
            if self.is_lazy_arm(arm.decl):
                lines.append(f"  Arm<{self.cpp_type(arm.decl)}> "
                             f"{self.member(arm.decl.name)};  // {cases}")
            else:
                lines.append(f"  {self.cpp_type(arm.decl)} {self.member(arm.decl.name)}"
                             f"{self.default_init(arm.decl)};  // {cases}")
        lines += ["", doc("Compare the discriminant and all members.", "  "),
                  f"  bool operator==(const {union.name}&) const = default;", "};", ""]
        return lines

    def default_discriminant(self, union):
        """Initializer of the discriminant: the first case label."""
        label = union.arms[0].labels[0] if union.arms[0].labels else 0
        disc = self.m.expand(union.discriminant)
        if self.m.is_enum(disc.type):
            if isinstance(label, str) and label in self.m.spec.enum_values():
                return f"{disc.type}::{self.enum_member(label)}"
            return f"static_cast<{disc.type}>({self.m.resolve(label)})"
        if disc.type == xp.BOOL:
            return "true" if self.m.resolve(label) else "false"
        return str(self.m.resolve(label))

    def enum_codec_fns(self, enum):
        """Inline DecodeX / EncodeX and the Decode / Encode overloads of an enum."""
        name = enum.name
        return [doc(f"Decode a {name} value (false: error in `r`)."),
                f"inline bool {fn('Decode', name)}(Reader& r, {name}* out) {{",
                f'  return DecodeEnum(r, out, "{name}");', "}",
                doc(f"Encode a {name} value."),
                f"inline void {fn('Encode', name)}({name} v, Writer& w) "
                "{ w.PutI32(static_cast<int32_t>(v)); }",
                doc(f"Decode a {name} value."),
                f"inline arrow::Status Decode(Reader& r, {name}* out) {{",
                f"  return {fn('Decode', name)}(r, out) ? arrow::Status::OK() : r.status();",
                "}",
                doc(f"Encode a {name} value."),
                f"inline void Encode({name} v, Writer& w) {{ {fn('Encode', name)}(v, w); }}",
                ""]

    def codec_decls(self, definition):
        """Declarations of DecodeX / EncodeX, plus Decode / Encode overloads for
        structs and unions."""
        name = definition.name
        lines = [doc(f"Decode a {name}, checking it like Validate{cap(name)} "
                     "(false: error in `r`)."),
                 f"bool {fn('Decode', name)}(Reader& r, {name}* out);",
                 doc(f"Append the encoding of a {name}."),
                 f"void {fn('Encode', name)}(const {name}& v, Writer& w);"]
        if not isinstance(definition, xp.Typedef):
            lines += [doc(f"Decode a {name}; the error names the path and offset."),
                      f"inline arrow::Status Decode(Reader& r, {name}* out) {{",
                      f"  return {fn('Decode', name)}(r, out) ? arrow::Status::OK() : "
                      "r.status();", "}",
                      doc(f"Append the encoding of a {name}."),
                      f"inline void Encode(const {name}& v, Writer& w) "
                      f"{{ {fn('Encode', name)}(v, w); }}"]
        return lines + [""]

    # ------------------------------------------------------------------------
    # Types .cc chunks

    def types_chunks(self):
        """(type name, code) chunks of the types .cc files."""
        chunks = []
        for name in self.m.names:
            definition = self.m.definition(name)
            if isinstance(definition, xp.Struct):
                code = self.struct_decode(definition) + self.struct_encode(definition)
            elif isinstance(definition, xp.UnionDef):
                code = self.union_decode(definition) + self.union_encode(definition)
            elif isinstance(definition, xp.Typedef):
                code = self.typedef_decode(definition) + self.typedef_encode(definition)
            else:
                continue
            chunks.append((name, "\n".join(code) + "\n"))
        return chunks

    def struct_decode(self, struct):
        """DecodeX of a struct."""
        enter, leave = self.depth_guard(struct.name)
        lines = [f"bool {fn('Decode', struct.name)}(Reader& r, "
                 f"{struct.name}* out) {{"] + enter
        for field in struct.fields:
            target = f"&out->{self.member(field.name)}"
            lines += field_check(self.decode_expr(field, target), field.name)
        return lines + leave + ["  return true;", "}", ""]

    def struct_encode(self, struct):
        """EncodeX of a struct."""
        lines = [f"void {fn('Encode', struct.name)}(const {struct.name}& v, Writer& w) {{"]
        for field in struct.fields:
            lines.append("  " + self.encode_stmt(field, f"v.{self.member(field.name)}"))
        return lines + ["}", ""]

    def store_discriminant(self, union):
        """Statement storing the raw discriminant `d` into the owning union."""
        disc = self.m.expand(union.discriminant)
        member = f"out->{self.member(union.discriminant.name)}"
        if self.m.is_enum(disc.type):
            return f"  {member} = static_cast<{disc.type}>(d);"
        if disc.type == xp.BOOL:
            return f"  {member} = d != 0;"
        return f"  {member} = d;"

    def union_decode(self, union):
        """DecodeX of a union."""
        enter, leave = self.depth_guard(union.name)
        lines = [f"bool {fn('Decode', union.name)}(Reader& r, "
                 f"{union.name}* out) {{"] + enter
        lines += self.read_discriminant(union) + self.default_check(union)
        lines += [self.store_discriminant(union), "  switch (d) {"]
        for arm in union.arms:
            lines += self.case_lines(union, arm, "    ")
            if arm.decl.kind != xp.VOID:
                target = f"&{self.arm_member(arm, 'out->')}"
                lines += field_check(self.decode_expr(arm.decl, target), arm.decl.name,
                                     "      ")
            lines.append("      break;")
        lines += self.unknown_arm(union) + ["  }"]
        return lines + leave + ["  return true;", "}", ""]

    def union_encode(self, union):
        """EncodeX of a union (an unknown discriminant encodes no arm)."""
        disc = self.m.expand(union.discriminant)
        raw = "uint32_t" if disc.type == xp.UINT else "int32_t"
        member = f"v.{self.member(union.discriminant.name)}"
        lines = [f"void {fn('Encode', union.name)}(const {union.name}& v, Writer& w) {{",
                 f"  const {raw} d = static_cast<{raw}>({member});",
                 "  w.PutU32(static_cast<uint32_t>(d));", "  switch (d) {"]
        for arm in union.arms:
            lines += self.case_lines(union, arm, "    ")
            if arm.decl.kind != xp.VOID:
                value = self.arm_member(arm, "v.")
                lines.append("      " + self.encode_stmt(arm.decl, value))
            lines.append("      break;")
        if union.default_arm is None:
            lines += ["    default:", "      break;"]
        return lines + ["  }", "}", ""]

    def typedef_decode(self, typedef):
        """DecodeX of a typedef."""
        return [f"bool {fn('Decode', typedef.name)}(Reader& r, "
                f"{typedef.name}* out) {{",
                f"  return {self.decode_expr(typedef.decl, 'out')};", "}", ""]

    def typedef_encode(self, typedef):
        """EncodeX of a typedef."""
        return [f"void {fn('Encode', typedef.name)}(const {typedef.name}& v, Writer& w) {{",
                "  " + self.encode_stmt(typedef.decl, "v"), "}", ""]


# ----------------------------------------------------------------------------
# Splitting .cc files

def split_chunks(chunks, parts):
    """Distribute (name, code) chunks over ``parts`` lists, each chunk to the
    part with the fewest lines so far (ties to the lowest index)."""
    buckets = [[] for _ in range(parts)]
    sizes = [0] * parts
    for name, code in chunks:
        index = sizes.index(min(sizes))
        buckets[index].append(code)
        sizes[index] += code.count("\n")
    return buckets


def cc_file(emitter, header, what, codes):
    """Text of one generated .cc part."""
    lines = emitter.banner(what)
    lines += [f'#include "{header}"', "", "#include <cstdint>", "#include <string_view>",
              "", '#include "xdr/runtime_internal.h"', "",
              f"namespace {INTERNAL} = ::{RUNTIME_NS}::internal;", ""]
    lines += emitter.open_ns()
    text = "\n".join(lines) + "\n" + "".join(codes)
    return text + "\n".join(emitter.close_ns()[1:]) + "\n"


def output_names(prefix, parts):
    """Names of the generated files, in a fixed order."""
    names = [f"{prefix}_views.h", f"{prefix}_types.h"]
    names += [f"{prefix}_views_{i}.cc" for i in range(parts)]
    names += [f"{prefix}_types_{i}.cc" for i in range(parts)]
    return names


def render(model, namespace, prefix, parts, input_name):
    """Map each output file name to its content."""
    emitter = Emitter(model, namespace, prefix, input_name)
    out = emitter.generate()
    files = {f"{prefix}_views.h": out.views_header, f"{prefix}_types.h": out.types_header}
    for kind, chunks, what in (("views", out.views_chunks, "ToString, Validate and Skip."),
                               ("types", out.types_chunks, "Decode and Encode.")):
        header = f"{prefix}_{kind}.h"
        for index, codes in enumerate(split_chunks(chunks, parts)):
            files[f"{prefix}_{kind}_{index}.cc"] = cc_file(
                emitter, header, f"{what} Part {index + 1} of {parts}.", codes)
    return files
