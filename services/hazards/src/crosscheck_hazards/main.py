"""`crosscheck-hazards`: run the hazards service."""

from __future__ import annotations

from crosscheck_platform.entry import serve


def main() -> None:
    serve("crosscheck_hazards.bootstrap")


if __name__ == "__main__":
    main()
