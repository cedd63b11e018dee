"""Alembic migrations of the tpicode store, run in code by `tpicode.store.Store.upgrade`."""
