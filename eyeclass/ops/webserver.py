"""One web process: uvicorn serving the ASGI app on a listening socket inherited from `manage.py serve`.

    python -m eyeclass.ops.webserver --fd N

What it adds to uvicorn's defaults, each from a setting:
- Forwarded headers (`X-Forwarded-For`, `X-Forwarded-Proto`) are believed only from the addresses in
  EYECLASS_TRUSTED_PROXIES (default: none), so a client cannot choose the address that django-axes
  throttles, nor claim HTTPS. uvicorn itself would trust them from 127.0.0.1.
- A connection must finish its request headers within EYECLASS_HEADER_TIMEOUT_SECONDS of its first
  byte (or of opening), else it gets 408 and is closed: uvicorn has no such limit, so a client
  trickling header bytes held a connection for as long as it liked. The body's own idle limit is
  enforced in front of the app (`eyeclass.ops.limits`), where it counts only while the app is waiting
  for more body, never while a view is busy.
"""

from __future__ import annotations

import argparse
import asyncio
import os

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

TIMEOUT_BODY = b"The request headers did not arrive in time."
TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\nconnection: close\r\n"
    b"content-length: %d\r\n\r\n%s" % (len(TIMEOUT_BODY), TIMEOUT_BODY)
)


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline for each request's headers."""

    header_timeout = 15.0  # seconds; set from settings by main()

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._header_deadline: asyncio.TimerHandle | None = None
        self._arm_header_deadline()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._header_deadline is None:  # a keep-alive connection's next request
            self._arm_header_deadline()

    def on_headers_complete(self) -> None:
        self._disarm_header_deadline()
        super().on_headers_complete()

    def connection_lost(self, exc) -> None:
        self._disarm_header_deadline()
        super().connection_lost(exc)

    def _arm_header_deadline(self) -> None:
        self._header_deadline = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _disarm_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if self.transport.is_closing():
            return
        if self.cycle is None or self.cycle.response_complete:  # no request of ours is being answered
            self.transport.write(TIMEOUT_RESPONSE)
        self.transport.close()


def trusted_proxies(setting: list[str]) -> dict:
    """uvicorn's options for forwarded headers: off unless some proxy is trusted."""
    return {"proxy_headers": True, "forwarded_allow_ips": setting} if setting else {"proxy_headers": False}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fd", type=int, required=True, help="an inherited listening socket")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eyeclass.settings")
    from django.conf import settings

    HeaderTimeoutProtocol.header_timeout = settings.EYECLASS_HEADER_TIMEOUT_SECONDS
    config = uvicorn.Config(
        "eyeclass.asgi:application",
        fd=args.fd,
        http=HeaderTimeoutProtocol,
        # websockets-sansio reads a socket's next message only once the app has taken the last one
        ws="websockets-sansio",
        # a frame up to 4x the limit reaches the consumer, which refuses it with a reason ("too_large");
        # beyond that the server closes the socket with 1009
        ws_max_size=4 * settings.EYECLASS_LIVE_MAX_FRAME_BYTES + 1024,
        lifespan="off",
        access_log=False,
        timeout_graceful_shutdown=10,
        **trusted_proxies(settings.EYECLASS_TRUSTED_PROXIES),
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
