"""A stand-in for Google Translate's TTS endpoint on 127.0.0.1, for tests and benchmarks.

Google cannot be reached from the dev machines or CI, so gTTS code is exercised
against this server instead.  It answers gTTS's batchexecute POST in the same
shape as Google (base64 MP3 inside a JSON line), speaking the requested text
with espeak-ng encoded to MP3 by sox, so the MP3 -> WAV path is real.

    with FakeGoogleTTS() as fake, fake.patched():
        GttsEngine().synthesize("halo")      # goes to 127.0.0.1, not Google
"""

from __future__ import annotations

import base64
import contextlib
import json
import shutil
import subprocess
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

from signage.speech import wav

MODES = ("ok", "hang", "error", "no_audio")


def speak_mp3(text: str) -> bytes:
    """espeak-ng speech for `text` as MP3 (WAV if sox cannot write MP3)."""
    espeak = shutil.which("espeak-ng") or shutil.which("espeak")
    if not espeak:
        raise RuntimeError("espeak-ng is needed by the fake Google endpoint")
    streamed = subprocess.run([espeak, "-v", "id", "--stdout", "--stdin"], input=text.encode(),
                              capture_output=True, check=True, timeout=20).stdout
    # espeak's streamed header has placeholder sizes that make sox fail; rewrite it.
    speech = wav.frames_to_wav(wav.standard_frames(streamed))
    sox = shutil.which("sox")
    if sox:
        encoded = subprocess.run([sox, "-q", "-t", "wav", "-", "-t", "mp3", "-"],
                                 input=speech, capture_output=True, timeout=20)
        if encoded.returncode == 0 and encoded.stdout:
            return encoded.stdout
    return speech


def requested_text_and_lang(body: bytes) -> tuple[str, str]:
    """What gTTS asked for, from its form-encoded `f.req` RPC."""
    form = urllib.parse.parse_qs(body.decode("utf-8"))
    rpc = json.loads(form["f.req"][0])
    text, lang = json.loads(rpc[0][0][1])[:2]
    return text, lang


def batchexecute_response(audio: bytes) -> bytes:
    payload = json.dumps([base64.b64encode(audio).decode("ascii")], separators=(",", ":"))
    line = json.dumps([["wrb.fr", "jQ1olc", payload, None, None, None, "generic"]], separators=(",", ":"))
    return f")]}}'\n\n{len(line)}\n{line}\n".encode("utf-8")


class FakeGoogleTTS:
    def __init__(self, mode: str = "ok", delay_s: float = 0.0, audio: bytes | None = None):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self.mode = mode
        self.delay_s = delay_s  # added before answering, to imitate network latency
        self.audio = audio  # fixed answer; None = speak the requested text
        self.texts: list[str] = []
        self.langs: list[str] = []
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def request_count(self) -> int:
        return len(self.texts)

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                text, lang = requested_text_and_lang(body)
                fake.texts.append(text)
                fake.langs.append(lang)
                if fake.mode == "hang":
                    fake._stopping.wait(max(fake.delay_s, 60.0))
                    return
                if fake.delay_s:
                    fake._stopping.wait(fake.delay_s)
                if fake.mode == "error":
                    self.send_error(500, "fake upstream error")
                    return
                if fake.mode == "no_audio":
                    reply = b")]}'\n\n20\n[[\"wrb.fr\",\"other\"]]\n"
                else:
                    reply = batchexecute_response(fake.audio or speak_mp3(text))
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

        return Handler

    def start(self) -> "FakeGoogleTTS":
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         name="fake-google", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> "FakeGoogleTTS":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @contextlib.contextmanager
    def patched(self):
        """Point gTTS at this server instead of https://translate.google.<tld>."""
        def local_url(tld="com", path=""):
            return f"{self.url}/{path}"

        # gTTS hands requests the environment's proxies without no_proxy, so a
        # proxy setting would send even 127.0.0.1 through it.
        with mock.patch("gtts.tts._translate_url", local_url), \
                mock.patch("urllib.request.getproxies", dict):
            yield self
