"""`python -m iib_core`: the same command line as `app.py` and the installed `iib`."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.argv[0] = "python -m iib_core"  # what --help shows as the program name
    sys.exit(main())
