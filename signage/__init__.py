"""signage: queue calling and digital signage for Indonesian public service halls."""

__version__ = "0.1.0"
