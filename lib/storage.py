"""Static files storage for production: WhiteNoise's compressed, hashed files."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class CompressedManifestStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed manifest storage, without rewriting source-map comments.

    The vendored minified libraries end with ``sourceMappingURL=…map`` but their
    maps are not vendored (browsers only fetch them with the developer tools open),
    and Django's manifest storage would stop ``collectstatic`` on the missing file.
    Every other reference (CSS ``url()`` and ``@import``) is still hashed.
    """

    patterns = tuple(
        (
            extension,
            tuple(
                pattern
                for pattern in extension_patterns
                if "sourceMappingURL" not in (pattern if isinstance(pattern, str) else pattern[0])
            ),
        )
        for extension, extension_patterns in CompressedManifestStaticFilesStorage.patterns
    )
