#!/usr/bin/env bash
# `make run-scaled`: the scale path on this machine. Two Rasa servers and two action servers
# behind HAProxy (bot/haproxy.cfg: one public origin for the website, the chat and the
# console), trackers and tickets in PostgreSQL, Redis locks, events through RabbitMQ to one
# analytics consumer, the retention purge; every service supervised (scripts/supervise.py).
# The same layout on several machines: README "Scale path".
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
MODEL=${MODEL:-models/current.tar.gz}
PY=.venv/bin/python

# Where the shared state lives (the machine's own services by default).
export SCALE_PG_DB=${SCALE_PG_DB:-sobu_scale}
export TRACKER_PG_HOST=${TRACKER_PG_HOST:-127.0.0.1} TRACKER_PG_PORT=${TRACKER_PG_PORT:-5432}
export TRACKER_PG_DB=${TRACKER_PG_DB:-$SCALE_PG_DB}
export TRACKER_PG_USER=${TRACKER_PG_USER:-postgres} TRACKER_PG_PASSWORD=${TRACKER_PG_PASSWORD:-}
export LOCK_REDIS_HOST=${LOCK_REDIS_HOST:-127.0.0.1} LOCK_REDIS_PORT=${LOCK_REDIS_PORT:-6379}
export LOCK_REDIS_DB=${LOCK_REDIS_DB:-0}
export SCALE_DATABASE_URL=${SCALE_DATABASE_URL:-postgresql://$TRACKER_PG_USER@$TRACKER_PG_HOST:$TRACKER_PG_PORT/$SCALE_PG_DB}
export DATABASE_URL=$SCALE_DATABASE_URL TRACKER_DB_URL=$SCALE_DATABASE_URL

# One public origin (HAProxy); the services behind it on their own loopback ports.
export PUBLIC_HOST=${PUBLIC_HOST:-127.0.0.1} PUBLIC_PORT=${PUBLIC_PORT:-8080}
PUBLIC="http://$PUBLIC_HOST:$PUBLIC_PORT"
export RASA_PORT_1=${RASA_PORT_1:-5105} RASA_PORT_2=${RASA_PORT_2:-5106}
ACTIONS_PORT_1=${ACTIONS_PORT_1:-5155} ACTIONS_PORT_2=${ACTIONS_PORT_2:-5156}
export CONSOLE_PORT=${CONSOLE_PORT:-8000}
export SITE_ORIGINS=$PUBLIC CHAT_SOCKET_URL=$PUBLIC
export CONSOLE_PROXIES=1  # HAProxy: the client's address is in X-Forwarded-For

# The PostgreSQL database, created once; the schema migrated.
$PY - <<'PY'
import os, psycopg2
name = os.environ["SCALE_PG_DB"]
admin = psycopg2.connect(host=os.environ["TRACKER_PG_HOST"], port=os.environ["TRACKER_PG_PORT"],
                         user=os.environ["TRACKER_PG_USER"], password=os.environ["TRACKER_PG_PASSWORD"] or None,
                         dbname="postgres")
admin.autocommit = True
with admin.cursor() as cursor:
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
    if cursor.fetchone() is None:
        cursor.execute(f'CREATE DATABASE "{name}"')
admin.close()
PY
$PY -m storage upgrade
if [ -z "${CONSOLE_ADMIN_PASSWORD:-}" ] && [ ! -s var/console_admin_password ]; then
  (umask 077; $PY -c "import secrets; print(secrets.token_urlsafe(12))" > var/console_admin_password)
  echo "スタッフコンソールの初期管理者パスワードを var/console_admin_password に作成しました (user: admin)."
fi
if [ -z "${CONSOLE_ADMIN_PASSWORD:-}" ]; then
  export CONSOLE_ADMIN_PASSWORD=$(cat var/console_admin_password)
fi

rasa() {  # one Rasa server on port $1 with its own action server on port $2
  echo "env ACTION_SERVER_URL=http://127.0.0.1:$2/webhook $PY scripts/rasa_server.py -i 127.0.0.1 -p $1 --model $MODEL --endpoints bot/endpoints.scale.yml --credentials bot/credentials.yml"
}
echo "website, chat and staff console: $PUBLIC  (Rasa API on this machine: $RASA_URL)"
exec $PY scripts/supervise.py \
  --service "actions1=$PY -m actions.server -p $ACTIONS_PORT_1" \
  --service "actions2=$PY -m actions.server -p $ACTIONS_PORT_2" \
  --service "rasa1=$(rasa "$RASA_PORT_1" "$ACTIONS_PORT_1")" \
  --service "rasa2=$(rasa "$RASA_PORT_2" "$ACTIONS_PORT_2")" \
  --service "console=$PY -m console" \
  --service "proxy=haproxy -db -f bot/haproxy.cfg" \
  --service "analytics=$PY -m analytics consume --endpoints bot/endpoints.scale.yml" \
  --service "purge=$PY -m storage purge --every"
