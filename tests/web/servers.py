"""The app on a real WSGI server (waitress) in a thread, on a free loopback port."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import waitress
from flask import Flask


@dataclass(frozen=True)
class LiveServer:
    app: Flask
    url: str  # http://127.0.0.1:PORT, no trailing slash


@contextlib.contextmanager
def live_server(app: Flask, threads: int = 8) -> Iterator[LiveServer]:
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=threads)
    port = server.effective_port  # type: ignore[union-attr]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{port}")
    finally:
        server.close()
        thread.join(timeout=5)
        server.task_dispatcher.shutdown()  # type: ignore[union-attr]  # its request threads
