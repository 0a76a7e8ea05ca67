"""Typed configuration, read once from the environment at cold start: a missing or malformed
variable fails loudly at init, not in the middle of a request."""

import json
import os
from collections.abc import Mapping
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from helpdesk.domain.sla import SlaPolicies


def _from_environ(environ: Mapping[str, str] | None, **variables: str) -> dict[str, str]:
    """Field values from the environment variables that are set (unset ones keep the default)."""
    env = os.environ if environ is None else environ
    return {field: env[name] for field, name in variables.items() if name in env}


class Department(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")
    name: str = Field(min_length=1, max_length=80)
    # The name in other languages than the desk's own (Spanish), e.g. {"en": "Technical Support"}:
    # mail and the portal name the department in the reader's language.
    names: dict[str, str] = Field(default_factory=dict)
    # The local part of the department's address on the support mail domain (soporte@...).
    mailbox: str | None = Field(default=None, pattern=r"^[a-z0-9._-]{1,64}$")

    @property
    def mailbox_name(self) -> str:
        return self.mailbox or self.id

    def name_in(self, language: str) -> str:
        """The department's name for a reader of `language` ("es", "en"); `name` when it has none."""
        return self.names.get(language, self.name)

    @field_validator("names")
    @classmethod
    def _names_are_names(cls, value: dict[str, str]) -> dict[str, str]:
        if not set(value) <= {"es", "en"}:
            unknown = sorted(set(value) - {"es", "en"})
            raise ValueError(f"names are given per language, es or en (not {unknown})")
        if any(not 1 <= len(name.strip()) <= 80 for name in value.values()):
            raise ValueError("a department's name in a language is 1 to 80 characters")
        return value


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    table_name: str = Field(min_length=3)
    auto_close_hours: int = Field(default=72, ge=1)
    departments: tuple[Department, ...] = Field(min_length=1)
    operators_group: str = "operators"
    # The Cognito user pool whose operators group is the operator directory (USER_POOL_ID).
    user_pool_id: str | None = None
    # An HTTP API accepts up to 10 MB; no legitimate ticket request comes near this.
    max_request_bytes: int = Field(default=256 * 1024, ge=1024)
    # What an inbound mail may bring; the rest is reported back to the sender.
    max_attachments: int = Field(default=10, ge=0)
    max_attachment_bytes: int = Field(default=15 * 1024 * 1024, ge=0)
    # With a malware scanner on the bucket (GuardDuty Malware Protection for S3): only files it
    # found clean are downloaded. Without, only files it marked infected are held.
    malware_scan_required: bool = False
    # Escalation warns when a response target has this many business minutes left (or fewer).
    sla_warning_minutes: int = Field(default=30, ge=1, le=24 * 60)
    # The customer is reminded this many hours before the automatic close (0: no reminder).
    auto_close_reminder_hours: int = Field(default=24, ge=0)
    # Netz0's time zone: the times mail tells customers are on this clock.
    time_zone: str = "Europe/Madrid"

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (an IANA name such as Europe/Madrid)") from None
        return value

    @model_validator(mode="after")
    def _reminder_before_the_close(self) -> "Settings":
        if self.auto_close_reminder_hours >= self.auto_close_hours:
            raise ValueError(
                f"auto_close_reminder_hours ({self.auto_close_reminder_hours}) must be less than "
                f"auto_close_hours ({self.auto_close_hours}), or 0 for no reminder"
            )
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @field_validator("departments", mode="before")
    @classmethod
    def _parse_departments(cls, value: object) -> object:
        return json.loads(value) if isinstance(value, str) else value

    def department(self, department_id: str) -> Department | None:
        return next((d for d in self.departments if d.id == department_id), None)

    def department_for_mailbox(self, mailbox: str) -> Department | None:
        return next((d for d in self.departments if d.mailbox_name == mailbox), None)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        return cls.model_validate(
            _from_environ(
                environ,
                table_name="TABLE_NAME",
                auto_close_hours="AUTO_CLOSE_HOURS",
                departments="DEPARTMENTS",
                operators_group="OPERATORS_GROUP",
                user_pool_id="USER_POOL_ID",
                max_request_bytes="MAX_REQUEST_BYTES",
                max_attachments="MAX_ATTACHMENTS",
                max_attachment_bytes="MAX_ATTACHMENT_BYTES",
                malware_scan_required="MALWARE_SCAN_REQUIRED",
                sla_warning_minutes="SLA_WARNING_MINUTES",
                auto_close_reminder_hours="AUTO_CLOSE_REMINDER_HOURS",
                time_zone="TIME_ZONE",
            )
        )


@cache
def settings() -> Settings:
    return Settings.from_env()


@cache
def sla_policies() -> SlaPolicies:
    """The SLA calendars and policies (the `SlaPolicies` template parameter, a JSON document in
    SLA_POLICIES). Read only by the functions that compute SLA state: a calendar with a country's
    holidays loads the holidays library, which the other functions need not pay for."""
    from helpdesk.sla_config import SlaDocument

    text = os.environ.get("SLA_POLICIES")
    if not text:
        raise RuntimeError("SLA_POLICIES is not set (the SlaPolicies template parameter)")
    return SlaDocument.from_json(text).policies_for(tuple(d.id for d in settings().departments))


class MailSettings(BaseModel):
    """What the e-mail functions need besides Settings; read only by them."""

    model_config = ConfigDict(frozen=True)

    domain: str = Field(min_length=3)
    sender: str = Field(min_length=3)
    bucket: str = Field(min_length=3)
    signing_secret: str = Field(min_length=1, description="Secrets Manager id of the HMAC key")
    configuration_set: str | None = None
    inbound_prefix: str = "inbound/"
    # The web portal, where the confirmation links of added addresses lead.
    portal_url: str | None = Field(default=None, pattern=r"^https?://[^\s#]+$")
    attachments_prefix: str = "attachments/"

    @field_validator("configuration_set", "portal_url", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return value or None  # an empty MAIL_CONFIGURATION_SET means "send without one"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "MailSettings":
        return cls.model_validate(
            _from_environ(
                environ,
                domain="MAIL_DOMAIN",
                sender="MAIL_SENDER",
                bucket="MAIL_BUCKET",
                signing_secret="MAIL_SIGNING_SECRET",  # noqa: S106 - the variable's name, not a secret
                configuration_set="MAIL_CONFIGURATION_SET",
                portal_url="PORTAL_URL",
            )
        )


@cache
def mail_settings() -> MailSettings:
    return MailSettings.from_env()


class EventSettings(BaseModel):
    """What publish_events needs: the stack's EventBridge bus (EVENT_BUS_NAME)."""

    model_config = ConfigDict(frozen=True)

    bus_name: str = Field(min_length=1, max_length=256)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "EventSettings":
        return cls.model_validate(_from_environ(environ, bus_name="EVENT_BUS_NAME"))


@cache
def event_settings() -> EventSettings:
    return EventSettings.from_env()
