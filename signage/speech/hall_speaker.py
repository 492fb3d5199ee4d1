"""The hall's voice on the server: turns `called` and `announce` events into a sentence and one
audio clip before the event leaves for the screens, and keeps the announcement queue.

It runs inside the broadcaster's single task, so calls are rendered and queued strictly in the
order they were committed (by `seq`); speaker displays play that queue one after another.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable

from . import sentence
from .announcer import Announcement, AnnouncementQueue
from .engines import ENGINE_NAMES, EngineError
from .voice import Voice

log = logging.getLogger(__name__)

DEFAULTS = {
    "template": sentence.DEFAULT_TEMPLATE,
    "service_templates": {},
    "style": "whole",
    "chime": True,
    "repeat": 1,
    "volume": 100,
    "engine": "espeak",
}
RECENT_SECONDS = 120  # a speaker that reconnects still plays calls this fresh


def validate_settings(data: object, current: dict) -> dict:
    """Merge `data` into the speech settings; raise sentence.TemplateError with a clear message."""
    if not isinstance(data, dict):
        raise sentence.TemplateError("Pengaturan suara harus objek.")
    unknown = set(data) - set(DEFAULTS)
    if unknown:
        raise sentence.TemplateError(f"Pengaturan tidak dikenal: {', '.join(sorted(unknown))}")
    merged = {**DEFAULTS, **current, **data}
    merged["template"] = sentence.validate_template(merged["template"]) if isinstance(
        merged["template"], str) else _fail("Templat harus teks.")
    if not isinstance(merged["service_templates"], dict):
        _fail("service_templates: objek {kode: templat}.")
    merged["service_templates"] = {
        str(code).upper(): sentence.validate_template(tpl) if isinstance(tpl, str) else _fail("Templat harus teks.")
        for code, tpl in merged["service_templates"].items() if tpl}
    if merged["style"] not in sentence.STYLES:
        _fail("Cara baca nomor: 'whole' (seratus dua puluh tiga) atau 'digits' (satu dua tiga).")
    if not isinstance(merged["chime"], bool):
        _fail("chime: true atau false.")
    if merged["repeat"] not in (1, 2) or isinstance(merged["repeat"], bool):
        _fail("Ulangi: 1 atau 2 kali.")
    if not isinstance(merged["volume"], int) or isinstance(merged["volume"], bool) or not 0 <= merged["volume"] <= 100:
        _fail("Volume: 0–100.")
    if merged["engine"] not in ENGINE_NAMES:
        _fail(f"Mesin suara: {' atau '.join(ENGINE_NAMES)}.")
    return merged


def _fail(message: str):
    raise sentence.TemplateError(message)


class HallSpeaker:
    def __init__(self, voice: Voice, settings: Callable[[], dict]):
        self.voice = voice
        self._settings = settings
        self.queue = AnnouncementQueue()

    def speech_settings(self) -> dict:
        return {**DEFAULTS, **(self._settings().get("speech") or {})}

    def apply(self, speech: dict) -> None:
        """Follow a settings change (engine, chime) without a restart."""
        if speech["engine"] != self.voice.requested_engine:
            self.voice.set_engine(speech["engine"])
        self.voice.chime = speech["chime"]

    def enrich(self, event: dict) -> dict:
        """Add `text`, `display_text`, `audio`, `repeat`, `volume` to calls and announcements.

        A stale one (`"stale": true`, see realtime.Broadcaster) is left as it is: no audio, not
        queued, so no speaker says a call for someone who left long ago."""
        if event.get("type") not in ("called", "announce") or event.get("stale"):
            return event
        speech = self.speech_settings()
        self.apply(speech)
        try:
            if event["type"] == "called":
                template = speech["service_templates"].get(event["service"]) or speech["template"]
                counter = event["counter"]["name"]
                text = sentence.call_sentence(template, ticket=event["ticket"], counter=counter,
                                              service=event["service_name"], style=speech["style"])
                shown = sentence.call_display_text(template, ticket=event["ticket"],
                                                   counter=counter, service=event["service_name"])
            else:
                text = sentence.free_text_sentence(event["message"])
                shown = event["message"]
            clip = self.voice.render(text)
        except (EngineError, sentence.TemplateError, ValueError, OSError) as exc:
            # The screens must still show the call; a silent call beats a lost one.
            log.error("no audio for event %s: %s", event.get("seq"), exc)
            return event | {"text": None, "audio": None}
        enriched = event | {"text": text, "display_text": shown, "audio": clip.url,
                            "duration": clip.duration_s, "repeat": speech["repeat"],
                            "volume": speech["volume"], "voice": clip.engine}
        self.queue.enqueue(Announcement(id=event["seq"], text=text, audio_url=clip.url,
                                        counter_id=(event.get("counter") or {}).get("id"),
                                        ticket=event.get("ticket"), repeat=speech["repeat"]))
        return enriched

    def recent(self) -> list[dict]:
        """Announcements of the last two minutes, oldest first, for a (re)connecting speaker."""
        cutoff = time.time() - RECENT_SECONDS
        return [a.to_dict() | {"played_by": sorted(self.queue.played_by(a.id))}
                for a in self.queue.pending() if a.created_at >= cutoff]

    def sample(self, template: str | None = None, style: str | None = None) -> dict:
        speech = self.speech_settings()
        template = speech["template"] if template in (None, "") else sentence.validate_template(template)
        text = sentence.call_sentence(template, ticket="A012", counter="Loket 3",
                                      service="Contoh Layanan", style=style or speech["style"])
        clip = self.voice.render(text)
        return {"text": text, "audio": clip.url, "duration": clip.duration_s, "voice": clip.engine}

    def status(self) -> dict:
        return self.voice.status()
