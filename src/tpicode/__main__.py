"""`python -m tpicode`: the same as the `tpicode` console script."""

import sys

from tpicode.cli import main

if __name__ == "__main__":
    sys.exit(main())
