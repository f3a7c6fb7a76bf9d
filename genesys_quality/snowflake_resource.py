"""The Snowflake warehouse resource, wired through dagster-snowflake's `SnowflakeResource`.

Kept apart from resources.py so that local deployments never import dagster-snowflake (it
imports Snowpark: seconds per process). SnowflakeWarehouse (warehouse/) wants a `connect`
callable returning a connector connection that it closes itself; `snowflake_connector` builds
one from the resource's public `get_connection()` context manager.
"""

from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

import dagster as dg
from dagster_snowflake import SnowflakeResource
from pydantic import Field

from genesys_quality.resources import WarehouseResource
from genesys_quality.warehouse import SnowflakeWarehouse, Warehouse


class SnowflakeWarehouseResource(WarehouseResource):
    """Snowflake, reached through dagster-snowflake's `SnowflakeResource` (database and schema are its own).

    The warehouse layer owns each connection for one operation and runs its own BEGIN … COMMIT /
    ROLLBACK, so the nested resource must have `autocommit=True`: `get_connection()` then only
    opens and closes the session, and never COMMITs on its way out after a failed load.
    """

    snowflake: SnowflakeResource = Field(
        description="The Snowflake connection: account, user, authentication, warehouse, role, database, schema."
    )

    @property
    def backend(self) -> str:
        return "snowflake"

    @property
    def schema_name(self) -> str:
        return self.snowflake.schema_ or ""

    def get_warehouse(self) -> Warehouse:
        snowflake = self.snowflake
        unresolved = sorted(
            value.env_var_name for name in type(snowflake).model_fields
            if isinstance(value := getattr(snowflake, name), dg.EnvVar)
        )
        if unresolved:
            raise dg.Failure(
                f"The Snowflake settings {', '.join(unresolved)} are still EnvVar references: Dagster resolves them "
                "only inside a run, a sensor or `dg.build_resources(...)`; call get_warehouse() there."
            )
        if not snowflake.database or not snowflake.schema_:
            raise dg.Failure(
                "The Snowflake warehouse needs a database and a schema: set SNOWFLAKE_DATABASE and SNOWFLAKE_SCHEMA."
            )
        if snowflake.autocommit is not True:
            raise dg.Failure(
                "SnowflakeResource for the warehouse must have autocommit=True: the load runs its own "
                "BEGIN … COMMIT, and with autocommit off get_connection() would COMMIT when it closes the session."
            )
        return SnowflakeWarehouse(
            snowflake_connector(snowflake), database=snowflake.database, schema=snowflake.schema_, table=self.table
        )


class _ResourceConnection:
    """A connector connection opened by `SnowflakeResource.get_connection()`, closed by leaving that context.

    `SnowflakeWarehouse` calls `close()` when its operation ends; everything else (cursor(),
    write_pandas' use of the connection) goes to the real connection.
    """

    def __init__(self, resource: SnowflakeResource):
        self._context = ExitStack()
        self._connection = self._context.enter_context(resource.get_connection())

    def __getattr__(self, name: str):
        return getattr(self._connection, name)

    def close(self) -> None:
        self._context.close()


def snowflake_connector(resource: SnowflakeResource) -> Callable[[], Any]:
    """The `connect` callable SnowflakeWarehouse needs: each call opens a new session through the resource."""
    return lambda: _ResourceConnection(resource)
