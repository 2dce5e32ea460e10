"""Lightning record pages, what "View in Salesforce" opens: `/lightning/r/{type}/{id}/view`
shows the record, `/{id}` redirects there, anything else is a 404 page; all of it HTML with
every value escaped."""

from __future__ import annotations

from html import unescape
from html.parser import HTMLParser

import httpx2

from sandbox.ids import to18

HOSTILE = {
    "FirstName": "Pat",
    "LastName": "O'Brien <script>alert(1)</script>",
    "Company": 'Smith & Sons "UK" <img src=x onerror=alert(2)>',
    "Email": "pat@example.com",
    "Title": "<b>Boss</b>",
}


class Page(HTMLParser):
    """The parts of a record page a person reads: title, heading, label -> value, and every
    tag the page holds (to prove no user text became one)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.title = self.heading = ""
        self.fields: dict[str, str] = {}
        self.tags: list[str] = []
        self._in: str | None = None
        self._label = ""
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag in ("title", "h1", "dt", "dd"):
            self._in = tag
        if tag == "dd":
            self.fields[self._label] = ""

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "title":
            self.title += data
        elif self._in == "h1":
            self.heading += data
        elif self._in == "dt":
            self._label = data
        elif self._in == "dd":
            self.fields[self._label] += data


async def create(api: httpx2.AsyncClient, sobject: str, body: dict[str, object]) -> str:
    answer = await api.post(f"sobjects/{sobject}/", json=body)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


async def page(http: httpx2.AsyncClient, path: str, status: int = 200) -> Page:
    answer = await http.get(path)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    return Page(answer.text)


async def test_a_lead_page_shows_its_fields_escaped(
    api: httpx2.AsyncClient, http: httpx2.AsyncClient
) -> None:
    lead_id = await create(api, "Lead", HOSTILE)
    answer = await http.get(f"/lightning/r/Lead/{lead_id}/view")  # no login: a local org
    assert answer.status_code == 200
    assert "<script>" not in answer.text and "<img src=x" not in answer.text
    shown = Page(answer.text)
    name = "Pat O'Brien <script>alert(1)</script>"
    assert shown.heading == name
    assert shown.title == f"{name} | Lead | Parley Sandbox"
    assert shown.fields == {
        "Company": HOSTILE["Company"],
        "Title": "<b>Boss</b>",
        "Email": "pat@example.com",
        "Phone": "",
        "Status": "Open - Not Contacted",
        "Lead Source": "",
        "Lead Owner": "Demo User",
    }
    assert {"script", "img", "b"}.isdisjoint(shown.tags)
    assert f"Record ID: {lead_id}" in unescape(answer.text)


async def test_an_opportunity_page(api: httpx2.AsyncClient, http: httpx2.AsyncClient) -> None:
    deal = await create(
        api,
        "Opportunity",
        {"Name": "Big Deal", "StageName": "Prospecting", "CloseDate": "2026-07-01", "Amount": 1e4},
    )
    shown = await page(http, f"/lightning/r/Opportunity/{deal}/view")
    assert shown.heading == "Big Deal"
    assert shown.fields == {
        "Stage": "Prospecting",
        "Amount": "$10,000.00",
        "Close Date": "2026-07-01",
        "Probability (%)": "10%",
        "Next Step": "",
        "Opportunity Owner": "Demo User",
    }


async def test_the_short_address_redirects_to_the_lightning_page(
    api: httpx2.AsyncClient, http: httpx2.AsyncClient
) -> None:
    lead_id = await create(api, "Lead", {"LastName": "Turing", "Company": "Bletchley Park"})
    deal = await create(
        api,
        "Opportunity",
        {"Name": "Pilot", "StageName": "Qualification", "CloseDate": "2026-01-01"},
    )
    for short, sobject, full in [
        (lead_id, "Lead", lead_id),
        (lead_id[:15], "Lead", lead_id),
        (deal[:15], "Opportunity", deal),
    ]:
        answer = await http.get(f"/{short}")
        assert answer.status_code == 302
        assert answer.headers["location"] == f"/lightning/r/{sobject}/{full}/view"
    followed = await http.get(f"/{lead_id[:15]}", follow_redirects=True)
    assert followed.status_code == 200
    assert Page(followed.text).heading == "Turing"
    assert (await page(http, f"/lightning/r/lead/{lead_id[:15]}/view")).heading == "Turing"


async def test_unknown_deleted_and_malformed_records_get_a_404_page(
    api: httpx2.AsyncClient, http: httpx2.AsyncClient
) -> None:
    lead_id = await create(api, "Lead", {"LastName": "Hopper", "Company": "Navy Labs"})
    gone = await create(api, "Lead", {"LastName": "Zuse", "Company": "Z1"})
    assert (await api.delete(f"sobjects/Lead/{gone}")).status_code == 204
    cases = {
        f"/lightning/r/Lead/{to18('00QgS0000009999')}/view": "doesn't exist",
        f"/lightning/r/Lead/{gone}/view": "was deleted",
        f"/lightning/r/Opportunity/{lead_id}/view": "address may be wrong",
        f"/lightning/r/Account/{lead_id}/view": "address may be wrong",
        "/lightning/r/Lead/00Q<script>/view": "address may be wrong",
        f"/lightning/r/Lead/{lead_id[:15]}XYZ/view": "address may be wrong",  # bad checksum
        f"/{to18('001gS0000000001')}": "address may be wrong",  # no page for Accounts
    }
    for path, reason in cases.items():
        answer = await http.get(path)
        assert answer.status_code == 404, path
        assert answer.headers["content-type"].startswith("text/html")
        assert reason in unescape(answer.text), path
        assert Page(answer.text).heading == "Page not found"
    # a missing record's short address still goes to its page, which says so
    missing = to18("00QgS0000009999")
    assert (await http.get(f"/{missing}")).headers[
        "location"
    ] == f"/lightning/r/Lead/{missing}/view"
