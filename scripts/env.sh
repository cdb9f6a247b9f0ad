# Settings shared by `make run`, the tests and the benchmarks (sourced, not executed).
# Every value can be overridden from the environment; see README "Settings".
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mkdir -p "$ROOT/var"
chmod 700 "$ROOT/var"

# The Rasa HTTP API token: never a fixed default. Generated once, kept out of git.
if [ -z "${BOT_API_TOKEN:-}" ]; then
  if [ ! -s "$ROOT/.bot_api_token" ]; then
    (umask 077; "$ROOT/.venv/bin/python" -c "import secrets; print(secrets.token_urlsafe(32))" > "$ROOT/.bot_api_token")
  fi
  BOT_API_TOKEN=$(cat "$ROOT/.bot_api_token")
fi
export BOT_API_TOKEN

# The key of the conversation pseudonyms in logs and analytics (sobu_privacy/pseudonyms.py):
# one per deployment, shared by every service, never in git.
if [ -z "${PSEUDONYM_KEY:-}" ]; then
  if [ ! -s "$ROOT/var/pseudonym_key" ]; then
    (umask 077; "$ROOT/.venv/bin/python" -c "import secrets; print(secrets.token_urlsafe(32))" > "$ROOT/var/pseudonym_key")
  fi
  PSEUDONYM_KEY=$(cat "$ROOT/var/pseudonym_key")
fi
export PSEUDONYM_KEY

# The secret Rasa sends to the action server (bot/endpoints.yml, actions/server.py).
if [ -z "${ACTION_SERVER_TOKEN:-}" ]; then
  if [ ! -s "$ROOT/var/action_server_token" ]; then
    (umask 077; "$ROOT/.venv/bin/python" -c "import secrets; print(secrets.token_urlsafe(32))" > "$ROOT/var/action_server_token")
  fi
  ACTION_SERVER_TOKEN=$(cat "$ROOT/var/action_server_token")
fi
export ACTION_SERVER_TOKEN

export RASA_PORT=${RASA_PORT:-5005}
export ACTIONS_PORT=${ACTIONS_PORT:-5055}
export CONSOLE_PORT=${CONSOLE_PORT:-8000}
export CONSOLE_HOST=${CONSOLE_HOST:-127.0.0.1}
export RASA_URL=${RASA_URL:-http://127.0.0.1:$RASA_PORT}
export ACTION_SERVER_URL=${ACTION_SERVER_URL:-http://127.0.0.1:$ACTIONS_PORT/webhook}
export TRACKER_SQLITE_PATH=${TRACKER_SQLITE_PATH:-$ROOT/var/rasa_tracker.db}
export TRACKER_DB_URL=${TRACKER_DB_URL:-sqlite:///$TRACKER_SQLITE_PATH}
# Rasa's event stream for the analytics consumer (bot/endpoints.yml; a queue, emptied as read).
export EVENT_BROKER_SQLITE_PATH=${EVENT_BROKER_SQLITE_PATH:-$ROOT/var/rasa_events.db}
# The scale path's event stream (bot/endpoints.scale.yml): RabbitMQ, as Rasa's pika broker.
export RABBITMQ_HOST=${RABBITMQ_HOST:-127.0.0.1}
export RABBITMQ_PORT=${RABBITMQ_PORT:-5672}
export RABBITMQ_USER=${RABBITMQ_USER:-guest}
export RABBITMQ_PASSWORD=${RABBITMQ_PASSWORD:-guest}
export RABBITMQ_QUEUE=${RABBITMQ_QUEUE:-sobu_analytics}
export DATABASE_URL=${DATABASE_URL:-sqlite:///$ROOT/var/app.db}
export RASA_TELEMETRY_ENABLED=false                  # nothing is sent outside
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
