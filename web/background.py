"""A background thread of an app process that sleeps until woken or until its poll interval
passes: the grading service and the LTI score sender each run one."""

from __future__ import annotations

import threading


class Background:
    """Subclasses write :meth:`run`, looping ``while not self.stopping`` and calling
    :meth:`pause` when there is nothing to do."""

    #: The thread's name, as ``ps`` and log records show it.
    thread_name = "matcalc-background"

    def __init__(self) -> None:
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self.run, name=self.thread_name, daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def wake(self) -> None:
        """There is work: look now rather than at the next poll."""
        self._wake.set()

    def pause(self, seconds: float) -> None:
        """Sleep until woken, stopped or ``seconds`` pass."""
        self._wake.wait(seconds)
        self._wake.clear()

    def run(self) -> None:
        raise NotImplementedError
