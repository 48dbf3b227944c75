"""Read what is left of an MCAP bag whose end is missing (a recorder killed, a disk full, a copy cut short).

rosbags opens MCAP through its summary section at the end of the file, so a
truncated file cannot be opened at all. This reader walks the records from the
start with the ``mcap`` library's stream reader (schemas, channels, messages,
inside chunks too) and stops at the cut: replay then writes a valid output
bag for the frames it could read and says how many.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from rvos_ros.errors import BagError
from rvos_ros.interface.messages import typestore

__all__ = ["SalvageConnection", "SalvageReader", "mcap_file"]


def mcap_file(path: Path) -> Path | None:
    """The MCAP file of a bag path (the file itself, or the one .mcap in a rosbag2 folder), else None."""
    if path.is_file() and path.suffix == ".mcap":
        return path
    if path.is_dir():
        files = sorted(path.glob("*.mcap"))
        return files[0] if len(files) == 1 else None
    return None


@dataclass(frozen=True)
class SalvageConnection:
    """A channel of the salvaged file, shaped like the rosbags connection fields we use."""

    id: int
    topic: str
    msgtype: str
    msgcount: int = 0


class SalvageReader:
    """``AnyReader``-like (connections, messages, deserialize, close) over a truncated MCAP file."""

    def __init__(self, path: Path) -> None:
        try:
            from mcap.records import Channel, Message, Schema
            from mcap.stream_reader import StreamReader
        except ImportError as err:
            raise BagError("reading a truncated MCAP bag needs the mcap package (pip install mcap)") from err
        self.path = path
        self._store = typestore()
        self._records = (Channel, Message, Schema)
        self._file: BinaryIO = open(path, "rb")  # noqa: SIM115 - closed in close()
        self._stream = StreamReader(self._file, skip_magic=False, emit_chunks=False)
        self._schemas: dict[int, str] = {}
        self._pending: list[Any] = []
        self.connections: list[SalvageConnection] = []
        self.stopped = ""
        self._it = iter(self._stream.records)
        self._scan_channels()

    def _next(self) -> Any | None:
        try:
            return next(self._it)
        except StopIteration:
            return None
        except Exception as err:  # the cut: EndOfFile, a half record, a bad CRC
            self.stopped = f"{type(err).__name__} {err}".strip()
            return None

    def _scan_channels(self) -> None:
        """Read records until the first message, collecting schemas and channels declared before it."""
        channel_t, message_t, schema_t = self._records
        while True:
            rec = self._next()
            if rec is None:
                return
            if isinstance(rec, schema_t):
                self._schemas[rec.id] = rec.name
            elif isinstance(rec, channel_t):
                self.connections.append(SalvageConnection(rec.id, rec.topic, self._schemas.get(rec.schema_id, "")))
            elif isinstance(rec, message_t):
                self._pending.append(rec)
                return

    def messages(self, connections: Sequence[SalvageConnection] = ()) -> Iterator[tuple[SalvageConnection, int, bytes]]:
        """Messages in file order until the cut (then ``stopped`` says where reading ended)."""
        channel_t, message_t, schema_t = self._records
        wanted = {c.id: c for c in (connections or self.connections)}
        while True:
            rec = self._pending.pop(0) if self._pending else self._next()
            if rec is None:
                return
            if isinstance(rec, schema_t):
                self._schemas[rec.id] = rec.name
            elif isinstance(rec, channel_t):
                conn = SalvageConnection(rec.id, rec.topic, self._schemas.get(rec.schema_id, ""))
                self.connections.append(conn)
            elif isinstance(rec, message_t) and rec.channel_id in wanted:
                yield wanted[rec.channel_id], int(rec.log_time), bytes(rec.data)

    def deserialize(self, raw: bytes, msgtype: str) -> Any:
        return self._store.deserialize_cdr(raw, msgtype)

    def close(self) -> None:
        self._file.close()
