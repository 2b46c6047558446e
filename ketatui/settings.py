"""Every setting in one place: built once by the CLI and passed down, so nothing else reads the
environment.

Sources, strongest first: the command line, ``KETATUI_*`` environment variables, the settings
file (``KETATUI_CONFIG`` or ``settings.toml`` in the user config folder), the defaults below.
Each setting's variable is ``KETATUI_`` and its name in capitals (``KETATUI_DATA_DIR``);
``KETATUI_PROTOCOL`` is still read for ``protocol_file``. ``docs/settings.md`` lists them all.
``describe`` says where each value came from, with secrets masked (``ketatui config``).

The App builds its settings in a thread after its first paint (pydantic-settings costs about as
much to import as Textual), from the same ``SettingsRequest`` the CLI made from its flags
(``ketatui.settings_request``, which imports nothing heavy).

May import: pydantic, pydantic-settings, platformdirs and the standard library.
"""

from __future__ import annotations

import getpass
import json
import os
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from ketatui.settings_request import SettingsRequest

PREFIX = "KETATUI_"
CONFIG_ENV = "KETATUI_CONFIG"


def default_data_dir() -> Path:
    return platformdirs.user_data_path("ketatui")


def default_config_file() -> Path:
    return platformdirs.user_config_path("ketatui") / "settings.toml"


def login_name() -> str:
    """The OS login: the identity of a clinician with an account of their own."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid{os.getuid()}"


class SettingsInvalid(Exception):
    """Settings that cannot be used; each problem names the setting, where it came from and the fix."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def one_plain_line(value: str) -> str:
    """Text shown on screens and sheets: no control characters (an escape could rewrite the screen)."""
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise ValueError("write it on one line, without control characters")
    return value.strip()


class CrisisLine(BaseModel):
    """One crisis contact a site sets for itself: who, and how to reach them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=120, title="Name", description="e.g. Samaritans")
    how: str = Field(min_length=1, max_length=200, title="How to reach them", description="e.g. Call 116 123, any time")

    @field_validator("name", "how")
    @classmethod
    def _one_plain_line(cls, value: str) -> str:
        return one_plain_line(value)


class Settings(BaseSettings):
    """What a clinic, a kiosk or a trainer sets once; every field says what it is for."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, extra="forbid", validate_default=True, frozen=True)

    data_dir: Path = Field(default_factory=default_data_dir, title="Data folder",
                           description="where records are kept")
    key_file: Path = Field(default_factory=lambda: platformdirs.user_config_path("ketatui") / "store.key", title="Key file",
                           description="the store's encryption key; keep it away from the backups")
    passphrase: SecretStr | None = Field(default=None, title="Passphrase",
                                         description="unlocks a store made with a passphrase instead of a key file")
    backend: str = Field(default="tinydb", min_length=1, title="Storage backend",
                         description="which store to use, by name: tinydb (a folder) or postgres (a server)")
    database_url: SecretStr | None = Field(default=None, title="Database URL", description="for a server backend")
    user: str = Field(default_factory=login_name, min_length=1, max_length=120, title="User",
                      description="the name written on every save, signature and audit line")
    protocol_file: Path | None = Field(default=None, title="Protocol file",
                                       description="the clinic's protocol TOML (default: the built-in protocol)")
    theme: Literal["default", "high-contrast"] = Field(default="default", title="Theme",
                                                       description="the colours: default, or high-contrast for low vision and bright rooms")
    keymap: dict[str, str] = Field(default_factory=dict, title="Keymap",
                                   description="binding id to keys, e.g. {\"next\" = \"f3,ctrl+n\"}")
    export_dir: Path = Field(default_factory=lambda: default_data_dir() / "exports", title="Export folder",
                             description="where exported plans and sheets are written (never the current folder)")
    clinician_idle_timeout: int = Field(default=600, ge=30, le=86_400, title="Clinician idle lock (seconds)",
                                        description="the clinician's screen locks after this long without a key")
    ssh_service_account: str | None = Field(default=None, title="SSH service account",
                                            description="the shared account whose keys say `--as NAME`; believed only from a settings file only root can write")
    kiosk_idle_timeout: int = Field(default=120, ge=5, le=3_600, title="Kiosk idle reset (seconds)",
                                    description="the kiosk clears and starts over for the next person after this long without a key")
    training_data_dir: Path = Field(default_factory=lambda: platformdirs.user_data_path("ketatui-training"), title="Training data folder",
                                    description="where `ketatui train` keeps its synthetic records and scorecards, never the real store")
    scenarios_dir: Path = Field(default_factory=lambda: platformdirs.user_config_path("ketatui") / "scenarios", title="Training scenarios folder",
                                description="a trainer's own training scenarios (TOML files), listed with the built-in ones")
    kiosk_idle_warning: int = Field(default=30, ge=3, le=300, title="Kiosk idle warning (seconds)",
                                    description="how long the kiosk counts down on screen before it clears; any key continues")
    kiosk_unfinished: Literal["keep", "discard"] = Field(default="keep", title="Kiosk unfinished intake",
                                                         description="at an idle reset: keep the draft for staff (marked left at kiosk) or discard it")
    kiosk_staff_pin: str | None = Field(default=None, title="Kiosk staff PIN (hashed)",
                                        description="the staff PIN that leaves the kiosk, as a hash made by `ketatui kiosk --hash-pin`")
    clinic_contact: str = Field(default="", max_length=200, title="Clinic contact",
                                description="how a patient reaches the clinic, shown on the kiosk's crisis screen (e.g. front desk, 555-0100)")
    clinic_name: str | None = Field(default=None, min_length=1, max_length=120, title="Clinic name",
                                    description="the clinic's name on the kiosk and the patient's sheets (default: the protocol's)")
    crisis_contacts: list[CrisisLine] | None = Field(default=None, min_length=1, max_length=10, title="Crisis contacts",
                                                     description="the crisis lines shown on every crisis screen and plan, instead of the protocol's (built in: the US 988, 911, 741741)")

    @field_validator("clinic_name")
    @classmethod
    def _plain_name(cls, value: str | None) -> str | None:
        return one_plain_line(value) if value is not None else None

    @field_validator("data_dir", "key_file", "protocol_file", "export_dir", "training_data_dir", "scenarios_dir", mode="after")
    @classmethod
    def _expand(cls, value: Path | None) -> Path | None:
        return value.expanduser() if value is not None else None

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource) -> tuple[PydanticBaseSettingsSource, ...]:
        # load_settings reads the file and the environment itself (so a test can pass its own) and
        # hands the merged values in: the model only validates.
        return (init_settings,)

    def passphrase_text(self) -> str | None:
        return self.passphrase.get_secret_value() if self.passphrase else None


SECRETS = frozenset({"passphrase", "database_url", "kiosk_staff_pin"})
#: Older names still read, after the setting's own ``KETATUI_`` name.
ENV_ALIASES = {"protocol_file": ("KETATUI_PROTOCOL",)}


@dataclass(frozen=True)
class _Gathered:
    """Every value given, the source each came from (in words), and the settings file read."""

    values: dict[str, Any]
    sources: dict[str, str]
    path: Path


def config_path(request: SettingsRequest) -> Path:
    """The settings file this request reads (it need not exist)."""
    environ = os.environ if request.environ is None else request.environ
    return _config_path(request.config_file, environ)


def _config_path(config_file: Path | None, environ: Mapping[str, str]) -> Path:
    if config_file is not None:
        return Path(config_file).expanduser()
    if environ.get(CONFIG_ENV):
        return Path(environ[CONFIG_ENV]).expanduser()
    return default_config_file()


def read_config_file(path: Path, *, required: bool) -> dict[str, Any]:
    """The settings file as a dict; a missing default file is simply no settings."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if required:
            raise SettingsInvalid([f"settings file {path}: not found; create it or leave it out"]) from None
        return {}
    except OSError as exc:
        raise SettingsInvalid([f"settings file {path}: cannot be read ({exc.strerror}); check its permissions"]) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsInvalid([f"settings file {path}: is not valid TOML ({exc}); fix that line"]) from None


def env_names(name: str) -> tuple[str, ...]:
    """The environment variables a setting is read from, strongest first."""
    return (f"{PREFIX}{name.upper()}", *ENV_ALIASES.get(name, ()))


def flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _gather(request: SettingsRequest) -> _Gathered:
    environ = os.environ if request.environ is None else request.environ
    path = _config_path(request.config_file, environ)
    from_file = read_config_file(path, required=request.config_file is not None or bool(environ.get(CONFIG_ENV)))
    unknown = sorted(set(from_file) - set(Settings.model_fields))
    if unknown:
        raise SettingsInvalid([f"settings file {path}: '{key}' is not a setting; known settings: "
                               f"{', '.join(Settings.model_fields)}" for key in unknown])
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for name in Settings.model_fields:
        given = request.overrides.get(name)
        variable = next((v for v in env_names(name) if environ.get(v)), None)
        if given is not None:
            values[name], sources[name] = given, f"command line {flag(name)}"
        elif variable is not None:
            values[name], sources[name] = _from_env(name, variable, environ[variable]), f"environment {variable}"
        elif name in from_file:
            values[name], sources[name] = from_file[name], f"settings file {path}"
        else:
            sources[name] = "default"
    return _Gathered(values, sources, path)


def load_settings(overrides: Mapping[str, Any] | None = None, *, config_file: Path | None = None,
                  environ: Mapping[str, str] | None = None) -> Settings:
    """The effective settings. Raises ``SettingsInvalid`` naming each bad setting, its source and the fix."""
    gathered = _gather(SettingsRequest(dict(overrides or {}), config_file, environ))
    try:
        return Settings.model_validate(gathered.values)
    except ValidationError as exc:
        raise SettingsInvalid([_problem(error, gathered) for error in exc.errors()]) from None


#: Settings given as JSON in the environment, with an example of each.
JSON_IN_ENV = {"keymap": '{"next": "f3,ctrl+n"}',
               "crisis_contacts": '[{"name": "Samaritans", "how": "Call 116 123, any time"}]'}


def _from_env(name: str, variable: str, text: str) -> Any:
    """An environment value as the field takes it: the keymap and crisis contacts are JSON, everything else text."""
    if name not in JSON_IN_ENV:
        return text
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        title = Settings.model_fields[name].title
        raise SettingsInvalid([f"{title} (environment {variable}): is not JSON; write it as {JSON_IN_ENV[name]}"]) from None


def _problem(error: Any, gathered: _Gathered) -> str:
    name = str(error["loc"][0]) if error.get("loc") else "(settings)"
    if name not in Settings.model_fields:
        return f"{name}: {error['msg']}"
    title = Settings.model_fields[name].title or name
    title += "".join(f" #{part + 1}" if isinstance(part, int) else f", {part}" for part in error["loc"][1:])
    shown = "" if name in SECRETS else f" (it is {error['input']!r})"
    return f"{title} (from {gathered.sources[name]}): {error['msg'].removeprefix('Value error, ')}{shown}"


def describe(settings: Settings, request: SettingsRequest | None = None) -> list[tuple[str, str, str]]:
    """(setting, value shown, where it came from) for each setting, secrets masked."""
    sources = _gather(request or SettingsRequest()).sources
    rows = []
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if name in SECRETS:
            shown = "(set, hidden)" if value else "(not set)"
        elif value is None:
            shown = "(not set)"
        elif isinstance(value, dict):
            shown = json.dumps(value) if value else "(none)"
        elif isinstance(value, list):
            shown = "; ".join(f"{line.name}: {line.how}" for line in value)
        else:
            shown = str(value)
        rows.append((name, shown, sources[name]))
    return rows
