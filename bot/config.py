"""Settings from the environment and a ``.env`` file (pydantic-settings).

Secrets are ``SecretStr``: they never show in logs or reprs.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
SUPPORTED_LOCALES = ("ko", "en")


class Settings(BaseSettings):
    """Every setting the bot reads. Names are the environment variables (case-insensitive)."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    database_url: str = ""
    data_dir: Path = DEFAULT_DATA_DIR
    knowledge_paths: Annotated[list[Path], NoDecode] = Field(
        default_factory=lambda: [DEFAULT_KNOWLEDGE_DIR]
    )
    auto_ingest: bool = True
    # Git repositories whose notes every workspace sees: ``<url>[#branch][:subdir]``, several
    # separated by whitespace or commas; pulled on start, on ``/notes sync`` and every
    # ``knowledge_sync_minutes`` (0: only on start and on demand).
    knowledge_git: Annotated[list[str], NoDecode] = Field(default_factory=list)
    knowledge_sync_minutes: int = 15
    # What a workspace admin may add with ``/notes add git`` (the operator's own repositories
    # may use any transport): https only unless the operator allows more (git, ssh, http).
    knowledge_git_schemes: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["https"])
    # Reingest the configured folders when a notes file in them changes (no restart needed).
    knowledge_watch: bool = True
    tokenizer_process: bool = True
    # The meaning signal beside the key points (a sentence encoder; ~50 MB once it is loaded).
    grading_meaning: bool = True
    # Where the encoder's table file is kept (default: ``models`` in the data folder).
    models_dir: Path | None = None
    locale: str = "ko"
    log_level: str = "WARNING"

    interview_rounds: int = 5
    interview_idle_minutes: int = 30

    daily_grace_minutes: int = 120
    daily_default_tz: str = "Asia/Seoul"

    discord_token: SecretStr | None = None
    discord_guild_id: int | None = None
    discord_message_content: bool = False
    discord_shard_count: int | None = None
    discord_shard_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)

    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_admin_users: Annotated[list[str], NoDecode] = Field(default_factory=list)
    slack_http_host: str = "0.0.0.0"
    slack_http_port: int = 3000

    @field_validator("knowledge_paths", mode="before")
    @classmethod
    def _split_paths(cls, value: object) -> object:
        if isinstance(value, str):
            return [Path(part) for part in value.split(",") if part.strip()]
        return value

    @field_validator(
        "discord_shard_ids",
        "slack_admin_users",
        "knowledge_git",
        "knowledge_git_schemes",
        mode="before",
    )
    @classmethod
    def _split_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.replace(",", " ").split() if part.strip()]
        return value

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        value = value.strip().lower()[:2]
        return value if value in SUPPORTED_LOCALES else "ko"

    @property
    def resolved_database_url(self) -> str:
        """``DATABASE_URL``, or a SQLite file in the data folder. Nothing is created here: the
        folder is made when the database is opened (:func:`bot.app.database.open_database`),
        where a folder that cannot be made is a clear error."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'interview-bot.sqlite3'}"

    @property
    def resolved_models_dir(self) -> Path:
        """``MODELS_DIR``, or ``models`` in the data folder."""
        return self.models_dir or self.data_dir / "models"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
