"""JupyterHub for a class on a department server: RepairLab, one server per student.

Run it from the folder that keeps the hub's state (its database and cookie secret), as root so
that the hub can start each student's server as that student's own Linux account:

    cd /srv/jupyterhub && /srv/repairlab/.venv/bin/jupyterhub -f /srv/repairlab/deploy/jupyterhub_config.py

docs/deploying.md walks through it. Edit the settings at the top; the rest is what RepairLab
needs and should not have to change. The integration tests (tests/browser/test_hub.py) start
exactly this file, with test-only overrides (a test login, one shared OS user, free ports).
"""

import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821  (defined by JupyterHub when it reads this file)

# -- the settings of a department ------------------------------------------------------------

# The course folder (with course.yaml and curriculum/), readable by every student, writable by
# the instructors. Run `repairlab check` in it after every change to the items: that also
# compiles them for the students' kernels.
COURSE_DIR = Path(os.environ.get("REPAIRLAB_COURSE_DIR", "/srv/repairlab")).resolve()

# Login names of the course's instructors (the hub group `instructors`): they keep JupyterLab
# and the file browser in their own server, may see who is in the class on the hub's admin
# page (not open students' servers), and see the class dashboard and download the gradebook
# at /services/repairlab/ (the hand-in service).
INSTRUCTORS = os.environ.get("REPAIRLAB_INSTRUCTORS", "").split()

# Stop a student's server after this long without activity (a closed laptop, a forgotten tab).
IDLE_SERVER_SECONDS = 3600

# Where the hand-in service keeps every hand-in it receives (every version of every student):
# back this folder up. Only the service (run by the hub, as the hub's user) writes it.
SUBMISSIONS_DIR = Path(os.environ.get("REPAIRLAB_SUBMISSIONS_DIR",
                                      "/srv/repairlab-submissions")).resolve()
# Where the hand-in service listens, on this machine (the hub's proxy serves it to browsers
# at /services/repairlab/; the students' servers post hand-ins to it here).
SERVICE_URL = os.environ.get("REPAIRLAB_SERVICE_URL", "http://127.0.0.1:10101")

# -- who may log in --------------------------------------------------------------------------

# Default: PAM, i.e. the machine's own accounts and passwords; each student needs a Linux
# account. A university login instead: oauthenticator (GenericOAuthenticator, Azure AD,
# Google) or ldapauthenticator, installed with pip, e.g.
#   c.JupyterHub.authenticator_class = "generic-oauth"
# Everyone with an account may log in unless this is narrowed, e.g. to a Linux group:
#   c.PAMAuthenticator.allowed_groups = {"repairlab-students"}
c.Authenticator.allow_all = True
# Hub admins (who may open anyone's server) are the machine's administrators, not instructors:
#   c.Authenticator.admin_users = {"sysadmin"}

# -- where it listens ------------------------------------------------------------------------

# Behind the department's HTTPS reverse proxy (nginx, Apache), which forwards to this port.
# Without one, serve HTTPS yourself: c.JupyterHub.ssl_cert / c.JupyterHub.ssl_key.
c.JupyterHub.bind_url = "http://127.0.0.1:8000"

# -- each student's server -------------------------------------------------------------------

# Each student's server runs as their own Linux account (so each has a home of their own,
# where their progress file is kept), from the environment this hub runs in, which has
# RepairLab installed: its Jupyter server extension (repairlab.serving.hub) then serves the
# course with RepairLab's template, safeguards and no file browser.
c.JupyterHub.spawner_class = "localprocess"
# Or, to cap each student's memory and CPU with systemd (pip install jupyterhub-systemdspawner):
#   c.JupyterHub.spawner_class = "systemdspawner"
#   c.SystemdSpawner.mem_limit = "768M"   # bench/README.md, "On a JupyterHub": ~183 MB with
#                                         # one page open, ~45-60 MB per further open page
#   c.SystemdSpawner.cpu_limit = 1.0
#   c.SystemdSpawner.unit_name_template = "jupyter-{USERNAME}"
c.Spawner.cmd = [str(Path(sys.executable).with_name("jupyterhub-singleuser"))]
c.Spawner.notebook_dir = str(COURSE_DIR / "curriculum")
# The landing page, not JupyterLab, is where a student arrives.
c.Spawner.default_url = "/voila/render/index.ipynb"
c.Spawner.environment = {
    # Makes the server a course server (repairlab.serving.hub) and tells kernels the course.
    "REPAIRLAB_COURSE_DIR": str(COURSE_DIR),
    # Where the landing page's "Hand in" button sends the student's work (the service below).
    "REPAIRLAB_HANDIN_URL": f"{SERVICE_URL}/services/repairlab/",
}
# The server's own token (which the page's kernel hands in with): the hub's default scopes for
# a server, plus handing in one's own work to the service. The hub gives a token only the
# scopes its user holds (the `user` role below).
c.Spawner.server_token_scopes = [
    "users:activity!user", "access:servers!server",
    "access:services!service=repairlab", "custom:repairlab:submit",
]
# A student's first page starts a Python kernel and runs the notebook: allow for a busy machine.
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 60
# Servers starting at once. Each start is a few seconds of CPU: on one machine, more at once
# only makes every one slower. Measured (bench/README.md, "A class on the hub"): on 2 busy
# cores, 30 students logging in within a minute (~15 starts at once) left half the servers
# unanswered after 60 s ("Spawn failed"); with 2 starts per core the others are told to try
# again in 40 s instead, and all 30 got in (the last after 6 minutes: a class logging in
# together needs cores, bench/README.md has the sizing).
c.JupyterHub.concurrent_spawn_limit = 2 * (os.cpu_count() or 2)

# -- instructors -----------------------------------------------------------------------------

c.JupyterHub.load_groups = {"instructors": {"users": INSTRUCTORS}}


def mark_instructors(spawner):
    """Tell the server whether its user teaches: students get the course only
    (repairlab.serving.hub), instructors keep JupyterLab to edit the course."""
    teaches = any(group.name == "instructors" for group in spawner.user.groups)
    spawner.environment = {**spawner.environment,
                           "REPAIRLAB_HUB_ROLE": "instructor" if teaches else "student"}


c.Spawner.pre_spawn_hook = mark_instructors

# The hand-in service's two scopes (JupyterHub's custom scopes, as in its examples/custom-scopes).
c.JupyterHub.custom_scopes = {
    "custom:repairlab:submit": {
        "description": "Hand in your own RepairLab work (the service refuses anyone else's).",
    },
    "custom:repairlab:read": {
        "description": "Read every student's RepairLab hand-ins: the class dashboard and the "
                       "gradebook.",
    },
}

c.JupyterHub.load_roles = [
    {
        # Every user: their own things (the hub's default), and handing in their own work.
        "name": "user",
        "scopes": ["self", "access:services!service=repairlab", "custom:repairlab:submit"],
    },
    {
        # See who is in the class and when each was last active, on the hub's admin page, and
        # the class's hand-ins in the hand-in service (its dashboard and gradebook); not open
        # students' servers.
        "name": "instructors",
        "groups": ["instructors"],
        "scopes": ["admin-ui", "list:users", "read:users", "read:users:activity",
                   "read:servers", "read:groups", "custom:repairlab:read"],
    },
    {
        "name": "idle-culler",
        "services": ["idle-culler"],
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    },
]

# -- the hand-in service, and stopping idle servers --------------------------------------------

# `repairlab` (repairlab.serving.service): receives hand-ins from the landing page's "Hand in"
# button and shows instructors the class dashboard and the gradebook, at /services/repairlab/.
# Each server also stops its own idle kernels (10 minutes, repairlab.serving.config); the
# idle culler stops the whole server of a student who went away, freeing its memory.
c.JupyterHub.services = [
    {
        "name": "repairlab",
        "url": SERVICE_URL,
        "command": [sys.executable, "-m", "repairlab.serving.service"],
        "environment": {
            "REPAIRLAB_COURSE_DIR": str(COURSE_DIR),
            "REPAIRLAB_SUBMISSIONS_DIR": str(SUBMISSIONS_DIR),
        },
        # What a browser's login to the service may carry: the scopes its user holds of these.
        "oauth_client_allowed_scopes": ["custom:repairlab:submit", "custom:repairlab:read"],
        # The course's own service: no "authorize this application?" page on the way in.
        "oauth_no_confirm": True,
    },
    {
        "name": "idle-culler",
        "command": [sys.executable, "-m", "jupyterhub_idle_culler",
                    f"--timeout={IDLE_SERVER_SECONDS}"],
    },
]
