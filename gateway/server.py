"""The gunicorn worker the gateway runs on (``gunicorn.conf.py``): gunicorn's threaded one,
except that an over-long request line gets the gateway's answer, not gunicorn's HTML.

gunicorn reads at most ``limit_request_line`` characters of a request line (8,190 at
most) and answers a longer one itself, as an HTML ``414`` page, before the app sees it.
The gateway documents a plain ``400`` instead (data.police.uk answers a GET line over
4,094 characters with ``400``; the app itself refuses lines from 4,095 to 8,190 on
``/api/``), so this worker answers those lines with the same ``text/plain`` 400, whatever
the path: the line was never read far enough to know it.
"""

from __future__ import annotations

from gunicorn import util
from gunicorn.http.errors import LimitRequestLine
from gunicorn.workers.gthread import ThreadWorker


def request_line_refusal(limit: int) -> bytes:
    """The whole HTTP answer to a request line longer than ``limit`` characters."""
    body = (
        f"400 Bad Request: the request line is over {limit:,} characters: "
        "send long parameters (such as poly) in a POST form body instead\n"
    ).encode()
    head = (
        "HTTP/1.1 400 Bad Request\r\n"
        "Connection: close\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    return head + body


class Worker(ThreadWorker):
    def handle_error(self, req, client, addr, exc):
        if not isinstance(exc, LimitRequestLine):
            return super().handle_error(req, client, addr, exc)
        self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
        try:
            util.write_nonblock(client, request_line_refusal(exc.max_size or self.cfg.limit_request_line))
        except Exception:
            self.log.debug("Failed to send error message.")
