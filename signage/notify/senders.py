"""Who carries a message: a generic HTTP gateway, or the server's log.

The Indonesian WhatsApp gateways halls rent (Fonnte, Wablas, Woowa, a self-hosted wa-gateway …)
all take an HTTP POST with a token in a header and the number and text in the body. The body
template is the hall's: JSON with the placeholders {phone} and {message} (put in as JSON strings,
so quotes in a message cannot break it), or a form (`a=b&c=d`) with the same placeholders.
A 2xx answer is sent; a time-out, a refused connection, 429 and 5xx are worth another try;
any other 4xx (a wrong token, a refused number) is not.
"""
from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import quote_plus
from ..messages import N_

log = logging.getLogger(__name__)
TIMEOUT_S = 5.0
DEFAULT_TEMPLATE = '{"target": {phone}, "message": {message}}'


class SendFailed(Exception):
    def __init__(self, detail: str, retry: bool = True):
        super().__init__(detail)
        self.detail = detail[:300]
        self.retry = retry


class LogSender:
    """For halls without a gateway: the message is written to the server's log, and counts as sent."""

    name = "log"

    def send(self, phone: str, message: str) -> None:
        log.info("WhatsApp (log only) to %s: %s", phone[:5] + "…", message)


@dataclass
class HttpGateway:
    url: str
    token: str = ""
    template: str = DEFAULT_TEMPLATE
    header: str = "Authorization"
    timeout: float = TIMEOUT_S
    name = "http"

    def body(self, phone: str, message: str) -> tuple[bytes, str]:
        text = self.template.strip()
        if text.startswith("{"):
            filled = text.replace("{phone}", json.dumps(phone)).replace("{message}", json.dumps(message))
            json.loads(filled)          # the hall's template must stay JSON (checked when saved too)
            return filled.encode(), "application/json"
        filled = text.replace("{phone}", quote_plus(phone)).replace("{message}", quote_plus(message))
        return filled.encode(), "application/x-www-form-urlencoded"

    def send(self, phone: str, message: str) -> None:
        data, kind = self.body(phone, message)
        headers = {"Content-Type": kind}
        if self.token:
            headers[self.header] = self.token
        request = urllib.request.Request(self.url, data=data, headers=headers, method="POST")
        try:   # the standard library's client: green sockets under eventlet/gevent (cli.py patches)
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                answer.read(1024)
                return                       # 2xx (urlopen raises for 4xx and 5xx)
        except urllib.error.HTTPError as exc:
            text = exc.read(120).decode("utf-8", "replace")
            raise SendFailed(f"gateway menjawab {exc.code}: {text}", retry=exc.code == 429 or exc.code >= 500)
        except TimeoutError:
            raise SendFailed(f"gateway tidak menjawab dalam {self.timeout:g} detik")
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise SendFailed(f"gateway tidak menjawab dalam {self.timeout:g} detik")
            raise SendFailed(f"gateway tidak dapat dihubungi: {exc.reason}")
        except OSError as exc:
            raise SendFailed(f"gateway tidak dapat dihubungi: {type(exc).__name__}")


def check_template(template: object) -> str:
    """A body template as saved in the console: placeholders present, JSON stays JSON."""
    from ..service import InvalidRequest
    if not isinstance(template, str) or not 0 < len(template) <= 500:
        raise InvalidRequest(N_("Templat isi: 1–500 karakter."))
    if "{phone}" not in template or "{message}" not in template:
        raise InvalidRequest(N_("Templat isi harus memuat {phone} dan {message}."))
    try:
        HttpGateway("http://localhost/", template=template).body("6281234567890", 'uji "kutip"')
    except ValueError:
        raise InvalidRequest(N_("Templat isi JSON tidak sah (tulis {phone} dan {message} tanpa tanda kutip)."))
    return template
