"""`make run` and `make test` wait for another apt process instead of failing (issue 19 finding 4).

A stand-in `apt-get` on PATH says the lists lock is held twice, then lets go: tools/apt-install
waits, then installs with the dpkg lock timeout set."""
import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "apt-install"
FAKE = """#!/usr/bin/env bash
echo "$*" >> "{log}"
if [ "$1" = "update" ] || [ "$2" = "update" ]; then
  n=$(grep -c update "{log}")
  if [ "$n" -le {busy} ]; then echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 1 (apt-get)" >&2; exit 100; fi
fi
exit 0
"""


def run(tmp_path, busy: int, wait: int = 60):
    log = tmp_path / "calls"
    fake = tmp_path / "apt-get"
    fake.write_text(FAKE.format(log=log, busy=busy))
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}", "APT_LOCK_WAIT": str(wait)}
    done = subprocess.run(["bash", str(SCRIPT), "chromium"], env=env, capture_output=True, text=True, timeout=60)
    return done, log.read_text().splitlines()


def test_apt_install_waits_for_the_lock_then_installs(tmp_path, monkeypatch):
    monkeypatch.setenv("APT_RETRY_SECONDS", "0")
    done, calls = run(tmp_path, busy=2)
    assert done.returncode == 0, done.stderr
    assert calls[:3] == ["update -qq"] * 3
    assert calls[3] == "-o DPkg::Lock::Timeout=60 install -y -qq chromium"
    assert done.stderr.count("等待它结束") == 2


def test_apt_install_gives_up_after_its_wait_and_says_why(tmp_path, monkeypatch):
    monkeypatch.setenv("APT_RETRY_SECONDS", "0")
    done, calls = run(tmp_path, busy=1000, wait=0)
    assert done.returncode == 1 and "Could not get lock" in done.stderr
    assert not any("install" in call for call in calls)


def test_make_fonts_on_a_fresh_machine_waits_for_the_apt_lock_then_installs(tmp_path, monkeypatch):
    """Issue 19 Done-when: `make run` (install → fonts) on a machine without the CJK font, while another
    apt process holds the lock, waits for it and installs, instead of failing."""
    import shutil
    if shutil.which("make") is None:
        import pytest
        pytest.skip("make 未安装")
    log = tmp_path / "calls"
    (tmp_path / "apt-get").write_text(FAKE.format(log=log, busy=2))
    (tmp_path / "fc-list").write_text("#!/usr/bin/env bash\necho '/usr/share/fonts/x.ttf: DejaVu Sans'\n")
    for tool in ("apt-get", "fc-list"):
        (tmp_path / tool).chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}", "APT_RETRY_SECONDS": "0"}
    done = subprocess.run(["make", "-s", "fonts"], cwd=SCRIPT.parents[1], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert "installing fonts-noto-cjk" in done.stdout and done.stderr.count("等待它结束") == 2
    assert log.read_text().splitlines()[-1].endswith("install -y -qq fontconfig fonts-noto-cjk")
