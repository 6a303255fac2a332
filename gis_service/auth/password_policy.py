"""What a password must be, checked wherever one is set (the accounts API, the command
line, and so the web pages that call the API): long enough (`PASSWORD_MIN_LENGTH`, 12 by
default), not only whitespace, not the user name, and not one of the 30,000 most common
passwords (zxcvbn's list, from breach corpora), alone or with digits and symbols added at
its ends ("password-123")."""

from __future__ import annotations

import re
from functools import lru_cache

from gis_service.core.errors import BadRequest

_DECORATION = re.compile(r"^[\W\d_]+|[\W\d_]+$")


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def check(password: str, *, username: str, min_length: int) -> None:
    """A 400 saying what is wrong with the password, or nothing."""
    if not password.strip():
        raise BadRequest("The password is only whitespace.", "密码不能全是空白字符。")
    if len(password) < min_length:
        raise BadRequest(
            f"The password must be at least {min_length} characters long.",
            f"密码至少需要 {min_length} 个字符。",
        )
    lowered = password.lower()
    core = _DECORATION.sub("", lowered)
    if lowered in _common() or core in _common() or len(set(lowered)) <= 2:
        raise BadRequest(
            "The password is one of the most common passwords (or one with digits added); choose another.",
            "该密码属于最常见的密码（或仅在其前后加了数字），请另选一个。",
        )
    if username.lower() in lowered:
        raise BadRequest("The password must not contain the user name.", "密码不能包含用户名。")
