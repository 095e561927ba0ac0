"""The device checks: the device asked for or exit 3, never the CPU instead; the expected GPU.

Device resolution is driven with a stand-in for ``torch`` whose ``get_device_properties`` gives
a fake properties object (name, uuid), so the ``--expect-gpu`` logic is tested without a GPU;
the command line is run for real on this machine (no CUDA, no MPS).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from orban_runner.devices import check_expected, cuda_uuid, matches, normalise_uuid, resolve
from orban_runner.errors import BadInput, DeviceUnavailable
from runner_helpers import TEXTS, embed_args, run_cli, write_jsonl

UUID = "GPU-3F1A9C2E-7B44-4D0A-9E8B-0C1D2E3F4A5B"


def fake_torch(*gpus: tuple[str, str | None], mps: bool = False) -> Any:
    """A stand-in for ``torch`` with these CUDA devices (name, raw uuid as torch gives it)."""
    props = [SimpleNamespace(name=name, uuid=uuid) for name, uuid in gpus]
    cuda = SimpleNamespace(
        is_available=lambda: bool(props),
        device_count=lambda: len(props),
        get_device_properties=lambda index: props[index],
    )
    backends = SimpleNamespace(mps=SimpleNamespace(is_available=lambda: mps))
    return SimpleNamespace(cuda=cuda, backends=backends)


H200 = ("NVIDIA H200", "3f1a9c2e-7b44-4d0a-9e8b-0c1d2e3f4a5b")  # torch's uuid has no GPU- prefix


def test_uuids_compare_in_one_form() -> None:
    assert normalise_uuid(UUID) == normalise_uuid(UUID.lower().removeprefix("GPU-".lower()))
    assert matches(UUID, "gpu-3f1a9c2e-7b44-4d0a-9e8b-0c1d2e3f4a5b", "NVIDIA H200")
    assert matches("nvidia h200", None, "NVIDIA H200")
    assert not matches("GPU-00000000-0000-0000-0000-000000000000", UUID, "NVIDIA H200")
    assert cuda_uuid(SimpleNamespace(uuid=H200[1])) == "GPU-" + H200[1]
    assert cuda_uuid(SimpleNamespace(uuid=UUID)) == UUID
    assert cuda_uuid(SimpleNamespace()) is None


def test_the_expected_gpu_by_uuid_or_name() -> None:
    torch = fake_torch(H200)
    device = resolve(torch, "cuda:0", UUID)
    assert (device.spec, device.name, device.uuid) == ("cuda:0", "NVIDIA H200", "GPU-" + H200[1])
    assert resolve(torch, "cuda", "NVIDIA H200").spec == "cuda:0"
    assert resolve(torch, "cuda:0", None).is_gpu


@pytest.mark.parametrize(
    "expected", ["GPU-00000000-0000-0000-0000-000000000000", "NVIDIA A100-SXM4-80GB"]
)
def test_another_gpu_than_the_expected_one_is_refused(expected: str) -> None:
    with pytest.raises(DeviceUnavailable, match=f"not the assigned {expected}; refusing"):
        resolve(fake_torch(H200), "cuda:0", expected)


def test_a_card_without_a_uuid_is_matched_by_name_only() -> None:
    torch = fake_torch(("AMD Instinct MI300X", None))
    assert resolve(torch, "cuda:0", "AMD Instinct MI300X").uuid is None
    with pytest.raises(DeviceUnavailable):
        resolve(torch, "cuda:0", UUID)
    with pytest.raises(DeviceUnavailable):
        check_expected(UUID, None, "AMD Instinct MI300X")


def test_missing_devices_are_exit_3_never_the_cpu() -> None:
    with pytest.raises(DeviceUnavailable, match="CUDA was asked for but is not available"):
        resolve(fake_torch(), "cuda", None)
    with pytest.raises(DeviceUnavailable, match="cuda:1 was asked for but only 1 GPU"):
        resolve(fake_torch(H200), "cuda:1", None)
    with pytest.raises(DeviceUnavailable, match="MPS was asked for but is not available"):
        resolve(fake_torch(), "mps", None)
    with pytest.raises(DeviceUnavailable, match=r"--expect-gpu .* with --device cpu"):
        resolve(fake_torch(H200), "cpu", UUID)
    assert resolve(fake_torch(mps=True), "mps", None).spec == "mps"
    with pytest.raises(DeviceUnavailable, match="not the assigned NVIDIA H200"):
        resolve(fake_torch(mps=True), "mps", "NVIDIA H200")


@pytest.mark.parametrize("spec", ["gpu", "cuda:x", "cpu:0", "mps:1", "tpu"])
def test_a_device_that_is_no_device_is_bad_input(spec: str) -> None:
    with pytest.raises(BadInput, match="--device must be cpu, cuda, cuda:N or mps"):
        resolve(fake_torch(H200), spec, None)


def test_the_cpu_has_its_model_name() -> None:
    device = resolve(fake_torch(), "cpu", None)
    assert (device.spec, device.uuid, device.is_gpu) == ("cpu", None, False)
    assert device.name


@pytest.mark.parametrize(
    ("device", "said"),
    [
        ("cuda", "orban-runner: CUDA was asked for but is not available here"),
        ("cuda:0", "orban-runner: CUDA was asked for but is not available here"),
        ("mps", "orban-runner: MPS was asked for but is not available here"),
    ],
)
def test_the_command_line_stops_with_exit_3_and_no_output(
    model_folder: Callable[..., Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    device: str,
    said: str,
) -> None:
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    write_jsonl(tmp_path / "in.jsonl", TEXTS)
    args = [*embed_args(model_folder(), tmp_path), "--device", device, "--expect-gpu", UUID]
    code, err = run_cli(capsys, *args)
    assert code == 3
    assert len(err) == 1
    assert err[-1].startswith(said) and err[-1].endswith("never computes on the CPU instead")
    assert not (tmp_path / "out.npz").exists()
    assert not (tmp_path / "out.npz.partial").exists()
