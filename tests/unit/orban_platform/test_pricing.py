"""Exact money: rates by GPU memory, earnings with a bonus, payouts with the platform's fee."""

from __future__ import annotations

from decimal import Decimal

from orban_desktop.money import Money
from orban_platform.embedding_jobs import pay_cap_s
from orban_platform.pricing import (
    earning_for,
    estimated_payout,
    paid_seconds,
    payout_summary,
    terms_for,
)
from orban_platform.settings import PricingPolicy

POLICY = PricingPolicy()


def test_rates_follow_the_best_gpu() -> None:
    assert terms_for(POLICY, 24, 0.99).pricing.effective_rate.text == "1.25"
    assert terms_for(POLICY, 16, 0.99).pricing.effective_rate.text == "1"
    assert terms_for(POLICY, 8, 0.5).pricing.effective_rate.text == "0.75"
    small = terms_for(POLICY, 0, 0.5)
    assert (small.pricing.gpu_multiplier.text, str(small.bonus)) == ("1", "1")


def test_an_earning_keeps_the_exact_product_of_the_bonus() -> None:
    terms = terms_for(POLICY, 24, 0.99)  # 1.25 $/h, bonus 1.05
    detail = earning_for(terms, Decimal(284))
    assert detail.amount_usd.text == "0.098611"  # 284 s × 1.25 $/h, half-even to micro-dollars
    assert detail.final_amount_usd.text == "0.10354155"  # × 1.05, every digit kept
    assert detail.final_amount_usd.micros == 103542
    assert estimated_payout(terms.pricing, 3600).text == "1.25"


def test_known_gpus_are_priced_by_model_simulated_ones_by_memory() -> None:
    assert terms_for(POLICY, 141, 0.99, "NVIDIA H200").pricing.effective_rate.text == "3"
    assert (
        terms_for(POLICY, 24, 0.99, "NVIDIA GeForce RTX 4090").pricing.gpu_multiplier.text == "2.5"
    )
    simulated = terms_for(POLICY, 24, 0.99, "Simulated GPU (RTX 4090 class)")
    assert simulated.pricing.effective_rate.text == "1.25"  # by its 24 GB, not a model name


def test_paid_time_is_the_measured_time_capped_by_the_estimate_with_no_minimum() -> None:
    assert paid_seconds(0.04, 0.1) == Decimal("0.04")  # a canary: what it is, no 60 s minimum
    assert paid_seconds(36_000.0, pay_cap_s(64, on_cpu=False)) == Decimal("30.48")
    assert paid_seconds(5.25, pay_cap_s(256, on_cpu=True)) == Decimal("5.25")
    assert paid_seconds(-3.0, 10.0) == Decimal(0)


def test_work_on_the_cpu_is_paid_at_the_cpu_rate_and_the_record_shows_how() -> None:
    terms = terms_for(POLICY, 24, 0.99)  # 1.25 $/h, bonus 1.05
    detail = earning_for(terms, Decimal("7.2"), on_cpu=True, cpu_multiplier="0.1")
    assert detail.rate_usd_per_hour.text == "0.125"
    assert detail.amount_usd.text == "0.00025"  # 7.2 s × 0.125 $/h
    assert detail.final_amount_usd.text == "0.0002625"  # × 1.05
    assert detail.gpu_hours == 7.2 / 3600


def test_payout_sums_in_micro_units() -> None:
    summary = payout_summary([Money.parse("0.1036875"), Money.parse("1.5")], [0.1, 0.2], "5")
    assert summary.gross_amount_usd.text == "1.603688"  # 103688 (half-even) + 1500000
    assert summary.platform_fee_usd.text == "0.080184"
    assert summary.net_amount_usd.text == "1.523504"
    assert summary.total_tasks == 2
