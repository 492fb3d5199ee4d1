"""Domain errors. Each carries a message fit to show a person (Indonesian first)."""


class QueueError(Exception):
    """Base of every queue rule violation; the web layer maps these to 4xx."""

    status = 409

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class UnknownService(QueueError):
    status = 400  # named in a request body: the request is wrong, not the URL


class UnknownCounter(QueueError):
    status = 404


class NothingWaiting(QueueError):
    status = 409


class NoCurrentTicket(QueueError):
    status = 409


class CounterPaused(QueueError):
    status = 409


class ServiceClosed(QueueError):
    status = 409


class DailyLimitReached(QueueError):
    status = 409
