# The hub's image for Zero to JupyterHub: the chart's own hub image, plus RepairLab and the
# course, because the hub runs the hand-in service (repairlab.serving.service) in its pod.
# Build it from the repository's root (docs/deploying.md, "Zero to JupyterHub"):
#
#   docker build -f deploy/z2jh/hub.Dockerfile -t registry.example.edu/repairlab/hub:2026-12-05 .
#
# EDIT: the tag of the chart's hub image must be the one your chart version uses
# (`helm show values jupyterhub/jupyterhub | grep -A3 "^hub:" ...`, hub.image.tag).
FROM quay.io/jupyterhub/k8s-hub:4.1.0

USER root
COPY --chown=1000:1000 . /srv/repairlab
# Without the `hub` extra: the hub image's own JupyterHub is the one that runs.
RUN pip install --no-cache-dir /srv/repairlab \
 && cd /srv/repairlab && repairlab check
USER 1000
