"""The hand-in file: a student's work as one file to upload to the course's LMS.

``format``: what a submission holds, building and writing one, reading and verifying one (the
gradebook and the dashboard read hand-ins only through it). ``page``: the part a person reads,
drawn with each kind's renderer, as the student saw their work.
"""

from .format import (
    FORMAT,
    SCHEMA_VERSION,
    SubmissionError,
    build_submission,
    compute_checksum,
    export_submission,
    handin_filename,
    read_submission,
    read_submission_bytes,
    render_submission_html,
)
from .page import short_store_id

__all__ = [
    "FORMAT",
    "SCHEMA_VERSION",
    "SubmissionError",
    "build_submission",
    "compute_checksum",
    "export_submission",
    "handin_filename",
    "read_submission",
    "read_submission_bytes",
    "render_submission_html",
    "short_store_id",
]
