"""Settings of the web side, read once from the environment.

Kept in one frozen object so tests can build an app with their own values (a tmp database,
a fake Rasa URL) without touching os.environ.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional

from sobu_privacy.settings import Settings as ProductSettings

REPO_ROOT = Path(__file__).resolve().parent.parent
WEB_DIR = REPO_ROOT / "bot" / "web"
TOKEN_FILE = REPO_ROOT / ".bot_api_token"


def read_bot_token(env: Mapping[str, str], token_file: Path = TOKEN_FILE) -> Optional[str]:
    """BOT_API_TOKEN, else the file the run script writes; None when neither exists."""
    token = (env.get("BOT_API_TOKEN") or "").strip()
    if token:
        return token
    try:
        token = token_file.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return token or None


def default_tracker_url() -> str:
    return f"sqlite:///{REPO_ROOT / 'var' / 'rasa_tracker.db'}"


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    rasa_url: str = "http://127.0.0.1:5005"
    bot_token: Optional[str] = None
    tracker_db_url: str = field(default_factory=default_tracker_url)
    #: Where the customer's browser finds Rasa's socket.io channel (may differ from rasa_url
    #: behind a proxy).
    socket_url: str = "http://127.0.0.1:5005"
    socket_path: str = "/socket.io"
    #: Plain http on 127.0.0.1 in the demo; set CONSOLE_COOKIE_SECURE=1 behind TLS.
    cookie_secure: bool = False
    poll_interval_ms: int = 2000
    #: CONSOLE_PROXIES: how many reverse proxies of ours stand in front of the console (1 on the
    #: scale path, HAProxy). Then the client's address is read from X-Forwarded-For as that
    #: many proxies wrote it; with 0 (no proxy) the header is ignored, so no client can choose
    #: the address its logins are counted and audited under.
    proxies: int = 0
    web_dir: Path = WEB_DIR
    #: The product's settings the console follows (session lifetime, login lock, due days).
    product: ProductSettings = field(default_factory=ProductSettings)

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "Settings":
        env = os.environ if env is None else env
        rasa_url = (env.get("RASA_URL") or "http://127.0.0.1:5005").rstrip("/")
        return cls(
            host=env.get("CONSOLE_HOST") or "127.0.0.1",
            port=int(env.get("CONSOLE_PORT") or 8000),
            rasa_url=rasa_url,
            bot_token=read_bot_token(env),
            tracker_db_url=env.get("TRACKER_DB_URL") or default_tracker_url(),
            socket_url=(env.get("CHAT_SOCKET_URL") or rasa_url).rstrip("/"),
            socket_path=env.get("CHAT_SOCKET_PATH") or "/socket.io",
            cookie_secure=(env.get("CONSOLE_COOKIE_SECURE") or "").lower() in ("1", "true", "yes"),
            proxies=int(env.get("CONSOLE_PROXIES") or 0),
            product=ProductSettings.from_env(env),
        )
