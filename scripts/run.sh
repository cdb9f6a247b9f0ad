#!/usr/bin/env bash
# Starts the action server, the Rasa server, the website/staff console, the analytics
# consumer and the retention purge (purge: storage/retention.py; analytics: analytics/), and
# keeps them running; Ctrl-C stops all.
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

.venv/bin/python -m storage upgrade
echo "Rasa: $RASA_URL  actions: $ACTION_SERVER_URL  website and staff console: http://$CONSOLE_HOST:$CONSOLE_PORT"
# Each service is restarted with backoff if it exits (scripts/supervise.py); Ctrl-C stops all.
PY=.venv/bin/python
exec $PY scripts/supervise.py \
  --service "actions=$PY -m actions.server -p $ACTIONS_PORT" \
  --service "rasa=$PY scripts/rasa_server.py -i 127.0.0.1 -p $RASA_PORT --cors http://$CONSOLE_HOST:$CONSOLE_PORT --model $MODEL --endpoints bot/endpoints.yml --credentials bot/credentials.yml" \
  --service "console=$PY -m console" \
  --service "analytics=$PY -m analytics consume --endpoints bot/endpoints.yml" \
  --service "purge=$PY -m storage purge --every"
