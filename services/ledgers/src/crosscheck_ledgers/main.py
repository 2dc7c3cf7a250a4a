"""`crosscheck-ledgers`: run the ledgers service (`crosscheck-ledgers-rebuild`, in
`rebuild_main`, rebuilds its projection)."""

from __future__ import annotations

from crosscheck_platform.entry import serve


def main() -> None:
    serve("crosscheck_ledgers.bootstrap")


if __name__ == "__main__":
    main()
