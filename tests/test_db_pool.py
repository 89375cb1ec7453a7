"""PostgreSQL's pool: a connection goes back without asyncpg's reset query (db._keep_session),
and still never with a transaction open."""

from __future__ import annotations

import pytest
from tortoise import connections

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_a_transaction_left_open_is_rolled_back_when_its_connection_goes_back(
    database: None,
) -> None:
    client = connections.get("default")
    if client.capabilities.dialect != "postgres":
        pytest.skip("PostgreSQL's connection pool")
    await client.execute_query("SELECT 1")  # the pool is made at the first query
    pool = client._pool  # type: ignore[attr-defined]
    connection = await pool.acquire()
    await connection.execute("BEGIN")
    await connection.execute(
        "INSERT INTO groups_group (name, slug, description, description_html, visibility, "
        "join_policy, member_count, facilitator_count, forum_version, last_activity_at, "
        "created_at, created_by_id) SELECT 'Left open', 'left-open', '', '', 'public', 'open', "
        "0, 0, 0, now(), now(), id FROM accounts_member LIMIT 1"
    )
    await pool.release(connection)
    again = await pool.acquire()
    try:
        assert not again.is_in_transaction()
        assert (
            await again.fetchval("SELECT count(*) FROM groups_group WHERE slug = 'left-open'") == 0
        )
    finally:
        await pool.release(again)
