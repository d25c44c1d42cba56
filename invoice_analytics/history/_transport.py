"""Every answer of a refresh checkpointed, and replayed when an interrupted refresh is resumed (private).

Each good answer is written at once under ``_pending/answers/``, keyed by a hash of the request without its
credentials; the next refresh of the same store state and account replays them (the n-th request with a key
gets the n-th answer) and asks the network only for the rest; a commit deletes them (see the guide's "The
on-disk format", *Resuming*).

>>> a = request_key("GET", "https://x.test/list", None, {"signature": "s1", "page": 1})
>>> a == request_key("GET", "https://x.test/list", None, {"signature": "s2", "page": 1})
True
"""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from invoice_analytics.history._files import atomic_write
from invoice_analytics.history._identity import bindings, new_salt
from invoice_analytics.providers.clients import MinuteRateLimiter, Progress

__all__ = ["PendingAnswers", "RecordingSession", "good_payload", "request_key"]

#: Request fields never part of a key (nor written anywhere).
SECRET_FIELDS = frozenset({"signature", "password", "username", "api_key", "apiKey"})
_META = "meta.json"
_ANSWERS = "answers"
_PENDING_VERSION = 2


def request_key(method: str, url: str, params: Any, body: Any) -> str:
    """A hash naming a request without its credentials."""
    parts = urlsplit(url)
    query = sorted((str(k), str(v)) for k, v in dict(params or {}).items() if k not in SECRET_FIELDS)
    fields = {str(k): v for k, v in dict(body or {}).items() if k not in SECRET_FIELDS}
    text = json.dumps([method.upper(), f"{parts.scheme}://{parts.netloc}{parts.path}", query, fields],
                      sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def good_payload(provider: str, payload: Any) -> bool:
    """Whether a JSON answer is a successful list page worth keeping."""
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
        return False
    if provider == "faspay":
        return str(payload.get("response_code")) == "00"
    words = payload.get("messages", payload.get("message"))
    status = payload.get("statusCode")
    return "hasMore" in payload and str(words).lower() != "failed" and str(status) in ("200", "201", "None")


class PendingAnswers:
    """The answers of an unfinished refresh of one store state, under ``directory`` (thread-safe)."""

    def __init__(self, directory: Path, base_generation: int) -> None:
        self.directory = directory
        self.base_generation = base_generation
        self._answers: defaultdict[str, deque[bytes]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._seq = 0
        self.loaded = 0

    @classmethod
    def open(cls, directory: Path, base_generation: int, max_age: float,
             accounts: Mapping[str, tuple[str, str]] | None = None) -> PendingAnswers:
        """The answers left for this store state if younger than ``max_age`` seconds, of the providers whose
        account (``accounts``: provider -> (origin, credential)) is the one they were fetched for; else a
        fresh area."""
        pending = cls(directory, base_generation)
        meta = _read_json(directory / _META)
        fresh = (
            isinstance(meta, dict)
            and meta.get("version") == _PENDING_VERSION
            and meta.get("base_generation") == base_generation
            and isinstance(meta.get("created"), (int, float))
            and isinstance(meta.get("salt"), str)
            and isinstance(meta.get("bound"), dict)
            and 0 <= time.time() - meta["created"] <= max_age
        )
        if fresh:
            assert isinstance(meta, dict)
            bound = bindings(meta["salt"], accounts or {})
            pending._load({p for p, b in bound.items() if meta["bound"].get(p) == b})
            meta["bound"] = {**meta["bound"], **bound}
        else:
            pending.clear()
            salt = new_salt()
            meta = {"version": _PENDING_VERSION, "base_generation": base_generation, "created": time.time(),
                    "salt": salt, "bound": bindings(salt, accounts or {})}
        atomic_write(directory / _META, json.dumps(meta).encode(), durable=False)
        return pending

    def _load(self, providers: set[str]) -> None:
        """Load the answers of ``providers``; delete the others (another account's, torn or foreign files)."""
        folder = self.directory / _ANSWERS
        files = sorted(folder.glob("*.json")) if folder.is_dir() else []
        for path in files:
            doc = _read_json(path)
            if not isinstance(doc, dict) or not isinstance(doc.get("key"), str) or not isinstance(
                    doc.get("body"), str) or doc.get("provider") not in providers:
                path.unlink(missing_ok=True)
                continue
            number = path.name.split("-", 1)[0]
            self._answers[doc["key"]].append(doc["body"].encode())
            self._seq = max(self._seq, int(number) if number.isdigit() else 0)
            self.loaded += 1

    def take(self, key: str) -> bytes | None:
        """The next recorded answer to this request, or None (then ask the network)."""
        with self._lock:
            queue = self._answers.get(key)
            return queue.popleft() if queue else None

    def record(self, key: str, provider: str, body: bytes) -> None:
        """Keep one good answer (written atomically before the caller sees it)."""
        with self._lock:
            self._seq += 1
            seq = self._seq
        document = {"key": key, "provider": provider, "body": body.decode("utf-8")}
        atomic_write(self.directory / _ANSWERS / f"{seq:08d}-{key[:16]}.json",
                     json.dumps(document, ensure_ascii=False).encode(), durable=False)

    def clear(self) -> None:
        """Forget every answer (after a commit, or when they belong to another store state)."""
        with self._lock:
            self._answers.clear()
        shutil.rmtree(self.directory, ignore_errors=True)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


class RecordingSession(requests.Session):
    """A session that replays pending answers, records new ones, counts and paces, sending through ``inner``
    (not closed with it); ``on_answer(fields, payload)`` sees every good answer; ``progress`` is stepped per
    answer and told of every pause of the pacing."""

    def __init__(
        self,
        inner: requests.Session,
        provider: str,
        pending: PendingAnswers | None,
        *,
        per_minute: int | None = None,
        on_answer: Callable[[dict[str, Any], dict[str, Any]], None] | None = None,
        progress: Progress | None = None,
    ) -> None:
        super().__init__()
        self.inner = inner
        self.provider = provider
        self.pending = pending
        self.progress = progress
        self.limiter = MinuteRateLimiter(per_minute, on_wait=None if progress is None else progress.waiting)
        self.on_answer = on_answer
        self.sent = 0
        self.replayed = 0
        #: the rows of the good answers so far
        self.rows = 0
        self._count_lock = threading.Lock()

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        method_s = method.decode() if isinstance(method, bytes) else method
        url_s = url.decode() if isinstance(url, bytes) else url
        fields = {**dict(kwargs.get("params") or {}), **dict(kwargs.get("json") or {})}
        key = request_key(method_s, url_s, kwargs.get("params"), kwargs.get("json"))
        body = self.pending.take(key) if self.pending is not None else None
        if body is not None:
            response = _replayed(url_s, body)
            with self._count_lock:
                self.replayed += 1
        else:
            self.limiter.wait()
            response = self.inner.request(method_s, url_s, *args, **kwargs)
            with self._count_lock:
                self.sent += 1
        payload = _payload(response) if response.status_code == 200 else None
        if payload is not None and good_payload(self.provider, payload):
            if body is None and self.pending is not None:
                self.pending.record(key, self.provider, response.content)
            if self.on_answer is not None:
                self.on_answer({k: v for k, v in fields.items() if k not in SECRET_FIELDS}, payload)
            with self._count_lock:
                self.rows += len(payload["data"])
        if self.progress is not None:
            self.progress.step(f"{self.rows} rows read")
        return response

    def close(self) -> None:
        super().close()


def _payload(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _replayed(url: str, body: bytes) -> requests.Response:
    response = requests.Response()
    response.status_code = 200
    response._content = body
    response.headers["Content-Type"] = "application/json"
    response.encoding = "utf-8"
    response.reason = "OK (resumed)"
    response.url = url
    return response
