"""``python -m hypecheck.cli``: the same command line as the ``hypecheck`` script."""

from . import main

if __name__ == "__main__":  # pragma: no cover
    main()
