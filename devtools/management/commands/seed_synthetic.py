"""Generate (or remove) deterministic synthetic data for load tests and benchmarks."""

import time

from django.core.management.base import BaseCommand, CommandError

from devtools.synthetic import SyntheticSpec, synthetic_delete, synthetic_seed


class Command(BaseCommand):
    help = (
        "Create a synthetic meeting (slug 'synthetic', marked is_synthetic) with N items, "
        "F follow-ups spread over D delegations and U progress updates, all derived from "
        "--seed: the same arguments give the same data. Uses COPY on PostgreSQL (100k items, "
        "1M follow-ups and 3M updates take a few minutes), bulk_create elsewhere (small "
        "sizes only). Delegations (UN member states, then UNS, AU, EU) and the twelve themes "
        "are reused when they exist; --roster R creates the first R on the roster. No history "
        "(simple-history) rows are written for synthetic data. --delete removes the "
        "synthetic meeting and everything under it, leaving real data alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--recommendations", type=int, default=1000, metavar="N")
        parser.add_argument(
            "--delegations",
            type=int,
            default=196,
            metavar="D",
            help="How many delegations follow up: at most 196 (193 member states, UNS, AU, EU).",
        )
        parser.add_argument("--follow-ups", type=int, default=10000, metavar="F")
        parser.add_argument("--updates", type=int, default=30000, metavar="U")
        parser.add_argument("--seed", type=int, default=1, metavar="S")
        parser.add_argument("--sessions", type=int, default=10)
        parser.add_argument("--people", type=int, default=300, help="Synthetic speakers.")
        parser.add_argument(
            "--roster",
            type=int,
            default=0,
            metavar="R",
            help=(
                "Create the first R of the D delegations on the roster (default 0: none): "
                'each then has a follow-up of every item, "No report yet" where none '
                "was generated. A delegation that exists already is reused as it is."
            ),
        )
        parser.add_argument(
            "--delete", action="store_true", help="Remove the synthetic data instead."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Do all the work in a transaction, report, then roll it back.",
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        dry_run = options["dry_run"]
        if options["delete"]:
            deleted = synthetic_delete(dry_run=dry_run)
            if not deleted:
                self.stdout.write("There is no synthetic data.")
                return
            self._report("Would delete" if dry_run else "Deleted", deleted, started)
            return
        spec = SyntheticSpec(
            recommendations=options["recommendations"],
            delegations=options["delegations"],
            follow_ups=options["follow_ups"],
            updates=options["updates"],
            seed=options["seed"],
            sessions=options["sessions"],
            people=options["people"],
            roster=options["roster"],
        )

        def log(message):
            if options["verbosity"] > 1:
                self.stdout.write(f"[{time.monotonic() - started:6.1f} s] {message}")

        try:
            counts = synthetic_seed(spec=spec, dry_run=dry_run, log=log)
        except ValueError as error:
            raise CommandError(str(error)) from None
        self._report("Would create" if dry_run else "Created", counts, started)

    def _report(self, verb, counts, started):
        summary = ", ".join(f"{n} {label}" for label, n in counts.items() if n)
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"{verb} {summary or 'nothing'} in {elapsed:.1f} s."))
