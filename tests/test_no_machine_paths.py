"""No absolute filesystem path of a particular machine in benchmarks/, annstudio/, tests/ or tools/.

Checked: every file git knows or would add there (tracked, and untracked files not ignored: build
outputs such as Cython's generated C++ are ignored and may hold the build machine's paths), read as
text.  A machine path is an absolute home or workspace folder (under home, Users, root, work, opt, mnt,
srv, scratch, media, or a Windows drive's Users folder) or this checkout's own location; standard
system locations (``/usr/bin/env``, ``/usr/local/cuda``) are not.
"""
import os
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("benchmarks", "annstudio", "tests", "tools")
# written in pieces so that this file does not match itself
_SEP = "/"
MACHINE = re.compile("|".join([
    _SEP + r"(?:home|Users)" + _SEP + r"[A-Za-z0-9._-]+",
    _SEP + r"(?:root|work|opt|mnt|srv|scratch|media)" + _SEP + r"[A-Za-z0-9._-]",
    r"\b[A-Za-z]:\\\\?(?:Users|home)\\",
]))


def _files():
    git = shutil.which("git")
    if git and (ROOT / ".git").exists():
        out = subprocess.run([git, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *FOLDERS],
                             cwd=ROOT, capture_output=True, timeout=120)
        if out.returncode == 0:
            return [ROOT / p for p in out.stdout.decode().split("\0") if p and (ROOT / p).is_file()]
    skip_dirs = {"__pycache__", "build"}
    return [Path(d) / f for folder in FOLDERS for d, dirs, files in os.walk(ROOT / folder)
            if not dirs.__setitem__(slice(None), [x for x in dirs if x not in skip_dirs and not x.startswith(".")])
            for f in files if not f.endswith((".so", ".pyc", ".o", ".cpp", ".c"))]


def _hits(text, extra):
    hits = [m.group(0) for m in MACHINE.finditer(text)]
    return hits + [e for e in extra if e in text]


def test_no_absolute_machine_path_in_the_sources():
    home = os.path.expanduser("~")
    extra = [str(ROOT)] + ([home] if len(home) > 5 else [])
    files = _files()
    assert len(files) > 100, "the check sees the sources"
    found = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue                      # binary (images): no paths to read
        for hit in _hits(text, extra):
            found.append(f"{path.relative_to(ROOT)}: {hit}")
    assert not found, "\n".join(found)


def test_the_check_catches_machine_paths():
    assert _hits(f"venv = '{_SEP}home{_SEP}alice{_SEP}annarchy/bin/python'", [])
    assert _hits(f"PEERS = '{_SEP}work{_SEP}bench/.venvs'", [])
    assert _hits("C:" + "\\" + "Users" + "\\" + "bob", [])
    assert _hits(f"x = '{_SEP}root{_SEP}.pyenv/versions/3.13.0'", [])
    assert not _hits("#!/usr/bin/env python\nnvcc = '/usr/local/cuda/bin/nvcc'", [])
