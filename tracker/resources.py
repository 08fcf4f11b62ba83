"""Where the editable data lives: ``templates/`` and ``workflows/``, shipped and overridden.

In a checkout they sit at the top of the repository; an installed wheel carries them as
``tracker/_shipped/``. A file of the same relative name in the instance folder
(``instance/templates/...``, ``instance/workflows/...``) takes precedence over the shipped one.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def shipped_dir(name: str) -> Path:
    """The shipped folder ``name`` ("templates" or "workflows"): inside the wheel, else the checkout's."""
    inside = PACKAGE_DIR / "_shipped" / name
    if inside.is_dir():
        return inside
    checkout = PACKAGE_DIR.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"shipped folder {name!r} not found beside the tracker package")


def search_path(name: str, instance_path: Path | None) -> list[Path]:
    """Folders to look in for ``name``, the instance's override first."""
    folders = []
    if instance_path is not None and (instance_path / name).is_dir():
        folders.append(instance_path / name)
    folders.append(shipped_dir(name))
    return folders


def find_file(name: str, relative: str, instance_path: Path | None) -> Path:
    """The file ``relative`` inside folder ``name``, the instance's copy when it has one."""
    for folder in search_path(name, instance_path):
        candidate = folder / relative
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{name}/{relative} not found in {[str(f) for f in search_path(name, instance_path)]}")
