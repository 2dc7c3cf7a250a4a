"""A service's process: its console script hands `serve` the module that wires it.

What the process cannot run without is checked before the service is loaded (seconds
of imports): a missing token issuer is reported at once, and the same way by every
service. The app's own checks (`service_app`) stay for apps built without this entry.
"""

from __future__ import annotations

import importlib

from crosscheck_platform.auth.verifier import IssuerNotConfigured
from crosscheck_platform.logging import configure_logging
from crosscheck_platform.settings import ServiceSettings


def serve(bootstrap: str) -> None:
    """Serve the service wired by the module `bootstrap` (its `SERVICE` name,
    `settings_from_env` and `build_app`) until SIGTERM."""
    if not ServiceSettings().oidc_issuer:
        raise SystemExit(f"crosscheck: cannot start: {IssuerNotConfigured()}")
    wiring = importlib.import_module(bootstrap)
    # Imported with the service, not before the check: the HTTP stack is most of the load.
    from crosscheck_platform.http import run

    settings = wiring.settings_from_env()
    configure_logging(wiring.SERVICE, settings.log_level)
    run(wiring.build_app, settings)
