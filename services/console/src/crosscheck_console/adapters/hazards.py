"""The hazards service's HTTP API as the console uses it, typed after its OpenAPI
document (contracts/openapi/hazards.json): request bodies and the parts of the answers
the pages read. Every command carries an idempotency key, so a retried form (a phone
that lost its answer, a queue sent again) changes nothing the second time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

from crosscheck_console.adapters.services import ApiRefused, Apis


class AnswerBody(TypedDict):
    item_id: str
    passed: bool
    severity: NotRequired[str]
    description: NotRequired[str]
    evidence_ids: NotRequired[list[str]]


class RecordInspection(TypedDict):
    campaign_id: str
    round_no: int
    site_id: str
    group_id: str
    present_staff_ids: list[str]
    answers: list[AnswerBody]
    inspected_at: NotRequired[str]


class HazardRecorded(TypedDict):
    hazard_id: str
    checklist_item_id: str | None
    severity: str


class InspectionRecorded(TypedDict):
    inspection_id: str
    site_id: str
    hazard_ids: list[str]
    hazards: list[HazardRecorded]


class Notify(TypedDict):
    told_person_name: str
    signed: bool


class Assign(TypedDict):
    responsible_person_name: str
    deadline: NotRequired[str]


class Report(TypedDict):
    note: str
    evidence_ids: NotRequired[list[str]]


class Verify(TypedDict):
    note: NotRequired[str]
    evidence_ids: NotRequired[list[str]]


class Reject(TypedDict):
    reason: str
    new_deadline: NotRequired[str]


class ChecklistItem(TypedDict):
    item_id: str
    category: str
    check: str
    check_en: str
    hazard: str
    action: str
    severity: str


class Checklist(TypedDict):
    checklist_id: str
    version: str
    site_type: str
    items: list[ChecklistItem]


class Position(TypedDict):
    lat: float
    lon: float


class EvidenceStored(TypedDict):
    """When and where evidence was taken, as its first upload recorded it."""

    evidence_id: str
    uploaded_at: str
    taken_at: str | None
    time_source: str | None
    location: Position | None
    position_source: str | None


@dataclass(frozen=True)
class Recorded:
    """An answer and whether it was the first one (False: a retry, replayed)."""

    body: dict[str, Any]
    replayed: bool


@dataclass(frozen=True)
class Hazards:
    apis: Apis
    token: str
    lang: str

    async def checklist(self, site_type: str) -> Checklist:
        found: Checklist = await self.apis.json(
            "hazards", f"/v1/checklists/{site_type}", self.token, self.lang
        )
        return found

    async def upload(
        self, data: bytes, content_type: str, taken: dict[str, str] | None = None
    ) -> EvidenceStored:
        """Photos are stored by their content: the same photo sent twice is one photo,
        with the time and position (`taken_at`, `lat`, `lon`) its first upload gave."""
        answer = await self.apis.call(
            "hazards",
            "POST",
            "/v1/evidence",
            self.token,
            self.lang,
            content=data,
            headers={"Content-Type": content_type},
            params=taken or {},
        )
        stored: EvidenceStored = answer.json()
        return stored

    async def capture(self, evidence_id: str) -> EvidenceStored | None:
        """When and where the evidence was taken; None when nothing was recorded."""
        try:
            found: EvidenceStored = await self.apis.json(
                "hazards", f"/v1/evidence/{evidence_id}/capture", self.token, self.lang
            )
        except ApiRefused as refused:
            if refused.status == 404:
                return None
            raise
        return found

    async def record(self, body: RecordInspection, key: str) -> tuple[InspectionRecorded, bool]:
        sent = await self._command("/v1/inspections", body, key)
        recorded: InspectionRecorded = sent.body  # type: ignore[assignment]
        return recorded, sent.replayed

    async def notify(self, hazard_id: str, body: Notify, key: str) -> Recorded:
        return await self._command(f"/v1/hazards/{hazard_id}/notify", body, key)

    async def assign(self, hazard_id: str, body: Assign, key: str) -> Recorded:
        return await self._command(f"/v1/hazards/{hazard_id}/assign", body, key)

    async def report(self, hazard_id: str, body: Report, key: str) -> Recorded:
        return await self._command(f"/v1/hazards/{hazard_id}/report", body, key)

    async def verify(self, hazard_id: str, body: Verify, key: str) -> Recorded:
        return await self._command(f"/v1/hazards/{hazard_id}/verify", body, key)

    async def reject(self, hazard_id: str, body: Reject, key: str) -> Recorded:
        return await self._command(f"/v1/hazards/{hazard_id}/reject", body, key)

    async def hazard(self, hazard_id: str) -> dict[str, Any]:
        found: dict[str, Any] = await self.apis.json(
            "hazards", f"/v1/hazards/{hazard_id}", self.token, self.lang
        )
        return found

    async def inspection(self, inspection_id: str) -> dict[str, Any]:
        found: dict[str, Any] = await self.apis.json(
            "hazards", f"/v1/inspections/{inspection_id}", self.token, self.lang
        )
        return found

    async def inspection_hazards(self, inspection_id: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = await self.apis.json(
            "hazards", f"/v1/inspections/{inspection_id}/hazards", self.token, self.lang
        )
        return found

    async def notice_pdf(self, inspection_id: str) -> bytes:
        answer = await self.apis.call(
            "hazards", "GET", f"/v1/inspections/{inspection_id}/notice.pdf", self.token, self.lang
        )
        return answer.content

    async def _command(self, path: str, body: Any, key: str) -> Recorded:
        answer = await self.apis.call(
            "hazards",
            "POST",
            path,
            self.token,
            self.lang,
            json=body,
            headers={"Idempotency-Key": key},
        )
        return Recorded(answer.json(), answer.headers.get("Idempotent-Replayed") == "true")
