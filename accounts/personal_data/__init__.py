"""Personal data (GDPR) on a person's own profile: sign-in history, export, deletion, retention.

- :mod:`.signins`: ``SignInEvent`` rows written on ``user_logged_in`` / ``user_login_failed``,
  with a truncated address and the browser family only, kept ``PASSERELLE_SIGNIN_HISTORY_MONTHS``.
- :mod:`.export`: everything the site holds about one person, as one dict (JSON download and
  readable page), read in a fixed number of queries whatever the number of posts.
- :mod:`.erasure`: deleting an account, posts deleted or kept under "Ancien membre"; what the
  agency must keep (moderation log, accepted experiences) stays, without the person's name.
- :mod:`.retention`: inactive accounts warned through the outbox, then erased after a grace period
  (``manage.py purge_inactive_accounts``).
- :mod:`.page`: the text of the public ``/donnees-personnelles/`` page, from the real settings.
"""

FORMER_MEMBER = "Ancien membre"
