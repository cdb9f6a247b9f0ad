"""scripts/rasa_server.py: the API token goes to Rasa from the environment only."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from rasa_server import rasa_argv  # noqa: E402


def test_token_is_added_to_rasas_own_arguments() -> None:
    assert rasa_argv(["-p", "5005"], "s3cret") == [
        "rasa", "run", "--enable-api", "--auth-token=s3cret", "-p", "5005"]


@pytest.mark.parametrize("token", ["s3cret", "-starts-with-a-dash", "--looks-like-an-option", "a=b"])
def test_rasa_reads_every_generated_token_as_the_token(token: str) -> None:
    """secrets.token_urlsafe (scripts/env.sh) starts a token with "-" one time in 64."""
    from rasa.__main__ import create_argument_parser

    parsed = create_argument_parser().parse_args(rasa_argv(["-p", "5005"], token)[1:])
    assert parsed.auth_token == token and parsed.port == 5005 and parsed.enable_api


@pytest.mark.parametrize("token", ["", "   "])
def test_refuses_to_start_an_unprotected_api(token: str) -> None:
    with pytest.raises(SystemExit, match="BOT_API_TOKEN"):
        rasa_argv([], token)


@pytest.mark.parametrize("args", [["--auth-token", "x"], ["--auth-token=x"]])
def test_refuses_a_token_on_the_command_line(args) -> None:
    with pytest.raises(SystemExit, match="--auth-token"):
        rasa_argv(args, "s3cret")
