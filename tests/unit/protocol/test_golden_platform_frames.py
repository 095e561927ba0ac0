"""Every frame in ``platform-sends/`` and ``variants/`` decodes into the right model, exactly."""

from __future__ import annotations

import base64
from decimal import Decimal

import pytest

from orban_desktop.protocol import messages as m
from orban_desktop.protocol.codec import decode_json, encode_json
from orban_desktop.protocol.enums import EarningStatus, PayoutStatus
from orban_desktop.protocol.timestamps import WireTime
from tests.fixtures import PROTOCOL_FIXTURES, protocol_frame, protocol_keys

STAMP_NS = WireTime.parse("2025-11-28T10:49:33.512345678+00:00").ns


def decode(relative: str) -> m.Message:
    return decode_json(protocol_frame(relative))


@pytest.mark.parametrize(
    "relative",
    sorted(
        str(p.relative_to(PROTOCOL_FIXTURES))
        for p in PROTOCOL_FIXTURES.glob("platform-sends/*.json")
    ),
)
def test_platform_frames_round_trip_byte_for_byte(relative: str) -> None:
    text = protocol_frame(relative)
    message = decode_json(text)
    assert message.timestamp.ns == STAMP_NS
    assert encode_json(message) == text


def test_auth_challenge_decodes_to_the_challenge_bytes() -> None:
    msg = decode("platform-sends/auth-challenge.json")
    assert isinstance(msg, m.AuthChallenge)
    assert base64.b64decode(msg.challenge).hex() == protocol_keys()["auth_challenge_bytes_hex"]
    assert msg.extensions is None


def test_earnings_record_keeps_exact_money() -> None:
    msg = decode("platform-sends/earnings-record.json")
    assert isinstance(msg, m.EarningsRecord)
    earnings = msg.earnings
    assert earnings.gpu_hours == 0.079
    assert earnings.rate_usd_per_hour.micros == 1_250_000
    assert earnings.amount_usd.micros == 98_750
    # 0.1036875 is finer than a micro-unit: rounded half-even for sums, exact text kept.
    assert earnings.final_amount_usd.micros == 103_688
    assert earnings.final_amount_usd.text == "0.1036875"
    assert earnings.final_amount_usd.decimal == Decimal("0.1036875")
    assert msg.status is EarningStatus.PENDING
    assert msg.estimated_payout_date == "2025-12-05"


def test_payout_notification_values() -> None:
    msg = decode("platform-sends/payout-notification.json")
    assert isinstance(msg, m.PayoutNotification)
    assert msg.summary.gross_amount_usd.micros == 84_000_000
    assert msg.summary.platform_fee_usd.micros == 4_200_000
    assert msg.summary.net_amount_usd.micros == 79_800_000
    assert msg.summary.net_amount_usd.text == "79.80"
    assert msg.summary.total_tasks == 847
    assert msg.status is PayoutStatus.PROCESSING
    assert (msg.period.start, msg.period.end) == ("2025-11-20", "2025-11-26")


def test_task_assign_values() -> None:
    msg = decode("platform-sends/task-assign.json")
    assert isinstance(msg, m.TaskAssign)
    assert msg.requirements.min_vram_gb == 12
    assert msg.requirements.min_compute_capability == "7.5"
    assert msg.payload.model_hash.startswith("sha256:9372c470")
    assert msg.payload.config == {"max_tokens": 512, "temperature": Decimal("0.7")}
    assert msg.pricing.effective_rate.micros == 1_250_000
    assert msg.pricing.base_rate_usd_per_hour.text == "0.50"


def test_pow_challenge_values() -> None:
    msg = decode("platform-sends/pow-challenge.json")
    assert isinstance(msg, m.PowChallenge)
    assert msg.nonce_bytes().hex() == protocol_keys()["pow_nonce_hex"]
    assert msg.difficulty == 16
    assert msg.deadline.rfc3339_z() == "2025-11-28T10:54:33.512345678Z"


def test_register_ack_error_and_auth_success() -> None:
    ack = decode("platform-sends/register-ack.json")
    assert isinstance(ack, m.RegisterAck) and ack.status == "active"
    err = decode("platform-sends/error.json")
    assert isinstance(err, m.Error)
    assert (err.code, err.recoverable, err.context) == ("AUTH_FAILED", False, None)
    ok = decode("platform-sends/auth-success.json")
    assert isinstance(ok, m.AuthSuccess) and ok.expires_in == 86400


# ---------------------------------------------------------------- variants
def test_decimals_as_numbers_are_parsed_exactly() -> None:
    msg = decode("variants/decimal-as-number.json")
    assert isinstance(msg, m.RegisterAck)
    assert msg.pricing.base_rate_usd_per_hour.micros == 500_000
    assert msg.pricing.gpu_multiplier.micros == 2_500_000
    assert msg.pricing.effective_rate.micros == 1_250_000
    assert '"effective_rate":"1.25"' in encode_json(msg)


def test_lowercase_earning_status_is_accepted() -> None:
    msg = decode("variants/earning-status-lowercase.json")
    assert isinstance(msg, m.EarningsRecord)
    assert msg.status is EarningStatus.PENDING
    assert '"status":"Pending"' in encode_json(msg)


def test_base64_pow_nonce_gives_the_same_bytes() -> None:
    msg = decode("variants/pow-nonce-base64.json")
    assert isinstance(msg, m.PowChallenge)
    assert msg.nonce_bytes().hex() == protocol_keys()["pow_nonce_hex"]


def test_unix_timestamp_is_accepted() -> None:
    msg = decode("variants/unix-timestamp.json")
    assert isinstance(msg, m.AuthSuccess)
    assert msg.timestamp == WireTime.from_unix(1764326973)
    assert encode_json(msg).startswith(
        '{"message_id":"a1b2c3d4-0000-4000-8000-000000000002",'
        '"timestamp":"2025-11-28T10:49:33+00:00","type":"AUTH_SUCCESS"'
    )


def test_unknown_extra_fields_are_ignored() -> None:
    msg = decode("variants/unknown-extra-fields.json")
    assert isinstance(msg, m.TaskAssign)
    assert encode_json(msg) == protocol_frame("platform-sends/task-assign.json")


def test_document_pricing_form_is_accepted() -> None:
    text = protocol_frame("platform-sends/task-assign.json").replace(
        '"pricing":{"base_rate_usd_per_hour":"0.50","gpu_multiplier":"2.5","effective_rate":"1.25"}',
        '"pricing":{"rate_usd_per_hour":1.25,"estimated_payout":0.104}',
    )
    msg = decode_json(text)
    assert isinstance(msg, m.TaskAssign)
    assert msg.pricing.effective_rate.micros == 1_250_000
    assert msg.pricing.estimated_payout is not None
    assert msg.pricing.estimated_payout.micros == 104_000
