"""hansim: a Kamstrup HAN/P1 smart-meter simulator driven from Python.

The native core lives in ``hansim._hansim``; this package re-exports it with helpers.
"""
from ._hansim import crc16_arc, crc16_x25  # noqa: F401

__all__ = ["crc16_arc", "crc16_x25"]
