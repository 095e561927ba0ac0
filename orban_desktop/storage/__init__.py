"""SQLite plumbing shared by the agent's crash-safe stores (the earnings ledger, the result outbox).

:mod:`.database` opens a store's file safely (integrity check, WAL with ``synchronous=FULL``,
a backup copy of a damaged file, schema version and ordered migrations); :mod:`.store` is the
synchronous base (one connection, write transactions, lifetime); :mod:`.worker` is the base of
the event loop's facade that runs every call on one worker thread. What differs between stores
(names, messages, error classes, migrations) comes in from the store's own package. Imports only
the standard library and ``orban_desktop.errors``; nothing from Qt, and no store package.
"""
