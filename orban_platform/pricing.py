"""Money rules of the local platform: an agent's rate, a task's earning, a payout's summary.

All amounts are exact: decimal strings in, :class:`~orban_desktop.money.Money` out, sums in
integer micro-units. An agent's effective rate is the base rate times the multiplier its best
GPU earns (by its model where known, else by memory); a verified task earns ``paid hours ×
rate`` rounded half-even to micro-dollars, times a reliability bonus whose product keeps its
exact digits on the wire (as upstream's golden ``"0.1036875"``). The paid time is the measured
compute time, capped by the platform's own estimate of the work, with no minimum; work that
ran on the CPU is paid at the CPU multiplier. Pure functions; imports only ``money``, the
protocol types and the settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from orban_desktop.money import Money, to_micros
from orban_desktop.protocol.types import EarningsDetail, PayoutSummary, Pricing
from orban_platform.settings import PricingPolicy

SECONDS_PER_HOUR = 3600


def _money(value: Decimal) -> Money:
    text = format(value.normalize(), "f")
    return Money.parse(text)


@dataclass(frozen=True)
class AgentTerms:
    """What one registered agent is paid: its rate and its bonus."""

    pricing: Pricing
    bonus: Decimal


def gpu_multiplier(policy: PricingPolicy, best_vram_gb: int, best_model: str = "") -> Decimal:
    """The multiplier of a GPU: by its model name when known, else by its memory."""
    name = best_model.lower()
    for fragment, multiplier in policy.model_multipliers:
        if fragment in name and "simulated" not in name:
            return Decimal(multiplier)
    return next(
        (Decimal(m) for floor, m in policy.vram_multipliers if best_vram_gb >= floor), Decimal(1)
    )


def terms_for(
    policy: PricingPolicy, best_vram_gb: int, reliability: float, best_model: str = ""
) -> AgentTerms:
    """The rate and bonus of an agent whose best GPU is ``best_model`` with ``best_vram_gb``."""
    base = Decimal(policy.base_rate_usd_per_hour)
    multiplier = gpu_multiplier(policy, best_vram_gb, best_model)
    bonus = (
        Decimal(policy.reliability_bonus)
        if reliability >= policy.bonus_min_reliability
        else Decimal(1)
    )
    pricing = Pricing(
        base_rate_usd_per_hour=Money.parse(policy.base_rate_usd_per_hour),
        gpu_multiplier=_money(multiplier),
        effective_rate=_money(base * multiplier),
    )
    return AgentTerms(pricing=pricing, bonus=bonus)


def estimated_payout(pricing: Pricing, seconds: int) -> Money:
    """What ``seconds`` of work would earn at this rate (before any bonus)."""
    exact = pricing.effective_rate.decimal * seconds / SECONDS_PER_HOUR
    return Money.from_micros(to_micros(exact))


def paid_seconds(measured_s: float, cap_s: float) -> Decimal:
    """The compute time paid for: what was measured, never more than the platform's own
    estimate allows (to the millisecond; no minimum)."""
    seconds = max(0.0, min(measured_s, cap_s))
    return Decimal(str(round(seconds, 3)))


def earning_for(
    terms: AgentTerms, seconds: Decimal, *, on_cpu: bool = False, cpu_multiplier: str = "1"
) -> EarningsDetail:
    """The earning of ``seconds`` of compute: rate × seconds, rounded to micro-dollars, × bonus.

    Work a result's manifest says ran on the CPU is paid at ``cpu_multiplier`` of the rate.
    """
    rate = terms.pricing.effective_rate
    if on_cpu:
        rate = _money(rate.decimal * Decimal(cpu_multiplier))
    amount = Money.from_micros(to_micros(rate.decimal * seconds / SECONDS_PER_HOUR))
    final = _money(amount.decimal * terms.bonus)
    return EarningsDetail(
        gpu_hours=float(seconds / SECONDS_PER_HOUR),
        rate_usd_per_hour=rate,
        amount_usd=amount,
        bonus_multiplier=float(terms.bonus),
        final_amount_usd=final,
    )


def payout_summary(finals: list[Money], gpu_hours: list[float], fee_percent: str) -> PayoutSummary:
    """Sum confirmed earnings into a payout: gross, the platform's fee, net (micro-exact)."""
    gross = sum(m.micros for m in finals)
    fee = int((Decimal(gross) * Decimal(fee_percent) / 100).quantize(1, ROUND_HALF_EVEN))
    return PayoutSummary(
        total_tasks=len(finals),
        total_gpu_hours=sum(gpu_hours),
        gross_amount_usd=Money.from_micros(gross),
        platform_fee_usd=Money.from_micros(fee),
        net_amount_usd=Money.from_micros(gross - fee),
    )
