"""`python -m genesys_quality.genesys check`: is the configured OAuth client ready for the pipeline?

Reads the same GENESYS_* variables as the pipeline and prints what to fix (a permission, the
region, the credentials). Exit status 0 when the pipeline can run, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys

from genesys_quality.genesys.errors import GenesysError
from genesys_quality.genesys.settings import from_env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m genesys_quality.genesys", description=__doc__)
    parser.add_argument("command", choices=["check"], help="check the connection and permissions")
    parser.parse_args(argv)
    try:
        client = from_env()
    except GenesysError as error:
        print(f"Configuration problem: {error}")
        return 1
    if client is None:
        print("GENESYS_CLIENT_ID is not set: the pipeline will use the embedded simulator. Nothing to check.")
        return 0
    with client:
        report = client.check_connection()
    print(f"API   {report.api_base_url}\nLogin {report.login_base_url}")
    for problem in report.problems:
        print(f"PROBLEM: {problem}")
    for note in report.notes:
        print(f"note: {note}")
    print("OK: the pipeline can run." if report.ok else "NOT READY: fix the problems above.")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
