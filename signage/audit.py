"""The audit log: who changed what, written in the same transaction as the change."""
from __future__ import annotations

from datetime import datetime

from .accounts import Principal
from .store import tables as t


def record(s, at: datetime, actor: Principal, action: str, **detail) -> None:
    s.add(t.AuditEntry(at=at, user_id=actor.user_id, actor=actor.name, action=action, detail=detail))
