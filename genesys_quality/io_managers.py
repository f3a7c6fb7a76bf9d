"""The Parquet IO manager: one file per asset and month, on a local folder or S3.

Layout: `<base>/<asset>/<YYYY-MM-01>.parquet`. Assets may hand it an Arrow table, a pandas
DataFrame, part files to combine (`ParquetParts`), or a `MonthParquet` they already streamed to
the right place. Downstream assets receive a `MonthParquet` and read it in batches, so no month
is ever loaded whole unless an asset asks for it. Storage failures arrive as `StorageError`s
(storage/errors.py) that name the endpoint, the bucket and the setting to fix.
"""


import dagster as dg
import pandas as pd
import pyarrow as pa

from genesys_quality.resources import ParquetStorage
from genesys_quality.storage.errors import translate_errors
from genesys_quality.storage.parquet import MonthParquet, ParquetParts, combine_parts, remove_tree, write_table


class ParquetIOManager(dg.ConfigurableIOManager):
    storage: dg.ResourceDependency[ParquetStorage]

    def _path(self, context: dg.OutputContext | dg.InputContext):
        if not context.has_asset_partitions:
            raise dg.Failure(f"{context.asset_key.to_user_string()} is month-partitioned: materialize a month.")
        partition = context.asset_partition_key
        return self.storage.asset_path(context.asset_key.path[-1], partition)

    def handle_output(self, context: dg.OutputContext, obj) -> None:
        path = self._path(context)
        if isinstance(obj, MonthParquet):
            if obj.path != path:
                raise dg.Failure(f"{obj.path} was written outside its place {path}.")
            rows = obj.num_rows()
        elif isinstance(obj, ParquetParts):
            rows = combine_parts(obj, path)
            if obj.cleanup is not None:
                remove_tree(obj.cleanup)
        elif isinstance(obj, pa.Table):
            write_table(obj, path)
            rows = obj.num_rows
        elif isinstance(obj, pd.DataFrame):
            write_table(pa.Table.from_pandas(obj, preserve_index=False), path)
            rows = len(obj)
        else:
            raise dg.Failure(f"ParquetIOManager cannot store a {type(obj).__name__}.")
        context.add_output_metadata({"path": dg.MetadataValue.path(str(path)), "parquet_rows": rows})

    def load_input(self, context: dg.InputContext) -> MonthParquet:
        path = self._path(context)
        with translate_errors(path, "read"):
            exists = path.exists()
        if not exists:
            raise dg.Failure(
                f"{context.asset_key.to_user_string()} has no Parquet for {context.asset_partition_key} at {path}: "
                "materialize it for that month first."
            )
        return MonthParquet(path)
