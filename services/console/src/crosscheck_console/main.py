"""`crosscheck-console`: run the web console."""

from __future__ import annotations

from crosscheck_console import bootstrap
from crosscheck_platform.http import run
from crosscheck_platform.logging import configure_logging


def main() -> None:
    settings = bootstrap.settings_from_env()
    configure_logging(bootstrap.SERVICE, settings.log_level)
    run(bootstrap.build_app, settings)


if __name__ == "__main__":
    main()
