"""Exact money: rates by GPU memory, earnings with a bonus, payouts with the platform's fee."""

from __future__ import annotations

from orban_desktop.local_platform.pricing import (
    billed_seconds,
    earning_for,
    estimated_payout,
    payout_summary,
    terms_for,
)
from orban_desktop.local_platform.settings import PricingPolicy
from orban_desktop.money import Money

POLICY = PricingPolicy()


def test_rates_follow_the_best_gpu() -> None:
    assert terms_for(POLICY, 24, 0.99).pricing.effective_rate.text == "1.25"
    assert terms_for(POLICY, 16, 0.99).pricing.effective_rate.text == "1"
    assert terms_for(POLICY, 8, 0.5).pricing.effective_rate.text == "0.75"
    small = terms_for(POLICY, 0, 0.5)
    assert (small.pricing.gpu_multiplier.text, str(small.bonus)) == ("1", "1")


def test_an_earning_keeps_the_exact_product_of_the_bonus() -> None:
    terms = terms_for(POLICY, 24, 0.99)  # 1.25 $/h, bonus 1.05
    detail = earning_for(terms, 284)
    assert detail.amount_usd.text == "0.098611"  # 284 s × 1.25 $/h, half-even to micro-dollars
    assert detail.final_amount_usd.text == "0.10354155"  # × 1.05, every digit kept
    assert detail.final_amount_usd.micros == 103542
    assert estimated_payout(terms.pricing, 3600).text == "1.25"


def test_billed_time_is_bounded() -> None:
    assert billed_seconds(POLICY, 0, 600) == 60
    assert billed_seconds(POLICY, 10**9, 600) == 600
    assert billed_seconds(POLICY, 300, 600) == 300


def test_payout_sums_in_micro_units() -> None:
    summary = payout_summary([Money.parse("0.1036875"), Money.parse("1.5")], [0.1, 0.2], "5")
    assert summary.gross_amount_usd.text == "1.603688"  # 103688 (half-even) + 1500000
    assert summary.platform_fee_usd.text == "0.080184"
    assert summary.net_amount_usd.text == "1.523504"
    assert summary.total_tasks == 2
