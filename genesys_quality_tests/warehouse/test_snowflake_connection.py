"""Snowflake connection handling, under the fakesnow emulator (see conftest)."""

from __future__ import annotations

import pytest
import snowflake.connector
from snowflake.connector.errors import OperationalError

from genesys_quality.warehouse import SnowflakeWarehouse, WarehouseUnavailableError

from .conftest import SNOWFLAKE_DATABASE, SNOWFLAKE_SCHEMA
from .items import T0, evaluation, load


def test_connect_failure_raises_unavailable_naming_the_table():
    def connect():
        raise OperationalError(msg="Failed to connect to DB: example.snowflakecomputing.com:443")

    warehouse = SnowflakeWarehouse(connect, database="ANALYTICS", schema="GENESYS_QUALITY")

    with pytest.raises(WarehouseUnavailableError, match=r'"ANALYTICS"\."GENESYS_QUALITY"\."QUALITY_EVALUATIONS".*Failed to connect'):
        warehouse.read_table()


@pytest.mark.parametrize("backend", ["snowflake"], indirect=True)
def test_every_connection_is_closed_after_its_operation(backend):
    opened = []

    def connect():
        connection = snowflake.connector.connect(database=SNOWFLAKE_DATABASE, schema=SNOWFLAKE_SCHEMA)
        opened.append(connection)
        return connection

    warehouse = SnowflakeWarehouse(connect, database=SNOWFLAKE_DATABASE, schema=SNOWFLAKE_SCHEMA)
    load(warehouse, evaluation("e1"), at=T0)
    warehouse.read_history()

    assert len(opened) == 2
    assert all(connection.is_closed() for connection in opened)
