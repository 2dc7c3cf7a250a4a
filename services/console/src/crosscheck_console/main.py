"""`crosscheck-console`: run the web console."""

from __future__ import annotations

from crosscheck_platform.entry import serve


def main() -> None:
    serve("crosscheck_console.bootstrap")


if __name__ == "__main__":
    main()
