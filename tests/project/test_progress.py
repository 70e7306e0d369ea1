"""The run's progress: a live bar in a pseudo-terminal, plain lines when piped, nothing with --quiet."""
import io
import os
import pty
import re
import select
import subprocess
import sys

from annstudio.project.progress import RunProgress
from project_helpers import ROOT

ESC = "\x1b["


def _env():
    return dict(os.environ, PYTHONPATH=str(ROOT), COLUMNS="160", LINES="40", TERM="xterm-256color")


def _run_in_pty(args, cwd):
    """Run ``python -m annstudio ARGS`` with its stdout on a pseudo-terminal; (rc, everything written)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "annstudio", *args], stdout=slave, stderr=subprocess.PIPE,
                            cwd=cwd, env=_env())
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 300)
        if not ready:
            proc.kill()
            break
        try:
            data = os.read(master, 65536)
        except OSError:                 # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    rc = proc.wait(timeout=300)
    return rc, b"".join(chunks).decode("utf-8", "replace")


def test_bar_renders_in_a_pseudo_terminal(tmp_path, small_file):
    rc, out = _run_in_pty(["run", str(small_file), "--out", str(tmp_path / "r.npz")], tmp_path)
    assert rc == 0, out
    assert ESC in out                                        # a live, redrawn bar
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out)
    assert "50.0/50 ms" in plain and "100%" in plain          # simulated time, done
    assert re.search(r"[\d,]+ ms/s", plain), plain            # model ms per wall-clock second
    assert "ETA" in plain and "progress " not in plain        # time remaining; no fallback lines
    assert "saved to" in plain


def test_plain_lines_when_piped(tmp_path, small_file):
    proc = subprocess.run([sys.executable, "-m", "annstudio", "run", str(small_file), "--out",
                           str(tmp_path / "r.npz")], capture_output=True, text=True, cwd=tmp_path, env=_env(),
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert ESC not in proc.stdout
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("progress")]
    assert lines[-1].startswith("progress 100.0%") and "50.0/50 ms" in lines[-1]
    assert all("ms/s" in ln and "ETA" in ln for ln in lines) and 2 <= len(lines) <= 6


def test_quiet_prints_no_progress(tmp_path, small_file):
    rc, out = _run_in_pty(["run", str(small_file), "--out", str(tmp_path / "r.npz"), "--quiet"], tmp_path)
    assert rc == 0 and ESC not in out
    lines = out.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("small: simulated 50 ms"), out      # the summary only


def test_plain_lines_report_speed_and_eta():
    stream = io.StringIO()
    bar = RunProgress(stream=stream)
    assert not bar.terminal                       # a StringIO is not a terminal
    for done in (0.0, 10.0, 20.0, 30.0, 60.0, 90.0, 100.0):
        bar(done, 100.0, "simulate")
    bar.close()
    lines = stream.getvalue().splitlines()
    assert [ln.split()[1] for ln in lines] == ["0.0%", "30.0%", "60.0%", "90.0%", "100.0%"]
    assert lines[-1].endswith("ETA 0.0 s") and "100.0/100 ms" in lines[-1]
