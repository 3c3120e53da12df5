"""The embedded file-system broker never hands out a half-written message."""

import os

from kombu import Connection

from surge.broker import install


def test_messages_appear_in_the_queue_folder_only_when_complete(tmp_path, monkeypatch):
    install()
    folder = tmp_path / "in"
    folder.mkdir()
    seen_sizes = []
    real_replace = os.replace

    def watching_replace(src, dst):
        # At the moment of the rename the queue folder holds no partial file.
        seen_sizes.extend(os.path.getsize(folder / name) for name in os.listdir(folder))
        assert os.path.getsize(src) > 0
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", watching_replace)
    options = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "control_folder": str(tmp_path / "control"),
        "store_processed": False,
    }
    with Connection("filesystem://", transport_options=options) as connection:
        assert type(connection.transport).__module__ == "surge.broker"
        queue = connection.SimpleQueue("jobs")
        for n in range(5):
            queue.put({"n": n})
        # Order within one millisecond is not kept (the stock transport is the same).
        assert sorted(queue.get(timeout=1).payload["n"] for _ in range(5)) == [0, 1, 2, 3, 4]
        queue.close()
    assert all(size > 0 for size in seen_sizes)
    assert not list((tmp_path / "staging").iterdir())
