"""A stand-in for an OpenAI-compatible chat-completions endpoint, on
127.0.0.1, for the tests and for evaluate_briefs: no model weights, no
network. It reads the numbered evidence out of the prompt and answers with a
scripted draft that mixes faithful sentences (evidence sentences, cited, with
their attribution trimmed) and planted inventions (an evidence sentence with a
name, a number or a negation changed, or a claim no evidence makes), and
remembers which is which so the verifier's work can be scored."""

import json
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_EVIDENCE_LINE = re.compile(r"^\[(\d+)\] \([^)]*\) (.+)$", re.M)
_ATTRIBUTION = re.compile(r",\s+(?:according to [^,]{3,60}|[^,]{2,50}\s(?:said|says|told [^,]{2,40}))\s*\.$")
# Names and claims no real coverage of these stories holds.
_INVENTED_NAMES = ["Ottoline Brandreth", "Quillon Marsh", "Evander Pryce-Holloway", "Zephyrine Okonkwo-Lind"]
_INVENTED_CLAIMS = [
    "Officials confirmed that {n} people had been evacuated by helicopter overnight",
    "The government announced a $4.7 billion relief fund on Tuesday",
    "A spokesman for {name} called the decision a historic turning point",
]


@dataclass
class Script:
    """What the fake model said last: the sentences it planted as inventions
    and the faithful ones, as they appear in the draft (citations removed)."""

    planted: list[str] = field(default_factory=list)
    faithful: list[str] = field(default_factory=list)


def evidence_from_prompt(messages: list[dict]) -> list[str]:
    user = next((m["content"] for m in messages if m.get("role") == "user"), "")
    return [text for _number, text in _EVIDENCE_LINE.findall(user)]


def scripted_draft(evidence: list[str], rng: random.Random, script: Script) -> dict:
    """What happened: three faithful sentences and one with a fact changed;
    what to watch: an invented claim; answers: one faithful, one invented."""
    sentences = [(k + 1, text) for k, text in enumerate(evidence) if len(text) > 40]
    if not sentences:
        sentences = [(k + 1, text) for k, text in enumerate(evidence)]
    picked = rng.sample(sentences, min(4, len(sentences)))
    happened, watch, answers = [], [], []
    for number, text in picked[:3]:
        faithful = _trim(text)
        script.faithful.append(faithful)
        happened.append(f"{faithful} [{number}]")
    number, text = picked[0]
    altered = _altered(text, rng)
    script.planted.append(altered)
    happened.append(f"{altered} [{number}]")
    invented = _invented_claim(rng)
    script.planted.append(invented)
    watch.append(f"{invented} [{number}]")
    if len(picked) > 3:
        number, text = picked[3]
        answer = _trim(text)
        script.faithful.append(answer)
        answers.append({"question": "What else does the coverage report?", "answer": f"{answer} [{number}]"})
    invented = _invented_claim(rng)
    script.planted.append(invented)
    answers.append({"question": "What did officials announce?", "answer": f"{invented} [{picked[0][0]}]"})
    return {"happened": happened, "watch": watch, "answers": answers}


def _trim(text: str) -> str:
    """A faithful rewrite: the sentence without its closing attribution."""
    text = " ".join(text.split())
    trimmed = _ATTRIBUTION.sub(".", text)
    return trimmed if len(trimmed) > 40 else text


def _altered(text: str, rng: random.Random) -> str:
    """One fact of the sentence changed: a number, else a name, else its negation."""
    text = _trim(text)
    numbers = re.findall(r"\b\d[\d,.]*\b", text)
    if numbers:
        target = rng.choice(numbers)
        return re.sub(rf"\b{re.escape(target)}\b", str(rng.randint(2, 9) * 111), text, count=1)
    names = re.findall(r"(?<=\s)[A-Z][a-z]{3,}\b", text)
    if names:
        return re.sub(rf"\b{re.escape(rng.choice(names))}\b", rng.choice(_INVENTED_NAMES), text, count=1)
    auxiliary = re.search(r"\b(is|are|was|were|has|have|had|will)\b", text)
    if auxiliary:
        return f"{text[: auxiliary.end()]} not{text[auxiliary.end() :]}"
    return f"{rng.choice(_INVENTED_NAMES)} denied that {text[0].lower()}{text[1:]}"


def _invented_claim(rng: random.Random) -> str:
    template = rng.choice(_INVENTED_CLAIMS)
    return template.format(n=rng.randint(120, 900), name=rng.choice(_INVENTED_NAMES)) + "."


Respond = Callable[[dict], "tuple[int, bytes] | None"]


class FakeModelServer:
    """POST /v1/chat/completions on 127.0.0.1. mode: 'scripted' (the draft
    above), 'junk' (text that is no JSON), 'error' (HTTP 500), 'hang'
    (never answers), or a function of the request body."""

    def __init__(self, mode: str | Respond = "scripted", seed: int = 7):
        self.mode = mode
        self.rng = random.Random(seed)
        self.script = Script()
        self.requests: list[dict] = []
        self.authorizations: list[str] = []
        self._stop = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self))
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def stop(self) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def respond(self, body: dict) -> tuple[int, bytes] | None:
        self.requests.append(body)
        if callable(self.mode):
            return self.mode(body)
        if self.mode == "hang":
            self._stop.wait(60)
            return None
        if self.mode == "error":
            return 500, b'{"error": "model not loaded"}'
        if self.mode == "junk":
            return 200, _completion("I'm sorry, I can't help with that. Here is a poem about news instead.")
        draft = scripted_draft(evidence_from_prompt(body.get("messages", [])), self.rng, self.script)
        return 200, _completion(json.dumps(draft))


def _completion(content: str) -> bytes:
    return json.dumps(
        {
            "id": "fake-1",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": "fake",
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
            ],
        }
    ).encode()


def _handler_class(server: FakeModelServer):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's naming)
            server.authorizations.append(self.headers.get("Authorization") or "")
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                body = {}
            result = server.respond(body) if self.path.endswith("/chat/completions") else (404, b"{}")
            if result is None:
                return
            status, payload = result
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    return Handler
