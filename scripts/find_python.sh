#!/usr/bin/env bash
# Prints the path of a Python matching .python-version (3.10: Rasa 3.6 runs on 3.8-3.10 only).
set -u
want=$(tr -d '[:space:]' < "$(dirname "$0")/../.python-version")
ok() { "$1" -c "import sys; sys.exit(0 if '%d.%d' % sys.version_info[:2] == '$want' else 1)" 2>/dev/null; }
candidates=()
command -v pyenv >/dev/null 2>&1 && candidates+=("$(pyenv root)/versions/$(pyenv latest "$want" 2>/dev/null)/bin/python")
command -v uv >/dev/null 2>&1 && candidates+=("$(uv python find "$want" 2>/dev/null)")
candidates+=("$(command -v "python$want" 2>/dev/null)" "$(command -v python3 2>/dev/null)")
for py in "${candidates[@]}"; do
  if [ -n "$py" ] && [ -x "$py" ] && ok "$py"; then echo "$py"; exit 0; fi
done
cat >&2 <<MSG
Python $want が見つかりません / Python $want was not found.
Rasa Open Source 3.6 runs on Python 3.8-3.10 only. Install one of:
  uv python install $want        (then run make again)
  pyenv install $want
  or a python$want from your system's packages.
MSG
exit 1
