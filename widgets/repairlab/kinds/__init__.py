"""Exercise kinds: what an item of each kind does, and its pure scorer.

Nothing here imports pydantic or ipywidgets. The authoring schemas live in
``repairlab.schemas`` (each model inherits its kind's behaviour class from here), the views
in ``repairlab.views``, and the registry (``repairlab.registry``) ties a ``type`` to its
schema, scorer and view.
"""
