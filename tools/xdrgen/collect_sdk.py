#!/usr/bin/env python3
"""Collect Stellar's XDR definitions from the stellar-sdk Python package.

Every class in ``stellar_sdk.xdr`` carries its XDR source in its docstring,
after an ``XDR Source Code::`` marker.  This script gathers the named top-level
definitions (``struct X``, ``union X switch``, ``enum X``, ``typedef ...``),
adds the XDR constants from ``stellar_sdk.xdr.constants`` and prints one
deterministic ``.x`` text, sorted by definition name.

Anonymous definitions (``union switch (...)`` / ``struct {``) are nested
definitions that already appear inside their parent's source, so they are
skipped.

Usage:
    collect_sdk.py [--out FILE]
"""

import argparse
import inspect
import re
import sys
import textwrap

MARKER = "XDR Source Code::"

_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)

# The keyword that opens each kind of named definition, and the regex that
# extracts the defined name from the first part of the source.
_NAME_PATTERNS = {
    "struct": re.compile(r"^struct\s+([A-Za-z_]\w*)\s*\{"),
    "union": re.compile(r"^union\s+([A-Za-z_]\w*)\s+switch\b"),
    "enum": re.compile(r"^enum\s+([A-Za-z_]\w*)\s*\{"),
    "typedef": re.compile(r"^typedef\b[^;]*?([A-Za-z_]\w*)\s*(?:\[[^\]]*\]|<[^>]*>)?\s*;",
                          re.DOTALL),
}


def xdr_source(docstring):
    """Return the dedented XDR source block of a docstring, or None."""
    if not docstring or MARKER not in docstring:
        return None
    block = docstring.split(MARKER, 1)[1]
    return textwrap.dedent(block.strip("\n")).strip()


def strip_comments(source):
    """Remove ``//`` and ``/* */`` comments from XDR source."""
    return _COMMENT.sub(" ", source)


def definition_name(source):
    """Return the name a named top-level definition defines, or None.

    Anonymous nested definitions (``union switch (...)``, ``struct {``)
    return None.
    """
    code = strip_comments(source)
    keyword = code.split(None, 1)[0] if code else ""
    pattern = _NAME_PATTERNS.get(keyword)
    if pattern is None:
        return None
    match = pattern.match(code)
    return match.group(1) if match else None


def collect_definitions(xdr_module):
    """Map each defined name to its XDR source, from the module's classes."""
    definitions = {}
    for _, cls in inspect.getmembers(xdr_module, inspect.isclass):
        source = xdr_source(cls.__doc__)
        if source is None:
            continue
        name = definition_name(source)
        if name is None:
            continue
        previous = definitions.get(name)
        if previous is not None and previous != source:
            raise SystemExit(f"conflicting XDR sources for {name}")
        definitions[name] = source
    return definitions


def collect_constants(constants_module):
    """Return the integer XDR constants of ``stellar_sdk.xdr.constants``."""
    constants = {}
    for name, value in vars(constants_module).items():
        if name.isupper() and isinstance(value, int) and not isinstance(value, bool):
            constants[name] = value
    return constants


def render(version, constants, definitions):
    """Render the collected constants and definitions as one ``.x`` text."""
    lines = [f"// Stellar XDR definitions collected from stellar-sdk {version}.", ""]
    for name in sorted(constants):
        lines.append(f"const {name} = {constants[name]};")
    for name in sorted(definitions):
        lines.append("")
        lines.append(definitions[name])
    return "\n".join(lines) + "\n"


def main(argv=None):
    """Collect the definitions and write them to stdout or ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="write the definitions here instead of stdout")
    args = parser.parse_args(argv)

    import stellar_sdk
    import stellar_sdk.xdr
    import stellar_sdk.xdr.constants

    text = render(stellar_sdk.__version__,
                  collect_constants(stellar_sdk.xdr.constants),
                  collect_definitions(stellar_sdk.xdr))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as out:
            out.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
