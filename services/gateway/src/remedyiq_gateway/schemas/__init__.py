"""API request and response models (pydantic), one module per resource.

They extend the MVP contract's shapes (``../shared/docs/mvp/openapi.yaml``): every MVP field keeps
its name and type; new fields are added beside them.
"""
