"""Runner images: only allowed ones run, and a missing one is pulled once, not per task."""

from __future__ import annotations

from typing import Any

import pytest
from docker.errors import APIError, ImageNotFound

from orban_desktop.compute.sandbox.images import (
    ImageRef,
    ImageUnavailable,
    RunnerImages,
    check_runner_image,
)
from orban_desktop.errors import ValidationFailed

DIGEST = "sha256:" + "ab" * 32


@pytest.mark.parametrize(
    ("reference", "allowed"),
    [
        ("orban/runner:0.1.0", ["orban/runner"]),
        ("orban/runner", ["orban/runner"]),
        (f"orban/runner@{DIGEST}", ["orban/runner"]),
        ("orban/runner:0.1.0", ["orban/runner:0.1.0"]),
        (f"orban/runner:0.1.0@{DIGEST}", [f"orban/runner@{DIGEST}"]),
        ("docker.io/orban/runner:1", ["orban/runner"]),
    ],
)
def test_allowed_images(reference: str, allowed: list[str]) -> None:
    assert check_runner_image(reference, allowed).repo == "orban/runner"


@pytest.mark.parametrize(
    ("reference", "allowed", "fragment"),
    [
        ("evil/miner:latest", ["orban/runner"], "does not allow"),
        ("orban/runner-evil:1", ["orban/runner"], "does not allow"),
        ("orban/runner:0.2.0", ["orban/runner:0.1.0"], "does not allow"),
        ("orban/runner:0.1.0", [f"orban/runner@{DIGEST}"], "does not allow"),
        ("orban/runner:1", [], "none"),
        ("Orban Runner", ["orban/runner"], "not a Docker image reference"),
        ("orban/runner;rm -rf /", ["orban/runner"], "not a Docker image reference"),
    ],
)
def test_refused_images_say_why(reference: str, allowed: list[str], fragment: str) -> None:
    with pytest.raises(ValidationFailed, match=fragment):
        check_runner_image(reference, allowed)


class FakeImage:
    def __init__(self, digests: list[str] | None = None, image_id: str = "sha256:" + "cd" * 32):
        self.attrs = {"RepoDigests": digests or []}
        self.id = image_id


class FakeClient:
    """Counts lookups and pulls of a Docker engine that has ``present`` and cannot pull."""

    def __init__(self, present: dict[str, FakeImage]) -> None:
        self.present = present
        self.pulls = 0
        self.images = self
        self.api = self

    def get(self, name: str) -> FakeImage:
        if name not in self.present:
            raise ImageNotFound(f"no such image: {name}")
        return self.present[name]

    def pull(self, repo: str, **_kwargs: Any) -> Any:
        self.pulls += 1
        raise APIError("no registry is reachable")


async def test_a_present_image_is_looked_up_once() -> None:
    client = FakeClient({"orban/runner:0.1.0": FakeImage()})
    images = RunnerImages(client)
    for _ in range(3):
        await images.ensure(ImageRef.parse("orban/runner:0.1.0"))
    assert client.pulls == 0


async def test_a_missing_image_is_pulled_once_not_before_every_task() -> None:
    client = FakeClient({})
    images = RunnerImages(client)
    for _ in range(5):
        with pytest.raises(ImageUnavailable, match="could not be pulled"):
            await images.ensure(ImageRef.parse("orban/runner:0.1.0"))
    assert client.pulls == 1


async def test_a_pinned_digest_is_checked_against_the_image() -> None:
    ref = f"orban/runner@{DIGEST}"
    wrong = FakeClient({ref: FakeImage(digests=["orban/runner@sha256:" + "ef" * 32])})
    with pytest.raises(ImageUnavailable, match="pinned digest"):
        await RunnerImages(wrong).ensure(ImageRef.parse(ref))
    right = FakeClient({ref: FakeImage(digests=[f"orban/runner@{DIGEST}"])})
    await RunnerImages(right).ensure(ImageRef.parse(ref))
