#!/usr/bin/env python3
"""Generate C++20 XDR codecs and zero-copy views from XDR definitions.

Example (the Stellar build):
    xdrgen.py --input stellar.x --out-dir gen --namespace stellar::xdr \\
        --prefix stellar_xdr --roots LedgerCloseMeta,TransactionEnvelope

``--list-outputs`` prints the generated file names without reading the input
(CMake needs them at configure time); they depend only on ``--prefix`` and
``--parts``.  Files whose content is unchanged are not rewritten.
"""

import argparse
import hashlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import emit_cpp  # noqa: E402
import xdr_model  # noqa: E402
import xdr_parser  # noqa: E402

DEFAULT_PARTS = 4


def parse_args(argv):
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", help="XDR definitions (.x)")
    parser.add_argument("--out-dir", help="directory for the generated files")
    parser.add_argument("--namespace", default="stellar::xdr",
                        help="C++ namespace of the generated code")
    parser.add_argument("--roots", help="comma-separated root types to generate")
    parser.add_argument("--prefix", default="xdr", help="generated file name prefix")
    parser.add_argument("--parts", type=int, default=DEFAULT_PARTS,
                        help="number of .cc parts of each kind (fixed, for parallel builds)")
    parser.add_argument("--hash-out", help="write the SHA-256 of the input text here")
    parser.add_argument("--list-outputs", action="store_true",
                        help="print the generated file names and exit")
    args = parser.parse_args(argv)
    if args.parts < 1:
        parser.error("--parts must be at least 1")
    if not args.list_outputs:
        for flag in ("input", "out_dir", "roots"):
            if getattr(args, flag) is None:
                parser.error(f"--{flag.replace('_', '-')} is required")
    return args


def write_if_changed(path, text):
    """Write ``text`` to ``path`` unless the file already holds it."""
    try:
        with open(path, encoding="utf-8") as existing:
            if existing.read() == text:
                return
    except FileNotFoundError:
        pass
    with open(path, "w", encoding="utf-8") as out:
        out.write(text)


def list_outputs(args):
    """Print the output file names, one a line."""
    for name in emit_cpp.output_names(args.prefix, args.parts):
        print(os.path.join(args.out_dir, name) if args.out_dir else name)


def generate(args):
    """Parse the input and write the generated files."""
    with open(args.input, encoding="utf-8") as source:
        text = source.read()
    input_name = os.path.basename(args.input)
    try:
        spec = xdr_parser.parse(text, input_name)
        roots = [r.strip() for r in args.roots.split(",") if r.strip()]
        model = xdr_model.Model(spec, roots)
        files = emit_cpp.render(model, args.namespace, args.prefix, args.parts,
                                input_name)
    except (xdr_parser.XdrSyntaxError, ValueError) as err:
        print(f"xdrgen: error: {err}", file=sys.stderr)
        return 1
    os.makedirs(args.out_dir, exist_ok=True)
    for name, content in files.items():
        write_if_changed(os.path.join(args.out_dir, name), content)
    if args.hash_out:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        write_if_changed(args.hash_out, digest + "\n")
    return 0


def main(argv=None):
    """Entry point."""
    args = parse_args(argv)
    if args.list_outputs:
        list_outputs(args)
        return 0
    return generate(args)


if __name__ == "__main__":
    sys.exit(main())
