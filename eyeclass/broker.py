"""The embedded broker (no Redis): kombu's filesystem transport, with each message written atomically.

kombu creates a message file, then writes it: a worker polling the folder can take the file in between,
read nothing and stop with "Unrecoverable error: JSONDecodeError". Here a message is written under a name
the reader ignores and renamed into place, which is atomic within one filesystem, so a reader sees a whole
message or none.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".{name}.partial")  # does not match "<queue>.msg"
        try:
            with open(partial, "wb") as f:
                f.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel

    @property
    def default_connection_params(self) -> dict:
        # a folder, not a server: no default host name, which kombu would announce with a warning
        # ("No hostname was supplied") on every connection
        return {"port": self.default_port}
