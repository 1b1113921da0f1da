"""Hold numpy's BLAS to one thread while steplens works, so it never fights PyTorch for cores.

numpy's OpenBLAS and PyTorch's OpenMP each keep a pool of as many threads as there are cores,
and both pools spin for a while after a call before they sleep. The tagger alternates between
them (spaCy's and the heads' small numpy products, the encoder's PyTorch passes), so each pass
started while the other pool's threads were still spinning on every core: in-process, a batch
of 8 tweets took 135 ms instead of 41 ms (docs/speed.md). The numpy products steplens does
are small (a few hundred rows by 384), so one BLAS thread loses nothing.
"""

from __future__ import annotations

import functools
import logging
import threading
from typing import Any

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=1)
def blas_controller() -> Any:
    """threadpoolctl's handle on the BLAS libraries numpy uses, or None without threadpoolctl."""
    import numpy  # noqa: F401  (loads the BLAS to control, before threadpoolctl looks)

    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    try:
        controller = ThreadpoolController().select(user_api="blas")
    except Exception:  # an unusual BLAS build: leave threading alone
        logger.debug("threadpoolctl cannot control this BLAS", exc_info=True)
        return None
    return controller if controller.lib_controllers else None


class OneBlasThread:
    """A context manager: numpy's BLAS runs one thread while any thread of the process is inside.

    Counted, so overlapping (or nested) uses from several threads restore the original limit
    only when the last one ends. Without threadpoolctl, or with a BLAS it cannot control, it
    does nothing.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._limiter: Any = None

    def __enter__(self) -> None:
        controller = blas_controller()
        if controller is None:
            return
        with self._lock:
            if self._users == 0:
                self._limiter = controller.limit(limits=1)
            self._users += 1

    def __exit__(self, *exc: object) -> None:
        if blas_controller() is None:
            return
        with self._lock:
            self._users -= 1
            if self._users == 0 and self._limiter is not None:
                self._limiter.restore_original_limits()
                self._limiter = None


single_threaded_blas = OneBlasThread()
