"""The one error the Factur-X helpers raise, so callers catch a single type."""


class FacturXError(ValueError):
    """A PDF is not (or cannot be made) a well-formed Factur-X document."""
