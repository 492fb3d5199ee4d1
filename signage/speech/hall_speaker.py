"""The hall's voice on the server: turns `called` and `announce` events into a sentence, decides
how it is spoken (speech/rush.py: chime, short form, repeat, rate, per zone) and keeps the
announcement queue.

It runs inside the broadcaster's single task, so calls are planned and queued strictly in the
order they were committed (by `seq`). The event never waits for its audio: it leaves with the
URL its clip will have (the cache is content-addressed) while the clip is made beside it
(Voice.render_later); speaker displays play each zone's queue one after another.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable

from .. import zones
from . import rush, sentence
from .announcer import Announcement, AnnouncementQueue
from .engines import ENGINE_NAMES, EngineError
from .lexicon import Lexicon, LexiconError, validate_entries
from .voice import Voice
from ..messages import N_

log = logging.getLogger(__name__)

DEFAULTS = {
    "template": sentence.DEFAULT_TEMPLATE,
    "service_templates": {},
    "style": "whole",
    "chime": True,
    "repeat": 1,
    "volume": 100,
    "engine": "espeak",
    "lexicon": [],
    **rush.DEFAULTS,
}
RECENT_SECONDS = 120  # a speaker that reconnects still plays calls this fresh


def validate_settings(data: object, current: dict) -> dict:
    """Merge `data` into the speech settings; raise sentence.TemplateError with a clear message."""
    if not isinstance(data, dict):
        raise sentence.TemplateError(N_("Pengaturan suara harus objek."))
    unknown = set(data) - set(DEFAULTS)
    if unknown:
        raise sentence.TemplateError(N_("Pengaturan tidak dikenal: %(names)s", names=', '.join(sorted(unknown))))
    merged = {**DEFAULTS, **current, **data}
    merged["template"] = sentence.validate_template(merged["template"]) if isinstance(
        merged["template"], str) else _fail("Templat harus teks.")
    if not isinstance(merged["service_templates"], dict):
        _fail("service_templates: objek {kode: templat}.")
    merged["service_templates"] = {  # an empty or null template removes the agency's own
        str(code).upper(): sentence.validate_template(tpl) if isinstance(tpl, str) else _fail("Templat harus teks.")
        for code, tpl in merged["service_templates"].items() if tpl not in (None, "")}
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
    try:
        merged["lexicon"] = validate_entries(merged["lexicon"])
    except LexiconError as exc:
        _fail(str(exc))
    rush.validate(merged, _fail)
    return merged


def _fail(message: str):
    raise sentence.TemplateError(message)


class HallSpeaker:
    def __init__(self, voice: Voice, settings: Callable[[], dict], clock: Callable[[], float] = time.monotonic):
        self.voice = voice
        self._settings = settings
        self.clock = clock
        self.queue = AnnouncementQueue()
        self.planner = rush.RushPlanner()

    def speech_settings(self) -> dict:
        return {**DEFAULTS, **(self._settings().get("speech") or {})}

    def apply(self, speech: dict) -> None:
        """Follow a settings change (engine, chime) without a restart."""
        if speech["engine"] != self.voice.requested_engine:
            self.voice.set_engine(speech["engine"])
        self.voice.chime = speech["chime"]

    def enrich(self, event: dict) -> dict:
        return self.enrich_all([event])[0]

    def enrich_all(self, events: list[dict]) -> list[dict]:
        """Add `text`, `display_text`, `audio`, `chime`, `short`, `rate`, `repeat`, `volume`,
        `zone` to calls and announcements; the audio URL answers once its clip is made.
        The settings are read once for the whole batch (the broadcaster's, all committed).

        A stale one (`"stale": true`, see realtime.Broadcaster) is left as it is: no audio, not
        queued, so no speaker says a call for someone who left long ago."""
        if not any(e.get("type") in ("called", "announce") and not e.get("stale") for e in events):
            return events
        hall_settings = self._settings()
        return [self._enrich(event, hall_settings) for event in events]

    def _enrich(self, event: dict, hall_settings: dict) -> dict:
        if event.get("type") not in ("called", "announce") or event.get("stale"):
            return event
        speech = {**DEFAULTS, **(hall_settings.get("speech") or {})}
        self.apply(speech)
        lexicon = Lexicon(speech["lexicon"])
        now = self.clock()
        try:
            if event["type"] == "called":
                zone = zones.counter_zone(hall_settings, (event.get("counter") or {}).get("id"))
                targets = [zone]
                form = self.planner.decide(zone, now, speech)
                full = speech["service_templates"].get(event["service"]) or speech["template"]
                counter = event["counter"]["name"]
                text = sentence.call_sentence(sentence.SHORT_TEMPLATE if form.short else full,
                                              ticket=event["ticket"], counter=counter,
                                              service=event["service_name"], style=speech["style"],
                                              lexicon=lexicon)
                shown = sentence.call_display_text(full, ticket=event["ticket"],
                                                   counter=counter, service=event["service_name"])
            else:
                # A free announcement is never shortened or hurried, and always chimes.
                zone = event.get("zone") if isinstance(event.get("zone"), str) else None
                targets = [zone] if zone is not None else zones.known(hall_settings)
                decided = [self.planner.decide(z, now, speech) for z in targets]
                form = rush.Form(chime=speech["chime"], short=False,
                                 repeat=min(d.repeat for d in decided), rate=1.0,
                                 waiting=max(d.waiting for d in decided),
                                 starts_in=max(d.starts_in for d in decided))
                text = sentence.free_text_sentence(event["message"], lexicon)
                shown = event["message"]
            seq = event["seq"]
            for target in targets:
                self.planner.add(target, seq, now, rush.estimate_seconds(text, form.chime), form)
            clip = self.voice.render_later(text, form.chime,
                                           on_ready=lambda made: self.planner.settle(seq, made.duration_s))
        except (EngineError, sentence.TemplateError, ValueError, OSError) as exc:
            # The screens must still show the call; a silent call beats a lost one.
            log.error("no audio for event %s: %s", event.get("seq"), exc)
            return event | {"text": None, "audio": None}
        enriched = event | {"text": text, "display_text": shown, "audio": clip.url,
                            "chime": form.chime, "short": form.short, "rate": form.rate,
                            "repeat": form.repeat, "volume": speech["volume"], "voice": clip.engine,
                            "zone": zone}
        self.queue.enqueue(Announcement(id=seq, text=text, audio_url=clip.url,
                                        counter_id=(event.get("counter") or {}).get("id"),
                                        ticket=event.get("ticket"), repeat=form.repeat,
                                        rate=form.rate, zone=zone))
        return enriched

    def recent(self) -> list[dict]:
        """Announcements of the last two minutes, oldest first, for a (re)connecting speaker."""
        cutoff = time.time() - RECENT_SECONDS
        return [a.to_dict() | {"played_by": sorted(self.queue.played_by(a.id))}
                for a in self.queue.pending() if a.created_at >= cutoff]

    def sample(self, template: str | None = None, style: str | None = None, text: str | None = None,
               lexicon: object = None) -> dict:
        """A sample call (or `text`, e.g. one pronunciation entry), spoken now. `lexicon`: a
        list to try instead of the saved one (an entry not saved yet)."""
        speech = self.speech_settings()
        entries = speech["lexicon"] if lexicon is None else lexicon
        try:
            words = Lexicon(validate_entries(entries))
        except LexiconError as exc:
            raise sentence.TemplateError(str(exc)) from exc
        if text not in (None, ""):
            if not isinstance(text, str):
                raise sentence.TemplateError(N_("Teks contoh harus teks."))
            spoken = sentence.free_text_sentence(text, words)
        else:
            template = speech["template"] if template in (None, "") else sentence.validate_template(template)
            spoken = sentence.call_sentence(template, ticket="A012", counter="Loket 3",
                                            service="Contoh Layanan",
                                            style=speech["style"] if style in (None, "") else style,
                                            lexicon=words)
        clip = self.voice.render(spoken)
        return {"text": spoken, "audio": clip.url, "duration": clip.duration_s, "voice": clip.engine}

    def status(self) -> dict:
        return self.voice.status()
