"""``python -m steplens``: the ``steplens`` command, for environments without its script."""

from steplens.cli.main import main

if __name__ == "__main__":
    main()
