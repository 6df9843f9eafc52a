"""The verdict's rules file: weights and thresholds as data, each with a one-line rationale."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ._toml import MAX_TOML_BYTES, parse_bounded
from .errors import InputError


@dataclass(frozen=True)
class Rules:
    data: dict[str, dict[str, dict[str, Any]]]
    origin: str

    def get(self, section: str, key: str) -> Any:
        try:
            return self.data[section][key]["value"]
        except KeyError:
            raise InputError(
                f"rules file {self.origin} has no {section}.{key}",
                hint="start from the built-in rules (hypecheck/rules/default.toml)",
            ) from None

    def rationale(self, section: str, key: str) -> str:
        return str(self.data.get(section, {}).get(key, {}).get("rationale", ""))

    def table(self) -> list[dict[str, Any]]:
        """Every rule as rows (section, key, value, rationale), for the report's methodology."""
        return [
            {"section": sec, "key": k, "value": v.get("value"), "rationale": v.get("rationale", "")}
            for sec, items in self.data.items()
            for k, v in items.items()
        ]


def load_rules(path: str | Path | None = None) -> Rules:
    if path is None:
        text = (resources.files("hypecheck") / "rules" / "default.toml").read_text("utf-8")
        origin = "hypecheck/rules/default.toml"
    else:
        p = Path(path)
        if not p.exists():
            raise InputError(f"rules file {p} does not exist", hint="check the path given to --rules")
        if not p.is_file():
            raise InputError(
                f"rules file {p} is not a regular file (a folder, device or pipe)",
                hint="pass --rules the path of a .toml file",
            )
        origin = str(p)
        try:
            with p.open("rb") as fh:
                raw = fh.read(MAX_TOML_BYTES + 1)
            if len(raw) > MAX_TOML_BYTES:
                raise InputError(
                    f"rules file {p} is larger than 1 MB", hint="a rules file is a short TOML file"
                )
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputError(f"rules file {p} is not UTF-8 text", hint="save it as UTF-8") from None
        except OSError as exc:
            raise InputError(
                f"rules file {p} cannot be read: {exc.strerror or exc}", hint="check the file"
            ) from None
    data = parse_bounded(
        text,
        f"rules file {origin}",
        InputError,
        hint="fix the syntax; src/hypecheck/rules/default.toml is a complete example",
    )
    for sec, items in data.items():
        if not isinstance(items, dict) or not all(
            isinstance(v, dict) and "value" in v for v in items.values()
        ):
            raise InputError(
                f"rules file {origin}: section [{sec}] must map keys to {{ value = ..., rationale = ... }}"
            )
    return Rules(data, origin)
