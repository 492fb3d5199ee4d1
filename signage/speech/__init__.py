"""Indonesian voice announcements that never wait on the internet.

sentence   text to speak (numbers and letters spelled in Indonesian)
chime      the ding-dong before each announcement
engines    espeak-ng, gTTS and a fallback chain
library    prepared gTTS phrase clips, assembled offline
cache      rendered files on disk, size-bounded
voice      Voice.render(text): what the server calls
announcer  the hall-wide announcement queue
build      build_audio(): `signage audio build`
"""
