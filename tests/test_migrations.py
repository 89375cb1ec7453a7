"""The migrations build the schema, and nothing in the models is missing from them."""

from __future__ import annotations

import pytest
from tortoise import Tortoise
from tortoise.migrations.autodetector import MigrationAutodetector

from community import db

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_models_match_the_migrations(database: None) -> None:
    # The test database was built by the migrations alone (see conftest); here the autodetector
    # compares the migration files with the models: any difference is a missing migration.
    config = db.tortoise_config(db.DEFAULT_DATABASE_URL)
    autodetector = MigrationAutodetector(Tortoise.apps, config["apps"])
    writers = await autodetector.changes()
    assert writers == [], "models changed without a migration: run makemigrations"


async def test_the_migrations_made_exactly_the_models_tables(database: None) -> None:
    # The test database holds only what the migrations made: every model's table, the
    # migrations' own record and, on SQLite, the FTS5 search index's tables; nothing else.
    connection = Tortoise.get_connection("default")
    extra = {"tortoise_migrations"}
    if connection.capabilities.dialect == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        extra |= {"forum_post_fts"} | {
            f"forum_post_fts_{part}" for part in ("config", "content", "data", "docsize", "idx")
        }
    else:
        sql = "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
    tables = {row["name"] for row in await connection.execute_query_dict(sql)}
    models = {model._meta.db_table for model in Tortoise.apps.get_models_iterable()}
    assert len(models) > 10
    assert tables == models | extra


async def test_model_comments_have_no_semicolons(database: None) -> None:
    # Docstrings and #: comments become SQL comments in the migrations, and Tortoise's
    # statement splitter cuts at ";" even inside a comment ("incomplete input" on SQLite).
    for model in Tortoise.apps.get_models_iterable():
        texts = [model._meta.table_description or ""]
        texts += [field.description or "" for field in model._meta.fields_map.values()]
        for text in texts:
            assert ";" not in text, f"{model.__name__}: no ';' in docstrings or #: comments"


async def test_every_unique_together_is_in_the_database(database: None) -> None:
    # Tortoise alters a column on SQLite by rebuilding its table, which loses the table's
    # unique constraints (0015 changes the state alone for that reason): each one must exist.
    connection = Tortoise.get_connection("default")
    sqlite = connection.capabilities.dialect == "sqlite"
    for model in Tortoise.apps.get_models_iterable():
        table = model._meta.db_table
        for together in model._meta.unique_together:
            wanted = {model._meta.fields_db_projection.get(name, f"{name}_id") for name in together}
            if sqlite:
                indexes = await connection.execute_query_dict(f'PRAGMA index_list("{table}")')
                unique_sets = []
                for index in indexes:
                    if index["unique"]:
                        info = await connection.execute_query_dict(
                            f'PRAGMA index_info("{index["name"]}")'
                        )
                        unique_sets.append({row["name"] for row in info})
            else:
                rows = await connection.execute_query_dict(
                    "SELECT array_agg(a.attname::text) AS names FROM pg_index i "
                    "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                    "WHERE i.indrelid = $1::regclass AND i.indisunique GROUP BY i.indexrelid",
                    [table],
                )
                unique_sets = [set(row["names"]) for row in rows]
            assert wanted in unique_sets, f"{table}: no unique constraint on {sorted(wanted)}"
