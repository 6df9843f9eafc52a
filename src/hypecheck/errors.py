"""One error hierarchy for hypecheck, translated into exit codes once, at the CLI.

Every error carries *what was wrong* (the message) and *what to do* (``hint``). Library code raises
these instead of returning empty frames; the CLI maps them to exit codes with :data:`EXIT_CODES`.

Every exit code of the command line is named here, once (README, "Command line"): each error class
carries its code as ``exit_code``; ``watch`` and ``scan`` add :data:`EXIT_TRIGGER` and
:data:`EXIT_VERDICT` for what changed since their last run.
"""

from __future__ import annotations

EXIT_OK = 0  # done; for watch/scan: nothing changed (or the first run)
EXIT_INTERNAL = 1  # a bug in hypecheck (any exception that is not a HypecheckError)
EXIT_INPUT = 2  # bad input: a theme, file or argument (InputError)
EXIT_NO_DATA = 3  # the data hold nothing usable for the request (NoDataError)
EXIT_DEPENDENCY = 4  # an optional dependency is missing (MissingDependencyError)
EXIT_PROVIDER = 5  # a live provider or the store failed (ProviderError, StoreError)
EXIT_TRIGGER = 6  # watch: a trigger changed state; scan: narratives born, faded, stronger or weaker
EXIT_VERDICT = 7  # watch: the verdict label changed; scan: a narrative flipped or changed label

MAX_ECHO = 100  # characters of a user's input echoed in a message (the rest is counted, not copied)


def short(text: object, n: int = MAX_ECHO) -> str:
    """``text`` as typed by a user, quoted (``repr``: control characters show as escapes) and cut to
    ``n`` characters with the full length said: a 100,000-character ticker is never echoed whole."""
    s = str(text)
    return repr(s) if len(s) <= n else f"{s[:n]!r}... ({len(s):,} characters)"


def cut_words(text: str, n: int = MAX_ECHO) -> str:
    """``text`` with every run of more than ``n`` non-blank characters cut to ``n`` (the full length
    said): a message that quotes a huge value (a ticker, a date, a cell) stays readable."""
    import re

    return re.sub(rf"\S{{{n + 1},}}", lambda m: f"{m[0][:n]}... ({len(m[0]):,} characters)", text)


class HypecheckError(Exception):
    """Base class. ``hint`` tells the user what to do about it."""

    exit_code = EXIT_INTERNAL

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class InputError(HypecheckError):
    """Something the user gave us (a file, an argument, a theme) is malformed."""

    exit_code = EXIT_INPUT


class DateOutsideDataError(InputError):
    """A well-formed as-of date outside the data (before its start, after its end): the request is
    valid, the data hold nothing for it (the dashboard answers 404, like a scan outside the data)."""


class ThemeError(InputError):
    """A theme file is missing, unparsable or fails validation."""


class FormatError(InputError):
    """A data file's format could not be recognised or is malformed."""


class NoDataError(HypecheckError):
    """A series exists but holds no usable observations in the requested range."""

    exit_code = EXIT_NO_DATA


class UnknownSeriesError(NoDataError):
    """A series/ticker/term is not in any loaded source."""


class MissingDependencyError(HypecheckError):
    """An optional dependency is not installed; the hint has the exact install command."""

    exit_code = EXIT_DEPENDENCY


class ProviderError(HypecheckError):
    """A live provider failed (HTTP error, rate limit, timeout)."""

    exit_code = EXIT_PROVIDER


class RateLimitedError(ProviderError):
    """The service answered HTTP 429 on every attempt. ``retry_after``: the seconds its last
    ``Retry-After`` header asked for (None when it did not say)."""

    def __init__(self, message: str, *, hint: str | None = None, retry_after: float | None = None) -> None:
        super().__init__(message, hint=hint)
        self.retry_after = retry_after


class OfflineError(ProviderError):
    """The service could not be reached on any attempt (DNS, refused or dropped connection)."""


class ProviderTimeoutError(OfflineError):
    """The service did not answer in time on any attempt."""


class NotFoundError(ProviderError):
    """The service answered HTTP 404: it does not know what was asked for."""


class BadResponseError(ProviderError):
    """The service answered, but not usefully: a server error (5xx) on every attempt, an unexpected
    status, or a body that is not in its documented format. ``status`` is the HTTP status (0 if none)."""

    def __init__(self, message: str, *, hint: str | None = None, status: int = 0) -> None:
        super().__init__(message, hint=hint)
        self.status = status


EXIT_CODES = {
    "ok": EXIT_OK,
    "error": EXIT_INTERNAL,
    "input": EXIT_INPUT,
    "no_data": EXIT_NO_DATA,
    "dependency": EXIT_DEPENDENCY,
    "provider": EXIT_PROVIDER,
    "trigger": EXIT_TRIGGER,
    "verdict": EXIT_VERDICT,
}
