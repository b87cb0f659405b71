"""The live dashboard (GET /) in a real browser: headless Chromium (Debian `chromium`,
driven by Playwright) opens the page of a server on the generator, waits until the charts
show several ledgers, and checks every number shown against /metrics and /analytics once
the generator has stopped. The screenshot is kept in tests/artifacts/."""

import json
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from conftest import ROOT, Server, http_get

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts"
LAST = 2 + 47  # MOCK_START_LEDGER is 2: 48 ledgers (12 s at 4 per second)


def metrics_of(port):
    """The server's metrics as {(name, labels): value}."""
    samples = {}
    for line in http_get(port, "/metrics")[1].splitlines():
        if line.startswith("#") or not line:
            continue
        key, value = line.rsplit(" ", 1)
        samples[key] = float(value)
    return samples


def newest_window(rows):
    start = max(r["window_start"] for r in rows)
    return [r for r in rows if r["window_start"] == start]


def wait_for_analytics_through(port, last, timeout=60.0):
    """Waits until the analytics follower (its own thread) has counted ledger `last`."""
    deadline = time.monotonic() + timeout
    while True:
        rates = json.loads(http_get(port, "/analytics")[1]).get("ledger_rate")
        if rates and newest_window(rates)[0]["max_ledger_sequence"] == last:
            return
        assert time.monotonic() < deadline, f"analytics never reached ledger {last}"
        time.sleep(0.2)


def test_dashboard_shows_live_data_that_matches_the_endpoints(tmp_path):
    assert Path(CHROMIUM).exists(), "Debian chromium is missing: run scripts/bootstrap"
    s = Server({"MOCK_DATA": "true", "MOCK_LEDGERS_PER_SECOND": "4", "MOCK_TX_PER_LEDGER": "40",
                "MOCK_END_LEDGER": str(LAST), "MOCK_CLOSE_TIME": "now",
                "ENABLE_ANALYTICS": "true", "PARQUET_BASE_PATH": str(tmp_path / "archive"),
                "PARQUET_ARCHIVE_INTERVAL_MINUTES": "0.02"}).wait_ready()
    errors = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"http://127.0.0.1:{s.health_port}/")

            # Live: the charts fill with data from at least three ledgers.
            page.wait_for_function(
                "document.body.dataset.ledgersSeen >= 3 &&"
                " document.getElementById('chart-throughput').dataset.points >= 3", timeout=60000)
            assert float(page.get_attribute("#ledgers-per-second", "data-value")) > 0
            assert page.text_content("#status") == "ready"
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

            # Settled: the generator stopped at LAST and the archive committed it.
            page.wait_for_function(
                f"document.getElementById('newest-ledger').dataset.value == '{LAST}' &&"
                f" [...document.querySelectorAll('#archive tr[data-table]')]"
                f".every(r => r.dataset.last == '{LAST}')", timeout=60000)
            wait_for_analytics_through(s.health_port, LAST)
            polls = int(page.get_attribute("body", "data-polls"))
            page.wait_for_function(f"document.body.dataset.polls > {polls}")
            shown = page.evaluate("""() => ({
              newest: document.getElementById('newest-ledger').textContent,
              success: document.getElementById('success-rate').textContent,
              source: document.getElementById('source').textContent,
              fees: ['p50', 'p90', 'p99', 'max'].map(
                  k => document.getElementById('fee-' + k).dataset.value),
              volume: [...document.querySelectorAll('#volume .bar-row')].map(
                  r => [r.dataset.asset, r.dataset.stroops, r.dataset.count]),
              archive: [...document.querySelectorAll('#archive tr[data-table]')].map(
                  r => [r.dataset.table, r.dataset.last, r.dataset.files, r.dataset.rows,
                        r.dataset.bytes]),
            })""")

            # A contract token (asset null) in the volume must not break the page.
            def with_contract_token(route):
                body = json.loads(route.fetch().text())
                rows = body.get("payment_volume") or []
                if rows:
                    body["payment_volume"] = rows + [dict(rows[0], asset=None, count=10**9)]
                route.fulfill(status=200, content_type="application/json", body=json.dumps(body))
            page.route("**/analytics?windows=newest", with_contract_token)
            polls = int(page.get_attribute("body", "data-polls"))
            page.wait_for_function(f"document.body.dataset.polls > {polls + 1}")
            assert page.text_content("#status") == "not ready"  # the generator ended; no error
            assert page.text_content("#volume .bar-row .asset") == "contract token"
            browser.close()

        m = metrics_of(s.health_port)
        analytics = json.loads(http_get(s.health_port, "/analytics")[1])
        assert shown["newest"] == f"#{int(m['stellar_arrow_source_live_newest_ledger_sequence'])}"
        ok = m['stellar_arrow_source_live_transactions_total{result="successful"}']
        failed = m['stellar_arrow_source_live_transactions_total{result="failed"}']
        assert ok + failed == (LAST - 1) * 40
        assert shown["success"] == f"{100 * ok / (ok + failed):.1f} %"
        assert "generator" in shown["source"]
        [fees] = newest_window(analytics["fee_stats"])
        assert [float(v) for v in shown["fees"]] == [
            fees["p50_fee_charged"], fees["p90_fee_charged"], fees["p99_fee_charged"],
            fees["max_fee_charged"]]
        volume = sorted(newest_window(analytics["payment_volume"]),
                        key=lambda r: (-r["count"], r["asset"] or ""))[:8]
        assert shown["volume"] == [[r["asset"] or "", r["sum_amount"], str(r["count"])]
                                   for r in volume]
        assert len(shown["volume"]) >= 2
        tables = ["stellar_ledger", "transactions", "operations", "token_transfers",
                  "contract_events"]
        assert shown["archive"] == [
            [t, str(LAST)] + [
                str(int(m[f'stellar_arrow_source_archive_{k}{{table="{t}"}}']))
                for k in ("files", "rows", "bytes")] for t in tables]
        assert errors == []
    finally:
        s.stop()


def test_dashboard_page_is_self_contained():
    s = Server({"MOCK_DATA": "true"}).wait_ready()
    try:
        status, page = http_get(s.health_port, "/")
        assert status == 200 and page.startswith("<!doctype html>")
        assert "http://" not in page and "https://" not in page and "//cdn" not in page
    finally:
        s.stop()
