"""A client for one OpenAI-compatible chat-completions endpoint (llama.cpp's
server, Ollama, vLLM or a hosted API), configured by the operator with
BRIEF_LLM_URL, BRIEF_LLM_MODEL and BRIEF_LLM_API_KEY.

Not ingest.http: that client refuses loopback and private addresses because
feed URLs come from strangers, while this URL comes from the operator and is
usually a model server on the same machine. What it shares with it is the
discipline: one deadline for the whole exchange (connect, send, every read),
a cap on the answer's size, and every failure turned into one exception the
caller falls back on."""

import http.client
import json
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

MAX_RESPONSE_BYTES = 1024 * 1024
CHAT_PATH = "/chat/completions"


class ModelError(Exception):
    """No usable answer: unreachable, timed out, HTTP error, or not the JSON
    a chat-completions endpoint returns."""


@dataclass(frozen=True)
class Endpoint:
    url: str  # the chat-completions URL itself, or the API base it hangs off ('…/v1')
    model: str
    api_key: str = ""
    timeout: float = 30.0

    @classmethod
    def from_settings(cls) -> "Endpoint | None":
        if not settings.BRIEF_LLM_URL:
            return None
        return cls(
            settings.BRIEF_LLM_URL,
            settings.BRIEF_LLM_MODEL,
            settings.BRIEF_LLM_API_KEY,
            settings.BRIEF_LLM_TIMEOUT_SECONDS,
        )

    @property
    def chat_url(self) -> str:
        url = self.url.rstrip("/")
        return url if url.endswith(CHAT_PATH) else url + CHAT_PATH


def chat(endpoint: Endpoint, messages: list[dict], *, max_tokens: int = 1200) -> str:
    """The assistant message's text for these messages (temperature 0)."""
    body = json.dumps(
        {"model": endpoint.model, "messages": messages, "temperature": 0, "max_tokens": max_tokens}
    ).encode()
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "User-Agent": settings.USER_AGENT,
    }
    if endpoint.api_key:
        headers["Authorization"] = f"Bearer {endpoint.api_key}"
    status, payload = _post(endpoint.chat_url, body, headers, endpoint.timeout)
    if status != 200:
        raise ModelError(f"the model endpoint answered HTTP {status}: {payload[:200]!r}")
    try:
        answer = json.loads(payload)
        content = answer["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise ModelError(f"not a chat-completions answer: {payload[:200]!r}") from exc
    if not isinstance(content, str) or not content.strip():
        raise ModelError("the model returned no text")
    return content


def _post(url: str, body: bytes, headers: dict, timeout: float) -> tuple[int, bytes]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ModelError(f"BRIEF_LLM_URL is not an http(s) URL: {url!r}")
    deadline = time.monotonic() + timeout
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    kwargs = {"context": ssl.create_default_context()} if parts.scheme == "https" else {}
    connection = connection_class(parts.hostname, parts.port, timeout=timeout, **kwargs)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request("POST", path, body=body, headers=headers)
        _bound(connection, deadline)
        response = connection.getresponse()
        chunks, size = [], 0
        while True:
            _bound(connection, deadline)
            chunk = response.read1(64 * 1024) if hasattr(response, "read1") else response.read(64 * 1024)
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_RESPONSE_BYTES:
                raise ModelError(f"the model's answer is over {MAX_RESPONSE_BYTES} bytes")
            chunks.append(chunk)
        return response.status, b"".join(chunks)
    except TimeoutError as exc:
        raise ModelError(f"no answer from the model within {timeout:g} s") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise ModelError(f"cannot reach the model endpoint: {type(exc).__name__}: {exc}") from exc
    finally:
        connection.close()


def _bound(connection, deadline: float) -> None:
    """Give the next socket operation only the time left before the deadline."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("deadline passed")
    if connection.sock is not None:
        connection.sock.settimeout(left)
