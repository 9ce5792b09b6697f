"""Fetch once, while online, every file the app can use but cannot make: MNIST, Fashion-MNIST and
CIFAR-10 into the data folder (CNNVIZ_DATA), the ImageNet weights of AlexNet, VGG-16 and ResNet-18
into torch hub's cache, where cnnviz.data.datasets and cnnviz.models.pretrained look for them.

Each file goes to a temporary file first, is checked against its published checksum and only then
takes its name, so a failure leaves nothing half-written. It trains and loads nothing.
`python -m cnnviz.data.prefetch [--only mnist,resnet18] [--data DIR] [--weights DIR] [--list]`.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import os
import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.error import URLError
from urllib.parse import urlparse
from urllib.request import Request, urlopen

__all__ = ["Item", "dataset_items", "fetch_item", "main", "verify", "weight_items"]

ROOT = Path(__file__).resolve().parents[2]
CHUNK = 1 << 20
PROGRESS_EVERY = 100 << 20  # a line per 100 MB, so a long download visibly moves
TIMEOUT_S = 60
# Published sizes, only for the estimate printed before anything is fetched.
APPROX_MB = {"mnist": 11.6, "fashion_mnist": 30.9, "cifar10": 170.5}
_HASH_IN_NAME = re.compile(r"-([0-9a-f]{6,})\.")  # resnet18-f37072fd.pth: SHA-256 starts f37072fd


@dataclass(frozen=True)
class Item:
    """One file: where it goes, where it comes from (mirrors in order) and how it is checked."""

    group: str
    path: Path
    urls: tuple[str, ...]
    md5: str | None = None  # torchvision publishes MD5s for its datasets
    sha256_prefix: str | None = None  # and the first hex digits of SHA-256 in weight file names
    approx_mb: float = 0.0


def dataset_items(root: Path) -> list[Item]:
    """torchvision's own file lists and checksums, placed where torchvision and cnnviz.data.datasets look."""
    from torchvision import datasets

    items = []
    for group, cls, folder in (("mnist", datasets.MNIST, "MNIST"),
                               ("fashion_mnist", datasets.FashionMNIST, "FashionMNIST")):
        for name, md5 in cls.resources:
            items.append(Item(group, Path(root) / folder / "raw" / name,
                              tuple(m + name for m in cls.mirrors), md5=md5,
                              approx_mb=APPROX_MB[group] / len(cls.resources)))
    cifar = datasets.CIFAR10
    items.append(Item("cifar10", Path(root) / cifar.filename, (cifar.url,), md5=cifar.tgz_md5,
                      approx_mb=APPROX_MB["cifar10"]))
    return items


def weight_items(cache_dir: Path | None = None) -> list[Item]:
    """The three ImageNet weight files, named and placed as cnnviz.models.pretrained expects them."""
    from cnnviz.models.pretrained import IMAGENET_MODELS, weights_file

    items = []
    for name, (_, weights) in IMAGENET_MODELS.items():
        path = weights_file(name, cache_dir)
        match = _HASH_IN_NAME.search(path.name)
        mib = float(weights.meta.get("_file_size", 0.0))
        items.append(Item(name, path, (weights.url,), sha256_prefix=match.group(1) if match else None,
                          approx_mb=mib * 1.048576))
    return items


def verify(item: Item, md5: str, sha256: str) -> str | None:
    """None when the digests match what is published, else what does not match."""
    if item.md5 and md5 != item.md5:
        return f"MD5 {md5} is not the published {item.md5}"
    if item.sha256_prefix and not sha256.startswith(item.sha256_prefix):
        return f"SHA-256 {sha256} does not start with the published {item.sha256_prefix}"
    return None


def _digests(path: Path) -> tuple[int, str, str]:
    md5, sha, size = hashlib.md5(usedforsecurity=False), hashlib.sha256(), 0
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            md5.update(chunk)
            sha.update(chunk)
            size += len(chunk)
    return size, md5.hexdigest(), sha.hexdigest()


def _download(url: str, target: Path, say: Callable[[str], None]) -> None:
    """Stream ``url`` into ``target`` (a temporary file), flushed to disk."""
    request = Request(url, headers={"User-Agent": "cnnviz-prefetch"})
    with urlopen(request, timeout=TIMEOUT_S) as response, target.open("wb") as out:
        length = response.headers.get("Content-Length") if response.headers else None
        say(f"    {url} ({int(length) / 1e6:.1f} MB)" if length and length.isdigit() else f"    {url}")
        done, shown = 0, 0
        for chunk in iter(lambda: response.read(CHUNK), b""):
            out.write(chunk)
            done += len(chunk)
            if done - shown >= PROGRESS_EVERY:
                say(f"    … {done / 1e6:.0f} MB")
                shown = done
        out.flush()
        os.fsync(out.fileno())


def _report(item: Item, size: int, sha256: str) -> str:
    checked = "MD5" if item.md5 else "SHA-256 prefix" if item.sha256_prefix else "no checksum"
    return f"{size / 1e6:.1f} MB, {checked} verified, sha256 {sha256}"


def _make_folder(folder: Path) -> Path | None:
    """Create ``folder``; return the topmost folder this created (to remove after a failure)."""
    top = None
    for parent in (folder, *folder.parents):
        if parent.exists():
            break
        top = parent
    folder.mkdir(parents=True, exist_ok=True)
    return top


def _remove_empty(folder: Path, top: Path | None) -> None:
    """Remove the folders a failed fetch created, from ``folder`` up to ``top``, if empty."""
    if top is None:
        return
    for path in (folder, *folder.parents):
        with contextlib.suppress(OSError):
            path.rmdir()  # only succeeds on an empty folder
        if path == top:
            return


def _try_mirror(item: Item, url: str, say: Callable[[str], None]) -> str | None:
    """Fetch from one mirror into a temporary file and, once verified, into place; None = done."""
    fd, tmp = tempfile.mkstemp(prefix=f".{item.path.name}.", suffix=".part", dir=item.path.parent)
    os.close(fd)
    temp = Path(tmp)
    try:
        _download(url, temp, say)
        size, md5, sha = _digests(temp)
        problem = verify(item, md5, sha)
        if problem:
            return problem
        os.chmod(temp, 0o644)  # mkstemp makes 0600; these are ordinary files
        os.replace(temp, item.path)
        say(f"  ok       {item.group}: {item.path.name} fetched, {_report(item, size, sha)}")
        return None
    except (URLError, OSError, ValueError, http.client.HTTPException) as exc:  # offline, cut off, disk full
        return str(getattr(exc, "reason", exc))
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()  # gone already after os.replace; otherwise never left half-written


def fetch_item(item: Item, say: Callable[[str], None]) -> bool:
    """Make sure ``item`` is in place and verified; True when it is. Tries each mirror in turn."""
    label = f"{item.group}: {item.path.name}"
    if item.path.is_file():
        size, md5, sha = _digests(item.path)
        problem = verify(item, md5, sha)
        if problem is None:
            say(f"  ok       {label} already there, {_report(item, size, sha)}")
            return True
        say(f"  damaged  {label}: {problem}; fetching it again")
    say(f"  fetching {label}")
    try:
        created = _make_folder(item.path.parent)
    except OSError as exc:
        say(f"  FAILED   {label}: cannot write {item.path.parent}: {exc}")
        return False
    errors = []
    for url in item.urls:
        problem = _try_mirror(item, url, say)
        if problem is None:
            return True
        errors.append(f"{urlparse(url).netloc or url}: {problem}")
    _remove_empty(item.path.parent, created)
    say(f"  FAILED   {label}: " + "; ".join(errors))
    return False


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m cnnviz.data.prefetch", description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="", help="comma-separated: mnist, fashion_mnist, cifar10, "
                                                   "alexnet, vgg16, resnet18 (default: all)")
    parser.add_argument("--data", type=Path, default=None,
                        help="dataset folder (default: $CNNVIZ_DATA, else data/ in the repository)")
    parser.add_argument("--weights", type=Path, default=None,
                        help="weights folder (default: torch hub's checkpoints folder)")
    parser.add_argument("--list", action="store_true", help="say what goes where, fetch nothing")
    return parser


def main(argv: Sequence[str] | None = None, say: Callable[[str], None] = print) -> int:
    """Fetch and verify; exit code 0 when every file is in place, 1 when some are missing."""
    args = _parser().parse_args(argv)
    data = args.data or ROOT / os.environ.get("CNNVIZ_DATA", "data")
    weights = weight_items(args.weights)
    items = dataset_items(data) + weights
    wanted = {g.strip() for g in args.only.split(",") if g.strip()}
    unknown = wanted - {i.group for i in items}
    if unknown:
        say(f"unknown name(s) {sorted(unknown)}; choose from {sorted({i.group for i in items})}")
        return 2
    items = [i for i in items if not wanted or i.group in wanted]
    total = sum(i.approx_mb for i in items)
    size = f"{total / 1000:.1f} GB" if total >= 1000 else f"{total:.0f} MB"
    say(f"{len(items)} files, about {size} in all: datasets in {data.resolve()}, "
        f"weights in {weights[0].path.parent}")
    if args.list:
        for item in items:
            say(f"  {item.group:<14} {item.path}  <- {item.urls[0]}")
        return 0
    missing = [item for item in items if not fetch_item(item, say)]
    if missing:
        say(f"{len(missing)} of {len(items)} files are missing ({', '.join(sorted({i.group for i in missing}))}); "
            "run this again while online, or copy them by hand (`--list` shows where each goes)")
        return 1
    say("everything is in place and verified: the app can teach without internet")
    return 0


if __name__ == "__main__":
    sys.exit(main())
