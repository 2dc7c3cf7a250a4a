"""`crosscheck-rotation`: run the rotation service."""

from __future__ import annotations

from crosscheck_platform.entry import serve


def main() -> None:
    serve("crosscheck_rotation.bootstrap")


if __name__ == "__main__":
    main()
