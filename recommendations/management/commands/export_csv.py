"""Write a CSV export to a file, for scheduled reports: the same bytes as the web
export with the same parameters (the same filters, the same writer, SITE_URL links).

    python manage.py export_csv follow-ups --delegation PAK --status completed -o pak.csv
"""

import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from recommendations.exports import (
    ENGINES,
    PUBLIC,
    REGISTRY,
    STAFF,
    InvalidParameters,
    Progress,
    export_from_params,
)
from recommendations.filters import MULTIPLE_PARAMS

# Option name → query parameter, in the order of the list's filter form.
PARAMETERS = [
    ("q", "q"),
    ("meeting", "meeting"),
    ("session", "session"),
    ("speaker", "speaker"),
    ("kind", "kind"),
    ("delegation", "delegation"),
    ("overdue", "overdue"),
    ("as_of", "as_of"),
    ("changed_since", "changed_since"),
    ("verified", "verified"),
    ("sort", "sort"),
]


class Command(BaseCommand):
    help = (
        f"Write a CSV export ({', '.join(REGISTRY)}) filtered like the web lists. "
        "Exports what the public sees unless --as-staff."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "export",
            choices=list(REGISTRY),
            help="Which export: "
            + "; ".join(f"{kind.name}: {kind.title}" for kind in REGISTRY.values())
            + ".",
        )
        parser.add_argument(
            "-o",
            "--output",
            default="-",
            help="The file to write ('-', the default, for standard output). The file is "
            "replaced only once the export is complete.",
        )
        parser.add_argument(
            "--theme", action="append", default=[], help="Theme slug (repeatable: any of)."
        )
        parser.add_argument("--q", help="Words in the code, text, source or speaker name.")
        parser.add_argument("--meeting", help="Meeting slug.")
        parser.add_argument("--session", help="Session code, e.g. D1S1.")
        parser.add_argument("--speaker", help="Speaker slug.")
        parser.add_argument("--kind", help="recommendation, commitment or observation.")
        parser.add_argument("--delegation", help="Delegation code, e.g. PAK.")
        parser.add_argument(
            "--status",
            action="append",
            default=[],
            help="Follow-up status, e.g. in_progress (repeatable: any of).",
        )
        parser.add_argument("--overdue", choices=["yes", "no"])
        parser.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD: statuses at that day.")
        parser.add_argument(
            "--changed-since", dest="changed_since", help="YYYY-MM-DD: changed after that day."
        )
        parser.add_argument("--verified", choices=["yes", "no"])
        parser.add_argument("--sort", help="session, latest or code (recommendations).")
        parser.add_argument(
            "--as-staff",
            action="store_true",
            help="Include restricted notes and evidence (Secretariat staff's view).",
        )
        parser.add_argument(
            "--engine",
            choices=list(ENGINES),
            help="How rows are written: 'copy' (PostgreSQL COPY, the default there) or "
            "'orm' (the default elsewhere). Both give the same bytes.",
        )

    def handle(self, *args, **options):
        params = QueryDict(mutable=True)
        for name in MULTIPLE_PARAMS:
            for value in options[name]:
                params.appendlist(name, value)
        for option, name in PARAMETERS:
            if options.get(option):
                params[name] = options[option]
        audience = STAFF if options["as_staff"] else PUBLIC
        try:
            export = export_from_params(options["export"], params, audience=audience)
        except InvalidParameters as error:
            raise CommandError(str(error)) from None
        progress = Progress()
        blocks = export.stream(engine=options["engine"], progress=progress)
        output = options["output"]
        if output == "-":
            self._to_stdout(blocks)
            report = self.stderr
        else:
            self._to_file(blocks, Path(output))
            report = self.stdout
        report.write(
            self.style.SUCCESS(
                f"Wrote {progress.rows} rows ({export.kind}) to "
                f"{'standard output' if output == '-' else output}."
            )
        )

    def _to_stdout(self, blocks):
        # The real standard output takes the bytes as they are; a text stream (tests,
        # call_command(stdout=...)) gets them decoded.
        binary = getattr(self.stdout, "buffer", None)
        for block in blocks:
            if binary is not None:
                binary.write(block)
            else:
                self.stdout.write(block.decode("utf-8"), ending="")
        if binary is not None:
            binary.flush()

    def _to_file(self, blocks, path: Path):
        directory = path.resolve().parent
        if not directory.is_dir():
            raise CommandError(f"No such directory: {directory}")
        if path.exists() and not path.is_file():
            # A device or a pipe (/dev/null, a FIFO): written to as it is, never replaced.
            with path.open("wb") as file:
                for block in blocks:
                    file.write(block)
            return
        # Written next to the target and renamed at the end, so a scheduled report
        # never leaves a half-written file behind.
        handle, partial = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
        try:
            with os.fdopen(handle, "wb") as file:
                for block in blocks:
                    file.write(block)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(partial, 0o666 & ~umask)
            os.replace(partial, path)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
