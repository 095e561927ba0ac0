"""Number formatting exactly as upstream's serde_json writes it (Ryū, shortest round trip).

Upstream's structs mix ``f32`` and ``f64`` fields; serde_json prints each with the shortest decimal
that reads back to the same value *of that width* (``0.98f32`` is ``0.98``, not
``0.9800000190734863``), ``.0`` on integral values, and Ryū's own thresholds for scientific
notation (``1e-7``, ``1.5e16``). Python's ``repr`` differs in exponent spelling and thresholds,
so this module reproduces Ryū's layout from the shortest digits. Imports nothing from the project.
"""

from __future__ import annotations

import math
import struct
from decimal import Decimal

_F32 = struct.Struct("<f")


class F32(float):
    """A float that travels as an IEEE single (upstream ``f32``), printed with f32 digits."""

    __slots__ = ()


def to_f32(value: float) -> float:
    """Round a float to the nearest IEEE single and back (raises OverflowError beyond f32 range)."""
    return float(_F32.unpack(_F32.pack(value))[0])


def _shortest_digits_f64(value: float) -> tuple[str, int]:
    """Digits and exponent with ``value == int(digits) * 10**exp``, shortest for an f64."""
    _sign, digits, exp = Decimal(repr(value)).as_tuple()
    text = "".join(map(str, digits)).rstrip("0")
    stripped = len(digits) - len(text)
    return text or "0", int(exp) + stripped


def _shortest_digits_f32(value: float) -> tuple[str, int]:
    """Shortest (then closest) decimal digits that read back to the same f32."""
    target = to_f32(value)
    for precision in range(1, 10):
        candidate = f"{target:.{precision - 1}e}"
        try:
            if to_f32(float(candidate)) == target:
                break
        except OverflowError:  # rounded past the largest f32: needs more digits
            continue
    mantissa, _, exp_text = candidate.partition("e")
    digits = mantissa.replace(".", "").lstrip("-").rstrip("0") or "0"
    exponent = int(exp_text) - (len(digits) - 1)
    return digits, exponent


def _ryu_layout(negative: bool, digits: str, k: int, max_int_digits: int, min_exp: int) -> str:
    length = len(digits)
    kk = length + k  # 10^(kk-1) <= |v| < 10^kk
    sign = "-" if negative else ""
    if k >= 0 and kk <= max_int_digits:
        return f"{sign}{digits}{'0' * k}.0"
    if 0 < kk <= max_int_digits:
        return f"{sign}{digits[:kk]}.{digits[kk:]}"
    if min_exp < kk <= 0:
        return f"{sign}0.{'0' * -kk}{digits}"
    if length == 1:
        return f"{sign}{digits}e{kk - 1}"
    return f"{sign}{digits[0]}.{digits[1:]}e{kk - 1}"


def format_f64(value: float) -> str:
    """serde_json's text for an ``f64`` (non-finite values are refused: JSON cannot carry them)."""
    if not math.isfinite(value):
        raise ValueError("NaN and infinity cannot be sent")
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    digits, k = _shortest_digits_f64(abs(value))
    return _ryu_layout(value < 0, digits, k, 16, -5)


def format_f32(value: float) -> str:
    """serde_json's text for an ``f32``."""
    if not math.isfinite(value):
        raise ValueError("NaN and infinity cannot be sent")
    rounded = to_f32(value)
    if not math.isfinite(rounded):
        raise ValueError(f"{value!r} is out of f32 range")
    if rounded == 0:
        return "-0.0" if math.copysign(1.0, rounded) < 0 else "0.0"
    digits, k = _shortest_digits_f32(abs(rounded))
    return _ryu_layout(rounded < 0, digits, k, 13, -6)
