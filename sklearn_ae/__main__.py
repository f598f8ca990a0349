"""``python -m sklearn_ae compare ...``: the same as the ``sklearn-ae`` command."""

import sys

from ._cli import main

sys.exit(main())
