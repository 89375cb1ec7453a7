"""Full-text search over posts: PostgreSQL tsvector columns with GIN indexes, SQLite FTS5.

Kept in step by the database itself (a generated column, or triggers), so no code path can
forget to index a post.
"""

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops

POSTGRES_FORWARD = """
ALTER TABLE "forum_post" ADD COLUMN "search_vector" tsvector
    GENERATED ALWAYS AS (to_tsvector('english', "body")) STORED;
CREATE INDEX "forum_post_search_idx" ON "forum_post" USING GIN ("search_vector");
ALTER TABLE "forum_thread" ADD COLUMN "search_vector" tsvector
    GENERATED ALWAYS AS (to_tsvector('english', "title")) STORED;
CREATE INDEX "forum_thread_search_idx" ON "forum_thread" USING GIN ("search_vector");
"""
POSTGRES_BACKWARD = """
DROP INDEX IF EXISTS "forum_post_search_idx";
ALTER TABLE "forum_post" DROP COLUMN IF EXISTS "search_vector";
DROP INDEX IF EXISTS "forum_thread_search_idx";
ALTER TABLE "forum_thread" DROP COLUMN IF EXISTS "search_vector";
"""
SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE "forum_post_fts" USING fts5(title, body, tokenize = 'porter unicode61')""",
    """CREATE TRIGGER "forum_post_fts_insert" AFTER INSERT ON "forum_post" BEGIN
        INSERT INTO "forum_post_fts" (rowid, title, body) VALUES (
            new.id,
            CASE WHEN new.number = 1
                THEN (SELECT title FROM "forum_thread" WHERE id = new.thread_id) ELSE '' END,
            new.body);
    END""",
    """CREATE TRIGGER "forum_post_fts_update" AFTER UPDATE OF body ON "forum_post" BEGIN
        UPDATE "forum_post_fts" SET body = new.body WHERE rowid = new.id;
    END""",
    """CREATE TRIGGER "forum_post_fts_delete" AFTER DELETE ON "forum_post" BEGIN
        DELETE FROM "forum_post_fts" WHERE rowid = old.id;
    END""",
    """CREATE TRIGGER "forum_thread_fts_title" AFTER UPDATE OF title ON "forum_thread" BEGIN
        UPDATE "forum_post_fts" SET title = new.title
        WHERE rowid = (SELECT id FROM "forum_post" WHERE thread_id = new.id AND number = 1);
    END""",
    """INSERT INTO "forum_post_fts" (rowid, title, body)
        SELECT p.id, CASE WHEN p.number = 1 THEN t.title ELSE '' END, p.body
        FROM "forum_post" p JOIN "forum_thread" t ON t.id = p.thread_id""",
]
SQLITE_BACKWARD = [
    'DROP TRIGGER IF EXISTS "forum_thread_fts_title"',
    'DROP TRIGGER IF EXISTS "forum_post_fts_delete"',
    'DROP TRIGGER IF EXISTS "forum_post_fts_update"',
    'DROP TRIGGER IF EXISTS "forum_post_fts_insert"',
    'DROP TABLE IF EXISTS "forum_post_fts"',
]


async def forward(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script(POSTGRES_FORWARD)
    else:
        for statement in SQLITE_FORWARD:
            await client.execute_script(statement)


async def backward(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script(POSTGRES_BACKWARD)
    else:
        for statement in SQLITE_BACKWARD:
            await client.execute_script(statement)


class Migration(migrations.Migration):
    dependencies = [("community", "0004_forum")]

    initial = False

    operations = [ops.RunPython(forward, backward)]
