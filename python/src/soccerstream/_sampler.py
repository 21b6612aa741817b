"""Frames of many matches split across workers, each match to exactly one of them."""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ._client import Client
from ._errors import InvalidArgument
from ._frame import Frame


@dataclass(frozen=True)
class Clip:
    """Part of a match: `count` frames (all to the end when None) from `start_frame`."""

    id: str
    start_frame: int = 0
    count: int | None = None


def _torch_worker() -> tuple[int, int] | None:
    """(worker id, workers) inside a PyTorch DataLoader worker; None elsewhere or without torch."""
    try:
        data = importlib.import_module("torch.utils.data")
    except ImportError:
        return None
    info = data.get_worker_info()
    if info is None:
        return None
    return int(info.id), int(info.num_workers)


class FrameSampler:
    """The frames of `items` (match ids or `Clip`s), this worker's share of them only.

    Items are dealt round the shards: item k goes to shard k mod count, so shards never share a
    match and together cover every one. `shard=(index, count)` names this process's share; inside
    a PyTorch DataLoader worker (when torch is importable) the worker's index splits that share
    again, so it works unchanged as an `IterableDataset`'s iterator. Each iteration opens its own
    connection with `connect()` (a process's channel must not cross a fork) and yields `Frame`s;
    `frames` takes `Client.frames`'s options (width, format, every, …).
    """

    def __init__(
        self,
        connect: Callable[[], Client],
        items: Sequence[str | Clip],
        *,
        shard: tuple[int, int] = (0, 1),
        **frames: Any,
    ) -> None:
        index, count = shard
        if count < 1 or not 0 <= index < count:
            raise InvalidArgument(
                f"shard is (index, count) with 0 <= index < count, not {shard}", code="INVALID_ARGUMENT"
            )
        self._connect = connect
        self._items = [item if isinstance(item, Clip) else Clip(item) for item in items]
        self._shard = shard
        self._frames = frames

    def share(self) -> tuple[int, int]:
        """(index, count) of the share this process iterates, the DataLoader's worker counted."""
        index, count = self._shard
        worker = _torch_worker()
        if worker is None:
            return index, count
        worker_id, workers = worker
        return index * workers + worker_id, count * workers

    def items(self) -> list[Clip]:
        """The clips this process iterates."""
        index, count = self.share()
        return self._items[index::count]

    def __iter__(self) -> Iterator[Frame]:
        mine = self.items()
        if not mine:
            index, count = self.share()
            warnings.warn(
                f"share {index} of {count} has no match to read: {len(self._items)} item(s) dealt over {count} "
                "shares (DataLoader workers count); give fewer shards or workers, or split matches into Clips",
                RuntimeWarning,
                stacklevel=2,
            )
            return
        with self._connect() as client:
            for clip in mine:
                yield from client.frames(clip.id, start_frame=clip.start_frame, count=clip.count, **self._frames)
