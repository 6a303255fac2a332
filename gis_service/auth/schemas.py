"""API shapes for accounts and tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

from gis_service.auth.roles import Role, capabilities_of


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    username: str
    display_name: str | None
    role: Role
    is_active: bool
    is_demo: bool
    unit_code: str | None = Field(default=None, description="the account's unit; null: the served unit")
    password_change_required: bool = Field(
        default=False, description="signed in with a one-time password: it must be changed first"
    )
    last_sign_in: datetime | None = None

    @computed_field
    @property
    def capabilities(self) -> list[str]:
        """What the role may do (auth/roles.py): the map asks these, never the role."""
        return capabilities_of(self.role)


# what an administrator sets when making or changing an account
UnitCode = Annotated[
    str | None,
    Field(
        pattern=r"^[1-9][0-9]{5}$",
        description="the unit the account belongs to (county level or above); null: the served unit",
    ),
]
OneTimePassword = Annotated[
    bool | None,
    Field(description="true: the password given is a one-time password, changed at the next sign-in"),
]


class UserCreate(BaseModel):
    username: str = Field(pattern=r"^[A-Za-z0-9_.-]{2,64}$")
    role: Role
    display_name: str | None = Field(default=None, max_length=200)
    # the policy (auth/password_policy.py) says the rest
    password: str | None = Field(default=None, max_length=200)
    unit_code: UnitCode = None
    password_change_required: OneTimePassword = None
    invite: bool = Field(
        default=False, description="no password: the answer brings an invitation link to choose one"
    )

    @model_validator(mode="after")
    def _password_or_invitation(self) -> UserCreate:
        if self.invite == (self.password is not None):
            raise ValueError("give either a password or invite: true")
        return self


class Invitation(BaseModel):
    """A link through which the account's user chooses their password: shown once."""

    url: str
    expires_at: datetime


class UserCreated(UserOut):
    invitation: Invitation | None = None


class InvitationLookup(BaseModel):
    model_config = ConfigDict(extra="forbid")

    secret: str = Field(min_length=20, max_length=100)


class InvitationAccept(InvitationLookup):
    new_password: str = Field(max_length=200)


class Invited(BaseModel):
    username: str
    display_name: str | None
    expires_at: datetime


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    display_name: str | None = Field(default=None, max_length=200)
    is_active: bool | None = None
    password: str | None = Field(default=None, max_length=200)
    unit_code: UnitCode = None
    password_change_required: OneTimePassword = None


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(max_length=200)
    new_password: str = Field(max_length=200)  # the policy (auth/password_policy.py) says the rest


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime
    user: UserOut


class RevokedOut(BaseModel):
    revoked: int
