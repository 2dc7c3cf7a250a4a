"""What can go wrong with the identity provider, told apart for callers and people.

Unreachable (network, time-out, the provider's own 5xx: try again later), refused (the
provider answered no: wrong credentials, a disabled or locked account, our client's
rights), conflict (the login name is taken). The provider's own words stay on the
exception for logs; they are not part of what a client is shown.
"""

from __future__ import annotations

from typing import Any

from crosscheck_platform.errors import DomainError
from crosscheck_platform.i18n import register


class IdentityError(DomainError):
    code = "identity_error"
    message_key = "identity.error"

    def __init__(
        self,
        message_key: str | None = None,
        /,
        *,
        provider_status: int | None = None,
        provider_error: str = "",
        **params: Any,
    ) -> None:
        super().__init__(message_key, **params)
        self.provider_status = provider_status
        self.provider_error = provider_error

    def __str__(self) -> str:
        told = super().__str__()
        if self.provider_status is not None:
            return f"{told} (provider answered HTTP {self.provider_status}: {self.provider_error})"
        return f"{told} ({self.provider_error})" if self.provider_error else told


class IdentityUnreachable(IdentityError):
    """No answer, a time-out, or the provider failed (5xx): nothing was decided."""

    code = "identity_unreachable"
    message_key = "identity.unreachable"


class IdentityRefused(IdentityError):
    """The provider answered and said no (4xx)."""

    code = "identity_refused"
    message_key = "identity.refused"


class LoginRefused(IdentityRefused):
    """A password or refresh grant was refused: wrong password, disabled or temporarily
    locked account, a used or expired refresh token. The provider does not say which,
    on purpose, and neither do we."""

    code = "login_refused"
    message_key = "identity.login_refused"


class PasswordRejected(IdentityRefused):
    """The new password breaks the realm's password policy."""

    code = "password_rejected"
    message_key = "identity.password_rejected"


class IdentityConflict(IdentityError):
    """The login name (or e-mail) already belongs to another user."""

    code = "identity_conflict"
    message_key = "identity.username_taken"


class IdentityUserNotFound(IdentityError):
    code = "identity_user_not_found"
    message_key = "identity.user_not_found"


MESSAGES: dict[str, tuple[str, str]] = {
    "identity.error": (
        "身份认证服务出错,请稍后重试",
        "The identity provider failed; please try again later.",
    ),
    "identity.unreachable": (
        "暂时无法连接身份认证服务,请稍后重试",
        "The identity provider cannot be reached right now; please try again later.",
    ),
    "identity.refused": (
        "身份认证服务拒绝了该请求",
        "The identity provider refused the request.",
    ),
    "identity.login_refused": (
        "账号或密码错误,或账号已停用、暂时锁定",
        "Wrong login or password, or the account is disabled or temporarily locked.",
    ),
    "identity.password_rejected": (
        "密码不符合安全要求,请换一个密码",
        "The password does not meet the password policy; please choose another.",
    ),
    "identity.username_taken": (
        "登录账号 {username} 已被其他人员使用",
        "The login {username} is already used by someone else.",
    ),
    "identity.email_taken": (
        "该邮箱已被其他登录账号使用",
        "This e-mail address is already used by another login.",
    ),
    "identity.user_not_found": (
        "未找到该登录账号",
        "This login was not found.",
    ),
}


def register_messages() -> None:
    register(MESSAGES)


register_messages()
