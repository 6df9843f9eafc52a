"""Publication lags: when a macro observation became public, for series that carry no vintages.

A FRED series without vintages (a downloaded CSV) says what a value *is*, not when it was known. The
panel already holds back period-start stamps until their period ends (:func:`hypecheck.known.period_rule`);
many releases come later still. :data:`LAGS` adds the documented delay, in calendar days, counted
from the end of the observation's period (for a weekly series stamped on its last day, from the
stamp). Each value is conservative: the latest usual release date, so a check never uses a number
before it was published (at worst a few days after).

Sources: the release calendars of the BLS (Employment Situation: the first Friday after the month,
at most 7 days; CPI: 10-15 days after), the BEA (GDP advance estimate about 30 days after the
quarter; Personal Income and Outlays about 30 days after the month), the Federal Reserve (H.6 money
stock about 4 weeks after the month; G.17 industrial production about 17 days after), the Census
Bureau (new residential construction about 18 days after; retail sales about 16 days after) and the
Department of Labor (weekly claims: the Thursday after the week ending Saturday, 5 days).

Where the lags apply: :class:`hypecheck.known.KnownView`, the one cut every input of a check and
of the lab goes through, for macro series *without* vintages. A series with vintages (an ALFRED
all-vintages file, FRED's ``realtime_start``) is cut by its vintage dates instead, which are its publication dates. A
theme overrides or adds a lag per series in its ``[release]`` table (series id = days, counted as
here), e.g. ``[release]`` / ``ICSA = 5`` / ``MYSERIES = 40``; an id not listed keeps the lag below.
A series listed nowhere gets a conservative **assumed** lag by its frequency (:data:`ASSUMED_LAGS`:
daily market series none, weekly 7 days, monthly 60, quarterly 90, annual 120 days after the period
ends), and every report says "assumed lag N days" for it: Case-Shiller home prices (CSUSHPINSA) come
about 60 days after their month, job openings (JTSJOL) about 40, so a zero lag would use them weeks
before publication.
"""

from __future__ import annotations

LAGS: dict[str, int] = {
    # weekly, stamped on the week-ending Saturday, released the following Thursday
    "ICSA": 5,
    "CCSA": 12,  # continuing claims: one week later than initial claims
    # monthly (stamped on the 1st; counted from the month's end)
    "UNRATE": 7,
    "U6RATE": 7,
    "PAYEMS": 7,
    "CIVPART": 7,
    "AHETPI": 7,
    "CPIAUCSL": 15,
    "CPILFESL": 15,
    "PCEPI": 31,
    "PCEPILFE": 31,
    "INDPRO": 17,
    "M2SL": 28,
    "M2REAL": 28,
    "HOUST": 18,
    "PERMIT": 18,
    "RSXFS": 16,
    # quarterly (counted from the quarter's end): the advance estimate
    "GDPC1": 30,
    "GDP": 30,
    "A191RL1Q225SBEA": 30,
    # monthly averages of daily rates, published the first business day after the month (H.15)
    "FEDFUNDS": 1,
    # Case-Shiller (last Tuesday of the second month after) and JOLTS (about 5-6 weeks after)
    "CSUSHPINSA": 60,
    "JTSJOL": 40,
    # bundled monthly datasets: the one-month T-bill return (set at the month's start) and Moody's
    # monthly average yields (known at the month's end)
    "FF:RF": 0,
    "ARCH:BAA-AAA": 1,
}

ASSUMED_LAGS: dict[str, int] = {"D": 0, "W": 7, "M": 60, "Q": 90, "A": 120, "irregular": 60}


def lag_info(series_id: str, frequency: str | None = None) -> tuple[int, bool]:
    """``(days, documented)``: the documented lag of ``series_id``, else the assumed lag of its
    ``frequency`` (:data:`ASSUMED_LAGS`; 0 when the frequency is not given either)."""
    key = series_id.strip().upper()
    if key in LAGS:
        return LAGS[key], True
    return ASSUMED_LAGS.get(frequency or "", 0), False


def lag_days(series_id: str, frequency: str | None = None) -> int:
    """The publication lag of ``series_id`` in days: documented, else assumed from ``frequency``."""
    return lag_info(series_id, frequency)[0]
