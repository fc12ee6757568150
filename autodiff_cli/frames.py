"""numpy and polars, for `--points` in chunks, with their threads deaf to Ctrl-C.

Both start threads of their own (OpenBLAS's on import, polars' pools on
first use), and a thread inherits the signal mask of the one that starts it.
Started here with Ctrl-C and SIGTERM blocked (`threads.signals_blocked`),
they leave those signals to the main thread, which they interrupt at once.
Imported by the batch path only: their import costs more than a whole
`grad` (the README's start-up figures).
"""

from __future__ import annotations

import io

from autodiff_cli.threads import signals_blocked

with signals_blocked():
    import numpy as np
    import polars as pl

    pl.read_csv(b"0\n", has_header=False, schema={"c0": pl.Float64}).write_csv(io.BytesIO())

__all__ = ["np", "pl"]
