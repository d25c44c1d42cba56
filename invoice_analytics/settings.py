"""Settings that stick: terms per provider, locale, bucket edges, store path and default providers.

Each setting comes from the strongest place that gives it: arguments, the ``INVOICE_ANALYTICS_*`` environment
(:data:`ENVIRONMENT`), the project file, the user file (:func:`user_file`), then the defaults; terms merge
provider by provider. A bad value is a :class:`SettingsError` naming the file (or variable) and the key, never
a silent default. The order, the file format and ``invoice-analytics config``: :doc:`/guide/settings`.
"""

from __future__ import annotations

import os
import sys
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "ENVIRONMENT",
    "NO_DUE_DATE",
    "PROJECT_FILE",
    "Settings",
    "SettingsError",
    "load_settings",
    "project_file",
    "settings_table",
    "terms_notes",
    "user_file",
]

#: The project file's name, looked for in the working directory.
PROJECT_FILE = "invoice-analytics.toml"
#: Setting -> the environment variable that gives it.
ENVIRONMENT: dict[str, str] = {
    "terms": "INVOICE_ANALYTICS_TERMS",
    "locale": "INVOICE_ANALYTICS_LOCALE",
    "edges": "INVOICE_ANALYTICS_EDGES",
    "store": "INVOICE_ANALYTICS_STORE",
    "providers": "INVOICE_ANALYTICS_PROVIDERS",
}
#: Providers whose lists carry no due date: their invoices are due ``terms`` days after issue.
NO_DUE_DATE: tuple[str, ...] = ("mayar",)

_PROVIDERS = ("faspay", "mayar")
_LOCALES = ("id", "en")
_MAX_DAYS = 36_500
_KEYS = ("terms", "locale", "edges", "store", "providers")


class SettingsError(ValueError):
    """A setting with a bad value; the message names where it came from and the key."""


@dataclass(frozen=True)
class Settings:
    """The effective settings, and where each came from: ``origin`` maps each setting (and ``"terms.mayar"``...)
    to ``"argument"``, ``"environment (NAME)"``, ``"project file PATH"``, ``"user file PATH"`` or ``"default"``."""

    terms: dict[str, int]
    locale: str
    edges: tuple[int, ...]
    store: Path | None
    providers: tuple[str, ...]
    origin: dict[str, str] = field(default_factory=dict)

    def notes(self, providers: Iterable[str] | None = None) -> list[str]:
        """:func:`terms_notes` for these terms and ``providers`` (default: :attr:`providers`)."""
        return terms_notes(self.terms, self.providers if providers is None else providers)


def user_file(environ: Mapping[str, str] | None = None, platform: str | None = None) -> Path:
    """The user's settings file: ``invoice-analytics/config.toml`` under ``$XDG_CONFIG_HOME`` (else
    ``~/.config``), ``~/Library/Application Support`` on macOS, ``%APPDATA%`` on Windows."""
    env = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    home = Path(env.get("HOME") or Path.home())
    if platform.startswith("win"):
        base = Path(env.get("APPDATA") or home / "AppData" / "Roaming")
    elif platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        xdg = env.get("XDG_CONFIG_HOME", "")
        base = Path(xdg) if xdg and Path(xdg).is_absolute() else home / ".config"
    return base / "invoice-analytics" / "config.toml"


def project_file(cwd: str | os.PathLike[str] | None = None) -> Path:
    """The project's settings file: ``invoice-analytics.toml`` in ``cwd`` (default: the working directory)."""
    return Path(cwd if cwd is not None else Path.cwd()) / PROJECT_FILE


def _read(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - set(_KEYS))
    if unknown:
        raise SettingsError(f"{path}: unknown setting {', '.join(map(repr, unknown))}; "
                            f"known: {', '.join(_KEYS)}")
    return data


def _terms(value: object, where: str) -> dict[str, int]:
    if isinstance(value, str):  # "mayar=14,faspay=0"
        pairs: dict[str, object] = {}
        for part in filter(None, (p.strip() for p in value.split(","))):
            name, sep, days = part.partition("=")
            if not sep:
                raise SettingsError(f"{where}: terms take provider=days like mayar=14, not {part!r}")
            pairs[name.strip().lower()] = int(days) if days.strip().isdigit() else days
        value = pairs
    if not isinstance(value, Mapping):
        raise SettingsError(f"{where}: terms must be a table of provider = days, like mayar = 14")
    out = {}
    for name, days in value.items():
        if name not in _PROVIDERS:
            raise SettingsError(f"{where}: terms for an unknown provider {name!r}; known: {', '.join(_PROVIDERS)}")
        if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= _MAX_DAYS:
            raise SettingsError(f"{where}: terms.{name} must be whole days 0 to {_MAX_DAYS}, not {days!r}")
        out[str(name)] = days
    return out


def _check(key: str, value: object, where: str) -> object:
    """``value`` of setting ``key`` checked and normalised; a :class:`SettingsError` naming ``where``."""
    if key == "locale":
        text = str(value).replace("-", "_").split("_")[0].lower() if isinstance(value, str) else None
        if text not in _LOCALES:
            raise SettingsError(f"{where}: locale must be one of {', '.join(_LOCALES)}, not {value!r}")
        return text
    if key == "edges":
        if isinstance(value, str):
            try:
                value = [int(p) for p in value.split(",")]
            except ValueError:
                raise SettingsError(f"{where}: edges must be increasing days like 30,60,90, not {value!r}") from None
        edges = list(value) if isinstance(value, list | tuple) else []
        ok = bool(edges) and all(isinstance(e, int) and not isinstance(e, bool) and 0 < e <= _MAX_DAYS for e in edges)
        if not ok or edges != sorted(set(edges)):
            raise SettingsError(f"{where}: edges must be increasing positive days like [30, 60, 90], not {value!r}")
        return tuple(edges)
    if key == "store":
        if not isinstance(value, str | os.PathLike) or not str(value).strip():
            raise SettingsError(f"{where}: store must be a directory path, not {value!r}")
        return Path(value).expanduser()
    if key == "providers":
        names = [p.strip().lower() for p in value.split(",")] if isinstance(value, str) else value
        if not isinstance(names, list | tuple) or not names or any(p not in _PROVIDERS for p in names):
            raise SettingsError(f"{where}: providers must be some of {', '.join(_PROVIDERS)}, not {value!r}")
        return tuple(dict.fromkeys(str(p).lower() for p in names))
    raise AssertionError(key)


def load_settings(
    arguments: Mapping[str, object] | None = None,
    *,
    cwd: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
    user: str | os.PathLike[str] | None = None,
) -> Settings:
    """The effective :class:`Settings`: ``arguments`` > environment > project file > user file > defaults.

    ``arguments``: ``terms`` (a mapping by provider, or an int for all), ``locale``, ``edges``, ``store``,
    ``providers``; None is "not given". ``cwd``, ``environ`` and ``user`` stand in for the working directory,
    :data:`os.environ` and :func:`user_file`. A bad value, an unknown key or a file that is not TOML is a
    :class:`SettingsError` naming the file or variable and the key.

    >>> s = load_settings({"terms": {"mayar": 14}}, cwd="/nonexistent", environ={"INVOICE_ANALYTICS_LOCALE": "en"})
    >>> s.terms, s.origin["terms.mayar"], s.origin["terms.faspay"], s.locale, s.origin["locale"]
    ({'faspay': 0, 'mayar': 14}, 'argument', 'default', 'en', 'environment (INVOICE_ANALYTICS_LOCALE)')
    """
    env = os.environ if environ is None else environ
    user_path = Path(user) if user is not None else user_file(env)
    project_path = project_file(cwd)
    layers: list[tuple[str, dict[str, Any]]] = []  # weakest first
    layers.append((f"user file {user_path}", _read(user_path)))
    layers.append((f"project file {project_path}", _read(project_path)))
    layers.append(("environment", {k: env[v] for k, v in ENVIRONMENT.items() if env.get(v)}))
    given = {k: v for k, v in (arguments or {}).items() if v is not None}
    unknown = sorted(set(given) - set(_KEYS))
    if unknown:
        raise SettingsError(f"unknown setting {', '.join(map(repr, unknown))}; known: {', '.join(_KEYS)}")
    if isinstance(given.get("terms"), int):
        given["terms"] = dict.fromkeys(_PROVIDERS, given["terms"])
    layers.append(("argument", given))
    values: dict[str, Any] = {"locale": "id", "edges": (30, 60, 90), "store": None, "providers": _PROVIDERS}
    origin = {k: "default" for k in values} | {f"terms.{p}": "default" for p in _PROVIDERS}
    terms = dict.fromkeys(_PROVIDERS, 0)
    for place, data in layers:
        for key, value in data.items():
            where = f"environment ({ENVIRONMENT[key]})" if place == "environment" else place
            if key == "terms":
                for provider, days in _terms(value, where).items():
                    terms[provider], origin[f"terms.{provider}"] = days, where
            else:
                values[key], origin[key] = _check(key, value, where), where
    return Settings(terms=terms, origin=origin, **values)


def terms_notes(terms: object, providers: Iterable[str]) -> list[str]:
    """A note for each of ``providers`` that has no due dates and is aged with terms 0; ``terms`` is the aging's
    ``terms_days`` (a column name gives no note: each invoice carries its terms)."""
    if isinstance(terms, str):
        return []
    out = []
    for provider in dict.fromkeys(providers):
        days = terms.get(provider, 0) if isinstance(terms, Mapping) else terms
        if provider in NO_DUE_DATE and days == 0:
            name = provider.capitalize()
            out.append(f"{name} invoices carry no due date and are aged with terms 0 (due on receipt): every open "
                       f"{name} invoice is past due from the day after issue. Set the terms in "
                       f"{PROJECT_FILE} ([terms] {provider} = 14), {ENVIRONMENT['terms']} or --terms {provider}=14.")
    return out


def settings_table(settings: Settings) -> str:
    """The effective settings and where each came from, one per line (``invoice-analytics config``)."""
    shown = {f"terms.{p}": str(d) for p, d in settings.terms.items()}
    shown |= {"locale": settings.locale, "edges": ", ".join(map(str, settings.edges)),
              "store": str(settings.store) if settings.store else "(none)",
              "providers": ", ".join(settings.providers)}
    key_width = max(map(len, shown))
    value_width = max(map(len, shown.values()))
    return "\n".join(f"{k:<{key_width}} = {v:<{value_width}} ({settings.origin[k]})" for k, v in shown.items())
