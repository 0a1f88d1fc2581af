"""Progress over the steps of a long loop (epochs, batches, masked copies).

On a terminal or in a notebook the bar is tqdm's own (``tqdm.auto``). Anywhere
else (a log file, a pipe, a CI job) tqdm would still redraw its line with
carriage returns, so that a log file holds one unreadable line; there the same
meter is written as plain lines instead, at most one every ``log_interval``
seconds and one at the end.
"""

import sys
import time

from tqdm import notebook, std
from tqdm.auto import tqdm as auto_tqdm

__all__ = ["progress"]


def progress(iterable, *, verbose, desc, unit="it", total=None, leave=True,
             log_interval=10.0):
    """Iterate over ``iterable``, showing progress on stderr when ``verbose``.

    Parameters
    ----------
    iterable : iterable
        The steps.
    verbose : int or bool
        Nothing is shown when false.
    desc : str
        Label of the meter.
    unit : str, default="it"
        Name of one step.
    total : int, default=None
        Number of steps, when ``len(iterable)`` does not give it.
    leave : bool, default=True
        Whether a terminal bar stays once finished (nested bars: ``False``).
    log_interval : float, default=10.0
        Seconds between plain lines when stderr is not a terminal.

    Returns
    -------
    steps : iterable
        The items of ``iterable``, in order.
    """
    if not verbose:
        return iterable
    if total is None and hasattr(iterable, "__len__"):
        total = len(iterable)
    file = sys.stderr
    # in a notebook, whose stderr is no tty, tqdm.auto draws a widget
    if issubclass(auto_tqdm, notebook.tqdm) or file.isatty():
        return auto_tqdm(iterable, desc=desc, unit=unit, total=total, leave=leave,
                         file=file)
    return _log_lines(iterable, desc, unit, total, file, log_interval)


def _log_lines(iterable, desc, unit, total, file, log_interval):
    start = last = time.perf_counter()
    n = shown = 0
    for n, item in enumerate(iterable, 1):
        yield item
        if time.perf_counter() - last >= log_interval or n == total:
            last, shown = _write_meter(file, n, total, start, desc, unit), n
    if n != shown:  # a loop of unknown length, or one left early
        _write_meter(file, n, total, start, desc, unit)


def _write_meter(file, n, total, start, desc, unit):
    now = time.perf_counter()
    file.write(std.tqdm.format_meter(n, total, now - start, prefix=desc, unit=unit,
                                     ascii=True) + "\n")
    file.flush()
    return now
