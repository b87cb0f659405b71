"""Tokenizer and recursive-descent parser for the XDR language (RFC 4506).

``parse(text)`` turns XDR definitions into a ``Spec`` of plain dataclasses:
constants, enums, structs, unions and typedefs.  Anonymous structs, unions
and enums nested inside struct fields and union arms are hoisted to named
top-level definitions, named like stellar-sdk and Stellar's xdrgen do: the
enclosing definition's name plus the capitalized field name (``Transaction``
field ``ext`` becomes ``TransactionExt``).  A nested union passes its own
prefix on to its arms, so an anonymous struct in arm ``v1`` of
``ContractCodeEntry.ext`` is ``ContractCodeEntryV1``.

Beyond RFC 4506 the parser accepts what Stellar's ``.x`` files contain:
``//`` comments, ``%`` pass-through lines and ``namespace NAME { ... }``.
"""

import dataclasses
import re
from typing import Optional, Union

# Declaration kinds.
VOID = "void"
SCALAR = "scalar"
OPTIONAL = "optional"
FIXED_ARRAY = "fixed_array"
VAR_ARRAY = "var_array"
FIXED_OPAQUE = "fixed_opaque"
VAR_OPAQUE = "var_opaque"
STRING = "string"

# Canonical names of the built-in types.
INT = "int"
UINT = "unsigned int"
HYPER = "hyper"
UHYPER = "unsigned hyper"
BOOL = "bool"
PRIMITIVES = (INT, UINT, HYPER, UHYPER, BOOL)
UNSUPPORTED_TYPES = ("float", "double", "quadruple")

# Stellar's integer aliases, known as built-ins when a definitions file uses
# them without defining them.
BUILTIN_ALIASES = {"int32": INT, "uint32": UINT, "int64": HYPER, "uint64": UHYPER}

# RFC 4506 defines bool as enum { FALSE = 0, TRUE = 1 }.
BOOL_CONSTANTS = {"FALSE": 0, "TRUE": 1}

KEYWORDS = frozenset([
    "bool", "case", "const", "default", "double", "quadruple", "enum", "float",
    "hyper", "int", "opaque", "string", "struct", "switch", "typedef", "union",
    "unsigned", "void",
])

Value = Union[int, str]  # a number, or the name of a constant or enum value


class XdrSyntaxError(Exception):
    """A parse error, located by line and column (both 1-based)."""

    def __init__(self, message, line, column, filename=None):
        location = f"{line}:{column}"
        if filename:
            location = f"{filename}:{location}"
        super().__init__(f"{location}: {message}")
        self.line = line
        self.column = column


class XdrSemanticError(ValueError):
    """A reference to an undefined name, or a name defined twice."""

    def __init__(self, message, line, filename=None):
        location = f"{line}"
        if filename:
            location = f"{filename}:{location}"
        super().__init__(f"{location}: {message}")
        self.line = line


@dataclasses.dataclass(frozen=True)
class Token:
    """One token: kind is 'ident', 'number', 'punct' or 'eof'."""
    kind: str
    text: str
    line: int
    column: int


@dataclasses.dataclass
class Decl:
    """A declaration: a struct field, a union arm or discriminant, a typedef.

    ``type`` is a primitive's canonical name or a defined type's name (None
    for void, opaque and string).  ``bound`` is the array / opaque / string
    size, as a number or constant name; None means unbounded (``<>``).
    ``inline`` holds an anonymous nested definition until it is hoisted.
    """
    name: Optional[str]
    kind: str
    type: Optional[str] = None
    bound: Optional[Value] = None
    line: int = 0
    inline: Optional["Definition"] = None


@dataclasses.dataclass
class Const:
    """``const NAME = value;``"""
    name: str
    value: Value
    line: int = 0


@dataclasses.dataclass
class Enum:
    """``enum NAME { A = 0, B = 1 };`` with members in declaration order."""
    name: str
    members: list  # of (name, Value)
    parent: Optional[str] = None
    line: int = 0


@dataclasses.dataclass
class Struct:
    """``struct NAME { fields };``"""
    name: str
    fields: list  # of Decl
    parent: Optional[str] = None
    line: int = 0


@dataclasses.dataclass
class Arm:
    """A union arm: its case labels (empty for the default arm) and body."""
    labels: list  # of Value
    decl: Decl


@dataclasses.dataclass
class UnionDef:
    """``union NAME switch (discriminant) { arms };``"""
    name: str
    discriminant: Decl
    arms: list  # of Arm, the default arm (if any) last
    parent: Optional[str] = None
    line: int = 0

    @property
    def default_arm(self):
        """The default arm, or None."""
        if self.arms and not self.arms[-1].labels:
            return self.arms[-1]
        return None


@dataclasses.dataclass
class Typedef:
    """``typedef declaration;``, naming the declaration's type."""
    name: str
    decl: Decl
    line: int = 0


Definition = Union[Enum, Struct, UnionDef, Typedef]


@dataclasses.dataclass
class Spec:
    """All definitions of one XDR text, hoisted nested ones included."""
    consts: dict  # name -> Const
    types: dict  # name -> Definition, in source order (nested after parent)
    filename: Optional[str] = None

    def enum_values(self):
        """Map every enum member name to its (enum name, value)."""
        values = {}
        for definition in self.types.values():
            if isinstance(definition, Enum):
                for member, value in definition.members:
                    values[member] = (definition.name, value)
        return values

    def resolve(self, value, _seen=()):
        """Resolve a Value (number, constant or enum member) to an int."""
        if isinstance(value, int):
            return value
        if value in _seen:
            raise ValueError(f"constant {value} is defined in terms of itself")
        if value in self.consts:
            return self.resolve(self.consts[value].value, _seen + (value,))
        members = self.enum_values()
        if value in members:
            return self.resolve(members[value][1], _seen + (value,))
        if value in BOOL_CONSTANTS:
            return BOOL_CONSTANTS[value]
        raise ValueError(f"unknown constant {value}")


# --------------------------------------------------------------------------
# Tokenizer

_TOKEN_RE = re.compile(r"""
    (?P<space>[ \t\r\f\v]+)
  | (?P<newline>\n)
  | (?P<line_comment>//[^\n]*)
  | (?P<block_comment>/\*.*?\*/)
  | (?P<passthrough>%[^\n]*)
  | (?P<number>-?(?:0[xX][0-9a-fA-F]+|[0-9]+))
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>[{}()\[\]<>;:,=*])
""", re.VERBOSE | re.DOTALL)


def tokenize(text, filename=None):
    """Split XDR text into tokens, dropping whitespace and comments."""
    tokens = []
    line, line_start, pos = 1, 0, 0
    while pos < len(text):
        match = _TOKEN_RE.match(text, pos)
        column = pos - line_start + 1
        if match is None:
            if text.startswith("/*", pos):
                raise XdrSyntaxError("unterminated comment", line, column, filename)
            raise XdrSyntaxError(f"unexpected character {text[pos]!r}", line, column,
                                 filename)
        kind = match.lastgroup
        lexeme = match.group()
        if kind in ("number", "ident", "punct"):
            tokens.append(Token(kind, lexeme, line, column))
        newlines = lexeme.count("\n")
        if newlines:
            line += newlines
            line_start = match.start() + lexeme.rindex("\n") + 1
        pos = match.end()
    tokens.append(Token("eof", "", line, pos - line_start + 1))
    return tokens


def parse_number(text):
    """Parse a decimal, hexadecimal (0x) or octal (leading 0) literal."""
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("-")
    if digits[:2] in ("0x", "0X"):
        return sign * int(digits, 16)
    if len(digits) > 1 and digits.startswith("0"):
        return sign * int(digits, 8)
    return sign * int(digits)


# --------------------------------------------------------------------------
# Parser

class Parser:
    """Recursive-descent parser over the token list of one XDR text."""

    def __init__(self, text, filename=None):
        self.filename = filename
        self.tokens = tokenize(text, filename)
        self.pos = 0

    # Token helpers.

    def peek(self, offset=0):
        """Return the token ``offset`` places ahead without consuming it."""
        return self.tokens[min(self.pos + offset, len(self.tokens) - 1)]

    def advance(self):
        """Consume and return the current token."""
        token = self.peek()
        self.pos += 1
        return token

    def at(self, text):
        """Whether the current token is the keyword or punctuation ``text``."""
        token = self.peek()
        return token.kind in ("ident", "punct") and token.text == text

    def accept(self, text):
        """Consume the current token if it is ``text``; return whether it was."""
        if self.at(text):
            self.advance()
            return True
        return False

    def error(self, expected, token=None):
        """Build an 'expected X, found Y' error at ``token``."""
        token = token or self.peek()
        found = "end of input" if token.kind == "eof" else repr(token.text)
        return XdrSyntaxError(f"expected {expected}, found {found}", token.line,
                              token.column, self.filename)

    def expect(self, text):
        """Consume ``text`` or raise a syntax error."""
        if not self.accept(text):
            raise self.error(repr(text))

    def identifier(self, what="identifier"):
        """Consume a non-keyword identifier and return its text."""
        token = self.peek()
        if token.kind != "ident" or token.text in KEYWORDS:
            raise self.error(what)
        return self.advance().text

    def value(self):
        """Consume a constant value: a number or an identifier."""
        token = self.peek()
        if token.kind == "number":
            return parse_number(self.advance().text)
        if token.kind == "ident" and token.text not in KEYWORDS:
            return self.advance().text
        raise self.error("a number or constant name")

    # Grammar.

    def specification(self):
        """specification: definition* EOF, returning (consts, types)."""
        consts, types = {}, []
        self.definitions(consts, types, closing=None)
        return consts, types

    def definitions(self, consts, types, closing):
        """Parse definitions until ``closing`` punctuation or end of input."""
        while True:
            token = self.peek()
            if closing is None and token.kind == "eof":
                return
            if closing is not None and self.at(closing):
                return
            if self.accept("namespace"):
                self.identifier("namespace name")
                self.expect("{")
                self.definitions(consts, types, closing="}")
                self.expect("}")
                self.accept(";")
                continue
            definition = self.definition()
            if isinstance(definition, Const):
                consts[definition.name] = definition
            else:
                types.append(definition)

    def definition(self):
        """definition: const / enum / struct / union / typedef."""
        token = self.peek()
        if self.accept("const"):
            name = self.identifier("constant name")
            self.expect("=")
            result = Const(name, self.value())
        elif self.accept("enum"):
            result = Enum(self.identifier("enum name"), self.enum_body())
        elif self.accept("struct"):
            result = Struct(self.identifier("struct name"), self.struct_body())
        elif self.accept("union"):
            name = self.identifier("union name")
            discriminant, arms = self.union_body()
            result = UnionDef(name, discriminant, arms)
        elif self.accept("typedef"):
            decl = self.declaration()
            if decl.kind == VOID:
                raise self.error("a typedef declaration", token)
            result = Typedef(decl.name, decl)
        else:
            raise self.error("'const', 'enum', 'struct', 'union' or 'typedef'")
        self.expect(";")
        result.line = token.line
        return result

    def enum_body(self):
        """enum-body: '{' NAME '=' value (',' NAME '=' value)* '}'."""
        self.expect("{")
        members = []
        while True:
            name = self.identifier("enum member name")
            self.expect("=")
            members.append((name, self.value()))
            if not self.accept(","):
                break
            if self.at("}"):  # tolerate a trailing comma
                break
        self.expect("}")
        return members

    def struct_body(self):
        """struct-body: '{' (declaration ';')+ '}'."""
        self.expect("{")
        fields = []
        while not self.at("}"):
            decl = self.declaration()
            if decl.kind == VOID:
                raise self.error("a struct field")
            fields.append(decl)
            self.expect(";")
        if not fields:
            raise self.error("a struct field")
        self.expect("}")
        return fields

    def union_body(self):
        """union-body: 'switch' '(' declaration ')' '{' case-spec+ [default] '}'."""
        self.expect("switch")
        self.expect("(")
        discriminant = self.declaration()
        if discriminant.kind != SCALAR:
            raise self.error("a scalar discriminant declaration")
        self.expect(")")
        self.expect("{")
        arms = []
        while self.at("case"):
            labels = []
            while self.accept("case"):
                labels.append(self.value())
                self.expect(":")
            arms.append(Arm(labels, self.declaration()))
            self.expect(";")
        if not arms:
            raise self.error("'case'")
        if self.accept("default"):
            self.expect(":")
            arms.append(Arm([], self.declaration()))
            self.expect(";")
        self.expect("}")
        return discriminant, arms

    def declaration(self):
        """declaration: void / opaque / string / type [*] NAME [dimension]."""
        line = self.peek().line
        if self.accept("void"):
            return Decl(None, VOID, line=line)
        if self.accept("opaque"):
            name = self.identifier("field name")
            if self.accept("["):
                bound = self.value()
                self.expect("]")
                return Decl(name, FIXED_OPAQUE, bound=bound, line=line)
            if not self.at("<"):
                raise self.error("'[' or '<' after opaque field name")
            return Decl(name, VAR_OPAQUE, bound=self.var_bound(), line=line)
        if self.accept("string"):
            name = self.identifier("field name")
            if not self.at("<"):
                raise self.error("'<' after string field name")
            return Decl(name, STRING, bound=self.var_bound(), line=line)
        type_name, inline = self.type_specifier()
        if self.accept("*"):
            name = self.identifier("field name")
            return Decl(name, OPTIONAL, type_name, line=line, inline=inline)
        name = self.identifier("field name")
        if self.accept("["):
            bound = self.value()
            self.expect("]")
            return Decl(name, FIXED_ARRAY, type_name, bound, line=line, inline=inline)
        if self.at("<"):
            return Decl(name, VAR_ARRAY, type_name, self.var_bound(), line=line,
                        inline=inline)
        return Decl(name, SCALAR, type_name, line=line, inline=inline)

    def var_bound(self):
        """'<' [value] '>', returning the bound or None when unbounded."""
        self.expect("<")
        if self.accept(">"):
            return None
        bound = self.value()
        self.expect(">")
        return bound

    def type_specifier(self):
        """Return (type name, inline anonymous definition or None)."""
        token = self.peek()
        if self.accept("unsigned"):
            if self.accept("hyper"):
                return UHYPER, None
            self.accept("int")
            return UINT, None
        for name in (INT, HYPER, BOOL):
            if self.accept(name):
                return name, None
        if token.text in UNSUPPORTED_TYPES and token.kind == "ident":
            raise XdrSyntaxError(f"type '{token.text}' is not supported", token.line,
                                 token.column, self.filename)
        if self.accept("enum"):
            return None, Enum("", self.enum_body(), line=token.line)
        if self.accept("struct"):
            return None, Struct("", self.struct_body(), line=token.line)
        if self.accept("union"):
            discriminant, arms = self.union_body()
            return None, UnionDef("", discriminant, arms, line=token.line)
        if token.kind == "ident" and token.text not in KEYWORDS:
            return self.advance().text, None
        raise self.error("a type")


# --------------------------------------------------------------------------
# Hoisting nested anonymous definitions

def camelize(name):
    """Capitalize a field name the way xdrgen does: ``fromAddress`` ->
    ``FromAddress``, ``wasm_hash`` -> ``WasmHash``."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def _child_decls(definition):
    """The declarations inside a struct or union that may hold inline types."""
    if isinstance(definition, Struct):
        return definition.fields
    if isinstance(definition, UnionDef):
        return [arm.decl for arm in definition.arms]
    return []


def _hoist_children(definition, prefix, out):
    """Hoist the inline definitions of ``definition``'s declarations."""
    for decl in _child_decls(definition):
        if decl.inline is None:
            continue
        nested = decl.inline
        nested.name = prefix + camelize(decl.name)
        nested.parent = definition.name
        decl.type, decl.inline = nested.name, None
        out.append(nested)
        # A nested union is transparent for naming: its arms keep the prefix.
        child_prefix = prefix if isinstance(nested, UnionDef) else nested.name
        _hoist_children(nested, child_prefix, out)


def hoist_nested(definitions):
    """Return the definitions with every nested one named and hoisted after
    its top-level parent."""
    out = []
    for definition in definitions:
        out.append(definition)
        _hoist_children(definition, definition.name, out)
    return out


# --------------------------------------------------------------------------
# Entry points

def parse(text, filename=None):
    """Parse XDR text into a Spec, nested definitions hoisted and checked.

    Raises XdrSyntaxError (located by line:column) for syntax errors and
    XdrSemanticError (located by line) for undefined or duplicate names.
    """
    consts, definitions = Parser(text, filename).specification()
    types = {}
    for definition in hoist_nested(definitions):
        if definition.name in types or definition.name in consts:
            raise XdrSemanticError(f"{definition.name} is defined twice",
                                   definition.line, filename)
        types[definition.name] = definition
    spec = Spec(consts, types, filename)
    add_builtin_aliases(spec)
    check(spec)
    return spec


def add_builtin_aliases(spec):
    """Define int32/uint32/int64/uint64 when used but not defined."""
    for alias, primitive in BUILTIN_ALIASES.items():
        if alias not in spec.types and alias in referenced_types(spec):
            spec.types[alias] = Typedef(alias, Decl(alias, SCALAR, primitive))


def referenced_types(spec):
    """The set of type names that declarations refer to."""
    names = set()
    for definition in spec.types.values():
        for decl in declarations(definition):
            if decl.type is not None:
                names.add(decl.type)
    return names


def declarations(definition):
    """Every declaration directly inside a definition."""
    if isinstance(definition, Typedef):
        return [definition.decl]
    if isinstance(definition, UnionDef):
        return [definition.discriminant] + [arm.decl for arm in definition.arms]
    if isinstance(definition, Struct):
        return list(definition.fields)
    return []


def check(spec):
    """Check names: referenced types, bounds and case labels must resolve."""
    for definition in spec.types.values():
        where = definition.name
        for decl in declarations(definition):
            if decl.type is not None and decl.type not in PRIMITIVES \
                    and decl.type not in spec.types:
                raise XdrSemanticError(f"{where}.{decl.name}: unknown type {decl.type}",
                                       decl.line, spec.filename)
            if decl.bound is not None:
                _resolve_or_raise(spec, decl.bound, f"{where}.{decl.name}", decl.line)
        if isinstance(definition, Enum):
            for member, value in definition.members:
                _resolve_or_raise(spec, value, f"{where}.{member}", definition.line)
        if isinstance(definition, UnionDef):
            for arm in definition.arms:
                for label in arm.labels:
                    _resolve_or_raise(spec, label, f"{where} case {label}",
                                      arm.decl.line)
    for const in spec.consts.values():
        _resolve_or_raise(spec, const.value, const.name, const.line)


def _resolve_or_raise(spec, value, where, line):
    """Resolve a value, naming ``where`` and ``line`` if it does not resolve."""
    try:
        return spec.resolve(value)
    except ValueError as err:
        raise XdrSemanticError(f"{where}: {err}", line, spec.filename) from None
