"""`analyze` on the real testnet ledgers checked against DuckDB running the equivalent SQL
over the same rows (written by `convert`): every measure, with and without group-by, on
tumbling and sliding windows."""

import json
import math
import subprocess
from datetime import datetime
from decimal import Decimal

import duckdb
import pytest

from conftest import SHARED_TESTDATA, binary

LAKE = SHARED_TESTDATA / "derived" / "lake-testnet-lighthorizon-1perfile"
FIRST, LAST = 1410048, 1410367

MEASURES = [
    ({"type": "count"}, "count", "count(*)"),
    ({"type": "count", "field": "amount"}, "count_amount", "count(amount)"),
    ({"type": "sum", "field": "amount"}, "sum_amount", "sum(amount)"),
    ({"type": "min", "field": "price_n"}, "min_price_n", "min(price_n)"),
    ({"type": "max", "field": "amount"}, "max_amount", "max(amount)"),
    ({"type": "distinct", "field": "source_account"}, "distinct_source_account",
     "count(distinct source_account)"),
    ({"type": "avg", "field": "amount"}, "avg_amount", "avg(amount::double)"),
    ({"type": "avg", "field": "successful"}, "avg_successful", "avg(successful::int)"),
    ({"type": "stddev", "field": "price_n"}, "stddev_price_n", "stddev_samp(price_n)"),
    ({"type": "stddev", "field": "price_n", "population": True}, "stddev_pop_price_n",
     "stddev_pop(price_n)"),
    ({"type": "percentile", "field": "price_n", "p": 90, "mode": "exact"}, "p90_price_n",
     "quantile_disc(price_n, 0.9)"),
]
WINDOWS = {
    "tumbling": ({"type": "tumbling", "size": "1m"}, 60, 60),
    "sliding": ({"type": "sliding", "size": "5m", "slide": "1m"}, 300, 60),
}


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    out = tmp_path_factory.mktemp("analyze")
    files = sorted(str(p) for p in LAKE.rglob("*.xdr.zst*"))
    for table in ["operations", "transactions"]:
        subprocess.run([str(binary()), "convert", "--table", table, "--format", "parquet",
                        "--network", "testnet", "--out", str(out / f"{table}.parquet"), *files],
                       check=True, capture_output=True)
    return out


def analyze(tmp_path, aggregation, source=("--source", f"file://{LAKE}", "--network", "testnet"),
            start=FIRST, end=LAST):
    config = tmp_path / "agg.json"
    config.write_text(json.dumps({"aggregations": [aggregation]}))
    run = subprocess.run([str(binary()), "analyze", *source, "--start", str(start), "--end",
                          str(end), "--config", str(config), "--format", "jsonl", "--out",
                          str(tmp_path / "res.jsonl")],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    return [json.loads(l) for l in (tmp_path / "res.jsonl").read_text().splitlines()]


def duckdb_windows(path, table, size, slide, group, select):
    offsets = size // slide
    keys = ", ".join(["window_start"] + group)
    sql = f"""
      with rows as (select *, (epoch(ledger_close_time)::bigint // {slide}) as pane
                    from read_parquet('{path}/{table}.parquet')),
           windowed as (select rows.*, (pane - o) * {slide} as window_start
                        from rows, range(0, {offsets}) t(o))
      select {keys}, {select}, count(*) as rows from windowed group by all order by all"""
    con = duckdb.connect()
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return {tuple(r[: 1 + len(group)]): dict(zip(names, r)) for r in cursor.fetchall()}


def start_of(row):
    """A result row's window_start in unix seconds."""
    return int(datetime.fromisoformat(row["window_start"].replace("Z", "+00:00")).timestamp())


def assert_windows_equal(got, want, group):
    """Every window and group of `want` (DuckDB) is in `got` with equal rows and measures."""
    seen = {tuple([start_of(r)] + [r[g] for g in group]): r for r in got}
    assert set(seen) == set(want)
    mismatches = []
    for key, expected in want.items():
        assert seen[key]["rows"] == expected["rows"]
        mismatches += [(key, col, seen[key][col], expected[col]) for _, col, _ in MEASURES
                       if not close(seen[key][col], expected[col])]
    assert not mismatches, mismatches[:5]


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(b, Decimal) or isinstance(a, str):
        return Decimal(str(a)) == Decimal(str(b))
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


@pytest.mark.parametrize("window", WINDOWS)
@pytest.mark.parametrize("group", [[], ["op_type"]])
def test_every_measure_equals_duckdb(tmp_path, tables, window, group):
    spec, size, slide = WINDOWS[window]
    aggregation = {"name": "check", "table": "operations", "filters": [], "group_by": group,
                   "measures": [m for m, _, _ in MEASURES], "window": spec}
    got = analyze(tmp_path, aggregation)
    select = ", ".join(f"{sql} as {col}" for _, col, sql in MEASURES)
    want = duckdb_windows(tables, "operations", size, slide, group, select)
    assert_windows_equal(got, want, group)


@pytest.mark.parametrize("window", WINDOWS)
def test_tdigest_percentiles_are_within_their_documented_rank_error(tmp_path, tables, window):
    """t-digest (the default mode): the estimate's rank among the window's values is within
    max(1 value, 2%) of p (docs/ANALYTICS.md), checked against the values DuckDB lists."""
    spec, size, slide = WINDOWS[window]
    quantiles = [1, 50, 90, 99]
    aggregation = {"name": "digest", "table": "transactions", "group_by": [],
                   "measures": [{"type": "percentile", "field": "fee_charged", "p": p}
                                for p in quantiles], "window": spec}
    got = analyze(tmp_path, aggregation)
    want = duckdb_windows(tables, "transactions", size, slide, [],
                          "list(fee_charged::double order by fee_charged) as values")
    checked = 0
    for r in got:
        start = start_of(r)
        values = want[(start,)]["values"]
        n = len(values)
        tolerance = max(1 / n, 0.02)
        for p in quantiles:
            estimate = r[f"p{p}_fee_charged"]
            below = sum(v < estimate for v in values) / n
            at_or_below = sum(v <= estimate for v in values) / n
            assert below - tolerance <= p / 100 <= at_or_below + tolerance, (start, p, estimate)
            checked += 1
    assert checked > 40


def test_filters_select_rows_like_sql_where(tmp_path, tables):
    aggregation = {"name": "payments", "table": "operations",
                   "filters": [{"field": "op_type", "op": "in", "value": ["payment", "create_account"]},
                               {"field": "successful", "op": "eq", "value": True},
                               {"field": "amount", "op": "gt", "value": 10000000}],
                   "group_by": ["op_type"], "measures": [{"type": "sum", "field": "amount"}],
                   "window": {"type": "tumbling", "size": "1h"}}
    got = analyze(tmp_path, aggregation)
    want = duckdb_windows(tables, "operations", 3600, 3600, ["op_type"],
                          "sum(amount) as sum_amount")
    sql_filter = [k for k in want]
    con = duckdb.connect()
    expected = con.execute(f"""select op_type, sum(amount), count(*) from read_parquet('{tables}/operations.parquet')
        where op_type in ('payment', 'create_account') and successful and amount > 10000000
        group by all order by all""").fetchall()
    assert sql_filter  # the window query itself ran
    got_totals = {}
    for r in got:
        total = got_totals.setdefault(r["op_type"], [Decimal(0), 0])
        total[0] += Decimal(r["sum_amount"])
        total[1] += r["rows"]
    assert {k: (v[0], v[1]) for k, v in got_totals.items()} == {
        op: (Decimal(s), n) for op, s, n in expected}


@pytest.mark.parametrize("aggregation, fragment", [
    ({"table": "operations", "measures": [{"type": "count"}], "window": {"type": "tumbling", "size": "1m"}},
     "needs a \"name\""),
    ({"name": "x", "table": "nope", "measures": [{"type": "count"}],
      "window": {"type": "tumbling", "size": "1m"}}, "nope"),
    ({"name": "x", "table": "operations", "filters": [{"field": "nope", "op": "eq", "value": 1}],
      "measures": [{"type": "count"}], "window": {"type": "tumbling", "size": "1m"}},
     "has no column 'nope'"),
    ({"name": "x", "table": "operations", "filters": [{"field": "amount", "op": "eq", "value": "ten"}],
      "measures": [{"type": "count"}], "window": {"type": "tumbling", "size": "1m"}},
     "does not fit"),
    ({"name": "x", "table": "operations", "filters": [{"field": "op_type", "op": "eq", "value": 3}],
      "measures": [{"type": "count"}], "window": {"type": "tumbling", "size": "1m"}},
     "is not a string"),
    ({"name": "x", "table": "operations", "measures": [{"type": "sum", "field": "op_type"}],
      "window": {"type": "tumbling", "size": "1m"}}, "cannot use column 'op_type'"),
    ({"name": "x", "table": "operations", "measures": [{"type": "count"}],
      "window": {"type": "sliding", "size": "5m", "slide": "2m"}}, "multiple of slide"),
    ({"name": "x", "table": "operations", "measures": [{"type": "count"}],
      "window": {"type": "tumbling", "size": "5 minutes"}}, "duration"),
    ({"name": "x", "table": "operations", "measures": [{"type": "count"}],
      "window": {"type": "tumbling", "size": 60}}, "wrong JSON type"),
    ({"name": "x", "table": "operations", "measures": [{"type": "sum", "field": 7}],
      "window": {"type": "tumbling", "size": "1m"}}, "wrong JSON type"),
    ({"name": "x", "table": "operations", "group_by": [3], "measures": [{"type": "count"}],
      "window": {"type": "tumbling", "size": "1m"}}, "wrong JSON type"),
    ({"name": 3, "table": "operations", "measures": [{"type": "count"}],
      "window": {"type": "tumbling", "size": "1m"}}, "wrong JSON type"),
    ({"name": "a/b", "table": "operations", "measures": [{"type": "count"}],
      "window": {"type": "tumbling", "size": "1m"}}, "letters, digits"),
    ({"name": "x", "table": "operations", "filters": [{"any": []}],
      "measures": [{"type": "count"}], "window": {"type": "tumbling", "size": "1m"}},
     "needs a non-empty list"),
    ({"name": "x", "table": "operations", "filters": [{"any": [{"field": "nope", "op": "eq", "value": 1}]}],
      "measures": [{"type": "count"}], "window": {"type": "tumbling", "size": "1m"}},
     "has no column 'nope'"),
    ({"name": "x", "table": "operations", "measures": [{"type": "sum", "field": "amount", "values": True}],
      "window": {"type": "tumbling", "size": "1m"}}, "\"values\" is an option of distinct"),
])
def test_bad_definitions_are_rejected_naming_the_problem(tmp_path, aggregation, fragment):
    config = tmp_path / "agg.json"
    config.write_text(json.dumps({"aggregations": [aggregation]}))
    run = subprocess.run([str(binary()), "analyze", "--source", f"file://{LAKE}", "--start",
                          str(FIRST), "--end", str(FIRST + 1), "--config", str(config)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 1 and fragment in run.stderr, run.stderr


def totals(rows):
    """(rows, sum_amount) over every window of a tumbling aggregation."""
    return (sum(r["rows"] for r in rows),
            sum(Decimal(r["sum_amount"]) for r in rows if r["sum_amount"] is not None))


@pytest.mark.parametrize("filters, where", [
    ([{"field": "op_type", "op": "ne", "value": "payment"}], "op_type <> 'payment'"),
    ([{"field": "amount", "op": "lt", "value": 10000000}], "amount < 10000000"),
    ([{"field": "amount", "op": "le", "value": 10000000}], "amount <= 10000000"),
    ([{"field": "amount", "op": "ge", "value": "10000000"}], "amount >= 10000000"),
    ([{"field": "asset_code", "op": "is_null"}], "asset_code is null"),
    ([{"field": "asset_code", "op": "is_null", "value": False}], "asset_code is not null"),
    ([{"any": [{"field": "op_type", "op": "eq", "value": "create_account"},
               {"field": "amount", "op": "gt", "value": 100000000}]}],
     "(op_type = 'create_account' or amount > 100000000)"),
    ([{"field": "successful", "op": "eq", "value": True},
      {"any": [{"all": [{"field": "op_type", "op": "eq", "value": "payment"},
                        {"field": "asset_code", "op": "is_null"}]},
               {"field": "op_type", "op": "in", "value": ["create_account", "manage_sell_offer"]}]}],
     "successful and ((op_type = 'payment' and asset_code is null)"
     " or op_type in ('create_account', 'manage_sell_offer'))"),
])
def test_each_filter_form_selects_the_rows_sql_where_does(tmp_path, tables, filters, where):
    aggregation = {"name": "f", "table": "operations", "filters": filters,
                   "measures": [{"type": "sum", "field": "amount"}],
                   "window": {"type": "tumbling", "size": "1h"}}
    got = totals(analyze(tmp_path, aggregation))
    count, total = duckdb.connect().execute(
        f"select count(*), coalesce(sum(amount), 0) from read_parquet('{tables}/operations.parquet')"
        f" where {where}").fetchone()
    assert count > 0, "the filter must select something to prove anything"
    assert got == (count, Decimal(total))


def test_distinct_values_lists_what_it_counts(tmp_path, tables):
    aggregation = {"name": "v", "table": "operations", "group_by": ["op_type"],
                   "measures": [{"type": "distinct", "field": "asset_code", "values": True}],
                   "window": {"type": "tumbling", "size": "5m"}}
    got = analyze(tmp_path, aggregation)
    want = duckdb_windows(tables, "operations", 300, 300, ["op_type"],
                          "list(distinct asset_code order by asset_code) filter"
                          " (where asset_code is not null) as listed")
    assert len(got) == len(want)
    listed = 0
    for r in got:
        expected = want[(start_of(r), r["op_type"])]["listed"] or []
        assert r["distinct_values_asset_code"] == expected
        assert r["distinct_asset_code"] == len(expected)
        listed += len(expected)
    assert listed > 0


def test_a_ledgers_window_covers_exactly_the_last_n_ledgers(tmp_path, tables):
    aggregation = {"name": "n", "table": "operations", "group_by": ["op_type"],
                   "measures": [{"type": "count"}, {"type": "sum", "field": "amount"},
                                {"type": "distinct", "field": "source_account"}],
                   "window": {"type": "ledgers", "count": 50}}
    got = {r["op_type"]: r for r in analyze(tmp_path, aggregation)}
    want = duckdb.connect().execute(f"""
        select op_type, count(*), sum(amount), count(distinct source_account)
        from read_parquet('{tables}/operations.parquet') where ledger_sequence > {LAST - 50}
        group by op_type""").fetchall()
    assert set(got) == {w[0] for w in want}
    for op_type, count, total, distinct in want:
        row = got[op_type]
        assert (row["count"], row["rows"], row["distinct_source_account"]) == (count, count, distinct)
        assert close(row["sum_amount"], total)
        assert row["final"] is False


# Several simulated hours of generator ledgers (5-6 s apart: 2,100 ledgers are ~3 h).
GENERATOR = "generator:tx=20"
GEN_FIRST, GEN_LAST = 2, 2101


@pytest.fixture(scope="module")
def generator_tables(tmp_path_factory):
    """The generator's operations as the archive writes them (what DuckDB reads)."""
    out = tmp_path_factory.mktemp("generator")
    subprocess.run([str(binary()), "archive", "--source", GENERATOR, "--start", str(GEN_FIRST),
                    "--end", str(GEN_LAST), "--tables", "operations", "--out", str(out / "archive")],
                   check=True, capture_output=True, timeout=600)
    duckdb.connect().execute(
        f"copy (select * from read_parquet('{out}/archive/operations/**/*.parquet')) "
        f"to '{out}/operations.parquet' (format parquet)")
    return out


@pytest.mark.parametrize("window, size, slide", [
    ({"type": "tumbling", "size": "15m"}, 900, 900),
    ({"type": "sliding", "size": "1h", "slide": "15m"}, 3600, 900),
])
@pytest.mark.parametrize("group", [[], ["asset_code"]])
def test_hours_of_generator_ledgers_equal_duckdb(tmp_path, generator_tables, window, size,
                                                 slide, group):
    aggregation = {"name": "hours", "table": "operations", "group_by": group,
                   "measures": [m for m, _, _ in MEASURES], "window": window}
    got = analyze(tmp_path, aggregation, source=("--source", GENERATOR), start=GEN_FIRST,
                  end=GEN_LAST)
    select = ", ".join(f"{sql} as {col}" for _, col, sql in MEASURES)
    want = duckdb_windows(generator_tables, "operations", size, slide, group, select)
    hours = (max(k[0] for k in want) - min(k[0] for k in want)) / 3600
    assert hours >= 2.5, "the run must span several hours of event time"
    assert_windows_equal(got, want, group)
