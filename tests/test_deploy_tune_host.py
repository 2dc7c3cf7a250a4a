"""`deploy/stack tune-host` against a folder standing in for /proc/sys/vm: what it sets,
what it keeps for --undo, and its refusals. (The kernel itself is left alone: its pair of
settings zero each other, which a folder does not.)"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

STACK = Path(__file__).resolve().parents[1] / "deploy" / "stack"


def _vm(tmp_path: Path, *, bytes_: int = 0, ratio: int = 10) -> Path:
    vm = tmp_path / "vm"
    vm.mkdir()
    (vm / "dirty_background_bytes").write_text(f"{bytes_}\n")
    (vm / "dirty_background_ratio").write_text(f"{ratio}\n")
    return vm


def _stack(tmp_path: Path, vm: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # A copy, so that its state folder (beside the script) is this test's own.
    script = tmp_path / "deploy" / "stack"
    if not script.exists():
        script.parent.mkdir()
        shutil.copy2(STACK, script)
        # The script sources its Keycloak part from beside it.
        shutil.copytree(STACK.parent / "keycloak", script.parent / "keycloak")
    return subprocess.run(
        ["bash", str(script), *args],
        env={**os.environ, "CROSSCHECK_SYSCTL_VM": str(vm)},
        capture_output=True,
        text=True,
        timeout=60,
    )


def _read(vm: Path, name: str) -> int:
    return int((vm / name).read_text())


def test_tune_host_sets_8_mib_and_undo_puts_back_what_it_found(tmp_path: Path) -> None:
    vm = _vm(tmp_path, ratio=10)
    saved = tmp_path / "deploy" / ".state" / "host-writeback.before"

    tuned = _stack(tmp_path, vm, "tune-host")
    assert tuned.returncode == 0, tuned.stderr
    assert _read(vm, "dirty_background_bytes") == 8 * 1024 * 1024
    assert "8 MiB" in tuned.stdout
    assert saved.read_text().split() == ["0", "10"]

    # Again: still what it found the first time, not its own value.
    assert _stack(tmp_path, vm, "tune-host").returncode == 0
    assert saved.read_text().split() == ["0", "10"]

    (vm / "dirty_background_ratio").write_text("0\n")  # as the kernel does
    undone = _stack(tmp_path, vm, "tune-host", "--undo")
    assert undone.returncode == 0, undone.stderr
    assert _read(vm, "dirty_background_ratio") == 10
    assert not saved.exists()

    again = _stack(tmp_path, vm, "tune-host", "--undo")
    assert again.returncode == 0
    assert "nothing to undo" in again.stdout


def test_undo_restores_a_byte_setting_found_before(tmp_path: Path) -> None:
    vm = _vm(tmp_path, bytes_=65536, ratio=0)
    assert _stack(tmp_path, vm, "tune-host").returncode == 0
    assert _stack(tmp_path, vm, "tune-host", "--undo").returncode == 0
    assert _read(vm, "dirty_background_bytes") == 65536


def test_refusals_say_why_and_change_nothing(tmp_path: Path) -> None:
    vm = _vm(tmp_path)
    wrong = _stack(tmp_path, vm, "tune-host", "--now")
    assert wrong.returncode != 0
    assert "no argument but --undo" in wrong.stderr

    missing = _stack(tmp_path, tmp_path / "absent", "tune-host")
    assert missing.returncode != 0
    assert "run it as root" in missing.stderr
    assert _read(vm, "dirty_background_bytes") == 0
    assert not (tmp_path / "deploy" / ".state" / "host-writeback.before").exists()
