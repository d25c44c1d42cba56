"""No credential in anything reachable from a failed load's error: its text, args, chain, or the
locals of its traceback as Python and IPython render them.

The credentials come from the environment (module constants set with monkeypatch), so the test's
own frame, which is part of the traceback, holds none of them. The servers echo what they were
sent, to make a leak as likely as possible.
"""

from __future__ import annotations

import json
import traceback

import pytest

from invoice_analytics import InvoiceAPIError, load_faspay, load_mayar
from invoice_analytics.providers.faspay import faspay_signature
from tests.support.hostile import Handler, Hostile

USERNAME = "merchant-7"
PASSWORD = "Pa55-wq8-NOT-FOR-EYES"
SIGNATURE = faspay_signature(USERNAME, PASSWORD)
KEY = "sk-live-3c1f0e9d8b7a6c5d4e3f2a1b-NOT-FOR-EYES"
SECRETS = {"faspay": (PASSWORD, SIGNATURE), "mayar": (KEY,)}


def echo(failure: str):
    def answer(h: Handler, n: int) -> None:
        if failure == "drop":
            h.drop()
            return
        sent = h.headers.get("Authorization") or json.loads(h.seen.body or b"{}").get("signature")
        h.reply(401 if failure == "401" else 500, {"message": f"refused {sent}", "statusCode": 401})

    return answer


def renderings(exc: BaseException) -> list[str]:
    """Every text a person or a tool would see of ``exc`` and its traceback's locals."""
    texts = [str(exc), repr(exc), repr(exc.args), repr(vars(exc))]
    texts.append("".join(traceback.TracebackException.from_exception(exc, capture_locals=True).format()))
    tb = exc.__traceback__
    while tb is not None:
        for name, value in tb.tb_frame.f_locals.items():
            try:
                texts.append(f"{tb.tb_frame.f_code.co_name}.{name} = {value!r}")
            except Exception as error:  # a repr that fails shows nothing
                texts.append(f"{name}: repr failed: {error!r}")
        tb = tb.tb_next
    ultratb = pytest.importorskip("IPython.core.ultratb")
    texts.append(ultratb.VerboseTB(theme_name="nocolor").text(type(exc), exc, exc.__traceback__))
    return texts


def load(provider: str, url: str):
    if provider == "faspay":
        return load_faspay(base_url=url, statuses=[1], progress=False, max_retries=1)
    return load_mayar(base_url=url, rate_limit_per_minute=None, progress=False, max_retries=1)


@pytest.mark.parametrize("failure", ["401", "drop", "500"])
@pytest.mark.parametrize("provider", ["faspay", "mayar"])
def test_no_secret_in_a_failed_load_rendered_with_its_locals(provider, failure, monkeypatch):
    monkeypatch.setenv("FASPAY_USERNAME", USERNAME)
    monkeypatch.setenv("FASPAY_PASSWORD", PASSWORD)
    monkeypatch.setenv("MAYAR_API_KEY", KEY)
    with Hostile(echo(failure)) as server, pytest.raises(InvoiceAPIError) as info:
        load(provider, server.url)
    exc = info.value
    assert exc.provider == provider
    assert exc.__cause__ is None and exc.__context__ is None  # no library exception (nor its request) behind it
    texts = renderings(exc)
    assert any("load_" + provider in text for text in texts)  # the loader's frame was rendered
    for text in texts:
        for secret in SECRETS[provider]:
            assert secret not in text
    if failure != "drop":
        assert "refused ***" in str(exc) or "refused Bearer ***" in str(exc)
