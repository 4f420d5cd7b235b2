import sys

from gaia.cli import main

sys.exit(main())
