"""crosscheck-token mints what the services accept."""

from __future__ import annotations

import pytest

from crosscheck_platform.auth import Role, verify_token
from crosscheck_platform.auth.cli import main
from crosscheck_platform.settings import ServiceSettings

SECRET = "cli-secret-0123456789-0123456789-0123"


def test_the_cli_mints_a_token_that_verifies(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CROSSCHECK_JWT_SECRET", SECRET)
    main(
        [
            "--role",
            "village_committee",
            "--county",
            "532327",
            "--township",
            "532327101",
            "--village",
            "v-03",
            "--name",
            "王芳",
            "--ttl-hours",
            "2",
        ]
    )
    token = capsys.readouterr().out.strip()
    principal = verify_token(ServiceSettings(jwt_secret=SECRET), token)
    assert principal.role is Role.VILLAGE_COMMITTEE
    assert (principal.county, principal.township, principal.village_id) == (
        "532327",
        "532327101",
        "v-03",
    )
    assert principal.name == "王芳"


def test_the_cli_refuses_a_scope_the_role_cannot_have(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CROSSCHECK_JWT_SECRET", SECRET)
    with pytest.raises(SystemExit) as exited:
        main(["--role", "county_viewer", "--county", "532327", "--township", "532327101"])
    assert exited.value.code == 2
    assert "county-scoped" in capsys.readouterr().err
