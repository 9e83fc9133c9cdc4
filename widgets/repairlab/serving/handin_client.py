"""Handing in through the hub's hand-in service: what the landing page's "Hand in" button does.

On a JupyterHub with the ``repairlab`` service (deploy/jupyterhub_config.py), each student's
server has ``REPAIRLAB_HANDIN_URL`` (where the service answers) and ``JUPYTERHUB_API_TOKEN``
(the server's own token, which the hub gives the ``custom:repairlab:submit`` scope). The
page's kernel builds the same checksummed record as the hand-in file (:mod:`repairlab.handin`)
and posts it; the service keeps it (:mod:`repairlab.handin.inbox`) and answers with a receipt.
Elsewhere (a laptop, Binder) there is no service and the page offers only the file.

This module is what the landing page imports to decide whether to show the button, so it
imports nothing heavier than the standard library (the page's kernel stays small).
"""

from __future__ import annotations

import json
import logging
import os
import urllib.error
import urllib.request
from collections.abc import Mapping
from html import escape
from typing import Any

from repairlab import timestamps

__all__ = ["HANDIN_URL_ENV", "SendError", "receipt_html", "send_submission", "service_url"]

log = logging.getLogger("repairlab")

HANDIN_URL_ENV = "REPAIRLAB_HANDIN_URL"
TOKEN_ENV = "JUPYTERHUB_API_TOKEN"
SEND_TIMEOUT_SECONDS = 30
_TRY_AGAIN = ("Please try again in a minute; if it keeps happening, download your hand-in file "
              "below and upload it to your course site instead.")


class SendError(Exception):
    """The hand-in did not reach the service; the message is for the student."""


def service_url(env: Mapping[str, str] = os.environ) -> str | None:
    """The service's submissions address, or None where there is no hand-in service."""
    base = env.get(HANDIN_URL_ENV, "").strip()
    if not base or not env.get(TOKEN_ENV):
        return None
    return base.rstrip("/") + "/api/submissions"


def send_submission(submission: Mapping[str, Any], *,
                    env: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """Post ``submission`` to the service; its receipt, or :class:`SendError`."""
    url = service_url(env)
    if url is None:
        raise SendError("Handing in is not available here: download your hand-in file instead.")
    request = urllib.request.Request(
        url, data=json.dumps(submission, ensure_ascii=False).encode("utf-8"), method="POST",
        headers={"Authorization": f"token {env[TOKEN_ENV]}",
                 "Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=SEND_TIMEOUT_SECONDS) as response:
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        detail = _message_of(error)
        log.error("the hand-in service refused the hand-in: %s %s", error.code, detail)
        if error.code in (400, 403) and detail:
            raise SendError(f"Your work was not handed in: {detail}") from None
        raise SendError(f"Your work was not handed in (the service answered {error.code}). "
                        + _TRY_AGAIN) from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        log.error("could not reach the hand-in service at %s: %s", url, error)
        raise SendError("Your work was not handed in: the hand-in service could not be "
                        "reached. " + _TRY_AGAIN) from None


def _message_of(error: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(error.read().decode("utf-8")).get("message", ""))
    except Exception:
        return ""


def receipt_html(receipt: Mapping[str, Any]) -> str:
    """The receipt as the page shows it (and a screen reader announces it)."""
    try:
        when = timestamps.format_for_people(str(receipt["received_at"]))
    except (KeyError, ValueError):
        when = str(receipt.get("received_at", ""))
    attempts, exercises = int(receipt.get("attempts", 0)), int(receipt.get("exercises", 0))
    checksum = str(receipt.get("checksum", ""))
    short = checksum.split(":")[-1][:12]
    version = int(receipt.get("version", 1))
    earlier = (f" Your {version - 1} earlier hand-in{'s are' if version > 2 else ' is'} kept; "
               "this newest one counts." if version > 1 else
               " You may hand in again: the newest counts, and every version is kept.")
    return (f'<div class="rl-receipt"><p><strong>Handed in.</strong> Received {escape(when)}: '
            f"version {version}, {attempts} attempt{'' if attempts == 1 else 's'} on "
            f"{exercises} exercise{'' if exercises == 1 else 's'} "
            f'(checksum <code title="{escape(checksum)}">{escape(short)}</code>).'
            f"{escape(earlier)}</p></div>")
