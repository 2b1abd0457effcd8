"""The installed package (a wheel, as the Dockerfile installs it) carries every file it reads.

Tests run on an editable install, which reads files from the source tree; a file that
setup.cfg's package_data misses would only fail in the image. This builds the wheel and
compares it with the tree.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("gateway", "vocab", "mappings")


def _tracked_package_files() -> set[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--", *PACKAGES], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return {path for path in listed if not path.endswith(".pyc")}


def test_the_wheel_holds_every_file_of_the_packages(tmp_path):
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path)]
    built = subprocess.run([*build, str(ROOT)], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = {name for name in archive.namelist() if name.split("/")[0] in PACKAGES}
    missing = sorted(_tracked_package_files() - shipped)
    assert not missing, f"setup.cfg's package_data misses: {missing}"
