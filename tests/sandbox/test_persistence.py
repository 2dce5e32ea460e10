"""A sandbox restarted on the same SQLite file keeps its records, app, users and tokens."""

from __future__ import annotations

from pathlib import Path

import httpx2

from sandbox.server import run_sandbox
from tests.sandbox.conftest import TLS


async def test_restart_keeps_state(tmp_path: Path) -> None:
    db = tmp_path / "org.db"
    async with run_sandbox(port=0, db=db) as first, httpx2.AsyncClient(verify=TLS) as http:
        form = {
            "grant_type": "password",
            "client_id": first.client_id,
            "client_secret": first.client_secret,
            "username": first.username,
            "password": first.password,
        }
        issued = (await http.post(first.token_url, data=form)).json()
        headers = {"Authorization": f"Bearer {issued['access_token']}"}
        created = await http.post(
            f"{first.url}/services/data/v59.0/sobjects/Lead",
            json={"LastName": "Kept", "Company": "Disk"},
            headers=headers,
        )
        lead_id = created.json()["id"]
        await http.delete(
            f"{first.url}/services/data/v59.0/sobjects/Lead/{lead_id}", headers=headers
        )
        again = await http.post(
            f"{first.url}/services/data/v59.0/sobjects/Lead",
            json={"LastName": "Kept2", "Company": "Disk"},
            headers=headers,
        )
        kept_id = again.json()["id"]
        client = (first.client_id, first.client_secret)
    async with run_sandbox(port=0, db=db) as second, httpx2.AsyncClient(verify=TLS) as http:
        assert (second.client_id, second.client_secret) == client
        got = await http.get(
            f"{second.url}/services/data/v59.0/sobjects/Lead/{kept_id}", headers=headers
        )
        assert got.status_code == 200 and got.json()["LastName"] == "Kept2"
        gone = await http.delete(
            f"{second.url}/services/data/v59.0/sobjects/Lead/{lead_id}", headers=headers
        )
        assert gone.json()[0]["errorCode"] == "ENTITY_IS_DELETED"
        newer = await http.post(
            f"{second.url}/services/data/v59.0/sobjects/Lead",
            json={"LastName": "New", "Company": "Disk"},
            headers=headers,
        )
        assert newer.json()["id"] not in (lead_id, kept_id)
        assert got.headers["sforce-limit-info"] == "api-usage=4/15000"


async def test_fixed_credentials_override_stored_ones(tmp_path: Path) -> None:
    db = tmp_path / "org.db"
    async with run_sandbox(port=0, db=db):
        pass
    async with run_sandbox(port=0, db=db, client_id="3MVG9fixed", client_secret="s3cret") as sb:
        assert (sb.client_id, sb.client_secret) == ("3MVG9fixed", "s3cret")
        async with httpx2.AsyncClient(verify=TLS) as http:
            issued = await http.post(
                sb.token_url,
                data={
                    "grant_type": "password",
                    "client_id": "3MVG9fixed",
                    "client_secret": "s3cret",
                    "username": sb.username,
                    "password": sb.password,
                },
            )
            assert issued.status_code == 200
