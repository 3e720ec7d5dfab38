"""`python -m iib_core`: the same command line as `app.py` and the installed `iib`."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
