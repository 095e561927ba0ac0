"""The elementwise pieces of the numpy BERT pass: erf, the activations and LayerNorm, in float32.

numpy has no erf, and ``math.erf`` element by element is about a thousand times too slow, so
:func:`erf` is the float32 rational minimax approximation Eigen and XLA use (z P(z^2) / Q(z^2)
on [-4, 4], where float32 erf is ±1 beyond): its error is at the size of float32 rounding,
below what a cosine of 0.99999 can see. It needs no exp (numpy's float32 exp is slow on CPUs
without AVX-512), and is fastest on blocks of about 1 MiB, which is how the forward pass calls
it. Imports numpy only.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float32]
#: Coefficients, highest power first, of the numerator (odd, after z) and denominator (even).
_ERF_P = tuple(
    np.float32(c)
    for c in (
        -2.72614225801306e-10,
        2.77068142495902e-08,
        -2.10102402082508e-06,
        -5.69250639462346e-05,
        -7.34990630326855e-04,
        -2.95459980854025e-03,
        -1.60960333262415e-02,
    )
)
_ERF_Q = tuple(
    np.float32(c)
    for c in (
        -1.45660718464996e-05,
        -2.13374055278905e-04,
        -1.68282697438203e-03,
        -7.37332916720468e-03,
        -1.42647390514189e-02,
    )
)
_ROOT_HALF = np.float32(np.sqrt(0.5))
_TANH_SCALE = np.float32(np.sqrt(2.0 / np.pi))
_TANH_CUBIC = np.float32(0.044715)
_HALF, _ONE = np.float32(0.5), np.float32(1.0)


def _horner(square: Matrix, coefficients: tuple[np.float32, ...]) -> Matrix:
    total: Matrix = square * coefficients[0]
    for coefficient in coefficients[1:-1]:
        total += coefficient
        total *= square
    total += coefficients[-1]
    return total


def erf(z: Matrix) -> Matrix:
    """The error function of each element, in float32."""
    z = np.clip(z, np.float32(-4.0), np.float32(4.0))
    square: Matrix = z * z
    numerator = _horner(square, _ERF_P)
    numerator *= z
    numerator /= _horner(square, _ERF_Q)
    return numerator


def gelu_erf(x: Matrix) -> Matrix:
    """The exact GELU, x (1 + erf(x / sqrt 2)) / 2 (transformers' ``gelu``)."""
    phi = erf(x * _ROOT_HALF)
    phi += _ONE
    phi *= _HALF
    phi *= x
    return phi


def gelu_tanh(x: Matrix) -> Matrix:
    """The tanh approximation of GELU (transformers' ``gelu_new``)."""
    inner: Matrix = x * x
    inner *= _TANH_CUBIC
    inner += _ONE
    inner *= x
    inner *= _TANH_SCALE
    np.tanh(inner, out=inner)
    inner += _ONE
    inner *= _HALF
    inner *= x
    return inner


def relu(x: Matrix) -> Matrix:
    return np.maximum(x, np.float32(0.0))


ACTIVATIONS: dict[str, Callable[[Matrix], Matrix]] = {
    "gelu": gelu_erf,
    "gelu_new": gelu_tanh,
    "gelu_pytorch_tanh": gelu_tanh,
    "relu": relu,
}


def layer_norm(x: Matrix, weight: Matrix, bias: Matrix, eps: float) -> Matrix:
    """LayerNorm over the last axis (biased variance, as PyTorch), in float32."""
    centered: Matrix = x - x.mean(axis=-1, keepdims=True)
    variance: Matrix = np.mean(centered * centered, axis=-1, keepdims=True)
    variance += np.float32(eps)
    np.sqrt(variance, out=variance)
    centered /= variance
    centered *= weight
    centered += bias
    return centered
