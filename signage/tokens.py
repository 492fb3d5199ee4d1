"""The manager's API tokens for machines (kiosks, counter tablets, integrations): listed,
labelled, revocable and, if wanted, expiring. A new token is shown once; only its hash is kept.
Every issue and revocation is in the audit log.
"""
from __future__ import annotations

from datetime import timedelta

from . import audit
from .accounts import TOKEN_ROLES, AccountError, Accounts, Principal
from .admin import HallAdmin, NotFound, _text
from .service import HallService, InvalidRequest
from .messages import N_

MAX_DAYS = 3650
FIELDS = {"role", "counter", "label", "expires_days"}


class TokenAdmin:
    def __init__(self, hall: HallService, accounts: Accounts):
        self.hall = hall
        self.accounts = accounts

    def list(self, actor: Principal) -> list[dict]:
        HallAdmin.require_manager(actor)
        return self.accounts.list_tokens()

    def create(self, actor: Principal, data: object) -> dict:
        """{role, counter?, label, expires_days?} -> the token's listing with `token`, shown once."""
        HallAdmin.require_manager(actor)
        if not isinstance(data, dict):
            raise InvalidRequest(N_("Data token harus objek."))
        unknown = set(data) - FIELDS
        if unknown:
            raise InvalidRequest(N_("Field tidak dikenal: %(names)s", names=', '.join(sorted(unknown))))
        role = data.get("role")
        if role not in TOKEN_ROLES:
            raise InvalidRequest(N_("role: salah satu dari %(names)s.", names=', '.join(TOKEN_ROLES)))
        counter = data.get("counter")
        if counter is not None and (not isinstance(counter, int) or isinstance(counter, bool)):
            raise InvalidRequest(N_("counter: nomor id loket."))
        label = _text(data.get("label"), N_("Label"), max_len=80)
        days = data.get("expires_days")
        if days is not None and (not isinstance(days, int) or isinstance(days, bool)
                                 or not 1 <= days <= MAX_DAYS):
            raise InvalidRequest(N_("expires_days: 1–%(max_days)s hari, atau kosong (tidak kedaluwarsa).", max_days=MAX_DAYS))
        expires = self.hall.clock() + timedelta(days=days) if days is not None else None
        try:
            token = self.accounts.issue_token(role, counter, label, expires_at=expires)
        except AccountError as exc:
            raise InvalidRequest(str(exc)) from exc
        with self.hall.db.write() as s:
            audit.record(s, self.hall.clock(), actor, "token.create", id=token["id"], role=role,
                         counter=token["counter"], label=label, expires_at=token["expires_at"])
        return token

    def revoke(self, actor: Principal, token_id: int) -> dict:
        HallAdmin.require_manager(actor)
        token = self.accounts.revoke_token(token_id)
        if token is None:
            raise NotFound(N_("Token tidak ada."))
        with self.hall.db.write() as s:
            audit.record(s, self.hall.clock(), actor, "token.revoke", id=token_id, role=token["role"],
                         label=token["label"])
        return token
