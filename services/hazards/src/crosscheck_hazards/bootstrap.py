"""Wiring of the hazards service: what is its own; the platform does the rest."""

from __future__ import annotations

from fastapi import FastAPI

from crosscheck_hazards.adapters.blobs import BlobStore
from crosscheck_hazards.adapters.checklist_data import standard_library
from crosscheck_hazards.adapters.evidence_store import EvidenceStore
from crosscheck_hazards.api import routers
from crosscheck_hazards.app.services import HazardsServices, HazardsSettings
from crosscheck_hazards.consumers import consumers
from crosscheck_platform.clock import Clock, system_clock
from crosscheck_platform.http import ServiceSpec, load_settings, service_app
from crosscheck_platform.settings import ServiceSettings

SERVICE = "hazards"
DEFAULT_PORT = 8103


def settings_from_env() -> ServiceSettings:
    return load_settings(default_port=DEFAULT_PORT)


def build_app(
    settings: ServiceSettings,
    *,
    hazards: HazardsSettings | None = None,
    clock: Clock = system_clock,
    blobs: BlobStore | None = None,
) -> FastAPI:
    """The hazards app; its database schema is `hazards` unless CROSSCHECK_DB_SCHEMA says
    otherwise. Tests inject the clock and the evidence store."""
    own = hazards or HazardsSettings()
    parts = consumers()
    if blobs is None:
        configured = EvidenceStore(
            own.evidence_store,
            folder=own.evidence_dir,
            bucket=own.s3_bucket,
            prefix=own.s3_prefix,
            endpoint_url=own.s3_endpoint_url,
            region=own.s3_region,
        )
        parts = [configured.part, *parts]
        blobs = configured
    app = service_app(ServiceSpec(name=SERVICE, routers=routers(), consumers=parts), settings)
    app.state.hazards = HazardsServices(
        clock=clock,
        policy=own.deadline_policy(),
        checklists=standard_library(),
        blobs=blobs,
        public_url=own.public_url.rstrip("/"),
    )
    return app
