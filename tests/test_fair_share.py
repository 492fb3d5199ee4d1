"""FairShare: a few requests in flight per address; the rest refused before the app runs."""
from __future__ import annotations

import threading

from signage.web.fair_share import FairShare


def test_one_address_gets_a_few_requests_in_flight_and_others_are_not_affected():
    release = threading.Event()
    entered = []

    def slow_app(environ, start_response):
        entered.append(environ["REMOTE_ADDR"])
        release.wait(5)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    app = FairShare(slow_app, limit=3)
    statuses: list[str] = []

    def request(address: str) -> None:
        def start_response(status, headers):
            statuses.append((address, status.split()[0], dict(headers).get("Retry-After")))
        result = app({"REMOTE_ADDR": address}, start_response)
        b"".join(result)
        result.close() if hasattr(result, "close") else None

    threads = [threading.Thread(target=request, args=("10.0.0.66",)) for _ in range(3)]
    for thread in threads:
        thread.start()
    while len(entered) < 3:
        pass
    request("10.0.0.66")                                    # a fourth at once: refused, app not run
    assert statuses == [("10.0.0.66", "429", "1")]
    other = threading.Thread(target=request, args=("10.0.0.5",))
    other.start()
    while len(entered) < 4:
        pass
    assert entered.count("10.0.0.5") == 1                   # another tablet is served meanwhile
    release.set()
    for thread in threads + [other]:
        thread.join(5)
    assert sorted(s for _, s, _ in statuses) == ["200"] * 4 + ["429"]
    request("10.0.0.66")                                    # once answered, the slots are free again
    assert statuses[-1][1] == "200"
