"""Where a trial's chunks run: in this process, or on the workers of a Dask cluster.

:func:`open_executor` gives an object with one method, ``map(fn, chunks, *args, tick=None)``:
``fn(chunk, *args)`` for every chunk, results returned in chunk order, ``tick(k)`` called as the
chunks of ``k`` men finish (in whatever order they finish). The trial runner does not know which
kind it got, and since results come back in chunk order and a man's numbers do not depend on his
chunk, a Dask run gives exactly the numbers of a local run with the same seed.

``dask`` is ``None`` (this process), ``"local"`` (a ``dask.distributed.LocalCluster`` with one
single-threaded worker process per core, started here and closed at the end), a scheduler
address such as ``"tcp://scheduler:8786"`` (an existing cluster whose workers run the same
environment, hpgsim included), or a ``distributed.Client`` the caller manages. Each worker
compiles the model once, or loads it from the on-disk numba cache.

On any exception, Ctrl-C included, the chunks still queued or running are cancelled before the
exception goes on, and a cluster started here is closed.
"""

from __future__ import annotations

import logging
import math
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from ..errors import InputError

MAX_CHUNK_SIZE = 2_000          # men per chunk at most, unless asked otherwise
MIN_CHUNK_SIZE = 10             # per-chunk overhead (scheduling, pickling) stays small next to 10 men's runs
CHUNKS_PER_WORKER = 4           # enough chunks that a slow worker does not hold up the arm
MIN_CHUNKS = 20                 # so the progress bar moves even on one core
CONNECT_TIMEOUT_S = 10.0        # how long to try reaching a scheduler before giving up


class LocalChunks:
    """Runs every chunk here, one after the other."""

    workers = 1

    def map(self, fn: Callable, chunks: Sequence[np.ndarray], *args: Any,
            tick: Callable[[int], None] | None = None) -> list:
        results = []
        for chunk in chunks:
            results.append(fn(chunk, *args))
            if tick is not None:
                tick(len(chunk))
        return results


class DaskChunks:
    """Submits every chunk to a Dask cluster through ``client``."""

    def __init__(self, client):
        self.client = client

    @property
    def workers(self) -> int:
        """Threads across the cluster's workers (at least 1: workers may still be joining)."""
        info = self.client.scheduler_info()
        return max(1, sum(w.get("nthreads", 1) for w in info.get("workers", {}).values()))

    def map(self, fn: Callable, chunks: Sequence[np.ndarray], *args: Any,
            tick: Callable[[int], None] | None = None) -> list:
        from distributed import as_completed

        futures: list = []
        sizes: dict = {}
        try:
            for chunk in chunks:
                # pure=False: two chunks with equal contents are still two tasks (no result sharing)
                futures.append(self.client.submit(fn, chunk, *args, pure=False))
                sizes[futures[-1].key] = len(chunk)
            for future in as_completed(futures):
                future.result()   # a failed chunk raises here, at once, with the worker's exception
                if tick is not None:
                    tick(sizes[future.key])
            return self.client.gather(futures)
        except BaseException:
            self.client.cancel(futures)
            raise


def chunk_size_for(n_men: int, workers: int, chunk_size: int | None) -> int:
    """The chunk size to use for ``n_men`` men: ``chunk_size`` if given, else at most
    :data:`MAX_CHUNK_SIZE` men and at least :data:`MIN_CHUNKS` chunks (or
    :data:`CHUNKS_PER_WORKER` per worker), never under :data:`MIN_CHUNK_SIZE` men."""
    if chunk_size is not None:
        return int(chunk_size)
    parts = max(MIN_CHUNKS, CHUNKS_PER_WORKER * workers)
    return max(1, min(MAX_CHUNK_SIZE, max(MIN_CHUNK_SIZE, math.ceil(n_men / parts))))


def check_chunk_size(chunk_size: object, file: str | None = None) -> int | None:
    if chunk_size is None:
        return None
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) or not 1 <= chunk_size <= 100_000:
        raise InputError("chunk_size", "a whole number of men per chunk between 1 and 100000", repr(chunk_size), file)
    return int(chunk_size)


@contextmanager
def open_executor(dask: object = None) -> Iterator[LocalChunks | DaskChunks]:
    """The executor for ``dask`` (see the module docstring), closed again on leaving."""
    if dask is None or dask is False:
        yield LocalChunks()
        return
    if not isinstance(dask, str):
        from distributed import Client

        if isinstance(dask, Client):
            yield DaskChunks(dask)
            return
        raise InputError("dask", "'local', a scheduler address such as tcp://host:8786, or a distributed.Client",
                         type(dask).__name__)
    address = dask.strip()
    if address == "local":
        with _local_cluster() as client:
            yield DaskChunks(client)
        return
    if "://" not in address and ":" not in address:
        raise InputError("dask", "'local' or a scheduler address such as tcp://host:8786", repr(dask))
    with _connect(address) as client:
        yield DaskChunks(client)


@contextmanager
def _local_cluster(n_workers: int | None = None):
    from distributed import Client, LocalCluster

    cluster = None
    try:
        with _workers_ignore_ctrl_c():
            # one single-threaded worker process per core: the model is compiled code that holds
            # the GIL, so threads in one process would take turns; the dashboard on any free port
            # (the usual 8787 may be another user's cluster on a shared machine)
            cluster = LocalCluster(n_workers=n_workers or os.cpu_count() or 1, threads_per_worker=1,
                                   processes=True, dashboard_address=":0", silence_logs=logging.ERROR)
        with Client(cluster) as client:
            yield client
    finally:
        if cluster is not None:
            try:
                cluster.close()
            except Exception:   # noqa: BLE001 (a worker still starting when Ctrl-C came: it is stopped anyway)
                pass


@contextmanager
def _workers_ignore_ctrl_c():
    """Start worker processes with Ctrl-C (SIGINT) ignored.

    A terminal sends Ctrl-C to every process in its foreground group, the workers of a local
    cluster included, and each would print tracebacks of its own. A process started while SIGINT
    is ignored keeps ignoring it (Python then installs no handler of its own), so the workers,
    started here, leave Ctrl-C to this process, which cancels the work and closes the cluster
    (stopping them). Ctrl-C in the few seconds the workers take to start is therefore lost.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def _connect(address: str):
    from distributed import Client

    try:
        client = Client(address, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError) as err:   # refused, unreachable, timed out, bad address
        reason = " ".join(str(err).split())
        why = (f"no answer within {CONNECT_TIMEOUT_S:g} s" if isinstance(err, TimeoutError) or "Timed out" in reason
               else reason[:160] or type(err).__name__)
        raise InputError("dask", "a Dask scheduler that can be reached (start one with 'dask scheduler')",
                         f"{address} ({why})") from None
    try:
        yield client
    finally:
        client.close()
