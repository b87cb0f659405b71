"""Semantic model of parsed XDR definitions, as the C++ emitter needs it.

``Model`` keeps the definitions reachable from a set of root types and answers
the questions code generation asks about them: which definitions a type
depends on, which types are recursive, a declaration's fixed encoded size (if
any), its minimal size, and whether it needs any check besides its size.
"""

import dataclasses

import xdr_parser as xp

# Encoded size of each primitive.
PRIMITIVE_SIZES = {xp.INT: 4, xp.UINT: 4, xp.HYPER: 8, xp.UHYPER: 8, xp.BOOL: 4}


def pad4(n):
    """Round ``n`` up to a multiple of four."""
    return (n + 3) & ~3


class Model:
    """The definitions reachable from ``roots``, with derived properties."""

    def __init__(self, spec, roots):
        self.spec = spec
        missing = [root for root in roots if root not in spec.types]
        if missing:
            raise ValueError(f"unknown root type(s): {', '.join(missing)}")
        self.names = reachable(spec, roots)
        self.recursive = recursive_types(spec, self.names)
        self._size_cache = {}
        self._min_cache = {}

    # Lookups.

    def definition(self, name):
        """Return the definition of a type name (None for primitives)."""
        return self.spec.types.get(name)

    def of_kind(self, cls):
        """Reachable definitions of one class, in source order."""
        return [self.spec.types[n] for n in self.names
                if isinstance(self.spec.types[n], cls)]

    def resolve(self, value):
        """Resolve a number, constant or enum member to an int."""
        return self.spec.resolve(value)

    def is_primitive(self, type_name):
        """Whether a type name is a built-in primitive."""
        return type_name in PRIMITIVE_SIZES

    def is_enum(self, type_name):
        """Whether a type name names an enum."""
        return isinstance(self.definition(type_name), xp.Enum)

    def is_aggregate(self, type_name):
        """Whether a type name names a struct or union (a generated class)."""
        return isinstance(self.definition(type_name), (xp.Struct, xp.UnionDef))

    # Typedef resolution.

    def expand(self, decl):
        """Replace a scalar declaration of a typedef'd type by the typedef's own
        declaration (recursively), keeping the field name."""
        while decl.kind == xp.SCALAR and isinstance(self.definition(decl.type),
                                                    xp.Typedef):
            inner = self.definition(decl.type).decl
            decl = dataclasses.replace(inner, name=decl.name)
        return decl

    def element_type(self, type_name):
        """Resolve scalar typedef aliases of an element type: the primitive,
        enum, struct, union or non-scalar typedef name it stands for."""
        definition = self.definition(type_name)
        while isinstance(definition, xp.Typedef) and definition.decl.kind == xp.SCALAR:
            type_name = definition.decl.type
            definition = self.definition(type_name)
        return type_name

    # Sizes.

    def type_size(self, type_name):
        """Fixed encoded size of a named type, or None if it varies."""
        if type_name in PRIMITIVE_SIZES:
            return PRIMITIVE_SIZES[type_name]
        if type_name not in self._size_cache:
            self._size_cache[type_name] = None  # guards recursion
            self._size_cache[type_name] = self._compute_type_size(type_name)
        return self._size_cache[type_name]

    def _compute_type_size(self, type_name):
        """Compute type_size() without the cache."""
        definition = self.definition(type_name)
        if isinstance(definition, xp.Enum):
            return 4
        if isinstance(definition, xp.Typedef):
            return self.decl_size(definition.decl)
        if isinstance(definition, xp.Struct):
            sizes = [self.decl_size(f) for f in definition.fields]
            return None if None in sizes else sum(sizes)
        arm_sizes = {self.decl_size(arm.decl) for arm in definition.arms}
        if len(arm_sizes) != 1 or None in arm_sizes:
            return None
        return 4 + arm_sizes.pop()

    def decl_size(self, decl):
        """Fixed encoded size of a declaration, or None if it varies."""
        if decl.kind == xp.VOID:
            return 0
        if decl.kind == xp.SCALAR:
            return self.type_size(decl.type)
        if decl.kind == xp.FIXED_OPAQUE:
            return pad4(self.resolve(decl.bound))
        if decl.kind == xp.FIXED_ARRAY:
            size = self.type_size(decl.type)
            return None if size is None else size * self.resolve(decl.bound)
        return None

    def min_type_size(self, type_name):
        """Smallest possible encoded size of a named type."""
        if type_name in PRIMITIVE_SIZES:
            return PRIMITIVE_SIZES[type_name]
        if type_name not in self._min_cache:
            self._min_cache[type_name] = 4  # guards recursion
            self._min_cache[type_name] = self._compute_min_size(type_name)
        return self._min_cache[type_name]

    def _compute_min_size(self, type_name):
        """Compute min_type_size() without the cache."""
        definition = self.definition(type_name)
        if isinstance(definition, xp.Enum):
            return 4
        if isinstance(definition, xp.Typedef):
            return self.min_decl_size(definition.decl)
        if isinstance(definition, xp.Struct):
            return sum(self.min_decl_size(f) for f in definition.fields)
        return 4 + min(self.min_decl_size(arm.decl) for arm in definition.arms)

    def min_decl_size(self, decl):
        """Smallest possible encoded size of a declaration."""
        if decl.kind == xp.VOID:
            return 0
        if decl.kind == xp.SCALAR:
            return self.min_type_size(decl.type)
        if decl.kind == xp.FIXED_OPAQUE:
            return pad4(self.resolve(decl.bound))
        if decl.kind == xp.FIXED_ARRAY:
            return self.min_type_size(decl.type) * self.resolve(decl.bound)
        return 4  # a length or presence word

    # Checks.

    def is_plain_type(self, type_name):
        """Whether a named type has a fixed size and needs no other check."""
        if type_name in PRIMITIVE_SIZES:
            return type_name != xp.BOOL
        definition = self.definition(type_name)
        if isinstance(definition, xp.Typedef):
            return self.is_plain(definition.decl)
        if isinstance(definition, xp.Struct):
            return all(self.is_plain(f) for f in definition.fields)
        return False  # enums and unions check their values

    def is_plain(self, decl):
        """Whether a declaration has a fixed size and needs no other check."""
        if decl.kind == xp.SCALAR:
            return self.is_plain_type(decl.type)
        if decl.kind == xp.FIXED_OPAQUE:
            return self.resolve(decl.bound) % 4 == 0
        if decl.kind == xp.FIXED_ARRAY:
            return self.is_plain_type(decl.type)
        return False


def type_references(definition):
    """Names of the types a definition's declarations mention."""
    return [d.type for d in xp.declarations(definition) if d.type is not None]


def reachable(spec, roots):
    """Type names reachable from ``roots``, in the spec's source order."""
    seen = set()
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name in seen or name not in spec.types:
            continue
        seen.add(name)
        stack.extend(type_references(spec.types[name]))
    for definition in spec.types.values():  # enums named by case labels
        if definition.name in seen and isinstance(definition, xp.UnionDef):
            seen.update(_label_enums(spec, definition))
    return [name for name in spec.types if name in seen]


def _label_enums(spec, union):
    """Enums whose members label the arms of ``union``."""
    members = spec.enum_values()
    return {members[label][0] for arm in union.arms for label in arm.labels
            if isinstance(label, str) and label in members}


def recursive_types(spec, names):
    """Names of the types that are part of a reference cycle (Tarjan's SCC)."""
    index, low, on_stack, stack, result = {}, {}, set(), [], set()
    counter = [0]

    def edges(name):
        return [t for t in type_references(spec.types[name]) if t in spec.types]

    def visit(root):
        # Iterative Tarjan to stay clear of Python's recursion limit.
        work = [(root, iter(edges(root)))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges(child))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in edges(node):
                    result.update(component)

    for name in names:
        if name not in index:
            visit(name)
    return result
