"""What can go wrong when loading the warehouse, as exceptions a user can act on."""

from __future__ import annotations


class InvalidIdentifierError(ValueError):
    """A configured database, schema or table name is not a plain SQL identifier.

    Names are spliced into SQL text (values never are), so anything but letters, digits, `_` and
    `$` is refused rather than escaped.
    """


class StagingError(ValueError):
    """The rows handed to `load_month` are not a valid month of `normalized_items`; nothing was merged."""


class ParityError(StagingError):
    """The staged row count differs from the count of `normalized_items`; nothing was merged."""


class WarehouseUnavailableError(RuntimeError):
    """The warehouse could not be opened (a locked DuckDB file, a missing directory, ...)."""


class WarehouseSchemaError(RuntimeError):
    """An existing warehouse table lacks columns the pipeline writes (created by an older version)."""


class InjectedFailureError(RuntimeError):
    """Raised by the `fail_after_statement` test hook to prove that a load rolls back as one unit."""


class RollbackFailedError(WarehouseUnavailableError):
    """A load failed and so did its ROLLBACK; the connection is closed without touching anything else."""
