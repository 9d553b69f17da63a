from django.urls import path

from . import export_views, report_views, views

app_name = "recommendations"

# The keyword an export view takes for its spreadsheet (the CSV is its default).
XLSX = {"extension": "xlsx"}

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("recommendations/", views.recommendation_list, name="list"),
    # Before the detail route, which would otherwise take "export.csv" for a code.
    # Each export's spreadsheet sits beside its CSV: the same path, ".xlsx".
    path("recommendations/export.csv", export_views.recommendations_export, name="export"),
    path(
        "recommendations/export.xlsx",
        export_views.recommendations_export,
        XLSX,
        name="export_xlsx",
    ),
    path("recommendations/<str:code>/", views.recommendation_detail, name="detail"),
    path("follow-ups/", views.follow_up_list, name="follow_ups"),
    path("matrix/", views.matrix, name="matrix"),
    path("themes/", views.theme_list, name="themes"),
    path("follow-ups/export.csv", export_views.follow_ups_export, name="follow_ups_export"),
    path(
        "follow-ups/export.xlsx",
        export_views.follow_ups_export,
        XLSX,
        name="follow_ups_export_xlsx",
    ),
    path("follow-ups/matrix.csv", export_views.follow_ups_matrix, name="follow_ups_matrix"),
    path(
        "follow-ups/matrix.xlsx",
        export_views.follow_ups_matrix,
        XLSX,
        name="follow_ups_matrix_xlsx",
    ),
    path(
        "progress-updates/export.csv",
        export_views.progress_updates_export,
        name="progress_updates_export",
    ),
    path(
        "progress-updates/export.xlsx",
        export_views.progress_updates_export,
        XLSX,
        name="progress_updates_export_xlsx",
    ),
    path("delegations/<str:code>/", views.delegation_detail, name="delegation"),
    path(
        "delegations/<str:code>/report/",
        report_views.delegation_report_page,
        name="delegation_report",
    ),
    path(
        "delegations/<str:code>/report.pdf",
        report_views.delegation_report_pdf,
        name="delegation_report_pdf",
    ),
    path("source/", views.source, name="source"),
    # One fixed file name, not a pattern: no part of the URL names a file.
    path(f"source/{views.SOURCE_NAME}", views.source_download, name="source_download"),
]
