"""Worker for the multi-process test: wait for the go-file, file N tickets, print the numbers.

Run as a separate interpreter so SQLite locking between processes is really exercised.
"""
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from storage import Database, TicketStore  # noqa: E402
from storage_testkit import make_draft  # noqa: E402

url, count, go_file = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
db = Database(url)
store = TicketStore(db, due_days=14)
deadline = time.monotonic() + 30
while not go_file.exists() and time.monotonic() < deadline:
    time.sleep(0.005)
numbers = [store.open_ticket(make_draft(conversation_id=f"proc-{os.getpid()}-{i}")).number for i in range(count)]
print(json.dumps(numbers))
