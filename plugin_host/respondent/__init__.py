"""Respondent access: a family member answers a plugin's questionnaire without logging in.

A worker's plugin issues a one-time link (or QR code) that expires, or opens it at once on the
worker's own device handed over in kiosk mode. ``links`` keeps the links (hashes only), ``views``
serves ``/r/<token>`` and the pages a respondent may see, ``binding`` checks every request to a
plugin's respondent blueprint (``/r/p/<name>``) and keeps a kiosk browser locked.
"""
