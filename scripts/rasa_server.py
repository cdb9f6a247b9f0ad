#!/usr/bin/env python
"""`rasa run` with the HTTP API on and its token taken from BOT_API_TOKEN, not the command line.

Rasa 3.6 reads the API token only from `--auth-token`, so started directly the token sits in
the process's command line, which every local user can read with `ps`. This launcher puts
it into Rasa's own argument list inside the process; /proc/<pid>/environ, where the token
stays, is readable only by the same user. Every other argument is passed through:

    BOT_API_TOKEN=… .venv/bin/python scripts/rasa_server.py -i 127.0.0.1 -p 5005 --model …
"""
from __future__ import annotations

import os
import sys
from typing import List, Sequence


def rasa_argv(args: Sequence[str], token: str) -> List[str]:
    if not token.strip():
        raise SystemExit("BOT_API_TOKEN が設定されていません。Rasa の HTTP API を保護できないため起動しません。")
    if any(a == "--auth-token" or a.startswith("--auth-token=") for a in args):
        raise SystemExit("--auth-token は使わず、トークンは環境変数 BOT_API_TOKEN で渡してください。")
    # One argument, "--auth-token=…": a token that starts with "-" (secrets.token_urlsafe gives
    # one in 64) would otherwise be read as an option, and Rasa would not start.
    return ["rasa", "run", "--enable-api", f"--auth-token={token}", *args]


def main() -> None:
    sys.argv = rasa_argv(sys.argv[1:], os.environ.get("BOT_API_TOKEN", ""))
    from sobu_privacy.logsafe import install

    install()  # no customer text in Rasa's logs, on any path (sobu_privacy/logsafe.py)
    from bot import remote_action

    remote_action.install()  # the action server's answers checked by a validator built once
    from bot import policy_log

    policy_log.install()  # RulePolicy's debug line: the last states, not the whole conversation
    from bot import graph_runner

    graph_runner.install()  # the model's graph run in an order worked out once, not by dask each time
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
