"""The Galexie lake reader against a real S3 protocol server on loopback (moto in server
mode): the fixture lake uploaded to a bucket reads exactly like the local folder."""

import json
import os
import subprocess

import pytest

from conftest import S3_CREDENTIALS, SHARED_TESTDATA, binary, moto_s3

LAKE = SHARED_TESTDATA / "derived" / "lake-testnet-lighthorizon-32perfile"
CREDENTIALS = S3_CREDENTIALS


@pytest.fixture(scope="module")
def s3_lake():
    with moto_s3() as (port, s3):
        s3.create_bucket(Bucket="lake")
        for path in LAKE.rglob("*"):
            if path.is_file():
                s3.upload_file(str(path), "lake", "testnet/" + str(path.relative_to(LAKE)))
        yield f"s3://lake/testnet?endpoint_override=127.0.0.1:{port}&scheme=http"


def ingest(source, *args):
    env = {**os.environ, **CREDENTIALS}
    return subprocess.run([str(binary()), "ingest", "--source", source, *args], env=env,
                          capture_output=True, text=True, timeout=300)


def test_s3_lake_reads_like_the_local_one(s3_lake):
    remote = ingest(s3_lake, "--start", "1410050", "--end", "1410200", "--print")
    local = ingest(f"file://{LAKE}", "--start", "1410050", "--end", "1410200", "--print")
    assert remote.returncode == 0, remote.stderr
    rows = [json.loads(line) for line in remote.stdout.splitlines()]
    assert [r["sequence"] for r in rows] == list(range(1410050, 1410201))
    assert remote.stdout == local.stdout


def test_s3_lake_of_another_network_is_refused(s3_lake):
    p = ingest(s3_lake, "--network", "pubnet", "--start", "1410050", "--end", "1410051")
    assert p.returncode == 1
    assert "Test SDF Network ; September 2015" in p.stderr


def test_missing_object_in_range_names_its_key(s3_lake):
    p = ingest(s3_lake, "--start", "1410300", "--end", "1410500")
    assert p.returncode == 1
    assert "FFEA7AFF--1410304-1410431/FFEA7ABF--1410368-1410399.xdr.zst" in p.stderr


class _RecordingS3(__import__("http.server").server.BaseHTTPRequestHandler):
    """Answers every request 404 and remembers its Authorization header."""
    seen = []

    def do_GET(self):
        self.seen.append(self.headers.get("Authorization"))
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_HEAD = do_GET

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("anonymous", [True, False])
def test_anonymous_true_sends_unsigned_requests(anonymous):
    import http.server
    import threading
    _RecordingS3.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _RecordingS3)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        uri = (f"s3://public-bucket/lake?endpoint_override=127.0.0.1:{server.server_port}"
               f"&scheme=http&region=us-east-2" + ("&anonymous=true" if anonymous else ""))
        p = ingest(uri, "--start", "2", "--end", "3")
        assert p.returncode == 1 and ".config.json" in p.stderr, p.stderr
        assert _RecordingS3.seen, "no request reached the server"
        if anonymous:
            assert _RecordingS3.seen == [None] * len(_RecordingS3.seen)
        else:
            assert all(h and h.startswith("AWS4-HMAC-SHA256") for h in _RecordingS3.seen)
    finally:
        server.shutdown()


def test_anonymous_takes_only_true_or_false():
    p = ingest("s3://bucket/lake?anonymous=yes", "--start", "2", "--end", "3")
    assert p.returncode in (1, 2) and "expected anonymous=true or anonymous=false" in p.stderr
