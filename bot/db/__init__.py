"""The database floor: SQLAlchemy tables, the engine, migrations, and repositories that return
core models. SQL only."""
