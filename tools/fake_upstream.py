#!/usr/bin/env python3
"""A fake upstream RawLedgerService (grpcio) for tests: serves the ledgers of a Galexie lake
folder from any start ledger, then keeps the stream open like a live service, and can be
told to misbehave once: drop the connection after N ledgers, send a ledger twice, skip one,
or send garbage bytes in place of one; or stall (send nothing more) at a ledger. Every
StreamRawLedgers request is logged on stdout as a JSON line ({"event": "request",
"start_ledger": N}) so tests can check how the client resumed."""

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from concurrent import futures
from pathlib import Path

import grpc
import zstandard
from stellar_sdk import xdr

PROTO = Path(__file__).resolve().parent.parent / "src" / "ingest" / "proto"


def load_stubs():
    """Compiles raw_ledger_service.proto with grpcio-tools and imports the modules."""
    out = tempfile.mkdtemp(prefix="fake-upstream-")
    subprocess.run([sys.executable, "-m", "grpc_tools.protoc", f"-I{PROTO}",
                    f"--python_out={out}", f"--grpc_python_out={out}",
                    "raw_ledger_service.proto"], check=True)
    sys.path.insert(0, out)
    import raw_ledger_service_pb2 as pb2  # pylint: disable=import-outside-toplevel
    import raw_ledger_service_pb2_grpc as pb2_grpc  # pylint: disable=import-outside-toplevel
    return pb2, pb2_grpc


def read_lake(folder: Path) -> dict:
    """Every ledger of the lake: sequence -> LedgerCloseMeta XDR bytes."""
    ledgers = {}
    for path in sorted(folder.rglob("*.xdr.zst*")):
        raw = zstandard.ZstdDecompressor().decompressobj().decompress(path.read_bytes())
        batch = xdr.LedgerCloseMetaBatch.from_xdr_bytes(raw)
        for meta in batch.ledger_close_metas:
            body = meta.v0 or meta.v1 or meta.v2
            ledgers[body.ledger_header.header.ledger_seq.uint32] = meta.to_xdr_bytes()
    return ledgers


class Faults:
    """The misbehaviours still to do; each happens once."""

    def __init__(self, args):
        self.drop_after = args.drop_after
        self.duplicate = args.duplicate
        self.skip = args.skip
        self.garbage = args.garbage
        self.always_skip = args.always_skip
        self.stall_at = args.stall_at
        self.lock = threading.Lock()

    def take(self, name: str, sequence: int) -> bool:
        with self.lock:
            if getattr(self, name) == sequence:
                setattr(self, name, None)
                return True
            return False


def make_servicer(pb2, pb2_grpc, ledgers: dict, faults: Faults):
    class Servicer(pb2_grpc.RawLedgerServiceServicer):
        def StreamRawLedgers(self, request, context):  # noqa: N802 (gRPC method name)
            print(json.dumps({"event": "request", "start_ledger": request.start_ledger}),
                  flush=True)
            sent = 0
            sequence = request.start_ledger
            while context.is_active():
                if sequence not in ledgers or sequence == faults.stall_at:
                    time.sleep(0.05)  # the live tail of a service with nothing new
                    continue
                if faults.always_skip == sequence or faults.take("skip", sequence):
                    sequence += 1
                    continue
                data = ledgers[sequence]
                if faults.take("garbage", sequence):
                    data = b"\x00\x00\x00\x07garbage"
                yield pb2.RawLedger(sequence=sequence, ledger_close_meta_xdr=data)
                if faults.take("duplicate", sequence):
                    yield pb2.RawLedger(sequence=sequence, ledger_close_meta_xdr=data)
                sent += 1
                with faults.lock:
                    drop = faults.drop_after is not None and sent >= faults.drop_after
                    if drop:
                        faults.drop_after = None
                if drop:
                    context.abort(grpc.StatusCode.UNAVAILABLE, "fake upstream dropped the stream")
                sequence += 1
    return Servicer()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lake", required=True, type=Path, help="Galexie lake folder")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--drop-after", type=int, help="abort the first stream after N ledgers")
    parser.add_argument("--duplicate", type=int, help="send this ledger twice, once")
    parser.add_argument("--skip", type=int, help="leave this ledger out, once")
    parser.add_argument("--garbage", type=int, help="send garbage for this ledger, once")
    parser.add_argument("--always-skip", type=int, help="never send this ledger")
    parser.add_argument("--stall-at", type=int,
                        help="send nothing from this ledger on, until the client cancels")
    parser.add_argument("--tls-cert", type=Path, help="serve TLS with this PEM certificate")
    parser.add_argument("--tls-key", type=Path, help="and this PEM private key")
    args = parser.parse_args()

    pb2, pb2_grpc = load_stubs()
    ledgers = read_lake(args.lake)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8),
                         options=[("grpc.max_send_message_length", 64 << 20)])
    pb2_grpc.add_RawLedgerServiceServicer_to_server(
        make_servicer(pb2, pb2_grpc, ledgers, Faults(args)), server)
    if args.tls_cert:
        credentials = grpc.ssl_server_credentials(
            [(args.tls_key.read_bytes(), args.tls_cert.read_bytes())])
        server.add_secure_port(f"127.0.0.1:{args.port}", credentials)
    else:
        server.add_insecure_port(f"127.0.0.1:{args.port}")
    server.start()
    print(json.dumps({"event": "serving", "port": args.port, "ledgers": len(ledgers),
                      "first": min(ledgers), "last": max(ledgers)}), flush=True)
    server.wait_for_termination()
    return 0


if __name__ == "__main__":
    sys.exit(main())
