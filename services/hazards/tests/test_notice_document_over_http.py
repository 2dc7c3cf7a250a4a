"""The rectification notice as a township files it, over HTTP: its number in the
township's yearly sequence, the legal basis of each item, the inspectors by name, the
seal area and the tear-off receipt; its QR code, read back from the PDF rendered to an
image, opens a public status page without a token that shows where each hazard stands
and nothing personal, in Chinese or in English, and stops opening once the link is
revoked."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pypdfium2
import pytest
import zxingcpp

from crosscheck_contracts.base import Event
from crosscheck_contracts.envelope import Envelope
from crosscheck_contracts.events import NoticeIssued, StaffEnrolled
from crosscheck_platform.auth import Role
from crosscheck_testing.infra import Infra

from .harness import Harness, base_inventory, round_plan, running_service
from .test_loop_over_http import command, inspection, record

pytestmark = pytest.mark.infra

SITES = ["site-doc-1", "site-doc-2"]
PRIVATE = ("王建国", "李检查", "张队员", "货架上有过期方便面5袋", "13812345678")


@pytest.fixture(scope="module")
async def svc(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    async with running_service(infra, tmp_path_factory.mktemp("evidence")) as harness:
        staff = [
            StaffEnrolled(staff_id=s, name=n, unit="综治办", is_leadership=s == "s-1")
            for s, n in (("s-1", "李检查"), ("s-2", "张队员"))
        ]
        await harness.publish(
            [
                *base_inventory(SITES, closed_site="site-doc-shut"),
                *staff,
                round_plan(1, SITES, ["site-doc-x"]),
            ]
        )
        await harness.wait_for_inventory(round_sites=3, known_sites=3)
        await harness.wait_for("SELECT count(*) FROM known_staff", expect=2)
        yield harness


def decoded_qr(pdf: bytes) -> list[str]:
    """Every QR code on the PDF's pages, rendered at 200 dpi as a printer would."""
    found = []
    document = pypdfium2.PdfDocument(pdf)
    for page in document:
        image = page.render(scale=200 / 72).to_pil()
        found += [
            b.text
            for b in zxingcpp.read_barcodes(image)
            if b.format == zxingcpp.BarcodeFormat.QRCode
        ]
    return found


async def test_the_notice_document_and_its_public_status_page(svc: Harness) -> None:
    recorded = await record(
        svc,
        inspection(
            "site-doc-1",
            {
                "food.expired": {"description": "货架上有过期方便面5袋"},
                "exit.clear": {},
            },
        ),
    )
    by_item = {h["checklist_item_id"]: h["hazard_id"] for h in recorded["hazards"]}
    leader = svc.headers(Role.GROUP_LEADER, "s-1")
    noodles = by_item["food.expired"]
    await command(svc, noodles, "notify", {"told_person_name": "王建国", "signed": True}, leader)
    deadline = "2031-06-30T15:59:00+00:00"
    assign = {"responsible_person_name": "王建国", "deadline": deadline}
    await command(svc, noodles, "assign", assign, leader)

    url = f"/v1/inspections/{recorded['inspection_id']}/notice"
    html = (await svc.client.get(url, headers=leader)).text
    year = svc.clock().year
    for text in (
        f"维的乡互查整改〔{year}〕第1号",
        "《中华人民共和国食品安全法》第三十四条第(十)项",
        "《中华人民共和国消防法》第二十八条",
        "李检查、张队员",
        "(乡镇人民政府盖章)",
        "回  执",
        "沿此线剪开",
        "受检场所(签章)",
    ):
        assert text in html, text

    pdf = await svc.client.get(url + ".pdf", headers=leader)
    assert pdf.status_code == 200
    (link,) = decoded_qr(pdf.content)
    assert link in html  # the same link on the page and the PDF
    assert link.startswith("http://127.0.0.1:8103/public/notices/")
    path = urlsplit(link).path
    assert len(path.rsplit("/", 1)[1]) >= 32  # not guessable

    page = await svc.client.get(path)  # no token
    assert page.status_code == 200, page.text
    status = page.text
    assert f"维的乡互查整改〔{year}〕第1号" in status
    assert "整改中" in status and "2031年06月30日" in status  # the assigned hazard
    assert "待告知" in status  # the other one, not yet told
    assert "销售或使用过期、变质食品" in status  # the checklist's words, not the inspector's
    for private in PRIVATE:
        assert private not in status, private
    assert page.headers["content-language"] == "zh-CN"
    assert 'href="?lang=en"' in status  # the way to the English page

    # The same page in English, by the link or by the phone's language.
    by_link = await svc.client.get(path, params={"lang": "en"})
    by_header = await svc.client.get(path, headers={"Accept-Language": "en-GB,en;q=0.9"})
    for english in (by_link, by_header):
        assert english.status_code == 200, english.text
        assert english.headers["content-language"] == "en"
        text = english.text
        assert '<html lang="en">' in text and "Rectification progress" in text
        assert f"维的乡互查整改〔{year}〕第1号" in text  # the file number as filed
        assert "being rectified" in text and "2031-06-30" in text  # the assigned hazard
        assert ">found<" in text  # the other one, not yet told
        assert "Failed check: No expired, spoiled or unlabelled food" in text
        assert "food safety" in text and "整改中" not in text and "待告知" not in text
        for private in PRIVATE:
            assert private not in text, private
    # The link wins over the header; back to Chinese from the English page.
    chinese = await svc.client.get(path, params={"lang": "zh"}, headers={"Accept-Language": "en"})
    assert "整改中" in chinese.text and 'href="?lang=en"' in chinese.text
    assert 'href="?lang=zh"' in by_link.text

    # Printed again, the notice keeps its number and link; the next notice is No. 2.
    again = (await svc.client.get(url, headers=leader)).text
    assert f"〔{year}〕第1号" in again and link in again
    second = await record(svc, inspection("site-doc-2", {"exit.clear": {}}))
    other = await svc.client.get(
        f"/v1/inspections/{second['inspection_id']}/notice", headers=leader
    )
    assert f"维的乡互查整改〔{year}〕第2号" in other.text

    # Revoked, the link opens nothing; the next print carries a new one.
    revoke = f"{url}/revoke-link"
    assert (await svc.client.post(revoke, headers=leader)).status_code == 403
    admin = svc.headers(Role.TOWNSHIP_ADMIN, name="乡管理员")
    assert (await svc.client.post(revoke, headers=admin)).status_code == 204
    assert (await svc.client.get(path)).status_code == 404
    (renewed,) = decoded_qr((await svc.client.get(url + ".pdf", headers=leader)).content)
    assert renewed != link
    assert (await svc.client.get(urlsplit(renewed).path)).status_code == 200

    # Each link is published with the notice (NoticeIssued), for notify's mails.
    def issued(got: list[tuple[Envelope, Event]]) -> list[NoticeIssued]:
        return [e for _, e in got if isinstance(e, NoticeIssued)]

    published = issued(await svc.hazards_on_kafka(lambda got: len(issued(got)) >= 3))
    mine = [e for e in published if e.inspection_id == recorded["inspection_id"]]
    assert [e.status_url for e in mine] == [link, renewed]
    assert {e.file_number for e in mine} == {f"维的乡互查整改〔{year}〕第1号"}
    assert set(mine[0].hazard_ids) == set(by_item.values())


async def test_a_guessed_token_opens_nothing(svc: Harness) -> None:
    response = await svc.client.get("/public/notices/not-a-token")
    assert response.status_code == 404
