"""The version of the stored intake document, in one place so storage and models agree."""

SCHEMA_VERSION = 3
