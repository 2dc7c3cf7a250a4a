"""`crosscheck-notify`: run the notify service."""

from __future__ import annotations

from crosscheck_platform.entry import serve


def main() -> None:
    serve("crosscheck_notify.bootstrap")


if __name__ == "__main__":
    main()
