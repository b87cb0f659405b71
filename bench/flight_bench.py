"""Flight benchmark: DoGet throughput of a large `operations` range on loopback (one
stream and 4 streams) against a minimal pyarrow in-process Flight server serving the same
table (the yardstick), and live latency from the moment the generator emits a ledger to
the moment a tailing client has its `stellar_ledger` row (p50/p99).

usage: flight_bench.py BINARY [--ledgers N] [--latency-ledgers N] [--rate R]
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.request

import pyarrow as pa
import pyarrow.flight as fl


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start(binary, env, log):
    arrow_port, health_port = free_port(), free_port()
    proc = subprocess.Popen([binary], env={**os.environ, **env, "ARROW_PORT": str(arrow_port),
                                           "HEALTH_PORT": str(health_port)},
                            stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{health_port}/health", timeout=0.5)
            return proc, arrow_port, health_port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    log.seek(0)
    raise RuntimeError(f"server not ready: {log.read()[-500:]!r} exit {proc.wait()}")


def newest(health_port):
    metrics = urllib.request.urlopen(f"http://127.0.0.1:{health_port}/metrics").read().decode()
    line = next(l for l in metrics.splitlines()
                if l.startswith("stellar_arrow_source_live_newest_ledger_sequence "))
    return int(float(line.split()[1]))


def read(location, ticket, streams):
    """Reads `ticket` on `streams` concurrent clients; returns (seconds, bytes, rows)."""
    results = [None] * streams

    def one(i):
        table = fl.FlightClient(location).do_get(fl.Ticket(ticket)).read_all()
        results[i] = (table.nbytes, table.num_rows)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(streams)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    return seconds, sum(r[0] for r in results), sum(r[1] for r in results)


class Yardstick(fl.FlightServerBase):
    """A minimal pyarrow Flight server serving one table in the same batches."""

    def __init__(self, location, table, batch_rows):
        super().__init__(location)
        self.table, self.batch_rows = table, batch_rows

    def do_get(self, context, ticket):
        return fl.RecordBatchStream(pa.RecordBatchReader.from_batches(
            self.table.schema, self.table.to_batches(max_chunksize=self.batch_rows)))


def measure_pairs(ours, yard, streams, warm_seconds=4.0, pairs=7):
    """Reads `ours` and `yard` ((location, ticket) each) alternately, so that the shared
    machine's load weighs on both alike: first for `warm_seconds` (allocators and gRPC
    connections settle: the first reads run at half speed), then `pairs` pairs. Returns
    per side the (seconds, bytes, rows) of its median read and of its fastest, and the
    median of the pairs' throughput ratios."""
    deadline = time.monotonic() + warm_seconds
    while time.monotonic() < deadline:
        read(*ours, streams)
        read(*yard, streams)
    runs = [(read(*ours, streams), read(*yard, streams)) for _ in range(pairs)]
    ratios = sorted((o[1] / o[0]) / (y[1] / y[0]) for o, y in runs)
    summary = []
    for side in (0, 1):
        by_time = sorted((pair[side] for pair in runs), key=lambda r: r[0])
        summary.append((by_time[len(by_time) // 2], by_time[0]))
    return summary[0], summary[1], ratios[len(ratios) // 2]


def throughput(binary, ledgers, batch_rows):
    env = {"MOCK_DATA": "true", "MOCK_LEDGERS_PER_SECOND": "0", "LIVE_BUFFER_MB": "100000",
           "BATCH_SIZE": str(batch_rows), "MOCK_END_LEDGER": str(ledgers + 1)}
    with tempfile.TemporaryFile() as log:
        proc, port, health = start(binary, env, log)
        try:
            while newest(health) < ledgers + 1:
                time.sleep(0.5)
            location = f"grpc://127.0.0.1:{port}"
            ticket = f"operations:2:{ledgers + 1}".encode()
            table = fl.FlightClient(location).do_get(fl.Ticket(ticket)).read_all()
            yard_port = free_port()
            server = Yardstick(f"grpc://127.0.0.1:{yard_port}", table.combine_chunks(),
                               batch_rows)
            threading.Thread(target=server.serve, daemon=True).start()
            time.sleep(0.5)
            yard_location = f"grpc://127.0.0.1:{yard_port}"
            results = {n: measure_pairs((location, ticket), (yard_location, b"x"), n)
                       for n in (1, 4)}
            server.shutdown()
        finally:
            proc.terminate()
            proc.wait()
    print(f"operations range: {ledgers} generator ledgers, {table.num_rows} rows, "
          f"{table.nbytes / 1e6:.1f} MB per stream, BATCH_SIZE {batch_rows}")
    print("  (ours and the yardstick read alternately, 7 pairs after 4 s of warm-up: median "
          "read, fastest in brackets; ratio = median of the pairs' ratios)")
    for n in (1, 4):
        ((s, b, r), (fs, fb, _)), ((ys, yb, _), (yfs, yfb, _)), ratio = results[n]
        print(f"  {n} stream(s): ours {b / s / 1e9:.2f} GB/s ({fb / fs / 1e9:.2f}) "
              f"{r / s / 1e6:.2f} Mrows/s; pyarrow yardstick {yb / ys / 1e9:.2f} GB/s "
              f"({yfb / yfs / 1e9:.2f}); ratio {ratio:.2f}")


def latency(binary, count, rate):
    env = {"MOCK_DATA": "true", "MOCK_LEDGERS_PER_SECOND": str(rate), "LOG_LEVEL": "debug"}
    with tempfile.NamedTemporaryFile() as log:
        proc, port, _ = start(binary, env, log)
        received = {}
        try:
            reader = fl.FlightClient(f"grpc://127.0.0.1:{port}").do_get(fl.Ticket(b"stellar_ledger"))
            while len(received) < count:
                chunk = reader.read_chunk().data
                now = time.time() * 1e6
                for seq in chunk["ledger_sequence"].to_pylist():
                    received[seq] = now
            reader.cancel()
        finally:
            proc.terminate()
            proc.wait()
        emitted = {}
        for line in open(log.name):
            if '"ledger published"' in line:
                r = json.loads(line)
                emitted[r["sequence"]] = r["received_unix_us"]
    delays = sorted((received[s] - emitted[s]) / 1000 for s in received if s in emitted)
    p = lambda q: delays[min(len(delays) - 1, int(q * len(delays)))]
    print(f"live latency over {len(delays)} ledgers at {rate} ledgers/s (~300 tx, ~700 ops each): "
          f"p50 {p(0.5):.2f} ms, p99 {p(0.99):.2f} ms, max {delays[-1]:.2f} ms")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--ledgers", type=int, default=1500)
    parser.add_argument("--latency-ledgers", type=int, default=1000)
    parser.add_argument("--rate", type=int, default=10)
    parser.add_argument("--batch-rows", type=int, default=65536)
    a = parser.parse_args()
    throughput(a.binary, a.ledgers, a.batch_rows)
    latency(a.binary, a.latency_ledgers, a.rate)


if __name__ == "__main__":
    main()
