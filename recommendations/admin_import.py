"""URLs of the CSV import of progress updates, mounted by ProgressUpdateAdmin.get_urls."""


def import_urls(model_admin):
    return []
