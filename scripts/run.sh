#!/usr/bin/env bash
# Starts the action server, the Rasa server, the website/staff console, the analytics
# consumer and the retention purge; Ctrl-C stops all.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
MODEL=${MODEL:-models/current.tar.gz}

if [ -z "${CONSOLE_ADMIN_PASSWORD:-}" ] && [ ! -s var/console_admin_password ] && [ ! -s var/app.db ]; then
  (umask 077; .venv/bin/python -c "import secrets; print(secrets.token_urlsafe(12))" > var/console_admin_password)
  echo "スタッフコンソールの初期管理者パスワードを var/console_admin_password に作成しました (user: admin)."
fi
if [ -z "${CONSOLE_ADMIN_PASSWORD:-}" ] && [ -s var/console_admin_password ]; then
  export CONSOLE_ADMIN_PASSWORD=$(cat var/console_admin_password)
fi

pids=()
stop() { for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; done; wait 2>/dev/null; }
trap stop EXIT INT TERM

.venv/bin/python -m storage upgrade
setsid .venv/bin/python -m actions.server -p "$ACTIONS_PORT" & pids+=($!)
setsid .venv/bin/python scripts/rasa_server.py -i 127.0.0.1 -p "$RASA_PORT" \
  --cors "http://$CONSOLE_HOST:$CONSOLE_PORT" --model "$MODEL" \
  --endpoints bot/endpoints.yml --credentials bot/credentials.yml & pids+=($!)
setsid .venv/bin/python -m console & pids+=($!)
# Rasa's event stream → de-identified analytics facts (analytics/).
setsid .venv/bin/python -m analytics consume --endpoints bot/endpoints.yml & pids+=($!)
# Deletes what is past its retention period, every PURGE_INTERVAL_MINUTES (storage/retention.py).
setsid .venv/bin/python -m storage purge --every & pids+=($!)

echo "Rasa: $RASA_URL  actions: $ACTION_SERVER_URL  website and staff console: http://$CONSOLE_HOST:$CONSOLE_PORT"
wait -n
