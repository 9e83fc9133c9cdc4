"""Exercise kinds: what an item of each kind does, and its pure scorer.

Each kind declares its item here, once: a frozen dataclass with every field typed and its
behaviour as methods, which scorers, views, the hand-in and the gradebook see. Nothing here
imports pydantic or ipywidgets. The authoring schemas live in ``repairlab.schemas`` (each
validates into its kind's item type: ``schemas.validate``), the views
in ``repairlab.views``, and the registry (``repairlab.registry``) ties a ``type`` to its
schema, scorer and view.
"""
