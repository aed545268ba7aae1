"""OpenAos example: writes a row to SQLite in /storage every few seconds and reads the table back."""
import os
import sqlite3
import time

DATABASE_PATH = os.environ.get("DATABASE_PATH", "/storage/data.db")
interval = float(os.environ.get("NOTES_INTERVAL", "10"))
# Bytes of filler per row (0 by default): makes the database grow fast, to see the storage quota hold.
padding = int(os.environ.get("NOTES_PADDING", "0"))
instance = os.environ.get("AOS_INSTANCE_ID", "local")

connection = sqlite3.connect(DATABASE_PATH)
connection.execute("PRAGMA journal_mode=WAL")  # a crash mid-write leaves the database usable
connection.execute(
    "CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, written_at TEXT NOT NULL, instance TEXT NOT NULL)"
)
columns = [row[1] for row in connection.execute("PRAGMA table_info(notes)")]
if "filler" not in columns:
    connection.execute("ALTER TABLE notes ADD COLUMN filler BLOB")
connection.commit()
print(f"notes: database {DATABASE_PATH}", flush=True)

while True:
    try:
        with connection:  # one transaction per row: committed, or not at all
            connection.execute(
                "INSERT INTO notes (written_at, instance, filler) VALUES (?, ?, ?)",
                (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), instance, os.urandom(padding) if padding else None),
            )
    except sqlite3.OperationalError as error:
        # /storage is full (its quota): the row is not written, the rows before it are kept.
        print(f"notes: row not written: {error}", flush=True)
    count, first, last = connection.execute("SELECT COUNT(*), MIN(written_at), MAX(written_at) FROM notes").fetchone()
    print(f"notes: {count} rows, first {first}, last {last}", flush=True)
    time.sleep(interval)
