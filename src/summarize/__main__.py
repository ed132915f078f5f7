"""``python -m summarize`` (also what ``torchrun -m summarize train ...`` runs)."""

import sys

from summarize.cli import main

if __name__ == "__main__":
    sys.exit(main())
