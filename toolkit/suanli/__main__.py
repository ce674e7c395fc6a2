"""``python -m suanli`` is the ``suanli`` command."""

from suanli.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
