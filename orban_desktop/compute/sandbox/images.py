"""Which runner images a task may name, and making sure an allowed one is here, pulled once.

A platform names the runner image of each task (``config.runner``); the owner decides which
images may run (``sandbox.allowed_runner_images``, by default only the platform's own
``orban/runner`` images). :func:`check_runner_image` refuses any other reference with the
reason. An entry is a repository (``orban/runner``: any tag or digest of it), a
``repository:tag`` (that tag only) or a ``repository@sha256:...`` (that digest only).
:class:`RunnerImages` keeps the images seen present, pulls a missing allowed image at most
once per :data:`PULL_RETRY_S` (logging its progress) instead of before every task, and checks
a digest-pinned reference against the image it would run. Docker SDK calls run in worker
threads, and import the Docker SDK there, when a client exists (``docker_client`` says why).
Imports the error tree, and nothing from Qt.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from orban_desktop.errors import SandboxError, ValidationFailed

log = logging.getLogger(__name__)
#: Seconds before a failed pull of an image is tried again.
PULL_RETRY_S = 600.0
DEFAULT_ALLOWED_RUNNER_IMAGES = ("orban/runner",)
_REF = re.compile(
    r"(?P<repo>[a-z0-9]+(?:[._/-][a-z0-9]+)*(?::[0-9]+/[a-z0-9._/-]+)?)"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?"
    r"(?:@(?P<digest>sha256:[0-9a-f]{64}))?"
)


@dataclass(frozen=True)
class ImageRef:
    """A parsed image reference: repository, and the tag or digest it pins (if any)."""

    repo: str
    tag: str | None
    digest: str | None

    @classmethod
    def parse(cls, text: str) -> ImageRef:
        """Raises ValueError for text that is not an image reference."""
        match = _REF.fullmatch(text.strip())
        if match is None:
            raise ValueError(f"{text[:120]!r} is not a Docker image reference")
        repo = match.group("repo").removeprefix("docker.io/").removeprefix("library/")
        return cls(repo, match.group("tag"), match.group("digest"))

    def covers(self, other: ImageRef) -> bool:
        """Whether this allow-list entry admits ``other``."""
        if self.repo != other.repo:
            return False
        if self.digest is not None:
            return other.digest == self.digest
        return self.tag is None or other.tag == self.tag

    def __str__(self) -> str:
        text = self.repo + (f":{self.tag}" if self.tag else "")
        return text + (f"@{self.digest}" if self.digest else "")


def check_runner_image(reference: str, allowed: Iterable[str]) -> ImageRef:
    """The task's runner image, if the owner allows it.

    Raises:
        ValidationFailed: Not an image reference, or not one of the allowed images.
    """
    try:
        ref = ImageRef.parse(reference)
    except ValueError as exc:
        raise ValidationFailed(f"The task names an unusable runner image: {exc}.") from exc
    entries = [ImageRef.parse(entry) for entry in allowed]
    if not any(entry.covers(ref) for entry in entries):
        names = ", ".join(str(e) for e in entries) or "none"
        raise ValidationFailed(
            f"The task asks for the runner image {ref}, which this agent does not allow "
            f"(sandbox.allowed_runner_images: {names}). It never runs or pulls other images."
        )
    return ref


class ImageUnavailable(SandboxError):
    """An image a task needs is not here and could not be pulled (another sandbox may stand in)."""

    title = "The task image is missing"


class RunnerImages:
    """Presence of the images tasks run in (runner images, the canary image), in ``client``."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._present: set[str] = set()
        self._failed: dict[str, tuple[float, str]] = {}
        self._lock = asyncio.Lock()

    async def ensure(self, ref: ImageRef) -> None:
        """Make sure ``ref`` is here (pulling it at most once per :data:`PULL_RETRY_S`).

        Raises:
            SandboxError: It is missing and could not be pulled (recently), or its digest is
                not the one pinned.
        """
        name = str(ref)
        if name in self._present:
            return
        async with self._lock:
            if name in self._present:
                return
            failed = self._failed.get(name)
            if failed is not None and time.monotonic() - failed[0] < PULL_RETRY_S:
                raise ImageUnavailable(failed[1])
            try:
                await asyncio.to_thread(self._ensure_sync, ref)
            except ImageUnavailable as exc:
                self._failed[name] = (time.monotonic(), exc.message)
                raise
            self._present.add(name)

    def _ensure_sync(self, ref: ImageRef) -> None:
        from docker.errors import DockerException, ImageNotFound

        name = str(ref)
        try:
            image = self._client.images.get(name)
        except ImageNotFound:
            image = self._pull(ref)
        except (DockerException, OSError) as exc:
            raise ImageUnavailable(f"Docker could not look up the image {name}: {exc}") from exc
        if ref.digest is not None:
            digests = [str(d) for d in image.attrs.get("RepoDigests") or []]
            if not any(d.endswith(f"@{ref.digest}") for d in digests) and image.id != ref.digest:
                raise ImageUnavailable(
                    f"The image {ref.repo} here does not have the pinned digest {ref.digest}; "
                    "it is not run."
                )

    def _pull(self, ref: ImageRef) -> Any:
        from docker.errors import DockerException

        name = str(ref)
        log.info("pulling the image %s (once; tasks wait for it)", name)
        try:
            layers: dict[str, str] = {}
            for event in self._client.api.pull(
                ref.repo, tag=ref.digest or ref.tag or "latest", stream=True, decode=True
            ):
                if "id" in event and "status" in event:
                    layers[event["id"]] = event["status"]
                    done = sum(
                        1 for s in layers.values() if s.startswith(("Pull complete", "Already"))
                    )
                    log.info("pulling %s: %d of %d layers done", name, done, len(layers))
                if "error" in event:
                    raise ImageUnavailable(f"Pulling the image {name} failed: {event['error']}")
            return self._client.images.get(name)
        except (DockerException, OSError) as exc:
            raise ImageUnavailable(
                f"The image {name} is not on this computer and could not be pulled ({exc}). "
                f"Load it (`docker pull {name}`; the runner image: make runner-image), or use "
                "a runner environment (sandbox.runner_python). The agent tries again in "
                "10 minutes."
            ) from exc
