"""What the scale benchmark measures: its two data sets and the pages it requests."""

SIZES = {
    "small": {"recommendations": 100, "follow_ups": 1_000, "updates": 3_000},
    "large": {"recommendations": 100_000, "follow_ups": 1_000_000, "updates": 3_000_000},
    "quick": {"recommendations": 10_000, "follow_ups": 100_000, "updates": 300_000},
}
SEED = 1
DELEGATIONS = 196
# The first delegations of the catalogue (PAK, JPN, GHA, …) are on the roster: each has
# a follow-up of every item, "No report yet" where none was generated, as the matrix's
# columns.
ROSTER = 6

LIST_FILTERS = [
    ("none", "/recommendations/"),
    ("theme", "/recommendations/?theme=ieds"),
    ("q", "/recommendations/?q=medical+evacuation"),
    ("delegation+status", "/recommendations/?delegation=PAK&status=in_progress"),
    ("as_of", "/recommendations/?as_of=2024-06-30"),
]
ADMIN_LISTS = [
    ("items", "/admin/recommendations/recommendation/"),
    ("follow-ups", "/admin/recommendations/followup/"),
]
FOLLOW_UPS_PAGE = "/follow-ups/?page={}"
EXPORT_ALL = "/follow-ups/export.csv?meeting=synthetic"
# One session of ten: about a tenth of the synthetic follow-ups.
EXPORT_TENTH = "/follow-ups/export.csv?meeting=synthetic&session=D1S1"
TRIVIAL = "/healthz"
# The matrix page: items of the list against the roster delegations.
MATRIX_FILTERS = [
    ("none", "/matrix/"),
    ("theme", "/matrix/?theme=ieds"),
]
# The spreadsheets of the same tenth, each measured beside the CSV of the same rows:
# (what, CSV, XLSX).
SPREADSHEETS = [
    (
        "follow-ups",
        EXPORT_TENTH,
        "/follow-ups/export.xlsx?meeting=synthetic&session=D1S1",
    ),
    (
        "matrix",
        "/follow-ups/matrix.csv?meeting=synthetic&session=D1S1",
        "/follow-ups/matrix.xlsx?meeting=synthetic&session=D1S1",
    ),
]
