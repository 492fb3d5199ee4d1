"""The rush policy (speech/rush.py) as HallSpeaker applies it when it queues a call: the chime once
per run, a repeat only when nothing waits, the short form past a backlog, a faster rate, per zone;
and the settings that decide it."""
from __future__ import annotations

import pytest

from signage.speech import rush, sentence
from signage.speech.hall_speaker import DEFAULTS, HallSpeaker, validate_settings
from signage.speech.voice import Voice
from signage.zones import SETTING


class Hall:
    """Settings and a clock the test moves."""

    def __init__(self, **speech):
        self.now = 0.0
        self.settings = {"speech": {**DEFAULTS, **speech}}

    def speaker(self, tmp_path, counting_engine) -> HallSpeaker:
        voice = Voice(tmp_path, chime=True)
        voice._engine = counting_engine(seconds=2.0)   # each clip: 2 s of speech (+1.4 s chime)
        return HallSpeaker(voice, lambda: self.settings, clock=lambda: self.now)


def called(seq: int, counter: int = 1, ticket: str = "A001") -> dict:
    return {"type": "called", "seq": seq, "ticket": ticket, "service": "A", "service_name": "Layanan",
            "counter": {"id": counter, "name": f"Loket {counter}"}}


def test_a_lone_call_gets_the_chime_the_full_form_and_its_repeats(tmp_path, counting_engine):
    hall = Hall(repeat=2)
    event = hall.speaker(tmp_path, counting_engine).enrich(called(1))
    assert (event["chime"], event["short"], event["repeat"], event["rate"]) == (True, False, 2, 1.0)
    assert event["text"].startswith("Nomor antrian a satu")
    assert event["zone"] == ""


def test_back_to_back_calls_chime_once_repeat_never_and_shorten_past_the_backlog(tmp_path, counting_engine):
    hall = Hall(repeat=2, rush_short_after=2, rush_fast_after=1, rush_rate=1.2)
    speaker = hall.speaker(tmp_path, counting_engine)
    events = []
    for seq in range(1, 6):
        hall.now = seq * 0.5
        events.append(speaker.enrich(called(seq, counter=seq, ticket=f"A00{seq}")))
    assert [e["chime"] for e in events] == [True, False, False, False, False]
    assert [e["repeat"] for e in events] == [2, 1, 1, 1, 1]
    assert [e["rate"] for e in events] == [1.0, 1.2, 1.2, 1.2, 1.2]
    assert [e["short"] for e in events] == [False, False, True, True, True]
    assert events[2]["text"] == "a tiga, loket tiga."
    assert events[2]["display_text"] == "Nomor antrian A003, silakan menuju Loket 3."   # the screen: full


def test_after_the_queue_has_drained_the_next_call_starts_a_new_run(tmp_path, counting_engine):
    hall = Hall()
    speaker = hall.speaker(tmp_path, counting_engine)
    speaker.enrich(called(1))
    hall.now = 1.0
    assert speaker.enrich(called(2, 2, "A002"))["chime"] is False      # still speaking the first
    timeline = speaker.planner.timeline("")
    # the real clips (3.4 s with the chime, 2 s without; 2 s at 1.15) replaced the estimates
    assert timeline[0]["end"] == pytest.approx(3.4, abs=0.05)
    assert timeline[1]["start"] == pytest.approx(3.4 + rush.PLAY_GAP_S, abs=0.05)
    assert timeline[1]["end"] == pytest.approx(timeline[1]["start"] + 2.0 / 1.15, abs=0.05)
    hall.now = timeline[1]["end"] + 0.5            # just after: still the same run
    assert speaker.enrich(called(3, 3, "A003"))["chime"] is False
    hall.now = speaker.planner.timeline("")[-1]["end"] + rush.RUN_GAP_S + 0.1
    late = speaker.enrich(called(4, 4, "A004"))
    assert late["chime"] is True and late["rate"] == 1.0 and not late["short"]


def test_one_zones_backlog_does_not_change_another_zones_calls(tmp_path, counting_engine):
    hall = Hall()
    hall.settings[SETTING] = {"counters": {"7": "Lantai 2"}, "profiles": {}}
    speaker = hall.speaker(tmp_path, counting_engine)
    for seq in range(1, 5):                        # a rush on the ground floor (main zone)
        speaker.enrich(called(seq, counter=seq, ticket=f"A00{seq}"))
    upstairs = speaker.enrich(called(5, counter=7, ticket="F001"))
    assert upstairs["zone"] == "Lantai 2"
    assert (upstairs["chime"], upstairs["short"], upstairs["rate"]) == (True, False, 1.0)
    # a free announcement for every zone is queued in both, never shortened, always chimes
    both = speaker.enrich({"type": "announce", "seq": 6, "message": "Mohon perhatian"})
    assert both["zone"] is None and both["chime"] and not both["short"] and both["rate"] == 1.0
    assert [s["id"] for s in speaker.planner.timeline("Lantai 2")] == [5, 6]
    assert [s["id"] for s in speaker.planner.timeline("")] == [1, 2, 3, 4, 6]
    one = speaker.enrich({"type": "announce", "seq": 7, "message": "Lantai dua", "zone": "Lantai 2"})
    assert one["zone"] == "Lantai 2" and 7 not in [s["id"] for s in speaker.planner.timeline("")]
    assert [a["zone"] for a in speaker.recent()] == ["", "", "", "", "Lantai 2", None, "Lantai 2"]


@pytest.mark.parametrize("bad", [
    {"rush_short_after": 0}, {"rush_short_after": 51}, {"rush_short_after": "2"}, {"rush_fast_after": True},
    {"rush_rate": 0.9}, {"rush_rate": 1.6}, {"rush_rate": "cepat"}])
def test_rush_settings_are_validated(bad):
    with pytest.raises(sentence.TemplateError):
        validate_settings(bad, {})


def test_rush_settings_defaults_and_a_good_change():
    assert {k: validate_settings({}, {})[k] for k in rush.DEFAULTS} == rush.DEFAULTS
    assert validate_settings({"rush_rate": 1.2, "rush_short_after": 3}, {})["rush_rate"] == 1.2
