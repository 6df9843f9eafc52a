"""hypecheck watch stepped through January-March 2026 one week at a time on the shared data: the
trigger changes it reports fall on the dates an independent computation from the CSVs says."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from hypecheck.cli import main
from hypecheck.store import Store

SECTORS = ["XLK", "XLC", "XLY", "XLP", "XLE", "XLF", "XLV", "XLI", "XLB", "XLRE", "XLU"]


def read(shared: Path, t: str) -> pd.Series:
    df = pd.read_csv(shared / "prices" / "etf_daily" / f"{t}.csv")
    return pd.Series(df["Close"].to_numpy(float), index=pd.to_datetime(df["Date"]), name=t)


def ew_spread_fired(shared: Path, d: pd.Timestamp) -> bool:
    both = pd.concat([read(shared, "RSP"), read(shared, "SPY")], axis=1, sort=True).dropna()
    both = both.loc[both.index <= d]
    r = both.iloc[-1] / both.iloc[-21] - 1  # 20 trading days
    return bool(r["RSP"] - r["SPY"] < 0)


def sectors_fired(shared: Path, d: pd.Timestamp) -> bool:
    above = n = 0
    for t in SECTORS:
        s = read(shared, t).dropna()
        s = s.loc[s.index <= d]
        if len(s) >= 50 and s.index[-1] == d:
            n += 1
            above += s.iloc[-1] > s.iloc[-50:].mean()
    return 100 * above / n < 50


def test_watch_week_by_week_reports_changes_on_the_right_dates(shared_data: Path, tmp_path: Path) -> None:
    store = tmp_path / "w.duckdb"
    fridays = pd.date_range("2026-01-02", "2026-03-27", freq="W-FRI")
    prev: dict[str, bool] | None = None
    seen_change = 0
    for d in fridays:
        r = CliRunner().invoke(
            main,
            [
                "watch",
                "small-cap-rotation",
                "--data",
                str(shared_data),
                "--as-of",
                str(d.date()),
                "--store",
                str(store),
            ],
        )
        assert r.exit_code in (0, 6, 7), r.output
        # the first line: the fade label and what was found, the evidence lean named as such
        first = r.output.splitlines()[0]
        assert first.startswith(f"small-cap-rotation as of {d.date()}: ") and "IWM's lead over SPY" in first
        assert "NO SKILL SHOWN" not in first and "(score" not in first and "evidence lean" in first
        want = {
            "equal-weight-spread-negative": ew_spread_fired(shared_data, d),
            "sector-breadth-below-half": sectors_fired(shared_data, d),
        }
        state = Store(store).get_state(f"watch:small-cap-rotation:{shared_data}")
        got = {t["id"]: t["state"] == "fired" for t in state["triggers"]}
        for k, v in want.items():
            assert got[k] == v, (d.date(), k)
        if prev is None:
            assert "first run" in r.output and r.exit_code == 0
        else:
            for k, v in want.items():
                flipped = prev[k] != v
                assert (f"trigger {k}:" in r.output) == flipped, (d.date(), k, r.output)
                seen_change += flipped
            if "verdict:" not in r.output:
                assert r.exit_code == (6 if "trigger " in r.output else 0)
            else:
                assert r.exit_code == 7
        prev = want
    assert seen_change >= 2  # the quarter really had trigger changes to report


def test_watch_posts_to_a_webhook_and_survives_a_failing_one(shared_data: Path, tmp_path: Path) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    got: list[dict] = []

    class H(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            got.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *a) -> None:
            pass

    srv = HTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{srv.server_address[1]}/hook"
    store = str(tmp_path / "h.duckdb")
    args = ["watch", "small-cap-rotation", "--data", str(shared_data), "--store", store, "--webhook", url]
    r1 = CliRunner().invoke(main, [*args, "--as-of", "2026-01-16"])
    r2 = CliRunner().invoke(main, [*args, "--as-of", "2026-03-20"])
    srv.shutdown()
    assert r1.exit_code == 0 and r2.exit_code in (6, 7), r2.output
    assert len(got) == 2 and got[1]["as_of"] == "2026-03-20" and got[1]["changes"]
    bad = CliRunner().invoke(
        main,
        [
            "watch",
            "small-cap-rotation",
            "--data",
            str(shared_data),
            "--store",
            store,
            "--as-of",
            "2026-01-16",
            "--webhook",
            "http://127.0.0.1:9/none",
        ],
    )
    assert bad.exit_code == 5 and "webhook" in bad.output and "Traceback" not in bad.output
    # the state was saved before the webhook failed
    assert Store(store).get_state(f"watch:small-cap-rotation:{shared_data}")["as_of"] == "2026-01-16"


@pytest.mark.parametrize("kind", ["no_such_kind"])
def test_unknown_trigger_kind_is_refused_at_load_not_a_crash(tmp_path: Path, kind: str) -> None:
    """An unknown kind is a theme error when the theme loads (issue 13), not "unknown" at run time."""
    f = tmp_path / "t.toml"
    f.write_text(
        'id = "t"\ntitle = "t"\nquestion = "q"\n[[price.pairs]]\nleader = "ff:S1V3"\nlaggard = "ff:Mkt"\n'
        f'[[triggers]]\nid = "x"\nkind = "{kind}"\ndescription = "d"\n'
    )
    r = CliRunner().invoke(main, ["watch", str(f), "--store", str(tmp_path / "s.duckdb")])
    assert r.exit_code == 2, r.output
    assert f"unknown trigger kind {kind!r}" in r.output and "spread_below" in r.output
    assert "Traceback" not in r.output
