"""What the scale benchmark measures: its two data sets and the pages it requests."""

SIZES = {
    "small": {"recommendations": 100, "follow_ups": 1_000, "updates": 3_000},
    "large": {"recommendations": 100_000, "follow_ups": 1_000_000, "updates": 3_000_000},
    "quick": {"recommendations": 10_000, "follow_ups": 100_000, "updates": 300_000},
}
SEED = 1
DELEGATIONS = 196

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
