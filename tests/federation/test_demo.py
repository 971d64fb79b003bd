"""`make federation-demo` runs: three installations, the ceremony, messages delivered."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from casework.devdata import federation_demo


def test_the_federation_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for code in ("TH", "KH", "HUB"):
        monkeypatch.delenv(f"FEDERATION_DEMO_{code}_URL", raising=False)
    monkeypatch.setattr(sys, "argv", ["federation_demo", "--workdir", str(tmp_path)])
    federation_demo.main()
    out = capsys.readouterr().out
    assert out.count(": delivered") == 5
    assert "Cambodia received from Thailand, in order, once each: [1, 2]" in out
    assert out.count("fingerprint: ") == 3
