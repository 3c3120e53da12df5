"""The embedded broker: kombu's file-system transport, with atomic writes.

The stock transport creates a message file in the folder readers scan and only
then writes into it, so a fast reader on a busy machine can take the file while
it is still empty and crash its consumer on the JSON. Here a message is written
beside the queue folder and renamed into it in one step (os.replace is atomic on
one file system), so a reader sees a whole message or none."""

import os
import uuid
from time import monotonic

from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        staging = os.path.join(os.path.dirname(os.path.normpath(self.data_folder_out)), "staging")
        os.makedirs(staging, exist_ok=True)
        temporary = os.path.join(staging, name)
        try:
            with open(temporary, "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
            os.replace(temporary, os.path.join(self.data_folder_out, name))
        except OSError as exc:
            raise filesystem.ChannelError(f"Cannot add message {name!r} to the broker folder: {exc}") from exc


class Transport(filesystem.Transport):
    Channel = Channel


def install() -> None:
    """Make filesystem:// URLs use this transport (in every process that
    imports the Celery app: web, workers, beat)."""
    TRANSPORT_ALIASES["filesystem"] = "surge.broker:Transport"
