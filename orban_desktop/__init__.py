"""Orban Agent desktop: lend idle GPU time to the Orban compute platform."""

__version__ = "0.1.0"
