"""The notify API's texts, Chinese first, registered with the platform catalogue: what a
contact address must look like when the township admin's does not."""

from __future__ import annotations

from crosscheck_platform.i18n import register

MESSAGES: dict[str, tuple[str, str]] = {
    "notify.contact.webhook": (
        "接收地址须为以 http:// 或 https:// 开头的完整网址",
        "A webhook address must be a full http:// or https:// URL.",
    ),
    "notify.contact.email": (
        "电子邮箱格式不正确,例如 zhangsan@example.cn",
        "This is not an e-mail address (e.g. zhangsan@example.cn).",
    ),
    "notify.contact.sms": (
        "短信号码须为11位手机号码,例如 13812345678",
        "An SMS number must be an 11-digit mainland mobile number, e.g. 13812345678.",
    ),
    "notify.contact.not_found": (
        "该乡镇({township})没有此联系人:{role} {ref}",
        "Township {township} has no contact for {role} {ref}.",
    ),
}


def register_messages() -> None:
    register(MESSAGES)
