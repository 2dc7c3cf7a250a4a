"""What the hazards service's handlers need beyond the platform runtime: the clock,
the deadline policy, the checklists and the evidence store. Built once in bootstrap."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from crosscheck_hazards.adapters.blobs import BlobStore
from crosscheck_hazards.domain.checklists import ChecklistLibrary
from crosscheck_hazards.domain.deadlines import DeadlinePolicy
from crosscheck_platform.clock import Clock


class HazardsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CROSSCHECK_HAZARDS_", extra="ignore")

    evidence_store: Literal["postgres", "s3", "folder"] = "postgres"
    """Where evidence files go: the service's PostgreSQL schema (shared by every
    replica), an S3-compatible bucket, or a local folder (one host only)."""
    evidence_dir: Path = Path(".data/hazards-evidence")
    s3_bucket: str = ""
    s3_prefix: str = "evidence/"
    s3_endpoint_url: str | None = None
    """Unset for AWS itself; the object store's URL otherwise (MinIO, Ceph, a cloud's OSS)."""
    s3_region: str | None = None
    general_deadline_days: int = Field(default=7, ge=1, le=365)
    major_deadline_days: int = Field(default=30, ge=1, le=365)
    public_url: str = "http://127.0.0.1:8103"
    """Where the public reaches this service: the notices' QR codes link below it."""

    def deadline_policy(self) -> DeadlinePolicy:
        return DeadlinePolicy(
            general_days=self.general_deadline_days, major_days=self.major_deadline_days
        )


@dataclass(frozen=True)
class HazardsServices:
    clock: Clock
    policy: DeadlinePolicy
    checklists: ChecklistLibrary
    blobs: BlobStore
    public_url: str = "http://127.0.0.1:8103"
