"""Blocking or CPU-bound work (password hashing, printer I/O, polishing a clip's samples) in an OS
thread when the server runs green.

Under eventlet or gevent one stuck call would freeze every screen; in an OS thread it only waits
for itself. Without monkey-patching (tests, the CLI) the call simply runs here.
"""
from __future__ import annotations

import sys


def off_loop(fn, *args):
    if "eventlet" in sys.modules:
        import eventlet.patcher
        if eventlet.patcher.is_monkey_patched("thread"):
            from eventlet import tpool
            return tpool.execute(fn, *args)
    if "gevent" in sys.modules:
        from gevent import monkey
        if monkey.is_module_patched("threading"):
            import gevent
            return gevent.get_hub().threadpool.apply(fn, args)
    return fn(*args)
