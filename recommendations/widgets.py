"""Admin widgets hardened against forged input."""

from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError


class _ValidSelectionOnly:
    """Django's autocomplete widgets look the submitted values up when a form is shown
    again with errors; a forged value such as "abc" for an integer key would then fail
    inside the query (a 500). Values that cannot be keys are dropped before that."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        opts = remote.model._meta
        target = opts.get_field(getattr(remote, "field_name", None) or opts.pk.name)
        valid = []
        for item in value:
            try:
                target.to_python(item)
            except ValidationError:
                continue
            valid.append(item)
        return super().optgroups(name, valid, attr)


class SafeAutocompleteSelect(_ValidSelectionOnly, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_ValidSelectionOnly, AutocompleteSelectMultiple):
    pass


class SafeAutocompleteMixin:
    """For ModelAdmin and inlines: use the widgets above for autocomplete fields."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)
