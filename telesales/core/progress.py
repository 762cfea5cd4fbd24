"""Progress of long work on the command line (PRODUCT.md §9)."""

from django.utils.translation import gettext as _


class ProgressBar:
    """A progress bar on standard error: redrawn in place on a terminal, a line every tenth
    of the file otherwise (logs, CI), so standard output keeps only the summary or JSON."""

    WIDTH = 30

    def __init__(self, stream):
        self.stream = stream
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.last_tenth = -1
        self.drawn = False

    def update(self, rows: int, done: int, total: int) -> None:
        fraction = min(1.0, done / total) if total else 0.0
        tenth = int(fraction * 10)
        filled = int(fraction * self.WIDTH)
        text = _("[%(bar)s] %(percent)3d%% %(rows)s rows") % {
            "bar": "#" * filled + "." * (self.WIDTH - filled),
            "percent": int(fraction * 100),
            "rows": f"{rows:,}",
        }
        if self.tty:
            self.stream.write("\r" + text)
        elif tenth > self.last_tenth:
            self.stream.write(text + "\n")
        else:
            return
        self.last_tenth = tenth
        self.drawn = True
        self.stream.flush()

    def close(self) -> None:
        if self.drawn and self.tty:
            self.stream.write("\n")
            self.stream.flush()
