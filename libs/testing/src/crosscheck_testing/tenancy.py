"""What a refusal for being out of scope looks like, the same in every service."""

from __future__ import annotations

import httpx

OUT_OF_SCOPE_MESSAGES = {
    "zh-CN": "该数据不在当前账号的权限范围内",
    "en": "This data is outside the scope of your account.",
}


def assert_out_of_scope(response: httpx.Response) -> None:
    """403 `out_of_scope`, its message in the language asked for, naming nothing."""
    where = f"{response.request.method} {response.request.url.path}"
    assert response.status_code == 403, f"{where}: {response.status_code} {response.text[:300]}"
    error = response.json()["error"]
    assert error["code"] == "out_of_scope", f"{where}: {error}"
    language = response.headers["content-language"]
    assert error["message"] == OUT_OF_SCOPE_MESSAGES[language], f"{where}: {error}"
    assert error["detail"] == {}, f"{where}: {error}"
