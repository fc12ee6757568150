"""`--points` a chunk of rows at a time: CSV read by polars, numbers computed by numpy.

The same promises as `batch.Points`, row for row: one outcome per row, in
order, errors in place with their row number. Only what is certainly the
same goes the fast way; everything else takes the row-at-a-time path of
`batch.Points` (its `outcome`), so the two agree by construction:
- a chunk that holds a double quote, a lone `\\r` or a byte order mark, that
  polars refuses (a cell that is not a plain number) or reads as another
  number of rows than it has lines, is read row by row; where polars reads a
  cell as a number, `float()` reads the same number (a test tries random cells);
- a row with an empty cell and no default, or whose numbers hold a NaN
  (an error, or inf - inf), is evaluated row by row; a run of fewer than
  `SHORT` rows of numbers between such rows goes on row by row, to the
  row writer;
- a line with no end within the row limit switches the rest of the input
  to rows.

A chunk is the whole lines of a read of `BLOCK` bytes (and of the line the
last read left unfinished), so memory stays flat whatever the file's size. A
pipe or terminal gives what it has (`read1`), so a record never waits for
later lines. From a named file, a thread reads and parses the next chunk
while this one is computed (`threads.ahead`).
"""

from __future__ import annotations

import io

from autodiff_cli import arrays
from autodiff_cli.batch import Points, header_columns, row_cells
from autodiff_cli.frames import np, pl
from autodiff_cli.reading import (
    RECORD_LIMIT,
    first_line,
    guarded,
    is_streaming,
    lines,
    within,
)
from autodiff_cli.threads import ahead

BLOCK = 2**22  # bytes of lines read at a time: some 70,000 rows of three numbers
SHORT = 64  # rows: a run of numbers shorter than this is written row by row


class Run:
    """Rows `first` to `first + len - 1`, all numbers: (value, *gradients) as columns."""

    __slots__ = ("first", "columns")

    def __init__(self, first: int, columns: list) -> None:
        self.first, self.columns = first, columns

    def __len__(self) -> int:
        return len(self.columns[0])


class ChunkedPoints(Points):
    """`batch.Points` for a CSV or TSV stream, a chunk at a time (`chunks`)."""

    def __init__(self, expr, stream, input_format: str, defaults, wrt) -> None:
        self._prepare(expr, wrt)
        self.defaults = defaults
        self._stream, self._buffer = stream, stream.buffer  # the stream: closed when let go
        header = first_line(self._buffer, RECORD_LIMIT, "the header of the points")
        self.columns, self.sep = [], None
        if header:
            self.sep, self.columns = header_columns(header, "\t" if input_format == "tsv" else None)
        self._csv_columns(defaults)

    def __iter__(self):
        for item in self.chunks():
            if isinstance(item, Run):
                rows = zip(*(c.tolist() for c in item.columns))
                yield from enumerate(rows, start=item.first)
            else:
                yield item[:2]

    def with_input(self):
        raise NotImplementedError("a chunk keeps no rows as read: --keep-input reads by rows")

    def chunks(self):
        """`Run`s of rows that are all numbers, and (row number, outcome, row as read)
        for each other row, in order."""
        if not self.columns:
            return
        blocks = self._blocks()
        for block in ahead(blocks) if self._read_ahead() else blocks:
            if isinstance(block, tuple):  # (its first row, the rest of the input): by rows
                first, rest = block
                for number, line in enumerate(lines(rest, RECORD_LIMIT), start=first):
                    row = row_cells(line, self.sep)
                    yield number, self.outcome(row), row
                return
            if block.frame is None:
                yield from self._rows_of(block, range(block.size))
            else:
                yield from self._evaluated(block)

    def _read_ahead(self) -> bool:
        """A thread reads ahead from a file, never from standard input (even a file there):
        at exit, a thread still reading it would hold its lock, and CPython aborts."""
        try:
            stdin = self._buffer.fileno() == 0
        except (OSError, ValueError, AttributeError):
            stdin = True
        return not stdin and not is_streaming(self._stream)

    def _plan(self):
        """For each variable: its column's position (None: none) and its default."""
        index = {name: k for k, name in enumerate(self.columns)}
        return [(index.get(n), self.defaults.get(n)) for n in self.expr.variables]

    def _blocks(self):
        """Each `Block` of whole lines, read and parsed; run in the reading thread.
        Last, if a line has no end in sight, (its row number, the rest of the input as text)."""
        read1, carry, first = self._buffer.read1, b"", 1
        used = sorted({k for k, _ in self._plan() if k is not None})
        schema = {f"c{k}": pl.Float64 if k in used else pl.String for k in range(len(self.columns))}
        size = min(BLOCK, 2**18)  # the first chunk small: computing and writing start soon
        while True:
            data = guarded(read1, size)
            size = BLOCK
            if data:
                cut = data.rfind(b"\n") + 1
                if not cut:  # no line ends here: all of it waits for the next read
                    carry += data
                    if len(carry) > RECORD_LIMIT:  # no line end in sight: a row too long, maybe
                        yield first, _rest(carry, self._buffer)
                        return
                    continue
                # One copy at most: the lines' bytes are `data` itself when nothing waited.
                whole = data if cut == len(data) else memoryview(data)[:cut]
                block = b"".join((carry, whole)) if carry else bytes(whole)
                carry = data[cut:]
            elif carry:
                block = carry
            else:
                return
            parsed = Block(first, block, self._parsed(block, schema, used))
            yield parsed
            first += parsed.size
            if not data:
                return

    def _parsed(self, block: bytes, schema: dict, used: list):
        """Polars' frame of the used columns, or None where it might differ from `float()`."""
        if b'"' in block or (b"\r" in block and block.count(b"\r") != block.count(b"\r\n")):
            return None
        if b"\xef\xbb\xbf" in block:  # polars drops a byte order mark at a chunk's start
            return None
        if _longest_line_over(block, RECORD_LIMIT):
            return None  # a row past its limit: its error, row by row
        try:
            frame = pl.read_csv(
                block,
                has_header=False,
                schema=schema,
                separator=self.sep,
                columns=used or [0],
                eol_char="\n",
            )
        except Exception:  # polars' parse errors have no common base: any one means rows
            return None
        ends = np.count_nonzero(np.frombuffer(block, dtype=np.uint8) == 10)  # as count(b"\n")
        return frame if frame.height == ends + (not block.endswith(b"\n")) else None

    def _evaluated(self, block):
        size, frame = block.size, block.frame
        missing = np.zeros(size, dtype=bool)
        columns = []
        for k, default in self._plan():
            if k is None:
                columns.append(np.full(size, default))
                continue
            series = frame[f"c{k}"]
            if series.null_count():
                if default is None:
                    missing |= series.is_null().to_numpy()
                series = series.fill_null(default if default is not None else 0.0)
            columns.append(series.to_numpy())
        out = arrays.evaluate(self.expr, columns, size)
        out = [out[k] for k in self.pick]
        total = out[0]
        with np.errstate(all="ignore"):
            for column in out[1:]:
                total = total + column  # as sum(): a NaN, or inf - inf, is checked row by row
        slow = np.flatnonzero(missing | np.isnan(total)).tolist()
        if len(slow) > size // 8:  # rows to say one by one everywhere: all of them, so
            yield from self._rows_of(block, range(size))
            return
        start = 0
        for i in [*slow, size]:
            if i > start:
                yield from self._run(block, out, start, i)
            if i < size:
                yield from self._rows_of(block, (i,))
            start = i + 1

    def _run(self, block, out, start: int, end: int):
        """Rows `start` to `end` of a block, all numbers: a `Run`, or the rows one by one
        where they are too few to be worth one (polars' writing costs per call)."""
        if end - start >= SHORT:
            whole = start == 0 and end == len(out[0])
            yield Run(block.first + start, out if whole else [c[start:end] for c in out])
            return
        numbers = zip(*(c[start:end].tolist() for c in out))
        for number, row in enumerate(numbers, start=block.first + start):
            yield number, row, None

    def _rows_of(self, block, which):
        """Rows of a block, the row-at-a-time way: (number, outcome, cells as read)."""
        ends = block.ends
        for i in which:
            begin = ends[i - 1] + 1 if i else 0
            line = block.data[begin : ends[i] + 1].decode("utf-8", errors="replace")
            row = row_cells(within(line, RECORD_LIMIT), self.sep)
            yield block.first + i, self.outcome(row), row


class Block:
    """Whole lines of the input, from row `first`, and polars' frame of them (None: none)."""

    def __init__(self, first: int, data: bytes, frame) -> None:
        self.first, self.data, self.frame = first, data, frame
        self._ends = None
        self.size = frame.height if frame is not None else len(self.ends)

    @property
    def ends(self):
        """Where each line ends (the last may end with the block, with no line end)."""
        if self._ends is None:
            ends = np.flatnonzero(np.frombuffer(self.data, dtype=np.uint8) == 10)
            self._ends = ends if self.data.endswith(b"\n") else np.append(ends, len(self.data))
        return self._ends


def _longest_line_over(block: bytes, limit: int) -> bool:
    """Whether a line of `block` is longer than `limit` bytes: is there a stretch of
    `limit` bytes with no line end? (A few searches a block, from each stretch's end.)"""
    start = 0
    while len(block) - start > limit:
        end = block.rfind(b"\n", start, start + limit + 1)
        if end < 0:
            return True
        start = end + 1
    return False


class _Chained(io.RawIOBase):
    """Bytes already read, then the rest of the stream."""

    def __init__(self, head: bytes, rest) -> None:
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n], self._head = self._head[:n], self._head[n:]
            return n
        data = self._rest.read1(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _rest(head: bytes, buffer):
    """The rest of the input as text, as `reading.open_input` would give it."""
    raw = io.BufferedReader(_Chained(head, buffer))
    return io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="\n")
