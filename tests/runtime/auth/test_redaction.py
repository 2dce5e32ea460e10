"""Secrets in log records are scrubbed whichever logger writes them."""

from __future__ import annotations

import logging

import pytest

from runtime.auth import redaction


@pytest.mark.parametrize(
    ("message", "secret"),
    [
        ("GET /x Authorization: Bearer 00Dxx0000001gEX!AQ4AQFhoK8vTMg", "AQ4AQFhoK8vTMg"),
        ("POST token body grant_type=refresh_token&refresh_token=5Aep861abc&x=1", "5Aep861abc"),
        ('{"access_token": "abc.def.ghi", "scope": "api"}', "abc.def.ghi"),
        ("callback ?code=aPrx4sgoM2Nd1zW%3D%3D&state=xyz", "aPrx4sgoM2Nd1zW"),
        ("client_secret=s3cr3t-value", "s3cr3t-value"),
        ("code_verifier=verifier-verifier-verifier", "verifier-verifier-verifier"),
        ("session 00D5g000004xxxx!AQ4AQnewtokenvalue seen", "AQ4AQnewtokenvalue"),
        ("Basic Y2xpZW50OnNlY3JldA==", "Y2xpZW50OnNlY3JldA=="),
    ],
)
def test_secrets_are_scrubbed_from_records_of_any_logger(caplog, message, secret):
    redaction.install()
    caplog.set_level(logging.DEBUG)
    logging.getLogger("httpx2").info("%s", message)
    logging.getLogger("somewhere.else").warning(message)
    assert secret not in caplog.text
    assert caplog.text.count(redaction.REDACTED) == 2


def test_ordinary_messages_are_left_alone(caplog):
    redaction.install()
    caplog.set_level(logging.INFO)
    logging.getLogger("parley.engine").info("dialog %r node %r: %s", "leads", "create", "ok")
    assert "dialog 'leads' node 'create': ok" in caplog.text
